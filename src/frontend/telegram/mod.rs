//! The Telegram front-end: `liverline telegram`. It checks the token
//! (getMe), publishes the command menu (setMyCommands), then takes updates
//! by long polling (`polling`) or from a webhook (`webhook`) into the
//! `intake`: flood control and duplicates are settled on arrival, and each
//! chat's updates wait in that chat's own queue, answered in order by the
//! handler tree in `schema`, different chats concurrently, so no burst in
//! one chat delays another. On the shutdown signal it stops taking updates,
//! finishes those taken within a grace period and exits; an update is
//! acknowledged (polling's offset, the webhook's 200) only once finished,
//! so a killed process loses none.
//!
//! `/healthz` and `/metrics` share the webhook's listener, or
//! `Options::http` in polling mode. SIGHUP reloads the content
//! (`admin::reload`).
//!
//! Modules: `admin` (/reload, /stats), `http` (health, metrics), `route`
//! (who is addressed, commands), `handlers`, `keyboards`, `codec` (callback
//! data), `html` (the reply as Telegram HTML, in parts under the limit),
//! `split` (cutting text under a limit), `memory` (each chat's session),
//! `outbox` (the Bot API calls, paced and retried).

mod admin;
mod codec;
mod handlers;
mod html;
mod http;
mod inline;
mod intake;
mod keyboards;
mod memory;
mod outbox;
mod polling;
mod route;
mod schema;
mod split;
mod webhook;

pub use html::{LIMIT, escape, parts, well_formed};
pub use schema::Command;
pub use schema::schema;

use crate::ops::Ops;
use anyhow::{Context, bail};
use intake::Intake;
use memory::Memory;
use outbox::{Outbox, error_kind};
use secrecy::{ExposeSecret, SecretString};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, Me};
use teloxide::{ApiError, RequestError};

/// How the bot runs.
#[derive(Debug)]
pub struct Options {
    /// Pace outgoing messages with teloxide's Throttle (Telegram's limits).
    pub throttle: bool,
    /// How long one getUpdates call waits for updates. It must stay under
    /// the HTTP client's 17 s timeout.
    pub poll_timeout: Duration,
    /// Webhook mode instead of long polling.
    pub webhook: Option<Webhook>,
    /// Polling mode: where to serve `/healthz` and `/metrics`.
    pub http: Option<std::net::TcpListener>,
    /// On shutdown, how long the updates already taken may take to finish.
    pub shutdown_grace: Duration,
}

/// Default shutdown grace: a reply waits out a flood-control pause of a
/// few seconds, well inside systemd's 90 s before it kills.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Webhook mode: Telegram posts updates to `url`, which a reverse proxy
/// forwards to `listener` (bound by the caller).
#[derive(Debug)]
pub struct Webhook {
    pub url: url::Url,
    /// Telegram echoes it in `X-Telegram-Bot-Api-Secret-Token`.
    pub secret_token: SecretString,
    pub listener: std::net::TcpListener,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            throttle: true,
            poll_timeout: Duration::from_secs(10),
            webhook: None,
            http: None,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
        }
    }
}

/// A `Bot` for `token`, talking to `api_url` (a self-hosted or test Bot API
/// server) or to Telegram. Never `Debug`-print the result: it shows the token.
pub fn bot(token: &SecretString, api_url: Option<&str>) -> anyhow::Result<Bot> {
    let bot = Bot::new(token.expose_secret());
    let Some(raw) = api_url else { return Ok(bot) };
    // Shown without anything before an `@`: it may be user:password.
    let shown = raw.rsplit_once('@').map_or(raw, |(_, host)| host);
    let invalid =
        || format!("invalid Bot API URL {shown:?} (TELOXIDE_API_URL or telegram.api_url)");
    // A trailing slash would put an empty segment before `bot<token>/`.
    let url: url::Url = raw
        .trim()
        .trim_end_matches('/')
        .parse()
        .with_context(invalid)?;
    if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
        bail!("{}: it must be an http:// or https:// address", invalid());
    }
    Ok(bot.set_api_url(url))
}

/// The update kinds the handler tree handles, asked of Telegram (by
/// getUpdates and setWebhook) so nothing else is sent.
pub const ALLOWED_UPDATES: [AllowedUpdate; 4] = [
    AllowedUpdate::Message,
    AllowedUpdate::EditedMessage,
    AllowedUpdate::CallbackQuery,
    AllowedUpdate::InlineQuery,
];

