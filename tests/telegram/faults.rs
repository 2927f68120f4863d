//! Faults on the way to Telegram: 5xx and 429 (`retry_after`) on
//! sendMessage, slow and malformed getUpdates. Every update must be answered
//! exactly once, none lost, none doubled, and the bot must keep running.

use crate::fake::Fault;
use crate::harness::{PROMPT, Running, has_footer, private_chat, text, text_of};
use std::time::Duration;

const QUESTIONS: [&str; 6] = [
    "what is tace",
    "who can have a liver transplant",
    "side effects of nexavar",
    "what is radiofrequency ablation",
    "how does sbrt work",
    "what is hepatic artery infusion",
];

/// Asks each question from its own private chat starting at `first`, then
/// waits until each chat has its one answer.
async fn ask_all(bot: &Running, first: i64) {
    for (n, q) in QUESTIONS.iter().enumerate() {
        let chat = first + n as i64;
        text(&bot.api, private_chat(chat), chat, q);
    }
    let chats = first..first + QUESTIONS.len() as i64;
    // teloxide waits 10 s after any 5xx before it reports it: allow for that.
    bot.api
        .until(PROMPT + 15, "every question answered", |a| {
            chats.clone().all(|c| !a.sent_to(c).is_empty())
        })
        .await;
}

fn assert_each_answered_once(bot: &crate::fake::Fake, first: i64) {
    bot.read(|a| {
        for chat in first..first + QUESTIONS.len() as i64 {
            let sent = a.sent_to(chat);
            assert_eq!(sent.len(), 1, "chat {chat}: exactly one answer");
            assert!(has_footer(text_of(sent[0])));
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_and_flood_control_on_send_message_lose_and_double_nothing() {
    let bot = Running::start().await;
    bot.api.fault("sendMessage", Fault::Status(500));
    bot.api.fault("sendMessage", Fault::RetryAfter(1));
    bot.api.fault("sendMessage", Fault::Status(502));
    bot.api.fault("sendMessage", Fault::RetryAfter(2));
    ask_all(&bot, 201).await;
    // Still running: a later question gets its answer at once.
    text(&bot.api, private_chat(299), 299, "what is pei");
    bot.api
        .until(PROMPT, "a later answer", |a| a.sent_to(299).len() == 1)
        .await;
    let api = bot.stop().await;
    assert_each_answered_once(&api, 201);
    api.read(|a| {
        let refused = a
            .calls
            .iter()
            .filter(|c| c.method == "sendMessage" && c.ok == Some(false))
            .count();
        assert_eq!(refused, 4, "every fault was met, and retried");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_malformed_get_updates_lose_and_double_nothing() {
    let bot = Running::start().await;
    bot.api.fault("getUpdates", Fault::Malformed);
    bot.api
        .fault("getUpdates", Fault::Delay(Duration::from_millis(1500)));
    bot.api.fault("getUpdates", Fault::Malformed);
    ask_all(&bot, 301).await;
    text(&bot.api, private_chat(399), 399, "what is pei");
    bot.api
        .until(PROMPT, "a later answer", |a| a.sent_to(399).len() == 1)
        .await;
    let api = bot.stop().await;
    assert_each_answered_once(&api, 301);
    api.read(|a| {
        let malformed = a
            .calls
            .iter()
            .filter(|c| c.method == "getUpdates" && c.ok == Some(false))
            .count();
        assert_eq!(malformed, 2, "both malformed replies were met");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flood_control_with_throttle_on_loses_and_doubles_nothing() {
    let options = liverline::frontend::telegram::Options {
        throttle: true,
        ..Default::default()
    };
    let bot = Running::with(options).await;
    bot.api.fault("sendMessage", Fault::RetryAfter(1));
    bot.api.fault("sendMessage", Fault::RetryAfter(1));
    ask_all(&bot, 401).await;
    let api = bot.stop().await;
    assert_each_answered_once(&api, 401);
}
