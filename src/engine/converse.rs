//! What the matcher alone gets wrong in conversation: treatments the 2016
//! guide does not cover, routes to feelings, prognosis and small talk,
//! messages with nothing to refer to ("3", "yes", "2+2"), stray words that
//! never carry a match alone, and comparisons or two-part questions. All
//! of it is data (`intents/conversation.toml`); this reads it.

use super::Engine;
use super::decide::Decision;
use crate::content::{Content, IntentKind};
use crate::nlu::{Candidate, Normalized, Normalizer};
use regex::{Regex, RegexBuilder};
use std::collections::{HashMap, HashSet};

/// A feeling yields to a topic only when the topic is this many times as
/// sure as an ordinary sure match ("worried sick about the side effects of
/// sorafenib" is about sorafenib; "scared about the operation" is a
/// feeling). Chosen on tests/conversation/tune.
const YIELD_SURE: f32 = 2.0;
/// A term used by the phrases of this many answer families or more tells
/// no topic apart. Chosen on tests/conversation/tune with the golden
/// questions.
const VAGUE_FAMILIES: usize = 20;
/// A word in at most this many families' phrases names a topic.
const NAMING_FAMILIES: usize = 10;
/// A word naming at most this many families names a treatment, not a kind
/// of question ("donor", not "risks").
const FEW_FAMILIES: usize = 3;
/// The aspect of the side-effect passages.
const SIDE_EFFECTS: &str = "side_effects";
/// How many topics an abstaining reply offers.
const LIKELY_TOPICS: usize = 4;
/// A message of at most this many words that names no topic asks which
/// one it is about, however it matched. Chosen on tests/conversation/tune
/// with the golden tune questions.
const FEW_WORDS: usize = 6;
/// A message of at most this many words is checked for a match carried
/// by its stray words alone. Chosen on tests/conversation/tune.
const SHORT_WORDS: usize = 8;
/// Messages of more words than this are not split into two questions.
const MAX_SPLIT_WORDS: usize = 24;

/// A message as conversation reads it: its folded words, the matcher's
/// reading, the text the screens read, and whether it asks a question.
#[derive(Debug, Clone, Copy)]
pub(super) struct Heard<'a> {
    pub words: &'a [String],
    pub message: &'a Normalized,
    pub screened: &'a str,
    pub question: bool,
}

/// The conversation data, compiled once.
#[derive(Debug, Default)]
pub(super) struct Conversing {
    /// Stems of words that never carry a match alone.
    stray: HashSet<String>,
    contextless: HashSet<String>,
    /// (folded words of a name, index of the newer treatment), longest first.
    newer: Vec<(Vec<String>, usize)>,
    routes: Vec<Route>,
    /// Every route's patterns in one set, so a message is read once.
    route_set: Option<regex::RegexSet>,
    /// Term -> the answer families whose phrases use it: a term many
    /// families share tells no topic apart.
    families: HashMap<String, HashSet<String>>,
    /// Term -> the answer families whose titles, ids or keywords use it:
    /// the words that name a topic (an example phrase's other words only
    /// ask about it).
    names: HashMap<String, HashSet<String>>,
    /// The same from titles and ids alone: the words a topic is called by.
    titled: HashMap<String, HashSet<String>>,
    /// Per intent: whether its section holds more than its own passage.
    pub(super) has_more: Vec<bool>,
}

#[derive(Debug)]
pub(super) struct Route {
    intent: usize,
    /// The patterns as one alternation (for the set).
    alternation: String,
    unless: Option<Regex>,
    yield_to_topic: bool,
}

fn alternation(list: &[(String, crate::content::Origin)]) -> String {
    let parts: Vec<String> = list.iter().map(|(p, _)| format!("(?:{p})")).collect();
    parts.join("|")
}

fn any_of(list: &[(String, crate::content::Origin)]) -> Option<Regex> {
    if list.is_empty() {
        return None;
    }
    RegexBuilder::new(&alternation(list))
        .unicode(false)
        .build()
        .ok()
}

impl Conversing {
    /// The routes, compiled (built beside the safety screens at start-up,
    /// see `Engine::build`).
    pub(super) fn routes(content: &Content) -> (Vec<Route>, Option<regex::RegexSet>) {
        let routes = content
            .conversation
            .routes
            .iter()
            .filter_map(|r| {
                Some(Route {
                    intent: content.intents.iter().position(|i| i.id == r.to)?,
                    alternation: alternation(&r.screen.patterns),
                    unless: any_of(&r.screen.unless),
                    yield_to_topic: r.yield_to_topic,
                })
            })
            .collect::<Vec<Route>>();
        let set = regex::RegexSetBuilder::new(routes.iter().map(|r| r.alternation.as_str()))
            .unicode(false)
            .build()
            .ok();
        (routes, set)
    }

