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
    /// Trains on (class, feature ids) pairs.
    pub fn train(
        examples: &[(u32, Vec<u32>)],
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
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut probs = vec![0f32; classes];
        let mut learnt = vec![0f32; examples.len()];
        let mut touched: Vec<(usize, f32)> = Vec::with_capacity(classes);
        for epoch in 0..EPOCHS {
            // A fixed pseudo-random visiting order per pass (xorshift).
            for i in (1..order.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                order.swap(i, (state % (i as u64 + 1)) as usize);
            }
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
        let m = Logistic::train(&examples, 3, 2, LEARNING_RATE);
        assert!(m.probabilities(&[0, 1])[0] > 0.8);
        assert!(m.probabilities(&[2])[1] > 0.8);
        let same = m.probabilities(&[0]);
        assert!((same[0] - same[1]).abs() < 0.3, "{same:?}");
    }
}
