//! The handlers the schema routes to: commands, questions, non-text
//! messages, flood control's replies and button presses (inline queries:
//! `inline`). Each builds a `Reply` with
//! the engine, renders it (HTML parts and keyboard), sends it through the
//! `Outbox`, and logs what was answered: kind, intent, confidence, time and
//! a salted hash of the user id, never the text.

use super::admin;
use super::codec::{self, Action};
use super::html;
use super::keyboards::{self, Place};
use super::memory::Memory;
use super::outbox::Outbox;
use super::schema::Command;
use crate::dialog::{self, Input};
use crate::engine::Engine;
use crate::ops::Ops;
use crate::reply::Reply;
use std::hash::BuildHasher;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use teloxide::prelude::*;
use teloxide::types::Me;
use teloxide::utils::command::BotCommands;

pub type HandlerResult = anyhow::Result<()>;

/// The bot's own words for `/about`. No medical claim.
const ABOUT: &str = "liverline is a support-line assistant for people facing liver cancer treatment. It answers with \
the words of one trusted source, the American Cancer Society guide \"Treating Liver Cancer\" (cancer.org), and names \
the section and its medical review date. It is not a doctor and does not know your situation. It keeps no copy of \
what you write.";
/// The reply to the first message over the flood limit. No medical claim.
const SLOW_DOWN: &str = "You're sending messages faster than I can answer them well. Please slow down: wait a \
minute, then send your question again. If this is an emergency, call 911 or your local emergency number now.";
/// The notice for a button whose data is forged, or stale after a content
/// change.
const STALE: &str = "Sorry, that button is out of date. Send /topics to see the current topics.";
/// A button pressed under a message the bot can no longer reach.
const NO_CHAT: &str = "Please open a private chat with me to see this topic.";

/// A command from the menu (or typed).
pub async fn command(
    cmd: Command,
    msg: Message,
    me: Me,
    ops: Arc<Ops>,
    out: Outbox,
    memory: Arc<Memory>,
) -> HandlerResult {
    let started = Instant::now();
    // The engine this update started with, whatever a reload does meanwhile.
    let engine = ops.live.engine();
    if cmd.admin_only() {
        return admin::command(&cmd, &msg, &ops, &out).await;
    }
    if cmd == Command::Topics {
        let page = keyboards::menu(&engine);
        let id = out
            .send_plain(msg.chat.id, &page.text, page.keyboard)
            .await?;
        memory.set_page(msg.chat.id.0, id.0, "menu").await;
        log_update(
            &ops,
            "command",
            msg.from.as_ref().map(|u| u.id.0),
            None,
            None,
            started,
        );
        return Ok(());
    }
    let chat = msg.chat.id.0;
    let mut session = memory.session(chat).await;
    // Deep links are case-insensitive: `?start=TACE` opens `tace`.
    let topic = match &cmd {
        Command::Start(payload) => Some(payload.trim().to_lowercase()).filter(|p| codec::is_id(p)),
        other => other.topic().map(str::to_string),
    };
    let reply = match (&cmd, topic.as_deref().filter(|t| engine.topic(t).is_some())) {
        (_, Some(id)) => dialog::turn(&engine, &mut session, Input::Topic(id)),
        (Command::Start(_), None) => engine.greeting(),
        (Command::About, None) => {
            let mut reply = engine.help();
            reply.lead = Some(ABOUT.to_string());
            reply
        }
        (Command::Help, None) => {
            let mut reply = engine.help();
            reply.lead = Some(format!(
                "{}\n\n{}",
                reply.lead.unwrap_or_default(),
                Command::descriptions()
            ));
            reply
        }
        _ => engine.help(),
    };
    dialog::record(&engine, &mut session, &reply);
    memory.save(chat, &session).await;
    respond(&ops, &out, &msg, &me, &reply, None, started).await
}

/// A question typed (in groups: addressed to the bot).
pub async fn text(
    text: String,
    msg: Message,
    me: Me,
    ops: Arc<Ops>,
    out: Outbox,
    memory: Arc<Memory>,
) -> HandlerResult {
    let started = Instant::now();
    let engine = ops.live.engine();
    let chat = msg.chat.id.0;
    let mut session = memory.session(chat).await;
    let classifying = Instant::now();
    let mut reply = dialog::turn(&engine, &mut session, Input::Text(&text));
    ops.metrics.classified(classifying.elapsed());
    if !msg.chat.is_private() && reply.page.is_some() {
        // A whole section would flood a group: offer the private chat.
        reply.lead = Some(engine.content().framing.private_more.clone());
        reply.excerpt = None;
        reply.page = None;
        session.reading = None;
    }
    memory.save(chat, &session).await;
    respond(&ops, &out, &msg, &me, &reply, Some(&text), started).await
}

