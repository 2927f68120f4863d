//! Load benchmark of the Telegram front-end (not a test): many concurrent
//! users, each in their own private chat, ask questions through the fake
//! Bot API of `tests/telegram/` (loopback HTTP, long polling), and the bot,
//! running in-process as `liverline telegram` runs it, answers.
//!
//! Two runs:
//! 1. Throttle off, closed loop: each user asks, waits for the answer, asks
//!    again. Reports answered per second and latency (update queued ->
//!    sendMessage received), p50 / p99 / max: the bot's own capacity.
//! 2. Throttle on, 30 questions a second offered (Telegram's overall send
//!    limit), each from a new chat: shows the bot keeps up with that rate
//!    with nothing unanswered.
//!
//!     cargo bench --bench telegram_load [-- --users 200 --seconds 10]
//!
//! Both runs also check the fake saw no Bot API violation, every question
//! answered exactly once and every update acknowledged.

#[allow(dead_code)]
#[path = "../tests/telegram/fake.rs"]
mod fake;
#[allow(dead_code)]
#[path = "../tests/telegram/methods.rs"]
mod methods;
#[allow(dead_code)]
#[path = "../tests/telegram/rules.rs"]
mod rules;

use fake::{Fake, TOKEN};
use liverline::Engine;
use liverline::frontend::telegram::{self, Options};
use liverline::ops::Ops;
use secrecy::SecretString;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Questions as people ask them: answers, clarifications, fallbacks,
/// an emergency, typos and brand names.
const QUESTIONS: [&str; 16] = [
    "what is tace",
    "side effects of nexavar",
    "who can have a liver transplant?",
    "how does radiofrequency ablation work",
    "is radiation painful",
    "what are the side effects?",
    "my dad has stage 4, what treatment is there",
    "what is a clinical trial",
    "can I stop treatment",
    "what's the weather today",
    "whats the survival rate",
    "he is vomiting blood",
    "stivarga dose",
    "cryosurgery for liver tumors",
    "which doctors will treat me",
    "second opinion?",
];
/// A question not answered within this long counts as unanswered.
const GIVE_UP: Duration = Duration::from_secs(30);

type Waiting = Arc<Mutex<HashMap<i64, (Instant, oneshot::Sender<Duration>)>>>;

struct Bot {
    api: Fake,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    waiting: Waiting,
}

impl Bot {
    async fn start(engine: Arc<Engine>, throttle: bool) -> Bot {
        let api = Fake::start().await;
        let bot = telegram::bot(&SecretString::from(TOKEN), Some(&api.url)).expect("bot");
        let (stop, stopped) = oneshot::channel::<()>();
        let options = Options {
            throttle,
            ..Options::default()
        };
        // No flood limit: the load comes from a few simulated users.
        let ops = Arc::new(Ops::new(engine).with_flood(u32::MAX));
        let task = tokio::spawn(telegram::run(bot, ops, options, async move {
            let _ = stopped.await;
        }));
        api.until(30, "polling", |a| {
            a.calls.iter().any(|c| c.method == "getUpdates")
        })
        .await;
        // One collector turns "a message was sent to chat X" into the
        // latency of X's pending question.
        let waiting: Waiting = Arc::default();
        let mut sent = api.on_send();
        let w = waiting.clone();
        tokio::spawn(async move {
            while let Some(chat) = sent.recv().await {
                if let Some((asked, done)) = w.lock().unwrap().remove(&chat) {
                    let _ = done.send(asked.elapsed());
                }
            }
        });
        Bot {
            api,
            stop,
            task,
            waiting,
        }
    }

    /// Asks one question from `chat` and waits for the answer: its latency,
    /// or `None` if it never came.
    async fn ask(&self, chat: i64, question: &str) -> Option<Duration> {
        let (tx, rx) = oneshot::channel();
        self.waiting
            .lock()
            .unwrap()
            .insert(chat, (Instant::now(), tx));
        let id = self.api.next_message_id();
        self.api
            .push(json!({"message": {"message_id": id, "date": 1_700_000_000,
            "chat": {"id": chat, "type": "private", "first_name": "Pat"},
            "from": {"id": chat, "is_bot": false, "first_name": "Pat"}, "text": question}}));
        tokio::time::timeout(GIVE_UP, rx).await.ok()?.ok()
    }

