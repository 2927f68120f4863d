//! One integration-test binary (as ripgrep does): content rules, the golden
//! questions, safety, rendering, hostile input and the CLI, through small
//! helpers.

mod cli;
mod content;
mod conversation;
mod golden;
mod hostile;
mod replies;
mod report;
mod safety_set;
mod unix;
mod util;
