//! scoper: a scoping-review pipeline for the terminal.
//!
//! # Layout
//!
//! ```text
//! Query ──search──▶ PMIDs ──efetch──▶ raw XML in corpus/
//!                                          │
//! PubMed XML ──parse──▶ Record ──store (corpus/ + tantivy)──▶ find / show / export
//!                                        │
//!            Framework (concepts as queries) ──tag──▶ ConceptHit (with spans)
//! ```
//!
//! - [`parse`]: PubMed XML (`impl BufRead`) → [`parse::Record`]s; pure.
//! - [`store`]: the workspace, `corpus/` (primary data, as received) and the
//!   index in `.scoper/` (derived; rebuilt from `corpus/` at will).
//! - [`fetch`]: saved searches → PubMed through E-utilities → raw responses
//!   in `corpus/` (the only async code).
//! - [`tag`]: a framework's concepts → `ConceptHit`s over the index.
//! - [`chart`]: the charting form, the chart entries, pre-filled values.
//! - [`export`]: what a review hands over: the charted CSV, RIS, the
//!   PRISMA flow, the figures and the HTML report.
//! - [`rank`]: prioritised screening (TF-IDF + a linear SVM retrained
//!   after each decision), the stopping hint, `simulate`.
//! - [`screen`]: screening decisions (a log per reviewer), the queue's
//!   order, and the terminal UI (state, keys, view, terminal).
//! - [`view`]: the workspace for reading (show, find, export, the screening
//!   UI): never writes, never prints.
//! - [`commands`]: one file per subcommand; [`cli`] holds the raw flags.
//! - [`config`]: the protocol, `scoper.toml`.
//! - [`report`]: what the commands print.

pub mod chart;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod dedup;
pub mod export;
pub mod fetch;
pub mod parse;
pub mod query_syntax;
pub mod rank;
pub mod report;
pub mod screen;
pub mod store;
pub mod tag;
pub mod view;

/// Runs one command; returns the process exit code (0 success, 1 failure).
pub fn run(cli: cli::Cli) -> anyhow::Result<i32> {
    let code = commands::dispatch(cli)?;
    // What a command wrote to standard output and could not (a full disk,
    // a closed file) fails it; a closed pipe (`| head`) does not.
    match report::stdout_failure() {
        Some((std::io::ErrorKind::BrokenPipe, _)) | None => Ok(code),
        Some((_, e)) => anyhow::bail!(
            "could not write to standard output: {e} (what this command printed is incomplete)"
        ),
    }
}

/// True when `err` is a write to a closed pipe (`scoper export | head`),
/// which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == BrokenPipe)
            || e.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(BrokenPipe))
    })
}
