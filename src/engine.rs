//! `Engine::answer(&Query) -> Reply`: normalise, screen for emergencies
//! (before anything else), screen scope, classify, resolve follow-ups from
//! the chat's last topic, decide (answer, clarify, fallback), screen for
//! personal advice, compose. Sync, deterministic, no I/O.

use crate::content::{Content, Intent, IntentKind};
use crate::nlu::{Candidate, Classifier, Normalized, Normalizer, Weights};
use crate::reply::{Choice, Excerpt, Kind, Reply, Suggestion};
use crate::safety::{Findings, Safety};
use std::collections::HashSet;

/// The decision thresholds and matcher weights. The defaults were chosen
/// with `liverline eval tests/golden --tune KEY=VALUE` runs (see README,
/// "Tuning"); every field can be tried from there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// Below this score nothing in the guide answers: fallback.
    pub min_score: f32,
    /// A runner-up scoring at least this share of the best makes the
    /// message ambiguous (clarify) ...
    pub clarify_ratio: f32,
    /// ... unless the best scores at least this.
    pub sure_score: f32,
    /// An out-of-scope intent within this share of the best answer wins.
    pub oos_ratio: f32,
    /// Messages with more known words than this get proportionally lower
    /// thresholds (by the square root of the ratio).
    pub len_ref: f32,
    pub weights: Weights,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            min_score: 0.22,
            clarify_ratio: 0.97,
            sure_score: 0.45,
            len_ref: 4.0,
            oos_ratio: 0.8,
            weights: Weights::default(),
        }
    }
}

impl Tuning {
    /// Applies one `key=value` override, as `liverline eval --tune` takes.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (key, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("expected KEY=VALUE, got `{assignment}`"))?;
        let v: f32 = value
            .trim()
            .parse()
            .map_err(|_| format!("`{value}` is not a number"))?;
        let slot = match key.trim() {
            "min_score" => &mut self.min_score,
            "clarify_ratio" => &mut self.clarify_ratio,
            "sure_score" => &mut self.sure_score,
            "len_ref" => &mut self.len_ref,
            "oos_ratio" => &mut self.oos_ratio,
            "w_example" => &mut self.weights.example,
            "w_profile" => &mut self.weights.profile,
            "w_assoc" => &mut self.weights.association,
            "w_keyword" => &mut self.weights.keyword,
            "w_logistic" => &mut self.weights.logistic,
            other => return Err(format!("unknown tuning key `{other}`")),
        };
        *slot = v;
        Ok(())
    }
}

/// Messages are read up to this many characters; a 100 KB paste is screened
/// and matched on its opening, which is where the question is.
pub const MAX_CHARS: usize = 4000;
/// How much a pronoun follow-up ("can it go straight into the liver?")
/// favours the last topic's family. Chosen with `liverline eval
/// tests/golden/followups.jsonl`.
const CONTEXT_BOOST: f32 = 2.0;
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
}

impl Engine {
    pub fn new(content: Content) -> Engine {
        Engine::with_tuning(content, Tuning::default())
    }

    pub fn with_tuning(content: Content, tuning: Tuning) -> Engine {
        let norm = Normalizer::new(&content);
        let classifier = Classifier::new(&content, &norm, tuning.weights);
        let safety = Safety::new(&content.screens);
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
        Engine {
            content,
            norm,
            classifier,
            safety,
            tuning,
            broad_terms,
            facet_keys,
            excerpt_terms,
        }
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
        let words = self.norm.words(text);
        if words.is_empty() {
            // Nothing but a bot command, a mention, no words at all, or only
            // words in a script it cannot read.
            return match command(text) {
                Some("start") => self.greeting(),
                Some(_) => self.help(),
                // Other scripts, emoji, punctuation: nothing it can read.
                None if !text.trim().is_empty() => {
                    self.framed(Kind::Fallback, &self.content.framing.empty)
                }
                None => self.framed(Kind::Help, &self.content.framing.empty),
            };
        }
        let plain_words = words.join(" ");
        let message = self.norm.from_words(&words);
        // Screens read the folded words and the synonym-mapped ones.
        let screened = format!(" {plain_words} | {} ", message.text());
        let findings = self.safety.screen(&screened);
        if findings.crisis {
            return self.framed(Kind::Emergency, &self.content.framing.crisis);
        }
        if findings.emergency {
            return self.framed(Kind::Emergency, &self.content.framing.emergency);
        }
        let last = query.last_topic.and_then(|id| self.index_of(id));
        let scale = self.length_scale(&message);
        let ranked = self.classifier.rank(&message);
        let ranked = match last {
            Some(i) if leans_on_context(&message.words) => {
                self.in_context(&message, ranked, i, scale)
            }
            _ => ranked,
        };
        let decision = self.decide(&message, &ranked, last, findings, scale);
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
        reply.lead = Some(format!(
            "{}\n\n{}",
            self.content.framing.help,
            self.topics_line()
        ));
        reply
    }

