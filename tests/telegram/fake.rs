//! A fake Telegram Bot API server on loopback (axum, port 0): the methods
//! the bot may use, with Telegram's semantics where they matter (updates
//! stay until acknowledged by `offset`; long polling; message ids; edits;
//! one answer per query, in `methods`), Telegram's refusals (`rules`), a
//! record of every call, and faults injected per method. Anything outside the allowed
//! methods, and anything real Telegram would refuse, is a violation.

use crate::methods::{Api, Call};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

pub const TOKEN: &str = "424242:AAH-fake-token-that-must-never-be-printed";
pub const BOT_ID: i64 = 4242;
pub const BOT_USERNAME: &str = "liverline_test_bot";
const ALLOWED: [&str; 12] = [
    "getMe",
    "getWebhookInfo",
    "deleteWebhook",
    "getUpdates",
    "sendMessage",
    "editMessageText",
    "answerCallbackQuery",
    "answerInlineQuery",
    "setMyCommands",
    "setMyDescription",
    "setMyShortDescription",
    "sendChatAction",
];

/// A fault the next call of a method meets.
#[derive(Debug, Clone)]
pub enum Fault {
    /// An HTTP error status with Telegram's JSON error body; nothing happens.
    Status(u16),
    /// 429 with `retry_after` seconds; nothing happens.
    RetryAfter(u32),
    /// The call succeeds, slowly.
    Delay(Duration),
    /// 200 with a body that is not JSON; nothing happens.
    Malformed,
}

#[derive(Clone)]
pub struct Fake {
    api: Arc<Mutex<Api>>,
    version: watch::Sender<u64>,
    pub url: String,
}

impl Fake {
    /// Starts a server on 127.0.0.1, a free port.
    pub async fn start() -> Fake {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let fake = Fake {
            api: Arc::default(),
            version: watch::channel(0).0,
            url,
        };
        fake.lock().next_id = 1000;
        let app = axum::Router::new()
            .route("/{token}/{method}", axum::routing::post(handle))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        fake
    }

    pub fn read<T>(&self, f: impl FnOnce(&Api) -> T) -> T {
        f(&self.lock())
    }

    /// Waits until `done` holds, up to `secs`; panics with the calls so far.
    pub async fn until(&self, secs: u64, what: &str, done: impl Fn(&Api) -> bool) {
        let mut rx = self.version.subscribe();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        while !self.read(&done) {
            if tokio::time::timeout_at(deadline, rx.changed())
                .await
                .is_err()
            {
                let calls: Vec<String> = self.read(|a| {
                    a.calls
                        .iter()
                        .map(|c| format!("{} {:?} {}", c.method, c.ok, c.body))
                        .collect()
                });
                panic!("timed out waiting for {what}; calls:\n{}", calls.join("\n"));
            }
        }
    }

    /// A stream of the chat ids the bot sends messages to, as they arrive.
    #[allow(
        dead_code,
        reason = "the load benchmark's clock; tests read `Api` instead"
    )]
    pub fn on_send(&self) -> tokio::sync::mpsc::UnboundedReceiver<i64> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        self.lock().on_send = Some(tx);
        rx
    }

    /// Allows a method outside the usual list on this server only
    /// (`setWebhook` for the webhook tests: the polling bot must never call it).
    pub fn allow(&self, method: &str) {
        self.lock().extra.push(method.to_string());
    }

    pub fn fault(&self, method: &str, fault: Fault) {
        self.lock()
            .faults
            .entry(method.to_string())
            .or_default()
            .push_back(fault);
    }

    /// Forgets the faults still waiting for a method.
    pub fn clear_faults(&self, method: &str) {
        self.lock().faults.remove(method);
    }

    /// Queues an update (the `update_id` is assigned here) and wakes pollers.
    pub fn push(&self, mut update: Value) -> i64 {
        let id = {
            let mut api = self.lock();
            let id = api.updates.len() as i64 + 1;
            update["update_id"] = json!(id);
            for chat in [
                &update["message"]["chat"],
                &update["callback_query"]["message"]["chat"],
            ] {
                if let Some(c) = chat["id"].as_i64() {
                    api.chats.insert(c, chat.clone());
                }
            }
            api.updates.push(update);
            id
        };
        self.bump();
        id
    }

    /// Makes a chat known, as an update through getUpdates would (for
    /// updates posted straight to a webhook).
    pub fn know_chat(&self, chat: Value) {
        if let Some(id) = chat["id"].as_i64() {
            self.lock().chats.insert(id, chat);
        }
    }

    /// A fresh message id, for messages users send.
    pub fn next_message_id(&self) -> i64 {
        let mut api = self.lock();
        api.next_id += 1;
        api.next_id
    }

    fn lock(&self) -> MutexGuard<'_, Api> {
        self.api.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn bump(&self) {
        self.version.send_modify(|v| *v += 1);
    }
}

