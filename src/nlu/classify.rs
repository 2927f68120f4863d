//! Ranks intents for a normalised message. Each intent is represented by its
//! example phrases, title and keywords as sets of terms (stems and adjacent
//! stem pairs) weighted by how distinctive a term is across intents (idf).
//! An intent's score mixes its best-matching example (cosine) with its whole
//! profile (cosine against the centroid) and a bonus for its keywords, so a
//! long narrative still lands on the topic its distinctive words name.

use super::logistic::{LEARNING_RATE, Logistic};
use super::normalize::{Normalized, Normalizer};
use crate::content::{Content, IntentKind};
use rustc_hash::FxHashMap as HashMap;
use std::hash::{Hash, Hasher};

/// Weights of the three signals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub example: f32,
    pub profile: f32,
    pub association: f32,
    pub keyword: f32,
    pub logistic: f32,
}

impl Default for Weights {
    /// Chosen with `liverline eval tests/golden --tune ...` (see README).
    fn default() -> Weights {
        Weights {
            example: 0.55,
            profile: 0.45,
            association: 0.5,
            keyword: 0.25,
            logistic: 1.0,
        }
    }
}

/// An intent with its score for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index into `Content::intents`.
    pub intent: usize,
    pub score: f32,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Classifier {
    /// Term -> id.
    vocab: HashMap<String, u32>,
    idf: Vec<f32>,
    /// Term id -> (example index, normalised weight).
    example_postings: Vec<Vec<(u32, f32)>>,
    /// Term id -> (intent index, normalised weight).
    profile_postings: Vec<Vec<(u32, f32)>>,
    /// Term id -> (intent index, association in 0..1): how strongly the term
    /// points to the intent, relative to the intent that uses it most.
    association_postings: Vec<Vec<(u32, f32)>>,
    /// Term id -> keywords (index into `keywords`) whose rarest term it is.
    keyword_postings: Vec<Vec<u32>>,
    /// Keywords: (intent index, every term id of the phrase, pairs included).
    keywords: Vec<(u32, Vec<u32>)>,
    /// Example index -> intent index.
    example_intent: Vec<u32>,
    intents: usize,
    /// The tuning's, not stored: they weigh the signals, never train them.
    #[serde(skip)]
    weights: Weights,
    logistic: Logistic,
}

/// A matcher as written to `intents/topics.model`: what it learnt, and a
/// fingerprint of the content it learnt from.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored<C> {
    format: u32,
    fingerprint: u64,
    classifier: C,
}

/// Changed whenever what a stored matcher holds changes shape.
const FORMAT: u32 = 1;

/// The terms of a message: stems, plus each adjacent pair joined by '+'.
fn features(terms: &[String]) -> Vec<String> {
    let mut out: Vec<String> = terms.to_vec();
    out.extend(terms.windows(2).map(|w| format!("{}+{}", w[0], w[1])));
    out.sort();
    out.dedup();
    out
}

impl Classifier {
    /// The matcher stored for this content (`bytes`, from
    /// `intents/topics.model`) when it was trained on content with this
    /// fingerprint (`Content::topic_inputs`), else trained now: training
    /// reads every example phrase and passage, the larger part of start-up.
    pub fn stored_or_new(
        content: &Content,
        norm: &Normalizer,
        weights: Weights,
        bytes: Option<&[u8]>,
    ) -> Classifier {
        bytes
            .and_then(|b| postcard::from_bytes::<Stored<Classifier>>(b).ok())
            .filter(|s| s.format == FORMAT && s.fingerprint == content.topic_inputs)
            .map(|s| Classifier {
                weights,
                ..s.classifier
            })
            .unwrap_or_else(|| Classifier::new(content, norm, weights))
    }

    /// This matcher as stored in `intents/topics.model`, for content with
    /// this fingerprint.
    pub fn to_bytes(&self, fingerprint: u64) -> Vec<u8> {
        postcard::to_stdvec(&Stored {
            format: FORMAT,
            fingerprint,
            classifier: self,
        })
        .unwrap_or_default()
    }

