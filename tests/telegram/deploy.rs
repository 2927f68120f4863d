//! The built binary as it is deployed: the privacy floor (in the default
//! configuration, and with analytics on, no message text and no user id in
//! the logs or on disk) and SIGHUP reloading a broken content folder while
//! the bot keeps answering, watched through `[http] listen`'s `/metrics`.

use crate::fake::{Fake, TOKEN};
use crate::harness::{PROMPT, private_chat, text, text_of};
use crate::ops::{content_copy, scratch};
use crate::process::exit;
use crate::web::{http, scrape_until};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub fn spawn_in(cwd: &Path, args: &[&str], api: &Fake) -> Child {
    Command::new(env!("CARGO_BIN_EXE_liverline"))
        .args(args)
        .current_dir(cwd)
        .env("TELOXIDE_API_URL", &api.url)
        .env("TELOXIDE_TOKEN", TOKEN)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

pub fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(ok.success());
}

async fn polling(api: &Fake) {
    api.until(PROMPT, "polling", |a| {
        a.calls.iter().any(|c| c.method == "getUpdates")
    })
    .await;
}

/// Words no reply contains, a user id no reply shows.
const SECRET_WORDS: [&str; 2] = [
    "Zebra marmalade from Ludmila?",
    "Ludmila asks: what is rfa?",
];
const USER: i64 = 5_123_987;

/// Runs the bot in `cwd` with `args`, asks the secret questions, stops it;
/// its stderr.
async fn ask_secrets(cwd: &Path, args: &[&str]) -> String {
    let api = Fake::start().await;
    let child = spawn_in(cwd, args, &api);
    polling(&api).await;
    for (n, words) in SECRET_WORDS.iter().enumerate() {
        text(&api, private_chat(USER), USER, words);
        api.until(PROMPT, "the reply", |a| a.sent_to(USER).len() > n)
            .await;
    }
    signal(&child, "-TERM");
    let out = exit(child, PROMPT).await;
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_private(what: &str, haystack: &str) {
    for needle in [
        "zebra",
        "marmalade",
        "ludmila",
        "what is rfa",
        &USER.to_string(),
    ] {
        assert!(
            !haystack.to_lowercase().contains(needle),
            "{needle:?} in {what}:\n{haystack}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_message_text_or_user_id_in_logs_or_storage() {
    // The default configuration: nothing is written at all.
    let cwd = scratch("privacy-default");
    let stderr = ask_secrets(&cwd, &["telegram"]).await;
    assert!(stderr.contains("answered"), "{stderr}");
    assert_private("the logs", &stderr);
    assert_eq!(
        std::fs::read_dir(&cwd).unwrap().count(),
        0,
        "no file written"
    );

    // Analytics on, texts not kept (the default for that key).
    let cwd = scratch("privacy-analytics");
    std::fs::write(
        cwd.join("liverline.toml"),
        "[analytics]\nenabled = true\npath = \"a.sqlite3\"\n",
    )
    .unwrap();
    let stderr = ask_secrets(&cwd, &["--config", "liverline.toml", "telegram"]).await;
    assert_private("the logs", &stderr);
    let db = std::fs::read(cwd.join("a.sqlite3")).expect("the database is written");
    assert_private("the database", &String::from_utf8_lossy(&db));
    assert!(
        String::from_utf8_lossy(&db).contains("fallback"),
        "counts are kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_refuses_broken_content_and_the_bot_answers_as_before() {
    let content = content_copy("sighup");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = content.join("liverline.toml");
    std::fs::write(&config, format!("[http]\nlisten = \"{port}\"\n")).unwrap();
    let api = Fake::start().await;
    let args = [
        "--config",
        config.to_str().unwrap(),
        "--content",
        content.to_str().unwrap(),
        "telegram",
    ];
    let child = spawn_in(&content, &args, &api);
    polling(&api).await;
    text(&api, private_chat(601), 601, "what is rfa?");
    api.until(PROMPT, "the first answer", |a| a.sent_to(601).len() == 1)
        .await;
    assert_eq!(
        http(port, "GET", "/healthz", &[], "").await,
        (200, "ok\n".into())
    );

    let ablation = content.join("responses/ablation.toml");
    let good = std::fs::read_to_string(&ablation).unwrap();
    std::fs::write(
        &ablation,
        good.replace("high-energy radio waves", "moonlight"),
    )
    .unwrap();
    signal(&child, "-HUP");
    let scrape = scrape_until(port, "liverline_reloads_total{outcome=\"refused\"}", 1.0).await;
    assert!(scrape.contains("liverline_content_version 1"), "{scrape}");
    text(&api, private_chat(602), 602, "what is rfa?");
    api.until(PROMPT, "the answer after the reload", |a| {
        a.sent_to(602).len() == 1
    })
    .await;

    signal(&child, "-TERM");
    let out = exit(child, PROMPT).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    api.read(|a| {
        assert_eq!(
            text_of(a.sent_to(601)[0]),
            text_of(a.sent_to(602)[0]),
            "unchanged"
        )
    });
    let refused: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("reload refused"))
        .collect();
    assert!(!refused.is_empty(), "{stderr}");
    assert!(
        refused
            .iter()
            .all(|l| l.contains("ablation.toml:") && l.contains("SIGHUP")),
        "{refused:?}"
    );
}
