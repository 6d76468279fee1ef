//! Keeping the index in step with `corpus/`: apply each corpus file's
//! entries in corpus order. `scoper import`, `scoper index` and every
//! command that reads the index go through here, so an index is never stale.

use std::path::Path;
use std::sync::mpsc::sync_channel;
use std::thread;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::atomic::write_atomic;
use super::corpus::{corpus_files, CorpusFile};
use super::index::{Applied, Applier, CorpusIndex, SCHEMA_VERSION};
use super::workspace::Workspace;
use crate::parse::{self, Entry, ParseError};

/// Which corpus files the index holds, so a changed corpus is noticed.
#[derive(Debug, Default, Serialize, Deserialize)]
struct IndexState {
    schema: u32,
    files: Vec<CorpusFile>,
}

/// A fault in one file, located for the user.
#[derive(Debug, Clone, Serialize)]
pub struct FileError {
    pub file: String,
    pub line: Option<u64>,
    pub pmid: Option<String>,
    pub message: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ", line {l}")?;
        }
        if let Some(p) = &self.pmid {
            write!(f, ", PMID {p}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Records handed from the parser thread at a time.
const BATCH: usize = 256;

/// What one file brought to the working set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileReport {
    pub file: String,
    /// Records read from the file.
    pub records: usize,
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// PMIDs a `DeleteCitation` removed from the working set.
    pub deleted: usize,
    /// PMIDs the file's `DeleteCitation` named.
    pub delete_requests: usize,
    pub errors: Vec<FileError>,
}

/// What bringing the index up to date did.
#[derive(Debug, Default)]
pub struct SyncReport {
    pub rebuilt: bool,
    pub files: Vec<FileReport>,
}

/// Reads `path` (a corpus file) and applies its entries. Parsing runs on its
/// own thread while this one builds index documents.
pub fn apply_file(applier: &mut Applier, path: &Path, shown: &str) -> Result<FileReport> {
    let input = parse::open(path).with_context(|| format!("could not open {shown}"))?;
    // Entries go across in batches: one channel message per record costs
    // more in wake-ups than the record costs to parse.
    let (tx, rx) = sync_channel::<Vec<Result<Entry, ParseError>>>(16);
    let parser = thread::spawn(move || {
        let mut batch = Vec::with_capacity(BATCH);
        for item in parse::records_parallel(input, parse_workers()) {
            batch.push(item);
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                if tx.send(full).is_err() {
                    return;
                }
            }
        }
        let _ = tx.send(batch);
    });
    let mut report = FileReport { file: shown.to_string(), ..FileReport::default() };
    let mut faults = Vec::new();
    for item in rx.into_iter().flatten() {
        match item {
            Ok(Entry::Record(r)) => {
                report.records += 1;
                match applier.add(&r)? {
                    Applied::New => report.new += 1,
                    Applied::Updated => report.updated += 1,
                    Applied::Unchanged | Applied::Superseded => report.unchanged += 1,
                }
            }
            Ok(Entry::Deleted(pmids)) => {
                report.delete_requests += pmids.len();
                report.deleted += applier.delete(&pmids);
            }
            Err(e) => faults.push(e),
        }
    }
    parser.join().map_err(|_| anyhow::anyhow!("the parser of {shown} crashed"))?;
    for e in faults {
        report.errors.push(FileError {
            file: shown.to_string(),
            line: parse::line_of(path, e.offset),
            pmid: e.pmid.clone(),
            message: e.message,
        });
    }
    Ok(report)
}

/// Threads that parse one file: one per core, at least two (the reader and
/// the index writer overlap with them anyway).
fn parse_workers() -> usize {
    thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(2, 8)
}

fn load_state(ws: &Workspace) -> Option<IndexState> {
    let bytes = std::fs::read(ws.index_state()).ok()?;
    let state: IndexState = serde_json::from_slice(&bytes).ok()?;
    (state.schema == SCHEMA_VERSION && ws.index_dir().join("meta.json").is_file()).then_some(state)
}

fn save_state(ws: &Workspace, files: &[CorpusFile]) -> Result<()> {
    let state = IndexState { schema: SCHEMA_VERSION, files: files.to_vec() };
    write_atomic(&ws.index_state(), &serde_json::to_vec_pretty(&state)?)
        .context("could not save the index state in .scoper/")
}

/// Brings the index up to date with `corpus/`: applies the files added since
/// the last run, or rebuilds from scratch when `rebuild` is set, when there
/// is no usable index, or when a file already indexed changed or went away.
pub fn sync(ws: &Workspace, rebuild: bool) -> Result<(CorpusIndex, SyncReport)> {
    let current = corpus_files(ws).context("could not list corpus/")?;
    let state = if rebuild { None } else { load_state(ws) };
    let (index, done, rebuilt) = match state {
        Some(s) if current.starts_with(&s.files) => {
            (CorpusIndex::open(&ws.index_dir())?, s.files.len(), false)
        }
        _ => (CorpusIndex::create(&ws.index_dir())?, 0, true),
    };
    let mut report = SyncReport { rebuilt, files: Vec::new() };
    if done == current.len() && !rebuilt {
        return Ok((index, report));
    }
    let mut applier = index.writer()?;
    for file in &current[done..] {
        let path = ws.root().join(&file.path);
        report.files.push(apply_file(&mut applier, &path, &file.path)?);
    }
    applier.commit()?;
    applier.finish()?;
    save_state(ws, &current)?;
    Ok((index, report))
}

/// Records that `files` (all of corpus/ now) are in the index.
pub fn mark_indexed(ws: &Workspace) -> Result<()> {
    let current = corpus_files(ws).context("could not list corpus/")?;
    save_state(ws, &current)
}
