//! The store in this process's memory: every map bounded and expiring
//! through moka (no table scans), gone on restart. One process only.

use super::{Claim, DONE_TTL, TAKEN_TTL};
use crate::dialog::{self, MemoryStore, Session, SessionStore};
use crate::ops::flood::{Flood, Verdict};
use std::time::Instant;

/// Update ids remembered at once (a few bytes each).
pub const UPDATES_CAPACITY: u64 = 200_000;

#[derive(Debug)]
pub struct Local {
    sessions: MemoryStore,
    pages: moka::sync::Cache<(i64, i32), String>,
    flood: Flood,
    /// Update id -> answered (false: taken, in flight).
    updates: moka::sync::Cache<u32, bool>,
}

/// Taken updates expire sooner than answered ones.
#[derive(Debug)]
struct UpdateExpiry;

impl moka::Expiry<u32, bool> for UpdateExpiry {
    fn expire_after_create(&self, _: &u32, done: &bool, _: Instant) -> Option<std::time::Duration> {
        Some(if *done { DONE_TTL } else { TAKEN_TTL })
    }

    fn expire_after_update(
        &self,
        _: &u32,
        done: &bool,
        _: Instant,
        _: Option<std::time::Duration>,
    ) -> Option<std::time::Duration> {
        Some(if *done { DONE_TTL } else { TAKEN_TTL })
    }
}

impl Local {
    pub fn new(flood_per_minute: u32) -> Local {
        Local {
            sessions: MemoryStore::default(),
            pages: moka::sync::Cache::builder()
                .max_capacity(dialog::CAPACITY)
                .time_to_live(dialog::TTL)
                .build(),
            flood: Flood::new(flood_per_minute),
            updates: moka::sync::Cache::builder()
                .max_capacity(UPDATES_CAPACITY)
                .expire_after(UpdateExpiry)
                .build(),
        }
    }

    pub fn session(&self, chat: i64) -> Session {
        self.sessions.load(chat).unwrap_or_default()
    }

    pub fn save_session(&self, chat: i64, session: &Session) {
        self.sessions.save(chat, session);
    }

    pub fn page(&self, chat: i64, message: i32) -> Option<String> {
        self.pages.get(&(chat, message))
    }

    pub fn set_page(&self, chat: i64, message: i32, page: &str) {
        self.pages.insert((chat, message), page.to_string());
    }

    pub fn flood(&self, key: i64) -> Verdict {
        self.flood.check(key, Instant::now())
    }

    pub fn take(&self, update: u32) -> Claim {
        let entry = self.updates.entry(update).or_insert(false);
        match (entry.is_fresh(), entry.into_value()) {
            (true, _) => Claim::New,
            (false, true) => Claim::Done,
            (false, false) => Claim::InFlight,
        }
    }

    pub fn finish(&self, update: u32) {
        self.updates.insert(update, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_is_new_once_then_in_flight_then_done() {
        let store = Local::new(20);
        assert_eq!(store.take(7), Claim::New);
        assert_eq!(store.take(7), Claim::InFlight);
        store.finish(7);
        assert_eq!(store.take(7), Claim::Done);
        assert_eq!(store.take(8), Claim::New);
    }

    #[test]
    fn sessions_and_menu_pages_are_kept_apart() {
        let store = Local::new(20);
        let s = Session {
            last_topic: Some("tace".into()),
            ..Session::default()
        };
        store.save_session(7, &s);
        store.set_page(7, 42, "c:surgery");
        assert_eq!(store.session(7).last_topic.as_deref(), Some("tace"));
        assert_eq!(store.page(7, 42).as_deref(), Some("c:surgery"));
        assert_eq!(store.page(7, 43), None);
        assert_eq!(store.session(8), Session::default());
    }
}
