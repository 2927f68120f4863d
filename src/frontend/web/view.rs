//! What the templates show, built from a `Reply` (pure): paragraphs and
//! lines already split, the plain text the Copy button copies, the next
//! best topics. askama escapes every field when it renders.

use crate::engine::Engine;
use crate::reply::{Kind, Reply, plain};
use askama::Template;

/// A topic link.
pub struct Link {
    pub id: String,
    pub title: String,
}

/// One paragraph: its lines (shown with line breaks between).
pub type Paragraph = Vec<String>;

pub struct ExcerptView {
    pub title: String,
    pub paragraphs: Vec<Paragraph>,
    pub source: String,
}

/// One reply, ready to show.
pub struct ReplyView {
    pub kind: &'static str,
    /// Emergency or crisis: the lead is an alert, shown first.
    pub alarm: bool,
    pub lead: Vec<Paragraph>,
    pub excerpt: Option<ExcerptView>,
    /// The topic shown, for the "whole section" link.
    pub intent: Option<String>,
    pub has_more: bool,
    pub choices: Vec<Link>,
    pub related: Vec<Link>,
    pub related_label: String,
    /// Close candidates other than the topic shown and its related ones.
    pub others: Vec<Link>,
    pub footer: Vec<String>,
    /// Exactly what the Copy button copies: the reply as plain text.
    pub plain: String,
}

/// How many other close matches to offer.
const OTHERS: usize = 4;

impl ReplyView {
    pub fn new(reply: &Reply) -> ReplyView {
        let link = |intent: &str, title: &str| Link {
            id: intent.to_string(),
            title: title.to_string(),
        };
        let related: Vec<Link> = reply
            .related
            .iter()
            .map(|c| link(&c.intent, &c.title))
            .collect();
        let shown = |id: &str| {
            reply.intent.as_deref() == Some(id)
                || related.iter().any(|r| r.id == id)
                || reply.choices.iter().any(|c| c.intent == id)
        };
        let others = reply
            .suggestions
            .iter()
            .filter(|s| !shown(&s.intent))
            .take(OTHERS)
            .map(|s| link(&s.intent, &s.title))
            .collect();
        ReplyView {
            kind: reply.kind.as_str(),
            alarm: matches!(reply.kind, Kind::Emergency | Kind::Crisis),
            lead: reply.lead.as_deref().map(paragraphs).unwrap_or_default(),
            excerpt: reply.excerpt.as_ref().map(|e| ExcerptView {
                title: e.title.clone(),
                paragraphs: paragraphs(&e.text),
                source: e.source.clone(),
            }),
            intent: reply.intent.clone(),
            has_more: reply.has_more && reply.excerpt.is_some(),
            choices: reply
                .choices
                .iter()
                .map(|c| link(&c.intent, &c.title))
                .collect(),
            related,
            related_label: reply.related_label.trim_end_matches(':').to_string(),
            others,
            footer: reply.footer.lines().map(str::to_string).collect(),
            plain: plain(reply),
        }
    }
}

/// Blank lines part paragraphs; single line breaks stay inside one.
fn paragraphs(text: &str) -> Vec<Paragraph> {
    text.split("\n\n")
        .map(|p| {
            p.lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// A browsing category and its topics.
pub struct CategoryView {
    pub title: String,
    pub topics: Vec<Link>,
}

/// Every answer topic by category, in the content's order.
pub fn categories(engine: &Engine) -> Vec<CategoryView> {
    engine
        .content()
        .framing
        .categories
        .iter()
        .map(|c| CategoryView {
            title: c.title.clone(),
            topics: engine
                .topics_in(&c.file)
                .into_iter()
                .map(|t| Link {
                    id: t.intent,
                    title: t.title,
                })
                .collect(),
        })
        .filter(|c| !c.topics.is_empty())
        .collect()
}

/// The whole page.
#[derive(Template)]
#[template(path = "page.html")]
pub struct Page {
    /// The window title.
    pub title: String,
    /// What the search box holds.
    pub q: String,
    pub reply: Option<ReplyView>,
    pub categories: Vec<CategoryView>,
    /// Appended to asset addresses, so a new build is fetched anew.
    pub version: &'static str,
}

/// The answer region alone, which the script swaps in as you type.
#[derive(Template)]
#[template(path = "answer.html")]
pub struct Fragment {
    pub reply: Option<ReplyView>,
}

/// A page that is not there.
#[derive(Template)]
#[template(path = "missing.html")]
pub struct Missing {
    pub version: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_on_blank_lines_and_keep_line_breaks() {
        for (text, want) in [
            ("a\n\nb", vec![vec!["a"], vec!["b"]]),
            ("a\nb\n\n\n\nc ", vec![vec!["a", "b"], vec!["c "]]),
            ("", vec![]),
        ] {
            let got = paragraphs(text);
            let want: Vec<Paragraph> = want
                .into_iter()
                .map(|p| p.into_iter().map(|l| l.trim_end().to_string()).collect())
                .collect();
            assert_eq!(got, want, "{text:?}");
        }
    }
}
