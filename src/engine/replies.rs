//! The replies of conversation: an intent's own words (feelings, small
//! talk, prognosis) with the passage it quotes, a treatment the guide does
//! not cover, "more about what?", comparisons, and "the guide says no more
//! about that" for a follow-up it cannot answer.

use super::Engine;
use super::compose::choice;
use crate::content::IntentKind;
use crate::reply::{Choice, Excerpt, Kind, Reply, Suggestion};

/// A passage quoted beside another, or under the bot's own words, is cut
/// after the paragraph (or sentence) that reaches this many characters.
/// Chosen so two passages and the footer stay well under one Telegram
/// message and a comparison reads at a glance.
const SHORT_PASSAGE: usize = 800;
/// A later paragraph joins a short passage when it holds at least this
/// many of the words a part of the question was asked with, and more than
/// the opening does. Chosen on tests/conversation/tune.
const FOCUS_TERMS: usize = 2;

impl Engine {
    /// The topics an intent names as related, as choices.
    fn related_choices(&self, intent: &crate::content::Intent) -> Vec<Choice> {
        intent
            .related
            .iter()
            .filter_map(|id| self.content.intent(id))
            .map(choice)
            .collect()
    }

    /// An intent that answers in the bot's own words.
    pub(super) fn own_words(&self, i: usize) -> Reply {
        let intent = &self.content.intents[i];
        let framing = &self.content.framing;
        let kind = match intent.kind {
            IntentKind::Support => Kind::Support,
            IntentKind::SmallTalk => Kind::SmallTalk,
            _ => Kind::NotInGuide,
        };
        let mut lead = intent.reply.clone().unwrap_or_default();
        if kind == Kind::Support {
            lead = format!("{lead} {}", framing.support_line);
        }
        let mut reply = self.framed(kind, &lead);
        reply.intent = Some(intent.id.clone());
        reply.confidence = 1.0;
        if let Some(q) = intent.quote.as_deref().and_then(|q| self.index_of(q)) {
            reply.excerpt = self.short_excerpt(q);
        }
        reply.choices = self.related_choices(intent);
        reply
    }

