//! The JSON API: `GET /api/ask?q=` (one object of the `ask --json` schema),
//! `GET /api/topics` (every topic, by category) and `GET /api/topics/{id}`
//! (`?more=1`: the whole section). Errors are `{"error": "..."}`.

use super::Web;
use super::pages::{ask as answer, param, topic_reply};
use crate::reply::{Choice, json_line, plain};
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub async fn ask(State(web): State<Web>, RawQuery(raw): RawQuery) -> Response {
    let Some(q) = param(&raw, "q") else {
        return error(StatusCode::BAD_REQUEST, "give the question as ?q=");
    };
    let reply = answer(&web.engines.get(), &q);
    json_body(StatusCode::OK, json_line(&q, &reply))
}

#[derive(Serialize)]
struct TopicItem {
    id: String,
    title: String,
    category: String,
    category_title: String,
    url: String,
}

pub async fn topics(State(web): State<Web>) -> Response {
    let engine = web.engines.get();
    let list: Vec<TopicItem> = engine
        .content()
        .framing
        .categories
        .iter()
        .flat_map(|c| {
            engine.topics_in(&c.file).into_iter().map(|t| TopicItem {
                url: format!("/topics/{}", t.intent),
                id: t.intent,
                title: t.title,
                category: c.file.clone(),
                category_title: c.title.clone(),
            })
        })
        .collect();
    json(StatusCode::OK, &list)
}

#[derive(Serialize)]
struct TopicReply<'a> {
    id: &'a str,
    title: &'a str,
    text: &'a str,
    source: &'a str,
    related: &'a [Choice],
    has_more: bool,
    /// What a person reads, footer included (as `ask --json`'s `reply`).
    reply: String,
}

pub async fn topic(
    State(web): State<Web>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let engine = web.engines.get();
    let reply = topic_reply(&engine, &id, &raw);
    let Some((reply, excerpt)) = reply.and_then(|r| r.excerpt.clone().map(|e| (r, e))) else {
        return error(StatusCode::NOT_FOUND, "no such topic; see /api/topics");
    };
    json(
        StatusCode::OK,
        &TopicReply {
            id: &id,
            title: &excerpt.title,
            text: &excerpt.text,
            source: &excerpt.source,
            related: &reply.related,
            has_more: reply.has_more,
            reply: plain(&reply),
        },
    )
}

#[derive(Serialize)]
struct ApiError<'a> {
    error: &'a str,
}

pub fn error(status: StatusCode, message: &str) -> Response {
    json(status, &ApiError { error: message })
}

fn json(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_string(value) {
        Ok(body) => json_body(status, body),
        Err(_) => json_body(
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"error":"An internal error occurred."}"#.to_string(),
        ),
    }
}

fn json_body(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}
