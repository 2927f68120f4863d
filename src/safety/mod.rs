//! Triage and the scope screens. Triage is a stage of its own: it reads the
//! message before any topic matching and decides how urgently it must be
//! met ([`Level`]): crisis, emergency, urgent, personal advice or none.
//!
//! It reads the text folded for look-alike and invisible characters
//! ([`fold`]), with the danger-word lexicon applied and misspellings of
//! danger words corrected ([`reader`]). Two signals decide: the screens
//! (regular expressions over that text, data in `intents/safety.toml`, with
//! word classes such as `{blood}`), and a small logistic model trained on the
//! labelled examples in `intents/triage_examples.toml` that catches wordings
//! no pattern foresaw. The most urgent level either finds wins.
//!
//! Fail closed: [`Safety::build`] compiles every screen and runs each one's
//! canaries (`must_match`, `must_not_match`); a screen that does not build or
//! misses a canary is a content problem, and content with a problem is never
//! served (`check`, start-up and reload all go through it).

pub mod fold;
mod matcher;
mod model;
mod reader;

pub use crate::content::{Level, Preface};

use crate::content::{Content, Origin, Problem, Screen};
use crate::nlu::Normalizer;
use matcher::{Gate, Matcher as Regex, Seen};
use model::Model;
use reader::Reader;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Serialize;

/// A compiled pattern set may take at most this much memory; a screen over
/// it is a `check` error rather than a screen that silently matches nothing.
const SIZE_LIMIT: usize = 32 << 20;
/// How many closing sentences of a long message the model also reads alone.
const TAIL_SENTENCES: usize = 2;

#[derive(Debug, Clone)]
struct Compiled {
    name: String,
    level: Level,
    preface: Preface,
    patterns: Regex,
    unless: Option<Regex>,
    /// `unless` entries that are a word class alone (`'{resolved}'`):
    /// compiled once and shared by every screen that names them.
    shared_unless: Vec<Regex>,
}

impl Compiled {
    fn matches(&self, seen: &Seen) -> bool {
        self.patterns.is_match_in(seen)
            && !self.unless.as_ref().is_some_and(|u| u.is_match_in(seen))
            && !self.shared_unless.iter().any(|u| u.is_match_in(seen))
    }

    fn matchers(&mut self) -> impl Iterator<Item = &mut Regex> {
        std::iter::once(&mut self.patterns)
            .chain(&mut self.unless)
            .chain(&mut self.shared_unless)
    }
}

/// What the screens found in one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Findings {
    pub level: Level,
    /// For personal advice: which care-team preface fits.
    pub preface: Preface,
    pub crisis: bool,
    pub emergency: bool,
    pub urgent: bool,
    pub personal_advice: bool,
    pub out_of_scope: bool,
    pub small_talk: bool,
    /// Whether the personal-advice level came from a screen, not the model
    /// alone.
    pub advice_screened: bool,
    /// Whether the message speaks of a person: "I", "my", "he", "mum".
    pub personal: bool,
}

/// The words by which a message speaks of someone's own case.
const PERSONAL: &[&str] = &[
    "i", "im", "ive", "id", "ill", "me", "my", "we", "us", "our", "he", "hes", "him", "his", "she",
    "shes", "her", "mum", "mom", "dad", "husband", "wife", "partner", "son", "daughter", "brother",
    "sister", "father", "mother",
];

/// Why triage chose its level, for `ask --json`: the screens that matched
/// and the model's verdict, never the user's text.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Triage {
    pub level: Level,
    /// "screen:<level>.<name>" for each screen that matched, and
    /// "model:<level>=<probability>" when the model's verdict counted.
    pub signals: Vec<String>,
}

#[derive(Debug)]
pub struct Safety {
    triage: Vec<Compiled>,
    out_of_scope: Vec<Compiled>,
    small_talk: Compiled,
    model_veto: Option<Compiled>,
    at_one_remove: Option<Compiled>,
    /// The word classes, each alone, for the model's features.
    concepts: Classes,
    /// One pass over a message for all the screens' patterns: which of
    /// them need a search at all.
    gate: Gate,
    reader: Reader,
    model: Model,
}

impl Safety {
    /// Compiles the screens, trains the model and runs every canary: the
    /// ready screens, or every problem found.
    pub fn build(content: &Content, norm: &Normalizer) -> Result<Safety, Vec<Problem>> {
        Safety::build_with(content, norm, crate::content::embedded_triage_model())
    }

