//! The quick reference served in-process on a loopback port (one server for
//! the whole test binary), a small HTTP client, and a headless Chromium
//! driven over WebDriver (fantoccini + Debian's chromedriver, started on a
//! free port per test and killed after it).
//!
//! Without a browser the browser tests say so and skip; with `CI=true` a
//! missing browser fails them instead. A failing browser test saves a
//! screenshot under `target/web-failures/`.

use fantoccini::{Client, ClientBuilder};
use liverline::Engine;
use liverline::config::WebLimits;
use liverline::frontend::web;
use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            Arc::new(Engine::new(
                liverline::content::embedded().expect("shipped content passes check"),
            ))
        })
        .clone()
}

/// Serves the routes with `limits` on a fresh loopback port, on a thread
/// of its own that lives as long as the test binary.
pub fn start(limits: WebLimits) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    let app = web::routes(web::Engines::fixed(engine()), limits);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(web::serve(listener, app, std::future::pending()))
            .expect("serve");
    });
    addr
}

/// The server most tests share, with limits no test reaches.
pub fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        start(WebLimits {
            per_second: 100_000,
            burst: 100_000,
        })
    })
}

pub fn base() -> String {
    format!("http://{}", server())
}

/// A GET: status, headers, body.
pub async fn get(url: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let shown: String = url.chars().take(120).collect();
    let res = reqwest::Client::new()
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {shown}: {e}"));
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.text().await.expect("body"))
}

/// A GET over a bare connection, for requests a client library may give
/// up on (the server answers before reading all of them): the status line
/// and the body.
pub async fn raw_get(target: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(server())
        .await
        .expect("connect");
    let req = format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    // The server may answer and close before it has read everything.
    let _ = stream.write_all(req.as_bytes()).await;
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf).await;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}

pub fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// The browser's WebDriver (`CHROMEDRIVER` names another), or why there
/// is none.
fn chromedriver() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("CHROMEDRIVER") {
        let p = PathBuf::from(p);
        return match p.exists() {
            true => Ok(p),
            false => Err(format!("CHROMEDRIVER={} does not exist", p.display())),
        };
    }
    for p in ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"] {
        if std::path::Path::new(p).exists() {
            return Ok(p.into());
        }
    }
    Err("no chromedriver (apt-get install chromium chromium-driver)".into())
}

/// A chromedriver process, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn driver(path: &PathBuf) -> Driver {
    let port = free_port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let d = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if reqwest::get(format!("{}/status", d.url)).await.is_ok() {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on {}", d.url);
}

/// Browser options: headless as root on a closed network, a fresh profile.
fn capabilities(name: &str, javascript: bool) -> serde_json::Map<String, serde_json::Value> {
    let profile = repo()
        .join("target")
        .join("web-profiles")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).expect("profile dir");
    let mut prefs = serde_json::json!({});
    if !javascript {
        prefs["profile.managed_default_content_settings.javascript"] = 2.into();
    }
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": prefs,
        }
    });
    caps.as_object().expect("object").clone()
}

pub type Scenario =
    Box<dyn FnOnce(Client, String) -> Pin<Box<dyn Future<Output = anyhow::Result<()>>>>>;

/// Runs `scenario` in a fresh headless Chromium against the shared server.
/// Skips (saying so) without a browser, unless CI=true; on failure saves a
/// screenshot and fails.
pub async fn browse(name: &str, javascript: bool, scenario: Scenario) {
    // One browser at a time: two cores do not run several Chromiums well.
    static ONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let path = match chromedriver() {
        Ok(p) => p,
        Err(why) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{name}: CI=true needs the browser: {why}")
        }
        Err(why) => {
            eprintln!("SKIPPED {name}: {why}");
            return;
        }
    };
    let _one = ONE.lock().await;
    let driver = driver(&path).await;
    // WebDriver on loopback is plain HTTP: no TLS stack needed.
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(capabilities(name, javascript))
        .connect(&driver.url)
        .await
        .expect("a browser session");
    let outcome = scenario(client.clone(), base()).await;
    if let Err(e) = &outcome {
        let dir = repo().join("target").join("web-failures");
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join(format!("{name}.png"));
        match client.screenshot().await {
            Ok(png) => {
                let _ = std::fs::write(&file, png);
                eprintln!("{name}: screenshot in {}", file.display());
            }
            Err(s) => eprintln!("{name}: no screenshot: {s}"),
        }
        let _ = client.close().await;
        panic!("{name}: {e:#}");
    }
    let _ = client.close().await;
    drop(driver);
}

/// Waits up to 5 s for `check` to hold, re-reading the page.
pub async fn until<F, Fut>(what: &str, mut check: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if check().await? {
            return Ok(());
        }
        if Instant::now() > deadline {
            anyhow::bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
