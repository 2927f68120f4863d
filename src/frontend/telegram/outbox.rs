//! Everything the bot sends to Telegram goes through here: the few Bot API
//! methods it uses, paced by teloxide's Throttle (or not, for load tests),
//! retried on flood control (429 `retry_after`), server errors and network
//! failures by one policy, `retry` (Throttle's own retrying is off, so a
//! 429 is counted and waited for once, here). Errors are described by kind only: never a message text, never
//! a URL (it carries the token).

use crate::ops::metrics::Metrics;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::{Limits, Settings};
use teloxide::payloads::{
    AnswerCallbackQuerySetters, AnswerInlineQuerySetters, EditMessageTextSetters,
    SendMessageSetters,
};
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, CallbackQueryId, InlineKeyboardMarkup, InlineQueryId, InlineQueryResult, MessageId,
    ParseMode, ReplyParameters,
};
use teloxide::{ApiError, RequestError};

/// Telegram's limits (core.telegram.org/bots/faq): about 30 messages a
/// second overall, 1 a second in one chat, 20 a minute in one group.
/// teloxide's default allows a supergroup only 10 a minute; a busy support
/// group asks more than that.
const LIMITS: Limits = Limits {
    messages_per_sec_chat: 1,
    messages_per_min_chat: 20,
    messages_per_min_channel_or_supergroup: 20,
    messages_per_sec_overall: 30,
};
/// Attempts per call before giving up (the first one included).
const MAX_ATTEMPTS: u32 = 6;
/// Attempts after a server error (5xx): teloxide has already waited 10 s
/// inside each one, so they are retried at once, and fewer times.
const SERVER_ERROR_ATTEMPTS: u32 = 3;
/// Backoff after a server or network error: 0.5 s, doubling, at most 8 s.
const BACKOFF_BASE: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(8);
/// Longest flood-control pause honoured; Telegram's are seconds to minutes.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(300);
/// How long inline results may be cached by Telegram (content can change
/// on restart, so not the 300 s default).
const INLINE_CACHE_SECS: u32 = 60;

/// The bot seen through Throttle or directly. Deliberately not `Debug`:
/// a `Bot`'s `Debug` prints its token.
#[derive(Clone)]
enum Api {
    Direct(Bot),
    Throttled(Throttle<Bot>),
}

/// Runs `$body` with `$b` bound to whichever bot is in use (the two have
/// different request types, so the body is written once and expanded twice).
macro_rules! with_api {
    ($api:expr, $b:ident => $body:expr) => {
        with_api!($api, $b => (), $body)
    };
    ($api:expr, $b:ident => $t:ty, $body:expr) => {{
        let call: Call<$t> = match $api {
            Api::Direct($b) => Box::pin($body),
            Api::Throttled($b) => Box::pin($body),
        };
        call
    }};
}

/// One attempt at a Bot API call, boxed so both bot types give one type.
type Call<T> = Pin<Box<dyn Future<Output = Result<T, RequestError>> + Send>>;

/// The outgoing side of the bot, cheap to clone (handlers get it injected).
#[derive(Clone)]
pub struct Outbox {
    api: Api,
    /// Every failed attempt is counted here by kind (`/metrics`).
    metrics: Arc<Metrics>,
}

impl Outbox {
    /// With `throttle`, messages are paced to Telegram's limits (this spawns
    /// Throttle's worker task, so it must run inside the tokio runtime).
    pub fn new(bot: Bot, throttle: bool, metrics: Arc<Metrics>) -> Outbox {
        let api = if throttle {
            Api::Throttled(Throttle::spawn_with_settings(
                bot,
                Settings::default().limits(LIMITS).no_retry(),
            ))
        } else {
            Api::Direct(bot)
        };
        Outbox { api, metrics }
    }

    /// Sends HTML parts in order: the first as a reply to `reply_to` (in
    /// groups), the keyboard under the last.
    pub async fn send_html(
        &self,
        chat: ChatId,
        parts: &[String],
        keyboard: Option<InlineKeyboardMarkup>,
        reply_to: Option<MessageId>,
    ) -> Result<(), RequestError> {
        for (n, part) in parts.iter().enumerate() {
            let markup = if n + 1 == parts.len() {
                keyboard.clone()
            } else {
                None
            };
            let reply = if n == 0 { reply_to } else { None };
            retry(&self.metrics, "sendMessage", || {
                with_api!(&self.api, b => {
                    let mut req = b.send_message(chat, part.clone()).parse_mode(ParseMode::Html);
                    if let Some(k) = markup.clone() {
                        req = req.reply_markup(k);
                    }
                    if let Some(id) = reply {
                        req = req.reply_parameters(ReplyParameters::new(id).allow_sending_without_reply());
                    }
                    async move { req.await.map(drop) }
                })
            })
            .await?;
        }
        Ok(())
    }

