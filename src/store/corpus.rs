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

/// True for the files the corpus holds records in: PubMed XML, and the RIS,
/// MEDLINE, Web of Science and CSV exports of other databases (not the
/// esearch answers a search run keeps beside its efetch answers, nor a CSV
/// file's column mapping).
pub fn is_record_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
    !lower.starts_with('.')
        && !lower.starts_with("esearch-")
        && [".xml", ".ris", ".nbib", ".txt", ".ciw", ".csv"].iter().any(|e| lower.ends_with(e))
}

/// A file (or folder) in `corpus/` that cannot be read as part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlisted {
    /// The path as well as it can be shown (lossy when not UTF-8).
    pub path: String,
    pub message: String,
}

/// What `corpus/` holds: its record files in corpus order, and the entries
/// left out (reported, never fatal: the rest of the workspace works).
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub files: Vec<CorpusFile>,
    pub unlisted: Vec<Unlisted>,
}

/// Every record file under `corpus/`, in corpus order.
pub fn corpus_files(ws: &Workspace) -> io::Result<Listing> {
    let mut paths = Vec::new();
    let mut unlisted = Vec::new();
    walk(&ws.corpus(), &mut paths, &mut unlisted)?;
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
    files.sort_by_cached_key(|f| order_key(&f.path));
    Ok(Listing { files, unlisted })
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, unlisted: &mut Vec<Unlisted>) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            let lossy = entry.file_name().to_string_lossy().into_owned();
            if kind.is_dir() || is_record_file(&lossy) {
                unlisted.push(Unlisted {
                    path: path.to_string_lossy().into_owned(),
                    message: "the name is not valid UTF-8, so scoper cannot keep track of it; it \
                              is left out (rename it with letters, digits, `.`, `-` and `_`, then \
                              run `scoper index`)"
                        .into(),
                });
            }
            continue;
        };
        if kind.is_dir() && !name.starts_with('.') {
            walk(&path, out, unlisted)?;
        } else if kind.is_file() && (is_record_file(&name) || is_kept_copy(&name)) {
            out.push(path);
        }
    }
    Ok(())
}

/// Sort key: the stamp in the file's name or in the name of its run folder
/// (none for files placed by hand, so they come first), then the path.
/// Stamps order by time, then by the workspace's import sequence, so files
/// imported within the same second keep the order they came in.
fn order_key(path: &str) -> (Option<(String, u64)>, String) {
    let stamp = path.rsplit('/').find_map(stamp_of);
    (stamp.map(|(t, s)| (t.to_string(), s)), path.to_string())
}

