//! The built binary: ask, ask --json, eval, and bad input on stdin.

use crate::util::{repo, run, stdout};

#[test]
fn ask_prints_the_answer_with_the_footer() {
    let out = run(&["ask", "how", "often", "is", "nexavar", "taken"], None);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("twice daily"), "{text}");
    assert!(text.contains("1-800-227-2345") && text.contains("1-800-303-5691"));
}

#[test]
fn ask_json_answers_every_stdin_line_in_order() {
    let input = "what is tace\n\nhello\nmy husband is vomiting blood\n\u{1F642}\n";
    let out = run(&["ask", "--json"], Some(input.as_bytes()));
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    let kinds: Vec<&str> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["answer", "help", "greeting", "emergency", "fallback"]
    );
    assert_eq!(lines[0]["intent"], "tace");
    assert_eq!(lines[0]["question"], "what is tace");
    for l in &lines {
        for key in [
            "question",
            "kind",
            "intent",
            "confidence",
            "suggestions",
            "reply",
        ] {
            assert!(l.get(key).is_some(), "{key} missing in {l}");
        }
        assert!(l["reply"].as_str().unwrap().contains("1-800-303-5691"));
    }
}

#[test]
fn ask_json_survives_invalid_utf8_and_long_lines() {
    let mut input = b"what is rfa\n\xff\xfe broken\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 200_000));
    input.extend(b"\nwhat is pei\n");
    let out = run(&["ask", "--json"], Some(&input));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout(&out).lines().count(), 4);
}

#[test]
fn eval_reports_accuracy_and_misses() {
    let file = repo().join("target").join("eval-cli-test.jsonl");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        "{\"id\":\"t1\",\"q\":\"what is tace\",\"kind\":\"answer\",\"topic\":\"tace\",\"variant\":\"terse\",\"must\":[[\"chemotherapy\"]]}\n\
         {\"id\":\"t2\",\"q\":\"what is tace\",\"kind\":\"answer\",\"topic\":\"rfa\",\"variant\":\"terse\",\"must\":[]}\n",
    )
    .unwrap();
    let out = run(&["eval", file.to_str().unwrap()], None);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("accuracy: 50.0% (1/2)"), "{text}");
    assert!(text.contains("rfa -> tace: 1"), "{text}");
    assert!(text.contains("t2 [answer/terse]"), "{text}");
}

#[test]
fn no_command_and_no_token_runs_the_console_chat() {
    let out = run(&[], Some(b"what is cryosurgery\n2\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(text.contains("I'm liverline"), "greets first");
    assert!(text.contains("very cold gasses"), "{text}");
}
