//! The terminal front-end: `liverline chat` (line editing, in-memory history,
//! numbered choices, the last topic remembered) and `liverline ask`.

use super::term::{ColorChoice, Style};
use crate::dialog::{self, Input, MemoryStore, SessionStore};
use crate::engine::Engine;
use crate::reply::{Reply, json_line};
use std::io::{BufRead, Write};

/// The console's one chat: its session lives in the same kind of store as
/// every Telegram chat's.
#[derive(Debug, Default)]
pub struct Session {
    store: MemoryStore,
}

impl Session {
    /// The console is one chat.
    const CHAT: i64 = 0;

    /// The reply to one typed line (see `dialog::turn`); "topics" and
    /// "help" list every topic, numbered.
    pub fn reply(&mut self, engine: &Engine, line: &str) -> Reply {
        let mut session = self.store.load(Self::CHAT).unwrap_or_default();
        let command = line.trim().trim_start_matches('/').to_lowercase();
        let reply = if command == "help" || command == "start" || command == "topics" {
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
            session.choices = r.choices.iter().map(|c| c.intent.clone()).collect();
            r
        } else {
            dialog::turn(engine, &mut session, Input::Text(line))
        };
        self.store.save(Self::CHAT, &session);
        reply
    }

    /// The topic the conversation is about, if any.
    pub fn last_topic(&self) -> Option<String> {
        self.store.load(Self::CHAT).and_then(|s| s.last_topic)
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
        // Each line is a conversation of its own.
        let reply = dialog::turn(engine, &mut dialog::Session::default(), Input::Text(&line));
        writeln!(out, "{}", json_line(&line, &reply))?;
    }
    out.flush()
}
