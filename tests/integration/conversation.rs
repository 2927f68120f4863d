//! The conversation sets (tests/conversation/{tune,gate}/, written apart
//! from the code): single messages by group, and multi-turn dialogues. One
//! runner reports every miss; the floors hold on the gate part. Tune only
//! on the tune part (`cargo test --test integration conversation_tune --
//! --ignored --nocapture` prints it).
//!
//! The gate part is the third blind set (305 messages and 25 dialogues,
//! by a writer who saw only the guide's passages); the two sets before it
//! are in the tuning part, since the runner used to print the gate's
//! misses. So is a fourth blind set (W, 312 messages and 25 dialogues,
//! read once as written, then tuned on; its "which is better" comparisons
//! allow the guide's passage on making decisions, as issue 8 asks), and a
//! fifth (X, 315 messages and 25 dialogues, read once with `CONV_PART`,
//! then tuned on), and a sixth (Z, 300 messages and 25 dialogues by a
//! writer who saw only the guide and the topic list, read once the same
//! way: 78.0% of its messages passed, 71.9% of its dialogue turns), and a
//! seventh (U, 300 messages and 25 dialogues by a writer who saw only the
//! guide, the topic list and the passages: 79.0% and 77.5% at its one
//! read).
//!
//! A case passes when the reply's kind is one of `kinds`, every `must`
//! group has one of its phrases, and no passage of the guide is quoted
//! but those `allowed` (a passage counts as quoted when one of its longer
//! sentences is in the reply).

use crate::util::{engine, repo};
use liverline::content::{IntentKind, source::sentences};
use liverline::dialog::{self, Input, Session};
use liverline::reply::{Reply, plain};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Sentences at least this long identify a passage (shorter ones such as
/// "It is a pill." are shared or too plain to tell).
const TELLING: usize = 40;

#[derive(Deserialize)]
struct Message {
    id: String,
    q: String,
    group: String,
    kinds: Vec<String>,
    #[serde(default)]
    allowed: Vec<String>,
    #[serde(default)]
    must: Vec<Vec<String>>,
}

#[derive(Deserialize)]
struct Dialogue {
    id: String,
    turns: Vec<Turn>,
}

#[derive(Deserialize)]
struct Turn {
    say: String,
    kinds: Vec<String>,
    #[serde(default)]
    allowed: Vec<String>,
    #[serde(default)]
    must: Vec<Vec<String>>,
}

fn lines<T: serde::de::DeserializeOwned>(part: &str, file: &str) -> Vec<T> {
    let path = repo().join("tests/conversation").join(part).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display())))
        .collect()
}

/// Every telling sentence of the guide's passages and the topics quoting it.
fn passages() -> Vec<(String, Vec<String>)> {
    let mut by_sentence: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in &engine().content().intents {
        if let (IntentKind::Answer, Some(r)) = (i.kind, &i.response) {
            for s in sentences(&r.excerpt)
                .into_iter()
                .filter(|s| s.len() >= TELLING)
            {
                by_sentence.entry(s).or_default().push(i.id.clone());
            }
        }
    }
    by_sentence.into_iter().collect()
}

/// Why a reply misses, if it does.
fn judge(
    reply: &Reply,
    kinds: &[String],
    allowed: &[String],
    must: &[Vec<String>],
    passages: &[(String, Vec<String>)],
) -> Vec<String> {
    let text = plain(reply);
    let lower = text.to_lowercase();
    let mut why = Vec::new();
    if !kinds.iter().any(|k| k == reply.kind.as_str()) {
        why.push(format!("kind {} not in {kinds:?}", reply.kind.as_str()));
    }
    for group in must {
        if !group.iter().any(|m| lower.contains(&m.to_lowercase())) {
            why.push(format!("lacks one of {group:?}"));
        }
    }
    for (sentence, owners) in passages {
        if text.contains(sentence.as_str()) && !owners.iter().any(|o| allowed.contains(o)) {
            why.push(format!("quotes {owners:?}"));
            break;
        }
    }
    why
}

struct Tally {
    by_group: BTreeMap<String, (usize, usize)>,
    /// As `by_group`, judged by the facts only (what the reply says and
    /// quotes, whatever its kind): how a reader who sees only the text
    /// would judge it. Reported, not gated.
    by_facts: BTreeMap<String, (usize, usize)>,
    misses: Vec<String>,
}

fn run_messages(part: &str) -> Tally {
    let passages = passages();
    let filter = std::env::var("CONV_FILTER").unwrap_or_default();
    let mut t = Tally {
        by_group: BTreeMap::new(),
        by_facts: BTreeMap::new(),
        misses: Vec::new(),
    };
    for m in lines::<Message>(part, "messages.jsonl") {
        if !m.id.contains(&filter) {
            continue;
        }
        let reply = dialog::turn(engine(), &mut Session::default(), Input::Text(&m.q));
        let why = judge(&reply, &m.kinds, &m.allowed, &m.must, &passages);
        let facts = t.by_facts.entry(m.group.clone()).or_default();
        facts.1 += 1;
        if why.iter().all(|w| w.starts_with("kind ")) {
            facts.0 += 1;
        }
        let slot = t.by_group.entry(m.group.clone()).or_default();
        slot.1 += 1;
        if why.is_empty() {
            slot.0 += 1;
        } else {
            t.misses.push(format!(
                "{} [{}] {:?} -> {} {:?}: {}",
                m.id,
                m.group,
                m.q,
                reply.kind.as_str(),
                reply.intent,
                why.join("; ")
            ));
        }
    }
    let (p, n) = run_dialogues(part, &passages, &mut t.misses);
    t.by_group.insert("dialogue turns".into(), (p, n));
    t
}