    pub(super) fn new(
        content: &Content,
        norm: &Normalizer,
        (routes, route_set): (Vec<Route>, Option<regex::RegexSet>),
    ) -> Conversing {
        let conv = &content.conversation;
        let mut newer: Vec<(Vec<String>, usize)> = conv
            .newer
            .iter()
            .enumerate()
            .flat_map(|(n, t)| {
                t.names
                    .iter()
                    .map(move |name| (name.split(' ').map(String::from).collect(), n))
            })
            .collect();
        newer.sort_by_key(|(words, _)| std::cmp::Reverse(words.len()));
        let mut families: HashMap<String, HashSet<String>> = HashMap::new();
        for i in content
            .intents
            .iter()
            .filter(|i| i.kind == IntentKind::Answer)
        {
            let phrases = i
                .examples
                .iter()
                .map(|(e, _)| e.as_str())
                .chain(i.keywords.iter().map(String::as_str))
                .chain(std::iter::once(i.title.as_str()));
            // Folded and stemmed, without spelling or synonyms: cheap at
            // start-up, and the phrases are spelt as the content spells.
            for phrase in phrases {
                for w in crate::text::fold(phrase).split(' ') {
                    if w.is_empty() || norm.is_stop(w) {
                        continue;
                    }
                    families
                        .entry(norm.stem(w))
                        .or_default()
                        .insert(i.family.clone());
                }
            }
        }
        let mut names: HashMap<String, HashSet<String>> = HashMap::new();
        let mut titled: HashMap<String, HashSet<String>> = HashMap::new();
        for i in content
            .intents
            .iter()
            .filter(|i| i.kind == IntentKind::Answer)
        {
            let id = i.id.replace('_', " ");
            for phrase in [i.title.as_str(), id.as_str()] {
                for t in norm.normalize(phrase).terms {
                    titled.entry(t).or_default().insert(i.family.clone());
                }
            }
            for phrase in i.keywords.iter().map(String::as_str) {
                for t in norm.normalize(phrase).terms {
                    names.entry(t).or_default().insert(i.family.clone());
                }
            }
        }
        for (t, f) in &titled {
            names
                .entry(t.clone())
                .or_default()
                .extend(f.iter().cloned());
        }
        let has_more = (0..content.intents.len())
            .map(|i| !super::pages::section_blocks(content, i, true).is_empty())
            .collect();
        Conversing {
            has_more,
            names,
            titled,
            route_set,
            families,
            stray: conv.stray.iter().map(|w| norm.stem(w)).collect(),
            contextless: conv.contextless.iter().cloned().collect(),
            newer,
            routes,
        }
    }

    /// The newer treatments a message names, in the order named, read
    /// from its folded words before spelling correction (which would turn
    /// a brand into a word the guide knows). A long single-word name is
    /// also found misspelt ("atezolizamab", "opdivio", "kabozantinib"),
    /// unless the typed word is one the guide or the matcher knows.
    pub(super) fn newer(&self, words: &[String], norm: &Normalizer) -> Vec<usize> {
        let mut found: Vec<(usize, usize)> = Vec::new();
        for (name, n) in &self.newer {
            let at = words
                .windows(name.len())
                .position(|w| w == name.as_slice())
                .or_else(|| {
                    let [one] = name.as_slice() else { return None };
                    words.iter().position(|w| !norm.knows(w) && near(w, one))
                });
            if let Some(at) = at
                && !found.iter().any(|(_, m)| m == n)
            {
                found.push((at, *n));
            }
        }
        found.sort();
        found.into_iter().map(|(_, n)| n).collect()
    }

    /// The first route whose patterns match the screened text.
    fn route(&self, screened: &str) -> Option<&Route> {
        let hit = |r: &Option<Regex>| r.as_ref().is_some_and(|r| r.is_match(screened));
        // One pass for all routes; `unless` only for those that hit.
        self.route_set
            .as_ref()?
            .matches(screened)
            .into_iter()
            .map(|n| &self.routes[n])
            .find(|r| !hit(&r.unless))
    }

    /// Whether some word of `words` belongs to only a few topics' phrases.
    fn names_a_topic(&self, words: &[String], norm: &Normalizer) -> bool {
        words.iter().any(|w| {
            !norm.is_stop(w)
                && self
                    .families
                    .get(&norm.stem(w))
                    .is_some_and(|f| f.len() <= NAMING_FAMILIES)
        })
    }

    /// Whether some term of a message (stemmed, synonyms applied) belongs
    /// to only a few topics' phrases.
    fn terms_name_a_topic(&self, terms: &[String]) -> bool {
        terms.iter().any(|t| {
            !self.stray.contains(t)
                && self
                    .names
                    .get(t)
                    .is_some_and(|f| f.len() <= NAMING_FAMILIES)
        })
    }

    /// Whether some term names `family` and at most a few others ("radiation",
    /// not "side effects").
    fn names_specifically(&self, terms: &[String], family: &str) -> bool {
        terms.iter().any(|t| {
            self.names
                .get(t)
                .is_some_and(|f| f.len() <= FEW_FAMILIES && f.contains(family))
        })
    }

    /// Whether some term is what a few topics are called (titles, ids).
    fn titles_a_topic(&self, terms: &[String]) -> bool {
        terms.iter().any(|t| {
            !self.vague(t)
                && self
                    .titled
                    .get(t)
                    .is_some_and(|f| f.len() <= NAMING_FAMILIES)
        })
    }

    /// Whether some term names a few topics at most ("radiation", not
    /// "options" or "side effects").
    fn names_any(&self, terms: &[String]) -> bool {
        terms
            .iter()
            .any(|t| self.names.get(t).is_some_and(|f| f.len() <= FEW_FAMILIES))
    }

    /// Whether some term is what a topic of `family` is called (its title
    /// or id): "radiation" names the radiation family, "nausea" none.
    pub(super) fn titles_family(&self, terms: &[String], family: &str) -> bool {
        terms
            .iter()
            .any(|t| self.titled.get(t).is_some_and(|f| f.contains(family)))
    }

    /// Whether a term is no topic's name (a symptom, not a treatment).
    pub(super) fn names_no_topic(&self, t: &String) -> bool {
        !self.names.contains_key(t)
    }

    /// Whether some term of a message names a topic of `family`.
    pub(super) fn names_family(&self, terms: &[String], family: &str) -> bool {
        terms
            .iter()
            .any(|t| self.names.get(t).is_some_and(|f| f.contains(family)))
    }

