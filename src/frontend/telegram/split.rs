//! Splits a long message into parts under a limit counted in UTF-16 units
//! (Telegram's unit): at paragraph boundaries first, then sentences, then
//! characters. Never slices inside a character. A paragraph that fits is
//! never broken, so the footer (the last paragraph) arrives whole.

use crate::text::utf16_len;

pub fn split(text: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(16);
    let mut pieces: Vec<String> = Vec::new();
    for para in text.split("\n\n") {
        if utf16_len(para) <= limit {
            pieces.push(para.to_string());
        } else {
            pieces.extend(split_long(para, limit));
        }
    }
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    for piece in pieces {
        let joined = if current.is_empty() {
            utf16_len(&piece)
        } else {
            utf16_len(&current) + 2 + utf16_len(&piece)
        };
        if joined <= limit {
            if !current.is_empty() {
                current.push_str("\n\n");
            }
            current.push_str(&piece);
        } else {
            if !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            current = piece;
        }
    }
    if !current.is_empty() || parts.is_empty() {
        parts.push(current);
    }
    parts
}

/// A paragraph over the limit: sentences packed greedily; a sentence over
/// the limit is cut at character boundaries.
fn split_long(para: &str, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for sentence in para.split_inclusive(['.', '?', '!', '\n']) {
        if utf16_len(&current) + utf16_len(sentence) <= limit {
            current.push_str(sentence);
            continue;
        }
        if !current.is_empty() {
            out.push(std::mem::take(&mut current).trim().to_string());
        }
        if utf16_len(sentence) <= limit {
            current.push_str(sentence);
        } else {
            let mut chunk = String::new();
            for c in sentence.chars() {
                if utf16_len(&chunk) + c.len_utf16() > limit {
                    out.push(std::mem::take(&mut chunk));
                }
                chunk.push(c);
            }
            current = chunk;
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out.retain(|s| !s.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_part() {
        assert_eq!(split("a\n\nb", 100), vec!["a\n\nb"]);
    }

    #[test]
    fn splits_at_paragraphs_and_keeps_the_last_whole() {
        let text = format!("{}\n\n{}\n\nFOOTER here", "x".repeat(60), "y".repeat(60));
        let parts = split(&text, 70);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[2], "FOOTER here");
        assert!(parts.iter().all(|p| utf16_len(p) <= 70));
    }

    #[test]
    fn splits_long_paragraphs_at_sentences_then_chars() {
        let text = format!("{} {}", "Aaaa aaa. ".repeat(10), "🙂".repeat(50));
        for limit in [16, 25, 40] {
            let parts = split(&text, limit);
            assert!(
                parts.iter().all(|p| utf16_len(p) <= limit),
                "{limit}: {parts:?}"
            );
            let joined: String = parts
                .concat()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let want: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(joined, want);
        }
    }
}
