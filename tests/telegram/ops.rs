//! Operations end to end, in-process against the fake Bot API: a reload of
//! broken content refused (the admin told, every answer unchanged) and of
//! good content taken; admin commands invisible to others; flood control on
//! a burst; analytics written or not per config, with no user id or message
//! text unless configured.

use crate::harness::{PROMPT, Running, engine, has_footer, private_chat, text, text_of};
use liverline::config::Analytics;
use liverline::engine::Tuning;
use liverline::frontend::telegram::Options;
use liverline::ops::Ops;
use liverline::ops::analytics::Recorder;
use std::path::{Path, PathBuf};

const ADMIN: i64 = 77;

fn quiet() -> Options {
    Options {
        throttle: false,
        ..Options::default()
    }
}

/// A fresh, empty temporary folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("liverline-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A copy of the shipped content folders.
pub fn content_copy(name: &str) -> PathBuf {
    let dir = scratch(name);
    for sub in ["intents", "responses", "source"] {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(sub);
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.join(sub).join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// Asks each question from its own fresh chat (no follow-up context);
/// returns the replies' texts in order.
async fn ask_each(bot: &Running, first_chat: i64, questions: &[&str]) -> Vec<String> {
    let chats: Vec<i64> = (first_chat..).take(questions.len()).collect();
    for (chat, q) in chats.iter().zip(questions) {
        text(&bot.api, private_chat(*chat), *chat, q);
    }
    bot.api
        .until(PROMPT, "every question answered", |a| {
            chats.iter().all(|c| !a.sent_to(*c).is_empty())
        })
        .await;
    bot.api.read(|a| {
        chats
            .iter()
            .map(|c| text_of(a.sent_to(*c)[0]).to_string())
            .collect()
    })
}

/// Sends one command from the admin's chat; its reply.
async fn admin_says(bot: &Running, command: &str) -> String {
    let before = bot.api.read(|a| a.sent_to(ADMIN).len());
    text(&bot.api, private_chat(ADMIN), ADMIN, command);
    bot.api
        .until(PROMPT, command, |a| a.sent_to(ADMIN).len() > before)
        .await;
    bot.api
        .read(|a| text_of(a.sent_to(ADMIN)[before]).to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_reload_keeps_every_answer_and_a_good_one_is_taken() {
    let dir = content_copy("reload");
    let ops = Ops::new(engine())
        .with_reload_from(Some(dir.clone()), Tuning::default())
        .with_admins([ADMIN as u64]);
    let bot = Running::with_ops(ops, quiet()).await;
    let questions = [
        "what is rfa?",
        "side effects?",
        "what's the weather like?",
        "how is TACE done?",
    ];
    let before = ask_each(&bot, 100, &questions).await;

    // Break the folder: an excerpt the guide does not say, a response gone.
    let ablation = dir.join("responses/ablation.toml");
    let good = std::fs::read_to_string(&ablation).unwrap();
    let broken = good.replace(
        "This procedure uses high-energy radio waves",
        "Radio waves cure every tumour",
    );
    std::fs::write(&ablation, &broken).unwrap();
    let told = admin_says(&bot, "/reload").await;
    assert!(
        told.starts_with("Reload refused: the new content has"),
        "{told}"
    );
    assert!(told.contains("Version 1 stays in service"), "{told}");
    assert!(
        told.contains("ablation.toml:"),
        "file:line problems: {told}"
    );
    assert_eq!(
        ask_each(&bot, 200, &questions).await,
        before,
        "every answer unchanged"
    );
    assert!(
        admin_says(&bot, "/stats")
            .await
            .contains("Content version: 1")
    );

    // Fixed: the reload is taken.
    std::fs::write(&ablation, good).unwrap();
    let told = admin_says(&bot, "/reload").await;
    assert_eq!(told, "Content reloaded: version 2 is in service.");
    assert_eq!(
        ask_each(&bot, 300, &questions).await,
        before,
        "same content, same answers"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_commands_answer_only_admins_and_others_get_plain_help() {
    let bot = Running::with_ops(Ops::new(engine()).with_admins([ADMIN as u64]), quiet()).await;
    for (chat, command) in [(81, "/reload"), (82, "/stats"), (83, "/nonsense")] {
        text(&bot.api, private_chat(chat), chat, command);
    }
    let stats = admin_says(&bot, "/stats").await;
    let nothing = admin_says(&bot, "/reload").await;
    bot.api
        .until(PROMPT, "three replies", |a| {
            (81..=83).all(|c| !a.sent_to(c).is_empty())
        })
        .await;
    let api = bot.stop().await;
    for line in [
        "Today (",
        "answer: ",
        "Fallback rate: ",
        "Uptime: ",
        "Content version: 1",
    ] {
        assert!(stats.contains(line), "{line} in {stats}");
    }
    assert!(nothing.starts_with("Nothing to reload"), "{nothing}");
    api.read(|a| {
        let help = text_of(a.sent_to(83)[0]);
        for chat in [81, 82] {
            assert_eq!(
                text_of(a.sent_to(chat)[0]),
                help,
                "no hint the command exists"
            );
        }
        assert!(has_footer(help));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_gets_answers_up_to_the_limit_one_slow_down_then_silence() {
    let bot = Running::with_ops(Ops::new(engine()).with_flood(3), quiet()).await;
    for n in 0..8 {
        text(
            &bot.api,
            private_chat(91),
            91,
            &format!("what is tace? {n}"),
        );
    }
    text(&bot.api, private_chat(92), 92, "what is rfa?");
    bot.api
        .until(PROMPT, "the limit and the warning", |a| {
            a.sent_to(91).len() >= 4 && !a.sent_to(92).is_empty()
        })
        .await;
    let api = bot.stop().await;
    api.read(|a| {
        let sent = a.sent_to(91);
        assert_eq!(sent.len(), 4, "3 answers and one warning, then silence");
        assert!(
            sent[..3]
                .iter()
                .all(|m| text_of(m).contains("Chemoembolization"))
        );
        assert!(
            text_of(sent[3]).contains("Please slow down"),
            "{}",
            text_of(sent[3])
        );
        assert!(has_footer(text_of(sent[3])));
        assert_eq!(a.sent_to(92).len(), 1, "another user is not limited");
    });
}

/// Runs the bot with analytics at `db`, asks an answerable and an
/// unanswerable question as user 4_242_421; returns the database's bytes.
async fn with_analytics(db: &Path, keep_text: bool) -> Vec<u8> {
    let recorder = Recorder::start(&Analytics {
        path: db.to_path_buf(),
        keep_unanswered_text: keep_text,
        retention_days: 30,
    })
    .unwrap();
    let bot = Running::with_ops(Ops::new(engine()).with_analytics(Some(recorder)), quiet()).await;
    let user = 4_242_421;
    text(&bot.api, private_chat(user), user, "how is TACE done?");
    bot.api
        .until(PROMPT, "the answer", |a| a.sent_to(user).len() == 1)
        .await;
    text(
        &bot.api,
        private_chat(user),
        user,
        "Zebra marmalade QUANTUM?",
    );
    bot.api
        .until(PROMPT, "the fallback", |a| a.sent_to(user).len() == 2)
        .await;
    bot.stop().await;
    std::fs::read(db).unwrap()
}

fn rows(db: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_count_kinds_and_keep_question_text_only_when_configured() {
    let dir = scratch("analytics");
    let counts = "SELECT kind || ' ' || intent || ' ' || n FROM replies ORDER BY kind";

    let db = dir.join("default.sqlite3");
    let bytes = with_analytics(&db, false).await;
    assert_eq!(rows(&db, counts), ["answer tace 1", "fallback - 1"]);
    assert!(rows(&db, "SELECT text FROM unanswered").is_empty());
    let all = String::from_utf8_lossy(&bytes).to_lowercase();
    for secret in ["zebra", "marmalade", "tace done", "4242421"] {
        assert!(!all.contains(secret), "{secret:?} stored by default");
    }

    let db = dir.join("keep.sqlite3");
    let bytes = with_analytics(&db, true).await;
    assert_eq!(
        rows(&db, "SELECT kind || ': ' || text FROM unanswered"),
        ["fallback: zebra marmalade quantum"]
    );
    let all = String::from_utf8_lossy(&bytes);
    assert!(!all.contains("4242421"), "never a user id");
    assert!(
        !all.contains("tace done"),
        "answered questions are never kept"
    );
}
