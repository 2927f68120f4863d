//! The counters behind `/metrics` (Prometheus text format, written here:
//! a dozen lines do not need a metrics crate) and the admin's `/stats`.
//! Label values are closed sets (update types, reply kinds, error kinds),
//! never user input, so the series stay few.

use crate::reply::Kind;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Upper bounds of the classification latency histogram, in seconds: the
/// engine answers in well under a millisecond when healthy.
pub const BUCKETS: [f64; 9] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

#[derive(Debug, Default)]
struct Counts {
    updates: BTreeMap<&'static str, u64>,
    replies: BTreeMap<&'static str, u64>,
    errors: BTreeMap<String, u64>,
    flood: u64,
    reloads: BTreeMap<&'static str, u64>,
    latency: [u64; BUCKETS.len()],
    latency_count: u64,
    latency_sum: f64,
    /// Today's replies by kind, for `/stats` (reset when the date changes).
    today: (String, BTreeMap<&'static str, u64>),
}

#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    counts: Mutex<Counts>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            counts: Mutex::default(),
        }
    }
}

impl Metrics {
    fn with<T>(&self, f: impl FnOnce(&mut Counts) -> T) -> T {
        f(&mut self.counts.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn update(&self, kind: &'static str) {
        self.with(|c| *c.updates.entry(kind).or_default() += 1);
    }

    /// A reply sent, on `day` (UTC date).
    pub fn reply(&self, kind: Kind, day: &str) {
        self.with(|c| {
            *c.replies.entry(kind.as_str()).or_default() += 1;
            if c.today.0 != day {
                c.today = (day.to_string(), BTreeMap::new());
            }
            *c.today.1.entry(kind.as_str()).or_default() += 1;
        });
    }

    /// How long one `Engine::answer` took.
    pub fn classified(&self, took: Duration) {
        let secs = took.as_secs_f64();
        self.with(|c| {
            for (i, le) in BUCKETS.iter().enumerate() {
                if secs <= *le {
                    c.latency[i] += 1;
                }
            }
            c.latency_count += 1;
            c.latency_sum += secs;
        });
    }

    /// A failed Bot API call, by `outbox::error_kind`.
    pub fn api_error(&self, kind: &str) {
        self.with(|c| *c.errors.entry(kind.to_string()).or_default() += 1);
    }

    pub fn flood_dropped(&self) {
        self.with(|c| c.flood += 1);
    }

    pub fn reload(&self, ok: bool) {
        let outcome = if ok { "ok" } else { "refused" };
        self.with(|c| *c.reloads.entry(outcome).or_default() += 1);
    }

    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// Today's replies by kind (every kind, zeros included) and the total.
    pub fn today(&self, day: &str) -> Vec<(&'static str, u64)> {
        self.with(|c| {
            Kind::ALL
                .iter()
                .map(|k| {
                    let n = if c.today.0 == day {
                        c.today.1.get(k.as_str()).copied()
                    } else {
                        None
                    };
                    (k.as_str(), n.unwrap_or(0))
                })
                .collect()
        })
    }

    /// Everything, in the Prometheus text exposition format.
    pub fn render(&self, content_version: u64) -> String {
        let mut out = String::new();
        self.with(|c| {
            family(
                &mut out,
                "liverline_updates_total",
                "counter",
                "Updates received, by type.",
            );
            for (k, n) in &c.updates {
                let _ = writeln!(out, "liverline_updates_total{{type=\"{k}\"}} {n}");
            }
            family(
                &mut out,
                "liverline_replies_total",
                "counter",
                "Replies sent, by kind.",
            );
            for k in Kind::ALL {
                let n = c.replies.get(k.as_str()).copied().unwrap_or(0);
                let _ = writeln!(
                    out,
                    "liverline_replies_total{{kind=\"{}\"}} {n}",
                    k.as_str()
                );
            }
            family(
                &mut out,
                "liverline_classify_seconds",
                "histogram",
                "Time to classify and compose one reply.",
            );
            for (le, n) in BUCKETS.iter().zip(c.latency) {
                let _ = writeln!(out, "liverline_classify_seconds_bucket{{le=\"{le}\"}} {n}");
            }
            let _ = writeln!(
                out,
                "liverline_classify_seconds_bucket{{le=\"+Inf\"}} {}",
                c.latency_count
            );
            let _ = writeln!(out, "liverline_classify_seconds_sum {}", c.latency_sum);
            let _ = writeln!(out, "liverline_classify_seconds_count {}", c.latency_count);
            family(
                &mut out,
                "liverline_bot_api_errors_total",
                "counter",
                "Failed Bot API calls, by kind.",
            );
            for (k, n) in &c.errors {
                let _ = writeln!(
                    out,
                    "liverline_bot_api_errors_total{{kind=\"{}\"}} {n}",
                    label(k)
                );
            }
            family(
                &mut out,
                "liverline_flood_limited_total",
                "counter",
                "Messages not answered: the sender was over the flood limit.",
            );
            let _ = writeln!(out, "liverline_flood_limited_total {}", c.flood);
            family(
                &mut out,
                "liverline_reloads_total",
                "counter",
                "Content reloads, by outcome.",
            );
            for outcome in ["ok", "refused"] {
                let n = c.reloads.get(outcome).copied().unwrap_or(0);
                let _ = writeln!(out, "liverline_reloads_total{{outcome=\"{outcome}\"}} {n}");
            }
        });
        family(
            &mut out,
            "liverline_content_version",
            "gauge",
            "Content in service: 1 at start, +1 per successful reload.",
        );
        let _ = writeln!(out, "liverline_content_version {content_version}");
        family(
            &mut out,
            "liverline_uptime_seconds",
            "gauge",
            "Seconds since start.",
        );
        let _ = writeln!(out, "liverline_uptime_seconds {}", self.uptime().as_secs());
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value escaped as the format requires.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_format_has_every_family_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.update("message");
        m.reply(Kind::Answer, "2026-01-01");
        m.classified(Duration::from_micros(700));
        m.api_error("network \"x\"");
        let text = m.render(3);
        for line in [
            "liverline_updates_total{type=\"message\"} 1",
            "liverline_replies_total{kind=\"answer\"} 1",
            "liverline_replies_total{kind=\"fallback\"} 0",
            "liverline_classify_seconds_bucket{le=\"0.0005\"} 0",
            "liverline_classify_seconds_bucket{le=\"0.001\"} 1",
            "liverline_classify_seconds_bucket{le=\"+Inf\"} 1",
            "liverline_bot_api_errors_total{kind=\"network \\\"x\\\"\"} 1",
            "liverline_content_version 3",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        assert_eq!(m.today("2026-01-01")[0], ("answer", 1));
        assert_eq!(m.today("2026-01-02")[0], ("answer", 0));
    }
}
