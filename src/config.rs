//! Configuration: a TOML file read raw (serde, unknown keys rejected), then
//! validated into `Config` with named defaults. The token is a secret: its
//! `Debug` never shows it.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Telegram's own Bot API server.
pub const DEFAULT_API_URL: &str = "https://api.telegram.org";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    content: RawContent,
    #[serde(default)]
    telegram: RawTelegram,
    #[serde(default)]
    log: RawLog,
    #[serde(default)]
    webhook: RawWebhook,
    #[serde(default)]
    http: RawHttp,
    #[serde(default)]
    admin: RawAdmin,
    #[serde(default)]
    flood: RawFlood,
    #[serde(default)]
    analytics: RawAnalytics,
    #[serde(default)]
    web: RawWeb,
    #[serde(default)]
    redis: RawRedis,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRedis {
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeb {
    listen: Option<String>,
    on_bot_listener: Option<bool>,
    per_second: Option<u32>,
    burst: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhook {
    url: Option<String>,
    listen: Option<String>,
    secret_token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    listen: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdmin {
    #[serde(default)]
    user_ids: Vec<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlood {
    per_minute: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnalytics {
    enabled: Option<bool>,
    path: Option<PathBuf>,
    keep_unanswered_text: Option<bool>,
    retention_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContent {
    dir: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTelegram {
    token: Option<String>,
    api_url: Option<String>,
    throttle: Option<bool>,
    shutdown_grace: Option<u64>,
    unhealthy_after: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLog {
    level: Option<String>,
}

/// Ready configuration.
#[derive(Debug)]
pub struct Config {
    /// A content folder other than the embedded default.
    pub content_dir: Option<PathBuf>,
    pub token: Option<SecretString>,
    pub api_url: Option<String>,
    /// Whether outgoing Telegram messages go through teloxide's Throttle
    /// (Telegram's send limits). Off only for load tests against a fake API.
    pub throttle: bool,
    /// tracing filter, e.g. "info" or "liverline=debug".
    pub log_level: String,
    /// Webhook mode instead of long polling.
    pub webhook: Option<Webhook>,
    /// Where /healthz and /metrics are served in polling mode.
    pub http_listen: Option<SocketAddr>,
    /// Telegram user ids allowed /reload and /stats.
    pub admins: Vec<u64>,
    /// Messages a user may send in a minute before being asked to slow down.
    pub flood_per_minute: u32,
    /// The editors' report database; `None` when analytics are off.
    pub analytics: Option<Analytics>,
    /// The database `liverline report` reads (`analytics.path`, on or off).
    pub analytics_path: PathBuf,
    /// `[web]`: the staff quick reference.
    pub web: Web,
    /// On SIGTERM, how long the updates already taken may take to finish.
    pub shutdown_grace: Duration,
    /// How long getUpdates may keep failing before `/healthz` fails.
    pub unhealthy_after: Duration,
    /// `[redis] url`: the state replicas share (it may hold a password).
    pub redis_url: Option<SecretString>,
}

/// Default `[telegram] shutdown_grace`, seconds: well under systemd's 90 s.
pub const DEFAULT_SHUTDOWN_GRACE_SECS: u64 = 20;
/// Default `[telegram] unhealthy_after`, seconds.
pub const DEFAULT_UNHEALTHY_AFTER_SECS: u64 = 60;

/// `[web]`: where `liverline web` listens, whether the bot's HTTP listener
/// serves the page too, and the request rate allowed per client address.
#[derive(Debug, Clone)]
pub struct Web {
    pub listen: SocketAddr,
    pub on_bot_listener: bool,
    pub limits: WebLimits,
}

/// Requests per second allowed to one client address, with a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebLimits {
    pub per_second: u32,
    pub burst: u32,
}

/// Loopback by default: a quick reference for staff is not for the internet.
pub const DEFAULT_WEB_LISTEN: &str = "127.0.0.1:8080";

impl Default for WebLimits {
    /// Typing sends a request per pause (the page waits 80 ms), so one
    /// person makes at most about 12 a second; 30 with a burst of 60 leaves
    /// room for a few people behind one address and stops a runaway script.
    fn default() -> Self {
        WebLimits {
            per_second: 30,
            burst: 60,
        }
    }
}

/// `[webhook]`: Telegram calls `url`; the bot listens on `listen`.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: url::Url,
    pub listen: SocketAddr,
    /// Telegram sends it back in `X-Telegram-Bot-Api-Secret-Token`.
    pub secret_token: SecretString,
}

/// `[analytics]`, when enabled.
#[derive(Debug, Clone)]
pub struct Analytics {
    pub path: PathBuf,
    /// Keep the text of fallback and clarify questions (never with a user).
    pub keep_unanswered_text: bool,
    pub retention_days: u32,
}

/// Default inbound limit per user: a person typing fast sends a few
/// messages a minute; 20 is a script or a stuck key.
pub const DEFAULT_FLOOD_PER_MINUTE: u32 = 20;
/// Default days unanswered question texts are kept.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
/// Default analytics database file.
pub const DEFAULT_ANALYTICS_PATH: &str = "liverline-analytics.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: String,
        line: usize,
        message: String,
    },
}

impl Config {
    /// Reads a config file (or none: the defaults), then applies the
    /// environment: `TELOXIDE_TOKEN`, `TELOXIDE_API_URL`.
    pub fn load(
        path: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let (raw, text) = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.display().to_string(),
                    source,
                })?;
                let raw = parse(&text).map_err(|(line, message)| ConfigError::Invalid {
                    path: p.display().to_string(),
                    line,
                    message,
                })?;
                (raw, text)
            }
            None => (RawConfig::default(), String::new()),
        };
        let invalid = |key: &str, message: String| ConfigError::Invalid {
            path: path.map(|p| p.display().to_string()).unwrap_or_default(),
            line: line_of(&text, key),
            message,
        };
        let webhook = webhook(raw.webhook).map_err(|(k, m)| invalid(k, m))?;
        let http_listen = raw
            .http
            .listen
            .map(|a| address(&a))
            .transpose()
            .map_err(|m| invalid("listen", m))?;
        let web = web(raw.web).map_err(|(k, m)| invalid(k, m))?;
        let flood_per_minute = raw.flood.per_minute.unwrap_or(DEFAULT_FLOOD_PER_MINUTE);
        if flood_per_minute == 0 {
            return Err(invalid(
                "per_minute",
                "flood.per_minute must be at least 1".into(),
            ));
        }
        let a = raw.analytics;
        let analytics_path = a.path.unwrap_or_else(|| DEFAULT_ANALYTICS_PATH.into());
        let analytics = a.enabled.unwrap_or(false).then(|| Analytics {
            path: analytics_path.clone(),
            keep_unanswered_text: a.keep_unanswered_text.unwrap_or(false),
            retention_days: a.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS),
        });
        let token = env("TELOXIDE_TOKEN")
            .or(raw.telegram.token)
            .filter(|t| !t.trim().is_empty());
        let api_url = env("TELOXIDE_API_URL")
            .or(raw.telegram.api_url)
            .filter(|u| !u.trim().is_empty());
        let secs = |v: Option<u64>, default: u64, key: &str| match v.unwrap_or(default) {
            0 => Err(invalid(
                key,
                format!("telegram.{key} must be at least 1 (seconds)"),
            )),
            n => Ok(Duration::from_secs(n)),
        };
        let shutdown_grace = secs(
            raw.telegram.shutdown_grace,
            DEFAULT_SHUTDOWN_GRACE_SECS,
            "shutdown_grace",
        )?;
        let unhealthy_after = secs(
            raw.telegram.unhealthy_after,
            DEFAULT_UNHEALTHY_AFTER_SECS,
            "unhealthy_after",
        )?;
        let redis_url = match raw.redis.url {
            None => None,
            Some(u) if u.starts_with("redis://") => Some(SecretString::from(u)),
            // The value is not quoted back: it may carry a password.
            Some(_) => {
                return Err(invalid(
                    "url = \"",
                    "redis.url must be a redis:// address".into(),
                ));
            }
        };
        Ok(Config {
            content_dir: raw.content.dir,
            token: token.map(SecretString::from),
            api_url,
            throttle: raw.telegram.throttle.unwrap_or(true),
            log_level: raw.log.level.unwrap_or_else(|| "info".into()),
            webhook,
            http_listen,
            admins: raw.admin.user_ids,
            flood_per_minute,
            analytics,
            analytics_path,
            web,
            shutdown_grace,
            unhealthy_after,
            redis_url,
        })
    }

    pub fn has_token(&self) -> bool {
        self.token
            .as_ref()
            .is_some_and(|t| !t.expose_secret().is_empty())
    }
}

