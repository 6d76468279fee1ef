//! `corpus/`: the records exactly as received, in the order they came.
//!
//! The working set is what you get by reading every corpus file in order:
//! a later file's record replaces an earlier one of the same PMID (unless
//! the earlier has a higher `Version`), and a `DeleteCitation` removes PMIDs.
//! Files that `scoper import` brings in are named
//! `imports/<UTC time>-<seq>-<content hash>-<original name>`, and the
//! responses of a search run live in `runs/NAME/<UTC time>-000000-run/`, so
//! the order of arrival is the order of the times in the names; a file
//! imported twice is seen by its hash. Files placed in `corpus/` by hand (the
//! demo records) come first, by path.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::atomic::sync_dir;
use super::workspace::Workspace;

/// One file of the corpus, as seen on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusFile {
    /// Path relative to the workspace root (`corpus/...`).
    pub path: String,
    pub size: u64,
    /// Modification time in nanoseconds, to notice an edited file.
    pub mtime_ns: u128,
}

/// True for the files the corpus holds records in (not the esearch
/// answers a search run keeps beside its efetch answers).
pub fn is_record_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !lower.starts_with('.')
        && !lower.starts_with("esearch-")
        && (lower.ends_with(".xml") || lower.ends_with(".xml.gz"))
}

/// Every record file under `corpus/`, in corpus order.
pub fn corpus_files(ws: &Workspace) -> io::Result<Vec<CorpusFile>> {
    let mut paths = Vec::new();
    walk(&ws.corpus(), &mut paths)?;
    let mut files = Vec::with_capacity(paths.len());
    for p in paths {
        let meta = fs::metadata(&p)?;
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        files.push(CorpusFile { path: ws.relative(&p), size: meta.len(), mtime_ns });
    }
    files.sort_by_key(|f| order_key(&f.path));
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type()?;
        if kind.is_dir() && !name.starts_with('.') {
            walk(&path, out)?;
        } else if kind.is_file() && is_record_file(&name) {
            out.push(path);
        }
    }
    Ok(())
}

/// Sort key: the time in the file's name or in the name of its run folder
/// (empty for files placed by hand, so they come first), then the path.
fn order_key(path: &str) -> (String, String) {
    let time = path.rsplit('/').find_map(import_time).unwrap_or_default();
    (time.to_string(), path.to_string())
}

/// The `20261126T151500Z-000001` prefix of an imported file's name: the
/// time of the import and the file's place among those imported with it.
fn import_time(name: &str) -> Option<&str> {
    let b = name.as_bytes();
    let ok = b.len() > 24
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'Z'
        && b[16] == b'-'
        && b[17..23].iter().all(u8::is_ascii_digit)
        && b[23] == b'-';
    ok.then(|| &name[..23])
}

/// The content hash embedded in an imported file's name.
fn name_hash(name: &str) -> Option<&str> {
    import_time(name)?;
    name.get(24..40).filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
}

/// A copy of an input file inside `corpus/imports/`, not yet kept: it is
/// renamed into place by [`Staged::keep`], or removed when dropped.
pub struct Staged {
    pub temp: tempfile::TempPath,
    pub final_path: PathBuf,
}

impl Staged {
    /// Moves the copy into the corpus, durably.
    pub fn keep(self) -> io::Result<PathBuf> {
        let dir = self.final_path.parent().map(Path::to_path_buf).unwrap_or_default();
        self.temp.persist(&self.final_path).map_err(|e| e.error)?;
        sync_dir(&dir)?;
        Ok(self.final_path)
    }
}

/// What staging an input file found.
pub enum Stage {
    /// A new file, copied and synced, waiting to be kept.
    New(Staged),
    /// The same bytes are in the corpus already, under this path.
    AlreadyImported(String),
}

/// Copies `src` into `corpus/imports/` under a temporary name, hashing it on
/// the way; the copy is fsynced before this returns. `seq` orders the files
/// of one import.
pub fn stage(ws: &Workspace, src: &Path, now_compact: &str, seq: usize) -> io::Result<Stage> {
    let dir = ws.imports();
    fs::create_dir_all(&dir)?;
    // Hash first, so a file imported before costs one read and no copy.
    let mut input = fs::File::open(src)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let hash = hasher.finalize().to_hex();
    let short = &hash.as_str()[..16];
    if let Some(existing) = find_by_hash(ws, short)? {
        return Ok(Stage::AlreadyImported(existing));
    }
    // The copy is made by the kernel (copy_file_range where it can).
    let temp = tempfile::Builder::new().prefix(".importing-").tempfile_in(&dir)?.into_temp_path();
    fs::copy(src, &temp)?;
    fs::File::open(&temp)?.sync_all()?;
    let original = src.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let safe: String = original
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    let final_path = dir.join(format!("{now_compact}-{seq:06}-{short}-{safe}"));
    Ok(Stage::New(Staged { temp, final_path }))
}

fn find_by_hash(ws: &Workspace, short: &str) -> io::Result<Option<String>> {
    let entries = match fs::read_dir(ws.imports()) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name_hash(&name) == Some(short) {
            return Ok(Some(ws.relative(&entry.path())));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imported_names_sort_after_hand_placed_files_and_by_time() {
        let mut v = vec![
            "corpus/imports/20261126T151500Z-000002-0123456789abcdef-a.xml",
            "corpus/imports/20261126T151500Z-000001-fedcba9876543210-b.xml",
            "corpus/zz-demo.xml",
            "corpus/imports/20251126T151500Z-000001-0123456789abcdef-a.xml",
            "corpus/demo/a.xml",
            "corpus/runs/lhs/20261126T151500Z-000000-run/efetch-0002.xml",
        ];
        v.sort_by_key(|p| order_key(p));
        assert_eq!(
            v,
            [
                "corpus/demo/a.xml",
                "corpus/zz-demo.xml",
                "corpus/imports/20251126T151500Z-000001-0123456789abcdef-a.xml",
                "corpus/runs/lhs/20261126T151500Z-000000-run/efetch-0002.xml",
                "corpus/imports/20261126T151500Z-000001-fedcba9876543210-b.xml",
                "corpus/imports/20261126T151500Z-000002-0123456789abcdef-a.xml",
            ]
        );
        assert_eq!(
            name_hash("20261126T151500Z-000001-0123456789abcdef-b.xml"),
            Some("0123456789abcdef")
        );
        assert_eq!(name_hash("demo.xml"), None);
    }
}
