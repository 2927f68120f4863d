//! Private chats: questions, commands, deep links, follow-ups, stickers,
//! huge and hostile messages, edits. Each test checks what was sent and that
//! nothing else was (stop() also checks no Bot API rule was broken).

use crate::harness::{
    PROMPT, Running, buttons, has_footer, message, private_chat, sticker, text, text_of,
};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_question_gets_one_answer_with_the_footer() {
    let bot = Running::start().await;
    text(&bot.api, private_chat(11), 11, "how is TACE done?");
    bot.api
        .until(PROMPT, "the answer", |a| !a.sent_to(11).is_empty())
        .await;
    let api = bot.stop().await;
    api.read(|a| {
        let sent = a.sent_to(11);
        assert_eq!(sent.len(), 1, "one answer, once");
        assert_eq!(sent[0]["parse_mode"], "HTML");
        let html = text_of(sent[0]);
        assert!(
            html.starts_with("<b>Chemoembolization (TACE)</b>"),
            "{html}"
        );
        assert!(has_footer(html), "{html}");
        assert!(
            html.contains("Last Medical Review"),
            "source line with its review date"
        );
        let keys = buttons(sent[0]);
        assert!(keys.contains(&"m:tace".to_string()), "{keys:?}");
        assert!(
            keys.iter().any(|k| k.starts_with("t:")),
            "related topics: {keys:?}"
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_opens_the_topic_of_a_deep_link_or_greets() {
    let bot = Running::start().await;
    for (chat, command) in [
        (21, "/start tace"),
        (22, "/start"),
        (23, "/start no_such_topic"),
        (24, "/start <b>&"),
    ] {
        text(&bot.api, private_chat(chat), chat, command);
    }
    bot.api
        .until(PROMPT, "four replies", |a| {
            (21..=24).all(|c| !a.sent_to(c).is_empty())
        })
        .await;
    let api = bot.stop().await;
    api.read(|a| {
        assert!(text_of(a.sent_to(21)[0]).starts_with("<b>Chemoembolization (TACE)</b>"));
        for chat in 22..=24 {
            let sent = a.sent_to(chat);
            assert_eq!(sent.len(), 1);
            assert!(
                text_of(sent[0]).contains("I'm liverline"),
                "greeting: {}",
                text_of(sent[0])
            );
            assert_eq!(buttons(sent[0]), ["menu"], "a way to browse");
            assert!(has_footer(text_of(sent[0])));
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_answers_once_with_the_right_content() {
    let bot = Running::start().await;
    let cases = [
        (31, "/help", "/topics"),
        (32, "/about", "American Cancer Society"),
        (33, "/stages", "<b>Treatment by stage"),
        (34, "/doctors", "<b>Which doctors treat liver cancer"),
        (35, "/trials", "<b>Clinical trials"),
        (36, "/support", "<b>Help getting through treatment"),
        (37, "/topics", "Choose a category"),
        (38, "/nonsense", "I'm liverline"),
    ];
    for (chat, command, _) in cases {
        text(&bot.api, private_chat(chat), chat, command);
    }
    bot.api
        .until(PROMPT, "a reply to each command", |a| {
            cases.iter().all(|(c, ..)| !a.sent_to(*c).is_empty())
        })
        .await;
    let api = bot.stop().await;
    api.read(|a| {
        for (chat, command, want) in cases {
            let sent = a.sent_to(chat);
            assert_eq!(sent.len(), 1, "{command}");
            assert!(
                text_of(sent[0]).contains(want),
                "{command}: {}",
                text_of(sent[0])
            );
            assert!(has_footer(text_of(sent[0])), "{command}");
        }
        let menu: Vec<&str> = a
            .commands
            .as_ref()
            .expect("setMyCommands")
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["command"].as_str().unwrap())
            .collect();
        assert_eq!(
            menu,
            [
                "start", "help", "topics", "stages", "doctors", "trials", "support", "about"
            ]
        );
        let kinds = a
            .allowed_updates
            .as_ref()
            .expect("allowed_updates")
            .to_string();
        assert!(
            kinds.contains("edited_message"),
            "edits are fetched, for the one that turns into an emergency: {kinds}"
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_is_read_in_the_light_of_the_chats_last_topic() {
    let bot = Running::start().await;
    text(&bot.api, private_chat(41), 41, "what is sorafenib");
    bot.api
        .until(PROMPT, "the first answer", |a| a.sent_to(41).len() == 1)
        .await;
    text(&bot.api, private_chat(41), 41, "and its side effects?");
    text(&bot.api, private_chat(42), 42, "and its side effects?");
    bot.api
        .until(PROMPT, "both follow-ups", |a| {
            a.sent_to(41).len() == 2 && a.sent_to(42).len() == 1
        })
        .await;
    let api = bot.stop().await;
    api.read(|a| {
        assert!(
            text_of(a.sent_to(41)[1]).starts_with("<b>Side effects of sorafenib"),
            "{}",
            text_of(a.sent_to(41)[1])
        );
        // Without a last topic the same words are too broad: choose one.
        let keys = buttons(a.sent_to(42)[0]);
        assert!(
            keys.len() >= 2 && keys.iter().all(|k| k.starts_with("t:")),
            "clarify choices: {keys:?}"
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stickers_huge_and_hostile_messages_get_one_valid_reply_each() {
    let bot = Running::start().await;
    message(&bot.api, private_chat(51), 51, sticker());
    let huge = format!(
        "what is radiofrequency ablation? {}",
        "please tell me more about it. ".repeat(350)
    );
    assert!(huge.len() > 10_000);
    text(&bot.api, private_chat(52), 52, &huge);
    text(
        &bot.api,
        private_chat(53),
        53,
        "<b>what is TACE</b> & is it <i>safe</i>? </b> &amp; <script>alert(1)</script> >",
    );
    text(&bot.api, private_chat(54), 54, "\u{0}\u{7}🙂🙂🙂");
    bot.api
        .until(PROMPT, "four replies", |a| {
            (51..=54).all(|c| !a.sent_to(c).is_empty())
        })
        .await;
    let api = bot.stop().await;
    api.read(|a| {
        assert!(
            text_of(a.sent_to(51)[0]).contains("I can only read text"),
            "{}",
            text_of(a.sent_to(51)[0])
        );
        assert!(text_of(a.sent_to(52)[0]).contains("<b>Radiofrequency ablation (RFA)</b>"));
        let hostile = text_of(a.sent_to(53)[0]);
        assert!(
            !hostile.contains("<script>") && !hostile.contains("<b>what"),
            "user markup never comes back raw"
        );
        for chat in 51..=54 {
            assert_eq!(a.sent_to(chat).len(), 1, "chat {chat}");
            assert!(has_footer(text_of(a.sent_to(chat)[0])), "chat {chat}");
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_message_is_answered_again_only_when_it_reads_as_an_emergency() {
    let bot = Running::start().await;
    let (_, asked) = text(&bot.api, private_chat(61), 61, "what is tace");
    bot.api
        .until(PROMPT, "the answer", |a| a.sent_to(61).len() == 1)
        .await;
    let edited = json!({"message_id": asked, "date": 1_700_000_000, "edit_date": 1_700_000_100,
                        "chat": private_chat(61), "from": crate::harness::user(61), "text": "what is rfa"});
    bot.api.push(json!({"edited_message": edited}));
    text(&bot.api, private_chat(61), 61, "what is pei");
    bot.api
        .until(PROMPT, "the next answer", |a| a.sent_to(61).len() >= 2)
        .await;
    // An edit that turns the message into an emergency is answered.
    let emergency = json!({"message_id": asked, "date": 1_700_000_000, "edit_date": 1_700_000_200,
                           "chat": private_chat(61), "from": crate::harness::user(61),
                           "text": "what is tace, my dad is vomiting blood right now"});
    bot.api.push(json!({"edited_message": emergency}));
    bot.api
        .until(PROMPT, "the emergency edit answered", |a| {
            a.sent_to(61).len() >= 3
        })
        .await;
    let api = bot.stop().await;
    api.read(|a| {
        let sent = a.sent_to(61);
        assert_eq!(sent.len(), 3, "the ordinary edit got no reply");
        assert!(text_of(sent[1]).contains("Ethanol"), "{}", text_of(sent[1]));
        assert!(
            text_of(sent[2]).starts_with("Call 911"),
            "{}",
            text_of(sent[2])
        );
    });
}
