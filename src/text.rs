//! Small text helpers shared by content checks and the NLU: folding text to
//! the plain lower-case words the matcher and the screens read.

use rustc_hash::FxHashMap as HashMap;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-cases, strips accents, deletes apostrophes (so "won't" reads
/// "wont"), turns every other character that is not an ASCII letter or digit
/// into a space, and folds spaces. Other scripts and emoji fold away.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        // Nothing to decompose: the common case, and a hot path.
        return fold_chars(text.chars());
    }
    fold_chars(text.nfkd().filter(|c| !is_combining_mark(*c)))
}

fn fold_chars(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    let mut space = true;
    for c in chars {
        if matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02bc}' | '`') {
            continue;
        }
        let c = c.to_ascii_lowercase();
        if c == '&' {
            // "X & Y" reads "X and Y".
            if !space {
                out.push(' ');
            }
            out.push_str("and ");
            space = true;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The words of a message meant for reading: @mentions, a leading bot
/// command and links dropped (the matcher and triage both start here).
pub fn addressed_text(text: &str) -> String {
    text.split_whitespace()
        .enumerate()
        .filter(|(i, w)| {
            !(w.starts_with('@') || (*i == 0 && w.starts_with('/')) || w.contains("://"))
        })
        .map(|(_, w)| w)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Phrases read as other words, word by word: the matcher's synonyms and
/// the triage lexicon. Built from (replacement, variants) pairs, folded.
#[derive(Debug, Default)]
pub struct PhraseMap {
    /// First word -> (the rest of the phrase, the words it is read as),
    /// longest first.
    first: HashMap<String, Vec<Phrase>>,
}

/// A phrase after its first word, and the words it is read as.
type Phrase = (Vec<String>, Vec<String>);

/// Longest phrase, in words, that is looked for.
const MAX_PHRASE: usize = 6;

impl PhraseMap {
    pub fn new<'a>(entries: impl IntoIterator<Item = (&'a str, &'a [String])>) -> PhraseMap {
        let mut first: HashMap<String, Vec<Phrase>> = HashMap::default();
        for (to, variants) in entries {
            let to: Vec<String> = fold(to).split(' ').map(String::from).collect();
            for variant in variants {
                let mut words: Vec<String> = fold(variant).split(' ').map(String::from).collect();
                if words.first().is_none_or(|w| w.is_empty()) {
                    continue;
                }
                let head = words.remove(0);
                first.entry(head).or_default().push((words, to.clone()));
            }
        }
        for list in first.values_mut() {
            list.sort_by_key(|(rest, _)| std::cmp::Reverse(rest.len()));
        }
        PhraseMap { first }
    }

    /// Whether some phrase starts with the word.
    pub fn starts(&self, word: &str) -> bool {
        self.first.contains_key(word)
    }

    /// The words with every phrase found replaced, longest first.
    pub fn apply(&self, mut words: Vec<String>) -> Vec<String> {
        if !words.iter().any(|w| self.first.contains_key(w)) {
            return words;
        }
        let mut out = Vec::with_capacity(words.len() + 4);
        let mut i = 0;
        'outer: while i < words.len() {
            if let Some(options) = self.first.get(&words[i]) {
                for (rest, to) in options {
                    let end = i + 1 + rest.len();
                    if rest.len() < MAX_PHRASE
                        && end <= words.len()
                        && words[i + 1..end] == rest[..]
                    {
                        out.extend(to.iter().cloned());
                        i = end;
                        continue 'outer;
                    }
                }
            }
            out.push(std::mem::take(&mut words[i]));
            i += 1;
        }
        out
    }
}

/// Length in UTF-16 code units, the unit Telegram counts message length in.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_punctuation_and_apostrophes() {
        let cases = [
            ("Won't STOP bleeding!!", "wont stop bleeding"),
            ("Tumour’s size: 3D-CRT?", "tumours size 3d crt"),
            ("  résection   café ", "resection cafe"),
            ("🙂🙂", ""),
            ("rfa & tace", "rfa and tace"),
            ("risks&benefits &", "risks and benefits and"),
            ("печень liver", "liver"),
        ];
        for (raw, want) in cases {
            assert_eq!(fold(raw), want, "{raw}");
        }
    }

    #[test]
    fn counts_utf16_units() {
        assert_eq!(utf16_len("ab"), 2);
        assert_eq!(utf16_len("🙂"), 2);
    }
}
