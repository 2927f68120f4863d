//! Content data model: the ready, validated objects the engine uses.

use serde::Serialize;
use std::fmt;

/// What a matched intent leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IntentKind {
    /// Quotes an excerpt of the guide.
    #[default]
    Answer,
    /// Too broad: asks which of `options` the person means.
    Clarify,
    /// Something the guide does not answer: the fallback reply.
    OutOfScope,
    Greeting,
    Help,
    /// Feelings (fear, grief, guilt, overwhelm): the intent's own warm
    /// `reply`, the 24/7 line, the passage it `quote`s.
    Support,
    /// Thanks, bye, "are you a person": the intent's own short `reply`.
    SmallTalk,
    /// A question the 2016 guide does not answer (prognosis, survival): the
    /// intent's `reply`, and the passage it `quote`s where the guide speaks
    /// to it.
    NotInGuide,
}

/// Where an item was written, for `file:line` messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A curated excerpt of the guide and where it comes from.
#[derive(Debug, Clone)]
pub struct Response {
    pub section: String,
    pub subsection: Option<String>,
    /// "Last Medical Review" date of the section, or "not stated".
    pub reviewed: String,
    pub excerpt: String,
    pub origin: Origin,
}

/// One topic a person can ask about.
#[derive(Debug, Clone)]
pub struct Intent {
    pub id: String,
    pub kind: IntentKind,
    pub title: String,
    /// Topics of one treatment share a family (follow-ups stay in it).
    pub family: String,
    /// Which facet of the family this is ("what", "side_effects", ...).
    pub aspect: String,
    /// The content file's stem, used as the browsing category.
    pub category: String,
    pub related: Vec<String>,
    pub keywords: Vec<String>,
    pub examples: Vec<(String, Origin)>,
    pub options: Vec<String>,
    pub response: Option<Response>,
    /// The bot's own words for an intent that answers without an excerpt
    /// of its own (support, small talk, not in the guide); no medical claim.
    pub reply: Option<String>,
    /// An answer topic whose passage such an intent shows, shortened.
    pub quote: Option<String>,
    pub origin: Origin,
}

/// A phrase replacement applied to normalised text before matching.
#[derive(Debug, Clone)]
pub struct Synonym {
    pub from: Vec<String>,
    pub to: String,
    pub origin: Origin,
}

/// How urgently a message must be met, most urgent first. Triage decides
/// it before any topic matching; see `crate::safety`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Suicidal thoughts, plans or means, about oneself or someone else.
    Crisis,
    /// A medical emergency happening now: call 911.
    Emergency,
    /// Symptoms for the care team today.
    Urgent,
    /// A question about one's own treatment: the care team decides.
    PersonalAdvice,
    #[default]
    None,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::Crisis,
        Level::Emergency,
        Level::Urgent,
        Level::PersonalAdvice,
        Level::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Crisis => "crisis",
            Level::Emergency => "emergency",
            Level::Urgent => "urgent",
            Level::PersonalAdvice => "personal_advice",
            Level::None => "none",
        }
    }
}

/// Which care-team preface a personal-advice reply opens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Preface {
    /// Changing, stopping, skipping or combining a medicine or a treatment.
    Change,
    /// Whether a treatment suits or is open to the person.
    Eligibility,
    /// What one's own results, scans or numbers mean.
    Results,
    #[default]
    General,
}

/// A screen: matches when any pattern matches and no `unless` pattern does.
/// Its canaries (`must_match`, `must_not_match`) are sample messages the
/// content check runs through the whole triage, so a screen that stops
/// working is an error, never a silent gap.
#[derive(Debug, Clone, Default)]
pub struct Screen {
    pub name: String,
    pub level: Level,
    pub preface: Preface,
    pub patterns: Vec<(String, Origin)>,
    pub unless: Vec<(String, Origin)>,
    pub must_match: Vec<(String, Origin)>,
    pub must_not_match: Vec<(String, Origin)>,
    pub origin: Origin,
}

/// The safety and scope screens, as regular expressions over normalised text.
#[derive(Debug, Clone, Default)]
pub struct Screens {
    /// Word classes patterns name as `{name}`: (name, regex).
    pub words: Vec<(String, String, Origin)>,
    /// The triage screens (crisis, emergency, urgent, personal advice).
    pub triage: Vec<Screen>,
    /// Each a screen of its own, with its own exceptions.
    pub out_of_scope: Vec<Screen>,
    /// Messages that are only a greeting or thanks.
    pub small_talk: Screen,
    /// Messages the triage model is not asked about (general questions,
    /// past events since resolved, figures of speech).
    pub model_veto: Option<Screen>,
    /// Messages told at one remove (staff about callers, a drama, hearsay,
    /// imagined or planned for): no emergency screen fires on them.
    pub at_one_remove: Option<Screen>,
    pub origin: Origin,
}