/// `[webhook]`: all three keys or none; errors name the key at fault.
fn webhook(raw: RawWebhook) -> Result<Option<Webhook>, (&'static str, String)> {
    let (url, listen, secret) = match (raw.url, raw.listen, raw.secret_token) {
        (None, None, None) => return Ok(None),
        (Some(u), Some(l), Some(s)) => (u, l, s),
        _ => {
            return Err((
                "[webhook]",
                "webhook needs url, listen and secret_token together".into(),
            ));
        }
    };
    let url: url::Url = url
        .parse()
        .map_err(|e| ("url", format!("webhook.url: {e}")))?;
    // Telegram calls only https:// webhooks; plain http is allowed for a
    // self-hosted Bot API server on the same machine.
    if url.scheme() != "https" && url.host_str() != Some("127.0.0.1") {
        return Err(("url", "webhook.url must be an https:// address".into()));
    }
    // Telegram's rule for secret tokens (teloxide panics on any other).
    let ok = (1..=256).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !ok {
        return Err((
            "secret_token",
            "webhook.secret_token must be 1-256 of A-Z, a-z, 0-9, _ and -".into(),
        ));
    }
    Ok(Some(Webhook {
        url,
        listen: address(&listen).map_err(|m| ("listen", m))?,
        secret_token: SecretString::from(secret),
    }))
}

