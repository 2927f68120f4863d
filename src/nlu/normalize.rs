//! Message -> terms: fold (case, accents, punctuation), drop @mentions and
//! bot commands, apply synonyms (brand -> generic, abbreviation -> term, lay
//! word -> guide word), correct spelling against the known vocabulary, drop
//! stop words, stem. Built once from the content; `normalize` is pure.

use super::Speller;
use super::stopwords::STOP_WORDS;
use crate::content::Content;
use crate::text::{PhraseMap, addressed_text, fold};
use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;

/// Words the stemmer would merge with another topic's word: "effective"
/// is not "effects" (side effects), "hepatic" (artery) is not "hepatitis".
const STEM_EXCEPTIONS: &[(&str, &str)] = &[
    ("effective", "efficaci"),
    ("effectively", "efficaci"),
    ("effectiveness", "efficaci"),
    ("efficacy", "efficaci"),
    ("hepatic", "hepatic"),
    ("hepatitis", "hepatitis"),
    // A stage group's name, not the operation: "transplantable" cancer.
    ("transplantable", "transplantabl"),
    ("resectable", "resectabl"),
];

/// A message as the matcher reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Normalized {
    /// The folded words after synonyms and spelling, before stop words: what
    /// the safety screens and cue patterns read.
    pub words: Vec<String>,
    /// Stemmed content terms, in order (stop words removed).
    pub terms: Vec<String>,
    /// Words of four letters or more that nothing in the content uses, even
    /// after spelling correction ("bilirubin", "texas").
    pub unknown: usize,
}

impl Normalized {
    pub fn text(&self) -> String {
        self.words.join(" ")
    }
}

pub struct Normalizer {
    /// Brand names, abbreviations, lay and British words, read as the
    /// guide's words.
    synonyms: PhraseMap,
    /// Every word the content knows, folded.
    known: HashSet<String>,
    /// Words spelling may be corrected to, with how often the content uses
    /// them.
    speller: Speller,
    stop: HashSet<&'static str>,
    stemmer: Stemmer,
    /// Stems of every word the content knows, computed once.
    stems: HashMap<String, String>,
}

impl std::fmt::Debug for Normalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Normalizer")
            .field("known", &self.known.len())
            .finish()
    }
}

impl Normalizer {
    pub fn new(content: &Content) -> Normalizer {
        let synonyms = PhraseMap::new(
            content
                .synonyms
                .iter()
                .map(|s| (s.to.as_str(), s.from.as_slice())),
        );
        let stop: HashSet<&'static str> = STOP_WORDS.iter().copied().collect();
        let mut counts: HashMap<String, u32> = HashMap::default();
        let mut count = |text: &str| {
            for w in fold(text).split(' ').filter(|w| w.len() >= 4) {
                *counts.entry(w.to_string()).or_default() += 1;
            }
        };
        for intent in &content.intents {
            let texts = intent
                .examples
                .iter()
                .map(|(e, _)| e.as_str())
                .chain(intent.keywords.iter().map(String::as_str));
            for text in texts.chain(std::iter::once(intent.title.as_str())) {
                count(text);
            }
        }
        for s in &content.synonyms {
            for text in s.from.iter().chain(std::iter::once(&s.to)) {
                count(text);
            }
        }
        let mut known: HashSet<String> = counts.keys().cloned().collect();
        known.extend(stop.iter().map(|s| s.to_string()));
        for intent in &content.intents {
            if let Some(r) = &intent.response {
                known.extend(fold(&r.excerpt).split(' ').map(String::from));
            }
        }
        let speller = Speller::new(counts);
        let mut norm = Normalizer {
            synonyms,
            known,
            speller,
            stop,
            stemmer: Stemmer::create(Algorithm::English),
            stems: HashMap::default(),
        };
        let stems = norm
            .known
            .iter()
            .map(|w| (w.clone(), norm.stem(w)))
            .collect();
        norm.stems = stems;
        norm
    }

    /// Folds a message to words: drops @mentions, a leading /command and
    /// URLs. No spelling correction: the safety screens read these.
    pub fn words(&self, text: &str) -> Vec<String> {
        let folded = fold(&addressed_text(text));
        folded
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect()
    }

