//! The Telegram front-end: `liverline telegram`. It checks the token
//! (getMe), publishes the command menu (setMyCommands), long-polls for
//! updates and dispatches them through the handler tree in `schema`, one
//! chat's updates in order, different chats concurrently, until the
//! shutdown signal; then it stops polling, lets in-flight replies finish and
//! acknowledges what it has handled, so a restart neither loses nor repeats
//! an update.
//!
//! With `Options::webhook`, Telegram pushes updates to teloxide's axum
//! webhook route instead (requests without the secret header get 401);
//! `/healthz` and `/metrics` share that listener, or `Options::http` in
//! polling mode. SIGHUP reloads the content (`admin::reload`).
//!
//! Modules: `admin` (/reload, /stats), `http` (health, metrics), `route` (who is addressed, commands), `handlers`, `keyboards`,
//! `codec` (callback data), `html` (parts under the limit), `memory` (each
//! chat's last topic), `outbox` (the Bot API calls, paced and retried).

mod admin;
mod codec;
mod handlers;
mod html;
mod http;
mod inline;
mod keyboards;
mod memory;
mod outbox;
mod route;
mod schema;

pub use html::parts;
pub use schema::Command;
pub use schema::schema;

use crate::ops::Ops;
use anyhow::{Context, bail};
use memory::Memory;
use outbox::{Outbox, error_kind};
use secrecy::{ExposeSecret, SecretString};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use teloxide::prelude::*;
use teloxide::types::Me;
use teloxide::update_listeners::{Polling, UpdateListener, webhooks};
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
}

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
        }
    }
}

