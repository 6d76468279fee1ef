//! `AppendLog`: a JSON-lines file that is only ever appended to: the search
//! log now, the decision and chart logs of the reviewers next.
//!
//! Each entry is one line, written with one `write` and fsynced before
//! `append` returns (and the folder too, when the file is new), so `kill -9`
//! at any moment loses at most the entry being written, never one already
//! saved. Such a crash can leave a torn last line: the reader reports it and
//! skips it, and the next `append` first moves the fragment aside, into
//! `NAME.torn` beside the log (reported once, never silently dropped), so
//! the new entry starts on a line of its own.
//!
//! Appends must be serialised by the caller (the workspace lock, or a
//! reviewer's lock); reads need no lock.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::atomic::sync_dir;

/// A JSON-lines log of `T`s.
#[derive(Debug, Clone)]
pub struct AppendLog<T> {
    path: PathBuf,
    shown: String,
    _entry: PhantomData<fn() -> T>,
}

/// A line of a log that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadLine {
    /// The log as shown to the user (relative to the workspace).
    pub file: String,
    /// 1-based.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for BadLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, line {}: {}", self.file, self.line, self.message)
    }
}

/// What reading a log gave.
#[derive(Debug)]
pub struct LogRead<T> {
    pub entries: Vec<T>,
    /// Lines skipped (a torn last line, an unreadable entry).
    pub bad: Vec<BadLine>,
}

/// A torn tail that `append` moved aside before writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    /// The log, as shown.
    pub file: String,
    /// Bytes of the fragment.
    pub bytes: usize,
    /// Where the fragment now is.
    pub saved_to: PathBuf,
}

impl std::fmt::Display for Repaired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ended in an incomplete line ({} bytes; a write was interrupted): it was moved to \
             {} and the log goes on from the last complete entry",
            self.file,
            self.bytes,
            self.saved_to.display()
        )
    }
}

