//! Natural-language understanding: `Normalizer` turns a message into the
//! stemmed terms the matcher reads (synonyms, spelling, stop words), and
//! `Classifier` ranks intents by how well those terms match each intent's
//! example phrases and keywords.

mod classify;
mod logistic;
mod normalize;
mod spell;
mod stopwords;

pub use classify::{Candidate, Classifier, Weights};
pub use logistic::Logistic;
pub use normalize::{Normalized, Normalizer};
pub use spell::Speller;
