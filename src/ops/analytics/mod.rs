//! The editors' analytics, private by design (off unless `[analytics]
//! enabled = true`): a SQLite file with replies counted per UTC day, kind
//! and intent, and, only with `keep_unanswered_text = true`, the folded text
//! of questions that got a fallback or clarify reply. Nothing else: no user
//! or chat id, no time finer than the day, no text of answered questions.
//! Kept texts are deleted after `retention_days`.
//!
//! `Store` is the database (explicit days: testable); `Recorder` owns it on
//! a writer thread so a handler never waits on the disk. `report` reads it.

mod report;

pub use report::{Period, report};

use crate::config::Analytics as Settings;
use crate::reply::Kind;
use rusqlite::{Connection, params};
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;

/// Longest question text kept (characters); the rest is cut.
pub const MAX_TEXT: usize = 300;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS replies (
    day TEXT NOT NULL, kind TEXT NOT NULL, intent TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (day, kind, intent));
CREATE TABLE IF NOT EXISTS unanswered (
    day TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS unanswered_day ON unanswered (day);";

/// The analytics database.
pub struct Store {
    conn: Connection,
}

impl Store {
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        let conn = Connection::open(path)?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store { conn })
    }

    /// Opens an existing database for reading (the report never creates one).
    pub fn open_existing(path: &Path) -> rusqlite::Result<Store> {
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        Ok(Store { conn })
    }

    /// One reply on `day` (days since 1970-01-01, UTC); `text` is the question,
    /// given only when it may be kept.
    pub fn record(
        &self,
        day: i64,
        kind: Kind,
        intent: Option<&str>,
        text: Option<&str>,
    ) -> rusqlite::Result<()> {
        let date = super::date(day);
        self.conn.execute(
            "INSERT INTO replies (day, kind, intent, n) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (day, kind, intent) DO UPDATE SET n = n + 1",
            params![date, kind.as_str(), intent.unwrap_or("-")],
        )?;
        if let Some(text) = text.map(keepable).filter(|t| !t.is_empty()) {
            self.conn.execute(
                "INSERT INTO unanswered (day, kind, text) VALUES (?1, ?2, ?3)",
                params![date, kind.as_str(), text],
            )?;
        }
        Ok(())
    }

    /// Deletes question texts older than `retention_days` before `today`.
    pub fn purge(&self, today: i64, retention_days: u32) -> rusqlite::Result<usize> {
        let cutoff = super::date(today - i64::from(retention_days));
        self.conn
            .execute("DELETE FROM unanswered WHERE day < ?1", params![cutoff])
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// A question as stored: folded (lower case, no accents or punctuation),
/// so the report can group "What about DIET?" with "what about diet".
pub fn keepable(text: &str) -> String {
    crate::text::fold(text).chars().take(MAX_TEXT).collect()
}

/// Whether a reply of this kind is "unanswered" (its text may be kept).
pub fn unanswered(kind: Kind) -> bool {
    matches!(kind, Kind::Fallback | Kind::Clarify)
}

struct Event {
    day: i64,
    kind: Kind,
    intent: Option<String>,
    text: Option<String>,
}

/// The store on its own thread: `record` only queues.
pub struct Recorder {
    keep_text: bool,
    tx: Mutex<Option<Sender<Event>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Recorder {
    /// Opens (or creates) the database and purges expired texts.
    pub fn start(settings: &Settings) -> rusqlite::Result<Recorder> {
        let store = Store::open(&settings.path)?;
        let retention = settings.retention_days;
        store.purge(today(), retention)?;
        let (tx, rx) = channel::<Event>();
        let thread = std::thread::spawn(move || {
            let mut purged = today();
            for e in rx {
                if e.day != purged {
                    purged = e.day;
                    log(store.purge(e.day, retention).map(|_| ()));
                }
                log(store.record(e.day, e.kind, e.intent.as_deref(), e.text.as_deref()));
            }
        });
        Ok(Recorder {
            keep_text: settings.keep_unanswered_text,
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Counts one reply; keeps `question` only if configured and unanswered.
    pub fn record(&self, kind: Kind, intent: Option<&str>, question: Option<&str>) {
        let text = question.filter(|_| self.keep_text && unanswered(kind));
        let event = Event {
            day: today(),
            kind,
            intent: intent.map(str::to_string),
            text: text.map(str::to_string),
        };
        if let Some(tx) = self.tx.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = tx.send(event);
        }
    }

    /// Writes what is queued and closes the database.
    pub fn close(&self) {
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(t) = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = t.join();
        }
    }
}

use super::today_number as today;

fn log(result: rusqlite::Result<()>) {
    if let Err(e) = result {
        // The SQLite error names the failure, never the row's values.
        tracing::warn!(error = %e, "could not write analytics");
    }
}
