//! The emergency, crisis, personal-advice and out-of-scope screens. Patterns
//! are content data (`intents/safety.toml`), compiled once; a screen matches
//! a message when one of its patterns matches the normalised words and none
//! of its `unless` patterns does. The engine runs the emergency screens
//! before classification, so no match can ever hide an emergency.

use crate::content::{Screen, Screens};
use regex::{Regex, RegexBuilder};

#[derive(Debug, Clone)]
struct Compiled {
    patterns: Option<Regex>,
    unless: Option<Regex>,
}

impl Compiled {
    fn new(screen: &Screen) -> Compiled {
        Compiled {
            patterns: any_of(&screen.patterns),
            unless: any_of(&screen.unless),
        }
    }

    fn matches(&self, text: &str) -> bool {
        let hit = |r: &Option<Regex>| r.as_ref().is_some_and(|r| r.is_match(text));
        hit(&self.patterns) && !hit(&self.unless)
    }
}

/// One regex matching when any of the patterns does. Screens read
/// ASCII-folded text, so ASCII classes suffice and compile far faster than
/// Unicode ones. Content is checked before an engine is built, so every
/// pattern compiles; should one ever not, the screen matches nothing.
fn any_of(list: &[(String, crate::content::Origin)]) -> Option<Regex> {
    if list.is_empty() {
        return None;
    }
    let alternation = list
        .iter()
        .map(|(p, _)| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    RegexBuilder::new(&alternation).unicode(false).build().ok()
}

/// What the screens found in one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Findings {
    pub crisis: bool,
    pub emergency: bool,
    pub personal_advice: bool,
    pub out_of_scope: bool,
    pub small_talk: bool,
}

#[derive(Debug, Clone)]
pub struct Safety {
    emergency: Compiled,
    crisis: Compiled,
    personal_advice: Compiled,
    out_of_scope: Vec<Compiled>,
    small_talk: Compiled,
}

impl Safety {
    pub fn new(screens: &Screens) -> Safety {
        Safety {
            emergency: Compiled::new(&screens.emergency),
            crisis: Compiled::new(&screens.crisis),
            personal_advice: Compiled::new(&screens.personal_advice),
            out_of_scope: screens.out_of_scope.iter().map(Compiled::new).collect(),
            small_talk: Compiled::new(&screens.small_talk),
        }
    }

    /// Screens folded text (see `text::fold`), padded so patterns may use
    /// plain word boundaries.
    pub fn screen(&self, folded: &str) -> Findings {
        Findings {
            crisis: self.crisis.matches(folded),
            emergency: self.emergency.matches(folded),
            personal_advice: self.personal_advice.matches(folded),
            out_of_scope: self.out_of_scope.iter().any(|c| c.matches(folded)),
            small_talk: self.small_talk.matches(folded),
        }
    }
}
