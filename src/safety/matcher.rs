//! A screen's compiled alternation, built for the one question screens ask
//! (does it match anywhere?): a forward NFA and a lazy DFA over it, with no
//! reverse automaton or captures, which a general regex builds to report
//! where a match lies. Building screens is most of start-up, and this
//! halves the automata built; each search stops at the first match.
//!
//! A [`Gate`] reads a message once for the literals every pattern of a
//! group begins and ends with (one Aho-Corasick pass): a pattern none of
//! whose prefixes occurs before one of its suffixes ends is not searched,
//! and the others only between the two; a literal that follows or precedes
//! a `\b` in the pattern counts only where a word boundary holds (`cargo
//! bench --bench engine`, triage alone: p50 about a third lower).

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson::{self, NFA, WhichCaptures, pikevm, pikevm::PikeVM};
use regex_automata::util::pool::Pool;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{Input, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Capture, Class, Hir, HirKind, Look, Repetition};
use rustc_hash::FxHashMap as HashMap;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Arc;

/// How much memory the lazy DFA of one screen may keep of the states it
/// has built: a long screen read over many messages otherwise clears and
/// rebuilds its states (`cargo bench --bench engine`, triage alone: p50
/// 41 µs at the default 2 MiB, 29 µs at this).
const CACHE_CAPACITY: usize = 16 << 20;

/// One search's scratch space: the lazy DFA's, and the PikeVM's once it
/// is needed (it never is on these patterns, and it is as large as the NFA).
type Scratch = (Cache, Option<pikevm::Cache>);
type Create = Box<dyn Fn() -> Scratch + Send + Sync + RefUnwindSafe + UnwindSafe>;

#[derive(Clone)]
pub(super) struct Matcher {
    dfa: DFA,
    /// The lazy DFA never gives up on these patterns (ASCII word
    /// boundaries, no cache-clearing limit), but should it, the NFA's
    /// PikeVM answers instead: a screen never errs towards "no match".
    pikevm: PikeVM,
    caches: Arc<Pool<Scratch, Create>>,
    /// What every match begins with, and what it ends with, each `None`
    /// when that is not a short list (the pattern may begin with any
    /// letter): read by [`Gate`].
    ends: [Option<Vec<End>>; 2],
    /// This matcher's place in its [`Gate`].
    slot: usize,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Matcher")
    }
}

/// Why a pattern does not build: its syntax, or an automaton over the size
/// limit (which says nothing of any one of its parts).
#[derive(Debug)]
pub(super) struct BuildError {
    message: String,
    too_large: bool,
}

impl BuildError {
    pub(super) fn too_large(&self) -> bool {
        self.too_large
    }

    fn other(e: impl std::fmt::Display) -> BuildError {
        BuildError {
            message: e.to_string(),
            too_large: false,
        }
    }
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Matcher {
    /// Builds the pattern, with an NFA of at most `size_limit` bytes.
    pub(super) fn new(pattern: &str, size_limit: usize) -> Result<Matcher, BuildError> {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .build()
            .parse(pattern)
            .map_err(BuildError::other)?;
        let nfa: NFA = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .which_captures(WhichCaptures::None)
                    .nfa_size_limit(Some(size_limit)),
            )
            .build_from_hir(&hir)
            .map_err(|e| BuildError {
                too_large: e.size_limit().is_some(),
                message: e.to_string(),
            })?;
        // Most messages hold none of the words a screen starts from: the
        // search skips to the next place one of them begins.
        let prefilter = Prefilter::from_hir_prefix(MatchKind::LeftmostFirst, &hir);
        // Read with its word boundaries as bytes of their own: "od" in
        // `\b(od|overdose)\b` then counts only where a word begins, not in
        // "blood" or "good".
        let marked = if holds_boundary_byte(&hir) {
            hir.clone()
        } else {
            mark_boundaries(&hir)
        };
        let ends = [ExtractKind::Prefix, ExtractKind::Suffix].map(|kind| {
            Extractor::new()
                .kind(kind)
                .limit_literal_len(END_LEN)
                .limit_total(ENDS)
                .extract(&marked)
                .literals()
                .map(|lits| {
                    lits.iter()
                        .map(|l| End::new(l.as_bytes()))
                        .collect::<Vec<_>>()
                })
                .filter(|ends| ends.iter().all(|e| !e.bytes.is_empty()))
        });
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .cache_capacity(CACHE_CAPACITY)
                    .prefilter(prefilter),
            )
            .build_from_nfa(nfa.clone())
            .map_err(BuildError::other)?;
        let pikevm = PikeVM::new_from_nfa(nfa).map_err(BuildError::other)?;
        let d = dfa.clone();
        let create: Create = Box::new(move || (d.create_cache(), None));
        Ok(Matcher {
            dfa,
            pikevm,
            caches: Arc::new(Pool::new(create)),
            ends,
            slot: 0,
        })
    }

    /// Whether the pattern matches the text its gate has read: no search
    /// at all unless one of its prefixes occurs before the end of one of
    /// its suffixes, and none outside the stretch between them.
    pub(super) fn is_match_in(&self, seen: &Seen) -> bool {
        let (from, to) = (seen.first[self.slot], seen.last[self.slot]);
        from != NOWHERE
            && to != NOWHERE
            && from <= to
            && self.search(Input::new(seen.text).range(from..to))
    }

    fn search(&self, input: Input) -> bool {
        let input = input.earliest(true);
        let mut caches = self.caches.get();
        let (dfa_cache, pike_cache) = &mut *caches;
        match self.dfa.try_search_fwd(dfa_cache, &input) {
            Ok(found) => found.is_some(),
            Err(_) => {
                let cache = pike_cache.get_or_insert_with(|| self.pikevm.create_cache());
                self.pikevm.is_match(cache, input)
            }
        }
    }
}