/// A sticker, photo, voice message or file.
pub async fn non_text(
    msg: Message,
    me: Me,
    ops: Arc<Ops>,
    out: Outbox,
    memory: Arc<Memory>,
) -> HandlerResult {
    let chat = msg.chat.id.0;
    let mut session = memory.session(chat).await;
    let reply = dialog::turn(&ops.live.engine(), &mut session, Input::NonText);
    memory.save(chat, &session).await;
    respond(&ops, &out, &msg, &me, &reply, None, Instant::now()).await
}

/// The first message over the flood limit: one friendly word, with the
/// footer like every reply (the numbers matter most to someone in a hurry).
pub async fn slow_down(msg: Message, me: Me, ops: Arc<Ops>, out: Outbox) -> HandlerResult {
    let mut reply = ops.live.engine().help();
    reply.lead = Some(SLOW_DOWN.to_string());
    reply.choices.clear();
    ops.metrics.flood_dropped();
    respond(&ops, &out, &msg, &me, &reply, None, Instant::now()).await
}

/// A button press. Whatever the data, the query is answered exactly once,
/// before anything slower happens, so the button stops spinning.
pub async fn callback(
    q: CallbackQuery,
    me: Me,
    ops: Arc<Ops>,
    out: Outbox,
    memory: Arc<Memory>,
) -> HandlerResult {
    let started = Instant::now();
    let engine = ops.live.engine();
    let user = Some(q.from.id.0);
    let action = match codec::decode(q.data.as_deref()) {
        Ok(a) => a,
        Err(why) => {
            tracing::info!(update = "callback", invalid = why.as_str(), user = %user_hash(user), "refused button data");
            return Ok(out.answer_callback(&q.id, Some(STALE)).await?);
        }
    };
    let chat = q.message.as_ref().map(|m| m.chat().clone());
    match &action {
        Action::Menu | Action::Category(_) => {
            show_page(&q, action.clone(), &engine, &out, &memory).await?;
            log_update(&ops, "callback", user, None, None, started);
        }
        Action::Topic(_) | Action::More(_) | Action::Page(..) => {
            let Some(chat) = chat else {
                return Ok(out.answer_callback(&q.id, Some(NO_CHAT)).await?);
            };
            let mut session = memory.session(chat.id.0).await;
            let input = match &action {
                Action::Topic(id) => Input::Topic(id),
                Action::More(id) => Input::Page(id, 1),
                Action::Page(id, n) => Input::Page(id, *n),
                _ => unreachable!("matched above"),
            };
            let known = match &action {
                Action::Topic(id) | Action::More(id) | Action::Page(id, _) => {
                    engine.topic(id).is_some()
                }
                _ => false,
            };
            if !known {
                return Ok(out.answer_callback(&q.id, Some(STALE)).await?);
            }
            let reply = dialog::turn(&engine, &mut session, input);
            memory.save(chat.id.0, &session).await;
            out.answer_callback(&q.id, None).await?;
            let place = place(chat.is_private(), &me);
            let keyboard = keyboards::for_reply(&reply, place, &engine.content().framing);
            // Next/Previous turn the page of the message they are under.
            match (&action, q.regular_message()) {
                (Action::Page(..), Some(m)) => {
                    let html = html::single(&reply);
                    out.edit_html(m.chat.id, m.id, &html, keyboard).await?;
                }
                _ => {
                    out.send_html(chat.id, &html::parts(&reply), keyboard, None)
                        .await?
                }
            }
            log_update(&ops, "callback", user, Some(&reply), None, started);
        }
    }
    Ok(())
}

