//! Running liverline for months: the swappable engine behind safe content
//! reload (`live`), per-sender flood control (`flood`), the counters behind
//! `/metrics` and `/stats` (`metrics`), and the editors' SQLite analytics
//! and report (`analytics`). Synchronous and free of teloxide and tokio:
//! the Telegram front-end calls them; `main` runs the report. The state
//! kept between updates (`crate::store`) hangs here too, so handlers find
//! everything in one `Arc<Ops>`.

pub mod analytics;
pub mod flood;
pub mod live;
pub mod metrics;

use crate::engine::{Engine, Tuning};
use crate::store::Store;
use analytics::Recorder;
use live::Live;
use metrics::Metrics;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Everything a running bot shares besides the Bot API: the live engine,
/// counters, flood control, admins, analytics. Handlers get it as `Arc<Ops>`.
pub struct Ops {
    pub live: Live,
    pub metrics: Arc<Metrics>,
    /// Sessions, flood counters, update ids taken: in memory or in Redis.
    pub store: Arc<Store>,
    admins: HashSet<u64>,
    pub analytics: Option<Recorder>,
    /// Serve the staff quick reference on the bot's HTTP listener too,
    /// with these limits (`[web] on_bot_listener`).
    pub web: Option<crate::config::WebLimits>,
    serving: AtomicBool,
    /// When updates last arrived or a poll last succeeded, and since when
    /// polling has been failing (none: it is not).
    contact: Mutex<(Instant, Option<Instant>)>,
    /// How long polling may fail before `/healthz` says so.
    stall_after: Duration,
}

/// What `/healthz` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Starting or stopping: not taking updates.
    Starting,
    Ok,
    /// Polling has failed for longer than allowed: no update can arrive.
    Stalled,
    /// Answering, without the shared store (Redis cannot be reached).
    Degraded,
}

/// Default for how long getUpdates may keep failing before `/healthz`
/// fails: long enough for a Bot API restart, short against an outage.
pub const DEFAULT_STALL_AFTER: Duration = Duration::from_secs(60);

impl Ops {
    /// Defaults: no admins, no analytics, the default flood limit, no
    /// folder to reload from.
    pub fn new(engine: Arc<Engine>) -> Ops {
        Ops {
            live: Live::new(engine, None, Tuning::default()),
            metrics: Arc::default(),
            store: Arc::new(Store::local(crate::config::DEFAULT_FLOOD_PER_MINUTE)),
            admins: HashSet::new(),
            analytics: None,
            web: None,
            serving: AtomicBool::new(false),
            contact: Mutex::new((Instant::now(), None)),
            stall_after: DEFAULT_STALL_AFTER,
        }
    }

    /// Reloads read `dir` (none: the built-in content, nothing to reload)
    /// and build with `tuning`.
    pub fn with_reload_from(mut self, dir: Option<std::path::PathBuf>, tuning: Tuning) -> Ops {
        self.live = Live::new(self.live.engine(), dir, tuning);
        self
    }

    /// The in-memory store with this flood limit.
    pub fn with_flood(mut self, per_minute: u32) -> Ops {
        self.store = Arc::new(Store::local(per_minute));
        self
    }

    /// A store of the caller's (Redis for replicas).
    pub fn with_store(mut self, store: Store) -> Ops {
        self.store = Arc::new(store);
        self
    }

    pub fn with_admins(mut self, ids: impl IntoIterator<Item = u64>) -> Ops {
        self.admins = ids.into_iter().collect();
        self
    }

    pub fn with_analytics(mut self, recorder: Option<Recorder>) -> Ops {
        self.analytics = recorder;
        self
    }

    pub fn with_web(mut self, limits: Option<crate::config::WebLimits>) -> Ops {
        self.web = limits;
        self
    }

    pub fn is_admin(&self, user: Option<u64>) -> bool {
        user.is_some_and(|u| self.admins.contains(&u))
    }

    /// Content loaded and updates being received: what /healthz reports.
    pub fn serving(&self) -> bool {
        self.serving.load(Ordering::Relaxed)
    }

    pub fn set_serving(&self, on: bool) {
        self.serving.store(on, Ordering::Relaxed);
    }

    pub fn with_stall_after(mut self, after: Duration) -> Ops {
        self.stall_after = after;
        self
    }

    /// Updates arrived, or a poll succeeded.
    pub fn contact(&self, now: Instant) {
        *self.contact.lock().unwrap_or_else(|p| p.into_inner()) = (now, None);
    }

    /// A poll failed.
    pub fn poll_failed(&self, now: Instant) {
        let mut c = self.contact.lock().unwrap_or_else(|p| p.into_inner());
        c.1.get_or_insert(now);
    }

    /// Serving, and, when polling fails, not for longer than allowed.
    pub fn health(&self, now: Instant) -> Health {
        if !self.serving() {
            return Health::Starting;
        }
        let (last, failing) = *self.contact.lock().unwrap_or_else(|p| p.into_inner());
        match failing {
            Some(_) if now.duration_since(last) > self.stall_after => Health::Stalled,
            _ if self.store.degraded() => Health::Degraded,
            _ => Health::Ok,
        }
    }
}

/// Days since 1970-01-01 as a `YYYY-MM-DD` date (the proleptic Gregorian
/// calendar, Howard Hinnant's `civil_from_days`). Analytics group by UTC
/// day; no calendar crate is needed for that.
pub fn date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today's UTC date, from the system clock (the edge: callers pass dates on).
pub fn today() -> String {
    date(today_number())
}

/// Days since 1970-01-01 today, UTC.
pub fn today_number() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    (secs / 86_400) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_fails_only_when_polling_has_failed_too_long() {
        let ops = Ops::new(std::sync::Arc::new(crate::Engine::new(
            crate::content::embedded().expect("shipped content"),
        )))
        .with_stall_after(Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(ops.health(t0), Health::Starting);
        ops.set_serving(true);
        ops.contact(t0);
        // Quiet is not failing: no update for an hour is fine.
        assert_eq!(ops.health(t0 + Duration::from_secs(3600)), Health::Ok);
        ops.poll_failed(t0 + Duration::from_secs(10));
        assert_eq!(ops.health(t0 + Duration::from_secs(30)), Health::Ok);
        assert_eq!(ops.health(t0 + Duration::from_secs(61)), Health::Stalled);
        ops.contact(t0 + Duration::from_secs(62));
        assert_eq!(ops.health(t0 + Duration::from_secs(63)), Health::Ok);
    }

    #[test]
    fn dates_from_days() {
        for (days, want) in [
            (0, "1970-01-01"),
            (59, "1970-03-01"),
            (11_016, "2000-02-29"),
            (20_454, "2026-01-01"),
            (-1, "1969-12-31"),
        ] {
            assert_eq!(super::date(days), want);
        }
    }
}
