//! The HTML pages: `/` (with `?q=` the answer, server-rendered, so the form
//! works without JavaScript), `/fragment?q=` (the answer region alone, for
//! the script), `/topics/{id}` (`?more=1`: the whole section) and 404.

use super::Web;
use super::assets::version;
use super::view::{Fragment, Missing, Page, ReplyView, categories};
use crate::engine::{Engine, MAX_CHARS, Query};
use crate::reply::Reply;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::time::Instant;

/// The page's title when no answer is shown.
const HOME_TITLE: &str = "Quick reference";

/// One form field of a query string (`q`, `more`), decoded leniently: bad
/// percent-encoding or UTF-8 become replacement characters, never a 400.
pub fn param(raw: &Option<String>, name: &str) -> Option<String> {
    let raw = raw.as_deref()?;
    url::form_urlencoded::parse(raw.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The engine's reply to a typed question, timed for the debug log (kind,
/// intent and milliseconds: never the text).
/// One topic's reply, or its whole section with `?more=1`.
pub fn topic_reply(engine: &Engine, id: &str, raw: &Option<String>) -> Option<Reply> {
    if param(raw, "more").is_some_and(|m| m == "1") {
        engine.more(id)
    } else {
        engine.topic(id)
    }
}

pub fn ask(engine: &Engine, q: &str) -> Reply {
    let started = Instant::now();
    let reply = engine.answer(&Query::new(q));
    tracing::debug!(
        kind = reply.kind.as_str(),
        intent = reply.intent.as_deref().unwrap_or("-"),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "web reply"
    );
    reply
}

/// The question in `?q=`, if it has any text.
fn question(raw: &Option<String>) -> Option<String> {
    param(raw, "q").filter(|q| !q.trim().is_empty())
}

/// The question as the search box shows it again: what the engine reads,
/// control characters (a NUL, an escape) as spaces.
fn shown(q: &str) -> String {
    q.chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

pub async fn index(State(web): State<Web>, RawQuery(raw): RawQuery) -> Response {
    let engine = web.engines.get();
    let q = question(&raw);
    let reply = q.as_deref().map(|q| ask(&engine, q));
    let title = reply
        .as_ref()
        .and_then(|r| r.excerpt.as_ref())
        .map_or(HOME_TITLE.to_string(), |e| e.title.clone());
    page(Page {
        title,
        q: q.map(|q| shown(&q)).unwrap_or_default(),
        reply: reply.as_ref().map(ReplyView::new),
        categories: categories(&engine),
        version: version(),
    })
}

pub async fn fragment(State(web): State<Web>, RawQuery(raw): RawQuery) -> Response {
    let engine = web.engines.get();
    let reply = question(&raw).map(|q| ReplyView::new(&ask(&engine, &q)));
    html(StatusCode::OK, Fragment { reply }.render())
}

pub async fn topics() -> Redirect {
    Redirect::to("/#topics")
}

pub async fn topic(
    State(web): State<Web>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let engine = web.engines.get();
    let reply = topic_reply(&engine, &id, &raw);
    let Some(reply) = reply else {
        return not_found().await;
    };
    page(Page {
        title: reply
            .excerpt
            .as_ref()
            .map_or(HOME_TITLE.to_string(), |e| e.title.clone()),
        q: String::new(),
        reply: Some(ReplyView::new(&reply)),
        categories: categories(&engine),
        version: version(),
    })
}

pub async fn not_found() -> Response {
    html(
        StatusCode::NOT_FOUND,
        Missing { version: version() }.render(),
    )
}

fn page(p: Page) -> Response {
    html(StatusCode::OK, p.render())
}

/// A rendered template, or the one line a user ever sees of a bug.
fn html(status: StatusCode, rendered: askama::Result<String>) -> Response {
    match rendered {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a web template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "An internal error occurred.\n",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn params_decode_leniently() {
        for (raw, want) in [
            (Some("q=what+is+tace"), Some("what is tace")),
            (Some("more=1&q=%3Cb%3E"), Some("<b>")),
            (Some("q=%FF%FE"), Some("\u{fffd}\u{fffd}")),
            (Some("x=1"), None),
            (None, None),
        ] {
            let raw = raw.map(str::to_string);
            assert_eq!(super::param(&raw, "q").as_deref(), want, "{raw:?}");
        }
    }
}