    pub fn greeting(&self) -> Reply {
        let mut reply = self.framed(Kind::Greeting, &self.content.framing.greeting);
        reply.lead = Some(format!(
            "{}\n\n{}",
            self.content.framing.greeting,
            self.topics_line()
        ));
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
        let titles: Vec<&str> = self
            .content
            .framing
            .categories
            .iter()
            .map(|c| c.title.as_str())
            .collect();
        format!("{} {}.", self.content.framing.topics, titles.join(", "))
    }

    /// A short message that leans on the last answer ("how is the chemo one
    /// done?") is read together with that topic's family, unless it names
    /// another topic clearly ("how often is sorafenib taken then").
    fn in_context(
        &self,
        message: &Normalized,
        mut ranked: Vec<Candidate>,
        last: usize,
        scale: f32,
    ) -> Vec<Candidate> {
        let last_intent = &self.content.intents[last];
        if last_intent.kind != IntentKind::Answer {
            return ranked;
        }
        let clear_elsewhere = ranked.first().is_some_and(|c| {
            let top = &self.content.intents[c.intent];
            top.kind == IntentKind::Answer
                && top.family != last_intent.family
                && c.score >= self.tuning.sure_score * scale * 2.0
        });
        // A broad question ("does it hurt?") is resolved by `follow_up`.
        let broad = ranked
            .first()
            .is_some_and(|c| self.content.intents[c.intent].kind == IntentKind::Clarify);
        let variant = names_a_variant(&message.words);
        if (clear_elsewhere && !variant) || broad {
            return ranked;
        }
        // "The chemo one" picks within the family; a pronoun weighs it more.
        let factor = if variant { 100.0 } else { CONTEXT_BOOST };
        for c in &mut ranked {
            let intent = &self.content.intents[c.intent];
            if intent.kind == IntentKind::Answer && intent.family == last_intent.family {
                c.score *= factor;
            }
        }
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.intent.cmp(&b.intent)));
        if variant {
            // Back to a comparable scale for the thresholds.
            for c in &mut ranked {
                let intent = &self.content.intents[c.intent];
                if intent.kind == IntentKind::Answer && intent.family == last_intent.family {
                    c.score /= factor;
                }
            }
        }
        ranked
    }

    /// Long messages match any one intent less closely (their other words
    /// dilute the match), so thresholds shrink with the number of known words.
    fn length_scale(&self, message: &Normalized) -> f32 {
        let n = self.classifier.known_terms(message) as f32;
        (self.tuning.len_ref / n.max(self.tuning.len_ref)).sqrt()
    }

    fn decide(
        &self,
        message: &Normalized,
        ranked: &[Candidate],
        last: Option<usize>,
        findings: Findings,
        scale: f32,
    ) -> Decision {
        let min_score = self.tuning.min_score * scale;
        let sure_score = self.tuning.sure_score * scale;
        if findings.small_talk {
            return Decision::Greeting;
        }
        if findings.out_of_scope {
            return Decision::Fallback;
        }
        if let Some(i) = last
            && let Some(d) = self.follow_up(message, ranked, i, min_score)
        {
            return d;
        }
        let Some(top) = ranked.first() else {
            return Decision::Fallback;
        };
        if top.score < min_score {
            return Decision::Fallback;
        }
        let intent = &self.content.intents[top.intent];
        match intent.kind {
            IntentKind::OutOfScope => Decision::Fallback,
            IntentKind::Greeting => Decision::Greeting,
            IntentKind::Help => Decision::Help,
            IntentKind::Clarify => {
                // A broad question that still names a treatment ("does
                // sorafenib cause diarrhoea?"): that treatment's facet.
                match self
                    .named_topic(message, top.intent, min_score)
                    .and_then(|a| self.facet(a, intent))
                {
                    Some(i) => Decision::Answer(i, top.score),
                    None => Decision::Clarify(
                        intent
                            .options
                            .iter()
                            .filter_map(|o| self.index_of(o))
                            .collect(),
                    ),
                }
            }
            IntentKind::Answer if self.out_of_scope_close(ranked, top.score) => Decision::Fallback,
            IntentKind::Answer => {
                // The facet a broad intent's keywords ask for, within the
                // top's family ("nexavar side effects" -> sorafenib_se).
                if let Some(i) = self
                    .asked_facet(message, top.intent)
                    .and_then(|b| self.facet(top.intent, &self.content.intents[b]))
                {
                    return Decision::Answer(i, top.score);
                }
                let family = &intent.family;
                let close: Vec<usize> = ranked
                    .iter()
                    .skip(1)
                    .take_while(|c| c.score >= top.score * self.tuning.clarify_ratio)
                    .filter(|c| {
                        let other = &self.content.intents[c.intent];
                        other.kind == IntentKind::Answer && &other.family != family
                    })
                    .map(|c| c.intent)
                    .collect();
                if top.score < sure_score && !close.is_empty() {
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

    /// The broad intent whose keywords the message holds, if any, unless
    /// the topic's own passage speaks to that keyword (the 3D-CRT passage
    /// says it may "reduce side effects": asking that, it answers).
    fn asked_facet(&self, message: &Normalized, topic: usize) -> Option<usize> {
        let holds = |terms: &[String], k: &[String]| terms.windows(k.len()).any(|w| w == k);
        let own = &self.excerpt_terms[topic];
        self.facet_keys
            .iter()
            .find(|(_, keys)| {
                keys.iter()
                    .any(|k| holds(&message.terms, k) && !holds(own, k))
            })
            .map(|(i, _)| *i)
    }

    /// Whether an out-of-scope intent scores close to the best answer: the
    /// question is then about what the guide does not cover ("life
    /// expectancy with stage 4" is about prognosis, not stage 4 treatment).
    fn out_of_scope_close(&self, ranked: &[Candidate], top: f32) -> bool {
        ranked
            .iter()
            .skip(1)
            .take_while(|c| c.score >= top * self.tuning.oos_ratio)
            .any(|c| self.content.intents[c.intent].kind == IntentKind::OutOfScope)
    }

    /// The answer topic a message names besides the words of a broad intent
    /// ("nexavar" in "does nexavar have side effects?"), if any.
    fn named_topic(&self, message: &Normalized, broad: usize, min_score: f32) -> Option<usize> {
        let terms: Vec<String> = message
            .terms
            .iter()
            .filter(|t| !self.broad_terms[broad].contains(*t))
            .cloned()
            .collect();
        if terms.is_empty() {
            return None;
        }
        let residual = Normalized {
            words: message.words.clone(),
            terms,
        };
        self.classifier
            .rank(&residual)
            .into_iter()
            .find(|c| self.content.intents[c.intent].kind == IntentKind::Answer)
            .filter(|c| c.score >= min_score)
            .map(|c| c.intent)
    }

    /// The topic a broad intent asks for within an answer topic's family:
    /// the topic itself for a vague "it", else the family's topic with the
    /// broad intent's aspect.
    fn facet(&self, answer: usize, broad: &Intent) -> Option<usize> {
        if broad.aspect == "what" {
            return Some(answer);
        }
        let family = &self.content.intents[answer].family;
        self.in_family(family, &broad.aspect)
    }

    /// Reads a message in the light of the chat's last topic: "and its side
    /// effects?", "what about regorafenib?", "does it hurt?".
    fn follow_up(
        &self,
        message: &Normalized,
        ranked: &[Candidate],
        last: usize,
        min_score: f32,
    ) -> Option<Decision> {
        let last_intent = &self.content.intents[last];
        if last_intent.kind != IntentKind::Answer {
            return None;
        }
        let top = ranked.first().filter(|c| c.score >= min_score)?;
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
            IntentKind::Answer
                if is_follow_up_cue(&message.words) && intent.family != last_intent.family =>
            {
                // With no such facet there, the ranking read in context
                // decides ("what about with radiation instead?" after TACE).
                let found = self.in_family(&intent.family, &last_intent.aspect)?;
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
                r.choices = options
                    .iter()
                    .map(|&i| choice(&self.content.intents[i]))
                    .collect();
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
        // Personal advice about a subject the guide has nothing on at all
        // (an out-of-scope topic ranked first) stays a plain fallback.
        let off_topic = ranked
            .first()
            .is_some_and(|c| self.content.intents[c.intent].kind == IntentKind::OutOfScope);
        let advisable = matches!(reply.kind, Kind::Answer | Kind::Clarify)
            || (reply.kind == Kind::Fallback && !off_topic);
        if findings.personal_advice && advisable {
            reply.kind = Kind::PersonalAdvice;
            if reply.excerpt.is_some() {
                reply.lead = Some(framing.personal_advice.clone());
            } else {
                // No one topic: the care-team note, then what it can offer.
                let rest = reply.lead.take().unwrap_or_default();
                reply.lead = Some(
                    format!("{}\n\n{}", framing.personal_advice, rest)
                        .trim()
                        .to_string(),
                );
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
                Suggestion {
                    intent: i.id.clone(),
                    title: i.title.clone(),
                    score: (c.score * 1000.0).round() / 1000.0,
                }
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
            let template = if r.reviewed == crate::content::NOT_STATED {
                &framing.source_undated
            } else {
                &framing.source
            };
            Excerpt {
                title: intent.title.clone(),
                text: r.excerpt.clone(),
                source: template
                    .replace("{section}", &place)
                    .replace("{reviewed}", &r.reviewed),
            }
        });
        let related = intent
            .related
            .iter()
            .filter_map(|id| self.content.intent(id))
            .map(choice)
            .collect();
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
    Choice {
        intent: intent.id.clone(),
        title: intent.title.clone(),
    }
}

/// Whether a message refers back to the conversation: a follow-up cue, or
/// a pronoun standing for the last topic, in a short message.
fn leans_on_context(words: &[String]) -> bool {
    const BACK: &[&str] = &[
        "it", "its", "they", "them", "this", "that", "these", "those", "one", "version", "same",
        "there", "then", "sessions",
    ];
    words.len() <= 10
        && (is_follow_up_cue(words) || words.iter().any(|w| BACK.contains(&w.as_str())))
}

/// "the chemo one", "the 3d kind", "the other version": a variant of the
/// topic just discussed.
fn names_a_variant(words: &[String]) -> bool {
    const VARIANT: &[&str] = &["one", "version", "kind", "type", "sort", "variant", "form"];
    words.len() <= 10 && words.iter().any(|w| VARIANT.contains(&w.as_str()))
}

/// "and ...", "what about ...", "how about ...", "same for ...", "also ...".
fn is_follow_up_cue(words: &[String]) -> bool {
    let w: Vec<&str> = words.iter().map(String::as_str).take(3).collect();
    matches!(
        w.as_slice(),
        ["and", ..]
            | ["also", ..]
            | ["or", ..]
            | ["what", "about", ..]
            | ["how", "about", ..]
            | ["same", "for", ..]
    ) && words.len() <= 8
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn engine() -> &'static Engine {
        static E: OnceLock<Engine> = OnceLock::new();
        E.get_or_init(|| Engine::new(crate::content::embedded().expect("shipped content")))
    }

    #[test]
    fn kinds_for_a_table_of_messages() {
        let cases: &[(&str, Kind)] = &[
            ("what is radiofrequency ablation", Kind::Answer),
            ("nexavar how often", Kind::Answer),
            ("side effects?", Kind::Clarify),
            ("what is the weather like", Kind::Fallback),
            ("survival rate for liver cancer", Kind::Fallback),
            ("colon cancer chemotherapy", Kind::Fallback),
            ("he is throwing up blood", Kind::Emergency),
            ("i want to end my life", Kind::Emergency),
            ("should i stop my sorafenib", Kind::PersonalAdvice),
            ("hello", Kind::Greeting),
            ("/start", Kind::Greeting),
            ("/help", Kind::Help),
            ("", Kind::Help),
            ("печень", Kind::Fallback),
        ];
        for (text, want) in cases {
            assert_eq!(engine().answer(&Query::new(text)).kind, *want, "{text}");
        }
    }

    #[test]
    fn an_emergency_wins_over_any_topic() {
        let r = engine().answer(&Query::new(
            "after my tace he is vomiting blood, what are the side effects of tace",
        ));
        assert_eq!(r.kind, Kind::Emergency);
        assert!(r.excerpt.is_none());
    }

    #[test]
    fn a_broad_question_naming_a_treatment_gets_that_facet() {
        let cases = [
            ("does sorafenib cause diarrhoea", "sorafenib_se"),
            ("tace side effects", "embolization_se"),
            ("regorafenib risks", "regorafenib_se"),
        ];
        for (text, want) in cases {
            assert_eq!(
                engine().answer(&Query::new(text)).intent.as_deref(),
                Some(want),
                "{text}"
            );
        }
    }

    #[test]
    fn a_fallback_never_quotes_the_guide() {
        for text in [
            "recommend a good movie",
            "qwerty",
            "how do i cook rice",
            "prognosis for liver cancer patients",
        ] {
            let r = engine().answer(&Query::new(text));
            assert_eq!(r.kind, Kind::Fallback, "{text}");
            assert!(r.excerpt.is_none() && r.intent.is_none(), "{text}");
        }
    }

    #[test]
    fn commands_truncation_and_cues() {
        assert_eq!(command("/start@liverline_bot tace"), Some("start"));
        assert_eq!(command("what /start"), None);
        assert_eq!(truncate("ab🙂cd", 3), "ab🙂");
        assert_eq!(truncate("ab", 10), "ab");
        let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert!(is_follow_up_cue(&words("what about regorafenib")));
        assert!(is_follow_up_cue(&words("and cryo")));
        assert!(!is_follow_up_cue(&words("what is regorafenib")));
    }

    #[test]
    fn tuning_accepts_known_keys_only() {
        let mut t = Tuning::default();
        t.set("min_score=0.5").unwrap();
        assert_eq!(t.min_score, 0.5);
        assert!(t.set("nonsense=1").is_err());
        assert!(t.set("min_score=abc").is_err());
        assert!(t.set("min_score").is_err());
    }
}
