//! Conversation data (`intents/conversation.toml`): words that never carry
//! a match alone, the words of a message that only refers back ("more",
//! "yes", "2"), treatments the 2016 guide does not cover, and routes from a
//! pattern to an intent (prognosis, feelings, small talk) read before the
//! matcher. Parsed here; `check` validates it against the rest.

use super::source::Source;
use super::types::{Content, IntentKind, Origin, Problem, Screen};
use crate::text::fold;
use serde::Deserialize;
use toml::Spanned;

/// A treatment, drug or test the guide does not cover.
#[derive(Debug, Clone, Default)]
pub struct Newer {
    /// How a reply names it ("nivolumab (Opdivo)").
    pub name: String,
    /// Folded words or phrases that mean it, brand names included.
    pub names: Vec<String>,
    pub origin: Origin,
}

/// Messages matching `screen` go to the intent `to`, unless the matcher is
/// sure of an answer topic and `yield_to_topic` is set.
#[derive(Debug, Clone, Default)]
pub struct Route {
    pub to: String,
    pub screen: Screen,
    pub yield_to_topic: bool,
    pub origin: Origin,
}

#[derive(Debug, Clone, Default)]
pub struct Conversation {
    /// Folded words that never carry a match on their own.
    pub stray: Vec<String>,
    /// Folded words a message may consist of and still only refer back.
    pub contextless: Vec<String>,
    pub newer: Vec<Newer>,
    pub routes: Vec<Route>,
    pub origin: Origin,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConversation {
    #[serde(default)]
    stray: Vec<String>,
    #[serde(default)]
    contextless: Vec<String>,
    #[serde(default)]
    newer: Vec<Spanned<RawNewer>>,
    #[serde(default)]
    route: Vec<Spanned<RawRoute>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNewer {
    name: String,
    names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    to: String,
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
    #[serde(default)]
    yield_to_topic: bool,
}

/// Parses the file; `origin` turns a byte offset into `file:line`.
pub(super) fn parse(
    text: &str,
    file: &str,
    origin: impl Fn(usize) -> Origin,
) -> Result<Conversation, Problem> {
    let raw: RawConversation = toml::from_str(text).map_err(|e| {
        let o = origin(e.span().map_or(0, |s| s.start));
        Problem::at(&o, e.message().replace('\n', " "))
    })?;
    let list = |items: Vec<Spanned<String>>| {
        items
            .into_iter()
            .map(|s| {
                let o = origin(s.span().start);
                (s.into_inner(), o)
            })
            .collect()
    };
    Ok(Conversation {
        stray: raw.stray,
        contextless: raw.contextless,
        newer: raw
            .newer
            .into_iter()
            .map(|n| {
                let o = origin(n.span().start);
                let n = n.into_inner();
                Newer {
                    name: n.name,
                    names: n.names,
                    origin: o,
                }
            })
            .collect(),
        routes: raw
            .route
            .into_iter()
            .map(|r| {
                let o = origin(r.span().start);
                let r = r.into_inner();
                Route {
                    to: r.to,
                    screen: Screen {
                        name: String::new(),
                        patterns: list(r.patterns),
                        unless: list(r.unless),
                        origin: o.clone(),
                        ..Screen::default()
                    },
                    yield_to_topic: r.yield_to_topic,
                    origin: o,
                }
            })
            .collect(),
        origin: Origin {
            file: file.to_string(),
            line: 1,
        },
    })
}

/// The whole-content rules for conversation data and the intents that
/// answer in the bot's own words.
pub(super) fn check(content: &Content, src: &Source, problems: &mut Vec<Problem>) {
    let conv = &content.conversation;
    for word in conv.stray.iter().chain(&conv.contextless) {
        if fold(word) != *word || word.contains(' ') {
            problems.push(Problem::at(
                &conv.origin,
                format!("\"{word}\" is not one folded word"),
            ));
        }
    }
    let guide = fold(src.flat());
    let guide = format!(" {guide} ");
    for n in &conv.newer {
        if n.names.is_empty() {
            problems.push(Problem::at(&n.origin, format!("`{}` has no names", n.name)));
        }
        for name in &n.names {
            if fold(name) != *name {
                problems.push(Problem::at(
                    &n.origin,
                    format!("name \"{name}\" is not in folded form"),
                ));
            }
            // What the guide names, it covers: such a name is not "newer".
            if guide.contains(&format!(" {name} ")) {
                problems.push(Problem::at(
                    &n.origin,
                    format!("\"{name}\" is in the guide, so the guide covers it"),
                ));
            }
        }
    }
    for r in &conv.routes {
        match content.intent(&r.to) {
            Some(i) if i.kind != IntentKind::Answer && i.kind != IntentKind::Clarify => {}
            Some(_) => problems.push(Problem::at(
                &r.origin,
                format!("route to `{}`, an intent that quotes a passage", r.to),
            )),
            None => problems.push(Problem::at(
                &r.origin,
                format!("route to unknown intent `{}`", r.to),
            )),
        }
        for (pattern, o) in r.screen.patterns.iter().chain(&r.screen.unless) {
            // The syntax (the route set itself is built once, at start-up).
            if regex_syntax::ParserBuilder::new()
                .unicode(false)
                .build()
                .parse(pattern)
                .is_err()
            {
                problems.push(Problem::at(o, format!("invalid regex /{pattern}/")));
            }
        }
    }
    // Telegram's limits for the bot's description and short description.
    let f = &content.framing;
    for (name, text, max) in [
        ("description", &f.description, 512),
        ("short_description", &f.short_description, 120),
    ] {
        if text.chars().count() > max {
            problems.push(Problem::at(
                &content.framing_origin,
                format!("{name} is longer than Telegram's {max} characters"),
            ));
        }
    }
    for intent in &content.intents {
        let own_words = matches!(
            intent.kind,
            IntentKind::Support | IntentKind::SmallTalk | IntentKind::NotInGuide
        );
        if own_words && intent.reply.as_deref().is_none_or(str::is_empty) {
            problems.push(Problem::at(
                &intent.origin,
                format!("intent `{}` needs a `reply`", intent.id),
            ));
        }
        if let Some(q) = &intent.quote
            && content
                .intent(q)
                .is_none_or(|t| t.kind != IntentKind::Answer)
        {
            problems.push(Problem::at(
                &intent.origin,
                format!("`{}` quotes `{q}`, which is not an answer topic", intent.id),
            ));
        }
    }
}