    /// A treatment, drug or test the 2016 guide does not cover.
    pub(super) fn newer_reply(&self, named: &[usize]) -> Reply {
        let framing = &self.content.framing;
        let names: Vec<&str> = named
            .iter()
            .map(|&n| self.content.conversation.newer[n].name.as_str())
            .collect();
        let name = match names.as_slice() {
            [] => String::new(),
            [one] => one.to_string(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        };
        let mut reply = self.framed(Kind::NotInGuide, &framing.newer.replace("{name}", &name));
        reply.choices = ["clinical_trials", "targeted", "decisions"]
            .iter()
            .filter_map(|id| self.content.intent(id))
            .filter(|i| i.kind == IntentKind::Answer)
            .map(choice)
            .collect();
        reply
    }

    /// "More about what?": one topic of each browsing category to start.
    pub(crate) fn more_about_what(&self) -> Reply {
        let mut reply = self.framed(Kind::Clarify, &self.content.framing.more_about_what);
        reply.choices = self.starters();
        reply
    }

    /// The first answer topic of each browsing category.
    pub(crate) fn starters(&self) -> Vec<Choice> {
        self.content
            .framing
            .categories
            .iter()
            .filter_map(|c| self.topics_in(&c.file).into_iter().next())
            .collect()
    }

    /// Two topics, each short and labelled; for "which is better", the
    /// guide's words on making the choice first.
    pub(super) fn compare(
        &self,
        topics: &[usize],
        better: bool,
        asked: &[Vec<String>],
        suggestions: Vec<Suggestion>,
    ) -> Reply {
        let framing = &self.content.framing;
        let first = topics[0];
        let mut reply = self.answer_reply(first, 1.0, suggestions);
        let mut passages: Vec<Excerpt> = Vec::new();
        if better && let Some(d) = self.index_of("decisions") {
            passages.extend(self.short_excerpt(d));
        }
        passages.extend(
            topics
                .iter()
                .enumerate()
                .filter_map(|(n, &t)| self.focused_excerpt(t, asked.get(n).map_or(&[], |a| a))),
        );
        reply.lead = Some(if better {
            framing.which_better.clone()
        } else {
            framing.compare.clone()
        });
        let mut passages = passages.into_iter();
        reply.excerpt = passages.next();
        reply.also = passages.collect();
        reply.related = topics
            .iter()
            .skip(1)
            .map(|&t| choice(&self.content.intents[t]))
            .collect();
        reply.has_more = false;
        reply
    }

    /// The answer topics a partly typed word begins ("ta" -> TACE, TAE;
    /// "sor" -> sorafenib), best-known first: the word starts a word of the
    /// topic's title, id or keywords. Empty for fewer than two letters.
    pub fn complete(&self, typed: &str) -> Vec<Choice> {
        let typed = crate::text::fold(typed);
        if typed.len() < 2 || typed.contains(' ') {
            return Vec::new();
        }
        self.content
            .intents
            .iter()
            .filter(|i| i.kind == IntentKind::Answer)
            .filter(|i| {
                std::iter::once(&i.title)
                    .chain(&i.keywords)
                    .chain(std::iter::once(&i.id))
                    .any(|text| {
                        crate::text::fold(&text.replace('_', " "))
                            .split(' ')
                            .any(|w| w.starts_with(&typed))
                    })
            })
            .map(choice)
            .collect()
    }

    /// A follow-up about the current topic that the guide does not answer.
    pub(crate) fn no_more(&self, topic: &str) -> Reply {
        let Some(i) = self.index_of(topic) else {
            return self.more_about_what();
        };
        let intent = &self.content.intents[i];
        let text = self
            .content
            .framing
            .no_more
            .replace("{topic}", &intent.title);
        let mut reply = self.framed(Kind::NotInGuide, &text);
        reply.choices = self.related_choices(intent);
        reply
    }

    /// A topic's passage cut short, keeping the paragraph that holds the
    /// most of the words it was asked with when the opening does not ("how
    /// is TACE done and do you stay in hospital": the embolization
    /// passage's line on the hospital stay).
    pub(super) fn focused_excerpt(&self, i: usize, asked: &[String]) -> Option<Excerpt> {
        let mut ex = self.answer_reply(i, 1.0, Vec::new()).excerpt?;
        let short = shorten(&ex.text, SHORT_PASSAGE);
        let holds = |para: &str| {
            let terms = self.norm.normalize(para).terms;
            asked.iter().filter(|t| terms.contains(t)).count()
        };
        let best = ex
            .text
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty() && !short.contains(*p))
            .map(|p| (holds(p), p))
            .filter(|(h, _)| *h >= FOCUS_TERMS && *h > holds(&short))
            .max_by_key(|(h, _)| *h);
        ex.text = match best {
            Some((_, para)) => format!("{short}\n\n{}", shorten(para, SHORT_PASSAGE / 2)),
            None => short,
        };
        Some(ex)
    }

    /// A topic's passage, cut short at a paragraph or sentence boundary.
    pub(super) fn short_excerpt(&self, i: usize) -> Option<crate::reply::Excerpt> {
        let mut ex = self.answer_reply(i, 1.0, Vec::new()).excerpt?;
        ex.text = shorten(&ex.text, SHORT_PASSAGE);
        Some(ex)
    }
}

/// The opening of a passage: whole paragraphs, then whole lines (a list)
/// or sentences, until about `max` characters. Every piece kept is the
/// guide's own.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut len = 0;
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        if len >= max {
            break;
        }
        let n = para.chars().count();
        // A paragraph that nearly fits is kept whole rather than cut.
        if len + n <= max + max / 4 {
            out.push(para.to_string());
            len += n;
            continue;
        }
        let list = para.lines().count() > 1;
        let pieces: Vec<String> = if list {
            para.lines().map(str::to_string).collect()
        } else {
            crate::content::source::sentences(para)
        };
        let mut kept: Vec<String> = Vec::new();
        for piece in pieces {
            if len >= max && !(out.is_empty() && kept.is_empty()) {
                break;
            }
            len += piece.chars().count();
            kept.push(piece);
        }
        out.push(kept.join(if list { "\n" } else { " " }));
    }
    out.join("\n\n")
}