/// The names (without `.jsonl`) of the logs in `dir`, sorted: one per
/// reviewer in `screening/` and `charting/`. A missing folder has none.
pub fn names_in(dir: &Path) -> io::Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().to_str().map(str::to_owned))
        .filter_map(|n| n.strip_suffix(".jsonl").map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

impl<T: Serialize + DeserializeOwned> AppendLog<T> {
    /// The log at `path`; `shown` names it in messages.
    pub fn new(path: PathBuf, shown: impl Into<String>) -> AppendLog<T> {
        AppendLog { path, shown: shown.into(), _entry: PhantomData }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every entry, oldest first. A missing file is an empty log.
    pub fn read(&self) -> io::Result<LogRead<T>> {
        let bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let mut entries = Vec::new();
        let mut bad = Vec::new();
        let torn_from = if bytes.last().is_some_and(|&b| b != b'\n') {
            Some(bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1))
        } else {
            None
        };
        let complete = &bytes[..torn_from.unwrap_or(bytes.len())];
        for (i, line) in complete.split(|&b| b == b'\n').enumerate() {
            let line_no = i + 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice(line) {
                Ok(v) => entries.push(v),
                Err(e) => bad.push(BadLine {
                    file: self.shown.clone(),
                    line: line_no,
                    message: format!("an unreadable entry is skipped ({e})"),
                }),
            }
        }
        if let Some(from) = torn_from {
            let line = complete.iter().filter(|&&b| b == b'\n').count() + 1;
            bad.push(BadLine {
                file: self.shown.clone(),
                line,
                message: format!(
                    "an incomplete last line ({} bytes; a write was interrupted) is skipped; the \
                     next write moves it aside",
                    bytes.len() - from
                ),
            });
        }
        Ok(LogRead { entries, bad })
    }

    /// Appends `entry` durably. Returns the torn tail it moved aside first,
    /// if there was one.
    pub fn append(&self, entry: &T) -> io::Result<Option<Repaired>> {
        self.append_all(std::slice::from_ref(entry))
    }

    /// Appends `entries` durably, with one write and one fsync (a crash
    /// leaves a prefix of them, the last perhaps torn).
    pub fn append_all(&self, entries: &[T]) -> io::Result<Option<Repaired>> {
        let mut line = Vec::new();
        for entry in entries {
            serde_json::to_writer(&mut line, entry).map_err(io::Error::other)?;
            line.push(b'\n');
        }
        let dir =
            self.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let created = !self.path.exists();
        let mut f = OpenOptions::new().read(true).append(true).create(true).open(&self.path)?;
        let repaired = self.repair_tail(&mut f)?;
        f.write_all(&line)?;
        f.sync_all()?;
        if created {
            sync_dir(dir)?;
        }
        Ok(repaired)
    }

    /// Appends `entries` all or nothing: the log is written anew with them
    /// at its end (temporary file, fsync, rename), so `kill -9` or a full
    /// disk leaves either every entry in the log or none. For a batch (a
    /// CSV of decisions); it reads and writes the whole log, so single
    /// entries go through [`AppendLog::append`].
    pub fn append_all_atomic(&self, entries: &[T]) -> io::Result<Option<Repaired>> {
        let mut bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let mut repaired = None;
        if bytes.last().is_some_and(|&b| b != b'\n') {
            let start = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            repaired = Some(self.set_aside(&bytes.split_off(start))?);
        }
        for entry in entries {
            serde_json::to_writer(&mut bytes, entry).map_err(io::Error::other)?;
            bytes.push(b'\n');
        }
        super::atomic::write_atomic(&self.path, &bytes)?;
        Ok(repaired)
    }

    /// Moves a torn last line (no final newline) into `NAME.torn` and cuts
    /// the log back to its last complete line.
    fn repair_tail(&self, f: &mut File) -> io::Result<Option<Repaired>> {
        let len = f.metadata()?.len();
        if len == 0 {
            return Ok(None);
        }
        let mut last = [0u8; 1];
        f.seek(SeekFrom::Start(len - 1))?;
        f.read_exact(&mut last)?;
        if last[0] == b'\n' {
            return Ok(None);
        }
        // Find where the last line starts, reading backwards in blocks.
        let mut start = 0u64;
        let mut pos = len;
        let mut buf = vec![0u8; 64 * 1024];
        'search: while pos > 0 {
            let n = buf.len().min(pos as usize);
            pos -= n as u64;
            f.seek(SeekFrom::Start(pos))?;
            f.read_exact(&mut buf[..n])?;
            if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
                start = pos + i as u64 + 1;
                break 'search;
            }
        }
        let mut fragment = Vec::with_capacity((len - start) as usize);
        f.seek(SeekFrom::Start(start))?;
        f.read_to_end(&mut fragment)?;
        // The fragment is kept before the log is cut: a crash in between
        // leaves it in both.
        let repaired = self.set_aside(&fragment)?;
        f.set_len(start)?;
        f.sync_all()?;
        if let Some(dir) = repaired.saved_to.parent() {
            sync_dir(dir)?;
        }
        Ok(Some(repaired))
    }

    /// Appends a torn fragment to `NAME.torn` beside the log (with a
    /// newline, so several stay apart), durably.
    fn set_aside(&self, fragment: &[u8]) -> io::Result<Repaired> {
        let mut aside_name = self.path.file_name().unwrap_or_default().to_os_string();
        aside_name.push(".torn");
        let aside = self.path.with_file_name(aside_name);
        let mut kept = OpenOptions::new().append(true).create(true).open(&aside)?;
        kept.write_all(fragment)?;
        kept.write_all(b"\n")?;
        kept.sync_all()?;
        Ok(Repaired { file: self.shown.clone(), bytes: fragment.len(), saved_to: aside })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct E {
        n: u32,
    }

    #[test]
    fn a_torn_tail_is_reported_then_moved_aside_by_the_next_append() {
        let dir = tempfile::tempdir().unwrap();
        let log: AppendLog<E> = AppendLog::new(dir.path().join("log.jsonl"), "log.jsonl");
        assert!(log.append(&E { n: 1 }).unwrap().is_none());
        let mut f = OpenOptions::new().append(true).open(log.path()).unwrap();
        f.write_all(b"{\"n\":2, \"partial").unwrap();
        let r = log.read().unwrap();
        assert_eq!(r.entries, [E { n: 1 }]);
        assert_eq!(r.bad.len(), 1);
        assert_eq!(r.bad[0].line, 2);
        let repaired = log.append(&E { n: 3 }).unwrap().expect("repaired");
        assert_eq!(repaired.bytes, 16);
        let r = log.read().unwrap();
        assert_eq!(r.entries, [E { n: 1 }, E { n: 3 }]);
        assert!(r.bad.is_empty());
        let aside = fs::read_to_string(dir.path().join("log.jsonl.torn")).unwrap();
        assert_eq!(aside, "{\"n\":2, \"partial\n");
        // A log that is one torn line and nothing else.
        fs::write(log.path(), b"{\"n\":").unwrap();
        log.append(&E { n: 4 }).unwrap().expect("repaired");
        assert_eq!(log.read().unwrap().entries, [E { n: 4 }]);
    }

    #[test]
    fn a_batch_is_appended_whole_and_a_torn_tail_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let log: AppendLog<E> = AppendLog::new(dir.path().join("log.jsonl"), "log.jsonl");
        log.append(&E { n: 1 }).unwrap();
        let mut f = OpenOptions::new().append(true).open(log.path()).unwrap();
        f.write_all(b"{\"n\":2, \"par").unwrap();
        let repaired = log.append_all_atomic(&[E { n: 3 }, E { n: 4 }]).unwrap().expect("torn");
        assert_eq!(repaired.bytes, 12);
        let r = log.read().unwrap();
        assert_eq!(r.entries, [E { n: 1 }, E { n: 3 }, E { n: 4 }]);
        assert!(r.bad.is_empty());
        // A log that does not exist yet.
        let new: AppendLog<E> = AppendLog::new(dir.path().join("new.jsonl"), "new.jsonl");
        assert!(new.append_all_atomic(&[E { n: 5 }]).unwrap().is_none());
        assert_eq!(new.read().unwrap().entries, [E { n: 5 }]);
    }

    #[test]
    fn an_unreadable_line_is_reported_with_its_number_and_the_rest_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        fs::write(&path, "{\"n\":1}\nnot json\n\n{\"n\":2}\n").unwrap();
        let log: AppendLog<E> = AppendLog::new(path, "x/log.jsonl");
        let r = log.read().unwrap();
        assert_eq!(r.entries, [E { n: 1 }, E { n: 2 }]);
        assert_eq!(r.bad.len(), 1);
        assert!(r.bad[0].to_string().starts_with("x/log.jsonl, line 2: an unreadable entry"));
    }
}
