//! The counters behind `/metrics` (Prometheus text format, through the
//! prometheus-client crate: typed label sets, atomic counters, no global
//! lock) and the admin's `/stats`. Every series carries a `replica` label,
//! so the replicas behind one load balancer add up in a query. Label values
//! are closed sets (update types, reply kinds, error kinds), never user
//! input, so the series stay few.

use crate::reply::Kind;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Upper bounds of the classification latency histogram, in seconds: the
/// engine answers in well under a millisecond when healthy.
pub const BUCKETS: [f64; 9] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TypeLabel {
    r#type: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

pub struct Metrics {
    started: Instant,
    registry: Registry,
    updates: Family<TypeLabel, Counter>,
    replies: Family<KindLabel, Counter>,
    errors: Family<KindLabel, Counter>,
    flood: Counter,
    reloads: Family<OutcomeLabel, Counter>,
    latency: Histogram,
    content_version: Gauge,
    uptime: Gauge,
    store_errors: Counter,
    analytics_dropped: Counter,
    /// Today's replies by kind, for `/stats` (reset when the date changes).
    today: Mutex<(String, BTreeMap<&'static str, u64>)>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new(&replica())
    }
}

/// This replica's name: `LIVERLINE_REPLICA`, else the host name.
pub fn replica() -> String {
    std::env::var("LIVERLINE_REPLICA")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "local".into())
}

impl Metrics {
    pub fn new(replica: &str) -> Metrics {
        let mut registry = Registry::with_labels(std::iter::once((
            "replica".into(),
            replica.to_string().into(),
        )));
        let m = Metrics {
            started: Instant::now(),
            updates: Family::default(),
            replies: Family::default(),
            errors: Family::default(),
            flood: Counter::default(),
            reloads: Family::default(),
            latency: Histogram::new(BUCKETS),
            content_version: Gauge::default(),
            uptime: Gauge::default(),
            store_errors: Counter::default(),
            analytics_dropped: Counter::default(),
            today: Mutex::default(),
            registry: Registry::default(),
        };
        let r = &mut registry;
        r.register(
            "liverline_updates",
            "Updates received, by type",
            m.updates.clone(),
        );
        r.register(
            "liverline_replies",
            "Replies sent, by kind",
            m.replies.clone(),
        );
        r.register(
            "liverline_classify_seconds",
            "Time to classify and compose one reply",
            m.latency.clone(),
        );
        r.register(
            "liverline_bot_api_errors",
            "Failed Bot API calls (429s included), by kind",
            m.errors.clone(),
        );
        r.register(
            "liverline_flood_limited",
            "Messages not answered: the sender was over the flood limit",
            m.flood.clone(),
        );
        r.register(
            "liverline_reloads",
            "Content reloads, by outcome",
            m.reloads.clone(),
        );
        r.register(
            "liverline_store_errors",
            "Failed or timed-out calls to the shared store (Redis)",
            m.store_errors.clone(),
        );
        r.register(
            "liverline_analytics_dropped",
            "Analytics events dropped: the writer's queue was full",
            m.analytics_dropped.clone(),
        );
        r.register(
            "liverline_content_version",
            "Content in service: 1 at start, +1 per successful reload",
            m.content_version.clone(),
        );
        r.register(
            "liverline_uptime_seconds",
            "Seconds since start",
            m.uptime.clone(),
        );
        // Every kind shows, at zero until counted.
        for k in Kind::ALL {
            let _ = m.replies.get_or_create(&KindLabel { kind: k.as_str() });
        }
        for outcome in ["ok", "refused"] {
            let _ = m.reloads.get_or_create(&OutcomeLabel { outcome });
        }
        Metrics { registry, ..m }
    }

    pub fn update(&self, kind: &'static str) {
        self.updates
            .get_or_create(&TypeLabel { r#type: kind })
            .inc();
    }

    /// A reply sent, on `day` (UTC date).
    pub fn reply(&self, kind: Kind, day: &str) {
        self.replies
            .get_or_create(&KindLabel {
                kind: kind.as_str(),
            })
            .inc();
        let mut today = self.today.lock().unwrap_or_else(|p| p.into_inner());
        if today.0 != day {
            *today = (day.to_string(), BTreeMap::new());
        }
        *today.1.entry(kind.as_str()).or_default() += 1;
    }

    /// How long one `Engine::answer` took.
    pub fn classified(&self, took: Duration) {
        self.latency.observe(took.as_secs_f64());
    }

    /// A failed Bot API call, by `outbox::metric_kind`.
    pub fn api_error(&self, kind: &'static str) {
        self.errors.get_or_create(&KindLabel { kind }).inc();
    }

    pub fn flood_dropped(&self) {
        self.flood.inc();
    }

    pub fn reload(&self, ok: bool) {
        let outcome = if ok { "ok" } else { "refused" };
        self.reloads.get_or_create(&OutcomeLabel { outcome }).inc();
    }

    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// Today's replies by kind (every kind, zeros included) and the total.
    pub fn today(&self, day: &str) -> Vec<(&'static str, u64)> {
        let today = self.today.lock().unwrap_or_else(|p| p.into_inner());
        Kind::ALL
            .iter()
            .map(|k| {
                let n = if today.0 == day {
                    today.1.get(k.as_str()).copied()
                } else {
                    None
                };
                (k.as_str(), n.unwrap_or(0))
            })
            .collect()
    }

    /// Everything, in the Prometheus text exposition format; the counts
    /// kept elsewhere (the store's failures, analytics drops) are brought
    /// up to date first.
    pub fn render(
        &self,
        content_version: u64,
        store_errors: u64,
        analytics_dropped: u64,
    ) -> String {
        self.content_version.set(content_version as i64);
        self.uptime.set(self.uptime().as_secs() as i64);
        for (counter, now) in [
            (&self.store_errors, store_errors),
            (&self.analytics_dropped, analytics_dropped),
        ] {
            counter.inc_by(now.saturating_sub(counter.get()));
        }
        let mut out = String::new();
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_format_has_every_family_a_replica_and_a_cumulative_histogram() {
        let m = Metrics::new("a");
        m.update("message");
        m.reply(Kind::Answer, "2026-01-01");
        m.classified(Duration::from_micros(700));
        m.api_error("retry_after");
        let text = m.render(3, 2, 0);
        for line in [
            "liverline_updates_total{replica=\"a\",type=\"message\"} 1",
            "liverline_replies_total{replica=\"a\",kind=\"answer\"} 1",
            "liverline_replies_total{replica=\"a\",kind=\"fallback\"} 0",
            "liverline_classify_seconds_bucket{replica=\"a\",le=\"0.0005\"} 0",
            "liverline_classify_seconds_bucket{replica=\"a\",le=\"0.001\"} 1",
            "liverline_classify_seconds_bucket{replica=\"a\",le=\"+Inf\"} 1",
            "liverline_bot_api_errors_total{replica=\"a\",kind=\"retry_after\"} 1",
            "liverline_store_errors_total{replica=\"a\"} 2",
            "liverline_content_version{replica=\"a\"} 3",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        assert_eq!(m.today("2026-01-01")[0], ("answer", 1));
        assert_eq!(m.today("2026-01-02")[0], ("answer", 0));
    }
}
