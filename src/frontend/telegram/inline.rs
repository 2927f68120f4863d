//! Inline mode: `@bot question` in any chat returns answer cards to share
//! (an empty query offers starter topics; a clarify offers a card per
//! candidate).

use super::codec;
use super::handlers::{HandlerResult, log_update};
use super::html;
use super::keyboards;
use super::outbox::Outbox;
use crate::engine::Query;
use crate::ops::Ops;
use crate::reply::{Kind, Reply};
use std::sync::Arc;
use std::time::Instant;
use teloxide::prelude::*;
use teloxide::types::{
    InlineQueryResult, InlineQueryResultArticle, InputMessageContent, InputMessageContentText, Me,
    ParseMode,
};

/// Topics an empty inline query offers, to get people started.
const STARTERS: [&str; 5] = [
    "overview",
    "stage_overview",
    "doctors",
    "clinical_trials",
    "support",
];
/// Inline answer cards at most (Telegram allows 50): a short list to
/// choose from, best first.
const MAX_CARDS: usize = 5;
/// A query of one word this short may be a word still being typed.
const PARTIAL: usize = 6;

/// `@bot question` in any chat: answer cards to share.
pub async fn inline(q: InlineQuery, me: Me, ops: Arc<Ops>, out: Outbox) -> HandlerResult {
    let started = Instant::now();
    let engine = ops.live.engine();
    let query = q.query.trim();
    let replies: Vec<Reply> = if query.is_empty() {
        STARTERS.iter().filter_map(|id| engine.topic(id)).collect()
    } else {
        let classifying = Instant::now();
        let reply = engine.answer(&Query::new(query));
        ops.metrics.classified(classifying.elapsed());
        // A word being typed ("ta", "sor") offers the topics it begins.
        let begun: Vec<Reply> = engine
            .complete(query)
            .iter()
            .filter_map(|c| engine.topic(&c.intent))
            .collect();
        match reply.kind {
            // A query that reads as an emergency or a crisis offers only
            // that card: nothing to pick instead of it.
            Kind::Emergency | Kind::Crisis => vec![reply],
            // Several topics fit: a card for each, the person picks one.
            Kind::Clarify => reply
                .choices
                .iter()
                .filter_map(|c| engine.topic(&c.intent))
                .collect(),
            // The answer first, then the next best topics.
            Kind::Answer | Kind::PersonalAdvice | Kind::Urgent => {
                let mut cards = vec![reply.clone()];
                cards.extend(begun);
                cards.extend(
                    reply
                        .suggestions
                        .iter()
                        .filter_map(|s| engine.topic(&s.intent)),
                );
                cards
            }
            _ if !begun.is_empty() => begun,
            // Never a "not covered" or greeting card for a word half typed.
            _ if !query.contains(' ') && query.chars().count() <= PARTIAL => {
                STARTERS.iter().filter_map(|id| engine.topic(id)).collect()
            }
            _ => vec![reply],
        }
    };
    let mut seen = Vec::new();
    let cards: Vec<InlineQueryResult> = replies
        .iter()
        .filter(|r| {
            let id = card_id(r);
            let fresh = !seen.contains(&id);
            seen.push(id);
            fresh
        })
        .take(MAX_CARDS)
        .map(|r| card(r, me.username()))
        .collect();
    out.answer_inline(&q.id, cards).await?;
    log_update(
        &ops,
        "inline",
        Some(q.from.id.0),
        replies.first(),
        None,
        started,
    );
    Ok(())
}

fn card(reply: &Reply, username: &str) -> InlineQueryResult {
    let content = InputMessageContentText::new(html::single(reply)).parse_mode(ParseMode::Html);
    let mut article = InlineQueryResultArticle::new(
        card_id(reply),
        html::title(reply),
        InputMessageContent::Text(content),
    )
    .description(html::description(reply));
    if let Some(k) = keyboards::for_card(username, reply.intent.as_deref()) {
        article = article.reply_markup(k);
    }
    InlineQueryResult::Article(article)
}

/// A result id (1-64 bytes, unique in one answer): the topic or the kind.
fn card_id(reply: &Reply) -> String {
    reply
        .intent
        .clone()
        .filter(|id| codec::is_id(id))
        .unwrap_or_else(|| reply.kind.as_str().to_string())
}
