//! Labelled-question evaluation, shared by `liverline eval` and the golden
//! test: each case names the kind of reply expected, the topic, and facts the
//! reply must (or must not) contain, in the format of `../shared/eval`.

use crate::engine::{Engine, Query};
use crate::reply::{Kind, plain};
use serde::Deserialize;
use std::collections::BTreeMap;
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Deserialize)]
pub struct MustK {
    pub k: usize,
    pub of: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MustEarly {
    pub chars: usize,
    pub any: Vec<String>,
}

/// One labelled question.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub id: String,
    pub q: String,
    pub kind: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub variant: String,
    #[serde(default)]
    pub must: Vec<Vec<String>>,
    pub must_k: Option<MustK>,
    #[serde(default)]
    pub must_not: Vec<String>,
    pub must_early: Option<MustEarly>,
    /// The chat's previous topic, for follow-up cases.
    pub last_topic: Option<String>,
}

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub case: Case,
    pub kind: Kind,
    pub intent: Option<String>,
    pub reasons: Vec<String>,
    /// The best-ranked intents, kept for misses: (id, score).
    pub top: Vec<(String, f32)>,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// Parses JSON lines; an unreadable line is an error naming its line.
pub fn parse_cases(name: &str, text: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case = serde_json::from_str(line).map_err(|e| format!("{name}:{}: {e}", n + 1))?;
        cases.push(case);
    }
    Ok(cases)
}

/// The scorer's normalisation: NFKC, dashes and curly quotes folded, white
/// space folded, lower case.
fn norm(s: &str) -> String {
    let s: String = s
        .nfkc()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            c => c,
        })
        .collect();
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn expected_kinds(kind: &str) -> &'static [Kind] {
    match kind {
        "answer" => &[Kind::Answer, Kind::PersonalAdvice],
        "clarify" => &[Kind::Clarify],
        // Both say the guide does not answer it.
        "out_of_scope" | "fallback" => &[Kind::Fallback, Kind::NotInGuide],
        // A crisis reply leads with 911 as well, and adds 988: an overdose
        // taken with no sign of an accident gets it.
        "emergency" => &[Kind::Emergency, Kind::Crisis],
        "crisis" => &[Kind::Crisis],
        "urgent" => &[Kind::Urgent],
        "personal_advice" => &[Kind::PersonalAdvice],
        "greeting" | "help" => &[Kind::Greeting, Kind::Help, Kind::SmallTalk],
        _ => &[],
    }
}

/// Runs one case through the engine and checks the reply.
pub fn run_case(engine: &Engine, case: &Case) -> Outcome {
    let query = Query {
        text: &case.q,
        last_topic: case.last_topic.as_deref(),
    };
    let reply = engine.answer(&query);
    let text = norm(&plain(&reply));
    let mut reasons = Vec::new();
    if !expected_kinds(&case.kind).contains(&reply.kind) {
        reasons.push(format!(
            "kind {} (expected {})",
            reply.kind.as_str(),
            case.kind
        ));
    }
    let known_topic = engine.content().intent(&case.topic).is_some();
    if case.kind == "answer" && known_topic && reply.intent.as_deref() != Some(case.topic.as_str())
    {
        reasons.push(format!(
            "topic {} (expected {})",
            reply.intent.as_deref().unwrap_or("-"),
            case.topic
        ));
    }
    for group in &case.must {
        if !group.iter().any(|alt| text.contains(&norm(alt))) {
            reasons.push(format!("missing {}", group.join("|")));
        }
    }
    if let Some(mk) = &case.must_k {
        let hits = mk.of.iter().filter(|o| text.contains(&norm(o))).count();
        if hits < mk.k {
            reasons.push(format!("only {hits} of {} options named", mk.k));
        }
    }
    if let Some(me) = &case.must_early {
        let head: String = text.chars().take(me.chars).collect();
        if !me.any.iter().any(|x| head.contains(&norm(x))) {
            reasons.push(format!(
                "none of {:?} in the first {} characters",
                me.any, me.chars
            ));
        }
    }
    for bad in &case.must_not {
        if text.contains(&norm(bad)) {
            reasons.push(format!("forbidden \"{bad}\""));
        }
    }
    for must in ["1-800-227-2345", "1-800-303-5691", "medical advice"] {
        if !text.contains(must) {
            reasons.push(format!("footer lacks {must}"));
        }
    }
    let top = if reasons.is_empty() {
        Vec::new()
    } else {
        engine.explain(&case.q)
    };
    Outcome {
        case: case.clone(),
        kind: reply.kind,
        intent: reply.intent,
        reasons,
        top,
    }
}

