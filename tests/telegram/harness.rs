//! Test helpers: the bot running in-process against a fake Bot API (through
//! `liverline::frontend::telegram::run`, as `main` runs it), and the
//! updates people send, written as Telegram sends them.

use crate::fake::{BOT_ID, Fake, TOKEN};
use liverline::Engine;
use liverline::frontend::telegram::{self, Options};
use liverline::ops::Ops;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Seconds a test waits for something the bot should do promptly. Generous
/// for slow CI; waits end as soon as the condition holds.
pub const PROMPT: u64 = 20;
pub const FOOTER_NUMBERS: [&str; 2] = ["1-800-227-2345", "1-800-303-5691"];

/// The engine over the shipped content, built once per test binary.
pub fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            Arc::new(Engine::new(
                liverline::content::embedded().expect("shipped content"),
            ))
        })
        .clone()
}

/// The bot, running in this process against its own fake server.
pub struct Running {
    pub api: Fake,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Starts a fake server and the bot (Throttle off unless asked), and
    /// waits until it polls.
    pub async fn start() -> Running {
        Running::with(Options {
            throttle: false,
            ..Options::default()
        })
        .await
    }

    pub async fn with(options: Options) -> Running {
        Running::with_ops(Ops::new(engine()), options).await
    }

    /// The bot with its operations state (admins, flood limit, analytics,
    /// reload folder) as a test sets it; waits until it polls, or, with a
    /// webhook, until it has registered it.
    pub async fn with_ops(ops: Ops, options: Options) -> Running {
        Running::on(Fake::start().await, Arc::new(ops), options).await
    }

    pub async fn on(api: Fake, ops: Arc<Ops>, options: Options) -> Running {
        let bot = telegram::bot(&SecretString::from(TOKEN), Some(&api.url)).expect("bot");
        let (stop, stopped) = oneshot::channel::<()>();
        let webhook = options.webhook.is_some();
        let task = tokio::spawn(telegram::run(bot, ops.clone(), options, async move {
            let _ = stopped.await;
        }));
        let first = if webhook { "setWebhook" } else { "getUpdates" };
        api.until(PROMPT, first, |a| a.calls.iter().any(|c| c.method == first))
            .await;
        // /healthz turns ok only once dispatching starts (after getMe).
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(PROMPT);
        while !ops.serving() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        Running {
            api,
            stop: Some(stop),
            task,
        }
    }

    /// Stops the bot as Ctrl-C would and checks it ended cleanly, breaking
    /// no Bot API rule and leaving no update unacknowledged.
    pub async fn stop(mut self) -> Fake {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let ended =
            tokio::time::timeout(std::time::Duration::from_secs(PROMPT), &mut self.task).await;
        ended
            .expect("the bot stops")
            .expect("the task ends")
            .expect("run returns Ok");
        let api = self.api.clone();
        api.read(|a| {
            assert!(
                a.violations.is_empty(),
                "Bot API violations: {:?}",
                a.violations
            );
            // Polling acknowledges by offset (a webhook by its HTTP answer).
            let polled = a.calls.iter().any(|c| c.method == "getUpdates");
            assert!(
                !polled || a.updates.is_empty() || a.confirmed > a.last_update_id(),
                "every update acknowledged: {} <= {}",
                a.confirmed,
                a.last_update_id()
            );
        });
        api
    }
}

/// A private chat's id for a user (Telegram uses the user id).
pub fn user(id: i64) -> Value {
    json!({"id": id, "is_bot": false, "first_name": "Pat", "language_code": "en"})
}

pub fn private_chat(id: i64) -> Value {
    json!({"id": id, "type": "private", "first_name": "Pat"})
}

pub fn group_chat(id: i64) -> Value {
    json!({"id": id, "type": "supergroup", "title": "Liver cancer support"})
}

/// A text message; returns its update id and message id.
pub fn text(api: &Fake, chat: Value, from: i64, text: &str) -> (i64, i64) {
    message(api, chat, from, json!({"text": text}))
}

/// A message with other content (`{"sticker": ...}`, a reply, ...).
pub fn message(api: &Fake, chat: Value, from: i64, content: Value) -> (i64, i64) {
    let id = api.next_message_id();
    let mut msg =
        json!({"message_id": id, "date": 1_700_000_000, "chat": chat, "from": user(from)});
    msg.as_object_mut()
        .expect("object")
        .extend(content.as_object().expect("object").clone());
    (api.push(json!({"message": msg})), id)
}

pub fn sticker() -> Value {
    json!({"sticker": {"file_id": "CAACAgIAAxkBAAE", "file_unique_id": "AgADAQAD", "type": "regular",
                       "width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "🙂"}})
}

/// A reply to one of the bot's messages.
pub fn reply_to_bot(chat: &Value, bot_message: i64, text: &str) -> Value {
    json!({"text": text, "reply_to_message": {"message_id": bot_message, "date": 1_700_000_000, "chat": chat,
           "from": {"id": BOT_ID, "is_bot": true, "first_name": "liverline"}, "text": "..."}})
}

/// A button press under one of the bot's messages (the message as it is
/// now, as Telegram sends it); returns the callback query id.
pub fn press(api: &Fake, chat: Value, from: i64, message_id: i64, data: &str) -> String {
    let shown = api.read(|a| {
        a.messages
            .get(&(chat["id"].as_i64().unwrap(), message_id))
            .cloned()
    });
    press_on(api, chat, from, message_id, shown.unwrap_or_default(), data)
}

/// A button press that carries the message as it was (`shown`: text and
/// markup), as Telegram does for a second tap before the first took effect.
pub fn press_on(
    api: &Fake,
    chat: Value,
    from: i64,
    message_id: i64,
    shown: (String, Option<Value>),
    data: &str,
) -> String {
    let (text, markup) = shown;
    let mut message = json!({"message_id": message_id, "date": 1_700_000_000, "chat": chat,
                             "from": {"id": BOT_ID, "is_bot": true, "first_name": "liverline"}, "text": text});
    if let Some(m) = markup {
        message["reply_markup"] = m;
    }
    let id = format!("cb{}", api.next_message_id());
    api.push(
        json!({"callback_query": {"id": id, "from": user(from), "message": message,
                                       "chat_instance": "ci", "data": data}}),
    );
    id
}

pub fn inline_query(api: &Fake, from: i64, query: &str) -> String {
    let id = format!("iq{}", api.next_message_id());
    api.push(json!({"inline_query": {"id": id, "from": user(from), "query": query, "offset": "", "chat_type": "sender"}}));
    id
}

/// The text of a sent message.
pub fn text_of(body: &Value) -> &str {
    body["text"].as_str().unwrap_or_default()
}

/// The callback data of every button under a sent message.
pub fn buttons(body: &Value) -> Vec<String> {
    let rows = body["reply_markup"]["inline_keyboard"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    rows.iter()
        .flat_map(|r| r.as_array().cloned().unwrap_or_default())
        .map(|b| {
            b["callback_data"]
                .as_str()
                .or(b["url"].as_str())
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// The footer's numbers are in the text, once.
pub fn has_footer(text: &str) -> bool {
    FOOTER_NUMBERS.iter().all(|n| text.matches(n).count() >= 1)
        && text.contains("not medical advice")
}
