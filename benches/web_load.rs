//! Load benchmark of the staff quick reference (not a test): the web routes
//! served in-process on loopback, as `liverline web` serves them, and
//! clients asking `GET /api/ask?q=` over keep-alive connections, closed loop
//! (each client asks, waits for the answer, asks again), for a bounded time.
//!
//!     cargo bench --bench web_load [-- --clients 16 --seconds 5]
//!
//! Reports answered per second and latency (request sent -> whole body
//! received), p50 / p99 / max, and checks the floors: at least 2,000
//! questions a second, p99 under 20 ms, every reply with its footer.
//! Questions are the golden set's, so a fast but broken change shows.

use liverline::Engine;
use liverline::config::WebLimits;
use liverline::frontend::web;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

const FLOOR_PER_SECOND: f64 = 2000.0;
const FLOOR_P99: Duration = Duration::from_millis(20);

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn questions() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/golden")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("golden file");
        let cases = liverline::eval::parse_cases(&f.display().to_string(), &text).expect("cases");
        out.extend(
            cases
                .into_iter()
                .filter(|c| c.last_topic.is_none())
                .map(|c| c.q),
        );
    }
    out
}

fn main() {
    let clients = arg("--clients", 16) as usize;
    let seconds = arg("--seconds", 5);
    let engine = Arc::new(Engine::new(
        liverline::content::embedded().expect("shipped content"),
    ));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    // The limits no single address reaches here (the bench is one address).
    let limits = WebLimits {
        per_second: u32::MAX,
        burst: u32::MAX,
    };
    let app = web::routes(web::Engines::fixed(engine), limits);
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("server runtime")
            .block_on(web::serve(listener, app, std::future::pending()))
            .expect("serve");
    });
    let asked = questions();
    let distinct = asked.len();
    let questions: Arc<Vec<String>> = Arc::new(
        asked
            .iter()
            .map(|q| url::form_urlencoded::byte_serialize(q.as_bytes()).collect())
            .collect(),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    let (latencies, failures, elapsed) = rt.block_on(async move {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(clients)
            .build()
            .expect("client");
        // Warm up: connections open, caches filled.
        for q in questions.iter().take(50) {
            let _ = http
                .get(format!("http://{addr}/api/ask?q={q}"))
                .send()
                .await;
        }
        let started = Instant::now();
        let deadline = started + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        for n in 0..clients {
            let http = http.clone();
            let questions = questions.clone();
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut failed = 0usize;
                let mut i = n * 7919;
                while Instant::now() < deadline {
                    let q = &questions[i % questions.len()];
                    i += 1;
                    let t = Instant::now();
                    let ok = match http
                        .get(format!("http://{addr}/api/ask?q={q}"))
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => {
                            r.text().await.is_ok_and(|b| b.contains("1-800-227-2345"))
                        }
                        _ => false,
                    };
                    lat.push(t.elapsed());
                    failed += usize::from(!ok);
                }
                (lat, failed)
            }));
        }
        let mut all = Vec::new();
        let mut failures = 0;
        for t in tasks {
            let (lat, failed) = t.await.expect("client task");
            all.extend(lat);
            failures += failed;
        }
        (all, failures, started.elapsed())
    });
    let mut sorted = latencies;
    sorted.sort();
    let n = sorted.len();
    let pct = |p: f64| sorted[((n as f64 * p) as usize).min(n - 1)];
    let rate = n as f64 / elapsed.as_secs_f64();
    println!(
        "web_load: {clients} clients, {:.1} s, {n} questions ({} questions in the set), {failures} failed",
        elapsed.as_secs_f64(),
        distinct
    );
    println!(
        "  {rate:.0} answered/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(sorted[n - 1])
    );
    let mut ok = true;
    if rate < FLOOR_PER_SECOND {
        println!("  BELOW THE FLOOR: {FLOOR_PER_SECOND} answered/s");
        ok = false;
    }
    if pct(0.99) > FLOOR_P99 {
        println!("  ABOVE THE FLOOR: p99 {} ms", FLOOR_P99.as_millis());
        ok = false;
    }
    if failures > 0 {
        println!("  {failures} requests failed or lacked the footer");
        ok = false;
    }
    if !ok {
        std::process::exit(1);
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