/// Longest prefix or suffix a gate looks for (a word boundary counts as a
/// byte), and most of either kind for one pattern. With word boundaries
/// read, longer and more literals search fewer patterns: on the golden
/// questions 8.3 searches of 850 bytes a message at these, against 19.8 of
/// 1,951 with 4 and 500 and no boundaries, for no slower start-up.
const END_LEN: usize = 8;
const ENDS: usize = 1500;
const NOWHERE: usize = usize::MAX;
/// Where a matcher with no short list of suffixes may end: the end of the
/// text, whatever its length.
const ANYWHERE: usize = usize::MAX - 1;

/// Stands for an ASCII word boundary (`\b`) in the literals a gate reads
/// (a pattern that can match this byte itself is read without the marks).
const BOUNDARY: u8 = 0;

/// Whether the pattern has a literal or class that holds [`BOUNDARY`].
fn holds_boundary_byte(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Literal(l) => l.0.contains(&BOUNDARY),
        HirKind::Class(Class::Bytes(c)) => c.ranges().iter().any(|r| r.start() == BOUNDARY),
        HirKind::Class(Class::Unicode(c)) => c.ranges().iter().any(|r| r.start() == '\0'),
        HirKind::Repetition(r) => holds_boundary_byte(&r.sub),
        HirKind::Capture(c) => holds_boundary_byte(&c.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(holds_boundary_byte),
        HirKind::Empty | HirKind::Look(_) => false,
    }
}

/// The pattern with each `\b` turned into the byte [`BOUNDARY`], for
/// extracting its literals only (it is never searched).
fn mark_boundaries(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Look(Look::WordAscii) => Hir::literal([BOUNDARY]),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(mark_boundaries(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(mark_boundaries(&c.sub)),
            ..c.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(mark_boundaries).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(mark_boundaries).collect()),
        _ => hir.clone(),
    }
}

/// One literal a match begins (or ends) with, and whether a word boundary
/// holds where it begins and where it ends.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct End {
    bytes: Vec<u8>,
    boundary: [bool; 2],
}

impl End {
    /// From an extracted literal with [`BOUNDARY`] bytes: those at either
    /// end become conditions, those inside are dropped (reading more
    /// occurrences, never fewer).
    fn new(marked: &[u8]) -> End {
        End {
            bytes: marked.iter().copied().filter(|&b| b != BOUNDARY).collect(),
            boundary: [
                marked.first() == Some(&BOUNDARY),
                marked.len() > 1 && marked.last() == Some(&BOUNDARY),
            ],
        }
    }
}

/// Whether `\b` (ASCII) holds at `at` in `text`.
fn is_boundary(text: &[u8], at: usize) -> bool {
    let word = |i: Option<&u8>| i.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    word(at.checked_sub(1).and_then(|i| text.get(i))) != word(text.get(at))
}

/// One pass over a message for a group of matchers: where the first of
/// each one's prefixes begins and where the last of its suffixes ends.
/// Most messages hold the prefixes and suffixes of a few patterns only,
/// and the others need no search of their own.
#[derive(Debug)]
pub(super) struct Gate {
    /// `None` should the literals not build: every matcher then searches
    /// the whole text (a gate only ever saves work).
    ends: Option<AhoCorasick>,
    /// For each literal, the slots of the matchers that begin with it and
    /// of those that end with it, each with the word boundaries that must
    /// hold around it.
    owners: Vec<[Vec<Owner>; 2]>,
    /// Each slot's bounds before any literal is read: the whole text for a
    /// matcher with no short list of prefixes (suffixes), else nowhere.
    first: Vec<usize>,
    last: Vec<usize>,
}

/// A matcher's slot, and the word boundaries that must hold at the start
/// and the end of a literal for it.
type Owner = (u32, [bool; 2]);

/// What a [`Gate`] read in one text.
pub(super) struct Seen<'t> {
    text: &'t str,
    first: Vec<usize>,
    last: Vec<usize>,
}

