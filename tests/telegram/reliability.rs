//! Reliability of the built binary against the fake Bot API: a burst from
//! one chat does not hold up another; SIGTERM with a backlog, and under
//! flood control, exits within the grace period and leaves what it did not
//! answer with Telegram; SIGKILL in the middle of a run, then a restart:
//! every update answered. In-process: flood keys for chats speaking as
//! themselves, and the webhook answering Telegram only once an update is
//! answered, and once per update id.

use crate::deploy::{signal, spawn_in};
use crate::fake::{BOT_USERNAME, Fake, Fault};
use crate::harness::{PROMPT, Running, engine, group_chat, private_chat, text, text_of};
use crate::ops::scratch;
use crate::process::exit;
use crate::web::http;
use liverline::frontend::telegram::{Options, Webhook};
use liverline::ops::Ops;
use secrecy::SecretString;
use serde_json::json;
use std::path::Path;
use std::process::Child;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The binary polling in `cwd` with `config` as its liverline.toml.
async fn binary(cwd: &Path, config: &str, api: &Fake) -> Child {
    std::fs::write(cwd.join("liverline.toml"), config).unwrap();
    let child = spawn_in(cwd, &["--config", "liverline.toml", "telegram"], api);
    api.until(PROMPT, "polling", |a| {
        a.calls.iter().any(|c| c.method == "getUpdates")
    })
    .await;
    child
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_from_one_chat_does_not_hold_up_another() {
    let api = Fake::start().await;
    // Throttle on (the default: a chat gets a message a second, 20 a
    // minute), 10 messages a minute allowed.
    let child = binary(&scratch("burst"), "[flood]\nper_minute = 10\n", &api).await;
    for n in 0..100 {
        text(&api, private_chat(801), 801, &format!("what is tace? {n}"));
    }
    let asked = Instant::now();
    text(&api, private_chat(802), 802, "what is rfa?");
    api.until(PROMPT, "the other user's answer", |a| {
        !a.sent_to(802).is_empty()
    })
    .await;
    let waited = asked.elapsed();
    assert!(
        waited < Duration::from_secs(2),
        "the other user waited {waited:?}"
    );
    // Throttle sends the burst's answers a second apart: 10 answers and
    // one "please slow down", the rest dropped on arrival.
    api.until(40, "the burst's answers", |a| a.sent_to(801).len() >= 11)
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    signal(&child, "-TERM");
    let out = exit(child, PROMPT).await;
    assert!(out.status.success());
    api.read(|a| {
        let sent = a.sent_to(801);
        assert_eq!(sent.len(), 11, "10 answers, one slow down, then silence");
        assert!(text_of(sent[10]).contains("Please slow down"));
        assert!(a.confirmed > a.last_update_id(), "all acknowledged");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_flood_control_exits_within_the_grace_and_a_restart_answers_the_rest() {
    let api = Fake::start().await;
    let cwd = scratch("grace");
    let config = "[telegram]\nshutdown_grace = 3\n";
    let child = binary(&cwd, config, &api).await;
    // Every send meets a 429 asking for 60 s: nothing can be answered
    // (Throttle holds every send back for the minute after the first).
    for _ in 0..40 {
        api.fault("sendMessage", Fault::RetryAfter(60));
    }
    for chat in 811..=815 {
        text(&api, private_chat(chat), chat, "what is tace?");
    }
    api.until(PROMPT, "the sends to meet flood control", |a| {
        a.calls.iter().any(|c| c.method == "sendMessage")
    })
    .await;
    let stopping = Instant::now();
    signal(&child, "-TERM");
    let out = exit(child, PROMPT).await;
    let took = stopping.elapsed();
    assert!(out.status.success(), "{:?}", out.status);
    assert!(
        took < Duration::from_secs(3 + 2),
        "exited {took:?} after SIGTERM with a 3 s grace"
    );
    let first = api.read(|a| {
        assert!(a.sent_to(811).is_empty());
        assert!(
            a.confirmed <= a.updates[0]["update_id"].as_i64().unwrap(),
            "unanswered updates stay with Telegram"
        );
        a.updates[0]["update_id"].as_i64().unwrap()
    });
    assert!(first > 0);

    // Flood control over: a restart answers every one.
    api.clear_faults("sendMessage");
    let child = binary(&cwd, config, &api).await;
    api.until(PROMPT, "every update answered after the restart", |a| {
        (811..=815).all(|c| a.sent_to(c).len() == 1)
    })
    .await;
    signal(&child, "-TERM");
    assert!(exit(child, PROMPT).await.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_in_the_middle_of_a_run_then_a_restart_answers_every_update() {
    let api = Fake::start().await;
    let cwd = scratch("sigkill");
    let config = "[telegram]\nthrottle = false\n";
    let mut child = binary(&cwd, config, &api).await;
    // One chat's answer hangs (in flight when the kill comes), holding
    // polling's offset back; ten other chats are answered meanwhile.
    api.fault("sendMessage", Fault::Delay(Duration::from_secs(30)));
    text(&api, private_chat(821), 821, "what is tace?");
    api.until(PROMPT, "the hanging send", |a| {
        a.calls
            .iter()
            .any(|c| c.method == "sendMessage" && c.body["chat_id"] == 821)
    })
    .await;
    let others: Vec<i64> = (822..832).collect();
    for &chat in &others {
        text(&api, private_chat(chat), chat, "what is rfa?");
    }
    api.until(PROMPT, "the other answers", |a| {
        others.iter().all(|c| !a.sent_to(*c).is_empty())
    })
    .await;
    child.kill().expect("SIGKILL");
    let _ = exit(child, PROMPT).await;
    assert!(api.read(|a| a.sent_to(821).is_empty()), "killed mid-send");

    let child = binary(&cwd, config, &api).await;
    api.until(PROMPT, "the update in flight answered", |a| {
        a.sent_to(821).len() == 1
    })
    .await;
    signal(&child, "-TERM");
    assert!(exit(child, PROMPT).await.status.success());
    api.read(|a| {
        assert_eq!(a.sent_to(821).len(), 1, "the update in flight is not lost");
        // At least once: without Redis the answered updates above the one
        // in flight come again after the restart, and may be answered again.
        assert!(others.iter().all(|c| !a.sent_to(*c).is_empty()));
        assert!(a.confirmed > a.last_update_id(), "all acknowledged");
    });
}

/// An anonymous admin (Telegram's @GroupAnonymousBot, the same user in
/// every group) floods one group: the other group is not silenced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_admins_are_limited_per_group() {
    const ANONYMOUS: i64 = 1_087_968_824;
    let bot = Running::with_ops(
        Ops::new(engine()).with_flood(3),
        Options {
            throttle: false,
            ..Options::default()
        },
    )
    .await;
    let say = |group: i64, n: usize| {
        let chat = group_chat(group);
        crate::harness::message(
            &bot.api,
            chat.clone(),
            ANONYMOUS,
            json!({"text": format!("@{BOT_USERNAME} what is tace? {n}"), "sender_chat": chat}),
        );
    };
    for n in 0..6 {
        say(-100861, n);
    }
    say(-100862, 0);
    bot.api
        .until(PROMPT, "both groups", |a| {
            a.sent_to(-100861).len() >= 4 && !a.sent_to(-100862).is_empty()
        })
        .await;
    let api = bot.stop().await;
    api.read(|a| {
        assert_eq!(a.sent_to(-100861).len(), 4, "3 answers and one warning");
        assert_eq!(a.sent_to(-100862).len(), 1, "the other group is answered");
        assert!(!text_of(a.sent_to(-100862)[0]).contains("slow down"));
    });
}

const SECRET: &str = "reliability-secret";

fn hooked(listener: std::net::TcpListener) -> Options {
    Options {
        throttle: false,
        webhook: Some(Webhook {
            url: "https://bot.example.org/hook".parse().unwrap(),
            secret_token: SecretString::from(SECRET),
            listener,
        }),
        ..Options::default()
    }
}

fn post(id: i64, chat: i64, words: &str) -> String {
    json!({"update_id": id, "message": {"message_id": id, "date": 1_700_000_000,
        "chat": private_chat(chat), "from": crate::harness::user(chat), "text": words}})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_answers_telegram_once_the_update_is_answered_and_once_per_update() {
    let api = Fake::start().await;
    api.allow("setWebhook");
    for chat in 871..=872 {
        api.know_chat(private_chat(chat));
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let bot = Running::on(api, Arc::new(Ops::new(engine())), hooked(listener)).await;
    let secret = [("X-Telegram-Bot-Api-Secret-Token", SECRET)];
    bot.api
        .fault("sendMessage", Fault::Delay(Duration::from_millis(500)));
    let (status, _) = http(
        addr,
        "POST",
        "/hook",
        &secret,
        &post(1, 871, "what is tace?"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        bot.api.read(|a| a.sent_to(871).len()),
        1,
        "200 only once the answer is sent"
    );
    // Telegram delivering the same update again (its retry, or to another
    // replica): answered once.
    let (status, _) = http(
        addr,
        "POST",
        "/hook",
        &secret,
        &post(1, 871, "what is tace?"),
    )
    .await;
    assert_eq!(status, 200);
    // A wrong secret is refused before the body is read: announced and
    // never sent, the body would be waited for.
    assert_eq!(refused_unread(addr).await, 401);
    let (status, _) = http(
        addr,
        "POST",
        "/hook",
        &secret,
        &post(2, 872, "what is rfa?"),
    )
    .await;
    assert_eq!(status, 200);
    let api = bot.stop().await;
    api.read(|a| {
        assert_eq!(a.sent_to(871).len(), 1, "answered once");
        assert_eq!(a.sent_to(872).len(), 1);
    });
}

/// Posts headers announcing a 4 MB body with a wrong secret, sends no
/// body; the status, which comes only if the body is not waited for.
async fn refused_unread(addr: std::net::SocketAddr) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /hook HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 4194304\r\n\
         X-Telegram-Bot-Api-Secret-Token: nope\r\nContent-Type: application/json\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(PROMPT), stream.read(&mut buf))
        .await
        .expect("refused without waiting for the body")
        .unwrap();
    let line = String::from_utf8_lossy(&buf[..n]).to_string();
    line.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// A client that sends half its headers and stops (slowloris) is cut off,
/// rather than holding its connection for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let bot = Running::with(Options {
        throttle: false,
        http: Some(listener),
        ..Options::default()
    })
    .await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    let ended =
        tokio::time::timeout(Duration::from_secs(PROMPT), stream.read_to_end(&mut got)).await;
    assert!(ended.is_ok(), "the connection is closed by the server");
    assert!(
        !String::from_utf8_lossy(&got).contains("200"),
        "no answer without the whole request"
    );
    // Whole requests are still served.
    assert_eq!(http(addr, "GET", "/healthz", &[], "").await.0, 200);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_posted_to_the_webhook_does_not_hold_up_another_chat() {
    let api = Fake::start().await;
    api.allow("setWebhook");
    for chat in 881..=882 {
        api.know_chat(private_chat(chat));
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let options = Options {
        // Throttle on: the burst's answers go out a second apart.
        throttle: true,
        ..hooked(listener)
    };
    let bot = Running::on(api, Arc::new(Ops::new(engine()).with_flood(10)), options).await;
    let secret = [("X-Telegram-Bot-Api-Secret-Token", SECRET)];
    // Telegram posts updates concurrently (up to 40 connections).
    let burst: Vec<_> = (1..=100)
        .map(|id| {
            tokio::spawn(async move {
                let body = post(id, 881, &format!("what is tace? {id}"));
                http(addr, "POST", "/hook", &secret, &body).await.0
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let asked = Instant::now();
    let (status, _) = http(
        addr,
        "POST",
        "/hook",
        &secret,
        &post(101, 882, "what is rfa?"),
    )
    .await;
    let waited = asked.elapsed();
    assert_eq!(status, 200);
    assert!(
        waited < Duration::from_secs(2),
        "the other chat waited {waited:?}"
    );
    for b in burst {
        assert_eq!(b.await.unwrap(), 200);
    }
    let api = bot.stop().await;
    api.read(|a| {
        assert_eq!(a.sent_to(881).len(), 11, "10 answers and one slow down");
        assert_eq!(a.sent_to(882).len(), 1);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_in_webhook_mode_under_flood_control_stops_within_the_grace_and_telegram_is_told_to_resend()
 {
    let api = Fake::start().await;
    api.allow("setWebhook");
    for chat in 891..=893 {
        api.know_chat(private_chat(chat));
    }
    for _ in 0..10 {
        api.fault("sendMessage", Fault::RetryAfter(60));
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let options = Options {
        shutdown_grace: Duration::from_secs(2),
        ..hooked(listener)
    };
    let bot = Running::on(api, Arc::new(Ops::new(engine())), options).await;
    let secret = [("X-Telegram-Bot-Api-Secret-Token", SECRET)];
    let pending: Vec<_> = (891..=893)
        .map(|chat| {
            tokio::spawn(async move {
                let body = post(chat - 890, chat, "what is tace?");
                http(addr, "POST", "/hook", &secret, &body).await.0
            })
        })
        .collect();
    bot.api
        .until(PROMPT, "the sends to meet flood control", |a| {
            a.calls.iter().filter(|c| c.method == "sendMessage").count() >= 3
        })
        .await;
    let stopping = Instant::now();
    let api = bot.stop().await;
    let took = stopping.elapsed();
    assert!(
        took < Duration::from_secs(2 + 3),
        "stopped {took:?} after the signal, with a 2 s grace"
    );
    for p in pending {
        assert_eq!(
            p.await.unwrap(),
            503,
            "not answered: Telegram is told to deliver it again"
        );
    }
    api.read(|a| assert!((891..=893).all(|c| a.sent_to(c).is_empty())));
}
