//! Tagging: records → the concepts of a framework, with the evidence.
//!
//! - [`Framework`] reads and checks a framework file (elements, concepts,
//!   queries);
//! - [`Matcher`] compiles it against the index and runs it: `ConceptHit`s
//!   with the field, the matched spans and a score;
//! - [`store`] keeps the hits in `.scoper/` (derived, rebuilt when the
//!   framework or the corpus changes);
//! - [`ConceptMap`] summarises them; [`eval`] measures a framework against a
//!   gold set.

pub mod eval;
mod framework;
mod map;
mod matcher;
pub mod store;

pub use framework::{Concept, Element, Framework};
pub use map::ConceptMap;
pub(crate) use matcher::fold as fold_word;
pub use matcher::{
    stem_families, ConceptHit, Explanation, Matcher, StemFamily, Tagged, TAG_FIELDS,
};
