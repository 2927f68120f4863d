//! Webhook mode and the HTTP endpoints: Telegram's POSTs with and without
//! the secret header, `/healthz` and `/metrics` scraped (on the webhook
//! listener, and on `[http] listen` in polling mode). A few lines of raw
//! HTTP/1.1 over loopback are the client: no extra crate.

use crate::fake::Fake;
use crate::harness::{PROMPT, Running, engine, has_footer, private_chat, text, text_of, user};
use liverline::frontend::telegram::{Options, Webhook};
use liverline::ops::Ops;
use secrecy::SecretString;
use serde_json::json;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SECRET: &str = "s3cret-Token_for-tests";

/// One request, `Connection: close`; the status code and the body.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("Content-Type: application/json\r\n\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let raw = String::from_utf8_lossy(&raw).to_string();
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    // Chunked bodies (axum streams /metrics): keep only the data lines.
    let body = if raw
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body.split("\r\n")
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, l)| l)
            .collect()
    } else {
        body
    };
    (status, body)
}

fn loopback() -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let a = l.local_addr().expect("addr");
    (l, a)
}

/// A message update as Telegram posts it to a webhook.
fn update(id: i64, chat: i64, words: &str) -> String {
    json!({"update_id": id, "message": {"message_id": id, "date": 1_700_000_000,
        "chat": private_chat(chat), "from": user(chat), "text": words}})
    .to_string()
}