    pub fn new(content: &Content, norm: &Normalizer, weights: Weights) -> Classifier {
        let mut vocab: HashMap<String, u32> = HashMap::default();
        let intern = |t: &str, vocab: &mut HashMap<String, u32>| -> u32 {
            let next = vocab.len() as u32;
            *vocab.entry(t.to_string()).or_insert(next)
        };
        // Examples (the title counts as one) -> feature ids.
        let mut examples: Vec<(u32, Vec<u32>)> = Vec::new();
        let mut keywords: Vec<(u32, Vec<u32>)> = Vec::new();
        for (i, intent) in content.intents.iter().enumerate() {
            let texts = intent
                .examples
                .iter()
                .map(|(e, _)| e.as_str())
                .chain(std::iter::once(intent.title.as_str()));
            for text in texts {
                let f = features(&norm.normalize(text).terms);
                if !f.is_empty() {
                    examples.push((i as u32, f.iter().map(|t| intern(t, &mut vocab)).collect()));
                }
            }
            for kw in &intent.keywords {
                let f = features(&norm.normalize(kw).terms);
                if !f.is_empty() {
                    keywords.push((i as u32, f.iter().map(|t| intern(t, &mut vocab)).collect()));
                }
            }
        }
        let n_terms = vocab.len();
        let n_intents = content.intents.len();
        // Document frequency over intents.
        let mut seen: Vec<Vec<u32>> = vec![Vec::new(); n_terms];
        for (i, f) in examples.iter().chain(&keywords) {
            for &t in f {
                if seen[t as usize].last() != Some(i) && !seen[t as usize].contains(i) {
                    seen[t as usize].push(*i);
                }
            }
        }
        let idf: Vec<f32> = seen
            .iter()
            .map(|s| {
                ((n_intents as f32 + 1.0) / (s.len() as f32 + 0.5))
                    .ln()
                    .max(0.05)
            })
            .collect();

        let mut example_postings = vec![Vec::new(); n_terms];
        let mut example_intent = Vec::with_capacity(examples.len());
        for (e, (i, f)) in examples.iter().enumerate() {
            let norm2: f32 = f
                .iter()
                .map(|&t| idf[t as usize].powi(2))
                .sum::<f32>()
                .sqrt();
            for &t in f {
                example_postings[t as usize].push((e as u32, idf[t as usize] / norm2));
            }
            example_intent.push(*i);
        }
        // Profiles: per intent, the share of its examples holding a term
        // (keywords count as always present), times idf.
        let mut counts: Vec<HashMap<u32, f32>> = vec![HashMap::default(); n_intents];
        let mut sizes = vec![0f32; n_intents];
        for (i, f) in &examples {
            sizes[*i as usize] += 1.0;
            for &t in f {
                *counts[*i as usize].entry(t).or_default() += 1.0;
            }
        }
        for (i, f) in &keywords {
            for &t in f {
                let size = sizes[*i as usize].max(1.0);
                counts[*i as usize].insert(t, size);
            }
        }
        // A broad intent ("side effects?") owns its generic words outright,
        // so it is found beside the topic a message names; the engine then
        // picks that topic's facet.
        for (i, intent) in content.intents.iter().enumerate() {
            if intent.kind == IntentKind::Clarify {
                let size = sizes[i].max(1.0);
                for n in counts[i].values_mut() {
                    *n = size;
                }
            }
        }
        let mut association_postings = vec![Vec::new(); n_terms];
        {
            let mut per_term: Vec<Vec<(u32, f32, f32)>> = vec![Vec::new(); n_terms];
            for (i, c) in counts.iter().enumerate() {
                let size = sizes[i].max(1.0);
                for (&t, &n) in c {
                    per_term[t as usize].push((i as u32, n / size, n));
                }
            }
            for (t, list) in per_term.into_iter().enumerate() {
                let max = list.iter().map(|x| x.1).fold(0f32, f32::max);
                for (i, frac, n) in list {
                    // A term seen once is weaker evidence than one seen often.
                    let support = n / (n + 1.0);
                    association_postings[t].push((i, frac / max * support));
                }
            }
        }
        let mut profile_postings = vec![Vec::new(); n_terms];
        for (i, c) in counts.iter().enumerate() {
            let size = sizes[i].max(1.0);
            let weights: Vec<(u32, f32)> = c
                .iter()
                .map(|(&t, &n)| (t, (n / size).sqrt() * idf[t as usize]))
                .collect();
            let norm2: f32 = weights
                .iter()
                .map(|(_, w)| w * w)
                .sum::<f32>()
                .sqrt()
                .max(1e-6);
            for (t, w) in weights {
                profile_postings[t as usize].push((i as u32, w / norm2));
            }
        }
        // A keyword is looked up through its rarest term and counts only when
        // the message holds all of its terms, pairs included (so the words
        // stand together, in order).
        let mut keyword_postings = vec![Vec::new(); n_terms];
        for (k, (_, f)) in keywords.iter().enumerate() {
            if let Some(&t) = f
                .iter()
                .max_by(|a, b| idf[**a as usize].total_cmp(&idf[**b as usize]))
            {
                keyword_postings[t as usize].push(k as u32);
            }
        }
        let mut training = examples.clone();
        training.extend(keywords.iter().cloned());
        // The passage itself teaches which facts live where: each sentence of
        // an excerpt is a training example for its intent (terms the
        // examples never use are left out: they carry no weight anywhere).
        for (i, intent) in content.intents.iter().enumerate() {
            let Some(r) = &intent.response else { continue };
            for sentence in crate::content::source::sentences(&r.excerpt) {
                let f: Vec<u32> = features(&norm.normalize(&sentence).terms)
                    .iter()
                    .filter_map(|t| vocab.get(t).copied())
                    .collect();
                if !f.is_empty() {
                    training.push((i as u32, f));
                }
            }
        }
        // Each example is visited by a key of its own terms, so one example
        // more or less leaves the others' places in a pass as they were.
        let mut term_of = vec![""; n_terms];
        for (t, &id) in &vocab {
            term_of[id as usize] = t.as_str();
        }
        let keys: Vec<u64> = training
            .iter()
            .map(|(class, f)| {
                let mut terms: Vec<&str> = f.iter().map(|&t| term_of[t as usize]).collect();
                terms.sort_unstable();
                let mut hasher = rustc_hash::FxHasher::default();
                (content.intents[*class as usize].id.as_str(), terms).hash(&mut hasher);
                hasher.finish()
            })
            .collect();
        let logistic = Logistic::train(&training, &keys, n_terms, n_intents, LEARNING_RATE);
        Classifier {
            vocab,
            idf,
            example_postings,
            profile_postings,
            association_postings,
            keyword_postings,
            keywords,
            example_intent,
            intents: n_intents,
            weights,
            logistic,
        }
    }

