//! Table tests for the engine over the shipped content.

use super::decide::is_follow_up_cue;
use super::*;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(crate::content::embedded().expect("shipped content")))
}

#[test]
fn kinds_for_a_table_of_messages() {
    let cases: &[(&str, Kind)] = &[
        ("what is radiofrequency ablation", Kind::Answer),
        ("nexavar how often", Kind::Answer),
        ("side effects?", Kind::Clarify),
        ("what is the weather like", Kind::Fallback),
        ("survival rate for liver cancer", Kind::NotInGuide),
        ("colon cancer chemotherapy", Kind::Fallback),
        ("he is throwing up blood", Kind::Emergency),
        ("i want to end my life", Kind::Crisis),
        ("should i stop my sorafenib", Kind::PersonalAdvice),
        ("hello", Kind::Greeting),
        ("/start", Kind::Greeting),
        ("/help", Kind::Help),
        ("", Kind::Help),
        ("печень", Kind::Fallback),
    ];
    for (text, want) in cases {
        assert_eq!(engine().answer(&Query::new(text)).kind, *want, "{text}");
    }
}

#[test]
fn an_emergency_wins_over_any_topic() {
    let r = engine().answer(&Query::new(
        "after my tace he is vomiting blood, what are the side effects of tace",
    ));
    assert_eq!(r.kind, Kind::Emergency);
    assert!(r.excerpt.is_none());
}

#[test]
fn a_broad_question_naming_a_treatment_gets_that_facet() {
    let cases = [
        ("does sorafenib cause diarrhoea", "sorafenib_se"),
        ("tace side effects", "embolization_se"),
        ("regorafenib risks", "regorafenib_se"),
    ];
    for (text, want) in cases {
        assert_eq!(
            engine().answer(&Query::new(text)).intent.as_deref(),
            Some(want),
            "{text}"
        );
    }
}

#[test]
fn a_fallback_never_quotes_the_guide() {
    for text in ["recommend a good movie", "qwerty", "how do i cook rice"] {
        let r = engine().answer(&Query::new(text));
        assert_eq!(r.kind, Kind::Fallback, "{text}");
        assert!(r.excerpt.is_none() && r.intent.is_none(), "{text}");
    }
}

#[test]
fn commands_truncation_and_cues() {
    assert_eq!(command("/start@liverline_bot tace"), Some("start"));
    assert_eq!(command("what /start"), None);
    assert_eq!(truncate("ab🙂cd", 3), "ab🙂");
    assert_eq!(truncate("ab", 10), "ab");
    let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
    assert!(is_follow_up_cue(&words("what about regorafenib")));
    assert!(is_follow_up_cue(&words("and cryo")));
    assert!(!is_follow_up_cue(&words("what is regorafenib")));
}

#[test]
fn tuning_accepts_known_keys_only() {
    let mut t = Tuning::default();
    t.set("min_score=0.5").unwrap();
    assert_eq!(t.min_score, 0.5);
    assert!(t.set("nonsense=1").is_err());
    assert!(t.set("min_score=abc").is_err());
    assert!(t.set("min_score").is_err());
}

#[test]
fn an_it_that_stands_for_the_last_topic_is_read_with_its_name() {
    // "it" is sorafenib: what follows sorafenib, not stopping treatment.
    for text in ["and if it stops working?", "what if it stops working"] {
        let r = engine().answer(&Query {
            text,
            last_topic: Some("sorafenib"),
        });
        assert_eq!(r.intent.as_deref(), Some("regorafenib"), "{text}");
    }
    // Without a last topic, the same words are about stopping treatment.
    let r = engine().answer(&Query::new("what if treatment stops working"));
    assert_eq!(r.intent.as_deref(), Some("stop_treatment"));
}
