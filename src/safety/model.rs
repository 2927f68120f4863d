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
use rustc_hash::{FxHashMap as HashMap, FxHasher};
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};

/// The probability above which the model's verdict counts when no screen
/// matched: emergency and crisis (recall first), then urgent and personal
/// advice. Chosen with the model read alone (no screens) over
/// tests/safety/tune while it was not trained on that part: higher missed
/// crises and emergencies the screens did not foresee (0.6: one crisis in
/// a hundred more), lower let near-misses through.
const SURE_DANGER: f32 = 0.5;
const SURE_CRISIS: f32 = 0.5;
/// Urgent and personal advice: 0.5 read general questions ("what should I
/// eat during chemo") as one's own more often than it found more of them.
const SURE_OTHER: f32 = 0.6;
/// Over a screen that found urgent symptoms or personal advice, or on a
/// message the `model_veto` screen marks, the model must be surer to raise
/// it to emergency or crisis: such messages often share words with crises
/// ("I'm done with it" about a treatment, "he collapsed last year"). So
/// must it to read a crisis over an emergency screen: an accident told
/// alone ("took my sleeping tablets by mistake", 0.80) is no crisis, and
/// the emergency reply names 988 as well.
/// Higher (0.95) missed a crisis of the tuning part that only the model
/// reads, for two near-misses in a thousand fewer.
const SURE_OVER_SCREEN: f32 = 0.85;
/// The training step: longer than the topic matcher's, for the model's
/// probabilities to reach its thresholds on wordings only a few examples
/// share (at 0.8, one crisis in twelve of the tuning part stayed below).
const LEARNING_RATE: f32 = 2.5;
/// However sure, the model raises a level only when one word (or word
/// class, stem, or pair with a word of content) of the message pulls
/// towards it at least this much: a verdict is never the classes' priors
/// alone ("and radiofrequency?" is no emergency). Chosen with the golden
/// questions of tests/golden/tune and the tuning part of the safety set.
const EVIDENCE: f32 = 1.0;

#[derive(Debug)]
pub(super) struct Model {
    /// What the model was trained on (see [`fingerprint`]).
    fingerprint: u64,
    /// Feature ids by the [`key`] of the feature's name: a stored model
    /// loads as numbers, without building a string per feature.
    features: HashMap<u64, u32>,
    logistic: Logistic,
    /// Per feature: whether it may count as evidence (a word of content,
    /// not only function words such as "and" or "want to be").
    telling: Vec<bool>,
}

impl Model {
    /// Trains on the labelled examples; `features` turns a message into
    /// the feature names it has (see `Safety::features`).
    pub(super) fn train(
        fingerprint: u64,
        examples: &[(Level, Vec<String>)],
        features_of: impl Fn(&str) -> Vec<String>,
        telling: impl Fn(&str) -> bool,
    ) -> Model {
        let mut features: HashMap<u64, u32> = HashMap::default();
        let mut telling_ids = Vec::new();
        let mut training = Vec::new();
        let mut keys = Vec::new();
        for (level, texts) in examples {
            for text in texts {
                keys.push(key(text) ^ u64::from(class(*level)));
                let mut ids: Vec<u32> = features_of(text)
                    .into_iter()
                    .map(|g| {
                        let next = features.len() as u32;
                        *features.entry(key(&g)).or_insert_with(|| {
                            telling_ids.push(telling(&g));
                            next
                        })
                    })
                    .collect();
                // A feature counts once, however often it recurs: a line
                // repeated a hundred times is not a hundred times surer.
                ids.sort_unstable();
                ids.dedup();
                training.push((class(*level), ids));
            }
        }
        let logistic = Logistic::train(
            &training,
            &keys,
            features.len(),
            Level::ALL.len(),
            LEARNING_RATE,
        );
        Model {
            fingerprint,
            features,
            logistic,
            telling: telling_ids,
        }
    }

    /// The model as stored: its features in id order, so the bytes depend
    /// only on what was trained.
    pub(super) fn to_bytes(&self) -> Vec<u8> {
        let mut keys = vec![0; self.features.len()];
        for (&k, &id) in &self.features {
            keys[id as usize] = k;
        }
        let stored = Stored {
            fingerprint: self.fingerprint,
            probe: key(PROBE),
            keys,
            logistic: &self.logistic,
            telling: &self.telling,
        };
        postcard::to_stdvec(&stored).unwrap_or_default()
    }

    /// A stored model, when it was trained on what `fingerprint` says.
    pub(super) fn from_bytes(bytes: &[u8], fingerprint: u64) -> Option<Model> {
        let stored: Stored<Logistic, Vec<bool>> = postcard::from_bytes(bytes).ok()?;
        // The probe guards against a change of hash function, which would
        // leave every key pointing at the wrong weights.
        if stored.fingerprint != fingerprint
            || stored.probe != key(PROBE)
            || stored.telling.len() != stored.keys.len()
        {
            return None;
        }
        let features = stored
            .keys
            .into_iter()
            .enumerate()
            .map(|(id, key)| (key, id as u32))
            .collect();
        Some(Model {
            fingerprint,
            features,
            logistic: stored.logistic,
            telling: stored.telling,
        })
    }

