//! The store in Redis, shared by every replica of one bot (`[redis] url`).
//! Keys are namespaced `liverline:<bot id>:…`, every key has a TTL, and
//! values are small: counters, flags, and sessions as JSON carrying a
//! version (`{"v":1,…}`), so two versions of the bot can share one Redis
//! during a rolling deploy (a session of another version reads as none).
//!
//! Every call has a short timeout. A failure counts (`/metrics`), is logged
//! once until Redis answers again, and the call falls back: sessions and
//! menu pages as if new (the reply is still right, only a follow-up loses
//! its context), flood and duplicate checks in this process's memory.
//! While Redis is down it is asked again at most every `RETRY`, so replies
//! do not wait out a timeout each.

use super::{Claim, DONE_TTL, Local, TAKEN_TTL};
use crate::dialog::{Session, TTL as SESSION_TTL};
use crate::ops::flood::{Verdict, WINDOW};
use deadpool_redis::redis::{self, Cmd, FromRedisValue};
use deadpool_redis::{Config, Pool, PoolConfig, Runtime, Timeouts};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The longest one Redis call may take (loopback or one LAN hop answers
/// in well under a millisecond; past this, answering without shared
/// state beats keeping a patient waiting).
pub const TIMEOUT: Duration = Duration::from_millis(250);
/// While Redis is down, how often it is tried again.
pub const RETRY: Duration = Duration::from_secs(1);
/// Connections per replica: calls are short, a few cover many chats.
const POOL_SIZE: usize = 16;
/// The version of the values this build writes and reads.
const VERSION: u8 = 1;
/// How long `/stats` day counters are kept.
const STATS_TTL: Duration = Duration::from_secs(3 * 24 * 60 * 60);

/// A session as stored: the version, then the session.
#[derive(Serialize, Deserialize)]
struct Stored<T> {
    v: u8,
    s: T,
}

#[derive(Debug)]
struct Breaker {
    down: bool,
    retry_at: Instant,
}

pub struct Shared {
    pool: Pool,
    prefix: String,
    fallback: Local,
    per_window: u32,
    breaker: Mutex<Breaker>,
    errors: AtomicU64,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the URL: it may carry a password.
        f.debug_struct("Shared")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// A pool for `url` (connections are made on first use: a Redis that
    /// is down at start is a degraded start, not a failed one), keys
    /// namespaced by `bot`. An error only for a URL that cannot be used.
    pub fn new(url: &str, bot: u64, flood_per_minute: u32) -> Result<Shared, String> {
        let mut config = Config::from_url(url);
        let mut pool = PoolConfig::new(POOL_SIZE);
        pool.timeouts = Timeouts {
            wait: Some(TIMEOUT),
            create: Some(TIMEOUT),
            recycle: Some(TIMEOUT),
        };
        config.pool = Some(pool);
        // The error text may quote the URL, password included: not shown.
        let pool = config
            .create_pool(Some(Runtime::Tokio1))
            .map_err(|_| "not a usable redis:// URL".to_string())?;
        Ok(Shared {
            pool,
            prefix: format!("liverline:{bot}:"),
            fallback: Local::new(flood_per_minute),
            per_window: flood_per_minute.max(1),
            breaker: Mutex::new(Breaker {
                down: false,
                retry_at: Instant::now(),
            }),
            errors: AtomicU64::new(0),
        })
    }

    fn key(&self, kind: &str, id: impl std::fmt::Display) -> String {
        format!("{}{kind}:{id}", self.prefix)
    }

    /// Runs one command (or a MULTI pipeline), within the timeout; `None`
    /// when Redis cannot answer now.
    async fn run<T: FromRedisValue>(&self, query: Query<'_>) -> Option<T> {
        {
            let b = self.breaker.lock().unwrap_or_else(|p| p.into_inner());
            if b.down && Instant::now() < b.retry_at {
                return None;
            }
        }
        let call = async {
            let mut conn = self.pool.get().await.map_err(drop)?;
            match query {
                Query::Cmd(c) => c.query_async(&mut conn).await,
                Query::Pipe(p) => p.query_async(&mut conn).await,
            }
            .map_err(drop)
        };
        let result = tokio::time::timeout(TIMEOUT, call).await;
        let mut b = self.breaker.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(Ok(value)) => {
                if b.down {
                    tracing::info!("Redis answers again: shared state resumed");
                }
                b.down = false;
                Some(value)
            }
            Ok(Err(_)) | Err(_) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                if !b.down {
                    let why = if result.is_err() { "timeout" } else { "error" };
                    tracing::error!(
                        why,
                        "Redis unreachable: answering without shared state until it is back"
                    );
                }
                b.down = true;
                b.retry_at = Instant::now() + RETRY;
                None
            }
        }
    }

    pub fn degraded(&self) -> bool {
        self.breaker.lock().map_or(true, |b| b.down)
    }

    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    pub async fn session(&self, chat: i64) -> Session {
        let mut get = redis::cmd("GET");
        get.arg(self.key("session", chat));
        let raw: Option<String> = self.run(Query::Cmd(&get)).await.flatten();
        raw.and_then(|r| serde_json::from_str::<Stored<Session>>(&r).ok())
            .filter(|s| s.v == VERSION)
            .map(|s| s.s)
            .unwrap_or_default()
    }

    pub async fn save_session(&self, chat: i64, session: &Session) {
        let Ok(json) = serde_json::to_string(&Stored {
            v: VERSION,
            s: session,
        }) else {
            return;
        };
        let mut set = redis::cmd("SET");
        set.arg(self.key("session", chat))
            .arg(json)
            .arg("EX")
            .arg(SESSION_TTL.as_secs());
        let _: Option<()> = self.run(Query::Cmd(&set)).await;
    }

    pub async fn page(&self, chat: i64, message: i32) -> Option<String> {
        let mut get = redis::cmd("GET");
        get.arg(self.key("page", format!("{chat}:{message}")));
        let raw: Option<String> = self.run(Query::Cmd(&get)).await.flatten();
        // "1|<page>": the version, then the callback data shown.
        raw?.strip_prefix(&format!("{VERSION}|"))
            .map(str::to_string)
    }

    pub async fn set_page(&self, chat: i64, message: i32, page: &str) {
        let mut set = redis::cmd("SET");
        set.arg(self.key("page", format!("{chat}:{message}")))
            .arg(format!("{VERSION}|{page}"))
            .arg("EX")
            .arg(SESSION_TTL.as_secs());
        let _: Option<()> = self.run(Query::Cmd(&set)).await;
    }

    /// A fixed window from the sender's first message, as in memory: the
    /// counter's TTL is set only when it is created.
    pub async fn flood(&self, key: i64) -> Verdict {
        let k = self.key("flood", key);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("INCR")
            .arg(&k)
            .cmd("EXPIRE")
            .arg(&k)
            .arg(WINDOW.as_secs())
            .arg("NX")
            .ignore();
        match self.run::<(u32,)>(Query::Pipe(&pipe)).await {
            Some((n,)) => Verdict::of(n, self.per_window),
            None => self.fallback.flood(key),
        }
    }

    /// "t" while taken (expiring after `TAKEN_TTL`, so a dead replica's
    /// update is taken again), "d" once answered.
    pub async fn take(&self, update: u32) -> Claim {
        let k = self.key("update", update);
        let mut set = redis::cmd("SET");
        set.arg(&k)
            .arg("t")
            .arg("NX")
            .arg("GET")
            .arg("EX")
            .arg(TAKEN_TTL.as_secs());
        // SET … NX GET: the old value (nil: it was set now).
        match self.run::<Option<String>>(Query::Cmd(&set)).await {
            Some(None) => Claim::New,
            Some(Some(v)) if v == "d" => Claim::Done,
            Some(Some(_)) => Claim::InFlight,
            None => self.fallback.take(update),
        }
    }

    pub async fn finish(&self, update: u32) {
        self.fallback.finish(update);
        let mut set = redis::cmd("SET");
        set.arg(self.key("update", update))
            .arg("d")
            .arg("EX")
            .arg(DONE_TTL.as_secs());
        let _: Option<()> = self.run(Query::Cmd(&set)).await;
    }

    pub async fn count_reply(&self, day: &str, kind: &'static str) {
        let k = self.key("replies", day);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("HINCRBY")
            .arg(&k)
            .arg(kind)
            .arg(1)
            .ignore()
            .cmd("EXPIRE")
            .arg(&k)
            .arg(STATS_TTL.as_secs())
            .ignore();
        let _: Option<()> = self.run(Query::Pipe(&pipe)).await;
    }

    pub async fn replies_on(&self, day: &str) -> Option<Vec<(String, u64)>> {
        let mut all = redis::cmd("HGETALL");
        all.arg(self.key("replies", day));
        self.run::<Vec<(String, u64)>>(Query::Cmd(&all)).await
    }

    /// The lease: taken when free, renewed when ours (atomically, in Lua).
    /// When Redis cannot answer, true: Telegram itself refuses a second
    /// poller, and the bot keeps answering.
    pub async fn lease(&self, holder: &str, ttl: Duration) -> bool {
        const LEASE: &str = "local v = redis.call('GET', KEYS[1]) \
            if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end \
            if v then return 0 end \
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1";
        let mut eval = redis::cmd("EVAL");
        eval.arg(LEASE)
            .arg(1)
            .arg(self.key("poll", "lease"))
            .arg(holder)
            .arg(ttl.as_millis() as u64);
        self.run::<u8>(Query::Cmd(&eval))
            .await
            .is_none_or(|held| held == 1)
    }

    pub async fn release(&self, holder: &str) {
        const RELEASE: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
            return redis.call('DEL', KEYS[1]) end return 0";
        let mut eval = redis::cmd("EVAL");
        eval.arg(RELEASE)
            .arg(1)
            .arg(self.key("poll", "lease"))
            .arg(holder);
        let _: Option<u8> = self.run(Query::Cmd(&eval)).await;
    }
}

/// One command or a pipeline.
enum Query<'a> {
    Cmd(&'a Cmd),
    Pipe(&'a redis::Pipeline),
}
