//! The whole handler tree in one place, and the command menu it serves:
//! which update goes to which handler.
//! Messages are routed by `route::route` (private chats, groups, commands);
//! a message it declines, an edited message or any other update kind falls
//! through to the dispatcher's default handler, which only counts it.

use super::handlers;
use super::inline;
use super::route::{self, Incoming, Route};
use crate::content::Level;
use crate::ops::Ops;
use crate::ops::flood::Verdict;
use std::sync::Arc;
use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::{Me, UpdateKind};
use teloxide::utils::command::BotCommands;

// The commands in the bot's menu (`setMyCommands`). The variants' doc
// comments become the menu's descriptions; this one is a plain comment,
// or BotCommands would show it to users in /help.
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
    /// Reload the content folder (admins only; not in the menu)
    #[command(hide)]
    Reload,
    /// Today's counts (admins only; not in the menu)
    #[command(hide)]
    Stats,
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

    /// Commands only `[admin] user_ids` may use.
    pub fn admin_only(&self) -> bool {
        matches!(self, Command::Reload | Command::Stats)
    }
}

/// Message, edited message, callback query and inline query handlers. The
/// dispatcher asks Telegram only for these update kinds (it reads them off
/// this tree); an edit is answered only when it reads as an emergency.
/// Every update is counted by type (`/metrics`) as soon as its kind is
/// known (the intake counts the rest). Flood control has already counted
/// a message on arrival (`intake`): its verdict is given with the update,
/// and a message over the limit never gets here, except the first, which
/// is asked to slow down.
pub fn schema() -> UpdateHandler<anyhow::Error> {
    let count = |u: Update, ops: Arc<Ops>| ops.metrics.update(update_kind(&u.kind));
    let messages = Update::filter_message()
        .inspect(count)
        .filter_map(|msg: Message, me: Me, ops: Arc<Ops>| {
            let admin = ops.is_admin(msg.from.as_ref().map(|u| u.id.0));
            route::route(&Incoming::of(&msg, me.id.0, admin), me.username())
        })
        .branch(dptree::case![Verdict::SlowDown].endpoint(handlers::slow_down))
        .branch(dptree::case![Route::Command(cmd)].endpoint(handlers::command))
        .branch(dptree::case![Route::Text(text)].endpoint(handlers::text))
        .branch(dptree::case![Route::NonText].endpoint(handlers::non_text));

    // An edited message is answered only when the edit reads as an
    // emergency or a crisis: what someone adds to a message they already
    // sent may be the one thing that must not go unanswered. Other edits
    // stay silent (the original was answered).
    let edits = Update::filter_edited_message()
        .inspect(count)
        .filter_map(|msg: Message, me: Me, ops: Arc<Ops>| {
            let admin = ops.is_admin(msg.from.as_ref().map(|u| u.id.0));
            match route::route(&Incoming::of(&msg, me.id.0, admin), me.username())? {
                Route::Text(text) if ops.live.engine().triage(&text).level <= Level::Emergency => {
                    Some(text)
                }
                _ => None,
            }
        })
        .endpoint(handlers::text);

    dptree::entry()
        .branch(messages)
        .branch(edits)
        .branch(
            Update::filter_callback_query()
                .inspect(count)
                .endpoint(handlers::callback),
        )
        .branch(
            Update::filter_inline_query()
                .inspect(count)
                .endpoint(inline::inline),
        )
}

/// An update's type as `/metrics` labels it.
pub fn update_kind(kind: &UpdateKind) -> &'static str {
    match kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::EditedMessage(_) => "edited_message",
        UpdateKind::CallbackQuery(_) => "callback_query",
        UpdateKind::InlineQuery(_) => "inline_query",
        _ => "other",
    }
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
