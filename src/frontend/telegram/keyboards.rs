//! Inline keyboards: the buttons under a reply (related topics, "more",
//! clarify choices, "continue in private"), the `/topics` menu pages and the
//! button on an inline answer card. Every callback button's data comes from
//! the codec; a button whose data would not fit is left out.

use super::codec::{self, Action};
use crate::content::Framing;
use crate::engine::Engine;
use crate::reply::{Choice, Kind, Reply};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

const MORE: &str = "📖 More from this section";
const BROWSE: &str = "📚 Browse topics";
const BACK: &str = "« All categories";
const PRIVATE: &str = "💬 Continue in a private chat";
const OPEN: &str = "💬 Ask liverline";
const MENU_PROMPT: &str = "Choose a category:";
const CATEGORY_PROMPT: &str = "Choose a topic:";
/// Related topics shown as buttons at most (the rest are a tap away).
const MAX_RELATED: usize = 4;

/// Where a reply goes: groups get a deep link to a private chat instead of
/// the full section, which would flood the group.
#[derive(Debug, Clone, Copy)]
pub enum Place<'a> {
    /// A private chat; `inline` when the bot has inline mode (a Share
    /// button needs it: Telegram refuses one otherwise).
    Private {
        inline: bool,
    },
    Group {
        username: &'a str,
    },
}

/// The buttons under a reply, if any.
pub fn for_reply(reply: &Reply, place: Place, framing: &Framing) -> Option<InlineKeyboardMarkup> {
    let mut rows: Vec<Vec<InlineKeyboardButton>> = Vec::new();
    match reply.kind {
        Kind::Clarify | Kind::Support | Kind::NotInGuide if !reply.choices.is_empty() => {
            rows.extend(reply.choices.iter().filter_map(topic_row))
        }
        Kind::Answer | Kind::PersonalAdvice if reply.intent.is_some() => {
            rows.extend(reply.related.iter().take(MAX_RELATED).filter_map(topic_row));
            let id = reply.intent.as_deref().unwrap_or_default();
            match place {
                Place::Private { inline } => {
                    rows.extend(pages_row(reply, id, framing));
                    if reply.has_more && reply.page.is_none() {
                        rows.extend(callback(MORE, &Action::More(id.into())).map(|b| vec![b]));
                    }
                    if inline {
                        rows.extend(share(reply, framing).map(|b| vec![b]));
                    }
                }
                Place::Group { username } => {
                    rows.extend(deep_link(PRIVATE, username, id).map(|b| vec![b]))
                }
            }
        }
        Kind::Fallback
        | Kind::Greeting
        | Kind::Help
        | Kind::NonText
        | Kind::PersonalAdvice
        | Kind::Urgent
        | Kind::NotInGuide
        | Kind::Support
        | Kind::SmallTalk
        | Kind::Clarify => rows.extend(callback(BROWSE, &Action::Menu).map(|b| vec![b])),
        // An emergency reply carries nothing that could distract from it.
        Kind::Emergency | Kind::Crisis | Kind::Answer => {}
    }
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

/// Previous / Next under a page of a section.
fn pages_row(reply: &Reply, id: &str, framing: &Framing) -> Option<Vec<InlineKeyboardButton>> {
    let page = reply.page?;
    let mut row = Vec::new();
    if page.n > 1 {
        row.extend(callback(
            &framing.previous,
            &Action::Page(id.into(), page.n - 1),
        ));
    }
    if page.n < page.total {
        row.extend(callback(
            &framing.next,
            &Action::Page(id.into(), page.n + 1),
        ));
    }
    (!row.is_empty()).then_some(row)
}

/// "Share": opens inline mode in a chat of the person's choosing, on this
/// topic, so the answer card can be posted there.
fn share(reply: &Reply, framing: &Framing) -> Option<InlineKeyboardButton> {
    let title = &reply.excerpt.as_ref()?.title;
    let query = match reply.page {
        Some(_) => reply.intent.clone()?,
        None => title.clone(),
    };
    Some(InlineKeyboardButton::switch_inline_query(
        framing.share.clone(),
        query,
    ))
}

/// A page of the `/topics` menu: its text (plain, no parse mode) and buttons.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub text: String,
    pub keyboard: InlineKeyboardMarkup,
}

