//! The command line as Unix users expect it, through the built binary:
//! quiet success on a closed pipe, usage errors, exit statuses by kind,
//! `topics` and `show`, colour only when asked or on a terminal, and
//! `eval --min` with labelled tables.

use crate::util::{repo, run, stdout};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn binary() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_liverline"));
    c.env_remove("TELOXIDE_TOKEN").env_remove("NO_COLOR");
    c
}

#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    // `liverline ask "side effects" | true`: the reader is gone at once.
    let mut child = binary()
        .args(["ask", "side", "effects"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // `ask --json < f | head -1`: one line read, then the pipe closed.
    let mut child = binary()
        .args(["ask", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        for _ in 0..2000 {
            if writeln!(stdin, "what is tace").is_err() {
                break;
            }
        }
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("\"intent\":\"tace\""));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn exit_statuses_tell_answered_unanswered_and_emergency_apart() {
    for (question, status) in [
        ("how is sorafenib taken", 0),
        ("what's the weather today", 1),
        ("side effects?", 1),
        ("my husband is vomiting blood", 3),
        ("I want to kill myself", 3),
    ] {
        let out = run(&["ask", question], None);
        assert_eq!(out.status.code(), Some(status), "{question}");
        let json = run(&["ask", "--json", question], None);
        assert_eq!(json.status.code(), Some(status), "--json {question}");
        let v: serde_json::Value = serde_json::from_str(stdout(&json).trim()).unwrap();
        assert_eq!(v["question"], question);
    }
    let help = stdout(&run(&["--help"], None));
    assert!(
        help.contains("Exit status") && help.contains("3  emergency"),
        "{help}"
    );
}

#[test]
fn ask_without_a_question_is_a_usage_error() {
    let out = run(&["ask"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage"));
}

#[test]
fn topics_lists_and_searches_the_ids() {
    let out = run(&["topics"], None);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.lines().count() > 30);
    let tace = text
        .lines()
        .find(|l| l.starts_with("tace "))
        .expect("tace listed");
    assert!(tace.contains("embolization") && tace.contains("Chemoembolization (TACE)"));
    let out = run(&["topics", "--search", "side", "effects"], None);
    let found = stdout(&out);
    assert!(
        found.contains("sorafenib_se") && found.contains("chemo_se"),
        "{found}"
    );
    assert!(!found.contains("tace "), "{found}");
    let out = run(&["topics", "--search", "zebra"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn show_prints_one_topic_and_more_its_section() {
    let out = run(&["show", "sorafenib_se"], None);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with("Side effects of sorafenib (Nexavar)\n"),
        "{text}"
    );
    assert!(text.contains("Last Medical Review") && text.contains("1-800-303-5691"));
    let more = stdout(&run(&["show", "sorafenib_se", "--more"], None));
    assert!(more.len() > text.len());
    let out = run(&["show", "sorafenib_sx"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("did you mean") && err.contains("liverline topics"),
        "{err}"
    );
}

#[test]
fn styles_only_on_a_terminal_or_when_asked() {
    let piped = stdout(&run(&["show", "tace"], None));
    assert!(!piped.contains('\u{1b}'), "plain when piped");
    let out = run(&["--color", "always", "show", "tace"], None);
    let styled = stdout(&out);
    assert!(
        styled.starts_with("\u{1b}[1mChemoembolization (TACE)\u{1b}[0m"),
        "{styled}"
    );
    assert!(
        styled.contains("\u{1b}[2mACS \"Treating Liver Cancer\""),
        "dim source line"
    );
    let never = binary()
        .args(["--color", "never", "show", "tace"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&never.stdout).contains('\u{1b}'));
}

#[test]
fn eval_min_fails_below_the_floor_and_labels_its_tables() {
    let file = repo().join("target").join("eval-min-test.jsonl");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        "{\"id\":\"a\",\"q\":\"what is tace\",\"kind\":\"answer\",\"topic\":\"tace\"}\n\
         {\"id\":\"b\",\"q\":\"what is tace\",\"kind\":\"fallback\"}\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let out = run(&["eval", f, "--min", "60"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("below --min 60"));
    assert_eq!(
        run(&["eval", f, "--min", "50"], None).status.code(),
        Some(0)
    );
    let text = stdout(&out);
    assert!(
        text.contains("(fallback) -> tace: 1"),
        "the expected column names the kind: {text}"
    );
    assert!(
        text.contains("(no variant)"),
        "the by-variant row is labelled: {text}"
    );
    for line in text.lines().filter(|l| l.contains(" -> ")) {
        assert!(
            !line.trim_start().starts_with("->"),
            "an empty expected column: {line}"
        );
    }
}

#[test]
fn web_serves_the_quick_reference_and_logs_no_question() {
    // The most talkative log level still carries no question text.
    let dir = crate::util::temp_dir("web-log");
    let config = dir.join("liverline.toml");
    std::fs::write(&config, "[log]\nlevel = \"debug\"\n").unwrap();
    let mut child = binary()
        .args(["--config", config.to_str().unwrap()])
        .args(["web", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "GET /api/ask?q=how+often+is+nexavar+swallowed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    std::io::Read::read_to_string(&mut stream, &mut response).unwrap();
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let status = child.wait().unwrap();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut log).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"kind\":\"answer\""), "{response}");
    assert!(status.success(), "SIGTERM stops it cleanly: {status:?}");
    assert!(
        log.contains("web reply"),
        "the debug log has the reply's kind: {log}"
    );
    for word in ["often", "nexavar", "swallowed"] {
        assert!(!log.to_lowercase().contains(word), "{word} logged: {log}");
    }
}

/// The chat on a real terminal (a pseudo-terminal from util-linux's
/// `script`): bold titles, Ctrl-C drops the line and keeps the chat,
/// Ctrl-D ends it with success.
#[test]
fn chat_on_a_terminal_ctrl_c_clears_the_line_and_ctrl_d_quits() {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    if !std::path::Path::new("/usr/bin/script").exists() {
        eprintln!("SKIPPED chat on a terminal: no /usr/bin/script (util-linux)");
        return;
    }
    let command = format!("{} chat", env!("CARGO_BIN_EXE_liverline"));
    let mut child = Command::new("/usr/bin/script")
        .args(["-qfec", &command, "/dev/null"])
        .env_remove("TELOXIDE_TOKEN")
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let seen = Arc::new(Mutex::new(String::new()));
    let mut out = child.stdout.take().unwrap();
    let sink = seen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = std::io::Read::read(&mut out, &mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let wait_for = |count: usize, what: &str| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while seen.lock().unwrap().matches(what).count() < count {
            assert!(
                Instant::now() < deadline,
                "no {what:?} in {}",
                seen.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let mut stdin = child.stdin.take().unwrap();
    wait_for(1, "you> ");
    stdin.write_all(b"what is rf\x03").unwrap();
    wait_for(2, "you> ");
    stdin.write_all(b"what is tace\r").unwrap();
    wait_for(3, "you> ");
    stdin.write_all(b"\x04").unwrap();
    let status = child.wait().unwrap();
    let text = seen.lock().unwrap().clone();
    assert!(status.success(), "Ctrl-D quits with success: {text}");
    assert!(
        text.contains("\u{1b}[1mChemoembolization (TACE)\u{1b}[0m"),
        "{text}"
    );
    assert!(
        !text.contains("Radiofrequency ablation (RFA)"),
        "the cleared line was not sent"
    );
}
