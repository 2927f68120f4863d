//! The source document: cleaning of its page-break and markup artefacts, and
//! the look-ups `check` needs (heading lines, review dates, sentences).

/// The guide as shipped with the binary, for `check` when a content folder
/// brings no copy of its own.
pub const EMBEDDED_SOURCE: &str = include_str!("../../source/acs-liver-cancer-treatment.txt");

/// The guide's text with its artefacts cleaned, ready for look-ups.
#[derive(Debug, Clone)]
pub struct Source {
    /// Lines of the cleaned document (paragraphs joined across page breaks).
    lines: Vec<String>,
    /// The whole cleaned document with all white space folded to one space.
    flat: String,
}

impl Source {
    pub fn new(raw: &str) -> Source {
        let lines = join_page_breaks(raw.lines().map(clean_line).collect());
        let flat = fold_space(&lines.join(" "));
        Source { lines, flat }
    }

    /// Whether `line` stands as a line of its own in the document (a heading).
    pub fn has_line(&self, line: &str) -> bool {
        self.lines.iter().any(|l| l.trim() == line.trim())
    }

    /// Whether `text` occurs in the document, white space folded.
    pub fn contains(&self, text: &str) -> bool {
        self.flat.contains(&fold_space(text))
    }

    /// The whole cleaned document on one line.
    pub fn flat(&self) -> &str {
        &self.flat
    }

    /// Every date given as "Last Medical Review: <date>".
    pub fn review_dates(&self) -> Vec<String> {
        const MARK: &str = "Last Medical Review: ";
        self.lines
            .iter()
            .filter_map(|l| l.split_once(MARK))
            .map(|(_, rest)| {
                rest.split(" Last Revised")
                    .next()
                    .unwrap_or(rest)
                    .trim()
                    .to_string()
            })
            .collect()
    }
}

/// Removes the guide's web markup from one line: `[text](#)` links, escaped
/// parentheses, `*emphasis*` and the bracketed registered sign.
pub fn clean_line(line: &str) -> String {
    let mut out = line
        .replace("[®]", "®")
        .replace("\\(", "(")
        .replace("\\)", ")");
    while let Some(start) = out.find('[') {
        let Some(mid) = out[start..].find("](#)") else {
            break;
        };
        let end = start + mid;
        let inner = out[start + 1..end].to_string();
        out.replace_range(start..end + 4, &inner);
    }
    out.replace('*', "")
}

/// Joins a sentence the document broke across a page break: a line that does
/// not end a sentence, followed (after blank lines) by one that starts with a
/// lower-case letter or a parenthesis.
fn join_page_breaks(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut blanks = 0;
    for line in lines {
        if line.trim().is_empty() {
            blanks += 1;
            continue;
        }
        let continues = line.starts_with(|c: char| c.is_lowercase() || c == '(');
        match out.last_mut() {
            Some(prev) if continues && !prev.trim_end().ends_with(['.', ':', '?', '!']) => {
                prev.push(' ');
                prev.push_str(line.trim());
            }
            _ => {
                if blanks > 0 && !out.is_empty() {
                    out.push(String::new());
                }
                out.push(line);
            }
        }
        blanks = 0;
    }
    out
}

/// Folds every run of white space to a single space.
pub fn fold_space(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits an excerpt into the sentences `check` looks up one by one: list
/// markers dropped, sentence ends after `.`, `?` or `!` followed by a space.
pub fn sentences(excerpt: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in excerpt.lines() {
        let line = line.trim().trim_start_matches("- ").trim();
        let mut start = 0;
        let bytes: Vec<(usize, char)> = line.char_indices().collect();
        for (i, &(pos, c)) in bytes.iter().enumerate() {
            let next_is_space = bytes.get(i + 1).is_some_and(|&(_, n)| n == ' ');
            if matches!(c, '.' | '?' | '!') && next_is_space {
                out.push(line[start..=pos].trim().to_string());
                start = pos + 1;
            }
        }
        let rest = line[start..].trim();
        if !rest.is_empty() {
            out.push(rest.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_links_escapes_and_emphasis() {
        let cases = [
            (
                "- [Surgery](#) (partial hepatectomy)",
                "- Surgery (partial hepatectomy)",
            ),
            (
                "The [stage \\(extent\\) of your cancer](#)",
                "The stage (extent) of your cancer",
            ),
            (
                "called *partial hepatectomy*.",
                "called partial hepatectomy.",
            ),
            (
                "TheraSphere[®] and SIR-Spheres[®].",
                "TheraSphere® and SIR-Spheres®.",
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(clean_line(raw), want, "{raw}");
        }
    }

    #[test]
    fn joins_sentences_split_by_page_breaks() {
        let src = Source::new("of the digestive\n\nsystem, including the liver.\n\nNext heading\n");
        assert!(src.contains("of the digestive system, including the liver."));
        assert!(src.has_line("Next heading"));
        assert!(!src.has_line("system, including the liver."));
    }

    #[test]
    fn the_embedded_guide_has_its_review_dates_and_headings() {
        let src = Source::new(EMBEDDED_SOURCE);
        assert!(src.review_dates().iter().any(|d| d == "March 31, 2016"));
        assert!(src.has_line("Liver Cancer Surgery"));
        assert!(src.contains("A gastroenterologist: a doctor who specializes in treating diseases of the digestive system, including the liver."));
        assert!(src.contains("regorafenib (Stivarga) might be helpful."));
    }

    #[test]
    fn splits_sentences_and_list_items() {
        let got = sentences("One thing. Two (2 cm.) things?\n- A list item.\n\nLast");
        assert_eq!(
            got,
            ["One thing.", "Two (2 cm.) things?", "A list item.", "Last"]
        );
    }
}
