//! `[web] on_bot_listener`: the staff quick reference and its API served on
//! the bot's HTTP listener beside /healthz and /metrics, answering from the
//! bot's live engine; off by default.

use crate::harness::{PROMPT, Running, engine, private_chat, text};
use crate::web::http;
use liverline::config::WebLimits;
use liverline::frontend::telegram::Options;
use liverline::ops::Ops;
use std::net::TcpListener;

async fn bot(web: Option<WebLimits>) -> (Running, std::net::SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let options = Options {
        throttle: false,
        http: Some(listener),
        ..Options::default()
    };
    let ops = Ops::new(engine()).with_web(web);
    (Running::with_ops(ops, options).await, addr)
}

/// One question through Telegram too, so the bot has an update to
/// acknowledge when it stops.
async fn ask_and_stop(running: Running, chat: i64) {
    text(&running.api, private_chat(chat), chat, "what is tace?");
    running
        .api
        .until(PROMPT, "the reply", |a| !a.sent_to(chat).is_empty())
        .await;
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quick_reference_shares_the_bot_listener_when_configured() {
    let (running, addr) = bot(Some(WebLimits::default())).await;
    let (status, body) = http(addr, "GET", "/api/ask?q=what+is+tace", &[], "").await;
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(v["intent"], "tace");
    let (status, page) = http(addr, "GET", "/topics/tace", &[], "").await;
    assert_eq!(status, 200);
    assert!(page.contains("Chemoembolization (TACE)"));
    assert_eq!(
        http(addr, "GET", "/healthz", &[], "").await,
        (200, "ok\n".into())
    );
    ask_and_stop(running, 81).await;

    let (running, addr) = bot(None).await;
    assert_eq!(http(addr, "GET", "/api/ask?q=tace", &[], "").await.0, 404);
    assert_eq!(http(addr, "GET", "/healthz", &[], "").await.0, 200);
    ask_and_stop(running, 82).await;
}
