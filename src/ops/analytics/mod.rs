//! The editors' analytics, private by design (off unless `[analytics]
//! enabled = true`): a SQLite file with replies counted per UTC day, kind
//! and intent, and, only with `keep_unanswered_text = true`, the folded text
//! of questions that got a fallback or clarify reply, with numbers, e-mail
//! addresses and a name given ("my name is …") taken out. Nothing else: no
//! user or chat id, no time finer than the day, no text of answered
//! questions. Kept texts are deleted after `retention_days`, with SQLite's
//! secure delete (the freed pages are overwritten); the file is created
//! readable by its owner only.
//!
//! `Store` is the database (explicit days: testable); `Recorder` owns it on
//! a writer thread behind a bounded queue, so a handler never waits on the
//! disk (when the queue is full the event is dropped and counted). `report`
//! reads it.

mod report;

pub use report::{Period, report};

use crate::config::Analytics as Settings;
use crate::reply::Kind;
use regex::Regex;
use rusqlite::{Connection, params};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

/// Longest question text kept (characters); the rest is cut.
pub const MAX_TEXT: usize = 300;
/// Events waiting for the writer thread at most; past it (a disk stalled
/// under a burst) events are dropped and counted, never waited for.
pub const QUEUE: usize = 10_000;

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
    /// Opens or creates the database, readable by its owner only, with
    /// secure delete on.
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        owner_only(path).map_err(|e| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(format!("cannot create the file: {}", e.kind())),
            )
        })?;
        let conn = Connection::open(path)?;
        conn.execute_batch("PRAGMA secure_delete = ON;")?;
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

/// Creates the file mode 0600 (or makes an existing one so): the kept
/// texts are for the editors, not for every account on the machine.
fn owner_only(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// A question as stored: personal details taken out (`scrub`), then folded
/// (lower case, no accents or punctuation), so the report can group "What
/// about DIET?" with "what about diet".
pub fn keepable(text: &str) -> String {
    crate::text::fold(&scrub(text))
        .chars()
        .take(MAX_TEXT)
        .collect()
}

/// Replaces what could identify someone with a placeholder word: e-mail
/// addresses, every run of digits (phone numbers, dates of birth, record
/// numbers) and the words after "my name is", "i am called", "call me".
pub fn scrub(text: &str) -> String {
    static PATTERNS: OnceLock<[(Regex, &str); 3]> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        let re = |p: &str| Regex::new(p).expect("a valid pattern");
        [
            (re(r"[^\s@]+@[^\s@]+"), " email "),
            (
                // A second word is taken too when capitalised (a surname).
                re(r"\b((?i:my name is|my name's|i am called|i'm called|call me))\s+[\w'-]+(\s+\p{Lu}[\w'-]*)?"),
                "$1 name ",
            ),
            (re(r"\d+"), " number "),
        ]
    });
    patterns.iter().fold(text.to_string(), |t, (re, with)| {
        re.replace_all(&t, *with).into_owned()
    })
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
    tx: Mutex<Option<SyncSender<Event>>>,
    dropped: AtomicU64,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Recorder {
    /// Opens (or creates) the database and purges expired texts.
    pub fn start(settings: &Settings) -> rusqlite::Result<Recorder> {
        let store = Store::open(&settings.path)?;
        let retention = settings.retention_days;
        store.purge(today(), retention)?;
        let (tx, rx) = sync_channel::<Event>(QUEUE);
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
            dropped: AtomicU64::new(0),
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
        if let Some(tx) = self.tx.lock().unwrap_or_else(|p| p.into_inner()).as_ref()
            && let Err(TrySendError::Full(_)) = tx.try_send(event)
        {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Events dropped because the queue was full (`/metrics`).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_text_loses_numbers_addresses_and_names() {
        for (said, kept) in [
            (
                "My name is Ludmila Petrova, born 12/03/1961, what now?",
                "my name is name born number number number what now",
            ),
            (
                "write to pat.smith@example.org or call 555-0199",
                "write to email or call number number",
            ),
            ("call me Sam please", "call me name please"),
            ("what about diet", "what about diet"),
        ] {
            assert_eq!(keepable(said), kept, "{said}");
        }
    }

    #[test]
    fn the_database_is_private_and_deletes_securely() {
        let dir = std::env::temp_dir().join(format!("liverline-analytics-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.sqlite3");
        let _ = std::fs::remove_file(&path);
        let store = Store::open(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let secure: i64 = store
            .conn()
            .query_row("PRAGMA secure_delete", [], |r| r.get(0))
            .unwrap();
        assert_eq!(secure, 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
