//! Hostile input never panics, and every reply keeps its footer and fits
//! Telegram once split.

use crate::util::engine;
use liverline::Query;
use liverline::frontend::telegram::{LIMIT, parts, well_formed};
use liverline::reply::plain;
use proptest::prelude::*;

fn check(text: &str, last: Option<&str>) {
    let e = engine();
    let reply = e.answer(&Query {
        text,
        last_topic: last,
    });
    assert!(plain(&reply).ends_with(&e.content().framing.footer));
    for part in parts(&reply) {
        assert!(part.encode_utf16().count() <= LIMIT);
        assert!(well_formed(&part));
    }
}

#[test]
fn named_hostile_inputs() {
    let huge = "sorafenib side effects ".repeat(5000);
    let cases = [
        "",
        " \n\t ",
        "\u{0}\u{1}\u{7f}\u{1b}[31m",
        "🙂🙂🙂🔥",
        "печень рак лечение",
        "肝癌 治疗 sorafenib",
        "مرحبا tace",
        huge.as_str(),
        "a",
        "?!?!?!",
        "<script>alert(1)</script> & tace",
        "\u{202e}reversed\u{200b}zero width",
    ];
    for c in cases {
        check(c, None);
        check(c, Some("sorafenib"));
        check(c, Some("not-a-topic"));
    }
    assert!(huge.len() >= 100_000);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_text_gets_a_footed_reply(text in "\\PC{0,300}") {
        check(&text, None);
    }

    #[test]
    fn any_bytes_as_lossy_text_get_a_footed_reply(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&String::from_utf8_lossy(&bytes), Some("tace"));
    }

    #[test]
    fn words_from_the_domain_in_any_order(words in proptest::collection::vec(
        prop::sample::select(vec!["liver", "tace", "side", "effects", "should", "i", "stop", "blood", "and", "it", "what", "about", "911", "nexavar", "my", "dose", "chest"]), 0..30)) {
        check(&words.join(" "), Some("sorafenib"));
    }
}