/// Runs the bot until `shutdown` completes, then stops taking updates and
/// finishes those taken within `Options::shutdown_grace`. Errors (a
/// rejected token, an unreachable server) are one line, without the token.
pub async fn run(
    bot: Bot,
    ops: Arc<Ops>,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let me = check_token(&bot).await?;
    tracing::info!(
        bot = me.username(),
        throttle = options.throttle,
        webhook = options.webhook.is_some(),
        "connected to the Bot API"
    );
    let out = Outbox::new(bot.clone(), options.throttle, ops.metrics.clone());
    if let Err(e) = out.set_commands(schema::menu()).await {
        // The menu is a convenience; the bot works without it.
        tracing::warn!(error = error_kind(&e), "could not set the command menu");
    }
    let framing = ops.live.engine().content().framing.clone();
    if let Err(e) = out
        .set_descriptions(&framing.description, &framing.short_description)
        .await
    {
        // Also a convenience: the chat works without it.
        tracing::warn!(
            error = error_kind(&e),
            "could not set the bot's description"
        );
    }
    let deps = dptree::deps![
        ops.clone(),
        out,
        Arc::new(Memory::new(ops.store.clone())),
        me.clone(),
        bot.clone()
    ];
    let sole = options.webhook.is_none();
    let intake = Intake::new(ops.clone(), me, deps, sole);
    let reloader = tokio::spawn(reload_on_sighup(ops.clone()));
    let grace = options.shutdown_grace;
    let result = match options.webhook {
        Some(hook) => webhook(bot, hook, intake, &ops, grace, shutdown).await,
        None => {
            let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
            let server = options
                .http
                .map(|l| {
                    http::serve(l, http::routes(ops.clone()), async {
                        let _ = http_stopped.await;
                    })
                })
                .transpose()?;
            let timeout = options.poll_timeout;
            polling::poll(bot, intake, ops.clone(), timeout, grace, shutdown).await;
            let _ = stop_http.send(());
            if let Some(server) = server {
                let _ = tokio::time::timeout(HTTP_CLOSE, server).await;
            }
            Ok(())
        }
    };
    reloader.abort();
    if let Some(a) = &ops.analytics {
        a.close();
    }
    result?;
    tracing::info!("stopped");
    Ok(())
}

/// How long the HTTP listener may take to finish its last requests once
/// the updates are done with.
const HTTP_CLOSE: Duration = Duration::from_secs(2);

/// Registers the webhook (setWebhook with the secret and the update kinds)
/// and serves it with `/healthz` and `/metrics` on one listener until
/// `shutdown`; then answers 503 to new updates, finishes those taken
/// within `grace`, and closes the listener.
async fn webhook(
    bot: Bot,
    hook: Webhook,
    intake: Arc<Intake>,
    ops: &Arc<Ops>,
    grace: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = webhook::routes(hook.url.path(), hook.secret_token.clone(), intake.clone())
        .merge(http::routes(ops.clone()));
    let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = http::serve(hook.listener, app, async {
        let _ = http_stopped.await;
    })?;
    webhook::register(&bot, hook.url, &hook.secret_token).await?;
    ops.set_serving(true);
    shutdown.await;
    tracing::info!("shutting down: finishing replies in flight");
    ops.set_serving(false);
    intake.close();
    let left = intake.drain(grace).await;
    if left > 0 {
        tracing::warn!(
            left,
            "shutdown grace over: unfinished updates are left to Telegram to resend"
        );
    }
    let _ = stop_http.send(());
    let _ = tokio::time::timeout(HTTP_CLOSE, server).await;
    Ok(())
}

/// SIGHUP (`systemctl reload`) reloads the content folder.
async fn reload_on_sighup(ops: Arc<Ops>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            return;
        };
        while hup.recv().await.is_some() {
            admin::reload(ops.clone(), "SIGHUP").await;
        }
    }
    #[cfg(not(unix))]
    drop(ops);
}

/// Resolves on Ctrl-C or SIGTERM (what `systemctl stop` and `docker stop`
/// send).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

async fn check_token(bot: &Bot) -> anyhow::Result<Me> {
    match bot.get_me().await {
        Ok(me) if me.user.username.is_some() => Ok(me),
        Ok(_) => bail!("the Bot API answered getMe without a bot username"),
        Err(RequestError::Api(ApiError::InvalidToken)) => {
            bail!("Telegram rejected the bot token; check TELOXIDE_TOKEN or telegram.token")
        }
        Err(e) => {
            // The address, without any credentials it may carry.
            let mut at = bot.api_url();
            let _ = at.set_password(None);
            let _ = at.set_username("");
            bail!("cannot use the Bot API at {at}: {}", error_kind(&e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_url_is_checked_and_the_token_kept_out_of_errors() {
        let token = SecretString::from("123:SECRET");
        let cases = [
            (
                Some("http://127.0.0.1:8081"),
                Some("http://127.0.0.1:8081/"),
            ),
            (
                Some("https://example.com/tg/"),
                Some("https://example.com/tg"),
            ),
            (None, Some("https://api.telegram.org/")),
            (Some("127.0.0.1:8081"), None),
            (Some("ftp://example.com"), None),
            (Some("not a url"), None),
            (Some("ftp://user:pw@example.com"), None),
            (Some("user:pw@127.0.0.1:8081"), None),
        ];
        for (raw, want) in cases {
            match (bot(&token, raw), want) {
                (Ok(b), Some(w)) => assert_eq!(b.api_url().as_str(), w),
                (Err(e), None) => {
                    let e = format!("{e:#}");
                    assert!(
                        !e.contains("SECRET") && !e.contains("pw") && !e.contains('\n'),
                        "{e}"
                    );
                }
                (Ok(b), None) => panic!("{raw:?} accepted as {}", b.api_url()),
                (Err(e), Some(_)) => panic!("{raw:?} refused: {e:#}"),
            }
        }
    }
}
