//! Spelling candidates: the known words within a few edits of an unknown
//! one. Words are kept by first letter and length, and each with its letter
//! counts: one edit changes those counts by at most two, so most words are
//! ruled out by a cheap comparison before the edit distance is computed.

use rustc_hash::FxHashMap as HashMap;

/// Letter counts: a..z, then every other byte.
type Letters = [u8; 27];

#[derive(Debug, Default)]
pub struct Speller {
    buckets: HashMap<(u8, usize), Vec<Entry>>,
}

#[derive(Debug)]
struct Entry {
    word: String,
    /// How often the content uses the word.
    uses: u32,
    letters: Letters,
}

impl Speller {
    /// The words spelling may be corrected to, with how often each is used.
    pub fn new(words: impl IntoIterator<Item = (String, u32)>) -> Speller {
        let mut buckets: HashMap<(u8, usize), Vec<Entry>> = HashMap::default();
        for (word, uses) in words {
            let Some(&first) = word.as_bytes().first() else {
                continue;
            };
            let letters = letters(&word);
            buckets.entry((first, word.len())).or_default().push(Entry {
                word,
                uses,
                letters,
            });
        }
        for list in buckets.values_mut() {
            list.sort_by(|a, b| a.word.cmp(&b.word));
        }
        Speller { buckets }
    }

    /// The known words with the same first letter at most `max` edits
    /// (insertions, deletions, substitutions, swaps of neighbours) from
    /// `word`: (edits, word, uses), in a fixed order.
    pub fn near<'a>(
        &'a self,
        word: &'a str,
        max: usize,
    ) -> impl Iterator<Item = (usize, &'a str, u32)> + 'a {
        let first = word.as_bytes().first().copied().unwrap_or(0);
        let mine = letters(word);
        let len = word.len();
        (len.saturating_sub(max)..=len + max)
            .filter_map(move |l| self.buckets.get(&(first, l)))
            .flatten()
            .filter(move |e| {
                let differ: usize = mine
                    .iter()
                    .zip(&e.letters)
                    .map(|(a, b)| a.abs_diff(*b) as usize)
                    .sum();
                differ <= 2 * max
            })
            .map(move |e| (strsim::osa_distance(word, &e.word), e))
            .filter(move |(d, _)| *d <= max)
            .map(|(d, e)| (d, e.word.as_str(), e.uses))
    }
}

fn letters(word: &str) -> Letters {
    let mut out = [0u8; 27];
    for b in word.bytes() {
        let i = if b.is_ascii_lowercase() {
            (b - b'a') as usize
        } else {
            26
        };
        out[i] = out[i].saturating_add(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_words_within_the_edits_and_only_those() {
        let s =
            Speller::new(["sorafenib", "surgery", "suicide", "sorbet"].map(|w| (w.to_string(), 1)));
        let near: Vec<_> = s.near("sorafinib", 2).map(|(d, w, _)| (d, w)).collect();
        assert_eq!(near, vec![(1, "sorafenib")]);
        let swapped: Vec<_> = s.near("siucide", 1).map(|(_, w, _)| w).collect();
        assert_eq!(swapped, vec!["suicide"]);
        assert_eq!(s.near("surgury", 0).count(), 0);
        assert_eq!(s.near("tumour", 2).count(), 0);
    }
}
