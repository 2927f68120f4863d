//! Composing replies: the excerpt with its source line and related topics,
//! clarify choices, the framed kinds, and the personal-advice wrapping.

use super::Engine;
use super::decide::Decision;
use crate::content::{Intent, IntentKind};
use crate::nlu::Candidate;
use crate::reply::{Choice, Excerpt, Kind, Reply, Suggestion};
use crate::safety::Findings;

impl Engine {
    pub(super) fn compose(
        &self,
        decision: Decision,
        ranked: &[Candidate],
        findings: Findings,
    ) -> Reply {
        let suggestions = self.suggestions(ranked);
        let framing = &self.content.framing;
        let mut reply = match decision {
            Decision::Answer(i, score) => self.answer_reply(i, score, suggestions),
            Decision::Clarify(options) => {
                let mut r = self.framed(Kind::Clarify, &framing.clarify);
                r.choices = options
                    .iter()
                    .map(|&i| choice(&self.content.intents[i]))
                    .collect();
                r.confidence = ranked.first().map_or(0.0, |c| c.score);
                r.suggestions = suggestions;
                r
            }
            Decision::Own(i) => self.own_words(i),
            Decision::Newer(named) => self.newer_reply(&named),
            Decision::Contextless => self.more_about_what(),
            Decision::Compare(topics, better) => self.compare(&topics, better, suggestions),
            Decision::Greeting => self.greeting(),
            Decision::Help => self.help(),
            Decision::Fallback => {
                let mut r = self.with_topics(Kind::Fallback, &framing.fallback);
                r.suggestions = suggestions;
                r
            }
        };
        // Personal advice about a subject the guide has nothing on at all
        // (an out-of-scope topic ranked first) stays a plain fallback.
        let off_topic = ranked
            .first()
            .is_some_and(|c| self.content.intents[c.intent].kind == IntentKind::OutOfScope);
        let advisable = matches!(reply.kind, Kind::Answer | Kind::Clarify)
            || (reply.kind == Kind::Fallback && !off_topic);
        if findings.personal_advice && advisable {
            reply.kind = Kind::PersonalAdvice;
            if reply.excerpt.is_some() {
                reply.lead = Some(framing.personal_advice.clone());
            } else {
                // No one topic: the care-team note, then what it can offer.
                let rest = reply.lead.take().unwrap_or_default();
                reply.lead = Some(
                    format!("{}\n\n{}", framing.personal_advice, rest)
                        .trim()
                        .to_string(),
                );
            }
        }
        reply
    }

    pub(super) fn suggestions(&self, ranked: &[Candidate]) -> Vec<Suggestion> {
        ranked
            .iter()
            .filter(|c| self.content.intents[c.intent].kind == IntentKind::Answer)
            .take(3)
            .map(|c| {
                let i = &self.content.intents[c.intent];
                Suggestion {
                    intent: i.id.clone(),
                    title: i.title.clone(),
                    score: (c.score * 1000.0).round() / 1000.0,
                }
            })
            .collect()
    }

    pub(super) fn answer_reply(&self, i: usize, score: f32, suggestions: Vec<Suggestion>) -> Reply {
        let intent = &self.content.intents[i];
        let framing = &self.content.framing;
        let excerpt = intent.response.as_ref().map(|r| {
            let place = match &r.subsection {
                Some(sub) => format!("{} › {}", r.section, sub),
                None => r.section.clone(),
            };
            let template = if r.reviewed == crate::content::NOT_STATED {
                &framing.source_undated
            } else {
                &framing.source
            };
            Excerpt {
                topic: intent.id.clone(),
                title: intent.title.clone(),
                text: r.excerpt.clone(),
                source: template
                    .replace("{section}", &place)
                    .replace("{reviewed}", &r.reviewed),
            }
        });
        let related = intent
            .related
            .iter()
            .filter_map(|id| self.content.intent(id))
            .map(choice)
            .collect();
        Reply {
            kind: Kind::Answer,
            intent: Some(intent.id.clone()),
            confidence: score.min(1.0),
            suggestions,
            lead: intent.reply.clone(),
            excerpt,
            also: Vec::new(),
            page: None,
            choices: Vec::new(),
            related,
            has_more: self.has_more(i),
            footer: framing.footer.clone(),
            related_label: framing.related.clone(),
        }
    }

    pub(super) fn framed(&self, kind: Kind, lead: &str) -> Reply {
        Reply {
            kind,
            intent: None,
            confidence: 0.0,
            suggestions: Vec::new(),
            lead: Some(lead.to_string()),
            excerpt: None,
            also: Vec::new(),
            page: None,
            choices: Vec::new(),
            related: Vec::new(),
            has_more: false,
            footer: self.content.framing.footer.clone(),
            related_label: self.content.framing.related.clone(),
        }
    }
}

pub(super) fn choice(intent: &Intent) -> Choice {
    Choice {
        intent: intent.id.clone(),
        title: intent.title.clone(),
    }
}
