//! The page's style, script and icon, embedded in the binary (include_dir):
//! the page loads with the network cable pulled, and the strict
//! Content-Security-Policy allows them because they are files, not inline.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use include_dir::{Dir, include_dir};
use std::sync::LazyLock;

static STATIC: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/web/static");

/// A hash of every embedded file, appended to their addresses (`?v=`), so
/// browsers may keep them for a year and still fetch a new build's.
static HASH: LazyLock<String> = LazyLock::new(|| {
    // FNV-1a: stable across builds and platforms (std's hasher is not).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in STATIC.files() {
        for b in f.contents() {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{:012x}", h & 0xffff_ffff_ffff)
});

/// The build's asset version, for `?v=`.
pub fn version() -> &'static str {
    HASH.as_str()
}

pub async fn file(Path(name): Path<String>) -> Response {
    let Some(f) = STATIC.get_file(&name) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let kind = match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        f.contents(),
    )
        .into_response()
}
