//! Which messages the bot answers, and as what: the rules for private
//! chats and groups, and how a command is read. Pure (no I/O), so the rules are
//! tested as a table; the handlers only act on the `Route` chosen here.

use super::schema::Command;
use teloxide::types::{MediaKind, Message, MessageKind};
use teloxide::utils::command::BotCommands;

/// What to do with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Command(Command),
    /// A question, with any @mention of the bot taken out.
    Text(String),
    /// A sticker, photo, voice message, file...
    NonText,
}

/// The facts about a message that decide its route.
#[derive(Debug, Clone, Default)]
pub struct Incoming<'a> {
    pub private: bool,
    pub text: Option<&'a str>,
    /// Content other than text (service messages such as "X joined" are not).
    pub media: bool,
    /// A reply to one of the bot's own messages.
    pub reply_to_me: bool,
    /// Sent by a configured admin: only they have /reload and /stats.
    pub admin: bool,
}

impl<'a> Incoming<'a> {
    pub fn of(msg: &'a Message, me_id: u64, admin: bool) -> Incoming<'a> {
        let media = match &msg.kind {
            MessageKind::Common(c) => !matches!(c.media_kind, MediaKind::Text(_)),
            MessageKind::Dice(_) => true,
            _ => false,
        };
        let reply_to_me = msg
            .reply_to_message()
            .and_then(|m| m.from.as_ref())
            .is_some_and(|u| u.id.0 == me_id);
        Incoming {
            private: msg.chat.is_private(),
            text: msg.text(),
            media,
            reply_to_me,
            admin,
        }
    }
}

/// Private chats: everything is for the bot. Groups: commands for it (bare
/// or `/cmd@bot`), messages that @mention it and replies to its own
/// messages; everything else is other people's conversation: `None`.
pub fn route(msg: &Incoming, username: &str) -> Option<Route> {
    let Some(text) = msg.text else {
        let addressed = msg.private || msg.reply_to_me;
        return (msg.media && addressed).then_some(Route::NonText);
    };
    if let Some(parsed) = command(text, username) {
        return match parsed {
            // Admin commands do not exist for anyone else: read as unknown.
            Parsed::Ours(c) if c.admin_only() && !msg.admin => {
                let addressed = text
                    .split_whitespace()
                    .next()
                    .is_some_and(|h| h.contains('@'));
                (msg.private || addressed).then_some(Route::Command(Command::Help))
            }
            Parsed::Ours(c) => Some(Route::Command(c)),
            // "/foo" in a group may be for another bot; "/foo@us" is for us.
            Parsed::Unknown { addressed } if msg.private || addressed => {
                Some(Route::Command(Command::Help))
            }
            Parsed::Unknown { .. } | Parsed::Foreign => None,
        };
    }
    let (rest, mentioned) = strip_mention(text, username);
    if msg.private || msg.reply_to_me || mentioned {
        Some(Route::Text(rest))
    } else {
        None
    }
}

enum Parsed {
    Ours(Command),
    Unknown {
        addressed: bool,
    },
    /// `/cmd@other_bot`.
    Foreign,
}

fn command(text: &str, username: &str) -> Option<Parsed> {
    let text = text.trim_start();
    let head = text.split_whitespace().next()?.strip_prefix('/')?;
    let args = text[text.find(char::is_whitespace).unwrap_or(text.len())..].trim();
    let (name, bot) = match head.split_once('@') {
        Some((name, bot)) => (name, Some(bot)),
        None => (head, None),
    };
    if bot.is_some_and(|b| !b.eq_ignore_ascii_case(username)) {
        return Some(Parsed::Foreign);
    }
    // Commands are matched case-insensitively; only /start takes an
    // argument (a deep-link payload), other commands ignore theirs.
    let name = name.to_lowercase();
    let line = match (name.as_str(), args.split_whitespace().next()) {
        ("start", Some(payload)) => format!("/start {payload}"),
        _ => format!("/{name}"),
    };
    Some(match Command::parse(&line, username) {
        Ok(c) => Parsed::Ours(c),
        Err(_) => Parsed::Unknown {
            addressed: bot.is_some(),
        },
    })
}

/// Removes every `@username` of the bot (any case, trailing punctuation
/// allowed); says whether there was one.
fn strip_mention(text: &str, username: &str) -> (String, bool) {
    let mention = format!("@{username}");
    let mut found = false;
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| {
            let bare = w.trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '_');
            let hit = bare.eq_ignore_ascii_case(&mention);
            found |= hit;
            !hit
        })
        .collect();
    if found {
        (words.join(" "), true)
    } else {
        (text.to_string(), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "liverline_bot";

    fn text(private: bool, reply_to_me: bool, t: &str) -> Option<Route> {
        route(
            &Incoming {
                private,
                text: Some(t),
                media: false,
                reply_to_me,
                admin: false,
            },
            ME,
        )
    }

    #[test]
    fn private_chats_get_everything() {
        let cases = [
            ("what is tace", Some(Route::Text("what is tace".into()))),
            (
                "/start",
                Some(Route::Command(Command::Start(String::new()))),
            ),
            (
                "/start tace",
                Some(Route::Command(Command::Start("tace".into()))),
            ),
            (
                "/START   tace  extra",
                Some(Route::Command(Command::Start("tace".into()))),
            ),
            ("/help me please", Some(Route::Command(Command::Help))),
            (
                "/topics@LiverLine_Bot",
                Some(Route::Command(Command::Topics)),
            ),
            ("/trials", Some(Route::Command(Command::Trials))),
            ("/tace", Some(Route::Command(Command::Help))),
            ("/help@other_bot", None),
            ("", Some(Route::Text(String::new()))),
        ];
        for (t, want) in cases {
            assert_eq!(text(true, false, t), want, "{t:?}");
        }
    }

    #[test]
    fn groups_get_only_what_is_addressed_to_the_bot() {
        let cases = [
            (false, "what is tace", None),
            (false, "I read about @someone_else", None),
            (
                false,
                "@liverline_bot what is tace?",
                Some(Route::Text("what is tace?".into())),
            ),
            (
                false,
                "what is tace, @LIVERLINE_BOT?",
                Some(Route::Text("what is tace,".into())),
            ),
            (false, "@liverline_botx hi", None),
            (false, "/about", Some(Route::Command(Command::About))),
            (
                false,
                "/about@liverline_bot",
                Some(Route::Command(Command::About)),
            ),
            (false, "/about@other_bot", None),
            (false, "/ban", None),
            (
                false,
                "/ban@liverline_bot",
                Some(Route::Command(Command::Help)),
            ),
            (
                true,
                "and its side effects?",
                Some(Route::Text("and its side effects?".into())),
            ),
        ];
        for (reply_to_me, t, want) in cases {
            assert_eq!(text(false, reply_to_me, t), want, "{t:?}");
        }
    }

    #[test]
    fn admin_commands_exist_only_for_admins() {
        let as_user = |private, admin, t: &str| {
            route(
                &Incoming {
                    private,
                    text: Some(t),
                    admin,
                    ..Incoming::default()
                },
                ME,
            )
        };
        assert_eq!(
            as_user(true, true, "/reload"),
            Some(Route::Command(Command::Reload))
        );
        assert_eq!(
            as_user(true, true, "/stats"),
            Some(Route::Command(Command::Stats))
        );
        assert_eq!(
            as_user(false, true, "/stats@liverline_bot"),
            Some(Route::Command(Command::Stats))
        );
        // Everyone else: exactly what any unknown command gets.
        for (private, t) in [
            (true, "/reload"),
            (true, "/stats"),
            (false, "/reload"),
            (false, "/stats@liverline_bot"),
        ] {
            let unknown = t.replace("reload", "ban").replace("stats", "ban");
            assert_eq!(
                as_user(private, false, t),
                as_user(private, false, &unknown),
                "{t}"
            );
        }
    }

    #[test]
    fn non_text_is_answered_where_the_bot_is_addressed() {
        let media = |private, reply_to_me| {
            route(
                &Incoming {
                    private,
                    text: None,
                    media: true,
                    reply_to_me,
                    admin: false,
                },
                ME,
            )
        };
        assert_eq!(media(true, false), Some(Route::NonText));
        assert_eq!(media(false, true), Some(Route::NonText));
        assert_eq!(media(false, false), None);
        let service = Incoming {
            private: true,
            text: None,
            media: false,
            reply_to_me: false,
            admin: false,
        };
        assert_eq!(
            route(&service, ME),
            None,
            "service messages are not questions"
        );
    }
}
