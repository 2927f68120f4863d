//! Pure parsing of content files into `Content`: raw serde shapes (with spans
//! for line numbers) turned into the ready types. Collects every problem.

use super::File;
use super::types::*;
use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntentFile {
    #[serde(default)]
    intent: Vec<RawIntent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntent {
    id: Spanned<String>,
    #[serde(default)]
    kind: IntentKind,
    title: String,
    family: Option<String>,
    aspect: Option<String>,
    #[serde(default)]
    related: Vec<Spanned<String>>,
    #[serde(default)]
    keywords: Vec<Spanned<String>>,
    #[serde(default)]
    // Plain strings: spans for thousands of examples make parsing several
    // times slower; `locate` finds their lines instead.
    examples: Vec<String>,
    #[serde(default)]
    options: Vec<Spanned<String>>,
    reply: Option<String>,
    quote: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResponseFile {
    #[serde(default)]
    response: Vec<Spanned<RawResponse>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResponse {
    intent: String,
    section: Option<String>,
    subsection: Option<String>,
    reviewed: Option<String>,
    excerpt: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSynonymFile {
    #[serde(default)]
    synonym: Vec<Spanned<RawSynonym>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSynonym {
    to: String,
    from: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawScreen {
    #[serde(default)]
    name: String,
    #[serde(default)]
    level: Level,
    #[serde(default)]
    preface: Preface,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
    #[serde(default)]
    must_match: Vec<Spanned<String>>,
    #[serde(default)]
    must_not_match: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScreens {
    #[serde(default)]
    words: std::collections::BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    screen: Vec<Spanned<RawScreen>>,
    #[serde(default)]
    out_of_scope: Vec<Spanned<RawScreen>>,
    small_talk: Spanned<RawScreen>,
    model_veto: Option<Spanned<RawScreen>>,
    at_one_remove: Option<Spanned<RawScreen>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLexicon {
    #[serde(default)]
    vocabulary: Vec<String>,
    #[serde(default)]
    lexicon: Vec<Spanned<RawSynonym>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExamples {
    #[serde(default)]
    level: Vec<RawLevelExamples>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevelExamples {
    name: Level,
    examples: Vec<String>,
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// A file with the offsets of its line starts, for `file:line` origins.
struct Located<'a> {
    file: &'a File,
    starts: Vec<usize>,
}

impl<'a> Located<'a> {
    fn new(file: &'a File) -> Located<'a> {
        let starts = std::iter::once(0)
            .chain(file.text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Located { file, starts }
    }

    fn origin(&self, offset: usize) -> Origin {
        let line = self.starts.partition_point(|&s| s <= offset);
        Origin {
            file: self.file.path.clone(),
            line: line.max(1),
        }
    }
}

/// A hash of what the triage model learns from: the intents files (their
/// names and text), the screens' file aside. Hashing the text is far cheaper
/// at start-up than hashing what was parsed from it.
fn model_inputs(files: &[File]) -> u64 {
    inputs(files, |path, stem| !is_responses(path) && stem != "safety")
}

/// A hash of what the topic matcher learns from: every file but the
/// screens and the triage model's examples.
fn topic_inputs(files: &[File]) -> u64 {
    inputs(files, |_, stem| {
        stem != "safety" && !stem.starts_with("triage_examples")
    })
}

fn inputs(files: &[File], keep: impl Fn(&str, &str) -> bool) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    for file in files {
        let stem = stem_of(&file.path);
        if keep(&file.path, stem) {
            stem.hash(&mut hasher);
            file.text.hash(&mut hasher);
        }
    }
    hasher.finish()
}

fn stem_of(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.strip_suffix(".toml").unwrap_or(name)
}

fn is_responses(path: &str) -> bool {
    path.replace('\\', "/").split('/').rev().nth(1) == Some("responses")
}

impl Lexicon {
    /// The labelled messages of the example files, by level, or each file's
    /// problem.
    pub fn examples(&self) -> Result<Vec<(Level, Vec<String>)>, Vec<Problem>> {
        let mut examples = Vec::new();
        let mut problems = Vec::new();
        for file in &self.example_files {
            match from_toml::<RawExamples>(file) {
                Ok(raw) => examples.extend(raw.level.into_iter().map(|l| (l.name, l.examples))),
                Err(p) => problems.push(p),
            }
        }
        if problems.is_empty() {
            Ok(examples)
        } else {
            Err(problems)
        }
    }
}

fn from_toml<T: serde::de::DeserializeOwned>(file: &File) -> Result<T, Problem> {
    toml::from_str(&file.text).map_err(|e| {
        let line = e.span().map(|s| line_of(&file.text, s.start)).unwrap_or(1);
        let message = e.message().replace('\n', " ");
        Problem {
            file: file.path.clone(),
            line,
            message,
        }
    })
}

fn spanned_list(at: &Located, items: Vec<Spanned<String>>) -> Vec<(String, Origin)> {
    items
        .into_iter()
        .map(|s| (at.origin(s.span().start), s.into_inner()))
        .map(|(o, s)| (s, o))
        .collect()
}

/// Each example with its line: found by scanning the file forward from the
/// intent's id for the example written as a string; where it cannot be
/// found (written with escapes), the intent's own line stands in.
fn locate(at: &Located, from: usize, examples: Vec<String>) -> Vec<(String, Origin)> {
    let file = at.file;
    let mut cursor = from;
    examples
        .into_iter()
        .map(|e| {
            let found = ["\"", "'"].iter().find_map(|q| {
                file.text[cursor..]
                    .find(&format!("{q}{e}{q}"))
                    .map(|at| cursor + at)
            });
            if let Some(pos) = found {
                cursor = pos + e.len();
            }
            (e, at.origin(found.unwrap_or(from)))
        })
        .collect()
}

/// Parses every content file. Problems are collected across all files.
pub fn parse(files: &[File]) -> Result<Content, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut intents: Vec<Intent> = Vec::new();
    let mut responses: Vec<(String, Response)> = Vec::new();
    let mut synonyms = Vec::new();
    let mut screens = None;
    let mut lexicon = Lexicon::default();
    let mut framing = None;
    let mut conversation = super::conversation::Conversation::default();

    for file in files {
        let at = Located::new(file);
        let stem = stem_of(&file.path);
        let result = match (is_responses(&file.path), stem) {
            (true, "framing") => from_toml::<Framing>(file).map(|f| {
                framing = Some((
                    f,
                    Origin {
                        file: file.path.clone(),
                        line: 1,
                    },
                ));
            }),
            (true, _) => from_toml::<RawResponseFile>(file).map(|raw| {
                for r in raw.response {
                    let o = at.origin(r.span().start);
                    let r = r.into_inner();
                    let missing = |field: &str| {
                        Problem::at(&o, format!("response for `{}` has no {field}", r.intent))
                    };
                    match (&r.section, &r.reviewed) {
                        (None, _) => problems.push(missing("section")),
                        (_, None) => problems.push(missing("reviewed date")),
                        (Some(section), Some(reviewed)) => responses.push((
                            r.intent.clone(),
                            Response {
                                section: section.clone(),
                                subsection: r.subsection.clone(),
                                reviewed: reviewed.clone(),
                                excerpt: r.excerpt.trim().to_string(),
                                origin: o,
                            },
                        )),
                    }
                }
            }),
            (false, "synonyms") => from_toml::<RawSynonymFile>(file).map(|raw| {
                for s in raw.synonym {
                    let o = at.origin(s.span().start);
                    let s = s.into_inner();
                    synonyms.push(Synonym {
                        from: s.from,
                        to: s.to,
                        origin: o,
                    });
                }
            }),
            (false, "conversation") => {
                super::conversation::parse(&file.text, &file.path, |o| at.origin(o))
                    .map(|c| conversation = c)
            }
            (false, "safety") => from_toml::<RawScreens>(file).map(|raw| {
                let screen = |r: Spanned<RawScreen>| {
                    let origin = at.origin(r.span().start);
                    let r = r.into_inner();
                    Screen {
                        name: r.name,
                        level: r.level,
                        preface: r.preface,
                        patterns: spanned_list(&at, r.patterns),
                        unless: spanned_list(&at, r.unless),
                        must_match: spanned_list(&at, r.must_match),
                        must_not_match: spanned_list(&at, r.must_not_match),
                        origin,
                    }
                };
                screens = Some(Screens {
                    words: raw
                        .words
                        .into_iter()
                        .map(|(k, v)| {
                            let o = at.origin(v.span().start);
                            (k, v.into_inner(), o)
                        })
                        .collect(),
                    triage: raw.screen.into_iter().map(screen).collect(),
                    out_of_scope: raw.out_of_scope.into_iter().map(screen).collect(),
                    small_talk: screen(raw.small_talk),
                    model_veto: raw.model_veto.map(screen),
                    at_one_remove: raw.at_one_remove.map(screen),
                    origin: at.origin(0),
                });
            }),
            (false, "triage") => from_toml::<RawLexicon>(file).map(|raw| {
                lexicon.vocabulary = raw.vocabulary;
                lexicon.origin = at.origin(0);
                for s in raw.lexicon {
                    let o = at.origin(s.span().start);
                    let s = s.into_inner();
                    lexicon.entries.push(Synonym {
                        from: s.from,
                        to: s.to,
                        origin: o,
                    });
                }
            }),
            (false, stem) if stem.starts_with("triage_examples") => {
                lexicon.example_files.push(file.clone());
                Ok(())
            }
            (false, category) => from_toml::<RawIntentFile>(file).map(|raw| {
                for r in raw.intent {
                    let start = r.id.span().start;
                    let o = at.origin(start);
                    let id = r.id.into_inner();
                    intents.push(Intent {
                        family: r.family.unwrap_or_else(|| id.clone()),
                        aspect: r.aspect.unwrap_or_else(|| "what".into()),
                        id,
                        kind: r.kind,
                        title: r.title,
                        category: category.to_string(),
                        related: r.related.into_iter().map(Spanned::into_inner).collect(),
                        keywords: r.keywords.into_iter().map(Spanned::into_inner).collect(),
                        examples: locate(&at, start, r.examples),
                        options: r.options.into_iter().map(Spanned::into_inner).collect(),
                        response: None,
                        reply: r.reply.map(|t| t.trim().to_string()),
                        quote: r.quote,
                        origin: o,
                    });
                }
            }),
        };
        if let Err(p) = result {
            problems.push(p);
        }
    }

    for (id, response) in responses {
        match intents.iter_mut().find(|i| i.id == id) {
            Some(intent) if intent.response.is_some() => problems.push(Problem::at(
                &response.origin,
                format!("a second response for intent `{id}`"),
            )),
            Some(intent) => intent.response = Some(response),
            None => problems.push(Problem::at(
                &response.origin,
                format!("response for unknown intent `{id}`: no intent reaches it"),
            )),
        }
    }
    let (framing, framing_origin) = match framing {
        Some(f) => f,
        None => {
            problems.push(Problem {
                file: "responses/framing.toml".into(),
                line: 0,
                message: "missing: the bot's framing text and footer".into(),
            });
            return Err(problems);
        }
    };
    let Some(screens) = screens else {
        problems.push(Problem {
            file: "intents/safety.toml".into(),
            line: 0,
            message: "missing: the safety screens".into(),
        });
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Content {
        intents,
        synonyms,
        screens,
        lexicon,
        framing,
        framing_origin,
        conversation,
        model_inputs: model_inputs(files),
        topic_inputs: topic_inputs(files),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_are_one_based() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 4), 3);
    }

    #[test]
    fn a_syntax_error_names_its_file_and_line() {
        let files = [File {
            path: "intents/x.toml".into(),
            text: "[[intent]]\nid = \"a\"\ntitle = \n".into(),
        }];
        let problems = parse(&files).unwrap_err();
        assert_eq!(problems[0].file, "intents/x.toml");
        assert_eq!(problems[0].line, 3, "{problems:?}");
    }
}
