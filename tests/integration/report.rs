//! `liverline report` on a seeded database: the exact text editors read
//! (replies by kind, fallback rate, top intents, unanswered questions
//! grouped by folded text), the period honoured, and clear errors.

use crate::util::run;
use liverline::ops::analytics::Store;
use liverline::ops::date;
use liverline::reply::Kind;
use std::path::PathBuf;

/// 2026-03-10 as days since 1970-01-01.
const DAY: i64 = 20_522;

fn seeded(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("liverline-report-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.sqlite3"));
    let _ = std::fs::remove_file(&path);
    let store = Store::open(&path).unwrap();
    let add = |day: i64, kind: Kind, intent: Option<&str>, text: Option<&str>, times: usize| {
        for _ in 0..times {
            store.record(day, kind, intent, text).unwrap();
        }
    };
    add(DAY, Kind::Answer, Some("tace"), None, 5);
    add(DAY - 1, Kind::Answer, Some("rfa"), None, 2);
    add(DAY, Kind::PersonalAdvice, Some("sorafenib"), None, 1);
    add(DAY, Kind::Greeting, None, None, 4);
    add(DAY, Kind::Fallback, None, Some("Can I eat grapefruit?"), 2);
    add(
        DAY - 2,
        Kind::Fallback,
        None,
        Some("can i eat  GRAPEFRUIT"),
        1,
    );
    add(DAY, Kind::Clarify, None, Some("side effects?"), 1);
    // Outside the period: not counted.
    add(DAY - 30, Kind::Fallback, None, Some("an old question"), 3);
    path
}

#[test]
fn the_report_on_a_seeded_database() {
    let db = seeded("full");
    let out = run(
        &[
            "report",
            "--db",
            db.to_str().unwrap(),
            "--from",
            &date(DAY - 6),
            "--to",
            &date(DAY),
        ],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want = "\
liverline report: 2026-03-04 to 2026-03-10

Replies by kind
  answer                 7
  clarify                1
  fallback               3
  emergency              0
  crisis                 0
  urgent                 0
  personal_advice        1
  not_in_guide           0
  support                0
  small_talk             0
  greeting               4
  help                   0
  non_text               0
  total                 16

Fallback rate: 25.0% (3 of 12 questions)

Top intents answered
        5  tace
        2  rfa
        1  sorafenib

Unanswered questions (fallback, clarify), most asked first
        3  can i eat grapefruit  [fallback]
        1  side effects  [clarify]
";
    assert_eq!(stdout, want);
}

#[test]
fn the_report_refuses_a_bad_date_or_a_missing_database() {
    let db = seeded("errors");
    let out = run(
        &[
            "report",
            "--db",
            db.to_str().unwrap(),
            "--from",
            "10/03/2026",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a date"));
    let out = run(&["report", "--db", "/nonexistent/liverline.sqlite3"], None);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot open the analytics database"),
        "{stderr}"
    );
}
