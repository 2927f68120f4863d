//! The bot's HTTP side: `GET /healthz` and `GET /metrics`, served on the
//! webhook listener (beside teloxide's webhook route) or, in polling mode,
//! on `[http] listen`. Listeners come in already bound, so tests bind port 0.

use crate::ops::{Health, Ops};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use std::future::Future;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// `/healthz` and `/metrics`, and the staff quick reference when
/// `[web] on_bot_listener` is set.
pub fn routes(ops: Arc<Ops>) -> Router {
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(ops.clone());
    match ops.web {
        Some(limits) => router.merge(crate::frontend::web::routes(
            crate::frontend::web::Engines::live(ops),
            limits,
        )),
        None => router,
    }
}

/// 200 `ok` once the content is loaded and updates are being taken; 503
/// while starting or stopping, and when polling has failed for longer than
/// allowed (no update can arrive), so a load balancer or systemd watchdog
/// sees the difference.
async fn healthz(State(ops): State<Arc<Ops>>) -> impl IntoResponse {
    match ops.health(std::time::Instant::now()) {
        Health::Ok => (StatusCode::OK, "ok\n"),
        Health::Starting => (StatusCode::SERVICE_UNAVAILABLE, "starting\n"),
        Health::Stalled => (
            StatusCode::SERVICE_UNAVAILABLE,
            "stalled: getUpdates failing\n",
        ),
        // Still answering every update: a load balancer keeps sending.
        Health::Degraded => (StatusCode::OK, "degraded: Redis unreachable\n"),
    }
}

async fn metrics(State(ops): State<Arc<Ops>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        format!(
            "{}# HELP liverline_store_errors_total Failed or timed-out calls to the shared store (Redis).\n\
             # TYPE liverline_store_errors_total counter\nliverline_store_errors_total {}\n",
            ops.metrics.render(ops.live.version()),
            ops.store.errors()
        ),
    )
}

/// Serves `app` on `listener` until `stop` resolves (then finishes the
/// requests in flight).
pub fn serve(
    listener: std::net::TcpListener,
    app: Router,
    stop: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
        {
            tracing::error!(error = %e, "the HTTP listener failed");
        }
    }))
}
