//! What the bot remembers between updates: each chat's last topic, so a
//! follow-up ("and its side effects?") is read in its light; the numbered
//! choices it just offered, so "2" picks one as in the console; and which page
//! each `/topics` menu message shows, so a second tap on the same button
//! never asks Telegram to "edit" a message into what it already says. Only
//! ids are kept, never message text; entries expire, and each map is
//! bounded so a flood of chats cannot grow it without limit.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a topic stays "the one we were talking about". A follow-up
/// comes within minutes; after an hour a question is a new conversation.
pub const TTL: Duration = Duration::from_secs(60 * 60);
/// How many chats (and menu messages) are remembered at once; an entry is a
/// few dozen bytes.
pub const CAPACITY: usize = 50_000;

/// Chat id -> last topic and choices offered; menu message -> page shown.
#[derive(Debug)]
pub struct Memory {
    topics: Recent<i64>,
    choices: Recent<i64>,
    pages: Recent<(i64, i32)>,
}

impl Default for Memory {
    fn default() -> Self {
        Memory {
            topics: Recent::new(CAPACITY, TTL),
            choices: Recent::new(CAPACITY, TTL),
            pages: Recent::new(CAPACITY, TTL),
        }
    }
}

impl Memory {
    /// The chat's last topic, if it has not expired.
    pub fn last_topic(&self, chat: i64) -> Option<String> {
        self.topics.get(chat, Instant::now())
    }

    pub fn remember(&self, chat: i64, topic: &str) {
        self.topics.put(chat, topic, Instant::now());
    }

    /// The topic the `n`th (from 1) of the choices last offered in the chat.
    pub fn choice(&self, chat: i64, n: usize) -> Option<String> {
        let offered = self.choices.get(chat, Instant::now())?;
        offered
            .split(' ')
            .filter(|id| !id.is_empty())
            .nth(n.checked_sub(1)?)
            .map(str::to_string)
    }

    /// Records the choices a reply offers (none clears them): ids have no
    /// spaces, so they are kept space-separated.
    pub fn offer(&self, chat: i64, ids: &[&str]) {
        self.choices.put(chat, &ids.join(" "), Instant::now());
    }

    /// The page (its callback data) a menu message was last set to.
    pub fn page(&self, chat: i64, message: i32) -> Option<String> {
        self.pages.get((chat, message), Instant::now())
    }

    pub fn set_page(&self, chat: i64, message: i32, page: &str) {
        self.pages.put((chat, message), page, Instant::now());
    }
}

#[derive(Debug)]
struct Entry {
    value: String,
    at: Instant,
}

/// A small map whose entries expire after `ttl`, holding at most `capacity`.
#[derive(Debug)]
struct Recent<K> {
    map: Mutex<HashMap<K, Entry>>,
    ttl: Duration,
    capacity: usize,
}

impl<K: Hash + Eq + Copy> Recent<K> {
    fn new(capacity: usize, ttl: Duration) -> Recent<K> {
        Recent {
            map: Mutex::new(HashMap::new()),
            ttl,
            capacity: capacity.max(1),
        }
    }

    fn get(&self, key: K, now: Instant) -> Option<String> {
        let mut map = self.lock();
        match map.get(&key) {
            Some(e) if now.saturating_duration_since(e.at) < self.ttl => Some(e.value.clone()),
            Some(_) => {
                map.remove(&key);
                None
            }
            None => None,
        }
    }

    fn put(&self, key: K, value: &str, now: Instant) {
        let mut map = self.lock();
        if !map.contains_key(&key) && map.len() >= self.capacity {
            // Full: drop what has expired; if nothing has, drop the oldest.
            // Both are O(n) but only run when the map is full.
            let ttl = self.ttl;
            map.retain(|_, e| now.saturating_duration_since(e.at) < ttl);
            if map.len() >= self.capacity
                && let Some(oldest) = map.iter().min_by_key(|(_, e)| e.at).map(|(k, _)| *k)
            {
                map.remove(&oldest);
            }
        }
        map.insert(
            key,
            Entry {
                value: value.to_string(),
                at: now,
            },
        );
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Entry>> {
        // A panic while holding the lock cannot leave the map inconsistent
        // (every write is a single insert or remove), so poison is ignored.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_per_key_and_forgets_after_the_ttl() {
        let m = Recent::new(10, Duration::from_secs(60));
        let t0 = Instant::now();
        m.put(1, "sorafenib", t0);
        m.put(2, "tace", t0);
        m.put(1, "regorafenib", t0 + Duration::from_secs(10));
        let cases = [
            (1, 30, Some("regorafenib")),
            (2, 59, Some("tace")),
            (2, 60, None),
            (1, 69, Some("regorafenib")),
            (1, 70, None),
            (3, 0, None),
        ];
        for (key, secs, want) in cases {
            let got = m.get(key, t0 + Duration::from_secs(secs));
            assert_eq!(got.as_deref(), want, "key {key} at {secs}s");
        }
        assert_eq!(m.len(), 0, "expired entries are dropped when read");
    }

    #[test]
    fn stays_within_capacity_dropping_expired_then_oldest() {
        let m = Recent::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for key in 0..3 {
            m.put(key, "tace", t0 + Duration::from_secs(key as u64));
        }
        m.put(3, "rfa", t0 + Duration::from_secs(10));
        assert_eq!(m.len(), 3);
        assert_eq!(
            m.get(0, t0 + Duration::from_secs(10)),
            None,
            "oldest dropped"
        );
        assert_eq!(
            m.get(3, t0 + Duration::from_secs(10)).as_deref(),
            Some("rfa")
        );
        m.put(4, "pei", t0 + Duration::from_secs(100));
        assert_eq!(m.len(), 1, "all expired entries dropped at once");
        // Updating a key already present never evicts another.
        let m = Recent::new(2, Duration::from_secs(60));
        m.put(1, "a", t0);
        m.put(2, "b", t0);
        m.put(1, "c", t0);
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn topics_and_menu_pages_are_kept_apart() {
        let m = Memory::default();
        m.remember(7, "tace");
        m.set_page(7, 42, "c:surgery");
        assert_eq!(m.last_topic(7).as_deref(), Some("tace"));
        assert_eq!(m.page(7, 42).as_deref(), Some("c:surgery"));
        assert_eq!(m.page(7, 43), None);
        m.offer(7, &["tace", "rfa"]);
        let picks: Vec<_> = (0..4).map(|n| m.choice(7, n)).collect();
        assert_eq!(picks, [None, Some("tace".into()), Some("rfa".into()), None]);
        m.offer(7, &[]);
        assert_eq!(m.choice(7, 1), None, "a reply without choices clears them");
        assert_eq!(
            m.last_topic(7).as_deref(),
            Some("tace"),
            "topics are kept apart"
        );
    }
}