    /// Sends a plain-text message (the topic menu) with its keyboard; its
    /// id, to edit it later.
    pub async fn send_plain(
        &self,
        chat: ChatId,
        text: &str,
        keyboard: InlineKeyboardMarkup,
    ) -> Result<MessageId, RequestError> {
        retry(&self.metrics, "sendMessage", || {
            with_api!(&self.api, b => MessageId, {
                let req = b.send_message(chat, text).reply_markup(keyboard.clone());
                async move { req.await.map(|m| m.id) }
            })
        })
        .await
    }

    /// Sends a plain-text message without buttons (admin replies).
    pub async fn send_text(&self, chat: ChatId, text: &str) -> Result<(), RequestError> {
        retry(&self.metrics, "sendMessage", || {
            with_api!(&self.api, b => {
                let req = b.send_message(chat, text);
                async move { req.await.map(drop) }
            })
        })
        .await
    }

    /// Replaces a menu message's text and keyboard. The caller has checked
    /// that something changes; a "not modified" answer (a double tap racing
    /// the first edit) is success all the same.
    pub async fn edit_plain(
        &self,
        chat: ChatId,
        id: MessageId,
        text: &str,
        keyboard: InlineKeyboardMarkup,
    ) -> Result<(), RequestError> {
        let result = retry(&self.metrics, "editMessageText", || {
            with_api!(&self.api, b => {
                let req = b.edit_message_text(chat, id, text).reply_markup(keyboard.clone());
                async move { req.await.map(drop) }
            })
        })
        .await;
        match result {
            Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
            other => other,
        }
    }

    /// Replaces an answer message with another page of its section, in
    /// HTML; "not modified" (a double tap) is success.
    pub async fn edit_html(
        &self,
        chat: ChatId,
        id: MessageId,
        html: &str,
        keyboard: Option<InlineKeyboardMarkup>,
    ) -> Result<(), RequestError> {
        let result = retry(&self.metrics, "editMessageText", || {
            with_api!(&self.api, b => {
                let mut req = b.edit_message_text(chat, id, html).parse_mode(ParseMode::Html);
                if let Some(k) = keyboard.clone() {
                    req = req.reply_markup(k);
                }
                async move { req.await.map(drop) }
            })
        })
        .await;
        match result {
            Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
            other => other,
        }
    }

    /// Answers a callback query, with a short notice or silently.
    pub async fn answer_callback(
        &self,
        id: &CallbackQueryId,
        notice: Option<&str>,
    ) -> Result<(), RequestError> {
        retry(&self.metrics, "answerCallbackQuery", || {
            with_api!(&self.api, b => {
                let mut req = b.answer_callback_query(id.clone());
                if let Some(text) = notice {
                    req = req.text(text);
                }
                async move { req.await.map(drop) }
            })
        })
        .await
    }

    pub async fn answer_inline(
        &self,
        id: &InlineQueryId,
        results: Vec<InlineQueryResult>,
    ) -> Result<(), RequestError> {
        retry(&self.metrics, "answerInlineQuery", || {
            with_api!(&self.api, b => {
                let req = b.answer_inline_query(id.clone(), results.clone()).cache_time(INLINE_CACHE_SECS);
                async move { req.await.map(drop) }
            })
        })
        .await
    }

    /// The bot's description (the first screen a new user sees) and its
    /// short description (profile page, shared links).
    pub async fn set_descriptions(&self, long: &str, short: &str) -> Result<(), RequestError> {
        retry(&self.metrics, "setMyDescription", || {
            with_api!(&self.api, b => {
                let req = b.set_my_description().description(long);
                async move { req.await.map(drop) }
            })
        })
        .await?;
        retry(&self.metrics, "setMyShortDescription", || {
            with_api!(&self.api, b => {
                let req = b.set_my_short_description().short_description(short);
                async move { req.await.map(drop) }
            })
        })
        .await
    }

    pub async fn set_commands(&self, commands: Vec<BotCommand>) -> Result<(), RequestError> {
        retry(&self.metrics, "setMyCommands", || {
            with_api!(&self.api, b => {
                let req = b.set_my_commands(commands.clone());
                async move { req.await.map(drop) }
            })
        })
        .await
    }
}

/// Calls `op` until it succeeds, the error is not worth retrying, or the
/// attempts run out. A 5xx or lost connection is retried: Telegram did not
/// deliver the message (for a timeout this could, rarely, mean a duplicate,
/// which beats an unanswered patient).
async fn retry<T>(
    metrics: &Metrics,
    method: &'static str,
    mut op: impl FnMut() -> Call<T>,
) -> Result<T, RequestError> {
    let mut attempt = 0;
    loop {
        let err = match op().await {
            Ok(value) => return Ok(value),
            Err(e) => e,
        };
        metrics.api_error(metric_kind(&err));
        attempt += 1;
        let Some(wait) = delay(&err, attempt).filter(|_| attempt < MAX_ATTEMPTS) else {
            return Err(err);
        };
        tracing::warn!(
            method,
            error = error_kind(&err),
            attempt,
            wait_ms = wait.as_millis() as u64,
            "retrying"
        );
        tokio::time::sleep(wait).await;
    }
}

