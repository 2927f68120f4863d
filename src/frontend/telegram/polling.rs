//! Long polling that loses nothing: `getUpdates` confirms every update
//! below the offset it is called with, so the offset moves only past
//! updates the intake has finished. Whatever is still queued or being
//! answered when the process dies stays at Telegram and comes again after a
//! restart (at least once; the updates answered above the oldest unfinished
//! one may come again too).
//!
//! While updates are unfinished, Telegram answers every poll at once with
//! them: the loop then waits for one to finish (or a short while, to see
//! new arrivals) before asking again, instead of spinning. A poll returns
//! at most 100 updates from the offset, so at most 100 can be in hand at
//! once: with 100 unfinished, new ones wait for the oldest to finish (flood
//! control keeps any one chat's share of them small).

use super::intake::{Intake, Taken};
use super::{ALLOWED_UPDATES, error_kind, outbox};
use crate::ops::Ops;
use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use teloxide::prelude::*;
use teloxide::{ApiError, RequestError};
use tokio::task::JoinSet;

/// How long to wait for an update to finish before polling again while
/// updates are unfinished: new arrivals are seen at least this often.
const BUSY_WAIT: Duration = Duration::from_millis(250);
/// The polling lease (shared store only) lapses this long after its
/// holder last renewed it (every third of it): a killed poller's successor
/// waits at most this long.
const LEASE_TTL: Duration = Duration::from_secs(15);
/// How often a waiting instance asks for the lease.
const LEASE_RETRY: Duration = Duration::from_secs(1);

/// The updates fetched and not yet finished, and the next id expected.
#[derive(Debug, Default)]
struct Acks {
    pending: BTreeSet<u32>,
    next: Option<u32>,
}

impl Acks {
    /// Records a fetched update; false when it was fetched before (it is
    /// queued or finished already).
    fn fetched(&mut self, id: u32) -> bool {
        if self.next.is_some_and(|n| id < n) {
            return false;
        }
        self.next = Some(id + 1);
        self.pending.insert(id);
        true
    }

    fn finished(&mut self, id: u32) {
        self.pending.remove(&id);
    }

    /// The offset to poll with: the oldest unfinished update, or past the
    /// newest fetched (none before the first update).
    fn offset(&self) -> Option<i32> {
        self.pending
            .first()
            .copied()
            .or(self.next)
            .map(|n| n as i32)
    }
}

/// Polls until `shutdown`, then stops taking updates, lets the queued ones
/// finish within `grace` and acknowledges those that did.
pub async fn poll(
    bot: Bot,
    intake: Arc<Intake>,
    ops: Arc<Ops>,
    timeout: Duration,
    grace: Duration,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let holder = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    tokio::select! {
        () = &mut shutdown => return,
        () = lease(&ops, &holder) => {}
    }
    if let Err(e) = bot.delete_webhook().await {
        tracing::warn!(error = error_kind(&e), "could not remove a webhook");
    }
    let mut renewed = Instant::now();
    let mut acks = Acks::default();
    let mut finishing: JoinSet<Option<u32>> = JoinSet::new();
    let mut errors = 0u32;
    ops.set_serving(true);
    loop {
        if renewed.elapsed() > LEASE_TTL / 3 {
            if !ops.store.lease(&holder, LEASE_TTL).await {
                tracing::error!("lost the polling lease to another instance; waiting for it");
                ops.set_serving(false);
                tokio::select! {
                    () = &mut shutdown => break,
                    () = lease(&ops, &holder) => {}
                }
                ops.set_serving(true);
            }
            renewed = Instant::now();
        }
        while let Some(Ok(done)) = finishing.try_join_next() {
            if let Some(id) = done {
                acks.finished(id);
            }
        }
        let mut request = bot
            .get_updates()
            .timeout(timeout.as_secs() as u32)
            .allowed_updates(ALLOWED_UPDATES);
        if let Some(offset) = acks.offset() {
            request = request.offset(offset);
        }
        let got = tokio::select! {
            () = &mut shutdown => break,
            got = request.send() => got,
        };
        let updates = match got {
            Ok(updates) => updates,
            Err(e) => {
                errors += 1;
                failed(&ops, &e);
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(backoff(errors)) => continue,
                }
            }
        };
        errors = 0;
        ops.contact(Instant::now());
        let mut new = 0;
        for update in updates {
            let id = update.id.0;
            if !acks.fetched(id) {
                continue;
            }
            new += 1;
            match intake.take(update).await {
                Taken::Finished => acks.finished(id),
                Taken::Queued(rx) => {
                    finishing.spawn(async move { rx.await.ok().map(|()| id) });
                }
                // Closed: not before shutdown; elsewhere: not when sole.
                Taken::Closed | Taken::Elsewhere => {}
            }
        }
        if new == 0 && !acks.pending.is_empty() {
            let wait = tokio::time::timeout(BUSY_WAIT, finishing.join_next());
            tokio::select! {
                () = &mut shutdown => break,
                done = wait => {
                    if let Ok(Some(Ok(Some(id)))) = done {
                        acks.finished(id);
                    }
                }
            }
        }
    }
    tracing::info!("shutting down: finishing replies in flight");
    ops.set_serving(false);
    intake.close();
    let left = intake.drain(grace).await;
    // Abandoned updates resolve as not finished once their workers are gone.
    let collect = async {
        while let Some(done) = finishing.join_next().await {
            if let Ok(Some(id)) = done {
                acks.finished(id);
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), collect).await;
    if left > 0 {
        tracing::warn!(
            left,
            "shutdown grace over: unfinished updates stay at Telegram"
        );
    }
    // Confirms what finished (nothing more: limit 1, no wait).
    let mut ack = bot.get_updates().limit(1).timeout(0);
    if let Some(offset) = acks.offset() {
        ack = ack.offset(offset);
    }
    if let Err(e) = ack.send().await {
        tracing::warn!(
            error = error_kind(&e),
            "could not acknowledge the last updates"
        );
    }
    ops.store.release(&holder).await;
}

