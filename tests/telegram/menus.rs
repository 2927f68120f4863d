//! Buttons: the `/topics` menu edited in place, clarify choices, "more"
//! (a long section split under the limit), stale and forged data. Every
//! callback query is answered exactly once.

use crate::harness::{
    PROMPT, Running, buttons, has_footer, press, press_on, private_chat, text, text_of,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_navigation_edits_the_menu_in_place() {
    let bot = Running::start().await;
    let chat = private_chat(71);
    text(&bot.api, chat.clone(), 71, "/topics");
    bot.api
        .until(PROMPT, "the menu", |a| a.sent_to(71).len() == 1)
        .await;
    let (menu_id, categories) = bot.api.read(|a| {
        let id = a
            .messages
            .keys()
            .find(|(c, _)| *c == 71)
            .expect("menu stored")
            .1;
        (id, buttons(a.sent_to(71)[0]))
    });
    assert!(
        categories.contains(&"c:surgery".to_string()),
        "{categories:?}"
    );

    let mut queries = vec![press(&bot.api, chat.clone(), 71, menu_id, "c:surgery")];
    bot.api
        .until(PROMPT, "the category page", |a| a.edits_in(71).len() == 1)
        .await;
    // The same category again: the page already shows it, so no edit.
    queries.push(press(&bot.api, chat.clone(), 71, menu_id, "c:surgery"));
    queries.push(press(&bot.api, chat.clone(), 71, menu_id, "menu"));
    bot.api
        .until(PROMPT, "back to the categories", |a| {
            a.edits_in(71).len() == 2
        })
        .await;
    queries.push(press(&bot.api, chat.clone(), 71, menu_id, "c:targeted"));
    queries.push(press(&bot.api, chat.clone(), 71, menu_id, "t:sorafenib"));
    bot.api
        .until(PROMPT, "the topic's answer", |a| a.sent_to(71).len() == 2)
        .await;

    let api = bot.stop().await;
    api.read(|a| {
        for q in &queries {
            assert_eq!(a.answers(q), 1, "callback {q} answered once");
        }
        let edits = a.edits_in(71);
        assert_eq!(edits.len(), 3, "three page changes, no identical edit");
        assert!(
            edits.iter().all(|e| e["message_id"] == menu_id),
            "always the menu message"
        );
        assert!(
            text_of(edits[0]).starts_with("Surgery"),
            "{}",
            text_of(edits[0])
        );
        assert!(
            buttons(edits[0]).last().is_some_and(|b| b == "menu"),
            "a way back"
        );
        assert!(text_of(edits[1]).starts_with("Choose a category"));
        assert!(has_footer(text_of(edits[2])));
        assert!(text_of(a.sent_to(71)[1]).starts_with("<b>Sorafenib (Nexavar)"));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_tap_edits_the_menu_once() {
    let bot = Running::start().await;
    let chat = private_chat(72);
    text(&bot.api, chat.clone(), 72, "/topics");
    bot.api
        .until(PROMPT, "the menu", |a| a.sent_to(72).len() == 1)
        .await;
    let (id, shown) = bot.api.read(|a| {
        let (key, shown) = a
            .messages
            .iter()
            .find(|((c, _), _)| *c == 72)
            .expect("menu stored");
        (key.1, shown.clone())
    });
    // Both taps carry the menu as it was before either took effect.
    let first = press_on(&bot.api, chat.clone(), 72, id, shown.clone(), "c:chemo");
    let second = press_on(&bot.api, chat.clone(), 72, id, shown, "c:chemo");
    bot.api
        .until(PROMPT, "both taps answered", |a| {
            a.answers(&first) == 1 && a.answers(&second) == 1
        })
        .await;
    let api = bot.stop().await;
    api.read(|a| {
        assert_eq!(
            a.edits_in(72).len(),
            1,
            "one edit; the second would change nothing"
        )
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clarify_choice_pressed_or_typed_gives_that_answer() {
    let bot = Running::start().await;
    let chat = private_chat(81);
    text(&bot.api, chat.clone(), 81, "what are the side effects?");
    text(&bot.api, private_chat(82), 82, "what are the side effects?");
    bot.api
        .until(PROMPT, "the question back", |a| {
            a.sent_to(81).len() == 1 && a.sent_to(82).len() == 1
        })
        .await;
    // As in the console, the number of a choice picks it.
    text(&bot.api, private_chat(82), 82, "2");
    let (message_id, choices) = bot.api.read(|a| {
        let id = a.messages.keys().find(|(c, _)| *c == 81).expect("stored").1;
        (id, buttons(a.sent_to(81)[0]))
    });
    assert!(choices.len() >= 2, "{choices:?}");
    let pick = choices
        .iter()
        .find(|c| *c == "t:radiation_se")
        .cloned()
        .unwrap_or_else(|| choices[0].clone());
    let query = press(&bot.api, chat, 81, message_id, &pick);
    bot.api
        .until(PROMPT, "the answers", |a| {
            a.sent_to(81).len() == 2 && a.sent_to(82).len() == 2
        })
        .await;
    let api = bot.stop().await;
    api.read(|a| {
        assert_eq!(a.answers(&query), 1);
        let second = buttons(a.sent_to(82)[0])[1]
            .trim_start_matches("t:")
            .to_string();
        let typed = text_of(a.sent_to(82)[1]);
        let title = liverline::Engine::topic(&crate::harness::engine(), &second)
            .unwrap()
            .excerpt
            .unwrap()
            .title;
        assert!(typed.starts_with(&format!("<b>{title}</b>")), "{typed}");
        let answer = text_of(a.sent_to(81)[1]);
        assert!(answer.starts_with("<b>Side effects of"), "{answer}");
        assert!(has_footer(answer));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_pages_through_the_section_in_one_message() {
    let bot = Running::start().await;
    let chat = private_chat(91);
    text(&bot.api, chat.clone(), 91, "/stages");
    bot.api
        .until(PROMPT, "the answer", |a| a.sent_to(91).len() == 1)
        .await;
    let (id, keys) = bot.api.read(|a| {
        (
            a.messages.keys().find(|(c, _)| *c == 91).expect("stored").1,
            buttons(a.sent_to(91)[0]),
        )
    });
    assert!(keys.contains(&"m:stage_overview".to_string()), "{keys:?}");
    let more = press(&bot.api, chat.clone(), 91, id, "m:stage_overview");
    bot.api
        .until(PROMPT, "the first page", |a| a.sent_to(91).len() == 2)
        .await;
    let page = bot.api.read(|a| {
        a.messages
            .keys()
            .filter(|(c, _)| *c == 91)
            .map(|k| k.1)
            .max()
            .expect("stored")
    });
    let next = press(&bot.api, chat, 91, page, "p:2:stage_overview");
    bot.api
        .until(PROMPT, "the second page, in place", |a| {
            !a.edits_in(91).is_empty()
        })
        .await;
    let api = bot.stop().await;
    api.read(|a| {
        assert_eq!(a.answers(&more), 1);
        assert_eq!(a.answers(&next), 1);
        let first = a.sent_to(91)[1];
        assert_eq!(a.sent_to(91).len(), 2, "one message for the section");
        assert!(text_of(first).encode_utf16().count() <= 4096);
        assert!(has_footer(text_of(first)), "the footer on every page");
        assert!(text_of(first).contains("page 1 of"), "{}", text_of(first));
        assert!(buttons(first).contains(&"p:2:stage_overview".to_string()));
        let edit = a.edits_in(91)[0];
        assert!(text_of(edit).contains("page 2 of"), "{}", text_of(edit));
        assert!(has_footer(text_of(edit)));
        assert!(buttons(edit).contains(&"p:1:stage_overview".to_string()));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_or_forged_buttons_get_a_polite_answer_and_nothing_breaks() {
    let bot = Running::start().await;
    let chat = private_chat(101);
    text(&bot.api, chat.clone(), 101, "what is rfa");
    bot.api
        .until(PROMPT, "the answer", |a| a.sent_to(101).len() == 1)
        .await;
    let id = bot.api.read(|a| {
        a.messages
            .keys()
            .find(|(c, _)| *c == 101)
            .expect("stored")
            .1
    });
    let long = format!("t:{}", "a".repeat(80));
    let forged = [
        "t:no_such_topic",
        "m:gone",
        "c:nope",
        "x:tace",
        "",
        "t:tace<script>",
        long.as_str(),
        "t:../etc",
    ];
    let queries: Vec<String> = forged
        .iter()
        .map(|d| press(&bot.api, chat.clone(), 101, id, d))
        .collect();
    bot.api
        .until(PROMPT, "every query answered", |a| {
            queries.iter().all(|q| a.answers(q) == 1)
        })
        .await;
    text(&bot.api, chat, 101, "what is pei");
    bot.api
        .until(PROMPT, "still answering", |a| a.sent_to(101).len() == 2)
        .await;
    let api = bot.stop().await;
    api.read(|a| {
        let notices: Vec<&str> = a
            .ok("answerCallbackQuery")
            .iter()
            .filter_map(|b| b["text"].as_str())
            .collect();
        assert_eq!(notices.len(), forged.len());
        assert!(
            notices.iter().all(|n| n.contains("out of date")),
            "{notices:?}"
        );
        assert_eq!(a.sent_to(101).len(), 2, "no message for a forged button");
    });
}
