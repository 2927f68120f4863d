//! `Engine::answer(&Query) -> Reply`: normalise, screen for emergencies
//! (before anything else), screen scope, classify, resolve follow-ups from
//! the chat's last topic, decide (answer, clarify, fallback), screen for
//! personal advice, compose. Sync, deterministic, no I/O.

use crate::content::{Content, Intent, IntentKind};
use crate::nlu::{Candidate, Classifier, Normalized, Normalizer};
use crate::reply::{Choice, Excerpt, Kind, Reply, Suggestion};
use crate::safety::{Findings, Safety};
use crate::text::fold;

/// Below this score nothing in the guide answers: fallback. Chosen with
/// `liverline eval tests/golden` (out-of-scope vs answer trade-off).
pub const MIN_SCORE: f32 = 0.22;
/// A runner-up scoring at least this share of the best makes the message
/// ambiguous, unless the best is sure (`SURE_SCORE`). Chosen with `liverline eval`.
pub const CLARIFY_RATIO: f32 = 0.97;
pub const SURE_SCORE: f32 = 0.45;
/// Messages are read up to this many characters; a 100 KB paste is screened
/// and matched on its opening, which is where the question is.
pub const MAX_CHARS: usize = 4000;
/// How many candidates a clarify reply offers at most.
const MAX_CHOICES: usize = 4;

/// One message and what the chat knows.
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    pub text: &'a str,
    /// The intent the chat's previous answer was about.
    pub last_topic: Option<&'a str>,
}

impl<'a> Query<'a> {
    pub fn new(text: &'a str) -> Query<'a> {
        Query { text, last_topic: None }
    }
}

#[derive(Debug)]
pub struct Engine {
    content: Content,
    norm: Normalizer,
    classifier: Classifier,
    safety: Safety,
}

impl Engine {
    pub fn new(content: Content) -> Engine {
        let norm = Normalizer::new(&content);
        let classifier = Classifier::new(&content, &norm);
        let safety = Safety::new(&content.screens);
        Engine { content, norm, classifier, safety }
    }

    pub fn content(&self) -> &Content {
        &self.content
    }