impl Screens {
    /// Every screen: the triage screens, then the scope screens, small
    /// talk, the model veto and the at-one-remove screen.
    pub fn all(&self) -> impl Iterator<Item = &Screen> {
        self.triage
            .iter()
            .chain(&self.out_of_scope)
            .chain(std::iter::once(&self.small_talk))
            .chain(&self.model_veto)
            .chain(&self.at_one_remove)
    }
}

/// The triage lexicon (`intents/triage.toml`): danger words that a
/// misspelling is corrected to, and variants read as those words.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub vocabulary: Vec<String>,
    /// Variant phrase -> the words it is read as.
    pub entries: Vec<Synonym>,
    /// The files of labelled messages the triage model learns from
    /// (`intents/triage_examples*.toml`), read by [`Lexicon::examples`]
    /// only when the model is trained: the stored model stands for them
    /// while their text is what it was trained on, and reading them is
    /// half the time it takes to load the content.
    pub example_files: Vec<super::File>,
    pub origin: Origin,
}

/// A browsing category: a content file of intents and its display title.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub file: String,
    pub title: String,
}

/// The text the bot writes itself. None of it makes a medical claim.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framing {
    /// Ends every reply: the disclaimer and both numbers.
    pub footer: String,
    pub greeting: String,
    pub help: String,
    pub fallback: String,
    // conversation
    /// After a feeling: the 24/7 line.
    pub support_line: String,
    /// A treatment the guide does not cover; `{name}` is what was asked about.
    pub newer: String,
    /// A number, "more" or "yes" with nothing to refer to.
    pub more_about_what: String,
    /// A follow-up the guide has no answer to; `{topic}` is the topic's title.
    pub no_more: String,
    /// Before two passages of a comparison or a two-part question.
    pub compare: String,
    /// Before the guide's words on choosing, for "which is better".
    pub which_better: String,
    /// Above a page of a section: `{n}` of `{total}`.
    pub page: String,
    /// In a group, instead of a page of a section.
    pub private_more: String,
    /// After the last page of a section.
    pub section_end: String,
    /// Button labels.
    pub next: String,
    pub previous: String,
    pub share: String,
    /// `setMyDescription` and `setMyShortDescription`.
    pub description: String,
    pub short_description: String,
    pub emergency: String,
    pub crisis: String,
    /// Opens an urgent reply: the care team today; 911 if it gets worse.
    pub urgent: String,
    /// Personal-advice prefaces: general, changing a medicine or treatment,
    /// whether a treatment suits the person, and one's own results.
    pub personal_advice: String,
    pub advice_change: String,
    pub advice_eligibility: String,
    pub advice_results: String,
    pub non_text: String,
    pub empty: String,
    pub clarify: String,
    pub related: String,
    pub topics: String,
    pub source: String,
    pub source_undated: String,
    pub categories: Vec<Category>,
}

/// Everything a content folder holds, parsed.
#[derive(Debug, Clone)]
pub struct Content {
    pub intents: Vec<Intent>,
    pub synonyms: Vec<Synonym>,
    pub screens: Screens,
    pub lexicon: Lexicon,
    pub framing: Framing,
    pub framing_origin: Origin,
    /// Data for conversation: stray words, context words, newer treatments,
    /// routes (`intents/conversation.toml`).
    pub conversation: super::conversation::Conversation,
    /// A hash of the text of every `intents/*.toml` but the screens
    /// (`safety.toml`): the triage model's inputs, for its fingerprint.
    pub model_inputs: u64,
    /// A hash of the text of every content file but the screens and the
    /// triage examples: the topic matcher's inputs, for its fingerprint.
    pub topic_inputs: u64,
}

impl Content {
    pub fn intent(&self, id: &str) -> Option<&Intent> {
        self.intents.iter().find(|i| i.id == id)
    }
}

/// One content problem, shown as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl Problem {
    pub fn at(origin: &Origin, message: impl Into<String>) -> Problem {
        Problem {
            file: origin.file.clone(),
            line: origin.line,
            message: message.into(),
        }
    }
}
