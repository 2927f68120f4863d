//! What the bot remembers between updates: each chat's dialogue session
//! (in a `dialog::SessionStore`, the same the console uses), and which
//! page each `/topics` menu message shows, so a second tap on the same
//! button never asks Telegram to "edit" a message into what it already
//! says. Only ids are kept, never message text; entries expire, and both
//! maps are bounded.

use crate::dialog::{self, MemoryStore, Session, SessionStore};
use std::sync::Arc;

/// Chat id -> session; (chat, menu message) -> page shown.
#[derive(Debug, Clone)]
pub struct Memory {
    sessions: Arc<dyn SessionStore>,
    pages: moka::sync::Cache<(i64, i32), String>,
}

impl Default for Memory {
    fn default() -> Self {
        Memory::new(Arc::new(MemoryStore::default()))
    }
}

impl Memory {
    pub fn new(sessions: Arc<dyn SessionStore>) -> Memory {
        Memory {
            sessions,
            pages: moka::sync::Cache::builder()
                .max_capacity(dialog::CAPACITY)
                .time_to_live(dialog::TTL)
                .build(),
        }
    }

    /// The chat's session (a fresh one when none is kept).
    pub fn session(&self, chat: i64) -> Session {
        self.sessions.load(chat).unwrap_or_default()
    }

    pub fn save(&self, chat: i64, session: &Session) {
        self.sessions.save(chat, session);
    }

    /// The page (its callback data) a menu message was last set to.
    pub fn page(&self, chat: i64, message: i32) -> Option<String> {
        self.pages.get(&(chat, message))
    }

    pub fn set_page(&self, chat: i64, message: i32, page: &str) {
        self.pages.insert((chat, message), page.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_and_menu_pages_are_kept_apart() {
        let m = Memory::default();
        let s = Session {
            last_topic: Some("tace".into()),
            ..Session::default()
        };
        m.save(7, &s);
        m.set_page(7, 42, "c:surgery");
        assert_eq!(m.session(7).last_topic.as_deref(), Some("tace"));
        assert_eq!(m.page(7, 42).as_deref(), Some("c:surgery"));
        assert_eq!(m.page(7, 43), None);
        assert_eq!(m.session(8), Session::default());
    }
}
