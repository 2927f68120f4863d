//! A screen's compiled alternation, built for the one question screens ask
//! (does it match anywhere?): a forward NFA and a lazy DFA over it, with no
//! reverse automaton, captures or prefilter, which a general regex builds
//! to report where a match lies. Building screens is most of start-up, and
//! this halves the automata built; each search stops at the first match.

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson::{self, NFA, WhichCaptures, pikevm, pikevm::PikeVM};
use regex_automata::util::pool::Pool;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{Input, MatchKind};
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
        })
    }

    pub(super) fn is_match(&self, text: &str) -> bool {
        let input = Input::new(text).earliest(true);
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
        ];
        let texts = [
            " hello there | hello there ",
            " say hello | say hello ",
            " i want to kill myself | i want to kill myself ",
            " skill meter | skill meter ",
            " is 400 mg twice a day too high for me | x ",
            " end it all | end it all ",
            " end it now please | x ",
            "",
            " ünïcode ✓ kill me | x ",
        ];
        for p in patterns {
            let ours = Matcher::new(p, 1 << 20).expect("builds");
            let theirs = regex::bytes::RegexBuilder::new(p)
                .unicode(false)
                .build()
                .expect("builds");
            for t in texts {
                assert_eq!(
                    ours.is_match(t),
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
