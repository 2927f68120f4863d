//! "More": the whole section a topic's passage comes from, as the guide
//! sets it out (its subheadings kept, no sentence twice), and that section
//! in pages of about `PAGE_CHARS` characters for reading in place.

use super::Engine;
use crate::content::Content;
use crate::reply::{Page, Reply};
use std::collections::HashSet;

/// About how many characters a page of a section holds: a screen of a
/// phone, and well under one Telegram message with the footer.
pub const PAGE_CHARS: usize = 1500;

impl Engine {
    /// The section in pages of about `PAGE_CHARS` characters.
    fn section_pages(&self, i: usize) -> Vec<String> {
        let mut pages: Vec<String> = Vec::new();
        let mut page = String::new();
        for block in section_blocks(&self.content, i, true) {
            let len = page.chars().count() + block.chars().count();
            if !page.is_empty() && len > PAGE_CHARS {
                pages.push(std::mem::take(&mut page));
            }
            if !page.is_empty() {
                page.push_str("\n\n");
            }
            page.push_str(&block);
        }
        if !page.is_empty() {
            pages.push(page);
        }
        pages
    }

    /// How many pages the section of a topic has beyond its own passage.
    pub fn page_count(&self, id: &str) -> usize {
        self.index_of(id).map_or(0, |i| self.section_pages(i).len())
    }

    /// Whether the section has more than the topic's own passage
    /// (computed once, when the engine is built).
    pub(super) fn has_more(&self, i: usize) -> bool {
        self.conversing.has_more.get(i).copied().unwrap_or(false)
    }

    /// Page `n` (from 1) of the section a topic's passage comes from.
    pub fn page(&self, id: &str, n: usize) -> Option<Reply> {
        let i = self.index_of(id)?;
        let pages = self.section_pages(i);
        let total = pages.len();
        let n = n.clamp(1, total.max(1));
        let text = pages.into_iter().nth(n - 1)?;
        let mut reply = self.answer_reply(i, 1.0, Vec::new());
        let section = self.content.intents[i].response.as_ref()?.section.clone();
        reply.lead = None;
        if let Some(ex) = reply.excerpt.as_mut() {
            ex.title = self
                .content
                .framing
                .page
                .replace("{title}", &section)
                .replace("{n}", &n.to_string())
                .replace("{total}", &total.to_string());
            ex.text = text;
        }
        reply.related.clear();
        reply.has_more = n < total;
        reply.page = Some(Page { n, total });
        Some(reply)
    }

    /// Past the last page (or before the first): says so, and offers the
    /// topic's related topics.
    pub fn section_end(&self, id: &str) -> Reply {
        let mut reply = self.no_more(id);
        reply.lead = Some(self.content.framing.section_end.clone());
        reply
    }

    /// The whole section at once (`show --more`): every page, in order.
    pub fn more(&self, id: &str) -> Option<Reply> {
        let i = self.index_of(id)?;
        let r = self.content.intents[i].response.as_ref()?;
        let mut reply = self.answer_reply(i, 1.0, Vec::new());
        if let Some(ex) = reply.excerpt.as_mut() {
            ex.title = r.section.clone();
            ex.text = section_blocks(&self.content, i, false).join("\n\n");
        }
        reply.has_more = false;
        Some(reply)
    }
}

/// The section of a topic's passage as blocks: each a subheading (when
/// it changes) and a paragraph, sentences already shown left out. With
/// `skip_own`, the topic's own passage (just read) counts as shown.
pub(super) fn section_blocks(content: &Content, i: usize, skip_own: bool) -> Vec<String> {
    let Some(r) = content.intents[i].response.as_ref() else {
        return Vec::new();
    };
    let mut seen: HashSet<String> = HashSet::new();
    if skip_own {
        for para in r.excerpt.split("\n\n") {
            seen.extend(para.lines().map(|l| l.trim().to_string()));
            seen.extend(crate::content::source::sentences(para));
        }
    }
    let mut heading: Option<&str> = None;
    let mut blocks = Vec::new();
    for other in &content.intents {
        let Some(o) = other.response.as_ref().filter(|o| o.section == r.section) else {
            continue;
        };
        let sub = o.subsection.as_deref();
        let mut first = sub.is_some() && sub != heading;
        heading = sub.or(heading);
        for para in o.excerpt.split("\n\n").map(str::trim) {
            let list = para.lines().count() > 1;
            let pieces: Vec<String> = if list {
                para.lines().map(str::to_string).collect()
            } else {
                crate::content::source::sentences(para)
            };
            let fresh: Vec<String> = pieces
                .into_iter()
                .filter(|p| seen.insert(p.trim().to_string()))
                .collect();
            if fresh.is_empty() {
                continue;
            }
            let text = fresh.join(if list { "\n" } else { " " });
            if first {
                blocks.push(format!("{}\n\n{text}", sub.unwrap_or_default()));
                first = false;
            } else {
                blocks.push(text);
            }
        }
    }
    blocks
}
