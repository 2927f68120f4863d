//! Configuration: a TOML file read raw (serde, unknown keys rejected), then
//! validated into `Config` with named defaults. The token is a secret: its
//! `Debug` never shows it.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::path::{Path, PathBuf};

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
}

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
        let raw = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.display().to_string(),
                    source,
                })?;
                parse(&text).map_err(|(line, message)| ConfigError::Invalid {
                    path: p.display().to_string(),
                    line,
                    message,
                })?
            }
            None => RawConfig::default(),
        };
        let token = env("TELOXIDE_TOKEN")
            .or(raw.telegram.token)
            .filter(|t| !t.trim().is_empty());
        let api_url = env("TELOXIDE_API_URL")
            .or(raw.telegram.api_url)
            .filter(|u| !u.trim().is_empty());
        Ok(Config {
            content_dir: raw.content.dir,
            token: token.map(SecretString::from),
            api_url,
            throttle: raw.telegram.throttle.unwrap_or(true),
            log_level: raw.log.level.unwrap_or_else(|| "info".into()),
        })
    }

    pub fn has_token(&self) -> bool {
        self.token
            .as_ref()
            .is_some_and(|t| !t.expose_secret().is_empty())
    }
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
}
