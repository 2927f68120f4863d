//! Webhook mode: Telegram posts each update to our URL and re-sends it
//! until it gets a 200. The 200 is given only once the update is finished
//! (answered, or dropped by flood control, or recognised as already
//! taken), so an update a killed process never answered comes again.
//! The secret header is checked before the body is read; shutting down,
//! the route answers 503 (Telegram retries: another replica, or this one
//! after its restart, takes the update).
//!
//! Registration (`setWebhook`, with the update kinds the bot handles) is
//! left in place on shutdown: with replicas behind a load balancer, the
//! others go on receiving.

use super::intake::{Intake, Taken};
use super::{ALLOWED_UPDATES, error_kind};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use teloxide::payloads::SetWebhookSetters;
use teloxide::prelude::*;
use teloxide::types::{Update, UpdateKind};

/// The header Telegram echoes the registered secret in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// The largest update body read. Telegram's updates are a few kilobytes
/// (a 4096-character message with its entities and a reply).
pub const MAX_BODY: usize = 256 * 1024;

struct Hook {
    secret: SecretString,
    intake: Arc<Intake>,
}

/// Registers the webhook at `url` with `secret`.
pub async fn register(bot: &Bot, url: url::Url, secret: &SecretString) -> anyhow::Result<()> {
    bot.set_webhook(url)
        .secret_token(secret.expose_secret().to_string())
        .allowed_updates(ALLOWED_UPDATES)
        .await
        .map_err(|e| anyhow::anyhow!("cannot set the webhook: {}", error_kind(&e)))?;
    Ok(())
}

/// The webhook route at `path`.
pub fn routes(path: &str, secret: SecretString, intake: Arc<Intake>) -> Router {
    let path = if path.is_empty() { "/" } else { path };
    Router::new()
        .route(path, post(receive))
        .with_state(Arc::new(Hook { secret, intake }))
}

async fn receive(State(hook): State<Arc<Hook>>, headers: HeaderMap, body: Body) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !same(given, hook.secret.expose_secret().as_bytes()) {
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE;
    };
    let update: Update = match serde_json::from_slice(&bytes) {
        Ok(u) => u,
        Err(_) => {
            tracing::warn!("refused a webhook request: not an update");
            return StatusCode::BAD_REQUEST;
        }
    };
    if matches!(update.kind, UpdateKind::Error(_)) {
        // A kind this teloxide cannot read: resending will not help.
        tracing::warn!(
            update = update.id.0,
            "an update of an unknown kind; ignored"
        );
        return StatusCode::OK;
    }
    match hook.intake.take(update).await {
        Taken::Finished => StatusCode::OK,
        Taken::Queued(done) => match done.await {
            Ok(()) => StatusCode::OK,
            Err(_) => StatusCode::SERVICE_UNAVAILABLE,
        },
        Taken::Closed | Taken::Elsewhere => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Compares without stopping at the first difference, so the time taken
/// does not tell an attacker how much of a guess was right.
fn same(given: &[u8], want: &[u8]) -> bool {
    given.len() == want.len() && given.iter().zip(want).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_compare_whole() {
        for (given, want, ok) in [
            ("abc", "abc", true),
            ("abd", "abc", false),
            ("ab", "abc", false),
            ("", "abc", false),
            ("abcd", "abc", false),
        ] {
            assert_eq!(super::same(given.as_bytes(), want.as_bytes()), ok);
        }
    }
}
