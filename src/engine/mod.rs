//! `Engine::answer(&Query) -> Reply`: normalise, screen for emergencies
//! (before anything else), screen scope, classify, resolve follow-ups from
//! the chat's last topic, decide (answer, clarify, fallback), screen for
//! personal advice, compose. Sync, deterministic, no I/O.
//!
//! `tuning` holds the thresholds, `decide` the reading of a ranking (facets,
//! follow-ups, ambiguity), `compose` the replies.

mod compose;
mod converse;
mod decide;
mod pages;
mod replies;
#[cfg(test)]
mod tests;
mod tuning;

pub use tuning::Tuning;

use crate::content::{Content, IntentKind, Level, Problem};
use crate::nlu::{Classifier, Normalizer};
use crate::reply::{Choice, Kind, Reply};
use crate::safety::Safety;
use compose::choice;
use decide::leans_on_context;
use std::collections::HashSet;

/// Messages are read up to this many characters; a 100 KB paste is screened
/// and matched on its opening, which is where the question is.
pub const MAX_CHARS: usize = 4000;

/// One message and what the chat knows.
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    pub text: &'a str,
    /// The intent the chat's previous answer was about.
    pub last_topic: Option<&'a str>,
}

impl<'a> Query<'a> {
    pub fn new(text: &'a str) -> Query<'a> {
        Query {
            text,
            last_topic: None,
        }
    }
}

#[derive(Debug)]
pub struct Engine {
    content: Content,
    norm: Normalizer,
    classifier: Classifier,
    safety: Safety,
    tuning: Tuning,
    /// Per intent index: the terms of a broad (clarify) intent's examples,
    /// empty for other intents. What is left of a message without them
    /// tells whether it names a treatment.
    broad_terms: Vec<HashSet<String>>,
    /// Broad intents with a facet (not "what") and their keywords as stem
    /// sequences: a message holding one asks for that facet.
    facet_keys: Vec<(usize, Vec<Vec<String>>)>,
    /// Per intent index: the stems of its excerpt, so a facet keyword the
    /// passage itself speaks to ("reduce side effects") keeps that passage.
    excerpt_terms: Vec<Vec<String>>,
    conversing: converse::Conversing,
}

impl Engine {
    /// The engine for checked content. Panics when the content's screens
    /// do not build: for the shipped content, which the tests prove; use
    /// [`Engine::build`] for anything else.
    pub fn new(content: Content) -> Engine {
        Engine::with_tuning(content, Tuning::default())
    }

    pub fn with_tuning(content: Content, tuning: Tuning) -> Engine {
        Engine::build(content, tuning)
            .unwrap_or_else(|problems| panic!("content that does not build: {}", problems[0]))
    }

    /// The one gate every engine passes (`check`, start-up, reload): the
    /// matcher learns, the triage screens compile and run their canaries.
    /// Content whose screens fail is refused with every problem, never
    /// served with a screen missing.
    pub fn build(content: Content, tuning: Tuning) -> Result<Engine, Vec<Problem>> {
        let norm = Normalizer::new(&content);
        // The screens compile and run their samples on other threads while
        // this one builds the matcher and the rest: all of it is pure, so
        // the result is the same, only start-up is shorter.
        let (safety, built) = std::thread::scope(|scope| {
            let safety = scope.spawn(|| Safety::build(&content, &norm));
            let classifier = Classifier::stored_or_new(
                &content,
                &norm,
                tuning.weights,
                crate::content::embedded_topic_model(),
            );
            let conversing =
                converse::Conversing::new(&content, &norm, converse::Conversing::routes(&content));
            let broad_terms = content
                .intents
                .iter()
                .map(|i| match i.kind {
                    IntentKind::Clarify => i
                        .examples
                        .iter()
                        .flat_map(|(e, _)| norm.normalize(e).terms)
                        .collect(),
                    _ => HashSet::new(),
                })
                .collect();
            let facet_keys = content
                .intents
                .iter()
                .enumerate()
                .filter(|(_, i)| i.kind == IntentKind::Clarify && i.aspect != "what")
                .map(|(n, i)| {
                    (
                        n,
                        i.keywords
                            .iter()
                            .map(|k| norm.normalize(k).terms)
                            .filter(|t| !t.is_empty())
                            .collect(),
                    )
                })
                .collect();
            let excerpt_terms = content
                .intents
                .iter()
                .map(|i| {
                    i.response
                        .as_ref()
                        .map(|r| norm.normalize(&r.excerpt).terms)
                        .unwrap_or_default()
                })
                .collect();
            let safety = safety.join().unwrap_or_else(|_| {
                Err(vec![Problem::at(
                    &content.screens.origin,
                    "the safety screens could not be built",
                )])
            });
            (
                safety,
                (
                    classifier,
                    conversing,
                    broad_terms,
                    facet_keys,
                    excerpt_terms,
                ),
            )
        });
        let safety = safety?;
        let (classifier, conversing, broad_terms, facet_keys, excerpt_terms) = built;
        Ok(Engine {
            conversing,
            content,
            norm,
            classifier,
            safety,
            tuning,
            broad_terms,
            facet_keys,
            excerpt_terms,
        })
    }

