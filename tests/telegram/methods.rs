//! The Bot API methods' semantics in the fake server: what the server
//! remembers (calls, updates, the bot's messages, answered queries) and what
//! each method checks and does, as Telegram would. No HTTP here: `fake`
//! serves it.

use crate::fake::{BOT_ID, BOT_USERNAME, Fault};
use crate::rules;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};

#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
    /// None while the call is in progress.
    pub ok: Option<bool>,
}

/// Everything the server knows; tests read it through `Fake::read`.
#[derive(Default)]
pub struct Api {
    pub calls: Vec<Call>,
    pub violations: Vec<String>,
    /// Every update pushed, in order; `confirmed` is the acknowledged offset.
    pub updates: Vec<Value>,
    pub confirmed: i64,
    /// The bot's messages by (chat, message id): HTML or plain text as sent, markup.
    pub messages: HashMap<(i64, i64), (String, Option<Value>)>,
    pub commands: Option<Value>,
    /// The last setWebhook body (webhook tests only).
    pub webhook: Option<Value>,
    /// Methods allowed beyond the fake's list, for one test's server.
    pub(crate) extra: Vec<String>,
    pub allowed_updates: Option<Value>,
    pub(crate) chats: HashMap<i64, Value>,
    answered: HashMap<String, u32>,
    pub(crate) faults: HashMap<String, VecDeque<Fault>>,
    pub(crate) next_id: i64,
    /// Told the chat id of every message sent (the load benchmark's clock).
    pub(crate) on_send: Option<tokio::sync::mpsc::UnboundedSender<i64>>,
}

impl Api {
    /// Successful calls of a method, their bodies in order.
    pub fn ok(&self, method: &str) -> Vec<&Value> {
        self.calls
            .iter()
            .filter(|c| c.method == method && c.ok == Some(true))
            .map(|c| &c.body)
            .collect()
    }

    /// Messages the bot sent to a chat (sendMessage bodies), in order.
    pub fn sent_to(&self, chat: i64) -> Vec<&Value> {
        self.ok("sendMessage")
            .into_iter()
            .filter(|b| b["chat_id"] == chat)
            .collect()
    }

    pub fn edits_in(&self, chat: i64) -> Vec<&Value> {
        self.ok("editMessageText")
            .into_iter()
            .filter(|b| b["chat_id"] == chat)
            .collect()
    }

    /// How many times a callback or inline query id was answered.
    pub fn answers(&self, query_id: &str) -> u32 {
        self.answered.get(query_id).copied().unwrap_or(0)
    }

    /// The methods other than getUpdates: Telegram's checks, then the
    /// effect. A refusal is also recorded as a violation.
    pub fn call(&mut self, method: &str, body: &Value) -> Result<Value, (u16, String)> {
        let api = self;
        let result = match method {
            "getMe" => Ok(
                json!({"id": BOT_ID, "is_bot": true, "first_name": "liverline", "username": BOT_USERNAME,
                "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": true,
                "has_main_web_app": false}),
            ),
            "getWebhookInfo" => {
                Ok(json!({"url": "", "has_custom_certificate": false, "pending_update_count": 0}))
            }
            "deleteWebhook" | "sendChatAction" | "close" => Ok(json!(true)),
            "setWebhook" => {
                api.webhook = Some(body.clone());
                Ok(json!(true))
            }
            "setMyCommands" => rules::commands(body.get("commands")).map(|()| {
                api.commands = Some(body["commands"].clone());
                json!(true)
            }),
            // The description (0-512 characters) and short description
            // (0-120) a new user sees first.
            "setMyDescription" => text_within(body, "description", 512),
            "setMyShortDescription" => text_within(body, "short_description", 120),
            "sendMessage" => send_message(api, body),
            "editMessageText" => edit_message(api, body),
            "answerCallbackQuery" | "answerInlineQuery" => answer_query(api, method, body),
            _ => Err("unreachable".into()),
        };
        result.map_err(|description| {
            api.violations.push(format!("{method}: {description}"));
            (400, format!("Bad Request: {description}"))
        })
    }

    pub fn last_update_id(&self) -> i64 {
        self.updates
            .last()
            .map_or(0, |u| u["update_id"].as_i64().unwrap_or(0))
    }
}

fn send_message(api: &mut Api, body: &Value) -> Result<Value, String> {
    let chat_id = body["chat_id"].as_i64().ok_or("chat_id missing")?;
    let chat = api.chats.get(&chat_id).cloned().ok_or("chat not found")?;
    let shown = rules::message_text(body.get("text"), body.get("parse_mode"))?;
    rules::reply_markup(body.get("reply_markup"))?;
    api.next_id += 1;
    let id = api.next_id;
    let text = body["text"].as_str().unwrap_or_default().to_string();
    api.messages
        .insert((chat_id, id), (text, body.get("reply_markup").cloned()));
    if let Some(tx) = &api.on_send {
        let _ = tx.send(chat_id);
    }
    Ok(bot_message(id, chat, &shown))
}

fn edit_message(api: &mut Api, body: &Value) -> Result<Value, String> {
    let chat_id = body["chat_id"].as_i64().ok_or("chat_id missing")?;
    let id = body["message_id"].as_i64().ok_or("message_id missing")?;
    let shown = rules::message_text(body.get("text"), body.get("parse_mode"))?;
    rules::reply_markup(body.get("reply_markup"))?;
    let text = body["text"].as_str().unwrap_or_default().to_string();
    let markup = body.get("reply_markup").cloned();
    let stored = api
        .messages
        .get_mut(&(chat_id, id))
        .ok_or("message to edit not found")?;
    if stored.0 == text && stored.1 == markup {
        return Err("message is not modified: specified new message content and reply markup are exactly the same \
                    as a current content and reply markup of the message"
            .into());
    }
    *stored = (text, markup);
    let chat = api.chats.get(&chat_id).cloned().unwrap_or(Value::Null);
    Ok(bot_message(id, chat, &shown))
}

fn answer_query(api: &mut Api, method: &str, body: &Value) -> Result<Value, String> {
    let key = if method == "answerCallbackQuery" {
        "callback_query_id"
    } else {
        "inline_query_id"
    };
    let id = body[key].as_str().ok_or("query id missing")?.to_string();
    let known = api.updates.iter().any(|u| {
        u["callback_query"]["id"] == id.as_str() || u["inline_query"]["id"] == id.as_str()
    });
    if !known || api.answers(&id) > 0 {
        return Err("query is too old and response timeout expired or query ID is invalid".into());
    }
    if method == "answerInlineQuery" {
        rules::inline_results(body.get("results"))?;
    } else if body["text"]
        .as_str()
        .is_some_and(|t| t.chars().count() > 200)
    {
        return Err("callback answer text too long".into());
    }
    *api.answered.entry(id).or_default() += 1;
    Ok(json!(true))
}

fn bot_message(id: i64, chat: Value, text: &str) -> Value {
    json!({"message_id": id, "date": 1_700_000_000, "chat": chat,
           "from": {"id": BOT_ID, "is_bot": true, "first_name": "liverline", "username": BOT_USERNAME}, "text": text})
}

/// A set-description call: the text, if any, within Telegram's limit.
fn text_within(body: &Value, field: &str, max: usize) -> Result<Value, String> {
    match body.get(field).and_then(Value::as_str) {
        Some(t) if t.chars().count() > max => Err(format!("{field} is too long")),
        _ => Ok(json!(true)),
    }
}