    /// The id of a feature the model knows.
    pub(super) fn id(&self, name: &str) -> Option<u32> {
        self.features.get(&key(name)).copied()
    }

    /// The most urgent level the model is sure of, above `screened` (what
    /// the screens found), with its probability. `parts` are the message
    /// read whole, then its closing sentences, each as its known features'
    /// ids ([`Model::id`]).
    pub(super) fn verdict(
        &self,
        parts: &[Vec<u32>],
        screened: Level,
        vetoed: bool,
    ) -> Option<(Level, f32)> {
        if self.features.is_empty() {
            return None;
        }
        let mut best = [0f32; Level::ALL.len()];
        let mut evidence = [f32::MIN; Level::ALL.len()];
        // The two levels that lead with 911, together: a message the model
        // finds as much an emergency as a crisis ("I've fallen and can't
        // get up, I'm on my own") is in danger either way.
        let mut danger = 0f32;
        let (crisis, emergency) = (
            class(Level::Crisis) as usize,
            class(Level::Emergency) as usize,
        );
        let none = class(Level::None) as usize;
        for ids in parts {
            if ids.is_empty() {
                continue;
            }
            let probabilities = self.logistic.probabilities(ids);
            danger = danger.max(probabilities[crisis] + probabilities[emergency]);
            for (b, p) in best.iter_mut().zip(probabilities) {
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
            .map(|l| {
                let own = best[class(l) as usize];
                // The likelier of the two dangers stands for both.
                // (`danger` is never below either alone.)
                let p = match l {
                    Level::Crisis if own >= best[emergency] => danger,
                    Level::Emergency if own > best[crisis] => danger,
                    _ => own,
                };
                (l, p)
            })
            .find(|(l, p)| {
                let sure = match (l, screened) {
                    (Level::Crisis, Level::None) if !vetoed => SURE_CRISIS,
                    (Level::Emergency, Level::None) if !vetoed => SURE_DANGER,
                    (Level::Crisis | Level::Emergency, _) => SURE_OVER_SCREEN,
                    // A screen read a question of one's own (a lab value, a
                    // dose): the model's "urgent" must be as sure to win.
                    (Level::Urgent, Level::PersonalAdvice) => SURE_OVER_SCREEN,
                    _ => SURE_OTHER,
                };
                *p >= sure && evidence[class(*l) as usize] >= EVIDENCE
            })
    }
}

/// A model as written to `intents/triage.model`.
#[derive(Serialize, Deserialize)]
struct Stored<L, T> {
    fingerprint: u64,
    /// [`key`] of [`PROBE`] when the model was stored.
    probe: u64,
    /// The features' keys, in id order.
    keys: Vec<u64>,
    logistic: L,
    telling: T,
}

/// What a trained model depends on: the examples and everything of the
/// content that reads them (the topics' words, synonyms, the lexicon: the
/// intents files, hashed as `model_inputs`) and the word classes. A stored
/// model is used only while this is unchanged.
pub(super) fn fingerprint(model_inputs: u64, words: &dyn std::fmt::Debug) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    model_inputs.hash(&mut hasher);
    format!("{words:?}").hash(&mut hasher);
    hasher.finish()
}

/// A feature's key: a 64-bit hash of its name (collisions among the ~100k
/// features are vanishingly unlikely, and would only merge two weights).
fn key(name: &str) -> u64 {
    let mut hasher = FxHasher::default();
    name.hash(&mut hasher);
    hasher.finish()
}

/// A fixed name whose key is stored with the model.
const PROBE: &str = "liverline triage model";

fn class(level: Level) -> u32 {
    Level::ALL.iter().position(|l| *l == level).unwrap_or(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(fingerprint: u64) -> Model {
        let examples = vec![
            (Level::Emergency, vec!["he is not breathing".to_string()]),
            (Level::None, vec!["what is tace".to_string()]),
        ];
        let words = |t: &str| t.split(' ').map(String::from).collect::<Vec<_>>();
        Model::train(fingerprint, &examples, words, |_| true)
    }

    #[test]
    fn a_stored_model_is_used_only_for_what_it_was_trained_on() {
        let trained = model(7);
        let bytes = trained.to_bytes();
        let stored = Model::from_bytes(&bytes, 7).expect("same fingerprint");
        assert_eq!(stored.logistic, trained.logistic);
        assert_eq!(stored.features, trained.features);
        assert_eq!(stored.to_bytes(), bytes);
        assert!(Model::from_bytes(&bytes, 8).is_none(), "other content");
        assert!(Model::from_bytes(b"not a model", 7).is_none());
    }
}
