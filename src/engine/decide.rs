//! Reading a ranking: facets of broad questions ("does Nexavar cause a
//! rash?"), follow-ups from the chat's last topic, ambiguity between
//! treatments, out-of-scope runners-up, and the fallback threshold.

use super::Engine;
use crate::content::{Intent, IntentKind};
use crate::nlu::{Candidate, Normalized};
use crate::safety::Findings;

/// How much a pronoun follow-up ("can it go straight into the liver?")
/// favours the last topic's family. Chosen with `liverline eval
/// tests/golden/followups.jsonl`.
const CONTEXT_BOOST: f32 = 2.0;
/// A follow-up moves to another passage of the family only when that
/// passage holds at least this many of its terms (and more than the last
/// topic's own). Chosen on tests/conversation/tune.
const FOLLOW_TERMS: usize = 2;
/// Messages of at most this many words are short questions.
const SHORT_MESSAGE: usize = 8;
/// A feeling or small talk the routes did not find needs a match this many times as
/// sure as a topic ("who will win the world cup" is not anger). Chosen on
/// tests/conversation/tune and the golden questions.
const FEELING_SURE: f32 = 2.0;
/// Small talk found by the matcher has at most this many words.
const SHORT_TALK: usize = 5;
/// How many candidates a clarify reply offers at most.
const MAX_CHOICES: usize = 4;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Decision {
    Answer(usize, f32),
    Clarify(Vec<usize>),
    Fallback,
    Greeting,
    Help,
    /// An intent answering in the bot's own words (support, small talk,
    /// not in the guide).
    Own(usize),
    /// Treatments the guide does not cover (indices into the newer list).
    Newer(Vec<usize>),
    /// Nothing to refer to: "more about what?".
    Contextless,
    /// Two topics, whether the message asks which is better, and the
    /// terms each part asked with (to keep the paragraph that answers it).
    Compare(Vec<usize>, bool, Vec<Vec<String>>),
}

impl Engine {
    /// A short message that leans on the last answer ("how is the chemo one
    /// done?") is read together with that topic's family, unless it names
    /// another topic clearly ("how often is sorafenib taken then").
    pub(super) fn in_context(
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
        // A variant only reorders; a pronoun's boost stays in the scores.
        let factor = if variant { 100.0 } else { CONTEXT_BOOST };
        let in_family = |c: &Candidate| {
            let intent = &self.content.intents[c.intent];
            intent.kind == IntentKind::Answer && intent.family == last_intent.family
        };
        let boosted = |c: &Candidate| {
            if in_family(c) {
                c.score * factor
            } else {
                c.score
            }
        };
        ranked.sort_by(|a, b| {
            boosted(b)
                .total_cmp(&boosted(a))
                .then(a.intent.cmp(&b.intent))
        });
        if !variant {
            for c in ranked.iter_mut().filter(|c| in_family(c)) {
                c.score *= factor;
            }
        }
        ranked
    }

    /// Long messages match any one intent less closely (their other words
    /// dilute the match), so thresholds shrink with the number of known words.
    pub(super) fn length_scale(&self, message: &Normalized) -> f32 {
        let n = self.classifier.known_terms(message) as f32;
        (self.tuning.len_ref / n.max(self.tuning.len_ref)).sqrt()
    }

