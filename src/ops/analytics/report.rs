//! `liverline report`: what the editors read. Replies by kind and the top
//! intents over a period, the fallback rate, and the unanswered questions
//! grouped by their folded text, most asked first: what to add next.

use super::Store;
use crate::reply::Kind;
use rusqlite::params;
use std::fmt::Write;

/// An inclusive range of UTC dates, `YYYY-MM-DD`.
#[derive(Debug, Clone)]
pub struct Period {
    pub from: String,
    pub to: String,
}

/// Kinds that answer a question someone asked (greetings, help and
/// non-text replies are not questions, so they do not dilute the rate).
const QUESTION_KINDS: [Kind; 5] = [
    Kind::Answer,
    Kind::Clarify,
    Kind::Fallback,
    Kind::PersonalAdvice,
    Kind::Emergency,
];

/// The report as text; `top` bounds the intent and question lists.
pub fn report(store: &Store, period: &Period, top: usize) -> rusqlite::Result<String> {
    let conn = store.conn();
    let between = "day BETWEEN ?1 AND ?2";
    let mut kinds = conn.prepare(&format!(
        "SELECT kind, SUM(n) FROM replies WHERE {between} GROUP BY kind"
    ))?;
    let by_kind: Vec<(String, i64)> = kinds
        .query_map(params![period.from, period.to], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let count = |k: Kind| {
        by_kind
            .iter()
            .find(|(name, _)| name == k.as_str())
            .map_or(0, |(_, n)| *n)
    };
    let mut out = format!(
        "liverline report: {} to {}\n\nReplies by kind\n",
        period.from, period.to
    );
    for k in Kind::ALL {
        let _ = writeln!(out, "  {:<16} {:>7}", k.as_str(), count(k));
    }
    let total: i64 = Kind::ALL.iter().map(|&k| count(k)).sum();
    let _ = writeln!(out, "  {:<16} {:>7}", "total", total);

    let questions: i64 = QUESTION_KINDS.iter().map(|&k| count(k)).sum();
    let fallbacks = count(Kind::Fallback);
    let rate = if questions > 0 {
        100.0 * fallbacks as f64 / questions as f64
    } else {
        0.0
    };
    let _ = writeln!(
        out,
        "\nFallback rate: {rate:.1}% ({fallbacks} of {questions} questions)"
    );

    let mut intents = conn.prepare(&format!(
        "SELECT intent, SUM(n) AS c FROM replies WHERE {between} AND intent != '-'
         AND kind IN ('answer', 'personal_advice') GROUP BY intent ORDER BY c DESC, intent LIMIT ?3"
    ))?;
    let rows: Vec<(String, i64)> = intents
        .query_map(params![period.from, period.to, top as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let _ = writeln!(out, "\nTop intents answered");
    if rows.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for (intent, n) in rows {
        let _ = writeln!(out, "  {n:>7}  {intent}");
    }

    let mut texts = conn.prepare(&format!(
        "SELECT text, COUNT(*) AS c, GROUP_CONCAT(DISTINCT kind) FROM unanswered WHERE {between}
         GROUP BY text ORDER BY c DESC, text LIMIT ?3"
    ))?;
    let rows: Vec<(String, i64, String)> = texts
        .query_map(params![period.from, period.to, top as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    let _ = writeln!(
        out,
        "\nUnanswered questions (fallback, clarify), most asked first"
    );
    if rows.is_empty() {
        let _ = writeln!(
            out,
            "  (none kept: texts are stored only with analytics.keep_unanswered_text = true)"
        );
    }
    for (text, n, kinds) in rows {
        let _ = writeln!(out, "  {n:>7}  {text}  [{kinds}]");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::date;

    #[test]
    fn counts_and_texts_are_grouped_for_the_period() {
        let dir = std::env::temp_dir().join(format!("liverline-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.sqlite3");
        let _ = std::fs::remove_file(&path);
        let store = Store::open(&path).unwrap();
        let day = 20_000;
        for _ in 0..3 {
            store.record(day, Kind::Answer, Some("tace"), None).unwrap();
        }
        store
            .record(day, Kind::Fallback, None, Some("What about DIET?"))
            .unwrap();
        store
            .record(day, Kind::Fallback, None, Some("what about diet"))
            .unwrap();
        store
            .record(day - 40, Kind::Fallback, None, Some("old question"))
            .unwrap();
        assert_eq!(store.purge(day, 30).unwrap(), 1, "texts past retention go");
        let period = Period {
            from: date(day - 7),
            to: date(day),
        };
        let text = report(&store, &period, 10).unwrap();
        assert!(text.contains("  answer                 3"), "{text}");
        assert!(
            text.contains("Fallback rate: 40.0% (2 of 5 questions)"),
            "{text}"
        );
        assert!(text.contains("        3  tace"), "{text}");
        assert!(
            text.contains("        2  what about diet  [fallback]"),
            "{text}"
        );
        assert!(!text.contains("old question"));
    }
}
