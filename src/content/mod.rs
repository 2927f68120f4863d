//! Curated content: intents (topics, example phrases, keywords), responses
//! (the guide's excerpts), synonyms, safety patterns and the bot's own framing
//! text. `load` does the I/O (a folder or the embedded default); `parse` is
//! pure and collects every problem as `file:line: message`; `check` adds the
//! whole-content rules (fidelity to the source, references, limits).

mod check;
pub mod conversation;
mod parse;
pub mod source;
mod types;

pub use check::{EXCERPT_MAX_CHARS, NOT_STATED, check};
pub use parse::parse;
pub use types::*;

use include_dir::{Dir, include_dir};
use std::path::Path;

static EMBEDDED_INTENTS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/intents");
static EMBEDDED_RESPONSES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/responses");

/// The triage model trained on the shipped examples, when it was stored
/// (`liverline models`); used only while its fingerprint matches.
pub fn embedded_triage_model() -> Option<&'static [u8]> {
    EMBEDDED_INTENTS
        .get_file("triage.model")
        .map(|f| f.contents())
}

/// The topic matcher trained on the shipped content, when it was stored
/// (`liverline models`); used only while its fingerprint matches.
pub fn embedded_topic_model() -> Option<&'static [u8]> {
    EMBEDDED_INTENTS
        .get_file("topics.model")
        .map(|f| f.contents())
}

/// One content file: its display path (for `file:line` messages) and text.
#[derive(Debug, Clone)]
pub struct File {
    pub path: String,
    pub text: String,
}

/// The content files shipped inside the binary.
pub fn embedded_files() -> Vec<File> {
    let mut files = Vec::new();
    for (dir, prefix) in [
        (&EMBEDDED_INTENTS, "intents"),
        (&EMBEDDED_RESPONSES, "responses"),
    ] {
        for f in dir.files() {
            if f.path().extension().is_some_and(|e| e == "toml") {
                files.push(File {
                    path: format!("{prefix}/{}", f.path().display()),
                    text: f.contents_utf8().unwrap_or_default().to_string(),
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Reads `DIR/intents/*.toml` and `DIR/responses/*.toml`, plus the guide at
/// `DIR/source/*.txt` when the folder brings its own copy.
pub fn read_dir(dir: &Path) -> std::io::Result<(Vec<File>, Option<String>)> {
    let mut files = Vec::new();
    for sub in ["intents", "responses"] {
        let folder = dir.join(sub);
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path)?;
                files.push(File {
                    path: path.display().to_string(),
                    text,
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let source = std::fs::read_dir(dir.join("source"))
        .ok()
        .and_then(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "txt"))
                .and_then(|p| std::fs::read_to_string(p).ok())
        });
    Ok((files, source))
}

/// Parses and checks: the ready content, or every problem found.
pub fn build(files: &[File], source_text: Option<&str>) -> Result<Content, Vec<Problem>> {
    let content = parse(files)?;
    let src = source::Source::new(source_text.unwrap_or(source::EMBEDDED_SOURCE));
    let problems = check(&content, &src);
    if problems.is_empty() {
        Ok(content)
    } else {
        Err(problems)
    }
}

/// The shipped content, parsed and checked.
pub fn embedded() -> Result<Content, Vec<Problem>> {
    build(&embedded_files(), None)
}

/// The shipped content, parsed only: for start-up. The test suite and
/// `liverline check` prove the embedded files pass `check` (the binary
/// carries exactly those files), so start-up need not repeat it; a content
/// folder given at run time is always checked (`load_dir`).
pub fn embedded_for_startup() -> Result<Content, Vec<Problem>> {
    parse(&embedded_files())
}

/// A content folder (or the embedded default), parsed only: `check` uses it
/// to report the screens' problems beside the whole-content ones.
pub fn parse_only(dir: Option<&Path>) -> Result<Content, Vec<Problem>> {
    match dir {
        None => parse(&embedded_files()),
        Some(d) => match read_dir(d) {
            Ok((files, _)) => parse(&files),
            Err(_) => Err(Vec::new()),
        },
    }
}

/// Loads a content folder, parsed and checked.
pub fn load_dir(dir: &Path) -> Result<Content, Vec<Problem>> {
    let (files, source) = read_dir(dir).map_err(|e| {
        vec![Problem {
            file: dir.display().to_string(),
            line: 0,
            message: format!("cannot read content: {e}"),
        }]
    })?;
    build(&files, source.as_deref())
}
