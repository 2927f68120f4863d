//! Replicas sharing state in a real redis-server, as built binaries against
//! the fake Bot API: two webhook replicas with updates posted alternately
//! (a conversation split across them resolves its follow-ups and choices,
//! an update posted to both is answered once, a flood split across them is
//! limited as one sender; `/stats` counts both); Redis stopped mid-run (every message answered,
//! state resumes after); one poller at a time (the lease); a SIGKILL then
//! a restart answering every update exactly once.

use crate::deploy::{signal, spawn_in};
use crate::fake::{Fake, Fault};
use crate::harness::{PROMPT, private_chat, text, text_of, user};
use crate::ops::scratch;
use crate::process::exit;
use crate::redis::Redis;
use crate::web::{http, metric};
use serde_json::json;
use std::net::SocketAddr;
use std::process::Child;
use std::time::Duration;

const SECRET: &str = "replica-secret";

/// A webhook replica: the binary, ready (its /healthz answers 200).
async fn replica(name: &str, api: &Fake, redis: &Redis, flood: u32) -> (Child, SocketAddr) {
    replica_with(name, api, redis, flood, "").await
}

/// A replica with more configuration (`extra`, whole TOML sections).
async fn replica_with(
    name: &str,
    api: &Fake,
    redis: &Redis,
    flood: u32,
    extra: &str,
) -> (Child, SocketAddr) {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap();
    let cwd = scratch(name);
    let config = format!(
        "[telegram]\nthrottle = false\n[flood]\nper_minute = {flood}\n\
         [webhook]\nurl = \"http://127.0.0.1:{port}/hook\"\nlisten = \"{addr}\"\nsecret_token = \"{SECRET}\"\n\
         [redis]\nurl = \"{url}\"\n{extra}",
        port = addr.port(),
        url = redis.url()
    );
    std::fs::write(cwd.join("liverline.toml"), config).unwrap();
    let child = spawn_in(&cwd, &["--config", "liverline.toml", "telegram"], api);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(PROMPT);
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_ok()
            && http(addr, "GET", "/healthz", &[], "").await.0 == 200
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{name} not ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (child, addr)
}

/// Posts a message update as Telegram would, again while the answer is
/// 503 (another replica has it in hand); the last status.
async fn post(addr: SocketAddr, id: i64, chat: i64, words: &str) -> u16 {
    let body = json!({"update_id": id, "message": {"message_id": id, "date": 1_700_000_000,
        "chat": private_chat(chat), "from": user(chat), "text": words}})
    .to_string();
    let secret = [("X-Telegram-Bot-Api-Secret-Token", SECRET)];
    for _ in 0..100 {
        match http(addr, "POST", "/hook", &secret, &body).await.0 {
            503 => tokio::time::sleep(Duration::from_millis(50)).await,
            status => return status,
        }
    }
    503
}