    /// How many distinct words of the message the content knows.
    pub fn known_terms(&self, message: &Normalized) -> usize {
        let mut terms: Vec<&String> = message
            .terms
            .iter()
            .filter(|t| self.vocab.contains_key(*t))
            .collect();
        terms.sort();
        terms.dedup();
        terms.len()
    }

    /// All intents with a positive score, best first.
    pub fn rank(&self, message: &Normalized) -> Vec<Candidate> {
        let ids: Vec<u32> = features(&message.terms)
            .iter()
            .filter_map(|t| self.vocab.get(t).copied())
            .collect();
        if ids.is_empty() {
            return Vec::new();
        }
        let qnorm: f32 = ids
            .iter()
            .map(|&t| self.idf[t as usize].powi(2))
            .sum::<f32>()
            .sqrt();
        let mut by_example = vec![0f32; self.example_intent.len()];
        let mut profile = vec![0f32; self.intents];
        let mut keyword = vec![0f32; self.intents];
        let mut association = vec![0f32; self.intents];
        let mass: f32 = ids.iter().map(|&t| self.idf[t as usize]).sum();
        for &t in &ids {
            for &(i, a) in &self.association_postings[t as usize] {
                association[i as usize] += a * self.idf[t as usize] / mass;
            }
            let q = self.idf[t as usize] / qnorm;
            for &(e, w) in &self.example_postings[t as usize] {
                by_example[e as usize] += q * w;
            }
            for &(i, w) in &self.profile_postings[t as usize] {
                profile[i as usize] += q * w;
            }
            for &k in &self.keyword_postings[t as usize] {
                let (i, terms) = &self.keywords[k as usize];
                if terms.iter().all(|x| ids.contains(x)) {
                    let weight: f32 = terms
                        .iter()
                        .map(|&x| (self.idf[x as usize] / qnorm).powi(2))
                        .sum();
                    keyword[*i as usize] += weight;
                }
            }
        }
        let mut best = vec![0f32; self.intents];
        for (e, s) in by_example.iter().enumerate() {
            let i = self.example_intent[e] as usize;
            best[i] = best[i].max(*s);
        }
        let probs = if self.weights.logistic > 0.0 {
            self.logistic.probabilities(&ids)
        } else {
            vec![0.0; self.intents]
        };
        let mut out: Vec<Candidate> = (0..self.intents)
            .map(|i| Candidate {
                intent: i,
                score: self.weights.example * best[i]
                    + self.weights.profile * profile[i]
                    + self.weights.association * association[i]
                    + self.weights.keyword * keyword[i].min(1.0)
                    + self.weights.logistic * probs[i],
            })
            .filter(|c| c.score > 0.0)
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.intent.cmp(&b.intent)));
        out
    }
}
