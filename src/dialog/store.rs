//! Where sessions live between messages. The store is small and sync so
//! any backing fits (a shared one for webhook replicas can come later);
//! sessions are serde values, ids and numbers only.

use super::Session;
use std::time::Duration;

/// How long a conversation is remembered: a follow-up comes within
/// minutes; after an hour a question starts a new conversation.
pub const TTL: Duration = Duration::from_secs(60 * 60);
/// How many chats are remembered at once; a session is a few dozen bytes.
pub const CAPACITY: u64 = 50_000;

/// Keeps each chat's session.
pub trait SessionStore: Send + Sync + std::fmt::Debug {
    fn load(&self, chat: i64) -> Option<Session>;
    fn save(&self, chat: i64, session: &Session);
}

/// Sessions in memory: bounded, each expiring `ttl` after it was written.
#[derive(Debug, Clone)]
pub struct MemoryStore {
    cache: moka::sync::Cache<i64, Session>,
}

impl MemoryStore {
    pub fn new(capacity: u64, ttl: Duration) -> MemoryStore {
        MemoryStore {
            cache: moka::sync::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build(),
        }
    }

    #[cfg(test)]
    fn len(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.entry_count()
    }
}

impl Default for MemoryStore {
    fn default() -> MemoryStore {
        MemoryStore::new(CAPACITY, TTL)
    }
}

impl SessionStore for MemoryStore {
    fn load(&self, chat: i64) -> Option<Session> {
        self.cache.get(&chat)
    }

    fn save(&self, chat: i64, session: &Session) {
        self.cache.insert(chat, session.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_sessions_apart_and_bounded() {
        let store = MemoryStore::new(10, TTL);
        let s = Session {
            last_topic: Some("tace".into()),
            ..Session::default()
        };
        store.save(1, &s);
        assert_eq!(store.load(1), Some(s));
        assert_eq!(store.load(2), None);
        for chat in 0..100 {
            store.save(chat, &Session::default());
        }
        assert!(store.len() <= 10, "bounded: {}", store.len());
    }

    #[test]
    fn forgets_after_the_ttl() {
        let store = MemoryStore::new(10, Duration::from_millis(1));
        store.save(1, &Session::default());
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(store.load(1), None);
    }

    #[test]
    fn a_session_round_trips_through_serde() {
        let s = Session {
            last_topic: Some("sorafenib".into()),
            choices: vec!["tace".into(), "rfa".into()],
            reading: Some(super::super::Reading {
                topic: "tace".into(),
                page: 2,
            }),
            last_shown: Some(42),
        };
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Session>(&json).unwrap(), s);
    }
}
