//! The state a running bot keeps between updates, behind one interface:
//! each chat's dialogue session, the page each `/topics` menu shows, flood
//! counters, which update ids have been taken and answered (so an update
//! delivered twice is answered once), today's reply counts for `/stats`,
//! and the polling lease (one poller per bot).
//!
//! Two implementations: [`Local`], in this process's memory (bounded,
//! expiring moka caches; the default), and [`shared::Shared`] in Redis
//! (`[redis] url`), which lets any number of webhook replicas share it.
//! When Redis fails, the shared store falls back to answering statelessly
//! (no session, local flood and duplicate checks), counts each failure,
//! logs once, and resumes when Redis answers again.

mod local;
pub mod shared;

pub use local::Local;

use crate::dialog::Session;
use crate::ops::flood::Verdict;
use std::time::Duration;

/// What the store knows of an update id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Never seen: the caller takes it and must `finish` it.
    New,
    /// Taken by this or another process and not finished yet (or the
    /// process that took it died less than `TAKEN_TTL` ago).
    InFlight,
    /// Answered already.
    Done,
}

/// How long a taken, unfinished update stays claimed: longer than an
/// update can wait in a chat's queue (its flood-limited answers a second
/// apart, a flood-control pause); after it, a re-delivery is taken afresh,
/// so an update whose process died is answered by another.
pub const TAKEN_TTL: Duration = Duration::from_secs(120);
/// How long an answered update id is remembered: Telegram stops
/// re-delivering within a day.
pub const DONE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// The bot's state: in memory, or shared in Redis.
#[derive(Debug)]
pub enum Store {
    Local(Local),
    Shared(shared::Shared),
}

impl Store {
    /// The in-memory store with `flood_per_minute` as the flood limit.
    pub fn local(flood_per_minute: u32) -> Store {
        Store::Local(Local::new(flood_per_minute))
    }

    pub async fn session(&self, chat: i64) -> Session {
        match self {
            Store::Local(l) => l.session(chat),
            Store::Shared(s) => s.session(chat).await,
        }
    }

    pub async fn save_session(&self, chat: i64, session: &Session) {
        match self {
            Store::Local(l) => l.save_session(chat, session),
            Store::Shared(s) => s.save_session(chat, session).await,
        }
    }

    /// The page (its callback data) a menu message was last set to.
    pub async fn page(&self, chat: i64, message: i32) -> Option<String> {
        match self {
            Store::Local(l) => l.page(chat, message),
            Store::Shared(s) => s.page(chat, message).await,
        }
    }

    pub async fn set_page(&self, chat: i64, message: i32, page: &str) {
        match self {
            Store::Local(l) => l.set_page(chat, message, page),
            Store::Shared(s) => s.set_page(chat, message, page).await,
        }
    }

    /// Counts one message from a flood key (`ops::flood::key`).
    pub async fn flood(&self, key: i64) -> Verdict {
        match self {
            Store::Local(l) => l.flood(key),
            Store::Shared(s) => s.flood(key).await,
        }
    }

    /// Claims an update id (atomically: of two deliveries, one gets `New`).
    pub async fn take(&self, update: u32) -> Claim {
        match self {
            Store::Local(l) => l.take(update),
            Store::Shared(s) => s.take(update).await,
        }
    }

    /// Marks a taken update answered.
    pub async fn finish(&self, update: u32) {
        match self {
            Store::Local(l) => l.finish(update),
            Store::Shared(s) => s.finish(update).await,
        }
    }

    /// Counts a reply of `kind` on `day` for `/stats`: only the shared
    /// store keeps these (in memory, `/metrics`' counters serve).
    pub async fn count_reply(&self, day: &str, kind: &'static str) {
        if let Store::Shared(s) = self {
            s.count_reply(day, kind).await;
        }
    }

    /// Replies on `day` by kind, counted by every replica; `None` without a
    /// shared store (or when it cannot answer).
    pub async fn replies_on(&self, day: &str) -> Option<Vec<(String, u64)>> {
        match self {
            Store::Local(_) => None,
            Store::Shared(s) => s.replies_on(day).await,
        }
    }

    /// Takes or renews the polling lease for `holder`; false while another
    /// holder has it. In memory there is no one else to ask: always true.
    pub async fn lease(&self, holder: &str, ttl: Duration) -> bool {
        match self {
            Store::Local(_) => true,
            Store::Shared(s) => s.lease(holder, ttl).await,
        }
    }

    /// Gives the lease up, if `holder` has it.
    pub async fn release(&self, holder: &str) {
        if let Store::Shared(s) = self {
            s.release(holder).await;
        }
    }

    /// A shared store that cannot reach Redis (answering statelessly).
    pub fn degraded(&self) -> bool {
        match self {
            Store::Local(_) => false,
            Store::Shared(s) => s.degraded(),
        }
    }

    /// Failed Redis calls since start (`/metrics`).
    pub fn errors(&self) -> u64 {
        match self {
            Store::Local(_) => 0,
            Store::Shared(s) => s.errors(),
        }
    }
}
