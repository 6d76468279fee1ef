//! Keeping the index in step with `corpus/`: apply each corpus file's
//! entries in corpus order. `scoper import`, `scoper index` and every
//! command that reads the index go through here, so an index is never stale.

use std::path::Path;
use std::sync::mpsc::sync_channel;
use std::thread;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::atomic::write_atomic;
use super::corpus::{corpus_files, CorpusFile, Unlisted};
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
    /// What kind of fault: `record` (one record skipped), `malformed`,
    /// `empty`, `not_pubmed`, `eutils_error` (see `ParseErrorKind`), `name`
    /// (a file name scoper cannot use), `io` (the file cannot be read).
    pub kind: &'static str,
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
    /// Entries of corpus/ left out (a name that is not UTF-8).
    pub unlisted: Vec<FileError>,
}

impl SyncReport {
    /// Every problem met: in corpus files, and entries left out.
    pub fn errors(&self) -> impl Iterator<Item = &FileError> {
        self.unlisted.iter().chain(self.files.iter().flat_map(|f| f.errors.iter()))
    }
}

impl From<&Unlisted> for FileError {
    fn from(u: &Unlisted) -> FileError {
        FileError {
            kind: "name",
            file: u.path.clone(),
            line: None,
            pmid: None,
            message: u.message.clone(),
        }
    }
}

/// The CSV column mapping kept beside an imported CSV file (`import
/// --map`): `FILE.map.json`.
pub fn map_file_of(path: &Path) -> std::path::PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".map.json");
    path.with_file_name(name)
}

/// Reads a RIS, MEDLINE, Web of Science or CSV file and applies its
/// records; `None` when the file is none of these (PubMed XML).
fn apply_tagged(
    applier: &mut Applier,
    path: &Path,
    shown: &str,
    kept_as: Option<&Path>,
) -> Result<Option<FileReport>> {
    let name = path.file_name().unwrap_or_default().to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".xml") || name.ends_with(".xml.gz") {
        return Ok(None);
    }
    let Some(format) = parse::tagged::detect_file(path) else { return Ok(None) };
    let source_name = shown.rsplit('/').next().unwrap_or(shown);
    let map: std::collections::HashMap<String, String> = if format == parse::tagged::Format::Csv {
        let map_path = map_file_of(kept_as.unwrap_or(path));
        match std::fs::read(&map_path) {
            Ok(b) => serde_json::from_slice(&b)
                .with_context(|| format!("{} is not a column mapping", map_path.display()))?,
            Err(_) => Default::default(),
        }
    } else {
        Default::default()
    };
    let mut report = FileReport { file: shown.to_string(), ..FileReport::default() };
    let input = parse::open(path).with_context(|| format!("could not open {shown}"))?;
    // One record at a time: a large export is never held whole.
    let faults = parse::tagged::parse_reader(format, input, source_name, &map, &mut |r| {
        report.records += 1;
        match applier.add(&r)? {
            Applied::New => report.new += 1,
            Applied::Updated => report.updated += 1,
            Applied::Unchanged | Applied::Superseded => report.unchanged += 1,
        }
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("{shown}: {e:#}"))?;
    for f in faults {
        report.errors.push(FileError {
            kind: "record",
            file: shown.to_string(),
            line: Some(f.line as u64),
            pmid: None,
            message: f.message,
        });
    }
    Ok(Some(report))
}

/// Reads `path` (a corpus file) and applies its entries. Parsing runs on its
/// own thread while this one builds index documents. A RIS, MEDLINE, Web of
/// Science or CSV file is read a record at a time (see [`parse::tagged`]).
pub fn apply_file(applier: &mut Applier, path: &Path, shown: &str) -> Result<FileReport> {
    apply_file_as(applier, path, shown, None)
}

/// [`apply_file`] for a file read from one place and kept at another
/// (`kept_as`: where its CSV column mapping is).
pub fn apply_file_as(
    applier: &mut Applier,
    path: &Path,
    shown: &str,
    kept_as: Option<&Path>,
) -> Result<FileReport> {
    if let Some(report) = apply_tagged(applier, path, shown, kept_as)? {
        return Ok(report);
    }
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
            kind: e.kind.name(),
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

/// How the index stands against `corpus/`, for reading commands, which
/// never bring it up to date themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// The index holds every corpus file, as it is.
    Current,
    /// Files were added to corpus/ since the index was built.
    Behind { files: usize },
    /// A file the index holds changed or went away: it must be rebuilt.
    Stale,
    /// There is no usable index.
    Missing,
}