    /// Whether a message only refers back: numbers, arithmetic, "more",
    /// "yes", "the second one".
    pub(super) fn is_contextless(&self, words: &[String]) -> bool {
        !words.is_empty()
            && words.iter().all(|w| {
                // Small numbers ("2", "2+2"); a phone number is a question.
                self.contextless.contains(w.as_str())
                    || (w.len() <= 2 && w.bytes().all(|b| b.is_ascii_digit()))
            })
    }

    /// Whether every content term of a message is a stray word, or a word
    /// so many topics use that it tells none apart ("how long", "types").
    fn only_stray(&self, message: &Normalized) -> bool {
        !message.terms.is_empty() && message.terms.iter().all(|t| self.vague(t))
    }

    /// Whether a term (stemmed) never carries a match alone.
    pub(super) fn is_stray(&self, t: &String) -> bool {
        self.stray.contains(t)
    }

    /// Whether a term is stray, or so many topics use it that it tells
    /// none apart.
    fn vague(&self, t: &String) -> bool {
        self.stray.contains(t)
            || self
                .families
                .get(t)
                .is_some_and(|f| f.len() >= VAGUE_FAMILIES)
    }

    /// Whether a message is only keywords that point to different topics
    /// ("rfa donor rash"): the best topic's family uses under half of them.
    fn scattered(&self, message: &Normalized, family: &str) -> bool {
        // Stray words ("caller asks: what's TAE") point nowhere.
        let terms: Vec<&String> = message.terms.iter().filter(|t| !self.is_stray(t)).collect();
        // A list joined by "and" or "or" ("beads and sunburn and pills") is
        // keywords still.
        let words = message
            .words
            .iter()
            .filter(|w| !matches!(w.as_str(), "and" | "or" | "plus"))
            .count();
        let keywords_only =
            message.terms.len() >= 3 && !terms.is_empty() && message.terms.len() + 1 >= words;
        let covered = terms
            .iter()
            .filter(|t| self.families.get(**t).is_some_and(|f| f.contains(family)))
            .count();
        // Words that belong to one or two other topics pull elsewhere.
        let elsewhere = terms
            .iter()
            .filter(|t| {
                self.families
                    .get(**t)
                    .is_some_and(|f| f.len() <= 2 && !f.contains(family))
            })
            .count();
        keywords_only && (covered * 2 <= terms.len() || elsewhere >= 2)
            || self.two_names(message, family)
    }

    /// Whether a message is just two words that each are what a few topics
    /// are called (titles, ids),
    /// none in common, and one of them is never used of the best topic
    /// ("microwave donor"; not "embolization risks").
    fn two_names(&self, message: &Normalized, family: &str) -> bool {
        let [a, b] = message.terms.as_slice() else {
            return false;
        };
        let specific = |t: &String| self.titled.get(t).filter(|f| f.len() <= FEW_FAMILIES);
        let foreign = |t: &String| !self.families.get(t).is_some_and(|f| f.contains(family));
        message.words.len() == 2
            && match (specific(a), specific(b)) {
                (Some(fa), Some(fb)) => fa.is_disjoint(fb) && (foreign(a) || foreign(b)),
                _ => false,
            }
    }
}

/// Whether the second part of a question speaks of the first ("and is
/// it painful").
fn of_first(second: &[String]) -> bool {
    second
        .iter()
        .any(|w| matches!(w.as_str(), "it" | "its" | "they" | "them" | "this" | "that"))
}

/// Whether a message asks a question: a question mark, or a clause that
/// opens with a question word ("... what is it"), but not a worry ("what
/// if a liver never comes").
pub(super) fn asks(text: &str) -> bool {
    const OPENERS: &[&str] = &[
        "what", "whats", "how", "why", "which", "when", "where", "who", "can", "could", "is",
        "are", "does", "do", "should", "will", "would", "explain", "tell",
    ];
    text.contains('?')
        || text
            .split(['.', '!', ',', ';', ':', '\n'])
            .filter_map(|clause| {
                let mut w = clause.split_whitespace().map(str::to_lowercase);
                Some((w.next()?, w.next().unwrap_or_default()))
            })
            .any(|(first, second)| OPENERS.contains(&first.as_str()) && second != "if")
}

/// Whether a typed word is a slip of a name: one edit for names of six
/// letters or more, two for ten or more (drug names are long and unusual,
/// so a near miss is still that drug), compared as they sound ("k" for
/// "c", "f" for "ph", "i" for "y").
fn near(typed: &str, name: &str) -> bool {
    let allowed = match name.len() {
        0..=5 => 0,
        6..=9 => 1,
        _ => 2,
    };
    let (typed, name) = (sound(typed), sound(name));
    allowed > 0
        && typed.len().abs_diff(name.len()) <= allowed
        && typed.as_bytes().first() == name.as_bytes().first()
        && strsim::levenshtein(&typed, &name) <= allowed
}

/// A word as it sounds, for comparing drug names typed by ear.
fn sound(word: &str) -> String {
    word.replace("ph", "f").replace('k', "c").replace('y', "i")
}

/// Words that open what qualifies a comparison ("X or Y for small
/// tumours", "... in advanced cancer").
const QUALIFIERS: &[&str] = &["for", "in", "with", "when", "if", "near", "after"];

/// Words that open a question ("... and how long does it take").
const QUESTION_WORDS: &[&str] = &[
    "what", "how", "who", "when", "where", "why", "is", "are", "can", "does", "do", "which",
    "will", "would", "should", "could", "did",
];

