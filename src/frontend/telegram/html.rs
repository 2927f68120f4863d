//! Replies as Telegram messages: HTML parts under Telegram's 4096-unit
//! limit with the footer whole in the last one, and the one-message form an
//! inline answer card needs. Every part is checked for well-formed HTML
//! before it leaves: a cut inside a tag or an entity would make Telegram
//! refuse the whole message, so such a reply is sent as escaped plain text.

use super::split::split;
use crate::reply::{Kind, Reply, plain};
use crate::text::utf16_len;

/// Telegram's limit on a message's text, in UTF-16 units. The HTML source is
/// kept under it (stricter than Telegram, which counts the text after tags).
pub const LIMIT: usize = 4096;
/// A card's description line in the inline results list.
const DESCRIPTION_CHARS: usize = 120;

/// The reply as one or more HTML messages, in order; the footer is whole in
/// the last one.
pub fn parts(reply: &Reply) -> Vec<String> {
    let parts = split(&telegram_html(reply), LIMIT);
    if parts.iter().all(|p| fits(p)) {
        return parts;
    }
    // Only a paragraph longer than the limit is cut inside; escape the plain
    // text part by part instead, so no cut falls inside markup.
    plain_parts(&plain(reply), LIMIT)
}

/// The reply as a single message for an inline card: if it is too long, the
/// excerpt is shortened at sentence boundaries (source and footer stay).
pub fn single(reply: &Reply) -> String {
    let html = telegram_html(reply);
    if fits(&html) {
        return html;
    }
    let mut short = reply.clone();
    if let Some(ex) = &reply.excerpt {
        let mut sentences: Vec<&str> = ex.text.split_inclusive(['.', '?', '!', '\n']).collect();
        while sentences.len() > 1 {
            sentences.pop();
            if let Some(e) = short.excerpt.as_mut() {
                e.text = format!("{} …", sentences.concat().trim_end());
            }
            let html = telegram_html(&short);
            if fits(&html) {
                return html;
            }
        }
        short.excerpt = None;
    }
    let html = telegram_html(&short);
    if fits(&html) {
        html
    } else {
        plain_parts(&plain(reply), LIMIT).pop().unwrap_or_default()
    }
}

/// The short line under a card's title: the start of the excerpt or lead.
pub fn description(reply: &Reply) -> String {
    let text = match (&reply.excerpt, &reply.lead) {
        (Some(ex), _) => ex.text.as_str(),
        (None, Some(lead)) => lead.as_str(),
        (None, None) => reply.footer.as_str(),
    };
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(DESCRIPTION_CHARS) {
        Some((at, _)) => format!("{}…", flat[..at].trim_end()),
        None => flat,
    }
}

/// A card's title.
pub fn title(reply: &Reply) -> String {
    match (&reply.excerpt, reply.kind) {
        (Some(ex), _) => ex.title.clone(),
        (None, Kind::Emergency) => "Call 911 (or your local emergency number) now".into(),
        (None, Kind::Fallback) => "Not covered by the guide".into(),
        (None, _) => "liverline".into(),
    }
}

fn fits(html: &str) -> bool {
    utf16_len(html) <= LIMIT && well_formed(html)
}

/// Plain text split under `limit` and escaped; a part that grows past the
/// limit once escaped is split again, smaller.
fn plain_parts(text: &str, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    for part in split(text, limit) {
        let escaped = escape(&part);
        if utf16_len(&escaped) <= LIMIT || limit <= 64 {
            out.push(escaped);
        } else {
            out.extend(plain_parts(&part, limit / 2));
        }
    }
    out
}

/// Whether Telegram's HTML parser accepts the text: only the tags we write
/// (`b`, `i`), properly nested and closed, and `&` only in an entity.
pub fn well_formed(html: &str) -> bool {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(['<', '>', '&']) {
        let tail = &rest[at..];
        if tail.starts_with('>') {
            return false;
        }
        if tail.starts_with('&') {
            let entity = ["&amp;", "&lt;", "&gt;", "&quot;"]
                .iter()
                .find(|e| tail.starts_with(**e));
            let Some(entity) = entity else { return false };
            rest = &tail[entity.len()..];
            continue;
        }
        let Some(end) = tail.find('>') else {
            return false;
        };
        let tag = &tail[1..end];
        match tag.strip_prefix('/') {
            Some(name) if open.pop() == Some(name) => {}
            Some(_) => return false,
            None if matches!(tag, "b" | "i") => open.push(tag),
            None => return false,
        }
        rest = &tail[end + 1..];
    }
    open.is_empty()
}