/// Runs every dialogue in one session each; returns (turns passed, turns).
/// A reply equal to the one before it is always a miss.
fn run_dialogues(
    part: &str,
    passages: &[(String, Vec<String>)],
    misses: &mut Vec<String>,
) -> (usize, usize) {
    let filter = std::env::var("CONV_FILTER").unwrap_or_default();
    let (mut passed, mut total) = (0, 0);
    for d in lines::<Dialogue>(part, "dialogues.jsonl") {
        if !d.id.contains(&filter) {
            continue;
        }
        let mut session = Session::default();
        let mut previous: Option<String> = None;
        for (n, turn) in d.turns.iter().enumerate() {
            let reply = dialog::turn(engine(), &mut session, Input::Text(&turn.say));
            let mut why = judge(&reply, &turn.kinds, &turn.allowed, &turn.must, passages);
            let text = plain(&reply);
            if previous.as_deref() == Some(text.as_str()) {
                why.push("repeats the previous reply".into());
            }
            previous = Some(text);
            total += 1;
            if why.is_empty() {
                passed += 1;
            } else {
                misses.push(format!(
                    "{} turn {} {:?} -> {} {:?}: {}",
                    d.id,
                    n + 1,
                    turn.say,
                    reply.kind.as_str(),
                    reply.intent,
                    why.join("; ")
                ));
            }
        }
    }
    (passed, total)
}

/// The counts by group, and (for the tuning part only) every miss: the
/// gate's misses are not shown, so that nobody tunes on them.
fn print(part: &str, t: &Tally) {
    if part != "gate" {
        for m in &t.misses {
            eprintln!("miss: {m}");
        }
    }
    for (group, (p, n)) in &t.by_group {
        let facts = t
            .by_facts
            .get(group)
            .map(|(f, n)| format!("; by facts only {f}/{n} ({:.1}%)", rate(*f, *n)))
            .unwrap_or_default();
        eprintln!("{part} {group}: {p}/{n} ({:.1}%){facts}", rate(*p, *n));
    }
}

fn rate(passed: usize, total: usize) -> f64 {
    100.0 * passed as f64 / total.max(1) as f64
}

/// The floor for every group on the gate part.
const FLOOR: f64 = 90.0;
/// What the gate part measured at its first read (issue 8; raised as groups improve), a
/// ratchet below the floor where it is not met yet: no group may fall
/// under these while they are brought up to `FLOOR`. Each is the measured
/// pass count over the group's size.
const MEASURED: &[(&str, usize, usize)] = &[
    ("abstain", 29, 34),
    ("compare", 30, 33),
    ("contextless", 33, 34),
    ("dialogue turns", 56, 66),
    ("feelings", 25, 34),
    ("newer_treatment", 33, 35),
    ("pain_symptoms", 29, 34),
    ("prognosis", 27, 33),
    ("small_talk", 26, 34),
    ("two_part", 25, 34),
];

#[test]
fn conversation_gate_meets_the_floors() {
    let t = run_messages("gate");
    print("gate", &t);
    if std::env::var("CONV_FILTER").is_ok() {
        return;
    }
    let mut below = Vec::new();
    for (group, (p, n)) in &t.by_group {
        let ratchet = MEASURED
            .iter()
            .find(|(g, ..)| g == group)
            .map_or(FLOOR, |(_, mp, mn)| rate(*mp, *mn).min(FLOOR));
        if rate(*p, *n) + 1e-9 < ratchet {
            below.push(format!("{group}: {p}/{n} < {ratchet:.1}%"));
        }
        if rate(*p, *n) < FLOOR {
            eprintln!("gate {group}: below the issue's {FLOOR}% floor");
        }
    }
    assert!(below.is_empty(), "fell below: {below:?}");
    // No reply ever repeats the one before it (counted, not shown).
    let repeats = t.misses.iter().filter(|m| m.contains("repeats")).count();
    assert_eq!(repeats, 0, "a reply repeated the one before it");
}

/// The tuning part, printed (not a gate): run with `--ignored --nocapture`.
/// `CONV_PART=<dir>` reads another folder of `tests/conversation/` (a new
/// blind set, read once before it joins the tuning part).
#[test]
#[ignore]
fn conversation_tune() {
    let part = std::env::var("CONV_PART").unwrap_or_else(|_| "tune".into());
    assert_ne!(part, "gate", "the gate part's misses are not shown");
    print(&part, &run_messages(&part));
}
