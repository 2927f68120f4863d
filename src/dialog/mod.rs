//! The dialogue: what a chat remembers between messages ([`Session`]) and
//! the one entry point every front-end calls ([`turn`]). A number picks a
//! choice just offered, "more" pages through the section being read, a
//! follow-up is read in the light of the last topic, and no reply is ever
//! the previous one again. Sync and deterministic; sessions are kept by a
//! [`SessionStore`] at the edge.

mod store;

pub use store::{CAPACITY, MemoryStore, SessionStore, TTL};

use crate::content::IntentKind;
use crate::engine::{Engine, Query};
use crate::reply::{Kind, Reply};
use serde::{Deserialize, Serialize};

/// What one chat remembers: ids and numbers only, never message text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The answer topic the conversation is about.
    pub last_topic: Option<String>,
    /// The topics just offered as numbered choices.
    pub choices: Vec<String>,
    /// The section being read page by page: its topic and the page shown.
    pub reading: Option<Reading>,
    /// A fingerprint of the last reply, so it is never sent twice in a row.
    pub last_shown: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reading {
    pub topic: String,
    pub page: usize,
}

/// What arrived: typed text, or a button's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input<'a> {
    Text(&'a str),
    /// A topic chosen directly (button, deep link, command).
    Topic(&'a str),
    /// Page `n` (from 1) of the section of a topic (a Next/Previous button).
    Page(&'a str, usize),
    /// A sticker, photo, voice message or file.
    NonText,
}

/// The reply to one input, with the session brought up to date.
pub fn turn(engine: &Engine, session: &mut Session, input: Input) -> Reply {
    let reply = match input {
        Input::Text(text) => typed(engine, session, text),
        Input::Topic(id) => engine.topic(id).unwrap_or_else(|| engine.greeting()),
        Input::Page(id, n) => engine.page(id, n).unwrap_or_else(|| engine.help()),
        Input::NonText => engine.non_text(),
    };
    let reply = match (
        &session.last_topic,
        session.last_shown == Some(fingerprint(&reply)),
    ) {
        // The same reply again: say so about the topic instead.
        (Some(topic), true) if reply.page.is_none() => engine.no_more(topic),
        _ => reply,
    };
    record(engine, session, &reply);
    reply
}

/// What typed text asks for, in the light of the session.
fn typed(engine: &Engine, session: &Session, text: &str) -> Reply {
    let said = text
        .trim()
        .trim_start_matches('/')
        .trim_end_matches(['.', '!', '?', ')'])
        .to_lowercase();
    if let Some(id) = said
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|n| session.choices.get(n))
    {
        return engine.topic(id).unwrap_or_else(|| engine.help());
    }
    // "the transplant one": the choice just offered that it names.
    if let Some(id) = engine.named_choice(text, &session.choices)
        && let Some(reply) = engine.topic(id)
    {
        return reply;
    }
    let word = said.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(step) = paging(&word) {
        if let Some(r) = &session.reading {
            let n = r.page as isize + step;
            let total = engine.page_count(&r.topic) as isize;
            if n < 1 || n > total {
                return engine.section_end(&r.topic);
            }
            return engine
                .page(&r.topic, n as usize)
                .unwrap_or_else(|| engine.help());
        }
        if step > 0
            && let Some(topic) = &session.last_topic
        {
            return engine
                .page(topic, 1)
                .unwrap_or_else(|| engine.section_end(topic));
        }
    }
    let reply = engine.answer(&Query {
        text,
        last_topic: session.last_topic.as_deref(),
    });
    match &session.last_topic {
        // A follow-up the guide has no answer to about this topic.
        Some(topic)
            if matches!(reply.kind, Kind::Clarify | Kind::Fallback) && engine.leans_back(text) =>
        {
            engine.no_more(topic)
        }
        _ => reply,
    }
}

/// "more", "next", "go on" (+1); "previous", "back" (-1).
fn paging(said: &str) -> Option<isize> {
    const ON: &[&str] = &[
        "more",
        "next",
        "go on",
        "continue",
        "tell me more",
        "more please",
        "keep going",
        "next page",
        "show more",
        "read more",
        "more info",
        "carry on",
        "yes more",
        "and",
        "then",
        "yes",
        "yes please",
        "ok more",
        "more from this section",
    ];
    const BACK: &[&str] = &[
        "previous",
        "back",
        "go back",
        "previous page",
        "prev",
        "last page",
    ];
    if ON.contains(&said) {
        Some(1)
    } else if BACK.contains(&said) {
        Some(-1)
    } else {
        None
    }
}

/// Brings the session up to date with a reply sent (`turn` does this; a
/// front-end calls it for replies it builds itself, such as /help).
pub fn record(engine: &Engine, session: &mut Session, reply: &Reply) {
    if let Some(id) = &reply.intent
        && engine
            .content()
            .intent(id)
            .is_some_and(|i| i.kind == IntentKind::Answer)
        && matches!(
            reply.kind,
            Kind::Answer | Kind::PersonalAdvice | Kind::Urgent
        )
    {
        session.last_topic = Some(id.clone());
    }
    session.choices = reply.choices.iter().map(|c| c.intent.clone()).collect();
    session.reading = match (reply.page, &reply.intent) {
        (Some(p), Some(id)) => Some(Reading {
            topic: id.clone(),
            page: p.n,
        }),
        _ => None,
    };
    session.last_shown = Some(fingerprint(reply));
}

/// A stable fingerprint of what a reply says (FNV-1a over its plain text):
/// the same across processes, so a shared store can compare it.
fn fingerprint(reply: &Reply) -> u64 {
    crate::reply::plain(reply)
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}