/// Escapes text for Telegram's HTML parse mode.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The reply as Telegram HTML, one string (`parts` splits it).
/// Every piece of text is escaped; only our own tags are added.
fn telegram_html(reply: &Reply) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(lead) = &reply.lead {
        parts.push(escape(lead));
    }
    for ex in reply.excerpt.iter().chain(&reply.also) {
        parts.push(format!(
            "<b>{}</b>\n\n{}",
            escape(&ex.title),
            escape(&ex.text)
        ));
        parts.push(format!("<i>{}</i>", escape(&ex.source)));
    }
    if !reply.choices.is_empty() {
        let list: Vec<String> = reply
            .choices
            .iter()
            .enumerate()
            .map(|(n, c)| format!("{}. {}", n + 1, escape(&c.title)))
            .collect();
        parts.push(list.join("\n"));
    }
    parts.push(format!("<i>{}</i>", escape(&reply.footer)));
    parts.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, Query};

    fn engine() -> Engine {
        Engine::new(crate::content::embedded().expect("shipped content"))
    }

    #[test]
    fn checks_markup_as_telegram_would() {
        let cases = [
            ("<b>a</b> &amp; <i>b &lt;c&gt;</i>", true),
            ("plain", true),
            ("<b>a", false),
            ("a</b>", false),
            ("<b><i>a</b></i>", false),
            ("a & b", false),
            ("&am", false),
            ("a > b", false),
            ("<script>x</script>", false),
        ];
        for (html, want) in cases {
            assert_eq!(well_formed(html), want, "{html}");
        }
    }

    #[test]
    fn every_topic_and_section_fits_with_the_footer_last() {
        let e = engine();
        let footer = escape(&e.content().framing.footer);
        for intent in e.content().intents.iter().filter(|i| i.response.is_some()) {
            let answer = e.topic(&intent.id);
            // An answer (not the whole section "more" reads) is one message.
            if let Some(reply) = &answer {
                assert_eq!(parts(reply).len(), 1, "{}", intent.id);
            }
            for reply in [answer, e.more(&intent.id)].into_iter().flatten() {
                let parts = parts(&reply);
                assert!(
                    parts.iter().all(|p| fits(p) && !p.trim().is_empty()),
                    "{}",
                    intent.id
                );
                assert!(
                    parts.last().is_some_and(|p| p.contains(&footer)),
                    "{}",
                    intent.id
                );
                let card = single(&reply);
                assert!(fits(&card) && card.contains(&footer), "{}", intent.id);
            }
        }
    }

    #[test]
    fn an_overlong_paragraph_falls_back_to_escaped_plain_text() {
        let mut reply = engine().answer(&Query::new("what is tace"));
        let ex = reply.excerpt.as_mut().expect("excerpt");
        ex.text = "A & b <c> ".repeat(2000);
        let parts = parts(&reply);
        assert!(parts.len() > 1);
        assert!(
            parts.iter().all(|p| fits(p)),
            "every part is valid and short"
        );
        assert!(parts.last().is_some_and(|p| p.contains("1-800-303-5691")));
        assert!(fits(&single(&reply)));
        assert!(description(&reply).chars().count() <= DESCRIPTION_CHARS + 1);
    }

    #[test]
    fn escapes_text_and_splits_under_a_limit_with_the_footer_last() {
        let e = engine();
        let mut reply = e.more("stage_overview").unwrap();
        reply.lead = Some("You asked: <b>5 & 6</b>".into());
        let html = telegram_html(&reply);
        assert!(html.contains("&lt;b&gt;5 &amp; 6&lt;/b&gt;"));
        let parts = split(&html, 1000);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| p.encode_utf16().count() <= 1000));
        assert!(
            parts.last().unwrap().contains("1-800-303-5691")
                && parts.last().unwrap().contains("1-800-227-2345")
        );
    }
}