/// Where a message splits into two questions: (first, second, "which is
/// better", joined by "and"). "X or Y", "X vs Y", "X compared with Y", "X
/// better than Y", "difference between X and Y", "what is X and what are
/// its risks".
fn split(words: &[String]) -> Option<(Vec<String>, Vec<String>, bool, bool)> {
    if words.len() > MAX_SPLIT_WORDS || words.len() < 3 {
        return None;
    }
    let better = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "better" | "best" | "preferable" | "prefer" | "safer" | "worse"
        )
    });
    // A list of three things or more ("rfa and donor and rash") is no pair
    // of questions: whether it points at one topic is for `scattered`.
    let joiners = words
        .iter()
        .filter(|w| matches!(w.as_str(), "and" | "n" | "or" | "vs" | "versus"))
        .count();
    if joiners >= 2 && !words.iter().any(|w| QUESTION_WORDS.contains(&w.as_str())) {
        return None;
    }
    let at = |w: &str| words.iter().position(|x| x == w);
    let cut = ["vs", "versus", "v", "or"]
        .iter()
        .find_map(|w| at(w).map(|i| (i, 1)))
        .or_else(|| {
            words
                .windows(2)
                .position(|p| {
                    matches!(
                        p[0].as_str(),
                        "compared" | "different" | "differ" | "differs"
                    ) && matches!(p[1].as_str(), "to" | "with" | "from")
                })
                .map(|i| (i, 2))
        })
        // "X better than Y", "fewer side effects than chemo"; not "other
        // than" (an exception, not a comparison).
        .or_else(|| {
            let i = at("than")?;
            (i > 0 && words[i - 1] != "other").then_some((i, 1))
        })
        .or_else(|| {
            // "and" joins two questions when a question word follows, or
            // when "between" / "difference" frames the pair.
            // "n" is a typed "and" ("the risks n how long is the wait").
            let and = at("and").or_else(|| at("n"))?;
            let framed = words[..and]
                .iter()
                .any(|w| matches!(w.as_str(), "between" | "difference" | "compare"));
            let asks = words
                .get(and + 1)
                .is_some_and(|w| QUESTION_WORDS.contains(&w.as_str()));
            let short = words.len() - and - 1 <= 3;
            (framed || asks || short).then_some((and, 1))
        })?;
    let (i, len) = cut;
    // The two things compared are words, not letters or numbers ("class A
    // vs C" compares classes within one topic).
    let thing = |w: Option<&String>| {
        w.is_some_and(|w| w.len() > 1 && !w.bytes().all(|b| b.is_ascii_digit()))
    };
    let article = |w: &&String| matches!(w.as_str(), "a" | "an" | "the");
    let before = words[..i].iter().rev().find(|w| !article(w));
    // A letter and a number together name one ("y 90").
    let before_named = i > 1
        && words[i - 1].bytes().all(|b| b.is_ascii_digit())
        && words[i - 2].len() == 1
        && words[i - 2].bytes().all(|b| b.is_ascii_alphabetic());
    let after = words[i + len..].iter().find(|w| !article(w));
    if !((thing(before) || before_named) && thing(after)) {
        return None;
    }
    let first: Vec<String> = words[..i].to_vec();
    let second: Vec<String> = words[i + len..].to_vec();
    let and = matches!(words[i].as_str(), "and" | "n");
    (!first.is_empty() && !second.is_empty()).then_some((first, second, better, and))
}

