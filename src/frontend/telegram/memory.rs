//! What the bot remembers between messages: each chat's last topic, so a
//! follow-up ("and its side effects?") is read in its light. Only a topic id
//! is kept, never message text; entries expire, and the map is bounded so a
//! flood of chats cannot grow it without limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a topic stays "the one we were talking about". A follow-up
/// comes within minutes; after an hour a question is a new conversation.
pub const TTL: Duration = Duration::from_secs(60 * 60);
/// How many chats are remembered at once (an entry is a few dozen bytes).
pub const CAPACITY: usize = 50_000;

#[derive(Debug)]
struct Entry {
    topic: String,
    at: Instant,
}

/// Chat id -> last topic, with expiry and a size bound.
#[derive(Debug)]
pub struct Memory {
    chats: Mutex<HashMap<i64, Entry>>,
    ttl: Duration,
    capacity: usize,
}

impl Default for Memory {
    fn default() -> Self {
        Memory::new(CAPACITY, TTL)
    }
}

impl Memory {
    pub fn new(capacity: usize, ttl: Duration) -> Memory {
        Memory {
            chats: Mutex::new(HashMap::new()),
            ttl,
            capacity: capacity.max(1),
        }
    }

    /// The chat's last topic, if it has not expired.
    pub fn last_topic(&self, chat: i64) -> Option<String> {
        self.last_topic_at(chat, Instant::now())
    }

    /// Remembers `topic` as the chat's last topic.
    pub fn remember(&self, chat: i64, topic: &str) {
        self.remember_at(chat, topic, Instant::now());
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn last_topic_at(&self, chat: i64, now: Instant) -> Option<String> {
        let mut chats = self.lock();
        match chats.get(&chat) {
            Some(e) if now.saturating_duration_since(e.at) < self.ttl => Some(e.topic.clone()),
            Some(_) => {
                chats.remove(&chat);
                None
            }
            None => None,
        }
    }

    fn remember_at(&self, chat: i64, topic: &str, now: Instant) {
        let mut chats = self.lock();
        if !chats.contains_key(&chat) && chats.len() >= self.capacity {
            // Full: drop what has expired; if nothing has, drop the oldest.
            // Both are O(n) but only run when the map is full.
            let ttl = self.ttl;
            chats.retain(|_, e| now.saturating_duration_since(e.at) < ttl);
            if chats.len() >= self.capacity
                && let Some(oldest) = chats.iter().min_by_key(|(_, e)| e.at).map(|(k, _)| *k)
            {
                chats.remove(&oldest);
            }
        }
        chats.insert(
            chat,
            Entry {
                topic: topic.to_string(),
                at: now,
            },
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Entry>> {
        // A panic while holding the lock cannot leave the map inconsistent
        // (every write is a single insert or remove), so poison is ignored.
        self.chats.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_per_chat_and_forgets_after_the_ttl() {
        let m = Memory::new(10, Duration::from_secs(60));
        let t0 = Instant::now();
        m.remember_at(1, "sorafenib", t0);
        m.remember_at(2, "tace", t0);
        m.remember_at(1, "regorafenib", t0 + Duration::from_secs(10));
        let cases = [
            (1, 30, Some("regorafenib")),
            (2, 59, Some("tace")),
            (2, 60, None),
            (1, 69, Some("regorafenib")),
            (1, 70, None),
            (3, 0, None),
        ];
        for (chat, secs, want) in cases {
            let got = m.last_topic_at(chat, t0 + Duration::from_secs(secs));
            assert_eq!(got.as_deref(), want, "chat {chat} at {secs}s");
        }
        assert!(m.is_empty(), "expired entries are dropped when read");
    }

    #[test]
    fn stays_within_capacity_dropping_expired_then_oldest() {
        let m = Memory::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for chat in 0..3 {
            m.remember_at(chat, "tace", t0 + Duration::from_secs(chat as u64));
        }
        m.remember_at(3, "rfa", t0 + Duration::from_secs(10));
        assert_eq!(m.len(), 3);
        assert_eq!(
            m.last_topic_at(0, t0 + Duration::from_secs(10)),
            None,
            "oldest dropped"
        );
        assert_eq!(
            m.last_topic_at(3, t0 + Duration::from_secs(10)).as_deref(),
            Some("rfa")
        );
        m.remember_at(4, "pei", t0 + Duration::from_secs(100));
        assert_eq!(m.len(), 1, "all expired entries dropped at once");
        // Updating a chat already present never evicts another.
        let m = Memory::new(2, Duration::from_secs(60));
        m.remember_at(1, "a", t0);
        m.remember_at(2, "b", t0);
        m.remember_at(1, "c", t0);
        assert_eq!(m.len(), 2);
    }
}
