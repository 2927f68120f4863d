//! What the bot must remember about updates themselves, apart from the
//! dialogue: which update ids it has already taken, so an update delivered
//! twice (a webhook retried, a poll repeated after a restart) is answered
//! once. Bounded and expiring (moka): Telegram re-delivers within hours at
//! most, never days.

use std::time::Duration;

/// How long a taken update id is remembered. Telegram gives up
/// re-delivering an update after about a day; polling re-delivers at once.
pub const SEEN_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Update ids remembered at once (a few bytes each).
pub const SEEN_CAPACITY: u64 = 200_000;

#[derive(Debug)]
pub struct State {
    seen: moka::sync::Cache<u32, ()>,
}

impl Default for State {
    fn default() -> State {
        State {
            seen: moka::sync::Cache::builder()
                .max_capacity(SEEN_CAPACITY)
                .time_to_live(SEEN_TTL)
                .build(),
        }
    }
}

impl State {
    /// True the first time an update id is offered, false ever after
    /// (within the TTL); atomic, so two deliveries racing get one true.
    pub fn first_sighting(&self, update: u32) -> bool {
        self.seen.entry(update).or_insert(()).is_fresh()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_is_new_once() {
        let state = State::default();
        assert!(state.first_sighting(7));
        assert!(!state.first_sighting(7));
        assert!(state.first_sighting(8));
    }
}
