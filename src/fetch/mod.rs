//! Fetching from PubMed through NCBI E-utilities: the only async code in
//! scoper, and the only code that touches the network.
//!
//! - [`Query`]: a saved search (`queries/NAME.toml`);
//! - [`eutils`]: request parameters and response checks, pure;
//! - [`RateLimiter`](limiter::RateLimiter) and [`EutilsClient`](client::EutilsClient):
//!   pacing, retries, the HTTP itself;
//! - [`search`]: one run of a saved search: slicing past the 9,999 cap,
//!   efetch batches checked PMID by PMID, raw responses saved to `corpus/`
//!   as received, resumable after a crash, the `SearchRun` appended to the
//!   search log;
//!
//! The stand-in E-utilities server of the tests and benchmarks is the
//! dev-only crate `crates/eutils-mock`.

pub mod client;
pub mod eutils;
pub mod limiter;
mod query;
pub mod search;

pub use query::Query;

/// What went wrong talking to E-utilities.
#[derive(Debug)]
pub enum FetchError {
    /// The HTTP client could not be set up.
    Setup(String),
    /// Nobody answers at the base URL.
    Unreachable { base: String, reason: String },
    /// NCBI answered with an error that no retry mends.
    Ncbi { utility: String, message: String },
    /// An HTTP status that no retry mends (400, 414...).
    Http { utility: String, status: u16, body: String },
    /// The history (WebEnv) is gone.
    Expired(String),
    /// Retried as often as allowed.
    GaveUp { utility: String, attempts: u32, last: String, rate_limited: bool },
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Setup(m) => write!(f, "could not set up the HTTP client: {m}"),
            FetchError::Unreachable { base, reason } => write!(
                f,
                "cannot reach E-utilities at {base} ({reason}); no network? Offline commands \
                 (run --offline, find, show, tag, export) still work"
            ),
            FetchError::Ncbi { utility, message } => write!(f, "{utility}: NCBI said: {message}"),
            FetchError::Http { utility, status, body } => {
                write!(f, "{utility}: NCBI answered HTTP {status}: {body}")
            }
            FetchError::Expired(m) => write!(f, "the search history expired: {m}"),
            FetchError::GaveUp { utility, attempts, last, rate_limited } => {
                write!(f, "{utility}: no good answer after {attempts} tries (last: {last})")?;
                if *rate_limited {
                    write!(
                        f,
                        "\n(hint: NCBI limited the rate of requests; with an API key it allows \
                         10 a second instead of 3: get one in your NCBI account settings, then \
                         export NCBI_API_KEY=...)"
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for FetchError {}

impl FetchError {
    /// True when E-utilities cannot be reached at all (no network): the
    /// one fault `scoper run` goes on from, with what corpus/ holds.
    pub fn is_offline(&self) -> bool {
        matches!(self, FetchError::Unreachable { .. })
    }
}

/// Where a fetch reports how it is going (`report` draws the bars).
pub trait Progress: Send + Sync {
    /// A search starts: its name.
    fn searching(&self, _query: &str) {}
    /// An esearch answered, with this count.
    fn searched(&self, _count: u64) {}
    /// PMIDs found; batches to fetch.
    fn planned(&self, _found: u64, _batches: u64) {}
    /// One batch saved, with this many records.
    fn batch(&self, _records: u64) {}
    /// A request is tried again, and why.
    fn retry(&self, _utility: &str, _reason: &str) {}
    /// The search is over.
    fn done(&self) {}
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {}
