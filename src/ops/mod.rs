//! Running liverline for months: the swappable engine behind safe content
//! reload (`live`), per-user flood control (`flood`), the counters behind
//! `/metrics` and `/stats` (`metrics`), and the editors' SQLite analytics
//! and report (`analytics`). Synchronous and free of teloxide and tokio:
//! the Telegram front-end calls them; `main` runs the report.

pub mod analytics;
pub mod flood;
pub mod live;
pub mod metrics;

use crate::engine::{Engine, Tuning};
use analytics::Recorder;
use flood::Flood;
use live::Live;
use metrics::Metrics;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Everything a running bot shares besides the Bot API: the live engine,
/// counters, flood control, admins, analytics. Handlers get it as `Arc<Ops>`.
pub struct Ops {
    pub live: Live,
    pub metrics: Arc<Metrics>,
    pub flood: Flood,
    admins: HashSet<u64>,
    pub analytics: Option<Recorder>,
    /// Serve the staff quick reference on the bot's HTTP listener too,
    /// with these limits (`[web] on_bot_listener`).
    pub web: Option<crate::config::WebLimits>,
    serving: AtomicBool,
}

impl Ops {
    /// Defaults: no admins, no analytics, the default flood limit, no
    /// folder to reload from.
    pub fn new(engine: Arc<Engine>) -> Ops {
        Ops {
            live: Live::new(engine, None, Tuning::default()),
            metrics: Arc::default(),
            flood: Flood::new(crate::config::DEFAULT_FLOOD_PER_MINUTE),
            admins: HashSet::new(),
            analytics: None,
            web: None,
            serving: AtomicBool::new(false),
        }
    }

    /// Reloads read `dir` (none: the built-in content, nothing to reload)
    /// and build with `tuning`.
    pub fn with_reload_from(mut self, dir: Option<std::path::PathBuf>, tuning: Tuning) -> Ops {
        self.live = Live::new(self.live.engine(), dir, tuning);
        self
    }

    pub fn with_flood(mut self, per_minute: u32) -> Ops {
        self.flood = Flood::new(per_minute);
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
