//! Among other people: in groups the bot answers commands, @mentions and
//! replies to its own messages, and stays silent otherwise (checked in
//! order: one chat's updates are handled one after another, so once the
//! reply to a later, addressed message is out, the earlier ones were passed
//! over); in any chat, inline mode (`@bot question`) returns answer cards
//! whose message is the full answer with the footer, ready to share.

use crate::fake::BOT_USERNAME;
use crate::harness::{
    PROMPT, Running, buttons, group_chat, has_footer, inline_query, message, reply_to_bot, sticker,
    text, text_of,
};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_group_only_what_is_addressed_to_the_bot_is_answered() {
    let bot = Running::start().await;
    let group = group_chat(-1001);
    text(&bot.api, group.clone(), 5, "what is tace");
    text(&bot.api, group.clone(), 6, "/about@some_other_bot");
    text(&bot.api, group.clone(), 7, "/ban");
    message(&bot.api, group.clone(), 5, sticker());
    let (_, mention) = text(
        &bot.api,
        group.clone(),
        5,
        &format!("@{BOT_USERNAME} what is tace?"),
    );
    bot.api
        .until(PROMPT, "the answer to the mention", |a| {
            !a.sent_to(-1001).is_empty()
        })
        .await;

    let answer_id = bot.api.read(|a| {
        a.messages
            .keys()
            .find(|(c, _)| *c == -1001)
            .expect("stored")
            .1
    });
    text(
        &bot.api,
        group.clone(),
        6,
        "I think it depends on the liver",
    );
    let (_, reply) = message(
        &bot.api,
        group.clone(),
        6,
        reply_to_bot(&group, answer_id, "and its side effects?"),
    );
    let (_, command) = text(
        &bot.api,
        group.clone(),
        7,
        &format!("/trials@{BOT_USERNAME}"),
    );
    bot.api
        .until(PROMPT, "three answers", |a| a.sent_to(-1001).len() >= 3)
        .await;

    let api = bot.stop().await;
    api.read(|a| {
        let sent = a.sent_to(-1001);
        assert_eq!(sent.len(), 3, "only the mention, the reply and the command");
        let answered: Vec<i64> = sent
            .iter()
            .map(|s| s["reply_parameters"]["message_id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            answered,
            [mention, reply, command],
            "each answer quotes its question"
        );
        assert!(text_of(sent[0]).starts_with("<b>Chemoembolization (TACE)</b>"));
        assert!(
            text_of(sent[1]).starts_with("<b>Side effects of embolization"),
            "{}",
            text_of(sent[1])
        );
        assert!(text_of(sent[2]).starts_with("<b>Clinical trials"));
        let deep = format!("https://t.me/{BOT_USERNAME}?start=tace");
        assert!(
            buttons(sent[0]).contains(&deep),
            "continue in private: {:?}",
            buttons(sent[0])
        );
        assert!(
            !buttons(sent[0]).iter().any(|b| b.starts_with("m:")),
            "no full section in a group"
        );
        assert!(sent.iter().all(|s| has_footer(text_of(s))));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inline_query_returns_answer_cards() {
    let bot = Running::start().await;
    let answer = inline_query(&bot.api, 7, "nexavar side effects");
    let broad = inline_query(&bot.api, 8, "side effects");
    let empty = inline_query(&bot.api, 9, "");
    let outside = inline_query(&bot.api, 10, "what's the weather like in Paris?");
    let emergency = inline_query(&bot.api, 11, "bleeding after tace and it wont stop");
    let ids = [&answer, &broad, &empty, &outside, &emergency];
    bot.api
        .until(PROMPT, "every inline query answered", |a| {
            ids.iter().all(|q| a.answers(q) == 1)
        })
        .await;
    let api = bot.stop().await;
    api.read(|a| {
        let results = |id: &str| -> Vec<Value> {
            let calls = a.ok("answerInlineQuery");
            let call = calls
                .iter()
                .find(|c| c["inline_query_id"] == id)
                .expect("answered");
            call["results"].as_array().cloned().unwrap_or_default()
        };
        let cards = results(&answer);
        assert!((1..=5).contains(&cards.len()), "up to five, best first");
        let card = &cards[0];
        assert_eq!(card["type"], "article");
        assert_eq!(card["id"], "sorafenib_se");
        assert!(
            card["title"]
                .as_str()
                .unwrap()
                .starts_with("Side effects of sorafenib")
        );
        assert!(
            !card["description"].as_str().unwrap_or_default().is_empty(),
            "a short description"
        );
        let content = &card["input_message_content"];
        assert_eq!(content["parse_mode"], "HTML");
        assert!(
            has_footer(content["message_text"].as_str().unwrap()),
            "the full answer with the footer"
        );
        let link = card["reply_markup"]["inline_keyboard"][0][0]["url"]
            .as_str()
            .unwrap();
        assert_eq!(
            link,
            format!("https://t.me/{BOT_USERNAME}?start=sorafenib_se")
        );

        assert!(
            results(&broad).len() >= 2,
            "a card per candidate when the question is broad"
        );
        assert!(
            results(&empty).len() >= 3,
            "starter topics for an empty query"
        );
        let urgent = results(&emergency);
        assert_eq!(urgent.len(), 1, "an emergency offers only its own card");
        assert!(
            urgent[0]["input_message_content"]["message_text"]
                .as_str()
                .unwrap()
                .starts_with("Call 911"),
            "{urgent:?}"
        );
        let fallback = results(&outside);
        assert_eq!(fallback.len(), 1);
        assert!(has_footer(
            fallback[0]["input_message_content"]["message_text"]
                .as_str()
                .unwrap()
        ));
    });
}
