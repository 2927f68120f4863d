//! The API and the page over HTTP: the `ask --json` schema, topics, hostile
//! input escaped, limits (size, rate, methods), security headers, weight.

use crate::harness::{base, get, json, raw_get, start};
use liverline::config::WebLimits;

fn enc(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

#[tokio::test]
async fn ask_answers_with_the_ask_json_schema() {
    let (status, headers, body) = get(&format!("{}/api/ask?q=what+is+tace", base())).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let v = json(&body);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys.len(),
        7,
        "question, kind, intent, confidence, suggestions, triage, reply: {keys:?}"
    );
    for k in [
        "question",
        "kind",
        "intent",
        "confidence",
        "suggestions",
        "triage",
        "reply",
    ] {
        assert!(v.get(k).is_some(), "{k} missing: {v}");
    }
    assert_eq!(v["question"], "what is tace");
    assert_eq!(v["kind"], "answer");
    assert_eq!(v["intent"], "tace");
    let s = &v["suggestions"][0];
    assert!(s["intent"].is_string() && s["title"].is_string() && s["score"].is_number());
    let reply = v["reply"].as_str().unwrap();
    assert!(reply.contains("1-800-227-2345") && reply.contains("1-800-303-5691"));
    // The same object `liverline ask --json` prints.
    let engine = crate::harness::engine();
    let direct = liverline::reply::json_line(
        "what is tace",
        &engine.answer(&liverline::Query::new("what is tace")),
    );
    assert_eq!(v, json(&direct));
}

#[tokio::test]
async fn an_emergency_is_an_emergency_on_the_api() {
    let (_, _, body) = get(&format!(
        "{}/api/ask?q={}",
        base(),
        enc("my husband is vomiting blood")
    ))
    .await;
    let v = json(&body);
    assert_eq!(v["kind"], "emergency");
    assert!(v["reply"].as_str().unwrap().starts_with("Call 911"), "{v}");
}

#[tokio::test]
async fn ask_without_a_question_is_a_400_in_json() {
    let (status, _, body) = get(&format!("{}/api/ask", base())).await;
    assert_eq!(status, 400);
    assert!(json(&body)["error"].is_string());
}

#[tokio::test]
async fn topics_list_every_answer_topic_and_each_has_a_page() {
    let (status, _, body) = get(&format!("{}/api/topics", base())).await;
    assert_eq!(status, 200);
    let list = json(&body);
    let list = list.as_array().unwrap();
    assert!(list.len() > 30, "{}", list.len());
    let tace = list
        .iter()
        .find(|t| t["id"] == "tace")
        .expect("tace listed");
    assert_eq!(tace["url"], "/topics/tace");
    for k in ["title", "category", "category_title"] {
        assert!(tace[k].is_string(), "{k}");
    }
    let (status, _, body) = get(&format!("{}/api/topics/tace", base())).await;
    assert_eq!(status, 200);
    let t = json(&body);
    assert_eq!(t["id"], "tace");
    assert!(
        t["source"]
            .as_str()
            .unwrap()
            .contains("Last Medical Review")
    );
    assert!(t["reply"].as_str().unwrap().ends_with("1-800-303-5691"));
    let (_, _, more) = get(&format!("{}/api/topics/tace?more=1", base())).await;
    assert!(json(&more)["text"].as_str().unwrap().len() > t["text"].as_str().unwrap().len());
    for missing in [
        "/api/topics/nope",
        "/api/topics/..%2F..%2Fetc",
        "/topics/nope",
    ] {
        let (status, _, _) = get(&format!("{}{missing}", base())).await;
        assert_eq!(status, 404, "{missing}");
    }
    let (status, _, page) = get(&format!("{}/topics/tace", base())).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h2 id=\"answer-heading\">Chemoembolization (TACE)</h2>"));
}

#[tokio::test]
async fn hostile_questions_are_escaped_everywhere() {
    let hostile = [
        "<script>alert(1)</script> what is tace",
        "\"><img src=x onerror=alert(1)> sorafenib",
        "' onmouseover='alert(1)' rfa",
        "tace\u{0}\u{1}\u{7}\u{1b}[31m\u{7f}\r\n\t",
        "</textarea></pre><svg/onload=alert(1)>",
    ];
    for q in hostile {
        for path in ["/", "/fragment"] {
            let (status, _, page) = get(&format!("{}{path}?q={}", base(), enc(q))).await;
            assert_eq!(status, 200, "{q:?}");
            for raw in [
                "<script>alert",
                "<img src=x",
                "<svg/onload",
                "onmouseover='",
            ] {
                assert!(!page.contains(raw), "{path} {q:?} shows {raw} unescaped");
            }
            assert!(!page.contains('\u{0}'), "a NUL reaches the page");
        }
        let (status, _, body) = get(&format!("{}/api/ask?q={}", base(), enc(q))).await;
        assert_eq!(status, 200);
        let v = json(&body);
        assert_eq!(v["question"], q, "the question comes back intact, as JSON");
        assert!(v["reply"].as_str().unwrap().contains("1-800-227-2345"));
    }
    let (_, _, page) = get(&format!("{}/?q={}", base(), enc("<b>\"x\"</b>"))).await;
    assert!(
        page.contains("value=\"&#60;b&#62;&#34;x&#34;&#60;/b&#62;\""),
        "the box holds the text, escaped"
    );
}