impl Gate {
    /// The gate of these matchers, each given its slot in it.
    pub(super) fn new<'m>(matchers: impl IntoIterator<Item = &'m mut Matcher>) -> Gate {
        let mut index: HashMap<Vec<u8>, usize> = HashMap::default();
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut owners: Vec<[Vec<Owner>; 2]> = Vec::new();
        let (mut first, mut last) = (Vec::new(), Vec::new());
        for (slot, m) in matchers.into_iter().enumerate() {
            m.slot = slot;
            first.push(if m.ends[0].is_some() { NOWHERE } else { 0 });
            // Read as "the end of the text" when the gate scans it.
            last.push(if m.ends[1].is_some() {
                NOWHERE
            } else {
                ANYWHERE
            });
            for (end, list) in m.ends.iter().enumerate() {
                for lit in list.iter().flatten() {
                    let id = *index.entry(lit.bytes.clone()).or_insert_with(|| {
                        literals.push(lit.bytes.clone());
                        owners.push(Default::default());
                        owners.len() - 1
                    });
                    let own = &mut owners[id][end];
                    let entry = (slot as u32, lit.boundary);
                    if !own.contains(&entry) {
                        own.push(entry);
                    }
                }
            }
        }
        // The contiguous NFA: as fast here as the DFA, and small enough to
        // stay in the CPU's caches between messages.
        let ends = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&literals)
            .ok();
        if ends.is_none() {
            first.fill(0);
            last.fill(ANYWHERE);
        }
        Gate {
            ends,
            owners,
            first,
            last,
        }
    }

    pub(super) fn scan<'t>(&self, text: &'t str) -> Seen<'t> {
        let mut first = self.first.clone();
        let mut last: Vec<usize> = self
            .last
            .iter()
            .map(|&l| if l == ANYWHERE { text.len() } else { l })
            .collect();
        let bytes = text.as_bytes();
        for hit in self.ends.iter().flat_map(|a| a.find_overlapping_iter(text)) {
            let [starting, ending] = &self.owners[hit.pattern().as_usize()];
            let holds = [
                is_boundary(bytes, hit.start()),
                is_boundary(bytes, hit.end()),
            ];
            let fits = |needs: &[bool; 2]| (!needs[0] || holds[0]) && (!needs[1] || holds[1]);
            for (slot, needs) in starting {
                if fits(needs) {
                    let f = &mut first[*slot as usize];
                    *f = (*f).min(hit.start());
                }
            }
            for (slot, needs) in ending {
                if fits(needs) {
                    let l = &mut last[*slot as usize];
                    if *l == NOWHERE || *l < hit.end() {
                        *l = hit.end();
                    }
                }
            }
        }
        Seen { text, first, last }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_as_a_general_regex_would() {
        let patterns = [
            r"^ (hi|hello)( |$)",
            r"\bkill (myself|me)\b",
            r"\b(dose|mg)\b[a-z0-9 ]{0,60}\btoo (high|strong)\b",
            r"\bend it\b[a-z ]{0,10}\|",
            // No short list of prefixes (searched on every text), and a
            // prefix that may be left out.
            r"\b[a-z]+ing pain\b",
            r"(?:very |)sick\b",
            // Boundaries inside and at the ends of the gate's literals.
            r"\b(od|overdose)\b[a-z ]{0,20}\bhow many\b",
            r"\bok\b|\bi\b",
            r"go\b",
            r"\b good",
            r"[\x00-\x02]od\b",
        ];
        let texts = [
            " hello there | hello there ",
            " say hello | say hello ",
            " i want to kill myself | i want to kill myself ",
            " skill meter | skill meter ",
            " kill time then kill me | x ",
            " stabbing pain | x ",
            " so sick | x ",
            " is 400 mg twice a day too high for me | x ",
            " end it all | end it all ",
            " end it now please | x ",
            "",
            " ünïcode ✓ kill me | x ",
            " blood how many | good food ",
            " od how many | x ",
            " an overdose so how many | x ",
            " look i took it | x ",
            " ok | x ",
            " i | x ",
            "i",
            " go | x ",
            " ago | x ",
            " goes | x ",
            " good | x ",
            "x good",
            " \x01od | x ",
        ];
        for p in patterns {
            let mut ours = Matcher::new(p, 1 << 20).expect("builds");
            // In a gate with another pattern, as screens are.
            let mut other = Matcher::new(r"\bhello\b", 1 << 20).expect("builds");
            let gate = Gate::new([&mut other, &mut ours]);
            let theirs = regex::bytes::RegexBuilder::new(p)
                .unicode(false)
                .build()
                .expect("builds");
            for t in texts {
                assert_eq!(
                    ours.is_match_in(&gate.scan(t)),
                    theirs.is_match(t.as_bytes()),
                    "/{p}/ on {t:?}"
                );
            }
        }
    }

    #[test]
    fn tells_a_pattern_too_large_from_a_broken_one() {
        let huge = format!(
            "({})",
            (0..2000)
                .map(|n| format!("w{n}[a-z ]{{0,60}}x"))
                .collect::<Vec<_>>()
                .join("|")
        );
        assert!(Matcher::new(&huge, 1 << 16).is_err_and(|e| e.too_large()));
        assert!(Matcher::new("(unclosed", 1 << 20).is_err_and(|e| !e.too_large()));
    }
}