    /// As [`Safety::build`], with this stored model (used only when it was
    /// trained on this content) or none (train now).
    fn build_with(
        content: &Content,
        norm: &Normalizer,
        stored: Option<&[u8]>,
    ) -> Result<Safety, Vec<Problem>> {
        let screens = &content.screens;
        let mut problems = Vec::new();
        let words = Words::new(&screens.words);
        // Compiling the screens is most of start-up: two threads share the
        // screens, each taking the next one not yet taken (one screen,
        // `plan_or_means`, is much the longest); the problems keep the
        // screens' order.
        let all: Vec<&Screen> = screens.all().collect();
        // The word classes, each alone as a whole-word pattern, are the
        // model's `class:` features; they compile beside the screens.
        let classes_at = all.len();
        let compile_one = |shared: &mut HashMap<String, Regex>, i: usize| {
            let mut found = Vec::new();
            let built = match all.get(i) {
                Some(screen) => Built::Screen(compile(screen, &words, shared, &mut found)),
                None => {
                    let (name, pattern, o) = &screens.words[i - classes_at];
                    Built::Class(
                        screen_regex(&format!(r"\b(?:{pattern})\b"))
                            .map_err(|e| {
                                found.push(Problem::at(
                                    o,
                                    format!("word class `{name}`: {}", last_line(&e.to_string())),
                                ))
                            })
                            .ok(),
                    )
                }
            };
            (built, found)
        };
        // Training reads thousands of examples: the model stored with the
        // shipped content is used while it was trained on this content.
        // The word classes by name and pattern only: where their file lies
        // (embedded or a content folder) does not change the model.
        let classes: Vec<(&str, &str)> = screens
            .words
            .iter()
            .map(|(name, pattern, _)| (name.as_str(), pattern.as_str()))
            .collect();
        let fingerprint = model::fingerprint(content.model_inputs, &classes);
        let (done, stored_model) = std::thread::scope(|scope| {
            // The stored model loads beside them (about a tenth of start-up).
            let stored =
                scope.spawn(|| stored.and_then(|bytes| Model::from_bytes(bytes, fingerprint)));
            let done = on_two_threads(
                classes_at + screens.words.len(),
                HashMap::default,
                compile_one,
            );
            (done, stored.join().ok().flatten())
        });
        let origins: Vec<(&Origin, &str)> = all
            .iter()
            .map(|s| (&s.origin, s.name.as_str()))
            .chain(screens.words.iter().map(|(n, _, o)| (o, n.as_str())))
            .collect();
        let mut built = gather(&origins, done, "could not be built", &mut problems).into_iter();
        let mut compiled = built.by_ref().take(classes_at).map(|b| match b {
            Some(Built::Screen(c)) => c,
            _ => None,
        });
        let triage: Vec<Option<Compiled>> = compiled.by_ref().take(screens.triage.len()).collect();
        let out_of_scope: Vec<Option<Compiled>> =
            compiled.by_ref().take(screens.out_of_scope.len()).collect();
        let small_talk = compiled.next().flatten();
        let mut model_veto = screens
            .model_veto
            .as_ref()
            .and_then(|_| compiled.next().flatten());
        let mut at_one_remove = screens
            .at_one_remove
            .as_ref()
            .and_then(|_| compiled.next().flatten());
        let concepts = Classes::new(
            built
                .filter_map(|b| match b {
                    Some(Built::Class(c)) => c,
                    _ => None,
                })
                .collect(),
        );
        let reader = Reader::new(&content.lexicon);
        let features = |words: &[String]| features(words, &concepts, norm);
        let model = match stored_model {
            Some(model) => model,
            None => {
                let mut examples = match content.lexicon.examples() {
                    Ok(examples) => examples,
                    Err(found) => {
                        problems.extend(found);
                        return Err(problems);
                    }
                };
                let newer = newer_treatment_words(content, norm);
                // The topics' example phrases are ordinary questions, many
                // of them near-misses ("will I bleed a lot during the
                // operation?"): the model learns what "none" looks like
                // from them too.
                examples.push((
                    Level::None,
                    content
                        .intents
                        .iter()
                        .flat_map(|i| i.examples.iter().map(|(e, _)| e.clone()))
                        .collect(),
                ));
                Model::train(
                    fingerprint,
                    &examples,
                    |t| features(&reader.read(t, norm)),
                    |name| telling(name, norm, &newer),
                )
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut triage: Vec<Compiled> = triage.into_iter().flatten().collect();
        let mut out_of_scope: Vec<Compiled> = out_of_scope.into_iter().flatten().collect();
        let mut small_talk =
            small_talk.unwrap_or_else(|| unreachable!("no problem, so it compiled"));
        let gate = Gate::new(
            triage
                .iter_mut()
                .chain(&mut out_of_scope)
                .chain(std::iter::once(&mut small_talk))
                .chain(&mut model_veto)
                .chain(&mut at_one_remove)
                .flat_map(Compiled::matchers),
        );
        let safety = Safety {
            triage,
            out_of_scope,
            small_talk,
            model_veto,
            at_one_remove,
            concepts,
            gate,
            reader,
            model,
        };
        safety.run_canaries(screens, norm, &mut problems);
        if problems.is_empty() {
            Ok(safety)
        } else {
            Err(problems)
        }
    }

    /// The triage model trained afresh on this content, as stored in
    /// `intents/triage.model` (`liverline models`).
    pub fn trained_model(content: &Content, norm: &Normalizer) -> Result<Vec<u8>, Vec<Problem>> {
        Ok(Safety::build_with(content, norm, None)?.model.to_bytes())
    }

    /// Each screen's samples, through the whole triage (fold, lexicon,
    /// screens, model): a `must_match` sample must reach the screen's level,
    /// a `must_not_match` sample must not match that screen.
    fn run_canaries(
        &self,
        screens: &crate::content::Screens,
        norm: &Normalizer,
        problems: &mut Vec<Problem>,
    ) {
        // Both lists are in the order of `Screens::all`.
        let compiled: Vec<&Compiled> = self
            .triage
            .iter()
            .chain(&self.out_of_scope)
            .chain(std::iter::once(&self.small_talk))
            .chain(&self.model_veto)
            .chain(&self.at_one_remove)
            .collect();
        let all: Vec<&Screen> = screens.all().collect();
        let check = |_: &mut (), i: usize| {
            let (screen, compiled) = (all[i], compiled[i]);
            let mut found = Vec::new();
            for (sample, o) in &screen.must_match {
                let text = self.text(sample, norm);
                let ok = if screen.level == Level::None {
                    compiled.matches(&self.gate.scan(&text))
                } else {
                    self.triage(sample, norm).level <= screen.level
                };
                if !ok {
                    found.push(Problem::at(
                        o,
                        format!(
                            "screen `{}` misses its own sample \"{sample}\"",
                            screen.name
                        ),
                    ));
                }
            }
            for (sample, o) in &screen.must_not_match {
                if compiled.matches(&self.gate.scan(&self.text(sample, norm))) {
                    found.push(Problem::at(
                        o,
                        format!(
                            "screen `{}` matches \"{sample}\", which it must not",
                            screen.name
                        ),
                    ));
                }
            }
            ((), found)
        };
        let done = on_two_threads(all.len().min(compiled.len()), || (), check);
        let origins: Vec<(&Origin, &str)> =
            all.iter().map(|s| (&s.origin, s.name.as_str())).collect();
        gather(&origins, done, "could not run its samples", problems);
    }

    /// The text every screen reads: the message read for triage, then the
    /// same words with the content's spelling and synonyms (" a b | c d "),
    /// when that reads differently.
    fn text(&self, raw: &str, norm: &Normalizer) -> String {
        self.text_of(&self.reader.read(raw, norm), norm)
    }

    fn text_of(&self, words: &[String], norm: &Normalizer) -> String {
        let read = words.join(" ");
        let mapped = norm.spell(words).join(" ");
        // Most messages read the same both ways: each screen then scans the
        // words once (" a b | ").
        if mapped == read {
            format!(" {read} | ")
        } else {
            format!(" {read} | {mapped} ")
        }
    }

    /// The triage level of a message and why.
    pub fn triage(&self, raw: &str, norm: &Normalizer) -> Triage {
        self.screen(raw, norm).1
    }

    /// Triage and the scope screens for one message.
    pub fn screen(&self, raw: &str, norm: &Normalizer) -> (Findings, Triage) {
        // Each part is read once: the whole message and, for a long story,
        // its closing sentences, which are screened on their own too ("ten
        // days ago ... the fever settled" must not excuse "tonight he is
        // being sick and it is full of blood").
        let words = self.reader.read(raw, norm);
        let text = self.text_of(&words, norm);
        let tail_words = tail(raw).map(|t| self.reader.read(t, norm));
        let tail = tail_words.as_ref().map(|w| self.text_of(w, norm));
        let seen = self.gate.scan(&text);
        let tail = tail.as_deref().map(|t| self.gate.scan(t));
        let mut findings = Findings::default();
        let mut triage = Triage {
            level: Level::None,
            signals: Vec::new(),
        };
        // A message told at one remove (a caller, a drama, a "what if")
        // is met by no emergency screen; a crisis screen still reads it.
        // Read only when an emergency screen matched or the model would
        // speak: most messages need neither, and it is a long pattern.
        let remote_cell = std::cell::OnceCell::new();
        let remote = || {
            *remote_cell.get_or_init(|| {
                self.at_one_remove
                    .as_ref()
                    .is_some_and(|r| r.matches(&seen))
            })
        };
        let hit = |s: &&Compiled| {
            (s.matches(&seen) || tail.as_ref().is_some_and(|t| s.matches(t)))
                && !(s.level == Level::Emergency && remote())
        };
        for s in self.triage.iter().filter(hit) {
            triage
                .signals
                .push(format!("screen:{}.{}", s.level.as_str(), s.name));
            if s.level < triage.level {
                triage.level = s.level;
            }
            if s.level == Level::PersonalAdvice && findings.preface == Preface::General {
                findings.preface = s.preface;
            }
            findings.advice_screened |= s.level == Level::PersonalAdvice;
        }
        // A message the `model_veto` screen marks (a question in general, a
        // past event since resolved, a figure of speech) raises the bar the
        // model must clear, as a screen's own finding does.
        // Small talk ("goodbye", "thanks a lot") raises it as well.
        let small_talk = self.small_talk.matches(&seen);
        let vetoes = |t: &Seen| {
            small_talk || remote() || self.model_veto.as_ref().is_some_and(|v| v.matches(t))
        };
        let mut vetoed = None;
        let mut is_vetoed = || *vetoed.get_or_insert_with(|| vetoes(&seen));
        // One word is no context for the model ("goodbye"): the screens and
        // the lexicon read single danger words.
        // Nor is a message the model mostly cannot read (another language,
        // a string of unknown words): one known word would carry it alone.
        let mut verdict = None;
        let known = || words.iter().filter(|w| self.model.id(w).is_some()).count();
        // Over an emergency screen the model is read for a crisis only
        // ("chest pains again and I hope it finishes me off"): both lead
        // with 911, and the crisis reply speaks to the wish.
        if triage.level > Level::Crisis && words.len() > 1 && 2 * known() >= words.len() {
            let parts: Vec<Vec<u32>> = std::iter::once(&words)
                .chain(&tail_words)
                .map(|w| {
                    let mut ids = Vec::with_capacity(4 * w.len());
                    each_feature(w, &self.concepts, norm, &mut |name| {
                        ids.extend(self.model.id(name))
                    });
                    // Once each, as the model learnt them.
                    ids.sort_unstable();
                    ids.dedup();
                    ids
                })
                .collect();
            // A veto only raises the bar: it is read when the model would
            // otherwise raise the level. For a crisis it holds over the
            // closing sentences only when they carry it themselves: a
            // question or a past event told earlier does not excuse "...
            // they'll find the letters after" at the end. (An emergency in
            // the closing lines is the screens' to find there: read alone,
            // "I just can't stop" after a story of grief is no bleeding.)
            verdict = self
                .model
                .verdict(&parts, triage.level, false)
                .and_then(|v| {
                    if !is_vetoed() {
                        return Some(v);
                    }
                    let whole = self.model.verdict(&parts, triage.level, true);
                    let closing_vetoed = tail.as_ref().is_some_and(vetoes);
                    let closing = (parts.len() > 1 && !closing_vetoed)
                        .then(|| self.model.verdict(&parts[1..], triage.level, false))
                        .flatten()
                        .filter(|c| c.0 == Level::Crisis);
                    match (whole, closing) {
                        (Some(w), Some(c)) => Some(if c.0 < w.0 { c } else { w }),
                        (w, c) => w.or(c),
                    }
                });
        }
        if remote_cell.get() == Some(&true) {
            triage.signals.push("remote:at_one_remove".into());
        }
        if vetoed == Some(true) {
            triage.signals.push("veto:model".into());
        }
        if let Some((level, p)) = verdict {
            triage
                .signals
                .push(format!("model:{}={p:.2}", level.as_str()));
            triage.level = level;
        }
        findings.level = triage.level;
        findings.crisis = triage.level == Level::Crisis;
        findings.emergency = triage.level == Level::Emergency;
        findings.urgent = triage.level == Level::Urgent;
        findings.personal_advice = triage.level == Level::PersonalAdvice;
        findings.out_of_scope = self.out_of_scope.iter().any(|c| c.matches(&seen));
        findings.small_talk = small_talk;
        findings.personal = words.iter().any(|w| PERSONAL.contains(&w.as_str()));
        (findings, triage)
    }
}

/// The closing sentences of a message of more sentences than that, joined
/// (two at a time, so that a short last line keeps the context before it).
fn tail(raw: &str) -> Option<&str> {
    let starts: Vec<usize> = raw
        .match_indices(['.', '!', '?', '\n', ';'])
        .map(|(i, _)| i + 1)
        .filter(|&i| raw[i..].split_whitespace().count() >= 2)
        .collect();
    (starts.len() >= TAIL_SENTENCES).then(|| &raw[starts[starts.len() - TAIL_SENTENCES]..])
}

/// The model's features of a message: its words, word pairs, and the word
/// classes of `[words]` it holds ("class:blood"), which let the model carry
/// what it learnt of one word to the others of its class.
fn features(words: &[String], concepts: &Classes, norm: &Normalizer) -> Vec<String> {
    let mut out = Vec::new();
    each_feature(words, concepts, norm, &mut |name| {
        out.push(name.to_string())
    });
    out
}

/// Each of [`features`] in turn, without keeping them: what a message is
/// asked with (the names are looked up, never stored).
fn each_feature(
    words: &[String],
    concepts: &Classes,
    norm: &Normalizer,
    out: &mut dyn FnMut(&str),
) {
    let mut name = String::new();
    for w in words {
        out(w);
    }
    for pair in words.windows(2) {
        name.clear();
        name.push_str(&pair[0]);
        name.push(' ');
        name.push_str(&pair[1]);
        out(&name);
    }
    // Stems, alone and in pairs, carry what was learnt of "bled" to
    // "bleeding" and of "collapsing" to "collapsed".
    let stems: Vec<_> = words
        .iter()
        .filter(|w| !norm.is_stop(w))
        .map(|w| norm.stem_ref(w))
        .collect();
    for pair in stems.windows(2) {
        name.clear();
        name.push_str("s:");
        name.push_str(&pair[0]);
        name.push_str(" s:");
        name.push_str(&pair[1]);
        out(&name);
    }
    for stem in &stems {
        name.clear();
        name.push_str("s:");
        name.push_str(stem);
        out(&name);
    }
    if !concepts.list.is_empty() {
        name.clear();
        name.push(' ');
        for w in words {
            name.push_str(w);
            name.push(' ');
        }
        let seen = concepts.gate.scan(&name);
        for (i, class) in concepts.list.iter().enumerate() {
            if class.is_match_in(&seen) {
                out(&format!("class:{i}"));
            }
        }
    }
}

/// The word classes, each a whole-word pattern of its own, and the gate
/// that reads a message for all of them at once.
#[derive(Debug)]
struct Classes {
    list: Vec<Regex>,
    gate: Gate,
}

impl Classes {
    fn new(mut list: Vec<Regex>) -> Classes {
        let gate = Gate::new(&mut list);
        Classes { list, gate }
    }
}

/// Whether a feature may count as evidence of a level: a word class, or a
/// word, pair, stem or pair of stems with at least one word that is not a
/// stop word nor the name of a treatment the guide does not cover (such a
/// name says what a message is about, never how urgent it is:
/// "atezolizumab and bevacizumab" is no urgent symptom).
fn telling(name: &str, norm: &Normalizer, newer: &HashSet<String>) -> bool {
    name.starts_with("class:")
        || name.split(' ').any(|w| match w.strip_prefix("s:") {
            Some(stem) => !newer.contains(stem),
            None => w.len() > 2 && !norm.is_stop(w) && !newer.contains(w),
        })
}

/// The words and stems of the names of treatments the guide does not cover
/// (`intents/conversation.toml`), as the model reads them.
fn newer_treatment_words(content: &Content, norm: &Normalizer) -> HashSet<String> {
    content
        .conversation
        .newer
        .iter()
        .flat_map(|t| &t.names)
        .flat_map(|n| n.split_whitespace())
        .map(str::to_lowercase)
        .flat_map(|w| [norm.stem_ref(&w).into_owned(), w])
        .collect()
}

/// The word classes patterns may name as `{name}`.
struct Words(Vec<(String, String)>);

impl Words {
    /// The classes by name (each is compiled alone, and reported at its
    /// line when it does not build, with the model's features).
    fn new(list: &[(String, String, Origin)]) -> Words {
        Words(
            list.iter()
                .map(|(n, p, _)| (n.clone(), p.clone()))
                .collect(),
        )
    }

    /// Whether `name` is a word class.
    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    /// The pattern with each `{name}` replaced by its class; an unknown
    /// name is reported.
    fn expand(&self, pattern: &str, o: &Origin, problems: &mut Vec<Problem>) -> String {
        self.substitute(pattern, o, problems, false)
    }

    /// The pattern with each `{name}` replaced by a stand-in group: its own
    /// syntax, cheap to check (the classes are checked once, on their own).
    fn skeleton(&self, pattern: &str) -> String {
        self.substitute(pattern, &Origin::default(), &mut Vec::new(), true)
    }

    fn substitute(
        &self,
        pattern: &str,
        o: &Origin,
        problems: &mut Vec<Problem>,
        stand_in: bool,
    ) -> String {
        let mut out = String::with_capacity(pattern.len());
        let mut rest = pattern;
        while let Some(at) = rest.find('{') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let name_len = after
                .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                .unwrap_or(after.len());
            let name = &after[..name_len];
            if !name.is_empty() && after[name_len..].starts_with('}') {
                match self.0.iter().find(|(n, _)| n == name) {
                    Some(_) if stand_in => out.push_str("(?:_)"),
                    Some((_, p)) => out.push_str(&format!("(?:{p})")),
                    None => {
                        problems.push(Problem::at(o, format!("unknown word class `{{{name}}}`")))
                    }
                }
                rest = &after[name_len + 1..];
            } else {
                out.push('{');
                rest = after;
            }
        }
        out.push_str(rest);
        out
    }
}

/// What one job of the compiling threads built: a screen, or a word class
/// alone (`None` where it has a problem, reported with it).
// Built once per job and moved once: boxing would only add allocations.
#[allow(clippy::large_enum_variant)]
enum Built {
    Screen(Option<Compiled>),
    Class(Option<Regex>),
}

/// One screen compiled: its patterns as one alternation, its exceptions as
/// another. Screens read ASCII-folded text, so ASCII classes suffice and
/// compile far faster than Unicode ones.
fn compile(
    screen: &Screen,
    words: &Words,
    shared: &mut HashMap<String, Regex>,
    problems: &mut Vec<Problem>,
) -> Option<Compiled> {
    let mut any_of = |list: &[(String, Origin)]| -> Option<Option<Regex>> {
        if list.is_empty() {
            return Some(None);
        }
        let mut parts = Vec::with_capacity(list.len());
        let mut ok = true;
        for (p, o) in list {
            let expanded = words.expand(p, o, problems);
            // Syntax only here, with the word classes stood in for (the
            // cheap part): the alternation below is compiled once, and any
            // other fault is reported by its line then.
            match regex_syntax::ast::parse::Parser::new().parse(&words.skeleton(p)) {
                Ok(_) => parts.push(format!("(?:{expanded})")),
                Err(e) => {
                    ok = false;
                    problems.push(Problem::at(o, invalid_regex(p, &e)));
                }
            }
        }
        if !ok {
            return None;
        }
        match screen_regex(&parts.join("|")) {
            Ok(r) => Some(Some(r)),
            Err(e) => {
                // The pattern at fault, when one is on its own.
                for (p, o) in list {
                    if let Err(e) = screen_regex(&words.expand(p, o, &mut Vec::new())) {
                        if !e.too_large() {
                            problems.push(Problem::at(o, invalid_regex(p, &e)));
                            return None;
                        }
                    }
                }
                problems.push(Problem::at(
                    &screen.origin,
                    format!(
                        "screen `{}` does not build: {}",
                        screen.name,
                        last_line(&e.to_string())
                    ),
                ));
                None
            }
        }
    };
    let patterns = any_of(&screen.patterns)?;
    // A word class named alone as an exception is built once for all the
    // screens that name it (`{resolved}` is long and most screens use it).
    let (lone, own): (Vec<_>, Vec<_>) = screen.unless.iter().cloned().partition(|(p, _)| {
        p.strip_prefix('{')
            .and_then(|p| p.strip_suffix('}'))
            .is_some_and(|name| words.has(name))
    });
    let unless = any_of(&own)?;
    let mut shared_unless = Vec::with_capacity(lone.len());
    for (p, o) in &lone {
        let regex = match shared.get(p) {
            Some(r) => r.clone(),
            None => match screen_regex(&words.expand(p, o, problems)) {
                Ok(r) => {
                    shared.insert(p.clone(), r.clone());
                    r
                }
                Err(e) => {
                    problems.push(Problem::at(o, invalid_regex(p, &e)));
                    return None;
                }
            },
        };
        shared_unless.push(regex);
    }
    let Some(patterns) = patterns else {
        problems.push(Problem::at(
            &screen.origin,
            format!("screen `{}` is empty", screen.name),
        ));
        return None;
    };
    Some(Compiled {
        name: screen.name.clone(),
        level: screen.level,
        preface: screen.preface,
        patterns,
        unless,
        shared_unless,
    })
}

/// `f(state, i)` for every `i` below `n`, on this thread and one more, each
/// taking the next `i` not yet taken and keeping its own `state`: the
/// results in order, `None` where a thread panicked (a bug, reported by
/// the caller as that screen's problem).
fn on_two_threads<S, T: Send>(
    n: usize,
    state: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, usize) -> T + Sync,
) -> Vec<Option<T>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let worker = || {
        let mut own = state();
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if i >= n {
                return done;
            }
            done.push((i, f(&mut own, i)));
        }
    };
    let done = std::thread::scope(|scope| {
        let helper = scope.spawn(worker);
        let mut done = worker();
        done.extend(helper.join().unwrap_or_default());
        done
    });
    let mut slots: Vec<Option<T>> = (0..n).map(|_| None).collect();
    for (i, t) in done {
        slots[i] = Some(t);
    }
    slots
}