#[tokio::test]
async fn long_questions_and_odd_encodings_get_a_clear_answer() {
    // 4 KB: answered (the engine reads 4,000 characters).
    let q = "what is tace ".repeat(300);
    let (status, _, body) = get(&format!("{}/api/ask?q={}", base(), enc(&q))).await;
    assert_eq!(status, 200);
    assert!(json(&body)["reply"].is_string());
    // 30 KB: refused with 414 and a one-line reason (JSON on the API).
    let long = "x".repeat(30 * 1024);
    let (status, _, body) = get(&format!("{}/api/ask?q={long}", base())).await;
    assert_eq!(status, 414);
    assert!(json(&body)["error"].is_string());
    let (status, _, body) = get(&format!("{}/?q={long}", base())).await;
    assert_eq!((status, body.as_str()), (414, "the question is too long\n"));
    // 100 KB: refused with 414 before it is even read; the server unharmed.
    let huge = "x".repeat(100 * 1024);
    for path in ["/api/ask", "/"] {
        let (status, body) = raw_get(&format!("{path}?q={huge}")).await;
        assert_eq!(status, 414, "{path}");
        assert!(body.len() < 200, "{path}: {} bytes", body.len());
    }
    // Not UTF-8, bad percent-encoding: replacement characters, never a 400.
    for raw in ["%FF%FE%FD", "%", "%zz", "a%00b"] {
        let (status, _, body) = get(&format!("{}/api/ask?q={raw}", base())).await;
        assert_eq!(status, 200, "{raw}");
        assert!(json(&body)["kind"].is_string());
    }
    let (status, _, _) = get(&format!("{}/api/ask?q=tace", base())).await;
    assert_eq!(status, 200, "still serving");
}

#[tokio::test]
async fn only_gets_without_a_body_are_served() {
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{}/api/ask?q=tace", base()))
        .body("x".repeat(10_000))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 413);
    let res = client
        .post(format!("{}/api/ask?q=tace", base()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 405);
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let addr = start(WebLimits {
        per_second: 1,
        burst: 5,
    });
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let (status, headers, body) = get(&format!("http://{addr}/api/ask?q=tace")).await;
        if status == 429 {
            assert_eq!(headers["retry-after"], "1");
            assert!(json(&body)["error"].is_string());
        }
        statuses.push(status);
    }
    assert_eq!(&statuses[..5], [200; 5]);
    assert_eq!(statuses[7], 429, "{statuses:?}");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    for path in [
        "/",
        "/?q=tace",
        "/topics/tace",
        "/api/ask?q=tace",
        "/nope",
        "/static/app.css",
    ] {
        let (_, h, _) = get(&format!("{}{path}", base())).await;
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
        if !path.starts_with("/static") {
            assert_eq!(
                h["cache-control"], "no-store",
                "{path}: answers are not cached"
            );
        }
    }
}

#[tokio::test]
async fn the_page_has_no_inline_code_and_weighs_under_100_kb() {
    let (status, _, page) = get(&format!("{}/?q=side+effects+of+nexavar", base())).await;
    assert_eq!(status, 200);
    assert!(!page.contains("<script>") && !page.contains(" style=") && !page.contains("<style"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no external asset"
    );
    let mut total = page.len();
    for asset in page.split("\"/static/").skip(1) {
        let path = asset.split('"').next().unwrap();
        let (status, h, body) = get(&format!("{}/static/{path}", base())).await;
        assert_eq!(status, 200, "{path}");
        assert!(h["cache-control"].to_str().unwrap().contains("immutable"));
        total += body.len();
    }
    assert!(total < 100 * 1024, "first load is {total} bytes");
    // The form and every topic link work without a script.
    assert!(page.contains("<form id=\"search\" role=\"search\" action=\"/\" method=\"get\">"));
    assert!(page.contains("<label for=\"q\">"));
    assert!(page.contains("href=\"/topics/tace\""));
    assert!(page.contains("<main") && page.contains("<nav") && page.contains("<header"));
}