impl Engine {
    /// The decisions conversation makes before (or instead of) the
    /// matcher's: None leaves the message to `decide`.
    pub(super) fn converse(
        &self,
        heard: Heard,
        ranked: &[Candidate],
        last: Option<usize>,
        scale: f32,
    ) -> Option<Decision> {
        let Heard {
            words,
            message,
            screened,
            question,
        } = heard;
        let newer = self.conversing.newer(words, &self.norm);
        if !newer.is_empty() {
            return Some(Decision::Newer(newer));
        }
        if let Some(route) = self.conversing.route(screened) {
            // A question asked about a sure topic is about that topic; a
            // feeling without a question yields only to a very sure one.
            let asks = question;
            let sure_topic = |sure: f32| {
                let sure = if asks { self.tuning.sure_score } else { sure };
                ranked
                    .iter()
                    .find(|c| {
                        matches!(
                            self.content.intents[c.intent].kind,
                            IntentKind::Answer | IntentKind::Clarify
                        )
                    })
                    .is_some_and(|c| c.score >= sure * scale)
            };
            if !(route.yield_to_topic && sure_topic(YIELD_SURE * self.tuning.sure_score)) {
                return Some(Decision::Own(route.intent));
            }
        }
        // With a topic to refer to, "the other one" is read in its light.
        // A broad question ("how long does it take?") has its own choices;
        // only a topic matched on vague words is held back.
        // Stray words never carry a topic's match alone; other matches
        // (small talk, out of scope) are left to `decide`.
        // Small talk found by the matcher in stray words alone ("what do i
        // do now") is no more sure than a topic found so, nor is help in a
        // message that asks nothing ("i have a question"; not "what
        // questions can i ask"): they too ask which topic it is about.
        let other_kind =
            ranked
                .first()
                .is_some_and(|c| match self.content.intents[c.intent].kind {
                    IntentKind::OutOfScope | IntentKind::Greeting => true,
                    IntentKind::Help => question,
                    _ => false,
                });
        // Read before and after synonyms: "y" alone is "yes", but "y 90"
        // names a treatment.
        let contextless =
            self.conversing.is_contextless(words) && self.conversing.is_contextless(&message.words);
        let refers_back = contextless || (!other_kind && self.conversing.only_stray(message));
        if refers_back && last.is_none() {
            let broad = ranked
                .first()
                .map(|c| &self.content.intents[c.intent])
                .filter(|i| i.kind == IntentKind::Clarify && !contextless);
            return Some(match broad {
                // Its own choices, never a topic guessed from vague words.
                Some(i) => {
                    Decision::Clarify(i.options.iter().filter_map(|o| self.index_of(o)).collect())
                }
                None => Decision::Contextless,
            });
        }
        // A number with no choice pending ("1", "2+2" after an answer)
        // refers to nothing the last reply offered: no stage or topic is
        // guessed from it.
        let number = |w: &String| w.bytes().all(|b| b.is_ascii_digit());
        let arithmetic = |w: &String| ["plus", "minus", "times", "equals"].contains(&w.as_str());
        if contextless
            && words.iter().any(number)
            && words.iter().all(|w| number(w) || arithmetic(w))
        {
            return Some(Decision::Contextless);
        }
        // A comparison names its topics on purpose; other keyword lists
        // pointing at several topics ask which one.
        if let Some(d) = self.two_questions(words, ranked, scale) {
            return Some(d);
        }
        // A symptom asked in general that nothing matched, or matched only
        // loosely to a passage that never names it ("how do they deal with
        // nausea?", "so tired on treatment, normal?"): ask among the
        // side-effect passages that name it; never a guessed passage.
        let loose = ranked.first().is_none_or(|c| {
            c.score < self.tuning.min_score * scale
                || (self.content.intents[c.intent].kind == IntentKind::Answer
                    && self.content.intents[c.intent].aspect != SIDE_EFFECTS
                    && c.score < self.tuning.sure_score * scale)
        });
        if loose && last.is_none() {
            let top = ranked.first().map(|c| c.intent);
            let naming = self.side_effects_naming(message, top);
            if !naming.is_empty() {
                return Some(Decision::Clarify(naming));
            }
        }
        let top = ranked.first()?;
        let intent = &self.content.intents[top.intent];
        // A broad question found in stray words ("where is the nearest
        // hospital") asks nothing the guide answers.
        if intent.kind == IntentKind::Clarify
            && last.is_none()
            && self.carried_by_stray(message, top.intent, scale)
        {
            return Some(Decision::Fallback);
        }
        if intent.kind != IntentKind::Answer {
            return None;
        }
        // A short message whose match rests on its stray words ("explain
        // it to me like im five": "five"): without them, the topic no
        // longer matches, so nothing tells which one it is about.
        if last.is_none() && self.carried_by_stray(message, top.intent, scale) {
            return Some(Decision::Clarify(self.likely_topics(ranked)));
        }
        // Keywords pointing at several topics, or (with nothing to refer
        // to) a message that names no topic and matched only loosely or in
        // a few words ("the thing with the tube", "can you explain"): ask.
        let unnamed = last.is_none()
            && !self.conversing.terms_name_a_topic(&message.terms)
            && (top.score < self.tuning.sure_score * scale
                || (words.len() <= FEW_WORDS
                    && top.score < YIELD_SURE * self.tuning.sure_score * scale));
        // "can it be repeated?", "is it normal" as a first message: what
        // "it" is, nothing tells.
        let pronoun_only = last.is_none()
            && words.len() <= FEW_WORDS
            && super::decide::leans_on_context(words)
            && !self.conversing.terms_name_a_topic(&message.terms);
        (unnamed || pronoun_only || self.conversing.scattered(message, &intent.family))
            .then(|| Decision::Clarify(self.likely_topics(ranked)))
    }

