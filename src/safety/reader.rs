//! Reading a message for triage: the screen fold (look-alikes, invisible
//! characters), @mentions, a leading bot command and links dropped, then the
//! lexicon (`intents/triage.toml`): variants and misspellings read as the
//! danger word they stand for ("blod" -> "blood", "kms" -> "kill myself"),
//! and an unknown word one slip away from a danger word corrected to it
//! ("unconcious", "breating", "sucide").

use super::fold::screen_fold;
use crate::content::Lexicon;
use crate::nlu::{Normalizer, Speller};
use crate::text::{PhraseMap, addressed_text, fold};
use rustc_hash::FxHashSet as HashSet;

/// Shortest word a slip is corrected in (shorter ones need a lexicon entry):
/// one edit for words this long, two from `TWO_SLIPS` letters.
const ONE_SLIP: usize = 5;
const TWO_SLIPS: usize = 8;

#[derive(Debug)]
pub(super) struct Reader {
    /// Variants and the words they are read as.
    phrases: PhraseMap,
    /// Danger words: what misspellings are corrected to.
    vocabulary: Speller,
    words: HashSet<String>,
}

impl Reader {
    pub(super) fn new(lexicon: &Lexicon) -> Reader {
        let phrases = PhraseMap::new(
            lexicon
                .entries
                .iter()
                .map(|e| (e.to.as_str(), e.from.as_slice())),
        );
        let mut words: HashSet<String> = lexicon.vocabulary.iter().map(|w| fold(w)).collect();
        for entry in &lexicon.entries {
            words.extend(
                fold(&entry.to)
                    .split(' ')
                    .filter(|w| w.len() >= ONE_SLIP)
                    .map(String::from),
            );
        }
        let vocabulary = Speller::new(
            words
                .iter()
                .filter(|w| w.len() >= ONE_SLIP - 1)
                .map(|w| (w.clone(), 0)),
        );
        Reader {
            phrases,
            vocabulary,
            words,
        }
    }

    /// The message's words as triage reads them.
    pub(super) fn read(&self, raw: &str, norm: &Normalizer) -> Vec<String> {
        let folded = screen_fold(&addressed_text(raw));
        let words: Vec<String> = spelt_out(folded.split(' ').filter(|w| !w.is_empty()))
            .into_iter()
            .map(|w| self.correct(&w, norm))
            .collect();
        self.phrases.apply(words)
    }

    /// A word the content does not know, one slip from a danger word (two
    /// for long words), same first letter: read as that danger word.
    fn correct(&self, word: &str, norm: &Normalizer) -> String {
        let len = word.len();
        if len < ONE_SLIP
            || self.words.contains(word)
            || self.phrases.starts(word)
            || norm.knows(word)
            || !word.bytes().all(|b| b.is_ascii_lowercase())
        {
            return word.to_string();
        }
        let max = if len >= TWO_SLIPS { 2 } else { 1 };
        self.vocabulary
            .near(word, max)
            .filter(|(_, c, _)| !substitution_only(word, c))
            .map(|(d, c, _)| (d, c))
            .min()
            .map_or_else(|| word.to_string(), |(_, c)| c.to_string())
    }
}

/// Whether two words of the same length differ by more than a swap of
/// letters: "chosing" is not "choking". A slip in a danger word is a letter
/// left out, doubled or swapped ("sucide", "vomitting", "siezure"); a letter
/// replaced by another usually makes another word.
/// Words spelt out a letter at a time ("s-u-i-c-i-d-e", "k i l l") joined
/// back into one: a run of at least this many single letters.
const SPELT_OUT: usize = 4;

fn spelt_out<'a>(words: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let flush = |run: &mut Vec<&str>, out: &mut Vec<String>| {
        if run.len() >= SPELT_OUT {
            out.push(run.concat());
        } else {
            out.extend(run.iter().map(|w| w.to_string()));
        }
        run.clear();
    };
    for w in words {
        if w.len() == 1 && w.bytes().all(|b| b.is_ascii_lowercase()) {
            run.push(w);
        } else {
            flush(&mut run, &mut out);
            out.push(w.to_string());
        }
    }
    flush(&mut run, &mut out);
    out
}

fn substitution_only(word: &str, candidate: &str) -> bool {
    if word.len() != candidate.len() {
        return false;
    }
    let mut a: Vec<u8> = word.bytes().collect();
    let mut b: Vec<u8> = candidate.bytes().collect();
    a.sort_unstable();
    b.sort_unstable();
    a != b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_spelt_out_letter_by_letter_is_joined_but_short_words_stay() {
        let words = |s: &'static str| spelt_out(s.split(' '));
        assert_eq!(
            words("thats s u i c i d e now"),
            ["thats", "suicide", "now"]
        );
        assert_eq!(words("i a m"), ["i", "a", "m"]);
        assert_eq!(words("k i l l"), ["kill"]);
    }

    #[test]
    fn slips_are_left_out_doubled_or_swapped_letters_not_other_words() {
        assert!(!substitution_only("sucide", "suicide"));
        assert!(!substitution_only("siezure", "seizure"));
        assert!(substitution_only("chosing", "choking"));
    }
}