/// `[web]`: defaults for what is not set; rates of at least 1.
fn web(raw: RawWeb) -> Result<Web, (&'static str, String)> {
    let listen =
        address(raw.listen.as_deref().unwrap_or(DEFAULT_WEB_LISTEN)).map_err(|m| ("listen", m))?;
    let default = WebLimits::default();
    let per_second = raw.per_second.unwrap_or(default.per_second);
    let burst = raw.burst.unwrap_or(default.burst);
    if per_second == 0 || burst == 0 {
        return Err((
            if per_second == 0 {
                "per_second"
            } else {
                "burst"
            },
            "web.per_second and web.burst must be at least 1".into(),
        ));
    }
    Ok(Web {
        listen,
        on_bot_listener: raw.on_bot_listener.unwrap_or(false),
        limits: WebLimits { per_second, burst },
    })
}

fn address(text: &str) -> Result<SocketAddr, String> {
    text.parse()
        .map_err(|_| format!("{text:?} is not an address:port such as 127.0.0.1:8080"))
}

/// The line a key is set on, for messages about values (1 if not found).
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().starts_with(key))
        .map_or(1, |i| i + 1)
}

fn parse(text: &str) -> Result<RawConfig, (usize, String)> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start].matches('\n').count() + 1)
            .unwrap_or(1);
        (line, e.message().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_parses() {
        let text = include_str!("../config.example.toml");
        let uncommented: String = text
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| r.contains(" = ") || r.starts_with('['))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        parse(text).expect("as shipped");
        parse(&uncommented).expect("with every key set");
        // Every value shown is also valid, not only well-typed.
        let cfg = load_text(&uncommented).expect("every documented value is valid");
        assert!(cfg.webhook.is_some() && cfg.http_listen.is_some() && cfg.admins.len() == 1);
    }

    #[test]
    fn unknown_keys_are_rejected_with_a_line() {
        let err = parse("[telegram]\ntokn = \"x\"\n").unwrap_err();
        assert_eq!(err.0, 2);
        assert!(err.1.contains("tokn"), "{}", err.1);
    }

    #[test]
    fn the_environment_overrides_and_the_token_never_prints() {
        let cfg = Config::load(None, |k| {
            (k == "TELOXIDE_TOKEN").then(|| "123:SECRET".to_string())
        })
        .unwrap();
        assert!(cfg.has_token());
        assert!(!format!("{cfg:?}").contains("SECRET"));
    }

    fn load_text(text: &str) -> Result<Config, ConfigError> {
        let dir = std::env::temp_dir().join(format!("liverline-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!(
            "{:x}.toml",
            text.len() * 31 + text.bytes().map(usize::from).sum::<usize>()
        ));
        std::fs::write(&path, text).unwrap();
        Config::load(Some(&path), |_| None)
    }

    #[test]
    fn operations_keys_have_defaults_and_are_validated() {
        let cfg = load_text("").unwrap();
        assert!(cfg.webhook.is_none() && cfg.http_listen.is_none() && cfg.analytics.is_none());
        assert_eq!(cfg.flood_per_minute, DEFAULT_FLOOD_PER_MINUTE);
        let cfg = load_text("[analytics]\nenabled = true\n[admin]\nuser_ids = [7]\n").unwrap();
        let a = cfg.analytics.unwrap();
        assert!(!a.keep_unanswered_text);
        assert_eq!(a.retention_days, DEFAULT_RETENTION_DAYS);
        assert_eq!(cfg.admins, [7]);
        let hook = "[webhook]\nurl = \"https://bot.example.org/tg\"\nlisten = \"127.0.0.1:8443\"\nsecret_token = \"s3cr3t_XYZ\"\n";
        let cfg = load_text(hook).unwrap();
        assert!(
            !format!("{cfg:?}").contains("s3cr3t"),
            "the secret never prints"
        );
        for (bad, line) in [
            ("[webhook]\nurl = \"https://x.org\"\n", 1),
            (&hook.replace("s3cr3t_XYZ", "bad secret!") as &str, 4),
            (&hook.replace("https", "http"), 2),
            ("[http]\nlisten = \"8080\"\n", 2),
            ("[flood]\nper_minute = 0\n", 2),
            ("[telegram]\nshutdown_grace = 0\n", 2),
            ("[redis]\nurl = \"http://u:pw@x\"\n", 2),
        ] {
            match load_text(bad) {
                Err(ConfigError::Invalid { line: l, .. }) => assert_eq!(l, line, "{bad}"),
                other => panic!("{bad} gave {other:?}"),
            }
        }
    }
}