    /// The reply to one message.
    pub fn answer(&self, query: &Query) -> Reply {
        let text = truncate(query.text, MAX_CHARS);
        let folded = fold(text);
        if folded.is_empty() {
            return self.framed(Kind::Help, &self.content.framing.empty);
        }
        let message = self.norm.normalize(text);
        // Screens read the raw folded words and the synonym-mapped ones.
        let screened = format!(" {folded} | {} ", message.text());
        let findings = self.safety.screen(&screened);
        if findings.crisis {
            return self.framed(Kind::Emergency, &self.content.framing.crisis);
        }
        if findings.emergency {
            return self.framed(Kind::Emergency, &self.content.framing.emergency);
        }
        let ranked = self.classifier.rank(&message);
        let last = query.last_topic.and_then(|id| self.index_of(id));
        let decision = self.decide(&message, &ranked, last, findings);
        self.compose(decision, &ranked, findings)
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

    /// The whole section the topic's excerpt comes from ("more"): every
    /// excerpt of that section, in the content's order.
    pub fn more(&self, id: &str) -> Option<Reply> {
        let i = self.index_of(id)?;
        let intent = &self.content.intents[i];
        let r = intent.response.as_ref()?;
        let mut texts: Vec<&str> = Vec::new();
        for other in &self.content.intents {
            if let Some(o) = &other.response
                && o.section == r.section
                && !texts.contains(&o.excerpt.as_str())
            {
                texts.push(&o.excerpt);
            }
        }
        let mut reply = self.answer_reply(i, 1.0, Vec::new());
        if let Some(ex) = reply.excerpt.as_mut() {
            ex.title = r.section.clone();
            ex.text = texts.join("\n\n");
        }
        reply.has_more = false;
        Some(reply)
    }

    /// The reply to a sticker, photo, voice message or file.
    pub fn non_text(&self) -> Reply {
        self.framed(Kind::NonText, &self.content.framing.non_text)
    }

    pub fn help(&self) -> Reply {
        let mut reply = self.framed(Kind::Help, &self.content.framing.help);
        reply.lead = Some(format!("{}\n\n{}", self.content.framing.help, self.topics_line()));
        reply
    }

    pub fn greeting(&self) -> Reply {
        let mut reply = self.framed(Kind::Greeting, &self.content.framing.greeting);
        reply.lead = Some(format!("{}\n\n{}", self.content.framing.greeting, self.topics_line()));
        reply
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

    fn index_of(&self, id: &str) -> Option<usize> {
        self.content.intents.iter().position(|i| i.id == id)
    }

    fn topics_line(&self) -> String {
        let titles: Vec<&str> = self.content.framing.categories.iter().map(|c| c.title.as_str()).collect();
        format!("{} {}.", self.content.framing.topics, titles.join(", "))
    }

    fn decide(&self, message: &Normalized, ranked: &[Candidate], last: Option<usize>, findings: Findings) -> Decision {
        if findings.out_of_scope {
            return Decision::Fallback;
        }
        if let Some(i) = last
            && let Some(d) = self.follow_up(message, ranked, i)
        {
            return d;
        }
        let Some(top) = ranked.first() else {
            return Decision::Fallback;
        };
        if top.score < MIN_SCORE {
            return Decision::Fallback;
        }
        let intent = &self.content.intents[top.intent];
        match intent.kind {
            IntentKind::OutOfScope => Decision::Fallback,
            IntentKind::Greeting => Decision::Greeting,
            IntentKind::Help => Decision::Help,
            IntentKind::Clarify => Decision::Clarify(intent.options.iter().filter_map(|o| self.index_of(o)).collect()),
            IntentKind::Answer => {
                let close: Vec<usize> = ranked
                    .iter()
                    .skip(1)
                    .take_while(|c| c.score >= top.score * CLARIFY_RATIO)
                    .filter(|c| self.content.intents[c.intent].kind == IntentKind::Answer)
                    .map(|c| c.intent)
                    .collect();
                if top.score < SURE_SCORE && !close.is_empty() {
                    let mut options = vec![top.intent];
                    options.extend(close);
                    options.truncate(MAX_CHOICES);
                    Decision::Clarify(options)
                } else {
                    Decision::Answer(top.intent, top.score)
                }
            }
        }
    }

    /// Reads a message in the light of the chat's last topic: "and its side
    /// effects?", "what about regorafenib?", "does it hurt?".
    fn follow_up(&self, message: &Normalized, ranked: &[Candidate], last: usize) -> Option<Decision> {
        let last_intent = &self.content.intents[last];
        if last_intent.kind != IntentKind::Answer {
            return None;
        }
        let top = ranked.first().filter(|c| c.score >= MIN_SCORE)?;
        let intent = &self.content.intents[top.intent];
        match intent.kind {
            // A broad question: the facet asked for, within the last topic's
            // family ("side effects?" after sorafenib), or the last topic
            // itself for a vague "it".
            IntentKind::Clarify => {
                if intent.aspect == "what" {
                    return Some(Decision::Answer(last, top.score));
                }
                let found = self.in_family(&last_intent.family, &intent.aspect)?;
                Some(Decision::Answer(found, top.score))
            }
            // "what about X?": X in the facet the last answer was about.
            IntentKind::Answer if is_follow_up_cue(&message.words) && intent.family != last_intent.family => {
                let found = self.in_family(&intent.family, &last_intent.aspect).unwrap_or(top.intent);
                Some(Decision::Answer(found, top.score))
            }
            _ => None,
        }
    }

    fn in_family(&self, family: &str, aspect: &str) -> Option<usize> {
        self.content
            .intents
            .iter()
            .position(|i| i.kind == IntentKind::Answer && i.family == family && i.aspect == aspect)
    }

    fn compose(&self, decision: Decision, ranked: &[Candidate], findings: Findings) -> Reply {
        let suggestions = self.suggestions(ranked);
        let framing = &self.content.framing;
        let mut reply = match decision {
            Decision::Answer(i, score) => self.answer_reply(i, score, suggestions),
            Decision::Clarify(options) => {
                let mut r = self.framed(Kind::Clarify, &framing.clarify);
                r.choices = options.iter().map(|&i| choice(&self.content.intents[i])).collect();
                r.confidence = ranked.first().map_or(0.0, |c| c.score);
                r.suggestions = suggestions;
                r
            }
            Decision::Greeting => self.greeting(),
            Decision::Help => self.help(),
            Decision::Fallback => {
                let mut r = self.framed(Kind::Fallback, &framing.fallback);
                r.lead = Some(format!("{}\n\n{}", framing.fallback, self.topics_line()));
                r.suggestions = suggestions;
                r
            }
        };
        if findings.personal_advice && matches!(reply.kind, Kind::Answer | Kind::Clarify | Kind::Fallback) {
            reply.kind = Kind::PersonalAdvice;
            if reply.excerpt.is_some() {
                reply.lead = Some(framing.personal_advice.clone());
            } else {
                // No one topic: the care-team note, then what it can offer.
                let rest = reply.lead.take().unwrap_or_default();
                reply.lead = Some(format!("{}\n\n{}", framing.personal_advice, rest).trim().to_string());
            }
        }
        reply
    }

    fn suggestions(&self, ranked: &[Candidate]) -> Vec<Suggestion> {
        ranked
            .iter()
            .filter(|c| self.content.intents[c.intent].kind == IntentKind::Answer)
            .take(3)
            .map(|c| {
                let i = &self.content.intents[c.intent];
                Suggestion { intent: i.id.clone(), title: i.title.clone(), score: (c.score * 1000.0).round() / 1000.0 }
            })
            .collect()
    }

    fn answer_reply(&self, i: usize, score: f32, suggestions: Vec<Suggestion>) -> Reply {
        let intent = &self.content.intents[i];
        let framing = &self.content.framing;
        let excerpt = intent.response.as_ref().map(|r| {
            let place = match &r.subsection {
                Some(sub) => format!("{} › {}", r.section, sub),
                None => r.section.clone(),
            };
            let template = if r.reviewed == crate::content::NOT_STATED { &framing.source_undated } else { &framing.source };
            Excerpt {
                title: intent.title.clone(),
                text: r.excerpt.clone(),
                source: template.replace("{section}", &place).replace("{reviewed}", &r.reviewed),
            }
        });
        let related = intent.related.iter().filter_map(|id| self.content.intent(id)).map(choice).collect();
        Reply {
            kind: Kind::Answer,
            intent: Some(intent.id.clone()),
            confidence: score.min(1.0),
            suggestions,
            lead: None,
            excerpt,
            choices: Vec::new(),
            related,
            has_more: true,
            footer: framing.footer.clone(),
            related_label: framing.related.clone(),
        }
    }

    fn framed(&self, kind: Kind, lead: &str) -> Reply {
        Reply {
            kind,
            intent: None,
            confidence: 0.0,
            suggestions: Vec::new(),
            lead: Some(lead.to_string()),
            excerpt: None,
            choices: Vec::new(),
            related: Vec::new(),
            has_more: false,
            footer: self.content.framing.footer.clone(),
            related_label: self.content.framing.related.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Decision {
    Answer(usize, f32),
    Clarify(Vec<usize>),
    Fallback,
    Greeting,
    Help,
}

fn choice(intent: &Intent) -> Choice {
    Choice { intent: intent.id.clone(), title: intent.title.clone() }
}

/// "and ...", "what about ...", "how about ...", "same for ...", "also ...".
fn is_follow_up_cue(words: &[String]) -> bool {
    let w: Vec<&str> = words.iter().map(String::as_str).take(3).collect();
    matches!(w.as_slice(), ["and", ..] | ["also", ..] | ["or", ..] | ["what", "about", ..] | ["how", "about", ..] | ["same", "for", ..])
        && words.len() <= 8
}

/// The first `max` characters of `text`, cut at a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}