/// The per-screen results of [`on_two_threads`], in the screens' order,
/// with each screen's problems added to `problems` in that order; a screen
/// whose work was lost is a problem of its own (`failed`).
fn gather<T>(
    all: &[(&Origin, &str)],
    done: Vec<Option<(T, Vec<Problem>)>>,
    failed: &str,
    problems: &mut Vec<Problem>,
) -> Vec<Option<T>> {
    done.into_iter()
        .zip(all)
        .map(|(slot, (origin, name))| match slot {
            Some((t, mut found)) => {
                problems.append(&mut found);
                Some(t)
            }
            None => {
                problems.push(Problem::at(origin, format!("`{name}` {failed}")));
                None
            }
        })
        .collect()
}

/// A screen's alternation (see [`matcher`]).
fn screen_regex(pattern: &str) -> Result<Regex, matcher::BuildError> {
    Regex::new(pattern, SIZE_LIMIT)
}

/// The problem of one pattern that does not build.
fn invalid_regex(pattern: &str, error: &dyn std::fmt::Display) -> String {
    format!(
        "invalid regex /{pattern}/: {}",
        last_line(&error.to_string())
    )
}

fn last_line(message: &str) -> String {
    message.lines().last().unwrap_or("").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::on_two_threads;

    #[test]
    fn work_shared_by_two_threads_comes_back_in_order() {
        let squares = on_two_threads(
            50,
            || 0usize,
            |calls, i| {
                *calls += 1;
                i * i
            },
        );
        assert_eq!(squares, (0..50).map(|i| Some(i * i)).collect::<Vec<_>>());
        assert!(on_two_threads(0, || (), |_, i| i).is_empty());
    }
}
