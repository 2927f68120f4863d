//! What the bot remembers between updates, as the handlers see it: each
//! chat's dialogue session, and which page each `/topics` menu message
//! shows, so a second tap on the same button never asks Telegram to "edit"
//! a message into what it already says. Kept in the bot's store
//! (`crate::store`: in memory, or in Redis shared by replicas); only ids
//! are kept, never message text.

use crate::dialog::Session;
use crate::store::Store;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Memory {
    store: Arc<Store>,
}

impl Memory {
    pub fn new(store: Arc<Store>) -> Memory {
        Memory { store }
    }

    /// The chat's session (a fresh one when none is kept).
    pub async fn session(&self, chat: i64) -> Session {
        self.store.session(chat).await
    }

    pub async fn save(&self, chat: i64, session: &Session) {
        self.store.save_session(chat, session).await;
    }

    /// The page (its callback data) a menu message was last set to.
    pub async fn page(&self, chat: i64, message: i32) -> Option<String> {
        self.store.page(chat, message).await
    }

    pub async fn set_page(&self, chat: i64, message: i32, page: &str) {
        self.store.set_page(chat, message, page).await;
    }
}
