//! Whole-content rules, each problem as `file:line: message`: references
//! resolve, examples are unique, patterns compile, excerpts are the guide's
//! own sentences under a real heading and review date, an answer's passage
//! is short (the rest of its section is for "more").

use super::source::{Source, sentences};
use super::types::*;
use crate::text::fold;
use std::collections::HashMap;

/// The longest passage an answer quotes, in characters: the answer comes
/// first and short, and "more" pages through the rest of the section. Each
/// front-end checks that such an answer fits its own message (Telegram's
/// in `frontend::telegram::html`).
pub const EXCERPT_MAX_CHARS: usize = 2000;
/// The marker for a section of the guide that states no review date.
pub const NOT_STATED: &str = "not stated";

pub fn check(content: &Content, src: &Source) -> Vec<Problem> {
    let mut problems = Vec::new();
    check_intents(content, &mut problems);
    for intent in &content.intents {
        if let Some(r) = &intent.response {
            check_response(r, src, &mut problems);
        }
    }
    check_framing(content, &mut problems);
    check_screens(&content.screens, &mut problems);
    check_synonyms(&content.synonyms, &mut problems);
    check_synonyms(&content.lexicon.entries, &mut problems);
    super::conversation::check(content, src, &mut problems);
    problems
}

fn check_intents(content: &Content, problems: &mut Vec<Problem>) {
    let mut ids: HashMap<&str, &Origin> = HashMap::new();
    let mut examples: HashMap<String, (&str, &Origin)> = HashMap::new();
    for intent in &content.intents {
        let o = &intent.origin;
        if let Some(first) = ids.insert(&intent.id, o) {
            problems.push(Problem::at(
                o,
                format!("intent `{}` is defined twice (first at {first})", intent.id),
            ));
        }
        match (intent.kind, &intent.response) {
            (IntentKind::Answer, None) => problems.push(Problem::at(
                o,
                format!("intent `{}` has no response", intent.id),
            )),
            (IntentKind::Answer, Some(_)) => {}
            // The bot's own words, and a quoted topic's passage.
            (IntentKind::Support | IntentKind::SmallTalk | IntentKind::NotInGuide, _)
                if intent.response.is_none() => {}
            (_, Some(r)) => problems.push(Problem::at(
                &r.origin,
                format!(
                    "a response for `{}`, which never answers with an excerpt",
                    intent.id
                ),
            )),
            _ => {}
        }
        if intent.examples.is_empty() {
            problems.push(Problem::at(
                o,
                format!("intent `{}` has no example phrases", intent.id),
            ));
        }
        if intent.kind == IntentKind::Clarify && intent.options.len() < 2 {
            problems.push(Problem::at(
                o,
                format!("clarify intent `{}` needs at least two options", intent.id),
            ));
        }
        for target in intent.related.iter().chain(&intent.options) {
            match content.intent(target) {
                Some(t) if t.kind == IntentKind::Answer => {}
                Some(_) => problems.push(Problem::at(
                    o,
                    format!(
                        "`{}` points to `{target}`, which is not an answer topic",
                        intent.id
                    ),
                )),
                None => problems.push(Problem::at(
                    o,
                    format!("`{}` points to unknown intent `{target}`", intent.id),
                )),
            }
        }
        for (example, eo) in &intent.examples {
            let key = fold(example);
            if key.is_empty() {
                problems.push(Problem::at(eo, "an example phrase with no words"));
                continue;
            }
            match examples.get(&key) {
                Some((other, first)) if *other != intent.id => problems.push(Problem::at(
                    eo,
                    format!(
                        "example \"{example}\" is shared by `{}` and `{other}` (first at {first})",
                        intent.id
                    ),
                )),
                Some(_) => problems.push(Problem::at(
                    eo,
                    format!("example \"{example}\" is repeated in `{}`", intent.id),
                )),
                None => {
                    examples.insert(key, (&intent.id, eo));
                }
            }
        }
    }
}

