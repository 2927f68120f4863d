//! The command line's own parts: the exit status a reply gives (so scripts
//! tell answered, unanswered and emergency apart), `topics [--search]`,
//! `show ID`, and broken pipes (`liverline ask ... | head -1`) ending
//! quietly.

use crate::content::IntentKind;
use crate::engine::Engine;
use crate::reply::{Kind, Reply};

/// Exit statuses of `ask QUESTION` (README, `liverline --help`).
pub const ANSWERED: u8 = 0;
/// fallback, clarify, not_in_guide, non_text: no passage answers it.
pub const UNANSWERED: u8 = 1;
/// A usage error or a failure (clap's own status for usage errors).
pub const FAILED: u8 = 2;
/// emergency, crisis: the reply says to call 911.
pub const EMERGENCY: u8 = 3;

/// The exit status for a reply of this kind.
pub fn status(kind: Kind) -> u8 {
    match kind {
        Kind::Emergency | Kind::Crisis => EMERGENCY,
        Kind::Fallback | Kind::Clarify | Kind::NotInGuide | Kind::NonText => UNANSWERED,
        Kind::Answer
        | Kind::Urgent
        | Kind::PersonalAdvice
        | Kind::Support
        | Kind::SmallTalk
        | Kind::Greeting
        | Kind::Help => ANSWERED,
    }
}

/// One row of `liverline topics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRow {
    pub id: String,
    pub category: String,
    pub title: String,
}

/// Every answer topic, by browsing category (as the web page and Telegram's
/// /topics show them); with `search`, those whose id, title, keywords or
/// example phrases hold every one of its words (case-insensitive).
pub fn topics(engine: &Engine, search: Option<&str>) -> Vec<TopicRow> {
    let categories = &engine.content().framing.categories;
    let mut rows = matching(engine, search);
    // A stable sort: content order within a category; unlisted ones last.
    rows.sort_by_key(|r| {
        categories
            .iter()
            .position(|c| c.file == r.category)
            .unwrap_or(usize::MAX)
    });
    rows
}

fn matching(engine: &Engine, search: Option<&str>) -> Vec<TopicRow> {
    let words: Vec<String> = search
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    engine
        .content()
        .intents
        .iter()
        .filter(|i| i.kind == IntentKind::Answer)
        .filter(|i| {
            let mut hay = format!(
                "{} {} {}",
                i.id.replace('_', " "),
                i.title,
                i.keywords.join(" ")
            );
            for (e, _) in &i.examples {
                hay.push(' ');
                hay.push_str(e);
            }
            let hay = hay.to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .map(|i| TopicRow {
            id: i.id.clone(),
            category: i.category.clone(),
            title: i.title.clone(),
        })
        .collect()
}

/// Aligned rows: id, category, title.
pub fn topic_table(rows: &[TopicRow]) -> String {
    let id_w = rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let cat_w = rows.iter().map(|r| r.category.len()).max().unwrap_or(0);
    rows.iter()
        .map(|r| format!("{:id_w$}  {:cat_w$}  {}\n", r.id, r.category, r.title))
        .collect()
}

/// `show ID [--more]`: the topic's reply, or an error naming close ids.
pub fn show(engine: &Engine, id: &str, more: bool) -> Result<Reply, String> {
    let reply = if more {
        engine.more(id)
    } else {
        engine.topic(id)
    };
    reply.ok_or_else(|| {
        let mut close: Vec<(f64, &str)> = engine
            .content()
            .intents
            .iter()
            .filter(|i| i.kind == IntentKind::Answer)
            .map(|i| (strsim::jaro_winkler(id, &i.id), i.id.as_str()))
            .filter(|(s, _)| *s > 0.8)
            .collect();
        close.sort_by(|a, b| b.0.total_cmp(&a.0));
        let hint = match close.first() {
            Some((_, best)) => format!(" (did you mean {best}?)"),
            None => String::new(),
        };
        format!("no topic {id:?}{hint}; `liverline topics` lists them")
    })
}

/// Whether an error is a closed pipe on the way out (`| head -1`): the
/// reader has what it wanted, so it ends quietly with success.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_tell_answered_unanswered_and_emergency_apart() {
        for kind in Kind::ALL {
            let want = match kind.as_str() {
                "emergency" | "crisis" => EMERGENCY,
                "fallback" | "clarify" | "not_in_guide" | "non_text" => UNANSWERED,
                _ => ANSWERED,
            };
            assert_eq!(status(kind), want, "{kind:?}");
        }
    }

    #[test]
    fn broken_pipes_are_found_in_the_chain() {
        let pipe = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "gone");
        assert!(is_broken_pipe(&anyhow::Error::new(pipe).context("writing")));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
