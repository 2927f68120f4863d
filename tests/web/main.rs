//! The staff quick reference: the JSON API and the page over loopback HTTP
//! (schema, escaping of hostile input, limits, headers, page weight), and
//! the page in a real headless Chromium (typing, links, keyboard, copy,
//! JavaScript off, emergencies).

mod api;
mod browser;
mod harness;
mod layout;
