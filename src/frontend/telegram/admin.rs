//! `/reload` and `/stats`, for `[admin] user_ids` only (`route` turns them
//! into the ordinary help reply for anyone else, so they never learn the
//! commands exist). Also the SIGHUP reload, which shares `reload`.

use super::handlers::HandlerResult;
use super::outbox::Outbox;
use super::schema::Command;
use crate::ops::Ops;
use crate::ops::live::Refused;
use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;
use teloxide::prelude::*;

/// Problems shown to the admin in Telegram (all of them go to the log).
const SHOWN_PROBLEMS: usize = 5;

pub async fn command(cmd: &Command, msg: &Message, ops: &Arc<Ops>, out: &Outbox) -> HandlerResult {
    let text = match cmd {
        Command::Reload => reload(ops.clone(), "admin").await,
        _ => stats(ops).await,
    };
    out.send_text(msg.chat.id, &text).await?;
    tracing::info!(command = ?cmd, user = %super::handlers::user_hash(msg.from.as_ref().map(|u| u.id.0)), "admin command");
    Ok(())
}

/// Builds the new engine off the async workers, swaps it in only if the
/// content passes `check`, logs every problem otherwise; returns what to
/// tell the admin.
pub async fn reload(ops: Arc<Ops>, by: &'static str) -> String {
    let building = ops.clone();
    let result = tokio::task::spawn_blocking(move || building.live.reload()).await;
    let result = match result {
        Ok(r) => r,
        Err(_) => return "Reload failed with an internal error; the content is unchanged.".into(),
    };
    ops.metrics.reload(result.is_ok());
    match result {
        Ok(version) => {
            tracing::info!(by, version, "content reloaded");
            format!("Content reloaded: version {version} is in service.")
        }
        Err(Refused::NoFolder) => {
            tracing::warn!(by, "reload asked, but the bot runs on the built-in content");
            "Nothing to reload: the bot runs on the built-in content (set content.dir or --content).".into()
        }
        Err(Refused::Problems(problems)) => {
            for p in &problems {
                tracing::error!(by, problem = %p, "reload refused");
            }
            let mut text = format!(
                "Reload refused: the new content has {} problem(s). Version {} stays in service.\n",
                problems.len(),
                ops.live.version()
            );
            for p in problems.iter().take(SHOWN_PROBLEMS) {
                let _ = write!(text, "\n{p}");
            }
            if problems.len() > SHOWN_PROBLEMS {
                let _ = write!(
                    text,
                    "\n… and {} more in the log",
                    problems.len() - SHOWN_PROBLEMS
                );
            }
            text
        }
    }
}

/// Today's replies by kind (of every replica, with a shared store), the
/// fallback rate, uptime and content version.
pub async fn stats(ops: &Ops) -> String {
    let today = crate::ops::today();
    let mut counts = ops.metrics.today(&today);
    if let Some(shared) = ops.store.replies_on(&today).await {
        for (kind, n) in &mut counts {
            *n = shared
                .iter()
                .find(|(k, _)| k == kind)
                .map_or(0, |(_, v)| *v);
        }
    }
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let mut text = format!("Today ({today} UTC): {total} replies\n");
    for (kind, n) in &counts {
        let _ = writeln!(text, "{kind}: {n}");
    }
    let get = |k: &str| {
        counts
            .iter()
            .find(|(name, _)| *name == k)
            .map_or(0, |(_, n)| *n)
    };
    let questions: u64 = [
        "answer",
        "clarify",
        "fallback",
        "personal_advice",
        "emergency",
    ]
    .iter()
    .map(|k| get(k))
    .sum();
    let rate = if questions == 0 {
        0.0
    } else {
        100.0 * get("fallback") as f64 / questions as f64
    };
    let _ = writeln!(text, "Fallback rate: {rate:.1}% of {questions} questions");
    let _ = writeln!(text, "Uptime: {}", uptime(ops.metrics.uptime()));
    let _ = write!(text, "Content version: {}", ops.live.version());
    text
}

fn uptime(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}d {}h {}m", s / 86_400, s / 3600 % 24, s / 60 % 60)
}
