//! The whole handler tree in one place, and the command menu it serves:
//! which update goes to which handler.
//! Messages are routed by `route::route` (private chats, groups, commands);
//! a message it declines, an edited message or any other update kind falls
//! through to the dispatcher's default handler, which only counts it.

use super::handlers;
use super::route::{self, Incoming, Route};
use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::Me;
use teloxide::utils::command::BotCommands;

/// The commands in the bot's menu (`setMyCommands`). Doc comments become
/// the menu's descriptions.
#[derive(BotCommands, Debug, Clone, PartialEq, Eq)]
#[command(rename_rule = "lowercase", description = "Commands:")]
pub enum Command {
    /// Start, or open a topic from a link
    Start(String),
    /// How to ask, and what I can help with
    Help,
    /// Browse the topics
    Topics,
    /// Treatment by stage
    Stages,
    /// Which doctors treat liver cancer
    Doctors,
    /// Clinical trials
    Trials,
    /// Help getting through treatment
    Support,
    /// What this bot is and where its answers come from
    About,
}

impl Command {
    /// The topic a shortcut command answers (ids from `intents/`).
    pub fn topic(&self) -> Option<&'static str> {
        match self {
            Command::Stages => Some("stage_overview"),
            Command::Doctors => Some("doctors"),
            Command::Trials => Some("clinical_trials"),
            Command::Support => Some("support"),
            _ => None,
        }
    }
}

/// Message, callback query and inline query handlers. The dispatcher asks
/// Telegram only for these update kinds (it reads them off this tree), so
/// edited messages are never fetched, let alone answered twice.
pub fn schema() -> UpdateHandler<anyhow::Error> {
    let messages = Update::filter_message()
        .filter_map(|msg: Message, me: Me| {
            route::route(&Incoming::of(&msg, me.id.0), me.username())
        })
        .branch(dptree::case![Route::Command(cmd)].endpoint(handlers::command))
        .branch(dptree::case![Route::Text(text)].endpoint(handlers::text))
        .branch(dptree::case![Route::NonText].endpoint(handlers::non_text));

    dptree::entry()
        .branch(messages)
        .branch(Update::filter_callback_query().endpoint(handlers::callback))
        .branch(Update::filter_inline_query().endpoint(handlers::inline))
}

/// The command menu as `setMyCommands` takes it: names without the slash.
pub fn menu() -> Vec<teloxide::types::BotCommand> {
    Command::bot_commands()
        .into_iter()
        .map(|mut c| {
            c.command = c.command.trim_start_matches('/').to_string();
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_in_the_menu_and_shortcuts_name_topics() {
        let menu: Vec<String> = Command::bot_commands()
            .into_iter()
            .map(|c| c.command)
            .collect();
        assert_eq!(
            menu,
            [
                "/start", "/help", "/topics", "/stages", "/doctors", "/trials", "/support",
                "/about"
            ]
        );
        let topics: Vec<_> = [
            Command::Stages,
            Command::Doctors,
            Command::Trials,
            Command::Support,
        ]
        .iter()
        .map(Command::topic)
        .collect();
        assert!(topics.iter().all(Option::is_some));
    }

    #[test]
    fn the_menu_is_valid_for_set_my_commands() {
        for c in menu() {
            assert!((1..=32).contains(&c.command.len()), "{}", c.command);
            assert!(
                c.command
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            );
            assert!((1..=256).contains(&c.description.chars().count()));
        }
    }
}