    /// Stops the bot and checks what the fake saw: no violation, `asked`
    /// messages sent in all, every update acknowledged.
    async fn stop(self, asked: usize) {
        let _ = self.stop.send(());
        self.task.await.expect("bot task").expect("bot ran");
        self.api.read(|a| {
            assert!(
                a.violations.is_empty(),
                "Bot API violations: {:?}",
                &a.violations[..a.violations.len().min(5)]
            );
            assert_eq!(
                a.ok("sendMessage").len(),
                asked,
                "every question answered exactly once"
            );
            assert!(
                a.confirmed > a.last_update_id(),
                "every update acknowledged"
            );
        });
    }
}

struct Report {
    asked: usize,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Report {
    fn print(mut self, title: &str) {
        self.latencies.sort_unstable();
        let pick = |p: f64| {
            let i = ((self.latencies.len() as f64 * p) as usize)
                .min(self.latencies.len().saturating_sub(1));
            self.latencies
                .get(i)
                .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
        };
        let answered = self.latencies.len();
        println!(
            "{title}: asked {}, answered {answered} ({:.1}/s), unanswered {}, latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            self.asked,
            answered as f64 / self.elapsed.as_secs_f64(),
            self.asked - answered,
            pick(0.5),
            pick(0.99),
            pick(1.0),
        );
    }
}

/// Throttle off: `users` users ask in a closed loop for `seconds`.
async fn capacity(engine: Arc<Engine>, users: i64, seconds: u64) -> Report {
    let bot = Arc::new(Bot::start(engine, false).await);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..users)
        .map(|u| {
            let bot = bot.clone();
            tokio::spawn(async move {
                let (mut asked, mut latencies) = (0, Vec::new());
                while Instant::now() < deadline {
                    let q = QUESTIONS[(u as usize + asked) % QUESTIONS.len()];
                    asked += 1;
                    latencies.extend(bot.ask(100_000 + u, q).await);
                }
                (asked, latencies)
            })
        })
        .collect();
    let mut report = Report {
        asked: 0,
        latencies: Vec::new(),
        elapsed: Duration::ZERO,
    };
    for t in tasks {
        let (asked, latencies) = t.await.expect("user task");
        report.asked += asked;
        report.latencies.extend(latencies);
    }
    report.elapsed = started.elapsed();
    Arc::into_inner(bot)
        .expect("users done")
        .stop(report.asked)
        .await;
    report
}

/// Throttle on: `rate` questions a second for `seconds`, each from a new chat.
async fn paced(engine: Arc<Engine>, rate: u64, seconds: u64) -> Report {
    let bot = Arc::new(Bot::start(engine, true).await);
    let started = Instant::now();
    let total = rate * seconds;
    let mut tasks = Vec::new();
    for n in 0..total {
        tokio::time::sleep_until(
            (started + Duration::from_secs_f64(n as f64 / rate as f64)).into(),
        )
        .await;
        let bot = bot.clone();
        tasks.push(tokio::spawn(async move {
            bot.ask(500_000 + n as i64, QUESTIONS[n as usize % QUESTIONS.len()])
                .await
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("asker"));
    }
    let report = Report {
        asked: total as usize,
        latencies,
        elapsed: started.elapsed(),
    };
    Arc::into_inner(bot)
        .expect("askers done")
        .stop(report.asked)
        .await;
    report
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let (users, seconds) = (arg("--users", 200) as i64, arg("--seconds", 10));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let engine = Arc::new(Engine::new(
            liverline::content::embedded().expect("content"),
        ));
        capacity(engine.clone(), users, seconds)
            .await
            .print(&format!("Throttle off, {users} users, {seconds} s"));
        paced(engine, 30, seconds)
            .await
            .print(&format!("Throttle on, 30 questions/s offered, {seconds} s"));
    });
}
