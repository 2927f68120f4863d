//! The terminal front-end: `liverline chat` (line editing, in-memory history,
//! numbered choices, the last topic remembered) and `liverline ask`.

use super::term::{ColorChoice, Style};
use crate::engine::{Engine, Query};
use crate::reply::{Kind, Reply, json_line};
use std::io::{BufRead, Write};

/// What the chat remembers between lines: the last topic and the numbered
/// choices it just offered.
#[derive(Debug, Default)]
pub struct Session {
    pub last_topic: Option<String>,
    choices: Vec<String>,
}

impl Session {
    /// The reply to one typed line; understands numbers for the choices just
    /// offered and the words "more" / "topics" / "help".
    pub fn reply(&mut self, engine: &Engine, line: &str) -> Reply {
        let trimmed = line.trim();
        let command = trimmed.trim_start_matches('/').to_lowercase();
        let reply = if let Some(id) = trimmed
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|n| self.choices.get(n))
        {
            engine.topic(id).unwrap_or_else(|| engine.help())
        } else if command == "more" {
            match self.last_topic.as_deref().and_then(|t| engine.more(t)) {
                Some(r) => r,
                None => engine.help(),
            }
        } else if command == "help" || command == "start" || command == "topics" {
            let mut r = engine.help();
            r.choices = engine
                .content()
                .intents
                .iter()
                .filter(|i| i.kind == crate::content::IntentKind::Answer)
                .map(|i| crate::reply::Choice {
                    intent: i.id.clone(),
                    title: i.title.clone(),
                })
                .collect();
            r
        } else {
            engine.answer(&Query {
                text: line,
                last_topic: self.last_topic.as_deref(),
            })
        };
        if matches!(reply.kind, Kind::Answer | Kind::PersonalAdvice) && reply.intent.is_some() {
            self.last_topic = reply.intent.clone();
        }
        self.choices = reply.choices.iter().map(|c| c.intent.clone()).collect();
        reply
    }
}

/// A reply for a person at a terminal: wrapped at spaces to the terminal's
/// width (see `term`); unchanged when the output is not a terminal.
pub fn for_terminal(text: &str) -> String {
    Style::detect(ColorChoice::Auto).text(text)
}

/// Interactive chat on a terminal (rustyline); on a pipe it reads lines.
/// Ctrl-C clears the line being typed; Ctrl-D (or "quit") ends the chat.
pub fn chat(engine: &Engine, style: Style) -> anyhow::Result<()> {
    let mut session = Session::default();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", style.reply(&engine.greeting()))?;
    writeln!(
        out,
        "\n{}",
        style.text("(Type a question. A number picks a choice; \"more\" shows the whole section; Ctrl-C clears the line; Ctrl-D quits.)")
    )?;
    out.flush()?;
    let mut editor = rustyline::DefaultEditor::new()?;
    loop {
        match editor.readline("\nyou> ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                if matches!(line.trim(), "quit" | "exit" | "/quit" | "/exit") {
                    break;
                }
                let _ = editor.add_history_entry(line.as_str());
                let reply = session.reply(engine, &line);
                writeln!(out, "\n{}", style.reply(&reply))?;
                out.flush()?;
            }
            // Ctrl-C: the line is dropped and a fresh prompt shown.
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(rustyline::error::ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// `ask --json`: one JSON object per input line, flushed line by line.
pub fn ask_json(engine: &Engine, input: impl BufRead, mut out: impl Write) -> std::io::Result<()> {
    for line in input.lines() {
        let line = match line {
            Ok(l) => l,
            // A line that is not UTF-8 is still a question: answer it as
            // unreadable text rather than stop.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => String::new(),
            Err(e) => return Err(e),
        };
        let reply = engine.answer(&Query::new(&line));
        writeln!(out, "{}", json_line(&line, &reply))?;
    }
    out.flush()
}