    /// The one choice just offered that a short message names and says
    /// nothing else about ("the transplant one" after "risks?" offered the
    /// risks of each treatment): every telling word of the message is in
    /// that choice's title or id, and it names no other choice as well.
    pub fn named_choice<'c>(&self, text: &str, choices: &'c [String]) -> Option<&'c str> {
        let words = self.norm.words(text);
        if choices.is_empty() || words.is_empty() || words.len() > FEW_WORDS {
            return None;
        }
        let terms: Vec<String> = self
            .norm
            .from_words(&words)
            .terms
            .into_iter()
            .filter(|t| !self.conversing.is_stray(t))
            .collect();
        if terms.is_empty() {
            return None;
        }
        let names = |id: &String| {
            self.content.intent(id).is_some_and(|i| {
                let mut own = self.norm.normalize(&i.title).terms;
                own.extend(self.norm.normalize(&i.id.replace('_', " ")).terms);
                terms.iter().all(|t| own.contains(t))
            })
        };
        match choices
            .iter()
            .filter(|c| names(c))
            .collect::<Vec<_>>()
            .as_slice()
        {
            [one] => Some(one.as_str()),
            _ => None,
        }
    }

    /// Whether a message leans on the conversation ("and how long does it
    /// take?", "is it painful?"): a follow-up about the last topic.
    pub fn leans_back(&self, text: &str) -> bool {
        let words = self.norm.words(text);
        super::decide::leans_on_context(&words) || super::decide::is_follow_up_cue(&words)
    }

    /// Whether a short message matches a topic only through its stray
    /// words: read without them, that topic scores under the fallback
    /// threshold.
    fn carried_by_stray(&self, message: &Normalized, topic: usize, scale: f32) -> bool {
        let kept: Vec<String> = message
            .terms
            .iter()
            .filter(|t| !self.conversing.is_stray(t))
            .cloned()
            .collect();
        if message.words.len() > SHORT_WORDS || kept.len() == message.terms.len() {
            return false;
        }
        let residual = Normalized {
            words: message.words.clone(),
            terms: kept,
            unknown: message.unknown,
        };
        !self
            .classifier
            .rank(&residual)
            .iter()
            .any(|c| c.intent == topic && c.score >= self.tuning.min_score * scale)
    }

    /// The side-effect passages whose words include a telling word of the
    /// message (no stray or vague one, none that names a topic, none the
    /// loosely matched passage uses), at most `LIKELY_TOPICS`.
    fn side_effects_naming(&self, message: &Normalized, top: Option<usize>) -> Vec<usize> {
        // Words the loosely matched passage itself uses are not the symptom.
        let own = top.map_or(&[][..], |i| self.excerpt_terms[i].as_slice());
        let telling: Vec<&String> = message
            .terms
            .iter()
            .filter(|t| !self.conversing.vague(t) && !own.contains(t))
            .filter(|t| self.conversing.names_no_topic(t))
            .collect();
        if telling.is_empty() {
            return Vec::new();
        }
        self.content
            .intents
            .iter()
            .enumerate()
            .filter(|(n, i)| {
                i.kind == IntentKind::Answer
                    && i.aspect == SIDE_EFFECTS
                    && telling.iter().any(|t| self.excerpt_terms[*n].contains(*t))
            })
            .map(|(n, _)| n)
            .take(LIKELY_TOPICS)
            .collect()
    }

    /// The best answer topics of different families, to ask among.
    fn likely_topics(&self, ranked: &[Candidate]) -> Vec<usize> {
        let mut seen: Vec<&str> = Vec::new();
        ranked
            .iter()
            .filter(|c| self.content.intents[c.intent].kind == IntentKind::Answer)
            .filter(|c| {
                let family = self.content.intents[c.intent].family.as_str();
                let fresh = !seen.contains(&family);
                seen.push(family);
                fresh
            })
            .take(LIKELY_TOPICS)
            .map(|c| c.intent)
            .collect()
    }

    /// Both topics of a comparison or a two-part question, when each part
    /// clearly names a different one.
    fn two_questions(
        &self,
        words: &[String],
        ranked: &[Candidate],
        scale: f32,
    ) -> Option<Decision> {
        let (first, second, better, and) = split(words)?;
        let short_tail = and && second.len() <= 3;
        // Reading the parts costs two more rankings: only when the first
        // names something few topics share.
        self.conversing
            .names_a_topic(&first, &self.norm)
            .then_some(())?;
        // A bare "and" with a short tail joins two things only when the
        // first part is called by a topic's name ("side effects of chemo
        // and radiation"); "sore hands and feet on stivarga" is one thing.
        if short_tail
            && !self
                .conversing
                .titles_a_topic(&self.norm.from_words(&first).terms)
        {
            return None;
        }
        let mut a = self.part(&first, None)?;
        let mut cue = vec!["and".to_string()];
        cue.extend(second.iter().cloned());
        // A second part that names its topic is read on its own, not as a
        // follow-up to the first ("chemo vs tace" asks about TACE, not
        // about embolization in chemo's light).
        let named = !and && self.conversing.names_a_topic(&second, &self.norm);
        let mut b = self.part(&cue, (!named).then_some(a))?;
        // "X or Y for advanced cancer": what follows the second name
        // qualifies both; the name alone says which topic it is.
        // Unless the whole message surely asks for that passage ("when is a
        // transplant better than surgery for early cancer" has its own).
        let asked_whole = ranked
            .first()
            .is_some_and(|c| c.intent == b && c.score >= self.tuning.sure_score * scale);
        if let Some(k) = second.iter().position(|w| QUALIFIERS.contains(&w.as_str()))
            && k > 0
            && !and
            && !asked_whole
            && let Some(name) = self.part(&cue[..=k], None)
        {
            b = name;
        }
        // A bare second name is asked the same thing as the first ("fewer
        // side effects than chemo" asks for chemo's side effects).
        if second.len() <= 3
            && let Some(aspect) = self.aspect_asked(&self.norm.from_words(&first))
            && let Some(facet) = self.in_family(&self.content.intents[b].family, aspect)
        {
            b = facet;
        }
        // And a bare first name is asked what the second part asks of the
        // other ("nexavar or stivarga, which has worse side effects" asks
        // for both drugs' side effects).
        if first.len() <= 3
            && !and
            && self.aspect_asked(&self.norm.from_words(&first)).is_none()
            && let Some(aspect) = self.aspect_asked(&self.norm.from_words(&second))
            && self.content.intents[b].aspect == aspect
            && self.content.intents[a].family != self.content.intents[b].family
            && let Some(facet) = self.in_family(&self.content.intents[a].family, aspect)
        {
            a = facet;
        }
        // "what is microwave ablation and is it painful": "it" is the first
        // topic, so the second part is asked of its family (the passage
        // there that holds its words), unless it calls the other by name.
        let second_terms = self.norm.from_words(&second).terms;
        let (ia, ib) = (&self.content.intents[a], &self.content.intents[b]);
        // Another technique of the same family ("what's PEI and is it a
        // needle": RFA's passage holds "needle") is no more "it" than
        // another family is, unless the second part names it.
        let sibling =
            ia.family == ib.family && a != b && ia.aspect == ia.id && ib.aspect == ib.id && {
                // Named by a word of its title the first's title lacks.
                let title = |i: &crate::content::Intent| self.norm.normalize(&i.title).terms;
                let own_a = title(ia);
                !title(ib)
                    .iter()
                    .any(|t| !own_a.contains(t) && second_terms.contains(t))
            };
        if of_first(&second)
            && (ib.family != ia.family || sibling)
            && !(ib.family != ia.family && self.conversing.titles_family(&second_terms, &ib.family))
        {
            b = self
                .speaking_to(&self.norm.from_words(&second), a, 1)
                .unwrap_or(a);
            if a == b {
                let score = ranked.first().map_or(1.0, |c| c.score);
                return Some(Decision::Answer(a, score));
            }
        }

        // The same passage twice is one answer; and "chemo and infections"
        // asks one facet of one treatment, not two questions, unless the
        // message frames a comparison ("difference between RFA and cryo").
        let framed = words.iter().any(|w| {
            matches!(
                w.as_str(),
                "between"
                    | "difference"
                    | "differences"
                    | "differ"
                    | "compare"
                    | "vs"
                    | "versus"
                    | "than"
            )
        });
        let same_family = self.content.intents[a].family == self.content.intents[b].family;
        (a != b && !(same_family && short_tail && !framed)).then_some(())?;
        // "what is HAI and does it cause more side effects": when the first
        // passage holds every telling word of the second part, and as many
        // as the second passage does, it answers both parts itself.
        if and && !framed && !better && self.answers_both(a, b, &second) {
            let score = ranked.first().map_or(1.0, |c| c.score);
            return Some(Decision::Answer(a, score));
        }
        // A passage on the pair itself answers it whole ("the difference
        // between unresectable and inoperable" has its own).
        // (Not a facet the message never asks for: "which is better, TACE
        // or Y-90" is not asking for the side effects of embolization.)
        let asks_aspect = self.aspect_asked(&self.norm.from_words(words));
        let whole = ranked.first().filter(|c| {
            let w = &self.content.intents[c.intent];
            w.kind == IntentKind::Answer
                && c.score >= YIELD_SURE * self.tuning.sure_score * scale
                && (w.aspect != SIDE_EFFECTS || asks_aspect == Some(SIDE_EFFECTS))
        });
        // So does a family's overview named with one of the pair ("resection
        // vs transplant for cure": the surgery overview speaks to both),
        // unless the message asks which is better.
        let overview = whole.is_some_and(|c| {
            let w = &self.content.intents[c.intent];
            w.aspect == "what"
                && !better
                && [a, b]
                    .iter()
                    .any(|&t| self.content.intents[t].family == w.family)
        });
        if whole.is_some_and(|c| c.intent != a && c.intent != b) && (same_family || overview) {
            return None;
        }
        let asked = [&first, &cue]
            .iter()
            .map(|part| self.norm.from_words(part).terms)
            .collect();
        Some(Decision::Compare(vec![a, b], better, asked))
    }

    /// Whether passage `a` holds every telling word of the second part of
    /// a question (no stray or vague one), and at least as many as `b`.
    fn answers_both(&self, a: usize, b: usize, second: &[String]) -> bool {
        let telling: Vec<String> = self
            .norm
            .from_words(second)
            .terms
            .into_iter()
            .filter(|t| !self.conversing.vague(t))
            .collect();
        let held = |i: usize| {
            telling
                .iter()
                .filter(|t| self.excerpt_terms[i].contains(t))
                .count()
        };
        // "what is 3D-CRT and what side effects does radiation have" names
        // the second topic itself: two questions, unless the second part
        // speaks of the first ("... and does it cause nausea").
        let of_first = of_first(second);
        let names_b = self
            .conversing
            .names_specifically(&telling, &self.content.intents[b].family);
        // Without a word for the first, or a name of its own, the first
        // passage must hold more of them than the second.
        !telling.is_empty()
            && (of_first || !names_b)
            && held(a) == telling.len()
            && (held(a) > held(b)
                || ((of_first || !self.conversing.names_any(&telling)) && held(a) == held(b)))
    }

    /// The answer topic one part of a message names, if clear.
    fn part(&self, words: &[String], last: Option<usize>) -> Option<usize> {
        let message = self.norm.from_words(words);
        let scale = self.length_scale(&message);
        let ranked = self.classifier.rank(&message);
        let decision = self.decide(&message, &ranked, last, Default::default(), scale);
        match decision {
            Decision::Answer(i, score) if score >= self.tuning.min_score * scale => Some(i),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split;
    use crate::engine::{Engine, Query};
    use crate::reply::Kind;
    use std::sync::OnceLock;

    fn engine() -> &'static Engine {
        static E: OnceLock<Engine> = OnceLock::new();
        E.get_or_init(|| Engine::new(crate::content::embedded().expect("shipped content")))
    }

    /// "What is X and is it ...": the second part is asked of X, so the
    /// answer never borrows a sibling technique's passage for it.
    #[test]
    fn a_second_part_about_it_stays_with_the_first_technique() {
        for (q, own, sibling) in [
            (
                "what's PEI and is it a needle in the tumour?",
                "concentrated alcohol",
                "high-frequency current",
            ),
            (
                "what is microwave ablation and does it use a needle",
                "microwaves transmitted",
                "high-frequency current",
            ),
        ] {
            let text = crate::reply::plain(&engine().answer(&Query::new(q)));
            assert!(text.contains(own), "{q}: {text}");
            assert!(!text.contains(sibling), "{q}: {text}");
        }
    }

    #[test]
    fn conversation_kinds_for_a_table_of_messages() {
        let cases: &[(&str, Kind, Option<&str>)] = &[
            ("I'm so scared", Kind::Support, Some("1-800-227-2345")),
            (
                "is there a cure",
                Kind::NotInGuide,
                Some("only reasonable chance"),
            ),
            ("how long do I have", Kind::NotInGuide, Some("care team")),
            (
                "what about keytruda?",
                Kind::NotInGuide,
                Some("pembrolizumab"),
            ),
            ("lenvatanib dose", Kind::NotInGuide, Some("lenvatinib")),
            ("thanks!", Kind::SmallTalk, Some("welcome")),
            ("are you a real person", Kind::SmallTalk, Some("automated")),
            ("bye", Kind::SmallTalk, Some("Take care")),
            ("3", Kind::Clarify, Some("More about what")),
            ("2+2", Kind::Clarify, Some("More about what")),
            ("yes", Kind::Clarify, Some("More about what")),
            ("people", Kind::Clarify, None),
            // Keywords of different topics, listed with "and": which one?
            ("donor and rash and microwave", Kind::Clarify, None),
            ("rfa donor rash", Kind::Clarify, None),
            ("sorafenib vs regorafenib", Kind::Answer, Some("Stivarga")),
        ];
        for (text, want, says) in cases {
            let r = engine().answer(&Query::new(text));
            assert_eq!(r.kind, *want, "{text}");
            let plain = crate::reply::plain(&r);
            if let Some(says) = says {
                assert!(plain.contains(says), "{text}: {plain}");
            }
        }
    }

    #[test]
    fn a_comparison_labels_both_passages_within_one_message() {
        let r = engine().answer(&Query::new("sorafenib vs regorafenib"));
        assert_eq!(r.also.len(), 1);
        let titles = titles(&r);
        assert!(
            titles[0].contains("Sorafenib") && titles[1].contains("Regorafenib"),
            "{titles:?}"
        );
        assert_eq!(crate::frontend::telegram::parts(&r).len(), 1);
    }

    /// "X or Y, which has worse side effects": both sides are asked for
    /// their side effects, not the first for what it is.
    #[test]
    fn a_comparison_asks_both_sides_what_the_second_part_asks() {
        let r = engine().answer(&Query::new(
            "nexavar or stivarga, which one has worse side effects",
        ));
        let titles = titles(&r);
        for drug in ["sorafenib", "regorafenib"] {
            assert!(
                titles
                    .iter()
                    .any(|t| t.starts_with("Side effects of") && t.contains(drug)),
                "{drug}: {titles:?}"
            );
        }
    }

    #[test]
    fn a_comparison_is_read_on_the_names_compared() {
        // Qualified after the second name, named by a letter and a number,
        // "different from", "vs" with a name that is also a family's: each
        // side is its own topic.
        for (q, sides) in [
            (
                "targeted therapy or radiation for advanced liver cancer",
                ["Targeted therapy", "External beam radiation"],
            ),
            (
                "Y-90 or SBRT for a tumour near a vessel",
                ["Radioembolization", "Stereotactic body radiation"],
            ),
            (
                "how is ablation different from embolisation",
                ["Tumor ablation", "Embolization"],
            ),
            ("chemo vs TACE", ["Chemotherapy", "Chemoembolization"]),
        ] {
            let r = engine().answer(&Query::new(q));
            let titles = titles(&r);
            for side in sides {
                assert!(
                    titles.iter().any(|t| t.starts_with(side)),
                    "{q}: {titles:?}"
                );
            }
        }
    }

    #[test]
    fn a_letter_and_number_naming_a_treatment_is_not_contextless() {
        let r = engine().answer(&Query::new("what is Y-90?"));
        assert_eq!(r.kind, Kind::Answer);
        assert!(
            titles(&r)[0].starts_with("Radioembolization"),
            "{:?}",
            titles(&r)
        );
        // "y" alone is still "yes", with nothing to refer to.
        assert_eq!(engine().answer(&Query::new("y")).kind, Kind::Clarify);
    }

    #[test]
    fn a_number_after_an_answer_with_no_choices_guesses_no_topic() {
        for text in ["1", "2", "4+4"] {
            let r = engine().answer(&Query {
                text,
                last_topic: Some("tace"),
            });
            assert_eq!(r.kind, Kind::Clarify, "{text}");
            assert!(r.excerpt.is_none(), "{text}: {:?}", titles(&r));
        }
        // A number that names what was asked about is still read.
        let r = engine().answer(&Query {
            text: "and at stage 4?",
            last_topic: Some("tace"),
        });
        assert_eq!(r.kind, Kind::Answer);
    }

    /// The titles of the passages a reply quotes, in order.
    fn titles(r: &crate::reply::Reply) -> Vec<&str> {
        r.excerpt
            .iter()
            .chain(&r.also)
            .map(|e| e.title.as_str())
            .collect()
    }

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn splits_comparisons_and_two_part_questions() {
        let cases = [
            (
                "sorafenib vs regorafenib",
                Some(("sorafenib", "regorafenib", false)),
            ),
            (
                "is tace or rfa better",
                Some(("is tace", "rfa better", true)),
            ),
            (
                "what is sbrt and what are the side effects",
                Some(("what is sbrt", "what are the side effects", false)),
            ),
            (
                "side effects of chemo and radiation",
                Some(("side effects of chemo", "radiation", false)),
            ),
            ("what is tace", None),
            ("cp class a vs c for surgery", None),
        ];
        for (text, want) in cases {
            let got = split(&words(text));
            let got = got
                .as_ref()
                .map(|(a, b, c, _)| (a.join(" "), b.join(" "), *c));
            let want = want.map(|(a, b, c)| (a.to_string(), b.to_string(), c));
            assert_eq!(got, want, "{text}");
        }
    }
}
