//! Load on two webhook replicas sharing a real redis-server (loopback
//! only, bounded): 500 simulated users, each in a private chat, send 10
//! messages each, alternately to one replica and the other, each as
//! Telegram would (the POST returns once the update is answered). Reports
//! answered per second and latency (POST sent -> 200), p50 / p99 / max,
//! and checks every message answered exactly once (none lost, none
//! doubled). Then the same load on one replica with the in-memory store;
//! and, unloaded (one user, messages one after another), one replica with
//! Redis against one in memory: what the Redis round trips add to a
//! message (the floor: at most 1 ms at the p50 on loopback).
//!
//!     cargo bench --bench replicas_load [-- --users 500 --messages 10]
//!
//! Needs Debian's redis-server; without it, it says so and stops.

#[allow(dead_code)]
#[path = "../tests/telegram/fake.rs"]
mod fake;
#[allow(dead_code)]
#[path = "../tests/telegram/methods.rs"]
mod methods;
#[allow(dead_code)]
#[path = "../tests/telegram/redis.rs"]
mod redis;
#[allow(dead_code)]
#[path = "../tests/telegram/rules.rs"]
mod rules;

use fake::{Fake, TOKEN};
use liverline::Engine;
use liverline::frontend::telegram::{self, Options, Webhook};
use liverline::ops::Ops;
use liverline::store::Store;
use liverline::store::shared::Shared;
use secrecy::SecretString;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

const SECRET: &str = "bench-secret";
const QUESTIONS: [&str; 5] = [
    "what is tace",
    "what are the side effects?",
    "2",
    "more",
    "who can have a liver transplant?",
];

fn main() {
    let arg = |name: &str, default: usize| {
        let args: Vec<String> = std::env::args().collect();
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (users, messages) = (arg("--users", 500), arg("--messages", 10));
    let Some(redis) = redis::Redis::start("bench") else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let engine = Arc::new(Engine::new(
        liverline::content::embedded().expect("shipped content"),
    ));
    runtime.block_on(async {
        // A bot id per run: its keys (update ids among them) are its own.
        let shared = |bot: u64| {
            let store = Shared::new(&redis.url(), bot, 1_000).expect("redis url");
            Store::Shared(store)
        };
        let redis_run = run(&engine, vec![shared(1), shared(1)], users, messages).await;
        report("2 replicas + Redis", &redis_run, users * messages);
        let memory_run = run(&engine, vec![Store::local(1_000)], users, messages).await;
        report("1 replica, in memory", &memory_run, users * messages);
        // Unloaded: what the round trips themselves cost.
        let quiet = arg("--quiet-messages", 200);
        let redis_one = run(&engine, vec![shared(2)], 1, quiet).await;
        report("1 user, 1 replica + Redis", &redis_one, quiet);
        let memory_one = run(&engine, vec![Store::local(1_000)], 1, quiet).await;
        report("1 user, 1 replica, in memory", &memory_one, quiet);
        let added = redis_one.p50_ms - memory_one.p50_ms;
        println!("Redis adds {added:.2} ms to the p50 of one message (floor: 1 ms)");
        assert!(added <= 1.0, "Redis adds {added:.2} ms at the p50");
    });
}

struct Run {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    lost: usize,
    doubled: usize,
}

fn report(what: &str, r: &Run, total: usize) {
    println!(
        "{what}: {total} messages, {:.0} answered/s, p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms, lost {}, doubled {}",
        r.per_second, r.p50_ms, r.p99_ms, r.max_ms, r.lost, r.doubled
    );
    assert_eq!((r.lost, r.doubled), (0, 0), "{what}: every message once");
}

/// One replica per store, all on one fake Bot API; the users' messages
/// alternate between them.
async fn run(engine: &Arc<Engine>, stores: Vec<Store>, users: usize, messages: usize) -> Run {
    let api = Fake::start().await;
    api.allow("setWebhook");
    for u in 0..users {
        api.know_chat(json!({"id": chat(u), "type": "private", "first_name": "Pat"}));
    }
    let mut replicas = Vec::new();
    for store in stores {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        let ops = Arc::new(Ops::new(engine.clone()).with_store(store));
        let options = Options {
            throttle: false,
            webhook: Some(Webhook {
                url: "https://bot.example.org/hook".parse().unwrap(),
                secret_token: SecretString::from(SECRET),
                listener,
            }),
            ..Options::default()
        };
        let bot = telegram::bot(&SecretString::from(TOKEN), Some(&api.url)).expect("bot");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(telegram::run(bot, ops.clone(), options, async move {
            let _ = stopped.await;
        }));
        while !ops.serving() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        replicas.push((addr, stop, task));
    }
    let addrs: Vec<SocketAddr> = replicas.iter().map(|r| r.0).collect();
    let started = Instant::now();
    let tasks: Vec<_> = (0..users)
        .map(|u| {
            let addrs = addrs.clone();
            tokio::spawn(async move {
                let mut took = Vec::with_capacity(messages);
                for m in 0..messages {
                    let to = addrs[(u + m) % addrs.len()];
                    let id = (u * messages + m + 1) as i64;
                    let words = QUESTIONS[m % QUESTIONS.len()];
                    let t = Instant::now();
                    let status = post(to, id, chat(u), words).await;
                    assert_eq!(status, 200, "update {id}");
                    took.push(t.elapsed());
                }
                took
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("user"));
    }
    let elapsed = started.elapsed();
    for (_, stop, task) in replicas {
        let _ = stop.send(());
        let _ = task.await;
    }
    latencies.sort();
    let ms = |q: f64| {
        let i = ((latencies.len() as f64 * q) as usize).min(latencies.len() - 1);
        latencies[i].as_secs_f64() * 1000.0
    };
    let (lost, doubled) = api.read(|a| {
        assert!(a.violations.is_empty(), "{:?}", a.violations);
        (0..users).fold((0, 0), |(lost, doubled), u| {
            let n = a.sent_to(chat(u)).len();
            (
                lost + messages.saturating_sub(n),
                doubled + n.saturating_sub(messages),
            )
        })
    });
    Run {
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: ms(0.5),
        p99_ms: ms(0.99),
        max_ms: ms(1.0),
        lost,
        doubled,
    }
}

fn chat(user: usize) -> i64 {
    700_000 + user as i64
}

/// Posts one update as Telegram does; again while another replica has it
/// in hand (503). The final status.
async fn post(addr: SocketAddr, id: i64, chat: i64, words: &str) -> u16 {
    let body = json!({"update_id": id, "message": {"message_id": id, "date": 1_700_000_000,
        "chat": {"id": chat, "type": "private", "first_name": "Pat"},
        "from": {"id": chat, "is_bot": false, "first_name": "Pat"}, "text": words}})
    .to_string();
    for _ in 0..50 {
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let request = format!(
            "POST /hook HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\n\
             X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        let status = String::from_utf8_lossy(&raw)
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if status != 503 {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    503
}
