//! Renderers: plain text (console, JSON `reply`) and a JSON line. Each ends
//! with the footer. Markup for a front-end (Telegram's HTML, the web page)
//! is that front-end's own.

use super::Reply;
use serde::Serialize;

/// Related topics named in plain text at most: the answer comes first, and
/// the guide's words stay most of a reply (issue 8; the web page and the
/// Telegram buttons list them all).
pub const RELATED_SHOWN: usize = 1;

/// The reply as a person reads it in a terminal or as plain text.
pub fn plain(reply: &Reply) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(lead) = &reply.lead {
        parts.push(lead.clone());
    }
    for ex in reply.excerpt.iter().chain(&reply.also) {
        parts.push(format!("{}\n\n{}", ex.title, ex.text));
        parts.push(ex.source.clone());
    }
    if !reply.choices.is_empty() {
        let list: Vec<String> = reply
            .choices
            .iter()
            .enumerate()
            .map(|(n, c)| format!("{}. {}", n + 1, c.title))
            .collect();
        parts.push(list.join("\n"));
    }
    if !reply.related.is_empty() {
        let titles: Vec<&str> = reply
            .related
            .iter()
            .take(RELATED_SHOWN)
            .map(|c| c.title.as_str())
            .collect();
        parts.push(format!("{} {}", reply.related_label, titles.join(" · ")));
    }
    parts.push(reply.footer.clone());
    parts.join("\n\n")
}

#[derive(Serialize)]
struct JsonReply<'a> {
    question: &'a str,
    kind: super::Kind,
    intent: Option<&'a str>,
    confidence: f32,
    suggestions: &'a [super::Suggestion],
    #[serde(skip_serializing_if = "Option::is_none")]
    triage: Option<&'a crate::safety::Triage>,
    reply: String,
}

/// One line of `ask --json` output.
pub fn json_line(question: &str, reply: &Reply) -> String {
    let out = JsonReply {
        question,
        kind: reply.kind,
        intent: reply.intent.as_deref(),
        confidence: (reply.confidence * 1000.0).round() / 1000.0,
        suggestions: &reply.suggestions,
        triage: reply.triage.as_ref(),
        reply: plain(reply),
    };
    serde_json::to_string(&out).unwrap_or_else(|_| String::from("{}"))
}