    /// The ranked intents for a message, for `eval` reports: (id, score).
    pub fn explain(&self, text: &str) -> Vec<(String, f32)> {
        let message = self.norm.normalize(truncate(text, MAX_CHARS));
        self.classifier
            .rank(&message)
            .iter()
            .take(4)
            .map(|c| (self.content.intents[c.intent].id.clone(), c.score))
            .collect()
    }

    pub fn content(&self) -> &Content {
        &self.content
    }

    /// The reply to one message.
    pub fn answer(&self, query: &Query) -> Reply {
        let text = truncate(query.text, MAX_CHARS);
        // Triage first, on the raw text (it folds look-alikes itself): no
        // topic match can ever hide an emergency.
        let (findings, triage) = self.safety.screen(text, &self.norm);
        match findings.level {
            Level::Crisis => {
                return self.triaged(Kind::Crisis, &self.content.framing.crisis, triage);
            }
            Level::Emergency => {
                return self.triaged(Kind::Emergency, &self.content.framing.emergency, triage);
            }
            _ => {}
        }
        let words = self.norm.words(text);
        if words.is_empty() {
            // Nothing but a bot command, a mention, no words at all, or only
            // words in a script it cannot read.
            return match command(text) {
                Some("start") => self.greeting(),
                Some(_) => self.help(),
                // "...", "?": as context-less as "more".
                None if !text.trim().is_empty()
                    && text.trim().chars().all(|c| c.is_ascii_punctuation()) =>
                {
                    self.more_about_what()
                }
                // Other scripts, emoji: nothing it can read.
                None if !text.trim().is_empty() => {
                    self.framed(Kind::Fallback, &self.content.framing.empty)
                }
                None => self.framed(Kind::Help, &self.content.framing.empty),
            };
        }
        let message = self.norm.from_words(&words);
        let last = query.last_topic.and_then(|id| self.index_of(id));
        let scale = self.length_scale(&message);
        let ranked = self.classifier.rank(&message);
        let ranked = match last {
            Some(i) if leans_on_context(&message.words) => {
                self.in_context(&message, ranked, i, scale)
            }
            _ => ranked,
        };
        // Conversation routes read the folded words and the synonym-mapped ones.
        let screened = format!(" {} | {} ", words.join(" "), message.text());
        let heard = converse::Heard {
            words: &words,
            message: &message,
            screened: &screened,
            question: converse::asks(text),
        };
        let decision = match self.converse(heard, &ranked, last, scale) {
            Some(d) => d,
            None => self.decide(&message, &ranked, last, findings, scale),
        };
        let mut reply = self.compose(decision, &ranked, findings);
        reply.triage = Some(triage);
        reply
    }

    /// The triage level of a message and why (`ask --json` reports it).
    pub fn triage(&self, text: &str) -> crate::safety::Triage {
        self.safety.triage(truncate(text, MAX_CHARS), &self.norm)
    }

    /// An emergency or crisis reply: the framing alone, nothing that could
    /// distract from it.
    fn triaged(&self, kind: Kind, lead: &str, triage: crate::safety::Triage) -> Reply {
        let mut reply = self.framed(kind, lead);
        reply.triage = Some(triage);
        reply
    }

    /// The answer reply for a topic chosen directly (button, deep link).
    pub fn topic(&self, id: &str) -> Option<Reply> {
        let i = self.index_of(id)?;
        let intent = &self.content.intents[i];
        match intent.kind {
            IntentKind::Answer => Some(self.answer_reply(i, 1.0, Vec::new())),
            _ => None,
        }
    }

    /// The reply to a sticker, photo, voice message or file.
    pub fn non_text(&self) -> Reply {
        self.framed(Kind::NonText, &self.content.framing.non_text)
    }

    pub fn help(&self) -> Reply {
        self.with_topics(Kind::Help, &self.content.framing.help)
    }

    pub fn greeting(&self) -> Reply {
        self.with_topics(Kind::Greeting, &self.content.framing.greeting)
    }

    /// The bot's own words, then the topics it can help with.
    pub(super) fn with_topics(&self, kind: Kind, text: &str) -> Reply {
        self.framed(kind, &format!("{text}\n\n{}", self.topics_line()))
    }

    /// Answer topics of one browsing category, in content order.
    pub fn topics_in(&self, category: &str) -> Vec<Choice> {
        self.content
            .intents
            .iter()
            .filter(|i| i.kind == IntentKind::Answer && i.category == category)
            .map(choice)
            .collect()
    }

    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        self.content.intents.iter().position(|i| i.id == id)
    }

    fn topics_line(&self) -> String {
        let titles: Vec<&str> = self
            .content
            .framing
            .categories
            .iter()
            .map(|c| c.title.as_str())
            .collect();
        format!("{} {}.", self.content.framing.topics, titles.join(", "))
    }
}

/// The bot command a message starts with ("/start@bot" -> "start").
fn command(text: &str) -> Option<&str> {
    let first = text.split_whitespace().next()?.strip_prefix('/')?;
    Some(first.split('@').next().unwrap_or(first))
}

/// The first `max` characters of `text`, cut at a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}