async fn stop(child: Child) {
    signal(&child, "-TERM");
    let out = exit(child, PROMPT).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn webhook_api(chats: impl IntoIterator<Item = i64>) -> impl std::future::Future<Output = Fake> {
    let chats: Vec<i64> = chats.into_iter().collect();
    async move {
        let api = Fake::start().await;
        api.allow("setWebhook");
        for chat in chats {
            api.know_chat(private_chat(chat));
        }
        api
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_conversations_answer_once_and_limit_floods_together() {
    let Some(redis) = Redis::start("replicas") else {
        return;
    };
    let api = webhook_api(901..=906).await;
    let (a, at_a) = replica("replica-a", &api, &redis, 4).await;
    let (b, at_b) = replica("replica-b", &api, &redis, 4).await;

    // The same two turns: split across replicas (901, 902), and both on
    // one replica (903, 904) as the reference.
    let turns = [
        ("what are the side effects?", "2"),
        ("what is tace?", "more"),
    ];
    let mut id = 0;
    for ((first, second), (split, single)) in turns.iter().zip([(901, 903), (902, 904)]) {
        for (chat, then) in [(split, at_b), (single, at_a)] {
            id += 1;
            assert_eq!(post(at_a, id, chat, first).await, 200);
            id += 1;
            assert_eq!(post(then, id, chat, second).await, 200);
        }
    }
    api.read(|a| {
        for (split, single) in [(901, 903), (902, 904)] {
            let (s, r) = (a.sent_to(split), a.sent_to(single));
            assert_eq!((s.len(), r.len()), (2, 2));
            assert_eq!(
                text_of(s[1]),
                text_of(r[1]),
                "the follow-up on the other replica reads as on the same one"
            );
        }
        assert!(
            !text_of(a.sent_to(901)[1]).contains(text_of(a.sent_to(901)[0])),
            "the choice was taken, not the question again"
        );
    });

    // One update, delivered to both replicas at once.
    let (x, y) = tokio::join!(
        post(at_a, 100, 905, "what is rfa?"),
        post(at_b, 100, 905, "what is rfa?")
    );
    assert_eq!((x, y), (200, 200));
    // A flood split across the replicas: 4 a minute allowed.
    for n in 0..10 {
        let to = if n % 2 == 0 { at_a } else { at_b };
        assert_eq!(
            post(to, 200 + n, 906, &format!("what is tace? {n}")).await,
            200
        );
    }
    stop(a).await;
    stop(b).await;
    api.read(|a| {
        assert_eq!(a.sent_to(905).len(), 1, "answered once");
        let flood = a.sent_to(906);
        assert_eq!(flood.len(), 5, "4 answers and one slow down, as one sender");
        assert!(text_of(flood[4]).contains("Please slow down"));
        assert!(a.violations.is_empty(), "{:?}", a.violations);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_the_replies_of_every_replica() {
    let Some(redis) = Redis::start("stats") else {
        return;
    };
    const ADMIN: i64 = 943;
    let api = webhook_api(941..=943).await;
    let admins = format!("[admin]\nuser_ids = [{ADMIN}]\n");
    let (a, at_a) = replica_with("stats-a", &api, &redis, 20, &admins).await;
    let (b, at_b) = replica_with("stats-b", &api, &redis, 20, &admins).await;
    assert_eq!(post(at_a, 1, 941, "what is tace?").await, 200);
    assert_eq!(post(at_b, 2, 942, "what is rfa?").await, 200);
    // Counted just after each reply is sent: asked until both are in.
    let mut said = String::new();
    for id in 3..23 {
        assert_eq!(post(at_a, id, ADMIN, "/stats").await, 200);
        said = api.read(|a| text_of(a.sent_to(ADMIN).last().unwrap()).to_string());
        if said.contains("): 2 replies") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(said.contains("): 2 replies"), "{said}");
    stop(a).await;
    stop(b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_stopped_every_message_is_answered_and_state_resumes_after() {
    let Some(mut redis) = Redis::start("redis-down") else {
        return;
    };
    let api = webhook_api(911..=920).await;
    let (bot, at) = replica("redis-down", &api, &redis, 20).await;
    assert_eq!(post(at, 1, 911, "what is tace?").await, 200);

    redis.stop();
    for (n, chat) in (912..=916).enumerate() {
        assert_eq!(post(at, 10 + n as i64, chat, "what is rfa?").await, 200);
    }
    api.read(|a| assert!((912..=916).all(|c| a.sent_to(c).len() == 1)));
    assert_eq!(
        http(at, "GET", "/healthz", &[], "").await,
        (200, "degraded: Redis unreachable\n".into())
    );
    let scrape = http(at, "GET", "/metrics", &[], "").await.1;
    assert!(
        metric(&scrape, "liverline_store_errors_total").is_some_and(|n| n >= 1.0),
        "{scrape}"
    );

    redis.resume();
    // Asked again at most once a second while down.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(post(at, 20, 917, "what are the side effects?").await, 200);
    assert_eq!(post(at, 21, 917, "2").await, 200);
    assert_eq!(
        http(at, "GET", "/healthz", &[], "").await,
        (200, "ok\n".into())
    );
    stop(bot).await;
    api.read(|a| {
        let sent = a.sent_to(917);
        assert_eq!(sent.len(), 2);
        assert!(
            sent[1]["text"].as_str().unwrap().starts_with("<b>"),
            "the choice answered from the shared session: {}",
            text_of(sent[1])
        );
    });
}

/// A polling instance in `cwd` with Redis; the child.
fn poller(cwd: &str, api: &Fake, redis: &Redis) -> Child {
    let cwd = scratch(cwd);
    let config = format!(
        "[telegram]\nthrottle = false\n[redis]\nurl = \"{}\"\n",
        redis.url()
    );
    std::fs::write(cwd.join("liverline.toml"), config).unwrap();
    spawn_in(&cwd, &["--config", "liverline.toml", "telegram"], api)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_instance_does_not_poll_while_the_first_holds_the_lease() {
    let Some(redis) = Redis::start("lease") else {
        return;
    };
    let (first_api, second_api) = (Fake::start().await, Fake::start().await);
    let first = poller("lease-1", &first_api, &redis);
    first_api
        .until(PROMPT, "the first polling", |a| {
            a.calls.iter().any(|c| c.method == "getUpdates")
        })
        .await;
    let second = poller("lease-2", &second_api, &redis);
    second_api
        .until(PROMPT, "the second started", |a| {
            a.calls.iter().any(|c| c.method == "setMyCommands")
        })
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        second_api.read(|a| a.calls.iter().all(|c| c.method != "getUpdates")),
        "the second instance waits for the lease"
    );
    stop(first).await;
    second_api
        .until(PROMPT, "the second polling once the first stopped", |a| {
            a.calls.iter().any(|c| c.method == "getUpdates")
        })
        .await;
    stop(second).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_with_redis_then_a_restart_answers_every_update_exactly_once() {
    let Some(redis) = Redis::start("sigkill-redis") else {
        return;
    };
    let api = Fake::start().await;
    let mut child = poller("sigkill-redis", &api, &redis);
    api.until(PROMPT, "polling", |a| {
        a.calls.iter().any(|c| c.method == "getUpdates")
    })
    .await;
    // One chat's answer hangs, holding polling's offset back; another
    // chat's five are answered meanwhile, above that offset.
    api.fault("sendMessage", Fault::Delay(Duration::from_secs(30)));
    text(&api, private_chat(931), 931, "what is tace?");
    api.until(PROMPT, "the hanging send", |a| {
        a.calls
            .iter()
            .any(|c| c.method == "sendMessage" && c.body["chat_id"] == 931)
    })
    .await;
    for n in 0..5 {
        text(&api, private_chat(932), 932, &format!("what is rfa? {n}"));
    }
    api.until(PROMPT, "the other chat's answers", |a| {
        a.sent_to(932).len() == 5
    })
    .await;
    // Past the instant between a send and its mark in Redis (a kill there
    // would repeat that one answer: the one window exactly-once has).
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().expect("SIGKILL");
    let _ = exit(child, PROMPT).await;
    assert!(api.read(|a| a.sent_to(931).is_empty()), "killed mid-send");

    // The killed poller's lease lapses; then the restart polls, is given
    // all six again, and answers only the one never answered.
    let child = poller("sigkill-redis", &api, &redis);
    api.until(PROMPT * 2, "the hanging update answered", |a| {
        a.sent_to(931).len() == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop(child).await;
    api.read(|a| {
        assert_eq!(a.sent_to(931).len(), 1);
        assert_eq!(a.sent_to(932).len(), 5, "none answered twice");
        assert!(a.confirmed > a.last_update_id(), "all acknowledged");
    });
}
