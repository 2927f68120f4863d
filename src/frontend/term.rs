//! How a reply looks in a terminal: wrapped to the width (never inside a
//! word, so a phone number such as 1-800-227-2345 stays on one line), the
//! topic's title bold and the source line dim; plain text, unwrapped, when
//! the output is a pipe or a file, or when `NO_COLOR` is set.

use crate::reply::{Reply, plain};
use std::io::IsTerminal;
use textwrap::{Options, WordSeparator, WordSplitter};

/// `--color`: styles on a terminal only (the default), always or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";
/// Lines are wrapped to the terminal, between these widths: narrower is
/// unreadable, wider is hard to follow.
const MIN_WIDTH: usize = 40;
const MAX_WIDTH: usize = 100;

/// How to print for this output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    /// Wrap at this width; `None`: leave lines whole (a pipe, a file).
    pub width: Option<usize>,
}

impl Style {
    /// For standard output, as the environment and `--color` say.
    pub fn detect(choice: ColorChoice) -> Style {
        let terminal = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style::new(choice, terminal, no_color, textwrap::termwidth())
    }

    /// The decision itself, apart from the environment (for tests).
    pub fn new(choice: ColorChoice, terminal: bool, no_color: bool, columns: usize) -> Style {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        Style {
            color,
            width: terminal.then(|| columns.clamp(MIN_WIDTH, MAX_WIDTH)),
        }
    }

    /// A reply: the plain text, wrapped and styled.
    pub fn reply(&self, reply: &Reply) -> String {
        let (title, source) = reply
            .excerpt
            .as_ref()
            .map_or((None, None), |e| (Some(e.title.as_str()), Some(&e.source)));
        let mut out = Vec::new();
        for line in plain(reply).lines() {
            let style = if Some(line) == title {
                BOLD
            } else if Some(line) == source.map(String::as_str) {
                DIM
            } else {
                ""
            };
            for piece in self.wrap_line(line) {
                out.push(self.paint(style, &piece));
            }
        }
        out.join("\n")
    }

    /// Any text of the bot's own: wrapped, not styled.
    pub fn text(&self, text: &str) -> String {
        text.lines()
            .flat_map(|l| self.wrap_line(l))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A heading (a topic's title in a list): bold on a terminal.
    pub fn bold(&self, text: &str) -> String {
        self.paint(BOLD, text)
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color && !style.is_empty() && !text.is_empty() {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    fn wrap_line(&self, line: &str) -> Vec<String> {
        match self.width {
            Some(w) => wrap(line, w),
            None => vec![line.to_string()],
        }
    }
}

/// One line wrapped at spaces only: no hyphenation, no word broken, so
/// "1-800-227-2345" is never split (a word longer than the width overflows).
pub fn wrap(line: &str, width: usize) -> Vec<String> {
    if line.is_empty() {
        return vec![String::new()];
    }
    let options = Options::new(width)
        .word_separator(WordSeparator::AsciiSpace)
        .word_splitter(WordSplitter::NoHyphenation)
        .break_words(false);
    textwrap::wrap(line, options)
        .into_iter()
        .map(|c| c.into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_never_split() {
        let footer = "American Cancer Society, 24 hours a day, every day: 1-800-227-2345 · \
                      Clinical trials matching service: 1-800-303-5691";
        for width in 20..=100 {
            let lines = wrap(footer, width);
            for number in ["1-800-227-2345", "1-800-303-5691"] {
                assert!(
                    lines.iter().any(|l| l.contains(number)),
                    "width {width}: {lines:#?}"
                );
            }
            for l in &lines {
                let longest = l.split(' ').map(|w| w.chars().count()).max().unwrap_or(0);
                assert!(l.chars().count() <= width.max(longest), "{width}: {l}");
            }
        }
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        for (choice, terminal, no_color, color, wraps) in [
            (ColorChoice::Auto, true, false, true, true),
            (ColorChoice::Auto, true, true, false, true),
            (ColorChoice::Auto, false, false, false, false),
            (ColorChoice::Always, false, true, true, false),
            (ColorChoice::Never, true, false, false, true),
        ] {
            let s = Style::new(choice, terminal, no_color, 60);
            assert_eq!(s.color, color, "{choice:?} {terminal} {no_color}");
            assert_eq!(s.width.is_some(), wraps);
        }
        assert_eq!(
            Style::new(ColorChoice::Auto, true, false, 10).width,
            Some(40)
        );
        assert_eq!(
            Style::new(ColorChoice::Auto, true, false, 300).width,
            Some(100)
        );
    }
}