impl Freshness {
    /// One line for the user, or none when the index is current.
    pub fn note(&self) -> Option<String> {
        match self {
            Freshness::Current => None,
            Freshness::Behind { files } => Some(format!(
                "note: the index is behind corpus/ ({files} file(s) not indexed yet): these \
                 results leave them out; `scoper index` brings it up to date"
            )),
            Freshness::Stale => Some(
                "note: corpus/ changed since the index was built (a file added among the others, \
                 edited or removed): these results may be out of date; `scoper index` rebuilds it"
                    .into(),
            ),
            Freshness::Missing => Some(
                "note: the workspace has no index yet; `scoper index` (or `scoper run`) builds it"
                    .into(),
            ),
        }
    }
}

/// Compares the index with `corpus/`, writing nothing.
pub fn freshness(ws: &Workspace) -> Result<Freshness> {
    let Some(state) = load_state(ws) else { return Ok(Freshness::Missing) };
    let current = corpus_files(ws).context("could not list corpus/")?.files;
    Ok(if current == state.files {
        Freshness::Current
    } else if current.starts_with(&state.files) {
        Freshness::Behind { files: current.len() - state.files.len() }
    } else {
        Freshness::Stale
    })
}

/// Brings the index up to date with `corpus/`: applies the files added since
/// the last run, or rebuilds from scratch when `rebuild` is set, when there
/// is no usable index, or when a file already indexed changed or went away.
///
/// The caller holds the workspace lock. A rebuild is made in a folder of its
/// own and then put in place, so a reader that has the old index open keeps
/// reading it.
pub fn sync(ws: &Workspace, rebuild: bool) -> Result<(CorpusIndex, SyncReport)> {
    let listing = corpus_files(ws).context("could not list corpus/")?;
    let current = listing.files;
    let state = if rebuild { None } else { load_state(ws) };
    let mut report = SyncReport {
        rebuilt: false,
        files: Vec::new(),
        unlisted: listing.unlisted.iter().map(FileError::from).collect(),
    };
    if let Some(s) = state.filter(|s| current.starts_with(&s.files)) {
        let index = CorpusIndex::open(&ws.index_dir())?;
        if s.files.len() == current.len() {
            return Ok((index, report));
        }
        let mut applier = index.writer()?;
        for file in &current[s.files.len()..] {
            let path = ws.root().join(&file.path);
            report.files.push(apply_file(&mut applier, &path, &file.path)?);
        }
        applier.commit()?;
        applier.finish()?;
        make_readable(&ws.index_dir());
        save_state(ws, &current)?;
        return Ok((index, report));
    }
    report.rebuilt = true;
    let fresh = ws.derived().join("index.new");
    {
        let index = CorpusIndex::create(&fresh)?;
        let mut applier = index.writer()?;
        for file in &current {
            let path = ws.root().join(&file.path);
            report.files.push(apply_file(&mut applier, &path, &file.path)?);
        }
        applier.commit()?;
        applier.finish()?;
    }
    make_readable(&fresh);
    // No state while the folders change places: a crash here means a
    // rebuild next time, never an index that disagrees with its state.
    match std::fs::remove_file(ws.index_state()) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).context("could not reset the index state in .scoper/")
        }
        _ => {}
    }
    let live = ws.index_dir();
    let old = ws.derived().join("index.old");
    let _ = std::fs::remove_dir_all(&old);
    if live.exists() {
        std::fs::rename(&live, &old).context("could not move the old index aside")?;
    }
    std::fs::rename(&fresh, &live).context("could not put the rebuilt index in place")?;
    let _ = std::fs::remove_dir_all(&old);
    save_state(ws, &current)?;
    Ok((CorpusIndex::open(&live)?, report))
}

/// Records that all of corpus/ now is in the index.
pub fn mark_indexed(ws: &Workspace) -> Result<()> {
    let current = corpus_files(ws).context("could not list corpus/")?.files;
    make_readable(&ws.index_dir());
    save_state(ws, &current)
}

/// Makes the index files readable by everyone who can read the workspace,
/// like any file the user writes (tantivy writes some with mode 0600, so a
/// colleague's copy or a shared folder could not be read).
fn make_readable(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            if let Ok(meta) = e.metadata() {
                let mode = meta.permissions().mode();
                if meta.is_file() && mode & 0o044 != 0o044 {
                    let _ = std::fs::set_permissions(
                        e.path(),
                        std::fs::Permissions::from_mode(mode | 0o044),
                    );
                }
            }
        }
    }
    let _ = dir;
}