/// The `20261126T151500Z-000001` prefix of an imported file's (or a run
/// folder's) name: the time, and the place in the workspace's sequence.
pub(crate) fn stamp_of(name: &str) -> Option<(&str, u64)> {
    let b = name.as_bytes();
    let ok = b.len() > 24
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'Z'
        && b[16] == b'-';
    if !ok {
        return None;
    }
    let digits = b[17..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits < 6 || b.get(17 + digits) != Some(&b'-') {
        return None;
    }
    Some((&name[..16], name[17..17 + digits].parse().ok()?))
}

/// The time and sequence numbers of the next things added to the corpus:
/// the time is never earlier than any stamp already there (a clock set back
/// does not reorder the corpus), and the sequence goes on from the highest
/// one there. The caller holds the workspace lock.
pub fn next_stamp(ws: &Workspace, now_compact: &str) -> io::Result<(String, u64)> {
    let mut latest = now_compact.to_string();
    let mut seq = 0;
    let mut see = |name: &str| {
        if let Some((t, s)) = stamp_of(name) {
            if t > latest.as_str() {
                latest = t.to_string();
            }
            seq = seq.max(s);
        }
    };
    for_each_name(&ws.imports(), &mut see)?;
    let runs = ws.all_runs();
    let mut queries = Vec::new();
    for_each_name(&runs, &mut |n: &str| queries.push(n.to_string()))?;
    for q in queries {
        for_each_name(&runs.join(q), &mut see)?;
    }
    Ok((latest, seq + 1))
}

fn for_each_name(dir: &Path, f: &mut dyn FnMut(&str)) -> io::Result<()> {
    match fs::read_dir(dir) {
        Ok(entries) => {
            for e in entries {
                if let Some(n) = e?.file_name().to_str() {
                    f(n);
                }
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// A copy `scoper import` kept (its stamp and hash in the name), whatever
/// the input file's name ended in: `embase-export`, a RIS file with no
/// extension, is kept as `…-embase-export.gz` and must be read on every
/// rebuild like any other.
fn is_kept_copy(name: &str) -> bool {
    !name.starts_with('.') && !name.ends_with(".map.json") && name_hash(name).is_some()
}

/// The content hash embedded in an imported file's name.
fn name_hash(name: &str) -> Option<&str> {
    stamp_of(name)?;
    let start = 17 + name[17..].bytes().take_while(u8::is_ascii_digit).count() + 1;
    name.get(start..start + 16).filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
}

/// A copy of an input file inside `corpus/imports/`, not yet kept: it is
/// renamed into place by [`Staged::keep`], or removed when dropped.
pub struct Staged {
    pub temp: tempfile::TempPath,
    pub final_path: PathBuf,
    /// What to parse: the input as received (the copy is a compression of
    /// it, made meanwhile on a thread of its own), or the copy itself.
    pub parse_from: PathBuf,
    compressing: Option<std::thread::JoinHandle<io::Result<()>>>,
}

impl Staged {
    /// Waits for the compressed copy (when one is being made).
    fn finished(&mut self) -> io::Result<()> {
        match self.compressing.take() {
            Some(h) => h.join().map_err(|_| io::Error::other("the compressing thread panicked"))?,
            None => Ok(()),
        }
    }

    /// Drops the copy (after the compressing thread is done with it).
    pub fn discard(mut self) {
        let _ = self.finished();
    }

    /// Moves the copy into the corpus, durably.
    pub fn keep(mut self) -> io::Result<PathBuf> {
        self.finished()?;
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
/// the way; the copy is fsynced before this returns. `seq` is the file's
/// place in the workspace's sequence (see [`next_stamp`]).
pub fn stage(ws: &Workspace, src: &Path, now_compact: &str, seq: u64) -> io::Result<Stage> {
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
    // Readable by others, like every file of the workspace (tempfile's
    // default is 0600, and a colleague sharing the workspace could not
    // index it).
    let mut builder = tempfile::Builder::new();
    builder.prefix(".importing-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    let temp = builder.tempfile_in(&dir)?.into_temp_path();
    let original = src.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut safe: String = original
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    // A name may have 255 bytes; the stamp and hash take 41 and `.gz` 3, so
    // a long name is cut in its middle, its extension kept.
    safe = shortened(&safe, 200);
    let gzipped = {
        let mut magic = [0u8; 2];
        fs::File::open(src)?.read(&mut magic)? == 2 && magic == [0x1f, 0x8b]
    };
    let (parse_from, compressing) = if gzipped {
        // Kept as received, byte for byte (copy_file_range where it can).
        fs::copy(src, &temp)?;
        // fs::copy copies the input's mode too (0600, or read-only).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&temp, fs::Permissions::from_mode(0o644))?;
        }
        fs::File::open(&temp)?.sync_all()?;
        (temp.to_path_buf(), None)
    } else {
        // Plain XML is kept gzip-compressed (about a seventh of the size, fit
        // for git), byte-exact on decompression; the hash in the name is of
        // the bytes as received. The input is parsed meanwhile.
        if !safe.ends_with(".gz") {
            safe.push_str(".gz");
        }
        let (from, to) = (src.to_path_buf(), temp.to_path_buf());
        let job = std::thread::spawn(move || -> io::Result<()> {
            let input = io::BufReader::with_capacity(1 << 20, fs::File::open(&from)?);
            let out = io::BufWriter::with_capacity(1 << 20, fs::File::create(&to)?);
            let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
            io::copy(&mut { input }, &mut gz)?;
            let file = gz.finish()?.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()
        });
        (src.to_path_buf(), Some(job))
    };
    let final_path = dir.join(format!("{now_compact}-{seq:06}-{short}-{safe}"));
    Ok(Stage::New(Staged { temp, final_path, parse_from, compressing }))
}

/// `name` in at most `max` bytes: cut before its extension (the part
/// from its last dot, when short), at a character boundary.
fn shortened(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let ext = name.rfind('.').map(|i| &name[i..]).filter(|e| e.len() <= 16).unwrap_or("");
    let stem = &name[..name.len() - ext.len()];
    let mut cut = max - ext.len();
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{ext}", &stem[..cut])
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
    #[test]
    fn long_names_are_cut_before_their_extension() {
        let long = format!("{}.ris", "é".repeat(150));
        let short = super::shortened(&long, 200);
        assert!(short.len() <= 200 && short.ends_with(".ris"), "{short}");
        assert_eq!(super::shortened("export.ris", 200), "export.ris");
        assert!(super::is_kept_copy("20261126T151500Z-000001-0123456789abcdef-embase-export.gz"));
        assert!(!super::is_kept_copy("notes.md"));
        assert!(!super::is_kept_copy(
            "20261126T151500Z-000001-0123456789abcdef-export.csv.gz.map.json"
        ));
    }

    use super::*;

    #[test]
    fn imported_names_sort_after_hand_placed_files_and_by_time() {
        let mut v = vec![
            "corpus/imports/20261126T151500Z-1000000-0123456789abcdef-c.xml",
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
                "corpus/imports/20261126T151500Z-1000000-0123456789abcdef-c.xml",
            ]
        );
        assert_eq!(
            name_hash("20261126T151500Z-000001-0123456789abcdef-b.xml"),
            Some("0123456789abcdef")
        );
        assert_eq!(
            name_hash("20261126T151500Z-1000000-0123456789abcdef-b.xml"),
            Some("0123456789abcdef")
        );
        assert_eq!(name_hash("demo.xml"), None);
    }
}
