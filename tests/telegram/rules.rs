//! What real Telegram refuses, as the fake Bot API checks it: HTML that its
//! parser rejects, texts over 4096 UTF-16 units once parsed, callback data
//! over 64 bytes, malformed keyboards and command menus. Each check returns
//! the text of the 400 error Telegram would send.

use serde_json::Value;

pub const MAX_TEXT: usize = 4096;
pub const MAX_CALLBACK_DATA: usize = 64;

/// Parses Telegram HTML into the text a user sees, or says why Telegram
/// would refuse it. Tags Telegram knows are allowed; they must nest.
pub fn parse_html(html: &str) -> Result<String, String> {
    const TAGS: [&str; 15] = [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
    ];
    let mut out = String::new();
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&', '>']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if tail.starts_with('>') {
            return Err("can't parse entities: unescaped '>'".into());
        }
        if tail.starts_with('&') {
            let end = tail
                .find(';')
                .filter(|&e| e <= 10)
                .ok_or("can't parse entities: unsupported '&'")?;
            out.push(match &tail[1..end] {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                n if n.starts_with('#') => n[1..]
                    .parse::<u32>()
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or("bad numeric entity")?,
                other => {
                    return Err(format!(
                        "can't parse entities: unsupported HTML entity &{other};"
                    ));
                }
            });
            rest = &tail[end + 1..];
            continue;
        }
        let end = tail.find('>').ok_or("can't parse entities: unclosed tag")?;
        let inner = &tail[1..end];
        if let Some(name) = inner.strip_prefix('/') {
            if open.pop().as_deref() != Some(name.trim()) {
                return Err(format!("can't parse entities: unexpected end tag {name}"));
            }
        } else {
            let name = inner.split_whitespace().next().unwrap_or_default();
            if !TAGS.contains(&name) {
                return Err(format!(
                    "can't parse entities: unsupported start tag \"{name}\""
                ));
            }
            open.push(name.to_string());
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    if let Some(tag) = open.pop() {
        return Err(format!(
            "can't parse entities: can't find end tag corresponding to start tag {tag}"
        ));
    }
    Ok(out)
}

/// The text a message shows, checked: parse mode applied, not empty, not
/// too long.
pub fn message_text(text: Option<&Value>, parse_mode: Option<&Value>) -> Result<String, String> {
    let raw = text
        .and_then(Value::as_str)
        .ok_or("message text is empty")?;
    let shown = match parse_mode.and_then(Value::as_str) {
        Some("HTML") => parse_html(raw)?,
        Some(other) => return Err(format!("unsupported parse mode {other}")),
        None => raw.to_string(),
    };
    if shown.trim().is_empty() {
        return Err("message text is empty".into());
    }
    if shown.encode_utf16().count() > MAX_TEXT {
        return Err("message is too long".into());
    }
    Ok(shown)
}

/// An inline keyboard: rows of buttons, each with a label and exactly one
/// action; callback data 1-64 bytes; URLs absolute.
pub fn reply_markup(markup: Option<&Value>) -> Result<(), String> {
    let Some(markup) = markup else { return Ok(()) };
    let rows = markup["inline_keyboard"]
        .as_array()
        .ok_or("reply markup is not an inline keyboard")?;
    for button in rows.iter().flat_map(|r| r.as_array().into_iter().flatten()) {
        if button["text"].as_str().is_none_or(|t| t.trim().is_empty()) {
            return Err("BUTTON_TEXT_INVALID".into());
        }
        let data = button.get("callback_data").and_then(Value::as_str);
        let url = button.get("url").and_then(Value::as_str);
        // A Share button: opens inline mode with this query (may be empty).
        if data.is_none() && url.is_none() && button["switch_inline_query"].is_string() {
            continue;
        }
        match (data, url) {
            (Some(d), None) if !d.is_empty() && d.len() <= MAX_CALLBACK_DATA => {}
            (Some(_), None) => return Err("BUTTON_DATA_INVALID".into()),
            (None, Some(u))
                if u.starts_with("https://")
                    || u.starts_with("http://")
                    || u.starts_with("tg://") => {}
            _ => return Err("BUTTON_TYPE_INVALID".into()),
        }
    }
    Ok(())
}

/// setMyCommands: 1-100 commands, names `[a-z0-9_]{1,32}`, descriptions
/// 1-256 characters.
pub fn commands(commands: Option<&Value>) -> Result<(), String> {
    let list = commands
        .and_then(Value::as_array)
        .filter(|l| (1..=100).contains(&l.len()))
        .ok_or("commands must be a list")?;
    for c in list {
        let name = c["command"].as_str().unwrap_or_default();
        let ok = (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        let description = c["description"]
            .as_str()
            .unwrap_or_default()
            .chars()
            .count();
        if !ok || !(1..=256).contains(&description) {
            return Err(format!("BOT_COMMAND_INVALID: {name}"));
        }
    }
    Ok(())
}

/// answerInlineQuery results: at most 50, ids unique and 1-64 bytes, each
/// article titled with a valid message.
pub fn inline_results(results: Option<&Value>) -> Result<(), String> {
    let list = results
        .and_then(Value::as_array)
        .ok_or("results must be a list")?;
    if list.len() > 50 {
        return Err("RESULTS_TOO_MUCH".into());
    }
    let mut ids = Vec::new();
    for r in list {
        let id = r["id"].as_str().unwrap_or_default();
        if id.is_empty() || id.len() > 64 || ids.contains(&id) {
            return Err(format!("RESULT_ID_INVALID: {id}"));
        }
        ids.push(id);
        if r["type"] != "article" || r["title"].as_str().is_none_or(|t| t.is_empty()) {
            return Err("RESULT_INVALID".into());
        }
        let content = &r["input_message_content"];
        message_text(content.get("message_text"), content.get("parse_mode"))?;
        reply_markup(r.get("reply_markup"))?;
    }
    Ok(())
}

#[test]
fn the_rules_refuse_what_telegram_refuses() {
    assert_eq!(
        parse_html("<b>a &amp; b</b> &lt;3").as_deref(),
        Ok("a & b <3")
    );
    for bad in ["<b>a", "a</b>", "<script>", "a & b", "a > b", "&nbsp;"] {
        assert!(parse_html(bad).is_err(), "{bad}");
    }
    let long = serde_json::json!("x".repeat(4097));
    assert!(message_text(Some(&long), None).is_err());
    let button = |data: &str| serde_json::json!({"inline_keyboard": [[{"text": "a", "callback_data": data}]]});
    assert!(reply_markup(Some(&button(&"x".repeat(64)))).is_ok());
    assert!(reply_markup(Some(&button(&"x".repeat(65)))).is_err());
}
