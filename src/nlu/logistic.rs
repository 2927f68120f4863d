//! A multinomial logistic regression over the example phrases, trained at
//! load time: it learns which words tell neighbouring intents apart
//! ("relative" for living donors, "drugs" shared by chemo and targeted
//! therapy). Deterministic: a fixed visiting order, no randomness.

/// Training passes over the examples. Chosen with `liverline eval` and the
/// load-time benchmark (more passes gained nothing measurable).
const EPOCHS: usize = 6;
/// The topic matcher's step size; the triage model, whose classes are fewer
/// and whose examples are many more, takes a longer one (`safety::model`).
pub const LEARNING_RATE: f32 = 0.8;
const L2: f32 = 1e-4;
/// The probability of its own class above which an example counts as learnt.
const EASY: f32 = 0.95;

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Logistic {
    /// Feature-major: weights[f * classes + c].
    weights: Vec<f32>,
    bias: Vec<f32>,
    classes: usize,
    features: usize,
}

impl Logistic {
    /// Trains on (class, feature ids) pairs, each pass visiting them by
    /// their `keys` (one per example, from its own text) mixed with the
    /// pass: one example more or less moves no other example's place in a
    /// pass, so the weights, and the verdicts near a threshold, change only
    /// as much as that example asks. (A shuffle of the positions reorders
    /// the whole pass whenever the count changes, and the last steps of a
    /// pass weigh most.)
    pub fn train(
        examples: &[(u32, Vec<u32>)],
        keys: &[u64],
        features: usize,
        classes: usize,
        learning_rate: f32,
    ) -> Logistic {
        let mut model = Logistic {
            weights: vec![0.0; features * classes],
            bias: vec![0.0; classes],
            classes,
            features,
        };
        if examples.is_empty() || classes == 0 {
            return model;
        }
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut probs = vec![0f32; classes];
        let mut learnt = vec![0f32; examples.len()];
        let mut touched: Vec<(usize, f32)> = Vec::with_capacity(classes);
        for epoch in 0..EPOCHS {
            let salt = (epoch as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            order.sort_by_key(|&e| (mix(keys[e] ^ salt), e));
            let rate = learning_rate / (1.0 + epoch as f32 * 0.5);
            for &e in &order {
                // After two passes, examples already learnt with confidence
                // are skipped: their gradient is near zero, and skipping
                // them keeps start-up fast.
                if epoch >= 2 && learnt[e] > EASY {
                    continue;
                }
                let (class, feats) = &examples[e];
                model.probabilities_into(feats, &mut probs);
                learnt[e] = probs[*class as usize];
                let x = value(feats.len());
                touched.clear();
                for (c, p) in probs.iter().enumerate() {
                    let target = if c == *class as usize { 1.0 } else { 0.0 };
                    let grad = p - target;
                    // Classes the example barely touches are skipped: the
                    // update would be noise, and skipping it keeps load fast.
                    if grad.abs() >= 1e-3 {
                        model.bias[c] -= rate * grad * 0.1;
                        touched.push((c, grad));
                    }
                }
                // Row by row (each feature's weights lie together): every
                // weight takes the same update as class by class would give
                // it, in a fraction of the time.
                for &f in feats {
                    let row = &mut model.weights[f as usize * classes..(f as usize + 1) * classes];
                    for &(c, grad) in &touched {
                        let w = &mut row[c];
                        *w -= rate * (grad * x + L2 * *w);
                    }
                }
            }
        }
        model
    }

    /// The strongest single feature's pull towards `class` rather than
    /// `against`: how much of a verdict comes from the message's own words
    /// and not from the classes' priors.
    pub fn evidence(&self, feats: &[u32], class: usize, against: usize) -> f32 {
        feats
            .iter()
            .filter(|&&f| (f as usize) < self.features)
            .map(|&f| {
                let row = f as usize * self.classes;
                self.weights[row + class] - self.weights[row + against]
            })
            .fold(f32::MIN, f32::max)
    }

    /// Class probabilities for a message's known feature ids.
    pub fn probabilities(&self, feats: &[u32]) -> Vec<f32> {
        let mut probs = vec![0f32; self.classes];
        self.probabilities_into(feats, &mut probs);
        probs
    }

    fn probabilities_into(&self, feats: &[u32], probs: &mut [f32]) {
        probs.copy_from_slice(&self.bias);
        let x = value(feats.len());
        for &f in feats.iter().filter(|&&f| (f as usize) < self.features) {
            let row = &self.weights[f as usize * self.classes..(f as usize + 1) * self.classes];
            for (p, w) in probs.iter_mut().zip(row) {
                *p += w * x;
            }
        }
        let max = probs.iter().copied().fold(f32::MIN, f32::max);
        let mut sum = 0.0;
        for p in probs.iter_mut() {
            *p = (*p - max).exp();
            sum += *p;
        }
        for p in probs.iter_mut() {
            *p /= sum;
        }
    }
}

/// A 64-bit finaliser (splitmix64): nearby keys land far apart.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Each feature's value: messages of any length weigh the same in total.
fn value(n: usize) -> f32 {
    1.0 / (n.max(1) as f32).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_the_word_that_tells_classes_apart() {
        // Feature 0 is shared; 1 marks class 0, 2 marks class 1.
        let examples = vec![(0, vec![0, 1]), (1, vec![0, 2]), (0, vec![1]), (1, vec![2])];
        let keys: Vec<u64> = (0..examples.len() as u64).collect();
        let m = Logistic::train(&examples, &keys, 3, 2, LEARNING_RATE);
        assert!(m.probabilities(&[0, 1])[0] > 0.8);
        assert!(m.probabilities(&[2])[1] > 0.8);
        let same = m.probabilities(&[0]);
        assert!((same[0] - same[1]).abs() < 0.3, "{same:?}");
    }

    #[test]
    fn one_example_more_keeps_the_others_in_their_places() {
        // Forty examples over ten features, three classes; then one more on
        // a feature of its own.
        // Conflicting labels, as real messages have: where the weights end
        // depends on the order of the last steps. (Visited by position, one
        // example more moves these verdicts by up to 0.011.)
        let mut examples: Vec<(u32, Vec<u32>)> = (0..40u32)
            .map(|i| (i % 3, vec![i % 4, (i * 5 + 1) % 6 + 4]))
            .collect();
        let mut keys: Vec<u64> = (0..40u64)
            .map(|i| i.wrapping_mul(0x2545_f491_4f6c_dd1d))
            .collect();
        let before = Logistic::train(&examples, &keys, 13, 3, 2.5);
        examples.push((1, vec![12]));
        keys.push(99);
        let after = Logistic::train(&examples, &keys, 13, 3, 2.5);
        for (_, feats) in &examples[..40] {
            let (b, a) = (before.probabilities(feats), after.probabilities(feats));
            for (x, y) in b.iter().zip(&a) {
                assert!((x - y).abs() < 0.005, "{feats:?}: {b:?} -> {a:?}");
            }
        }
    }
}
