//! The staff quick reference: `liverline web`, and the same routes on the
//! bot's HTTP listener when `[web] on_bot_listener` is set.
//!
//! One page (`pages`): a search form that answers as you type (the script
//! only makes the plain GET form instant), the reply with its passage,
//! source line and footer, the next best topics, and every topic by
//! category, each at its own address (`/topics/tace`). A JSON API beside it
//! (`api`): `/api/ask?q=`, `/api/topics`, `/api/topics/{id}`. Templates are
//! askama's (every text escaped), the script and style are embedded files
//! (`assets`), and `guard` adds the security headers, the request size and
//! rate limits. Stateless per request; no query text is logged or kept.
//!
//! It uses only the engine's public API (`answer`, `topic`, `more`,
//! `content`) and the plain renderer, so it follows any change of the
//! engine's internals.

mod api;
mod assets;
mod guard;
mod pages;
mod view;

use crate::config::WebLimits;
use crate::engine::Engine;
use crate::ops::Ops;
use axum::Router;
use axum::routing::get;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

/// Where each request takes its engine from: a fixed one (`liverline web`)
/// or the bot's live one, which a content reload swaps.
#[derive(Clone)]
pub struct Engines(Arc<dyn Fn() -> Arc<Engine> + Send + Sync>);

impl Engines {
    pub fn fixed(engine: Arc<Engine>) -> Engines {
        Engines(Arc::new(move || engine.clone()))
    }

    pub fn live(ops: Arc<Ops>) -> Engines {
        Engines(Arc::new(move || ops.live.engine()))
    }

    fn get(&self) -> Arc<Engine> {
        (self.0)()
    }
}

/// What every handler shares.
#[derive(Clone)]
struct Web {
    engines: Engines,
}

/// The page, the topic pages, the API and the static files, behind the
/// guard (security headers, size and rate limits).
pub fn routes(engines: Engines, limits: WebLimits) -> Router {
    let web = Web { engines };
    Router::new()
        .route("/", get(pages::index))
        .route("/fragment", get(pages::fragment))
        .route("/topics", get(pages::topics))
        .route("/topics/{id}", get(pages::topic))
        .route("/api/ask", get(api::ask))
        .route("/api/topics", get(api::topics))
        .route("/api/topics/{id}", get(api::topic))
        .route("/static/{file}", get(assets::file))
        .fallback(pages::not_found)
        .with_state(web)
        .layer(axum::middleware::from_fn_with_state(
            guard::Guard::new(limits),
            guard::check,
        ))
}

/// Serves `app` on `listener` until `stop` resolves, with the client's
/// address known to the rate limit.
pub async fn serve(
    listener: std::net::TcpListener,
    app: Router,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop)
    .await
}
