//! The triage model: a logistic regression over the words and word pairs of
//! a message as triage reads it, trained at load on the labelled examples of
//! every level (`intents/triage_examples.toml`, near-misses included, which
//! is where its precision comes from). Deterministic. It catches wordings no
//! screen foresaw; it raises a message's level only when it is sure, so the
//! screens stay the precise part.
//!
//! A long message is read whole and sentence by sentence: the emergency at
//! the end of a long story about treatment is not diluted by the story.

use crate::content::Level;
use crate::nlu::Logistic;
use std::collections::HashMap;

/// The probability above which the model's verdict counts when no screen
/// matched: emergency and crisis (recall first), then urgent and personal
/// advice. Chosen with `cargo test --release --test integration safety_set
/// -- --nocapture` on tests/safety/tune only: lower let near-misses
/// through, higher missed emergencies the screens did not foresee.
const SURE_DANGER: f32 = 0.5;
const SURE_OTHER: f32 = 0.6;
/// Over a screen that found urgent symptoms or personal advice, or on a
/// message the `model_veto` screen marks, the model must be surer to raise
/// it to emergency or crisis: such messages often share words with crises
/// ("I'm done with it" about a treatment, "he collapsed last year").
const SURE_OVER_SCREEN: f32 = 0.85;
/// However sure, the model raises a level only when one word (or word
/// class, stem, or pair with a word of content) of the message pulls
/// towards it at least this much: a verdict is never the classes' priors
/// alone ("and radiofrequency?" is no emergency). Chosen with the golden
/// questions of tests/golden/tune and the tuning part of the safety set.
const EVIDENCE: f32 = 1.0;

#[derive(Debug)]
pub(super) struct Model {
    features: HashMap<String, u32>,
    logistic: Logistic,
    /// Per feature: whether it may count as evidence (a word of content,
    /// not only function words such as "and" or "want to be").
    telling: Vec<bool>,
}

impl Model {
    /// Trains on the labelled examples; `features` turns a message into
    /// the feature names it has (see `Safety::features`).
    pub(super) fn train(
        examples: &[(Level, Vec<String>)],
        features_of: impl Fn(&str) -> Vec<String>,
        telling: impl Fn(&str) -> bool,
    ) -> Model {
        let mut features: HashMap<String, u32> = HashMap::new();
        let mut training = Vec::new();
        for (level, texts) in examples {
            for text in texts {
                let ids = features_of(text)
                    .into_iter()
                    .map(|g| {
                        let next = features.len() as u32;
                        *features.entry(g).or_insert(next)
                    })
                    .collect();
                training.push((class(*level), ids));
            }
        }
        let logistic = Logistic::train(&training, features.len(), Level::ALL.len());
        let mut telling_ids = vec![false; features.len()];
        for (name, &id) in &features {
            telling_ids[id as usize] = telling(name);
        }
        Model {
            features,
            logistic,
            telling: telling_ids,
        }
    }

    /// The most urgent level the model is sure of, above `screened` (what
    /// the screens found), with its probability. `parts` are the message
    /// read whole, then its closing sentences, each as its feature names.
    pub(super) fn verdict(
        &self,
        parts: &[Vec<String>],
        screened: Level,
        vetoed: bool,
    ) -> Option<(Level, f32)> {
        if self.features.is_empty() {
            return None;
        }
        let mut best = [0f32; Level::ALL.len()];
        let mut evidence = [f32::MIN; Level::ALL.len()];
        let none = class(Level::None) as usize;
        for names in parts {
            let ids: Vec<u32> = names
                .iter()
                .filter_map(|g| self.features.get(g).copied())
                .collect();
            if ids.is_empty() {
                continue;
            }
            for (b, p) in best.iter_mut().zip(self.logistic.probabilities(&ids)) {
                *b = b.max(p);
            }
            let telling: Vec<u32> = ids
                .iter()
                .copied()
                .filter(|&i| self.telling[i as usize])
                .collect();
            for (c, e) in evidence.iter_mut().enumerate() {
                *e = e.max(self.logistic.evidence(&telling, c, none));
            }
        }
        Level::ALL
            .into_iter()
            .filter(|l| *l < screened && *l != Level::None)
            .map(|l| (l, best[class(l) as usize]))
            .find(|(l, p)| {
                let sure = match (l, screened) {
                    (Level::Crisis | Level::Emergency, Level::None) if !vetoed => SURE_DANGER,
                    (Level::Crisis | Level::Emergency, _) => SURE_OVER_SCREEN,
                    _ => SURE_OTHER,
                };
                *p >= sure && evidence[class(*l) as usize] >= EVIDENCE
            })
    }
}

fn class(level: Level) -> u32 {
    Level::ALL.iter().position(|l| *l == level).unwrap_or(0) as u32
}

/// Words and adjacent word pairs.
pub(super) fn grams(words: &[String]) -> Vec<String> {
    let mut out: Vec<String> = words.to_vec();
    out.extend(words.windows(2).map(|w| format!("{} {}", w[0], w[1])));
    out
}
