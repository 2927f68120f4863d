//! The bot's HTTP side: `GET /healthz` and `GET /metrics`, served on the
//! webhook listener (beside the webhook route, `webhook`) or, in polling
//! mode, on `[http] listen`, with a header-read timeout on every
//! connection. Listeners come in already bound, so tests bind port 0.

use crate::ops::{Health, Ops};
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use hyper::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tower::ServiceExt;

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
        ops.metrics.render(
            ops.live.version(),
            ops.store.errors(),
            ops.analytics.as_ref().map_or(0, |a| a.dropped()),
        ),
    )
}

/// How long a client may take to send a request's headers, or to start
/// its next request on a kept-alive connection: a slow or idle client
/// cannot hold connections open (and the webhook secret, a header, is
/// checked as soon as they are in).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// After `stop`, how long open connections get to finish.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` until `stop` resolves (then finishes the
/// requests in flight, within `CLOSE_GRACE`). Each request knows its
/// client's address (`ConnectInfo`, for the quick reference's rate limit).
pub fn serve(
    listener: std::net::TcpListener,
    app: Router,
    stop: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    Ok(tokio::spawn(async move {
        let graceful = GracefulShutdown::new();
        tokio::pin!(stop);
        loop {
            let (stream, peer) = tokio::select! {
                () = &mut stop => break,
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors, say: wait, then go on.
                        tracing::warn!(error = %e, "could not accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            let app = app.clone();
            let service = service_fn(move |req: Request<Incoming>| {
                let mut req = req.map(axum::body::Body::new);
                req.extensions_mut().insert(ConnectInfo(peer));
                app.clone().oneshot(req)
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                let _ = connection.await;
            });
        }
        drop(listener);
        let _ = tokio::time::timeout(CLOSE_GRACE, graceful.shutdown()).await;
    }))
}
