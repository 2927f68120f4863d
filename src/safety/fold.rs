//! Folding for the safety screens: before the ordinary fold (case, accents,
//! punctuation), undo the tricks that hide a word from a pattern. Invisible
//! format characters (a soft hyphen or zero-width space inside "myself") are
//! dropped; look-alike letters from other scripts (a Cyrillic "е") become the
//! Latin letter they imitate, by the Unicode confusables table (UTS #39,
//! through `unicode-security`); a capital I standing for an l inside a
//! lower-case word ("kiII") and digits standing for letters inside a word
//! ("k1ll", "su1cide") are read as letters.

use crate::text::fold;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The text as the screens read it: confusables undone, then folded.
pub fn screen_fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for token in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        let token = if token.is_ascii() {
            token.to_string()
        } else {
            unconfuse(token)
        };
        out.push_str(&letters_for_lookalikes(&token));
    }
    fold(&out)
}

/// Each non-ASCII character replaced by its confusable prototype when that is
/// plain ASCII; invisible (default-ignorable) characters dropped.
fn unconfuse(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let mut buf = [0u8; 4];
    for c in token.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        // Compatibility forms first (full-width "Ｉ" is "I"), then the
        // confusables table (Cyrillic "е" is "e").
        let compat: String = c.encode_utf8(&mut buf).nfkc().collect();
        if compat.is_ascii() {
            out.push_str(&compat);
            continue;
        }
        let proto: String = unicode_security::skeleton(&compat)
            .filter(|p| !is_combining_mark(*p))
            .collect();
        if proto.is_ascii() {
            // Empty for a soft hyphen, zero-width space or joiner.
            out.push_str(&proto);
        } else {
            out.push(c);
        }
    }
    out
}

/// "kiII" -> "kill", "k1ll" -> "kill", "0verdose" -> "overdose": inside a
/// word of at least three letters, a capital I after a lower-case letter is
/// an l, and a digit among letters is the letter it looks like. Numbers on
/// their own ("39", "5 mg") and capitalised names ("3D-CRT") are left alone.
fn letters_for_lookalikes(token: &str) -> String {
    let letters = token.chars().filter(|c| c.is_alphabetic()).count();
    let has_lower = token.chars().any(|c| c.is_lowercase());
    let has_digit = token.chars().any(|c| c.is_ascii_digit());
    if letters < 3 || !has_lower {
        return token.to_string();
    }
    let mut out = String::with_capacity(token.len());
    let mut prev_lower = false;
    for c in token.chars() {
        let mapped = match c {
            'I' if prev_lower => 'l',
            '0' if has_digit => 'o',
            '1' if has_digit => 'i',
            '3' if has_digit => 'e',
            '4' if has_digit => 'a',
            '5' if has_digit => 's',
            '7' if has_digit => 't',
            '@' => 'a',
            '$' => 's',
            c => c,
        };
        prev_lower = mapped.is_lowercase();
        out.push(mapped);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_and_lookalike_letters_are_read_as_the_word() {
        let cases = [
            ("kill my\u{00AD}self", "kill myself"),
            ("my\u{200B}self", "myself"),
            ("kill mys\u{0435}lf", "kill myself"),
            ("\u{0441}\u{043E}ugh blood", "cough blood"),
            ("i want to kiII myself", "i want to kill myself"),
            ("k1ll mys3lf", "kill myself"),
            (
                "\u{FF33}\u{FF35}\u{FF29}\u{FF23}\u{FF29}\u{FF24}\u{FF25}",
                "suicide",
            ),
            ("0verdose", "overdose"),
            // Numbers, capitals and ordinary words stay as they are.
            ("fever of 39 and 5 mg", "fever of 39 and 5 mg"),
            ("I had an MRI", "i had an mri"),
            ("TACE and 3D-CRT", "tace and 3d crt"),
        ];
        for (raw, want) in cases {
            assert_eq!(screen_fold(raw), want, "{raw:?}");
        }
    }
}
