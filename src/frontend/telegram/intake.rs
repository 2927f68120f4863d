//! Where every update enters, whichever way it came (long polling or the
//! webhook): duplicates are recognised, flood control counts a message the
//! moment it arrives (an update over the limit is dropped here, before it
//! takes a place in any queue), and the rest wait in their chat's own
//! queue. Each chat has its own worker, so a burst in one chat only ever
//! delays that chat; updates of one chat are answered in order.
//!
//! The caller learns when an update is finished (answered, or given up on
//! after the Bot API refused it), so polling acknowledges only finished
//! updates and the webhook answers Telegram only then. On shutdown the
//! intake closes, and `drain` waits for the queues within a grace period.

use super::route::{self, Incoming};
use super::schema;
use crate::ops::Ops;
use crate::ops::flood::{self, Verdict};
use crate::store::Claim;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use teloxide::dispatching::UpdateHandler;
use teloxide::dptree::di::DependencyMap;
use teloxide::prelude::*;
use teloxide::types::{Me, UpdateKind};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::AbortHandle;

/// A chat's worker ends after this long without updates (a new one starts
/// with the chat's next update): idle chats cost nothing.
const IDLE: Duration = Duration::from_secs(30);

/// What became of an update handed to the intake.
#[derive(Debug)]
pub enum Taken {
    /// Nothing more to do: over the flood limit, or already taken.
    Finished,
    /// Queued; the receiver resolves once it is finished (an error means it
    /// was abandoned at shutdown: not answered).
    Queued(oneshot::Receiver<()>),
    /// Shutting down: not taken (Telegram will deliver it again).
    Closed,
    /// Taken by another replica and not answered yet: not taken here
    /// (Telegram delivers it again; by then it is answered, or the replica
    /// that took it has died and its claim expired).
    Elsewhere,
}

struct Job {
    update: Update,
    verdict: Verdict,
    done: oneshot::Sender<()>,
}

struct Queue {
    tx: mpsc::UnboundedSender<Job>,
    worker: AbortHandle,
}

pub struct Intake {
    handler: UpdateHandler<anyhow::Error>,
    deps: DependencyMap,
    ops: Arc<Ops>,
    me: Me,
    queues: Mutex<HashMap<i64, Queue>>,
    /// Updates queued or being handled.
    outstanding: watch::Sender<usize>,
    open: AtomicBool,
    /// The only consumer (polling holds the lease): an update claimed but
    /// unanswered was claimed by a poller that has since stopped or died,
    /// so it is taken again.
    sole: bool,
}

impl Intake {
    /// `deps` are what handlers are given besides the update (ops, outbox,
    /// memory, `Me`, the bot).
    pub fn new(ops: Arc<Ops>, me: Me, deps: DependencyMap, sole: bool) -> Arc<Intake> {
        Arc::new(Intake {
            handler: schema::schema(),
            deps,
            ops,
            me,
            queues: Mutex::default(),
            outstanding: watch::channel(0).0,
            open: AtomicBool::new(true),
            sole,
        })
    }