    pub(super) fn decide(
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
            // A hello or thanks names itself ("hi there", "ok thanks");
            // "help", "what can you do" or "menu" ask for help.
            let text = format!(" {} ", message.words.join(" "));
            let greets = ["greeting", "thanks"]
                .iter()
                .filter_map(|id| self.content.intent(id))
                .flat_map(|i| &i.keywords)
                .any(|k| text.contains(&format!(" {} ", crate::text::fold(k))));
            return if greets {
                Decision::Greeting
            } else {
                Decision::Help
            };
        }
        if findings.out_of_scope {
            return Decision::Fallback;
        }
        if let Some(i) = last
            && let Some(d) = self
                .named_by_pronoun(message, ranked, i, sure_score)
                .or_else(|| self.follow_up(message, ranked, i, min_score))
        {
            return d;
        }
        let Some(top) = ranked.first() else {
            return Decision::Fallback;
        };
        // A short question about something the content never mentions
        // ("what does a high bilirubin mean?") matched only loosely: what
        // matched is incidental, so nothing in the guide answers it.
        // A broad question that names its aspect ("how do they deal with
        // nausea?") still asks which topic, whatever else it says.
        let broad = self.content.intents[top.intent].kind == IntentKind::Clarify
            && self.aspect_asked(message).is_some();
        if message.unknown > 0
            && !broad
            && message.words.len() <= SHORT_MESSAGE
            && top.score < self.tuning.unknown_sure * scale
        {
            return Decision::Fallback;
        }
        if top.score < min_score {
            return Decision::Fallback;
        }
        let intent = &self.content.intents[top.intent];
        match intent.kind {
            IntentKind::OutOfScope => Decision::Fallback,
            // Feelings and small talk found only by the matcher need a sure
            // match: a loose one ("my results") is no feeling at all.
            IntentKind::Support | IntentKind::SmallTalk
                if top.score < FEELING_SURE * sure_score =>
            {
                Decision::Fallback
            }
            // Small talk and greetings are short: in a longer message their
            // word is chance ("who won the football last night" is no good
            // night; "in pain most nights" is about pain; "my tablet on the
            // morning of my scan" is no good morning), so the rest of the
            // ranking decides.
            IntentKind::SmallTalk | IntentKind::Greeting if message.words.len() > SHORT_TALK => {
                self.decide(message, &ranked[1..], last, findings, scale)
            }
            IntentKind::Support | IntentKind::SmallTalk | IntentKind::NotInGuide => {
                Decision::Own(top.intent)
            }
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
            IntentKind::Answer if self.out_of_scope_close(ranked, top.score).is_some() => {
                match self.out_of_scope_close(ranked, top.score) {
                    Some(i) if self.content.intents[i].kind == IntentKind::NotInGuide => {
                        Decision::Own(i)
                    }
                    _ => Decision::Fallback,
                }
            }
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
    pub(super) fn asked_facet(&self, message: &Normalized, topic: usize) -> Option<usize> {
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
    pub(super) fn out_of_scope_close(&self, ranked: &[Candidate], top: f32) -> Option<usize> {
        ranked
            .iter()
            .skip(1)
            .take_while(|c| c.score >= top * self.tuning.oos_ratio)
            .find(|c| {
                matches!(
                    self.content.intents[c.intent].kind,
                    IntentKind::OutOfScope | IntentKind::NotInGuide
                )
            })
            .map(|c| c.intent)
    }

    /// The answer topic a message names besides the words of a broad intent
    /// ("nexavar" in "does nexavar have side effects?"), if any.
    pub(super) fn named_topic(
        &self,
        message: &Normalized,
        broad: usize,
        min_score: f32,
    ) -> Option<usize> {
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
            unknown: message.unknown,
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
    pub(super) fn facet(&self, answer: usize, broad: &Intent) -> Option<usize> {
        if broad.aspect == "what" {
            return Some(answer);
        }
        let family = &self.content.intents[answer].family;
        self.in_family(family, &broad.aspect)
    }

    /// A follow-up whose "it" stands for the last topic's name, read with
    /// that name, when that makes another topic sure ("and if it stops
    /// working?" after sorafenib asks what follows sorafenib): that topic.
    fn named_by_pronoun(
        &self,
        message: &Normalized,
        ranked: &[Candidate],
        last: usize,
        sure_score: f32,
    ) -> Option<Decision> {
        let last_intent = &self.content.intents[last];
        let refers = message
            .words
            .iter()
            .any(|w| matches!(w.as_str(), "it" | "its" | "this" | "that" | "they" | "them"));
        if last_intent.kind != IntentKind::Answer || !refers {
            return None;
        }
        // The family's name, when it is a word the topics are named by.
        let name = self.norm.stem(&last_intent.family);
        if message.terms.contains(&name) || self.conversing.names_no_topic(&name) {
            return None;
        }
        let mut terms = message.terms.clone();
        terms.push(name);
        let named = Normalized {
            words: message.words.clone(),
            terms,
            unknown: message.unknown,
        };
        let top = self.classifier.rank(&named).into_iter().next()?;
        let found = &self.content.intents[top.intent];
        (found.kind == IntentKind::Answer
            && found.family != last_intent.family
            && top.score >= sure_score
            && ranked.first().is_none_or(|c| c.intent != top.intent))
        .then_some(Decision::Answer(top.intent, top.score))
    }

    /// Reads a message in the light of the chat's last topic: "and its side
    /// effects?", "what about regorafenib?", "does it hurt?".
    pub(super) fn follow_up(
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
                    let i = self
                        .speaking_to(message, last, FOLLOW_TERMS)
                        .unwrap_or(last);
                    return Some(Decision::Answer(i, top.score));
                }
                let found = self.in_family(&last_intent.family, &intent.aspect)?;
                Some(Decision::Answer(found, top.score))
            }
            // "and does it cause nausea?" after radioembolization: the
            // aspect asked in so many words, of the last topic's family,
            // when the message does not call another topic by its name.
            IntentKind::Answer
                if is_follow_up_cue(&message.words)
                    && intent.family != last_intent.family
                    && self.asks_aspect(message, &intent.aspect)
                    && !self
                        .conversing
                        .titles_family(&message.terms, &intent.family) =>
            {
                let found = self.in_family(&last_intent.family, &intent.aspect)?;
                Some(Decision::Answer(found, top.score))
            }
            // "what about X?": X in the facet the last answer was about.
            IntentKind::Answer
                if is_follow_up_cue(&message.words)
                    && intent.family != last_intent.family
                    && !self.asks_aspect(message, &intent.aspect) =>
            {
                // Words that only belong to another topic's phrases, naming
                // none ("and is there a hospital stay?" after ablation):
                // the last topic's family answers if a passage holds them.
                if !self.conversing.names_family(&message.terms, &intent.family) {
                    let own = self.excerpt_terms[last]
                        .iter()
                        .filter(|t| message.terms.contains(t))
                        .count();
                    // Every word names nothing else: one held is enough.
                    return self
                        .speaking_to(message, last, 1)
                        .or((own >= FOLLOW_TERMS).then_some(last))
                        .map(|i| Decision::Answer(i, top.score));
                }
                // With no such facet there, the ranking read in context
                // decides ("what about with radiation instead?" after TACE).
                let found = self.in_family(&intent.family, &last_intent.aspect)?;
                Some(Decision::Answer(found, top.score))
            }
            _ => None,
        }
    }

