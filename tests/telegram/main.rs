//! End-to-end tests of the Telegram front-end: the bot (in-process through
//! `telegram::run`, and as the built binary) against a fake Bot API server
//! on loopback, reached through its URL as `TELOXIDE_API_URL` would. A
//! second test binary, apart from `tests/integration/`. Replicas share a
//! real redis-server (`redis`), skipped without one outside CI.

mod deploy;
mod fake;
mod faults;
mod groups;
mod harness;
mod menus;
mod methods;
mod ops;
mod private;
mod process;
mod quickref;
mod redis;
mod reliability;
mod replicas;
mod rules;
mod web;
