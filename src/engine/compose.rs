//! Composing replies: the excerpt with its source line and related topics,
//! clarify choices, the framed kinds, and the personal-advice wrapping.

use super::Engine;
use super::decide::Decision;
use crate::content::{Intent, IntentKind, Level, Preface};
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
        // A newer treatment or a comparison: both speak for themselves
        // when asked in general (see `advisable`).
        let general_ok = matches!(decision, Decision::Newer(_) | Decision::Compare(..));
        let prognosis = matches!(decision, Decision::Own(i)
            if self.content.intents[i].family == "oos_prognosis");
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
            Decision::Compare(topics, better, asked) => {
                self.compare(&topics, better, &asked, suggestions)
            }
            Decision::Greeting => self.greeting(),
            Decision::Help => self.help(),
            Decision::Fallback => {
                let mut r = self.with_topics(Kind::Fallback, &framing.fallback);
                r.suggestions = suggestions;
                r
            }
        };
        // Personal advice about a subject the guide has nothing on at all
        // (an out-of-scope topic) stays a plain fallback: "should I buy
        // shares" is not a question for the care team. A subject of care the
        // guide leaves out (the scope screens: diagnosis, tumour markers,
        // costs) still is, when the question is one's own ("my AFP doubled,
        // what does that mean for me").
        let off_topic = ranked
            .first()
            .is_some_and(|c| self.content.intents[c.intent].kind == IntentKind::OutOfScope);
        // A question about one's own use of a drug the guide does not cover
        // is still one for the care team first. The bot's other replies of
        // its own (support, small talk) keep their kind.
        // A newer treatment asked about in general ("is opdivo better than
        // sorafenib"): its reply already says the care team can tell
        // whether it is an option, and the model alone read advice in it.
        // So is a comparison ("radiation or ablation, which is better"):
        // both passages, not "only your care team". One's own case, or a
        // screen's finding, is the care team's first.
        let advisable = match reply.kind {
            _ if general_ok => findings.advice_screened || findings.personal,
            // Prognosis already sends one's own case to the care team ("will
            // I still be here for her wedding"); a change to a medicine
            // ("how long would I have if I stopped") still leads with it.
            Kind::NotInGuide if prognosis => findings.preface == Preface::Change,
            Kind::Answer | Kind::Clarify | Kind::NotInGuide => true,
            // A screen that read a change to a medicine or an eligibility
            // question is about treatment whatever the topic match says.
            Kind::Fallback => !off_topic || findings.preface != Preface::General,
            // Feelings and a change to a medicine ("st john's wort for my
            // low mood alongside nexavar"): the medicine is the care team's.
            Kind::Support => findings.preface == Preface::Change,
            _ => false,
        };
        let lead = match findings.level {
            // Urgent whatever the match: the care team today comes first,
            // then the passage that fits, if one does.
            Level::Urgent => Some((Kind::Urgent, framing.urgent.as_str())),
            Level::PersonalAdvice if advisable => Some((
                Kind::PersonalAdvice,
                match findings.preface {
                    Preface::Change => framing.advice_change.as_str(),
                    Preface::Eligibility => framing.advice_eligibility.as_str(),
                    Preface::Results => framing.advice_results.as_str(),
                    Preface::General => framing.personal_advice.as_str(),
                },
            )),
            _ => None,
        };
        if let Some((kind, first)) = lead {
            reply.kind = kind;
            if reply.excerpt.is_some() {
                reply.lead = Some(first.to_string());
            } else {
                // No one topic: the note without its pointer to a passage
                // (its last sentence, the one that ends in a colon), then
                // what it can offer.
                let note = match first.strip_suffix(':') {
                    Some(rest) => rest.rfind(". ").map_or(first, |at| &first[..=at]),
                    None => first,
                };
                let rest = reply.lead.take().unwrap_or_default();
                reply.lead = Some(format!("{note}\n\n{rest}").trim().to_string());
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
            // One short line: the subsection names the place well enough
            // under the topic's title (issue 8: a lighter answer).
            let place = r.subsection.as_ref().unwrap_or(&r.section);
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
                    .replace("{section}", place)
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
            triage: None,
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
            triage: None,
        }
    }
}

pub(super) fn choice(intent: &Intent) -> Choice {
    Choice {
        intent: intent.id.clone(),
        title: intent.title.clone(),
    }
}