async fn handle(
    State(fake): State<Fake>,
    Path((token, method)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    // teloxide sends setWebhook as multipart (it may carry a certificate):
    // such a body is kept as text.
    let body: Value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    // Method names are case-insensitive at Telegram (teloxide sends "GetMe").
    let extra = fake.lock().extra.clone();
    let allowed: Vec<&str> = ALLOWED
        .iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
        .collect();
    let method = allowed
        .iter()
        .find(|m| m.eq_ignore_ascii_case(&method))
        .map_or(method, |m| m.to_string());
    let index = {
        let mut api = fake.lock();
        api.calls.push(Call {
            method: method.clone(),
            body: body.clone(),
            ok: None,
        });
        api.calls.len() - 1
    };
    fake.bump();
    let response = if token != format!("bot{TOKEN}") {
        Err((401, "Unauthorized".to_string()))
    } else if !allowed.contains(&method.as_str()) {
        fake.lock()
            .violations
            .push(format!("method not allowed: {method}"));
        Err((404, "Not Found: method not found".to_string()))
    } else if method == "getUpdates" {
        return get_updates(&fake, index, &body).await;
    } else {
        match take_fault(&fake, &method) {
            Some(Fault::Delay(d)) => {
                tokio::time::sleep(d).await;
                fake.lock().call(&method, &body)
            }
            Some(fault) => return finish(&fake, index, fault_response(fault)),
            None => fake.lock().call(&method, &body),
        }
    };
    let response = match response {
        Ok(result) => (
            StatusCode::OK,
            json!({"ok": true, "result": result}).to_string(),
        ),
        Err((code, description)) => error(code, &description),
    };
    finish(&fake, index, response)
}

/// Long polling: acknowledges up to `offset`, then returns pending updates
/// at once or when one arrives, or an empty list after `timeout` seconds.
async fn get_updates(fake: &Fake, index: usize, body: &Value) -> Response {
    let timeout = Duration::from_secs(body["timeout"].as_u64().unwrap_or(0));
    let limit = body["limit"].as_u64().unwrap_or(100) as usize;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut rx = fake.version.subscribe();
    let pending = loop {
        let pending = {
            let mut api = fake.lock();
            if let Some(offset) = body["offset"].as_i64().filter(|&o| o > api.confirmed) {
                api.confirmed = offset;
            }
            if !body["allowed_updates"].is_null() {
                api.allowed_updates = Some(body["allowed_updates"].clone());
            }
            let from = api.confirmed;
            api.updates
                .iter()
                .filter(|u| u["update_id"].as_i64() >= Some(from))
                .take(limit)
                .cloned()
                .collect::<Vec<_>>()
        };
        if !pending.is_empty()
            || tokio::time::timeout_at(deadline, rx.changed())
                .await
                .is_err()
        {
            break pending;
        }
    };
    if !pending.is_empty() {
        match take_fault(fake, "getUpdates") {
            Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
            Some(fault) => return finish(fake, index, fault_response(fault)),
            None => {}
        }
    }
    finish(
        fake,
        index,
        (
            StatusCode::OK,
            json!({"ok": true, "result": pending}).to_string(),
        ),
    )
}

fn take_fault(fake: &Fake, method: &str) -> Option<Fault> {
    fake.lock()
        .faults
        .get_mut(method)
        .and_then(VecDeque::pop_front)
}

fn fault_response(fault: Fault) -> (StatusCode, String) {
    match fault {
        Fault::Status(code) => error(code, "Internal Server Error"),
        Fault::RetryAfter(secs) => (
            StatusCode::TOO_MANY_REQUESTS,
            json!({"ok": false, "error_code": 429, "description": format!("Too Many Requests: retry after {secs}"),
                   "parameters": {"retry_after": secs}})
            .to_string(),
        ),
        Fault::Malformed => (StatusCode::OK, "{\"ok\":true,\"result\":[{\"update_id\":".to_string()),
        Fault::Delay(_) => unreachable!("delays are applied by the caller"),
    }
}

fn error(code: u16, description: &str) -> (StatusCode, String) {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        json!({"ok": false, "error_code": code, "description": description}).to_string(),
    )
}

fn finish(fake: &Fake, index: usize, (status, body): (StatusCode, String)) -> Response {
    fake.lock().calls[index].ok =
        Some(status == StatusCode::OK && body.starts_with("{\"ok\":true") && body.ends_with('}'));
    fake.bump();
    (status, [("content-type", "application/json")], body).into_response()
}