fn check_response(r: &Response, src: &Source, problems: &mut Vec<Problem>) {
    let o = &r.origin;
    if !src.has_line(&r.section) {
        problems.push(Problem::at(
            o,
            format!(
                "section \"{}\" is not a heading of the source document",
                r.section
            ),
        ));
    }
    if let Some(sub) = &r.subsection
        && !src.has_line(sub)
    {
        problems.push(Problem::at(
            o,
            format!("subsection \"{sub}\" is not a heading of the source document"),
        ));
    }
    if r.reviewed != NOT_STATED && !src.review_dates().contains(&r.reviewed) {
        problems.push(Problem::at(
            o,
            format!(
                "review date \"{}\" is not a Last Medical Review date of the source",
                r.reviewed
            ),
        ));
    }
    if r.excerpt.trim().is_empty() {
        problems.push(Problem::at(o, "empty excerpt"));
    }
    for sentence in sentences(&r.excerpt) {
        if !src.contains(&sentence) {
            problems.push(Problem::at(
                o,
                format!("excerpt sentence not found in the source: \"{sentence}\""),
            ));
        }
    }
    let len = r.excerpt.trim().chars().count();
    if len > EXCERPT_MAX_CHARS {
        problems.push(Problem::at(
            o,
            format!(
                "excerpt is {len} characters; an answer quotes at most {EXCERPT_MAX_CHARS} (\"more\" reads the rest of the section)"
            ),
        ));
    }
}

fn check_framing(content: &Content, problems: &mut Vec<Problem>) {
    let f = &content.framing;
    let o = &content.framing_origin;
    for number in ["1-800-227-2345", "1-800-303-5691"] {
        if !f.footer.contains(number) {
            problems.push(Problem::at(
                o,
                format!("the footer lacks the number {number}"),
            ));
        }
    }
    if !f.footer.to_lowercase().contains("medical advice") {
        problems.push(Problem::at(
            o,
            "the footer lacks the not-medical-advice disclaimer",
        ));
    }
    if !f.emergency.contains("911") || !f.crisis.contains("911") || !f.crisis.contains("988") {
        problems.push(Problem::at(
            o,
            "the emergency text must name 911, and the crisis text 911 and 988",
        ));
    }
    for c in &f.categories {
        if !content.intents.iter().any(|i| i.category == c.file) {
            problems.push(Problem::at(
                o,
                format!("category `{}` has no intents file", c.file),
            ));
        }
    }
}

/// What can be told of the screens without compiling them (the safety
/// module compiles them and runs their canaries: `Safety::build`).
fn check_screens(screens: &Screens, problems: &mut Vec<Problem>) {
    for level in [
        Level::Crisis,
        Level::Emergency,
        Level::Urgent,
        Level::PersonalAdvice,
    ] {
        if !screens.triage.iter().any(|s| s.level == level) {
            problems.push(Problem::at(
                &screens.origin,
                format!(
                    "no `{}` screen: every triage level needs one",
                    level.as_str()
                ),
            ));
        }
    }
    for screen in screens.all() {
        let name = &screen.name;
        if name.is_empty() {
            problems.push(Problem::at(&screen.origin, "a screen without a `name`"));
        }
        // Only a triage screen needs a level; the others are read as they are.
        let triage = screens.triage.iter().any(|s| std::ptr::eq(s, screen));
        if screen.level == Level::None && triage {
            problems.push(Problem::at(
                &screen.origin,
                format!("screen `{name}` has no `level`"),
            ));
        }
        if screen.patterns.is_empty() {
            problems.push(Problem::at(
                &screen.origin,
                format!("screen `{name}` has no patterns"),
            ));
        }
        if screen.must_match.is_empty() || screen.must_not_match.is_empty() {
            problems.push(Problem::at(
                &screen.origin,
                format!("screen `{name}` needs `must_match` and `must_not_match` samples"),
            ));
        }
    }
}

fn check_synonyms(synonyms: &[Synonym], problems: &mut Vec<Problem>) {
    let mut seen: HashMap<String, &Origin> = HashMap::new();
    for s in synonyms {
        for from in &s.from {
            let key = fold(from);
            if key != *from {
                problems.push(Problem::at(
                    &s.origin,
                    format!("synonym \"{from}\" is not in normalised form (\"{key}\")"),
                ));
            }
            if let Some(first) = seen.insert(key, &s.origin) {
                problems.push(Problem::at(
                    &s.origin,
                    format!("synonym \"{from}\" is listed twice (first at {first})"),
                ));
            }
        }
    }
}
