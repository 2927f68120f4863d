//! The built binary: `liverline telegram` (and plain `liverline` with a
//! token) against the fake Bot API through `TELOXIDE_API_URL`: it answers,
//! logs without text or token, stops on SIGTERM after finishing the reply in
//! flight; a missing or rejected token is one line on stderr and a non-zero
//! exit.

use crate::fake::{Fake, Fault, TOKEN};
use crate::harness::{PROMPT, has_footer, private_chat, text, text_of};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub fn spawn(args: &[&str], token: Option<&str>, api: &Fake) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_liverline"));
    cmd.args(args)
        .env("TELOXIDE_API_URL", &api.url)
        .env_remove("TELOXIDE_TOKEN")
        .env_remove("RUST_LOG");
    if let Some(t) = token {
        cmd.env("TELOXIDE_TOKEN", t);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// Waits for the process to exit (in a blocking thread), up to `secs`.
pub async fn exit(child: Child, secs: u64) -> Output {
    let waiting = tokio::task::spawn_blocking(move || child.wait_with_output());
    tokio::time::timeout(Duration::from_secs(secs), waiting)
        .await
        .expect("the process exits in time")
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_then_stops_on_sigterm_finishing_the_reply_in_flight() {
    let api = Fake::start().await;
    let child = spawn(&["telegram"], Some(TOKEN), &api);
    api.until(PROMPT, "polling", |a| {
        a.calls.iter().any(|c| c.method == "getUpdates")
    })
    .await;
    text(
        &api,
        private_chat(501),
        501,
        "my question about tace: what is it?",
    );
    api.until(PROMPT, "the answer", |a| a.sent_to(501).len() == 1)
        .await;

    // A slow send, then SIGTERM while it is in flight.
    api.fault("sendMessage", Fault::Delay(Duration::from_millis(1500)));
    text(&api, private_chat(502), 502, "secret words: what is rfa?");
    api.until(PROMPT, "the slow send to start", |a| {
        a.calls
            .iter()
            .any(|c| c.method == "sendMessage" && c.body["chat_id"] == 502)
    })
    .await;
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = exit(child, PROMPT).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "clean exit on SIGTERM: {:?}\n{stderr}",
        out.status
    );

    api.read(|a| {
        assert_eq!(a.sent_to(502).len(), 1, "the reply in flight was finished");
        assert!(has_footer(text_of(a.sent_to(502)[0])));
        assert!(
            a.confirmed > a.last_update_id(),
            "updates acknowledged before exit"
        );
        assert!(a.violations.is_empty(), "{:?}", a.violations);
        assert!(
            a.ok("setMyCommands").len() == 1,
            "the command menu is set at start"
        );
    });
    for secret in [TOKEN, "secret words", "my question", "424242"] {
        assert!(
            !stderr.contains(secret),
            "{secret:?} in the logs:\n{stderr}"
        );
        assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
    }
    let answered: Vec<&str> = stderr.lines().filter(|l| l.contains("answered")).collect();
    assert_eq!(answered.len(), 2, "{stderr}");
    for field in [
        "kind=\"answer\"",
        "intent=\"tace\"",
        "confidence=",
        "ms=",
        "user=",
    ] {
        assert!(answered[0].contains(field), "{field} in {}", answered[0]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_token_is_a_one_line_error() {
    let api = Fake::start().await;
    let out = exit(spawn(&["telegram"], None, &api), PROMPT).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no Telegram bot token"), "{stderr}");
    assert!(
        api.read(|a| a.calls.is_empty()),
        "nothing sent without a token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_is_a_one_line_error_that_never_shows_the_token() {
    let api = Fake::start().await;
    let wrong = "999999:AAE-wrong-token-never-printed";
    // Plain `liverline` runs the bot when a token is configured.
    let out = exit(spawn(&[], Some(wrong), &api), PROMPT).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("rejected the bot token"), "{stderr}");
    let all = format!("{stderr}{}", String::from_utf8_lossy(&out.stdout));
    assert!(!all.contains(wrong) && !all.contains("999999"), "{all}");
    assert_eq!(
        api.read(|a| a.calls.iter().map(|c| c.method.clone()).collect::<Vec<_>>()),
        ["getMe"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_bot_api_is_a_one_line_error() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_liverline"));
    // Port 9 (discard) on loopback: nothing listens there in a test run.
    cmd.arg("telegram")
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", "http://user:pw@127.0.0.1:9");
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let out = exit(child, PROMPT).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot use the Bot API at http://127.0.0.1:9/"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(TOKEN) && !stderr.contains("pw"),
        "{stderr}"
    );
}