    pub fn normalize(&self, text: &str) -> Normalized {
        self.from_words(&self.words(text))
    }

    /// Spelling and synonyms over folded words.
    pub fn spell(&self, words: &[String]) -> Vec<String> {
        self.synonyms
            .apply(words.iter().map(|w| self.correct(w)).collect())
    }

    /// Spelling, synonyms, stop words and stems over folded words.
    pub fn from_words(&self, words: &[String]) -> Normalized {
        let words = self.spell(words);
        let terms = words
            .iter()
            .filter(|w| {
                !self.stop.contains(w.as_str()) && (w.len() > 1 || w.as_bytes()[0].is_ascii_digit())
            })
            .map(|w| self.stem(w))
            .collect();
        let unknown = words
            .iter()
            .filter(|w| {
                w.len() >= 4
                    && w.bytes().all(|b| b.is_ascii_alphabetic())
                    && !self.known.contains(w.as_str())
            })
            .count();
        Normalized {
            words,
            terms,
            unknown,
        }
    }

    /// The stem of one folded word, as terms are stemmed. A few words whose
    /// stems would collide with a different topic's keep their own.
    pub fn stem(&self, word: &str) -> String {
        self.stem_ref(word).into_owned()
    }

    /// [`Normalizer::stem`], borrowed where it can be.
    pub fn stem_ref<'a>(&'a self, word: &'a str) -> Cow<'a, str> {
        if let Some(stem) = self.stems.get(word) {
            return Cow::Borrowed(stem);
        }
        match STEM_EXCEPTIONS.iter().find(|(w, _)| *w == word) {
            Some((_, stem)) => Cow::Borrowed(stem),
            None => self.stemmer.stem(word),
        }
    }

    /// Whether the content uses the folded word (or it is a stop word).
    pub fn knows(&self, word: &str) -> bool {
        self.known.contains(word)
    }

    /// Whether the word is a stop word.
    pub fn is_stop(&self, word: &str) -> bool {
        self.stop.contains(word)
    }

    /// The known word closest to an unknown one, when one is clearly close:
    /// one edit for words of 5+ letters, two for 8+; same first letter.
    fn correct(&self, word: &str) -> String {
        let len = word.len();
        if len < 5 || self.known.contains(word) || word.bytes().any(|b| b.is_ascii_digit()) {
            return word.to_string();
        }
        let max = if len >= 8 { 2 } else { 1 };
        // Closest first; then a same-length word (a slip of one letter);
        // then the word the content uses most.
        self.speller
            .near(word, max)
            .map(|(d, cand, n)| (d, cand.len().abs_diff(len), std::cmp::Reverse(n), cand))
            .min()
            .map_or_else(|| word.to_string(), |(.., cand)| cand.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm() -> Normalizer {
        Normalizer::new(&crate::content::embedded().expect("shipped content"))
    }

    #[test]
    fn brands_abbreviations_spelling_and_british_forms_meet_the_guide_words() {
        let n = norm();
        let cases = [
            ("Nexavar", "sorafenib"),
            ("stivarga", "regorafenib"),
            ("RFA", "radiofrequ"),
            ("tumours", "tumor"),
            ("chemoembolisation", "chemoembol"),
            ("sorafinib", "sorafenib"),
            ("abalation", "ablat"),
            ("hepatectomey", "hepatectomi"),
        ];
        for (text, stem) in cases {
            let terms = n.normalize(text).terms;
            assert!(terms.iter().any(|t| t == stem), "{text} -> {terms:?}");
        }
    }

    #[test]
    fn mentions_commands_and_stop_words_are_dropped() {
        let n = norm();
        assert_eq!(
            n.words("@liverline_bot what is TACE?"),
            ["what", "is", "tace"]
        );
        assert_eq!(n.words("/start tace"), ["tace"]);
        assert!(n.normalize("what is it").terms.is_empty());
        assert_eq!(n.stem("effective"), "efficaci");
        assert_ne!(n.stem("hepatic"), n.stem("hepatitis"));
    }
}
