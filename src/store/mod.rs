//! Storage: the workspace folder, `corpus/` (primary data, as received) and
//! the tantivy index in `.scoper/` (derived, rebuildable from `corpus/`).

pub mod atomic;
pub mod corpus;
pub mod index;
pub mod lock;
pub mod log;
pub mod output;
pub mod stem;
pub mod sync;
pub mod workspace;

pub use index::CorpusIndex;
pub use workspace::Workspace;