/// Pass rates grouped by a key: (passed, total).
pub fn tally<F: Fn(&Outcome) -> String>(
    outcomes: &[Outcome],
    key: F,
) -> BTreeMap<String, (usize, usize)> {
    let mut out: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for o in outcomes {
        let e = out.entry(key(o)).or_default();
        e.0 += o.passed() as usize;
        e.1 += 1;
    }
    out
}

/// The share of cases passed, in percent (0 for no cases).
pub fn accuracy(outcomes: &[Outcome]) -> f64 {
    let passed = outcomes.iter().filter(|o| o.passed()).count();
    pct(passed, outcomes.len())
}

fn pct(p: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        100.0 * p as f64 / n as f64
    }
}

/// A row label that is never blank: a case without a variant or a topic
/// is shown as such.
fn label(value: &str, none: &str) -> String {
    if value.trim().is_empty() {
        none.to_string()
    } else {
        value.to_string()
    }
}

/// What a case expected, for the confusion table: its topic, or its kind
/// when it names no topic (fallback, emergency, clarify cases).
fn expected(case: &Case) -> String {
    label(&case.topic, &format!("({})", case.kind))
}

/// A human report: overall, per kind, per variant, confusion pairs, misses.
pub fn report(outcomes: &[Outcome]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let passed = outcomes.iter().filter(|o| o.passed()).count();
    let _ = writeln!(
        s,
        "accuracy: {:.1}% ({passed}/{})",
        pct(passed, outcomes.len()),
        outcomes.len()
    );
    for (title, table) in [
        (
            "by kind (expected)",
            tally(outcomes, |o| o.case.kind.clone()),
        ),
        (
            "by variant (answer cases)",
            tally(&answers(outcomes), |o| {
                label(&o.case.variant, "(no variant)")
            }),
        ),
    ] {
        let _ = writeln!(s, "\n{title}: passed% (passed/cases)");
        for (k, (p, n)) in table {
            let _ = writeln!(s, "  {k:<18} {:5.1}%  ({p}/{n})", pct(p, n));
        }
    }
    let mut confusion: BTreeMap<(String, String), usize> = BTreeMap::new();
    for o in outcomes.iter().filter(|o| !o.passed()) {
        let got = o
            .intent
            .clone()
            .unwrap_or_else(|| o.kind.as_str().to_string());
        *confusion.entry((expected(&o.case), got)).or_default() += 1;
    }
    let mut pairs: Vec<_> = confusion.into_iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let _ = writeln!(
        s,
        "\nconfusion pairs (expected topic or (kind) -> got topic or kind: count)"
    );
    for ((want, got), n) in pairs.iter().take(25) {
        let _ = writeln!(s, "  {want} -> {got}: {n}");
    }
    let _ = writeln!(s, "\nmisses");
    for o in outcomes.iter().filter(|o| !o.passed()) {
        let top: Vec<String> = o
            .top
            .iter()
            .map(|(id, score)| format!("{id} {score:.2}"))
            .collect();
        let _ = writeln!(
            s,
            "  {} [{}/{}] {}\n      {}\n      ranked: {}",
            o.case.id,
            o.case.kind,
            label(&o.case.variant, "-"),
            o.case.q,
            o.reasons.join("; "),
            top.join(", ")
        );
    }
    s
}

fn answers(outcomes: &[Outcome]) -> Vec<Outcome> {
    outcomes
        .iter()
        .filter(|o| o.case.kind == "answer")
        .cloned()
        .collect()
}
