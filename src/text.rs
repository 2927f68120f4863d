//! Small text helpers shared by content checks and the NLU: folding text to
//! the plain lower-case words the matcher and the screens read.

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
        if c.is_ascii_alphanumeric() {
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