/// Scrapes `/metrics` until `series` reaches `want` (a reply is counted just
/// after it is sent, so a scrape can race the count); the last scrape.
pub async fn scrape_until(addr: SocketAddr, series: &str, want: f64) -> String {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(PROMPT);
    loop {
        let (status, scrape) = http(addr, "GET", "/metrics", &[], "").await;
        assert_eq!(status, 200);
        let scrape = without_replica(&scrape);
        if metric(&scrape, series) == Some(want) || tokio::time::Instant::now() > deadline {
            return scrape;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// A scrape with every series' `replica` label (always the first) taken
/// out, so tests name series as on a single instance.
pub fn without_replica(scrape: &str) -> String {
    scrape
        .lines()
        .map(|l| match l.split_once("{replica=\"") {
            Some((name, rest)) => {
                let (_, after) = rest.split_once('"').unwrap_or_default();
                match after.strip_prefix(',') {
                    Some(labels) => format!("{name}{{{labels}"),
                    None => format!("{name}{}", after.trim_start_matches('}')),
                }
            }
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A metric's value in a scrape, by its full name with labels (without
/// the replica label).
pub fn metric(scrape: &str, series: &str) -> Option<f64> {
    without_replica(scrape)
        .lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_takes_only_requests_with_the_secret_and_serves_health_and_metrics() {
    let api = Fake::start().await;
    api.allow("setWebhook");
    let (listener, addr) = loopback();
    let options = Options {
        throttle: false,
        webhook: Some(Webhook {
            url: "https://bot.example.org/tg/hook".parse().unwrap(),
            secret_token: SecretString::from(SECRET),
            listener,
        }),
        ..Options::default()
    };
    for chat in 61..=63 {
        api.know_chat(private_chat(chat));
    }
    let bot = Running::on(api, Arc::new(Ops::new(engine())), options).await;
    let set = bot
        .api
        .read(|a| a.webhook.clone())
        .expect("setWebhook called");
    let set = set.as_str().map_or_else(|| set.to_string(), str::to_string);
    assert!(set.contains("https://bot.example.org/tg/hook"), "{set}");
    assert!(set.contains(SECRET), "the secret is registered: {set}");
    for kind in [
        "message",
        "edited_message",
        "callback_query",
        "inline_query",
    ] {
        assert!(
            set.contains(&format!("\"{kind}\"")),
            "allowed_updates: {set}"
        );
    }
    assert_eq!(
        http(addr, "GET", "/healthz", &[], "").await,
        (200, "ok\n".into())
    );

    // Chat 61 posts without the header, chat 62 with a wrong one: refused.
    let refused = [
        http(
            addr,
            "POST",
            "/tg/hook",
            &[],
            &update(1, 61, "what is tace?"),
        )
        .await
        .0,
        http(
            addr,
            "POST",
            "/tg/hook",
            &[("X-Telegram-Bot-Api-Secret-Token", "wrong")],
            &update(2, 62, "what is tace?"),
        )
        .await
        .0,
    ];
    assert_eq!(refused, [401, 401]);
    let ok = http(
        addr,
        "POST",
        "/tg/hook",
        &[("X-Telegram-Bot-Api-Secret-Token", SECRET)],
        &update(3, 63, "what is tace?"),
    )
    .await;
    assert_eq!(ok.0, 200);
    bot.api
        .until(PROMPT, "the answer to chat 63", |a| {
            !a.sent_to(63).is_empty()
        })
        .await;

    let scrape = scrape_until(addr, "liverline_replies_total{kind=\"answer\"}", 1.0).await;
    assert_eq!(
        metric(&scrape, "liverline_updates_total{type=\"message\"}"),
        Some(1.0),
        "{scrape}"
    );
    assert_eq!(
        metric(&scrape, "liverline_replies_total{kind=\"answer\"}"),
        Some(1.0)
    );
    assert_eq!(
        metric(&scrape, "liverline_classify_seconds_count"),
        Some(1.0)
    );
    assert_eq!(metric(&scrape, "liverline_content_version"), Some(1.0));
    assert!(scrape.contains("# TYPE liverline_classify_seconds histogram"));

    let api = bot.stop().await;
    api.read(|a| {
        assert!(
            a.sent_to(61).is_empty() && a.sent_to(62).is_empty(),
            "refused requests are not processed"
        );
        assert_eq!(a.sent_to(63).len(), 1);
        assert!(has_footer(text_of(a.sent_to(63)[0])));
        assert!(
            a.ok("deleteWebhook").is_empty(),
            "the webhook stays registered on shutdown (other replicas go on)"
        );
        assert!(a.ok("getUpdates").is_empty(), "no polling in webhook mode");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_serves_health_and_metrics_on_the_http_listener() {
    let (listener, addr) = loopback();
    let options = Options {
        throttle: false,
        http: Some(listener),
        ..Options::default()
    };
    let bot = Running::with_ops(Ops::new(engine()), options).await;
    assert_eq!(
        http(addr, "GET", "/healthz", &[], "").await,
        (200, "ok\n".into())
    );
    text(&bot.api, private_chat(71), 71, "what is tace?");
    text(
        &bot.api,
        private_chat(72),
        72,
        "what's the weather in Paris?",
    );
    bot.api
        .until(PROMPT, "two replies", |a| {
            !a.sent_to(71).is_empty() && !a.sent_to(72).is_empty()
        })
        .await;
    // Counts only grow: once each has been seen, one scrape shows both.
    scrape_until(addr, "liverline_replies_total{kind=\"answer\"}", 1.0).await;
    let scrape = scrape_until(addr, "liverline_replies_total{kind=\"fallback\"}", 1.0).await;
    for (series, want) in [
        ("liverline_updates_total{type=\"message\"}", 2.0),
        ("liverline_replies_total{kind=\"answer\"}", 1.0),
        ("liverline_replies_total{kind=\"fallback\"}", 1.0),
        ("liverline_classify_seconds_bucket{le=\"+Inf\"}", 2.0),
        ("liverline_flood_limited_total", 0.0),
        ("liverline_content_version", 1.0),
    ] {
        assert_eq!(metric(&scrape, series), Some(want), "{series} in\n{scrape}");
    }
    assert_eq!(http(addr, "GET", "/nothing", &[], "").await.0, 404);
    bot.stop().await;
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the listener closes with the bot"
    );
}
