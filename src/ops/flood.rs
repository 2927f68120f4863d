//! Inbound flood control per sender: a fixed one-minute window counted from
//! a sender's first message in it. Beyond the limit the sender gets one
//! friendly "please slow down", then silence until the window passes.
//! Bounded and expiring through moka: no table scan when it is full.
//!
//! A sender is a user id, or, for messages a chat sends as itself
//! (anonymous group admins, channels posting in a group, who all share one
//! user id at Telegram), the chat's id: see [`key`].

use std::time::{Duration, Instant};

/// The window the limit counts in.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Senders tracked at once (an entry is a few dozen bytes). When full,
/// moka evicts the least useful entries.
pub const CAPACITY: u64 = 50_000;

/// What to do with a sender's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Answer,
    /// The first message over the limit: ask them to slow down.
    SlowDown,
    /// Over the limit and already told: say nothing.
    Drop,
}

impl Verdict {
    /// The verdict for the `n`th message of a window (from 1).
    pub fn of(n: u32, per_window: u32) -> Verdict {
        match n.cmp(&per_window) {
            std::cmp::Ordering::Less | std::cmp::Ordering::Equal => Verdict::Answer,
            _ if n == per_window + 1 => Verdict::SlowDown,
            _ => Verdict::Drop,
        }
    }
}

/// The flood key of a message: its user, or the chat it was sent as
/// (`sender_chat`): anonymous admins of every group arrive as one user
/// (@GroupAnonymousBot), so keying them by user would let one busy group
/// silence the others. Chat ids of groups and channels are negative, user
/// ids positive: the two never collide.
pub fn key(user: Option<u64>, sender_chat: Option<i64>, chat: i64) -> i64 {
    match (sender_chat, user) {
        (Some(_), _) | (None, None) => chat,
        (None, Some(u)) => u as i64,
    }
}

#[derive(Debug)]
pub struct Flood {
    per_window: u32,
    /// Sender -> (window start, messages in it).
    senders: moka::sync::Cache<i64, (Instant, u32)>,
}

impl Flood {
    pub fn new(per_minute: u32) -> Flood {
        Flood {
            per_window: per_minute.max(1),
            senders: moka::sync::Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(WINDOW)
                .build(),
        }
    }

    pub fn per_window(&self) -> u32 {
        self.per_window
    }

    /// Counts one message from `sender` at `now`.
    pub fn check(&self, sender: i64, now: Instant) -> Verdict {
        let entry =
            self.senders
                .entry(sender)
                .and_upsert_with(|old| match old.map(|e| e.into_value()) {
                    Some((start, n)) if now.duration_since(start) < WINDOW => {
                        (start, n.saturating_add(1))
                    }
                    _ => (now, 1),
                });
        Verdict::of(entry.into_value().1, self.per_window)
    }

    pub fn tracked(&self) -> u64 {
        self.senders.run_pending_tasks();
        self.senders.entry_count()
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
        assert_eq!(flood.check(2, t0), Answer, "other senders are not affected");
        assert_eq!(flood.check(1, t0 + WINDOW), Answer, "a new window");
    }

    #[test]
    fn the_table_stays_bounded() {
        let flood = Flood::new(20);
        let t0 = Instant::now();
        for u in 0..(CAPACITY as i64 + 1000) {
            flood.check(u, t0);
        }
        assert!(flood.tracked() <= CAPACITY, "{}", flood.tracked());
    }

    #[test]
    fn chats_speaking_as_themselves_are_keyed_by_chat() {
        const ANONYMOUS_ADMIN: u64 = 1_087_968_824;
        let cases = [
            (Some(7), None, 7, 7),
            (Some(7), None, -1001, 7),
            (Some(ANONYMOUS_ADMIN), Some(-1001), -1001, -1001),
            (Some(ANONYMOUS_ADMIN), Some(-1002), -1002, -1002),
            (Some(136_817_688), Some(-1009), -1003, -1003),
            (None, None, -1004, -1004),
        ];
        for (user, sender_chat, chat, want) in cases {
            assert_eq!(
                key(user, sender_chat, chat),
                want,
                "{user:?} {sender_chat:?}"
            );
        }
    }
}