/// A `/topics` menu button: the menu message turns to the page asked for.
async fn show_page(
    q: &CallbackQuery,
    action: Action,
    engine: &Engine,
    out: &Outbox,
    memory: &Memory,
) -> HandlerResult {
    let key = codec::encode(&action).unwrap_or_default();
    let page = match action {
        Action::Category(file) => keyboards::category(engine, &file),
        _ => Some(keyboards::menu(engine)),
    };
    let Some(page) = page else {
        return Ok(out.answer_callback(&q.id, Some(STALE)).await?);
    };
    let chat = q.message.as_ref().map(|m| m.chat().id);
    match (q.regular_message(), chat) {
        (Some(m), _) => {
            out.answer_callback(&q.id, None).await?;
            // Telegram refuses an edit that changes nothing (a second tap on
            // the page shown). What the bot last set is authoritative: the
            // message in a callback can be a stale copy after a double tap.
            let same = match memory.page(m.chat.id.0, m.id.0).await {
                Some(shown) => shown == key,
                None => {
                    m.text() == Some(page.text.trim()) && m.reply_markup() == Some(&page.keyboard)
                }
            };
            if !same {
                out.edit_plain(m.chat.id, m.id, &page.text, page.keyboard)
                    .await?;
                memory.set_page(m.chat.id.0, m.id.0, &key).await;
            }
        }
        // The menu message is too old to edit: a fresh menu instead.
        (None, Some(chat)) => {
            out.answer_callback(&q.id, None).await?;
            let id = out.send_plain(chat, &page.text, page.keyboard).await?;
            memory.set_page(chat.0, id.0, &key).await;
        }
        (None, None) => out.answer_callback(&q.id, Some(NO_CHAT)).await?,
    }
    Ok(())
}

/// Sends a reply to a message's chat: HTML parts, buttons under the last;
/// in groups, as a reply to the message that asked.
#[allow(
    clippy::too_many_arguments,
    reason = "one call per handler; a struct would only rename them"
)]
async fn respond(
    ops: &Ops,
    out: &Outbox,
    msg: &Message,
    me: &Me,
    reply: &Reply,
    question: Option<&str>,
    started: Instant,
) -> HandlerResult {
    let private = msg.chat.is_private();
    let reply_to = (!private).then_some(msg.id);
    out.send_html(
        msg.chat.id,
        &html::parts(reply),
        keyboards::for_reply(
            reply,
            place(private, me),
            &ops.live.engine().content().framing,
        ),
        reply_to,
    )
    .await?;
    log_update(
        ops,
        "message",
        msg.from.as_ref().map(|u| u.id.0),
        Some(reply),
        question,
        started,
    );
    Ok(())
}

fn place(private: bool, me: &Me) -> Place<'_> {
    if private {
        Place::Private {
            inline: me.supports_inline_queries,
        }
    } else {
        Place::Group {
            username: me.username(),
        }
    }
}

/// Logs, counts (`/metrics`, `/stats`) and, when analytics are on, records
/// one update handled. `question` reaches the analytics recorder, which
/// keeps it only if configured to and only for unanswered kinds; it is
/// never logged.
pub(super) fn log_update(
    ops: &Ops,
    update: &'static str,
    user: Option<u64>,
    reply: Option<&Reply>,
    question: Option<&str>,
    started: Instant,
) {
    if let Some(r) = reply {
        let day = crate::ops::today();
        ops.metrics.reply(r.kind, &day);
        if let crate::store::Store::Shared(_) = *ops.store {
            // Counted for /stats across replicas, off the reply's path.
            let (store, kind) = (ops.store.clone(), r.kind.as_str());
            tokio::spawn(async move { store.count_reply(&day, kind).await });
        }
        // Inline queries arrive keystroke by keystroke ("t", "ta", "tac"):
        // counting them would swamp the editors' report with fragments.
        if let Some(a) = ops.analytics.as_ref().filter(|_| update != "inline") {
            a.record(r.kind, r.intent.as_deref(), question);
        }
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let kind = reply.map_or("menu", |r| r.kind.as_str());
    let intent = reply.and_then(|r| r.intent.as_deref()).unwrap_or("-");
    let confidence = reply.map_or(0.0, |r| r.confidence);
    tracing::info!(update, kind, intent, confidence, ms = format!("{ms:.1}"), user = %user_hash(user), "answered");
}

/// A user id as the logs show it: hashed with a salt drawn at start-up, so
/// one process's lines can be correlated but no id can be recovered.
pub fn user_hash(user: Option<u64>) -> String {
    static SALT: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
    match user {
        Some(id) => format!("{:016x}", SALT.get_or_init(Default::default).hash_one(id)),
        None => "-".into(),
    }
}
