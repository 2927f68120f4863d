//! Inbound flood control per user: a fixed one-minute window counted from a
//! user's first message in it. Beyond the limit the user gets one friendly
//! "please slow down", then silence until the window passes. Bounded: at
//! most `CAPACITY` users are tracked, expired windows go first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The window the limit counts in.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Users tracked at once (an entry is a few dozen bytes). When full, expired
/// windows are dropped; if none has expired, the oldest window goes.
pub const CAPACITY: usize = 50_000;

/// What to do with a user's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Answer,
    /// The first message over the limit: ask them to slow down.
    SlowDown,
    /// Over the limit and already told: say nothing.
    Drop,
}

#[derive(Debug)]
pub struct Flood {
    per_window: u32,
    users: Mutex<HashMap<u64, (Instant, u32)>>,
}

impl Flood {
    pub fn new(per_minute: u32) -> Flood {
        Flood {
            per_window: per_minute.max(1),
            users: Mutex::default(),
        }
    }

    /// Counts one message from `user` at `now`.
    pub fn check(&self, user: u64, now: Instant) -> Verdict {
        let mut users = self.users.lock().unwrap_or_else(|p| p.into_inner());
        if users.len() >= CAPACITY && !users.contains_key(&user) {
            users.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            if users.len() >= CAPACITY {
                let oldest = users.iter().min_by_key(|(_, (s, _))| *s).map(|(u, _)| *u);
                oldest.map(|u| users.remove(&u));
            }
        }
        let entry = users.entry(user).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        match entry.1.cmp(&self.per_window) {
            std::cmp::Ordering::Less | std::cmp::Ordering::Equal => Verdict::Answer,
            _ if entry.1 == self.per_window + 1 => Verdict::SlowDown,
            _ => Verdict::Drop,
        }
    }

    pub fn tracked(&self) -> usize {
        self.users.lock().map_or(0, |u| u.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_warning_then_silence_until_the_window_passes() {
        let flood = Flood::new(3);
        let t0 = Instant::now();
        let got: Vec<Verdict> = (0..6).map(|_| flood.check(1, t0)).collect();
        use Verdict::*;
        assert_eq!(got, [Answer, Answer, Answer, SlowDown, Drop, Drop]);
        assert_eq!(flood.check(2, t0), Answer, "other users are not affected");
        assert_eq!(flood.check(1, t0 + WINDOW), Answer, "a new window");
    }

    #[test]
    fn the_table_stays_bounded() {
        let flood = Flood::new(20);
        let t0 = Instant::now();
        for u in 0..(CAPACITY as u64 + 10) {
            flood.check(u, t0);
        }
        assert!(flood.tracked() <= CAPACITY);
    }
}