/// How long to wait before trying again, or `None` when trying again
/// cannot help (a bad request, a blocked bot, a rejected token).
fn delay(err: &RequestError, attempt: u32) -> Option<Duration> {
    match err {
        RequestError::RetryAfter(s) => Some(s.duration().min(RETRY_AFTER_MAX)),
        // A 5xx: teloxide slept 10 s before returning it; not again.
        RequestError::Api(ApiError::Unknown(_)) => {
            (attempt < SERVER_ERROR_ATTEMPTS).then_some(Duration::ZERO)
        }
        RequestError::Network(_) | RequestError::InvalidJson { .. } => {
            Some((BACKOFF_BASE * 2u32.saturating_pow(attempt.saturating_sub(1))).min(BACKOFF_MAX))
        }
        _ => None,
    }
}

/// An error's kind as a metric label: a closed set, so series stay few.
pub fn metric_kind(err: &RequestError) -> &'static str {
    match err {
        RequestError::Api(_) => "api",
        RequestError::MigrateToChatId(_) => "migrated",
        RequestError::RetryAfter(_) => "retry_after",
        RequestError::Network(e) if e.is_timeout() => "network_timeout",
        RequestError::Network(_) => "network",
        RequestError::InvalidJson { .. } => "invalid_json",
        RequestError::Io(_) => "io",
    }
}

/// An error as the logs show it: its kind, never a text or a URL.
pub fn error_kind(err: &RequestError) -> String {
    match err {
        RequestError::Api(ApiError::Unknown(_)) => "api: unrecognised error (server error?)".into(),
        RequestError::Api(e) => format!("api: {e}"),
        RequestError::MigrateToChatId(_) => "group migrated to a supergroup".into(),
        RequestError::RetryAfter(s) => format!("flood control: retry after {}s", s.seconds()),
        RequestError::Network(e) if e.is_timeout() => "network: timeout".into(),
        RequestError::Network(e) if e.is_connect() => "network: cannot connect".into(),
        RequestError::Network(_) => "network error".into(),
        RequestError::InvalidJson { .. } => "invalid JSON from the Bot API".into(),
        RequestError::Io(_) => "I/O error".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::types::Seconds;

    #[test]
    fn retries_only_what_can_succeed_later() {
        let json = || RequestError::InvalidJson {
            source: serde_json::from_str::<u8>("x").unwrap_err().into(),
            raw: "secret text".into(),
        };
        let cases = [
            (
                RequestError::RetryAfter(Seconds::from_seconds(3)),
                1,
                Some(3000),
            ),
            (
                RequestError::RetryAfter(Seconds::from_seconds(9999)),
                1,
                Some(300_000),
            ),
            (
                RequestError::Api(ApiError::Unknown("Bad Gateway".into())),
                1,
                Some(0),
            ),
            (
                RequestError::Api(ApiError::Unknown("Bad Gateway".into())),
                3,
                None,
            ),
            (json(), 10, Some(8000)),
            (RequestError::Api(ApiError::BotBlocked), 1, None),
            (RequestError::Api(ApiError::MessageNotModified), 1, None),
        ];
        for (err, attempt, want) in cases {
            assert_eq!(
                delay(&err, attempt).map(|d| d.as_millis() as u64),
                want,
                "{err:?}"
            );
        }
        assert!(
            !error_kind(&json()).contains("secret"),
            "raw responses never reach the logs"
        );
    }

    /// A call failing with `errors` in turn, then succeeding; its result,
    /// the attempts made and the (virtual) time it took.
    async fn run(errors: Vec<RequestError>) -> (bool, usize, Duration) {
        let metrics = Metrics::default();
        let left = std::sync::Mutex::new(errors.into_iter());
        let attempts = std::sync::atomic::AtomicUsize::new(0);
        let started = tokio::time::Instant::now();
        let result = retry(&metrics, "sendMessage", || {
            attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let next = left.lock().unwrap().next();
            let call: Call<()> = Box::pin(async move { next.map_or(Ok(()), Err) });
            call
        })
        .await;
        let n = attempts.load(std::sync::atomic::Ordering::Relaxed);
        (result.is_ok(), n, started.elapsed())
    }

    #[tokio::test(start_paused = true)]
    async fn one_policy_waits_what_telegram_asks_and_no_more() {
        let wait = |s| RequestError::RetryAfter(Seconds::from_seconds(s));
        let server = || RequestError::Api(ApiError::Unknown("Bad Gateway".into()));
        let cases = [
            (vec![], (true, 1, 0)),
            (vec![wait(3), wait(5)], (true, 3, 8)),
            // teloxide waited inside each 5xx: no second wait on top.
            (vec![server(), server()], (true, 3, 0)),
            (vec![server(), server(), server()], (false, 3, 0)),
            (vec![RequestError::Api(ApiError::BotBlocked)], (false, 1, 0)),
            (vec![wait(1); 6], (false, 6, 5)),
        ];
        for (errors, (ok, attempts, secs)) in cases {
            let (got_ok, got_attempts, took) = run(errors).await;
            assert_eq!((got_ok, got_attempts, took.as_secs()), (ok, attempts, secs));
        }
    }
}
