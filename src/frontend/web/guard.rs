//! What makes the page safe to put on an intranet, for every response:
//! a strict Content-Security-Policy (no inline script or style, nothing
//! from another origin), no framing, no referrer (a question in the address
//! never leaks to another site), `no-store` unless a file says otherwise;
//! and the limits: an address longer than `MAX_URI` (414), a request body
//! (413: every route is a GET), more than the configured rate per client
//! address (429, with `Retry-After`).

use crate::config::WebLimits;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

/// The longest address accepted, query included. The engine reads 4,000
/// characters of a question; percent-encoded, that is at most 12 KB.
pub const MAX_URI: usize = 16 * 1024;
/// A GET has no body; anything above this is refused unread.
pub const MAX_BODY: u64 = 1024;
/// Client addresses remembered by the rate limit before idle ones are
/// dropped, so a scan of many addresses cannot grow it without bound.
const MAX_CLIENTS: usize = 10_000;

pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
frame-ancestors 'none'";

const HEADERS: [(&str, &str); 6] = [
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
];

/// The rate limit, keyed by client address.
pub struct Guard {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl Guard {
    pub fn new(limits: WebLimits) -> Arc<Guard> {
        let one = NonZeroU32::MIN;
        let quota = Quota::per_second(NonZeroU32::new(limits.per_second).unwrap_or(one))
            .allow_burst(NonZeroU32::new(limits.burst).unwrap_or(one));
        Arc::new(Guard {
            limiter: RateLimiter::keyed(quota),
        })
    }

    fn allows(&self, client: IpAddr) -> bool {
        if self.limiter.len() > MAX_CLIENTS {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&client).is_ok()
    }
}

pub async fn check(State(guard): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    let body_len = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .unwrap_or(0);
    let chunked = req.headers().contains_key(header::TRANSFER_ENCODING);
    // Without the listener's connect info (the bot's listener), all
    // clients share one allowance.
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let mut res = if uri_len > MAX_URI {
        refuse(api, StatusCode::URI_TOO_LONG, "the question is too long")
    } else if body_len > MAX_BODY || chunked {
        refuse(api, StatusCode::PAYLOAD_TOO_LARGE, "requests have no body")
    } else if !guard.allows(client) {
        let mut r = refuse(api, StatusCode::TOO_MANY_REQUESTS, "too many requests");
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        r
    } else {
        next.run(req).await
    };
    let headers = res.headers_mut();
    for (name, value) in HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

fn refuse(api: bool, status: StatusCode, message: &str) -> Response {
    if api {
        super::api::error(status, message)
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{message}\n"),
        )
            .into_response()
    }
}