/// Waits until this instance holds the polling lease (at once without a
/// shared store): Telegram allows one poller per bot.
async fn lease(ops: &Ops, holder: &str) {
    let mut told = false;
    while !ops.store.lease(holder, LEASE_TTL).await {
        if !told {
            tracing::warn!("another instance holds the polling lease; waiting for it");
            told = true;
        }
        tokio::time::sleep(LEASE_RETRY).await;
    }
    if told {
        tracing::info!("took the polling lease");
    }
}

fn failed(ops: &Ops, e: &RequestError) {
    ops.metrics.api_error(outbox::metric_kind(e));
    ops.poll_failed(Instant::now());
    match e {
        RequestError::Api(ApiError::TerminatedByOtherGetUpdates) => tracing::error!(
            "another instance of this bot is polling; stop it (Telegram allows one)"
        ),
        e => tracing::warn!(error = error_kind(e), "getUpdates failed; retrying"),
    }
}

/// Pause before polling again after a failed getUpdates: 0.5 s doubling to
/// 30 s (teloxide's default starts at 1 s and reaches 64 s).
pub fn backoff(errors: u32) -> Duration {
    (Duration::from_millis(500) * 2u32.pow(errors.saturating_sub(1).min(6)))
        .min(Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_stays_at_the_oldest_unfinished_update() {
        let mut acks = Acks::default();
        assert_eq!(acks.offset(), None, "nothing fetched yet");
        for id in [5, 6, 7] {
            assert!(acks.fetched(id));
        }
        assert!(!acks.fetched(6), "fetched again while unfinished");
        assert_eq!(acks.offset(), Some(5));
        acks.finished(6);
        assert_eq!(acks.offset(), Some(5), "5 is not finished");
        acks.finished(5);
        assert_eq!(acks.offset(), Some(7));
        acks.finished(7);
        assert_eq!(acks.offset(), Some(8), "past the newest");
        assert!(!acks.fetched(7), "finished updates are not taken again");
        assert!(acks.fetched(9));
        assert_eq!(acks.offset(), Some(9));
    }

    #[test]
    fn polling_backs_off_quickly_then_caps() {
        let got: Vec<u64> = [1, 2, 3, 7, 40]
            .iter()
            .map(|&n| backoff(n).as_millis() as u64)
            .collect();
        assert_eq!(got, [500, 1000, 2000, 30_000, 30_000]);
    }
}