    /// The passage of the last topic's family that holds more of a
    /// follow-up's words than the last topic's own ("do you stay in
    /// hospital?" after TACE: the embolization passage says so), if any.
    pub(super) fn speaking_to(
        &self,
        message: &Normalized,
        last: usize,
        least: usize,
    ) -> Option<usize> {
        let family = &self.content.intents[last].family;
        let held = |i: usize| {
            let own = &self.excerpt_terms[i];
            message.terms.iter().filter(|t| own.contains(t)).count()
        };
        let mine = held(last);
        // A passage on one technique of the family (its aspect is its own
        // name: RFA among the ablations) speaks for that technique only:
        // asked more of another technique ("PEI ... is it a needle in the
        // tumour"), the answer is in that one's passage or the family's.
        let member = |i: &crate::content::Intent| i.aspect == i.id;
        let last_member = member(&self.content.intents[last]);
        self.content
            .intents
            .iter()
            .enumerate()
            .filter(|(_, i)| i.kind == IntentKind::Answer && &i.family == family)
            .filter(|&(n, i)| !(last_member && member(i) && n != last))
            .map(|(n, _)| (held(n), n))
            .filter(|&(h, _)| h >= least && h > mine)
            .max_by_key(|&(h, n)| (h, std::cmp::Reverse(n)))
            .map(|(_, n)| n)
    }

    /// Whether a message asks for an aspect in so many words ("and the
    /// side effects of radiation" asks for side effects, whatever the last
    /// answer was about).
    fn asks_aspect(&self, message: &Normalized, aspect: &str) -> bool {
        aspect != "what" && self.aspect_asked(message) == Some(aspect)
    }

    /// The aspect a message asks for in so many words ("side effects").
    pub(super) fn aspect_asked(&self, message: &Normalized) -> Option<&str> {
        let holds = |k: &Vec<String>| message.terms.windows(k.len()).any(|w| w == k.as_slice());
        self.facet_keys
            .iter()
            .find(|(_, keys)| keys.iter().any(holds))
            .map(|(b, _)| self.content.intents[*b].aspect.as_str())
    }

    pub(super) fn in_family(&self, family: &str, aspect: &str) -> Option<usize> {
        self.content
            .intents
            .iter()
            .position(|i| i.kind == IntentKind::Answer && i.family == family && i.aspect == aspect)
    }
}

/// Whether a message refers back to the conversation: a follow-up cue, or
/// a pronoun standing for the last topic, in a short message.
pub(super) fn leans_on_context(words: &[String]) -> bool {
    const BACK: &[&str] = &[
        "it", "its", "they", "them", "this", "that", "these", "those", "one", "version", "same",
        "there", "then", "sessions",
    ];
    words.len() <= 10
        && (is_follow_up_cue(words) || words.iter().any(|w| BACK.contains(&w.as_str())))
}

/// "the chemo one", "the 3d kind", "the other version": a variant of the
/// topic just discussed.
pub(super) fn names_a_variant(words: &[String]) -> bool {
    const VARIANT: &[&str] = &["one", "version", "kind", "type", "sort", "variant", "form"];
    words.len() <= 10 && words.iter().any(|w| VARIANT.contains(&w.as_str()))
}

/// "and ...", "what about ...", "how about ...", "same for ...", "also ...".
pub(super) fn is_follow_up_cue(words: &[String]) -> bool {
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
