//! Reply anatomy: every kind, in every renderer, ends with the footer; an
//! emergency reply starts with the emergency line; follow-ups use the last
//! topic; the Telegram message ends with the footer.

use crate::util::engine;
use liverline::Query;
use liverline::frontend::telegram::{escape, parts};
use liverline::reply::{Kind, json_line, plain};

fn one_of_each_kind() -> Vec<(Kind, liverline::reply::Reply)> {
    let e = engine();
    let ask = |q: &str| e.answer(&Query::new(q));
    vec![
        (Kind::Answer, ask("what is radiofrequency ablation")),
        (Kind::Clarify, ask("side effects?")),
        (Kind::Fallback, ask("what is the weather in paris")),
        (Kind::Emergency, ask("my dad is vomiting blood")),
        (Kind::Crisis, ask("I want to end my life")),
        (
            Kind::Urgent,
            ask("my eyes have gone yellow since yesterday"),
        ),
        (
            Kind::PersonalAdvice,
            ask("should I stop taking my sorafenib"),
        ),
        (Kind::Greeting, ask("hello")),
        (Kind::NotInGuide, ask("is lenvatinib used for liver cancer")),
        (Kind::Support, ask("I'm so scared")),
        (Kind::SmallTalk, ask("thank you")),
        (Kind::Help, e.help()),
        (Kind::NonText, e.non_text()),
    ]
}

#[test]
fn every_kind_and_every_renderer_ends_with_the_footer() {
    let footer = engine().content().framing.footer.clone();
    let kinds = one_of_each_kind();
    assert_eq!(kinds.len(), Kind::ALL.len());
    for (want, reply) in kinds {
        assert_eq!(reply.kind, want, "{reply:?}");
        assert!(plain(&reply).ends_with(&footer), "plain {want:?}");
        let json: serde_json::Value = serde_json::from_str(&json_line("q", &reply)).unwrap();
        assert!(
            json["reply"].as_str().unwrap().ends_with(&footer),
            "json {want:?}"
        );
        assert_eq!(json["kind"], want.as_str());
        let html = parts(&reply).pop().unwrap_or_default();
        assert!(
            html.ends_with(&format!("<i>{}</i>", escape(&footer))),
            "html {want:?}"
        );
    }
}

#[test]
fn an_emergency_reply_starts_with_the_emergency_line() {
    for q in [
        "he is coughing up blood",
        "I have crushing chest pain",
        "I want to end my life",
        "my mum fainted and won't wake up",
    ] {
        let r = plain(&engine().answer(&Query::new(q)));
        assert!(
            r.starts_with("Call 911") || r.starts_with("Please call 911"),
            "{q}: {r}"
        );
    }
    let crisis = plain(&engine().answer(&Query::new("i have been thinking about suicide")));
    assert!(crisis.contains("988"));
}

#[test]
fn follow_ups_resolve_from_the_last_topic() {
    let e = engine();
    let cases = [
        ("sorafenib", "and its side effects?", "sorafenib_se"),
        ("sorafenib_se", "what about regorafenib?", "regorafenib_se"),
        ("sorafenib", "what about regorafenib", "regorafenib"),
        ("tace", "what are the side effects", "embolization_se"),
        // The passage that names the pain of ablation.
        ("rfa", "does it hurt?", "ablation_se"),
    ];
    for (last, q, want) in cases {
        let r = e.answer(&Query {
            text: q,
            last_topic: Some(last),
        });
        assert_eq!(
            r.intent.as_deref(),
            Some(want),
            "{last} + {q}: {:?} {:?}",
            r.kind,
            r.intent
        );
    }
    // Without the context, the same broad questions ask which topic.
    assert_eq!(
        e.answer(&Query::new("and its side effects?")).kind,
        Kind::Clarify
    );
}

#[test]
fn more_gives_the_whole_section() {
    let e = engine();
    let narrow = e.topic("rfa").unwrap().excerpt.unwrap().text;
    let more = e.more("rfa").unwrap().excerpt.unwrap().text;
    assert!(more.len() > narrow.len() * 3 && more.contains(&narrow));
    assert!(more.contains("very cold gasses"));
}