    /// Takes one update: counted against flood control, checked against
    /// the updates already taken, then queued in its chat's line.
    pub async fn take(self: &Arc<Self>, update: Update) -> Taken {
        if !self.open.load(Ordering::Acquire) {
            return Taken::Closed;
        }
        let id = update.id.0;
        match self.ops.store.take(id).await {
            Claim::New => {}
            Claim::InFlight if self.sole => {}
            Claim::InFlight => return Taken::Elsewhere,
            Claim::Done => {
                tracing::info!(update = id, "delivered again; already answered");
                return Taken::Finished;
            }
        }
        let verdict = self.flood_verdict(&update).await;
        if verdict == Verdict::Drop {
            self.ops.metrics.update(schema::update_kind(&update.kind));
            self.ops.metrics.flood_dropped();
            self.ops.store.finish(id).await;
            tracing::info!(update = "message", "over the flood limit; not answered");
            return Taken::Finished;
        }
        let key = update
            .chat()
            .map(|c| c.id.0)
            .or_else(|| update.from().map(|f| f.id.0 as i64))
            .unwrap_or(0);
        let (done, finished) = oneshot::channel();
        self.outstanding.send_modify(|n| *n += 1);
        let job = Job {
            update,
            verdict,
            done,
        };
        let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        let job = match queues.get(&key) {
            Some(q) => match q.tx.send(job) {
                Ok(()) => return Taken::Queued(finished),
                // The worker was aborted: start another.
                Err(mpsc::error::SendError(job)) => job,
            },
            None => job,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let _ = tx.send(job);
        let worker = tokio::spawn(self.clone().work(key, rx)).abort_handle();
        queues.insert(key, Queue { tx, worker });
        Taken::Queued(finished)
    }

    /// Flood control for a message addressed to the bot; everything else
    /// (group chatter, button presses, inline queries) is not counted.
    async fn flood_verdict(&self, update: &Update) -> Verdict {
        let UpdateKind::Message(msg) = &update.kind else {
            return Verdict::Answer;
        };
        let admin = self.ops.is_admin(msg.from.as_ref().map(|u| u.id.0));
        let incoming = Incoming::of(msg, self.me.id.0, admin);
        if route::route(&incoming, self.me.username()).is_none() {
            return Verdict::Answer;
        }
        let key = flood::key(
            msg.from.as_ref().map(|u| u.id.0),
            msg.sender_chat.as_ref().map(|c| c.id.0),
            msg.chat.id.0,
        );
        self.ops.store.flood(key).await
    }

    /// One chat's line: its updates in order, until it has been idle.
    async fn work(self: Arc<Self>, key: i64, mut rx: mpsc::UnboundedReceiver<Job>) {
        loop {
            let job = match tokio::time::timeout(IDLE, rx.recv()).await {
                Ok(Some(job)) => job,
                Ok(None) => return,
                Err(_) => {
                    // Under the lock nothing can be queued meanwhile.
                    let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
                    match rx.try_recv() {
                        Ok(job) => job,
                        Err(_) => {
                            queues.remove(&key);
                            return;
                        }
                    }
                }
            };
            let id = job.update.id.0;
            self.handle(job.update, job.verdict).await;
            self.ops.store.finish(id).await;
            self.outstanding.send_modify(|n| *n -= 1);
            let _ = job.done.send(());
        }
    }

    async fn handle(&self, update: Update, verdict: Verdict) {
        let kind = schema::update_kind(&update.kind);
        let mut deps = self.deps.clone();
        deps.insert(update);
        deps.insert(verdict);
        match self.handler.dispatch(deps).await {
            ControlFlow::Break(Ok(())) => {}
            ControlFlow::Break(Err(e)) => {
                let kind = e
                    .downcast_ref::<teloxide::RequestError>()
                    .map_or_else(|| "internal error".to_string(), super::error_kind);
                tracing::error!(error = kind, "could not answer an update");
            }
            ControlFlow::Continue(_) => {
                // Messages were counted before routing declined them.
                if kind != "message" {
                    self.ops.metrics.update(kind);
                }
                tracing::debug!(update = kind, "not for the bot; ignored");
            }
        }
    }

    /// Takes no more updates.
    pub fn close(&self) {
        self.open.store(false, Ordering::Release);
    }

    /// Waits until every queued update is finished, at most `grace`; then
    /// abandons what is left (polling has not acknowledged it, the webhook
    /// has not answered it: Telegram delivers it again). The number
    /// abandoned.
    pub async fn drain(&self, grace: Duration) -> usize {
        let mut rx = self.outstanding.subscribe();
        if tokio::time::timeout(grace, rx.wait_for(|n| *n == 0))
            .await
            .is_ok()
        {
            return 0;
        }
        let left = *rx.borrow();
        let queues = std::mem::take(&mut *self.queues.lock().unwrap_or_else(|p| p.into_inner()));
        for q in queues.into_values() {
            q.worker.abort();
        }
        left
    }
}
