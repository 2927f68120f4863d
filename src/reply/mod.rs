//! Replies: the format-neutral `Reply` the engine composes, and the renderers
//! that turn it into plain text or JSON. Every renderer appends the footer;
//! none can leave it out. Each front-end renders its own markup from `Reply`.

mod render;

pub use render::{json_line, plain};

use serde::Serialize;

/// The kind of a reply (see PRODUCT.md, "The kinds of reply").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Answer,
    Clarify,
    Fallback,
    Emergency,
    /// Suicidal thoughts, plans or means: 911 and 988 first.
    Crisis,
    /// Symptoms for the care team today: the care-team line first.
    Urgent,
    PersonalAdvice,
    /// A treatment, drug or question (prognosis) the 2016 guide does not cover.
    NotInGuide,
    /// Fear, grief, guilt, overwhelm: a warm line, the 24/7 number.
    Support,
    /// Thanks, bye, "are you a person".
    SmallTalk,
    Greeting,
    Help,
    NonText,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::Answer,
        Kind::Clarify,
        Kind::Fallback,
        Kind::Emergency,
        Kind::Crisis,
        Kind::Urgent,
        Kind::PersonalAdvice,
        Kind::NotInGuide,
        Kind::Support,
        Kind::SmallTalk,
        Kind::Greeting,
        Kind::Help,
        Kind::NonText,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Answer => "answer",
            Kind::Clarify => "clarify",
            Kind::Fallback => "fallback",
            Kind::Emergency => "emergency",
            Kind::Crisis => "crisis",
            Kind::Urgent => "urgent",
            Kind::PersonalAdvice => "personal_advice",
            Kind::NotInGuide => "not_in_guide",
            Kind::Support => "support",
            Kind::SmallTalk => "small_talk",
            Kind::Greeting => "greeting",
            Kind::Help => "help",
            Kind::NonText => "non_text",
        }
    }
}

/// A topic offered to the person (a clarify option, a related topic).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub intent: String,
    pub title: String,
}

/// A ranked candidate, as reported in JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub intent: String,
    pub title: String,
    pub score: f32,
}

/// The guide's words and where they come from.
#[derive(Debug, Clone, PartialEq)]
pub struct Excerpt {
    /// The answer topic whose passage this is.
    pub topic: String,
    pub title: String,
    pub text: String,
    /// `ACS "Treating Liver Cancer", <section>. Last Medical Review: <date>`.
    pub source: String,
}

/// A page of a section being read: `n` of `total`, from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub n: usize,
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub kind: Kind,
    /// The topic answered (answer, personal advice with an excerpt).
    pub intent: Option<String>,
    pub confidence: f32,
    pub suggestions: Vec<Suggestion>,
    /// The bot's own words before any excerpt (emergency line, care-team
    /// note, clarify question, greeting, fallback).
    pub lead: Option<String>,
    pub excerpt: Option<Excerpt>,
    /// Further passages, each short and labelled: the second side of a
    /// comparison or of a two-part question.
    pub also: Vec<Excerpt>,
    /// Which page of a section `excerpt` is, when reading "more".
    pub page: Option<Page>,
    /// Numbered options (clarify) or topics to browse.
    pub choices: Vec<Choice>,
    pub related: Vec<Choice>,
    /// Whether a fuller passage ("more") exists for `intent`.
    pub has_more: bool,
    /// Disclaimer and both numbers; every renderer ends with it.
    pub footer: String,
    /// Label before related topics ("Related:").
    pub related_label: String,
    /// The triage level and the signals behind it, when triage ran.
    pub triage: Option<crate::safety::Triage>,
}
