//! Front-ends: they transport messages to the engine and render replies.
//! They drop what they must ignore and never hold message text longer than
//! one reply needs.

pub mod cli;
pub mod console;
pub mod telegram;
pub mod term;
pub mod web;
