//! The decision thresholds and matcher weights, settable by name so that
//! `liverline eval --tune KEY=VALUE` can try them.

use crate::nlu::Weights;

/// The decision thresholds and matcher weights. The defaults were chosen
/// with `liverline eval tests/golden --tune KEY=VALUE` runs (see README,
/// "Tuning"); every field can be tried from there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// Below this score nothing in the guide answers: fallback.
    pub min_score: f32,
    /// A runner-up scoring at least this share of the best makes the
    /// message ambiguous (clarify) ...
    pub clarify_ratio: f32,
    /// ... unless the best scores at least this.
    pub sure_score: f32,
    /// An out-of-scope intent within this share of the best answer wins.
    pub oos_ratio: f32,
    /// Messages with more known words than this get proportionally lower
    /// thresholds (by the square root of the ratio).
    pub len_ref: f32,
    /// A short message with a word the content never uses needs a match
    /// this strong, or it falls back.
    pub unknown_sure: f32,
    pub weights: Weights,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            min_score: 0.22,
            clarify_ratio: 0.97,
            sure_score: 0.45,
            len_ref: 4.0,
            oos_ratio: 0.8,
            unknown_sure: 0.45,
            weights: Weights::default(),
        }
    }
}

impl Tuning {
    /// Applies one `key=value` override, as `liverline eval --tune` takes.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (key, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("expected KEY=VALUE, got `{assignment}`"))?;
        let v: f32 = value
            .trim()
            .parse()
            .map_err(|_| format!("`{value}` is not a number"))?;
        let slot = match key.trim() {
            "min_score" => &mut self.min_score,
            "clarify_ratio" => &mut self.clarify_ratio,
            "sure_score" => &mut self.sure_score,
            "len_ref" => &mut self.len_ref,
            "oos_ratio" => &mut self.oos_ratio,
            "unknown_sure" => &mut self.unknown_sure,
            "w_example" => &mut self.weights.example,
            "w_profile" => &mut self.weights.profile,
            "w_assoc" => &mut self.weights.association,
            "w_keyword" => &mut self.weights.keyword,
            "w_logistic" => &mut self.weights.logistic,
            other => return Err(format!("unknown tuning key `{other}`")),
        };
        *slot = v;
        Ok(())
    }
}