/// A `Bot` for `token`, talking to `api_url` (a self-hosted or test Bot API
/// server) or to Telegram. Never `Debug`-print the result: it shows the token.
pub fn bot(token: &SecretString, api_url: Option<&str>) -> anyhow::Result<Bot> {
    let bot = Bot::new(token.expose_secret());
    let Some(raw) = api_url else { return Ok(bot) };
    let invalid = || format!("invalid Bot API URL {raw:?} (TELOXIDE_API_URL or telegram.api_url)");
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

/// Runs the bot until `shutdown` completes. Errors (a rejected token, an
/// unreachable server) are one line, without the token.
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
    let metrics = ops.metrics.clone();
    let mut dispatcher = Dispatcher::builder(bot.clone(), schema::schema())
        .dependencies(dptree::deps![ops.clone(), out, Arc::new(Memory::default())])
        .default_handler(move |update| {
            let kind = schema::update_kind(&update.kind);
            // Messages were counted before routing declined them.
            if kind != "message" {
                metrics.update(kind);
            }
            async move { tracing::debug!(update = kind, "not for the bot; ignored") }
        })
        .error_handler(Arc::new(|e: anyhow::Error| async move {
            let kind = e
                .downcast_ref::<RequestError>()
                .map_or_else(|| "internal error".to_string(), error_kind);
            tracing::error!(error = kind, "could not answer an update");
        }))
        // One queue per chat (in order); updates without a chat (inline
        // queries) queue per user rather than all in one line.
        .distribution_function(|u: &Update| {
            u.chat()
                .map(|c| c.id.0)
                .or_else(|| u.from().map(|f| f.id.0 as i64))
        })
        .build();
    let reloader = tokio::spawn(reload_on_sighup(ops.clone()));
    let result = match options.webhook {
        Some(hook) => webhook(&mut dispatcher, bot, hook, &ops, shutdown).await,
        None => {
            let timeout = options.poll_timeout;
            polling(&mut dispatcher, bot, timeout, options.http, &ops, shutdown).await
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

/// The dispatcher, its queues keyed by chat (or user) id.
type Bots = Dispatcher<Bot, anyhow::Error, i64>;

async fn polling(
    dispatcher: &mut Bots,
    bot: Bot,
    poll_timeout: Duration,
    http: Option<std::net::TcpListener>,
    ops: &Arc<Ops>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = http
        .map(|l| {
            http::serve(l, http::routes(ops.clone()), async {
                let _ = http_stopped.await;
            })
        })
        .transpose()?;
    let listener = Polling::builder(bot)
        .timeout(poll_timeout)
        .backoff_strategy(poll_backoff)
        .delete_webhook()
        .await
        .build();
    let metrics = ops.metrics.clone();
    let on_poll_error = Arc::new(move |e: RequestError| {
        metrics.api_error(outbox::metric_kind(&e));
        async move {
            match e {
                RequestError::Api(ApiError::TerminatedByOtherGetUpdates) => tracing::error!(
                    "another instance of this bot is polling; stop it (Telegram allows one)"
                ),
                e => tracing::warn!(error = error_kind(&e), "getUpdates failed; retrying"),
            }
        }
    });
    let result = dispatch(dispatcher, listener, on_poll_error, ops, shutdown).await;
    let _ = stop_http.send(());
    if let Some(server) = server {
        let _ = server.await;
    }
    result.map_err(|e| anyhow::anyhow!("cannot start dispatching: {}", error_kind(&e)))
}

/// Registers the webhook (setWebhook with the secret), serves it with
/// `/healthz` and `/metrics` on one listener; on shutdown teloxide deletes
/// the webhook and the server finishes its requests.
async fn webhook(
    dispatcher: &mut Bots,
    bot: Bot,
    hook: Webhook,
    ops: &Arc<Ops>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let address = hook.listener.local_addr()?;
    let options = webhooks::Options::new(address, hook.url)
        .secret_token(hook.secret_token.expose_secret().to_string());
    let (listener, stopped, router) = webhooks::axum_to_router(bot, options)
        .await
        .map_err(|e| anyhow::anyhow!("cannot set the webhook: {}", error_kind(&e)))?;
    let app = router.merge(http::routes(ops.clone()));
    let server = http::serve(hook.listener, app, stopped)?;
    let on_error = Arc::new(|e: std::convert::Infallible| async move { match e {} });
    let result = dispatch(dispatcher, listener, on_error, ops, shutdown).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
    result.map_err(|e| anyhow::anyhow!("cannot start dispatching: {}", error_kind(&e)))
}

/// Dispatches until `shutdown`; `/healthz` says ok meanwhile.
async fn dispatch<L, H>(
    dispatcher: &mut Bots,
    mut listener: L,
    on_error: Arc<H>,
    ops: &Ops,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RequestError>
where
    L: UpdateListener + Send,
    L::Err: std::fmt::Debug,
    H: teloxide::error_handlers::ErrorHandler<L::Err> + Send + Sync,
{
    let stop_listening = listener.stop_token();
    let token = dispatcher.shutdown_token();
    let stopper = tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing replies in flight");
        // Idle means the dispatcher has not started yet: wait for it.
        while token.shutdown().is_err() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // teloxide's shutdown notice wakes the dispatcher only if it is
        // waiting at that instant; busy with an update, it misses it and
        // polls on forever. Stopping the listener too always ends its loop
        // (a final getUpdates acknowledges what was handled).
        stop_listening.stop();
    });
    ops.set_serving(true);
    let result = dispatcher
        .try_dispatch_with_listener(listener, on_error)
        .await;
    ops.set_serving(false);
    stopper.abort();
    result
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

/// Pause before polling again after a failed getUpdates: 0.5 s doubling to
/// 30 s (teloxide's default starts at 1 s and reaches 64 s).
fn poll_backoff(errors: u32) -> Duration {
    (Duration::from_millis(500) * 2u32.pow(errors.min(6))).min(Duration::from_secs(30))
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
        ];
        for (raw, want) in cases {
            match (bot(&token, raw), want) {
                (Ok(b), Some(w)) => assert_eq!(b.api_url().as_str(), w),
                (Err(e), None) => assert!(
                    !format!("{e:#}").contains("SECRET") && !format!("{e:#}").contains('\n')
                ),
                (Ok(b), None) => panic!("{raw:?} accepted as {}", b.api_url()),
                (Err(e), Some(_)) => panic!("{raw:?} refused: {e:#}"),
            }
        }
    }

    #[test]
    fn polling_backs_off_quickly_then_caps() {
        let got: Vec<u64> = [0, 1, 2, 6, 40]
            .iter()
            .map(|&n| poll_backoff(n).as_millis() as u64)
            .collect();
        assert_eq!(got, [500, 1000, 2000, 30_000, 30_000]);
    }
}
