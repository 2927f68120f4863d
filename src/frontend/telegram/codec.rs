//! The callback-data codec: the one place that writes and reads the data
//! behind inline buttons. Telegram hands the data back verbatim, but any
//! client can forge it, and buttons outlive content changes, so decoding is
//! strict and a failure is an ordinary value the handler answers politely.

/// Telegram's limit on `callback_data`, in bytes.
pub const MAX_BYTES: usize = 64;

/// What a button asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The topic menu's first page: the categories.
    Menu,
    /// One category's topics (by its content file name).
    Category(String),
    /// A topic's answer (related topic, clarify choice, menu entry).
    Topic(String),
    /// The section a topic's excerpt comes from, from its first page.
    More(String),
    /// Page `n` (from 1) of a topic's section, in place (Next/Previous).
    Page(String, usize),
}

/// Why data could not be read. The handler treats every case alike (a
/// polite "out of date" answer); the variants exist for the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    Missing,
    TooLong,
    Unknown,
}

impl Invalid {
    pub fn as_str(self) -> &'static str {
        match self {
            Invalid::Missing => "missing",
            Invalid::TooLong => "too_long",
            Invalid::Unknown => "unknown",
        }
    }
}

const MENU: &str = "menu";
const CATEGORY: &str = "c:";
const TOPIC: &str = "t:";
const MORE: &str = "m:";
const PAGE: &str = "p:";

/// The data for a button, or `None` when it cannot be written within the
/// limit or with safe characters (a content editor chose a very long or odd
/// id): the caller leaves that button out rather than send bad data.
pub fn encode(action: &Action) -> Option<String> {
    let data = match action {
        Action::Menu => return Some(MENU.to_string()),
        Action::Category(file) => format!("{CATEGORY}{file}"),
        Action::Topic(id) => format!("{TOPIC}{id}"),
        Action::More(id) => format!("{MORE}{id}"),
        Action::Page(id, n) => format!("{PAGE}{n}:{id}"),
    };
    let ok = data.len() <= MAX_BYTES && decode(Some(&data)).as_ref() == Ok(action);
    ok.then_some(data)
}

/// Reads button data. Only the shapes `encode` writes are accepted; the ids
/// they carry still have to be looked up (they may be stale).
pub fn decode(data: Option<&str>) -> Result<Action, Invalid> {
    let data = data.ok_or(Invalid::Missing)?;
    if data.len() > MAX_BYTES {
        return Err(Invalid::TooLong);
    }
    if data == MENU {
        return Ok(Action::Menu);
    }
    if let Some(rest) = data.strip_prefix(PAGE) {
        let (digits, id) = rest.split_once(':').ok_or(Invalid::Unknown)?;
        let n: usize = digits.parse().map_err(|_| Invalid::Unknown)?;
        // Pages are few; a forged huge number is refused, not clamped, and
        // only the form `encode` writes is read ("+2", "02" are not).
        if !(1..=99).contains(&n) || !is_id(id) || n.to_string() != digits {
            return Err(Invalid::Unknown);
        }
        return Ok(Action::Page(id.to_string(), n));
    }
    let (make, rest): (fn(String) -> Action, &str) = if let Some(rest) = data.strip_prefix(CATEGORY)
    {
        (Action::Category, rest)
    } else if let Some(rest) = data.strip_prefix(TOPIC) {
        (Action::Topic, rest)
    } else if let Some(rest) = data.strip_prefix(MORE) {
        (Action::More, rest)
    } else {
        return Err(Invalid::Unknown);
    };
    if is_id(rest) {
        Ok(make(rest.to_string()))
    } else {
        Err(Invalid::Unknown)
    }
}

/// Ids as the content uses them: ASCII letters, digits, `_` and `-`. The
/// same alphabet is valid in a `t.me/<bot>?start=` deep link.
pub fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_BYTES
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips() {
        let actions = [
            Action::Menu,
            Action::Category("surgery".into()),
            Action::Topic("sorafenib_se".into()),
            Action::More("tace".into()),
        ];
        for action in actions {
            let data = encode(&action).expect("encodes");
            assert!(data.len() <= MAX_BYTES);
            assert_eq!(decode(Some(&data)), Ok(action));
        }
    }

    #[test]
    fn ids_that_do_not_fit_are_not_encoded() {
        assert_eq!(encode(&Action::Topic("x".repeat(63))), None);
        assert_eq!(
            encode(&Action::Topic("x".repeat(62))).map(|d| d.len()),
            Some(64)
        );
        assert_eq!(encode(&Action::Topic("a b".into())), None);
        assert_eq!(encode(&Action::Topic(String::new())), None);
    }

    #[test]
    fn forged_data_is_refused() {
        let long = "t:a".repeat(40);
        let cases: [(Option<&str>, Invalid); 9] = [
            (None, Invalid::Missing),
            (Some(""), Invalid::Unknown),
            (Some("t:"), Invalid::Unknown),
            (Some("x:tace"), Invalid::Unknown),
            (Some("t:tace<b>"), Invalid::Unknown),
            (Some("t:../../etc"), Invalid::Unknown),
            (Some("t:ta\u{0}ce"), Invalid::Unknown),
            (Some("menu "), Invalid::Unknown),
            (Some(&long), Invalid::TooLong),
        ];
        for (data, want) in cases {
            assert_eq!(decode(data), Err(want), "{data:?}");
        }
    }
}
