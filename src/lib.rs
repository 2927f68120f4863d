//! liverline: a support-line assistant for people facing liver cancer
//! treatment. It answers from one trusted source, the American Cancer
//! Society guide "Treating Liver Cancer".
//!
//! The pipeline: a front-end (console, Telegram) builds a [`engine::Query`];
//! [`engine::Engine::answer`] folds and normalises the text ([`nlu`]), runs
//! the emergency screens first ([`safety`]), classifies, resolves follow-ups
//! from the chat's last topic, decides (answer, clarify, fallback), screens
//! for personal advice and composes a format-neutral [`reply::Reply`]; the
//! front-end renders it ([`reply::plain`], JSON, Telegram HTML), and every
//! renderer ends with the footer. Content ([`content`]) is data: loaded from
//! a folder or the embedded default, checked as a whole.

pub mod config;
pub mod content;
pub mod dialog;
pub mod engine;
pub mod eval;
pub mod frontend;
pub mod nlu;
pub mod ops;
pub mod reply;
pub mod safety;
pub mod store;
pub mod text;

pub use engine::{Engine, Query};

/// mimalloc for every binary built on this crate (the bot, the benches):
/// see its line in Cargo.toml for what it measured.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