/// The first page: one button per category that has topics.
pub fn menu(engine: &Engine) -> Page {
    let framing = &engine.content().framing;
    let rows = framing
        .categories
        .iter()
        .filter(|c| !engine.topics_in(&c.file).is_empty())
        .filter_map(|c| callback(&c.title, &Action::Category(c.file.clone())).map(|b| vec![b]))
        .collect::<Vec<_>>();
    Page {
        text: format!("{MENU_PROMPT}\n\n{}", framing.footer),
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// One category's topics and a way back; `None` for an unknown category
/// (stale or forged button data).
pub fn category(engine: &Engine, file: &str) -> Option<Page> {
    let framing = &engine.content().framing;
    let title = &framing.categories.iter().find(|c| c.file == file)?.title;
    let topics = engine.topics_in(file);
    if topics.is_empty() {
        return None;
    }
    let mut rows: Vec<Vec<InlineKeyboardButton>> = topics.iter().filter_map(topic_row).collect();
    rows.extend(callback(BACK, &Action::Menu).map(|b| vec![b]));
    Some(Page {
        text: format!("{title}\n{CATEGORY_PROMPT}\n\n{}", framing.footer),
        keyboard: InlineKeyboardMarkup::new(rows),
    })
}

/// The button under an inline answer card: opens the topic in a private chat
/// with the bot (a URL button: the card lives in someone else's chat, where
/// the bot could not answer a callback with a message).
pub fn for_card(username: &str, topic: Option<&str>) -> Option<InlineKeyboardMarkup> {
    let button = match topic {
        Some(id) => deep_link(OPEN, username, id)?,
        None => InlineKeyboardButton::url(OPEN, format!("https://t.me/{username}").parse().ok()?),
    };
    Some(InlineKeyboardMarkup::new([[button]]))
}

fn topic_row(choice: &Choice) -> Option<Vec<InlineKeyboardButton>> {
    callback(&choice.title, &Action::Topic(choice.intent.clone())).map(|b| vec![b])
}

fn callback(label: &str, action: &Action) -> Option<InlineKeyboardButton> {
    codec::encode(action).map(|data| InlineKeyboardButton::callback(label, data))
}

/// `https://t.me/<bot>?start=<topic>`: Telegram opens the private chat and
/// sends `/start <topic>`.
fn deep_link(label: &str, username: &str, topic: &str) -> Option<InlineKeyboardButton> {
    if !codec::is_id(topic) {
        return None;
    }
    let url = format!("https://t.me/{username}?start={topic}")
        .parse()
        .ok()?;
    Some(InlineKeyboardButton::url(label, url))
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::types::InlineKeyboardButtonKind;

    fn engine() -> Engine {
        Engine::new(crate::content::embedded().expect("shipped content"))
    }

    fn data(markup: &InlineKeyboardMarkup) -> Vec<String> {
        markup
            .inline_keyboard
            .iter()
            .flatten()
            .map(|b| match &b.kind {
                InlineKeyboardButtonKind::CallbackData(d) => d.clone(),
                InlineKeyboardButtonKind::Url(u) => u.to_string(),
                InlineKeyboardButtonKind::SwitchInlineQuery(q) => format!("share:{q}"),
                other => panic!("unexpected button {other:?}"),
            })
            .collect()
    }

    #[test]
    fn answers_offer_related_topics_and_more_or_a_deep_link() {
        let e = engine();
        let reply = e.topic("sorafenib").expect("topic");
        let framing = &e.content().framing;
        let private =
            data(&for_reply(&reply, Place::Private { inline: true }, framing).expect("buttons"));
        assert!(private.iter().any(|d| d == "m:sorafenib"), "{private:?}");
        assert_eq!(
            private.last().map(String::as_str),
            Some("share:Sorafenib (Nexavar): what it is and how it is taken")
        );
        assert!(private.iter().any(|d| d.starts_with("t:")));
        let group = data(
            &for_reply(
                &reply,
                Place::Group {
                    username: "liverline_bot",
                },
                framing,
            )
            .expect("buttons"),
        );
        assert_eq!(
            group.last().map(String::as_str),
            Some("https://t.me/liverline_bot?start=sorafenib")
        );
    }

    #[test]
    fn pages_turn_with_previous_and_next() {
        let e = engine();
        let framing = &e.content().framing;
        let first = e.page("rfa", 1).expect("page");
        let page = first.page.expect("paged");
        assert!(page.total >= 2, "{page:?}");
        let buttons =
            data(&for_reply(&first, Place::Private { inline: true }, framing).expect("buttons"));
        assert!(buttons.contains(&"p:2:rfa".to_string()), "{buttons:?}");
        assert!(!buttons.iter().any(|b| b.starts_with("p:0")), "{buttons:?}");
        let second = e.page("rfa", 2).expect("page");
        let buttons =
            data(&for_reply(&second, Place::Private { inline: true }, framing).expect("buttons"));
        assert!(buttons.contains(&"p:1:rfa".to_string()), "{buttons:?}");
    }

    #[test]
    fn the_menu_reaches_every_answer_topic_within_the_limit() {
        let e = engine();
        let home = menu(&e);
        let mut topics = Vec::new();
        for d in data(&home.keyboard) {
            let Ok(Action::Category(file)) = codec::decode(Some(&d)) else {
                panic!("{d}")
            };
            let page = category(&e, &file).expect("category page");
            assert_ne!(page, home);
            let all = data(&page.keyboard);
            assert_eq!(all.last().map(String::as_str), Some("menu"));
            topics.extend(all.into_iter().filter(|d| d.starts_with("t:")));
        }
        let answers = e
            .content()
            .intents
            .iter()
            .filter(|i| i.response.is_some())
            .count();
        assert_eq!(topics.len(), answers);
        assert!(topics.iter().all(|d| d.len() <= codec::MAX_BYTES));
        assert!(category(&e, "nope").is_none());
    }
}
