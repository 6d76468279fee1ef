//! Locks: who may write to a workspace, one process at a time.
//!
//! Every command that writes (import, index, tag, search, update, run;
//! decide, screen and chart as they come) takes a [`Scope`]'s lock first and
//! holds it until it ends. A second writer is refused at once, and told who
//! holds the lock: its pid, its command and since when. Reading commands
//! take none.
//!
//! The lock is an OS file lock (`flock` on Unix, `LockFileEx` on Windows)
//! on a file in `.scoper/locks/`, so it is let go when the process ends,
//! however it ends: no stale lock survives a `kill -9`. The holder writes
//! who it is into the file, for the message of the one refused.
//!
//! Scopes: the workspace (corpus, index, tags, search log), and one per
//! reviewer (that reviewer's decision and chart logs), so two reviewers
//! screen at once while a third person updates the corpus.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use super::workspace::Workspace;
use crate::clock::{iso_utc, now_secs};

/// What a lock guards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `corpus/`, `.scoper/` and the search log.
    Workspace,
    /// One reviewer's logs in `screening/` and `charting/`. The name must
    /// be checked (letters, digits, `-`, `_`) before it gets here.
    Reviewer(String),
}

impl Scope {
    /// The scope of reviewer `name`, whose name becomes a file name: letters,
    /// digits, `-`, `_` and `.`, beginning with a letter or a digit (so a
    /// login name such as `j.smith` is one; `-rf`, `..` and `.hidden` are
    /// not).
    pub fn reviewer(name: &str) -> Result<Scope> {
        let ok = name.chars().next().is_some_and(char::is_alphanumeric)
            && name.len() <= 64
            && !name.contains("..")
            && ![".jsonl", ".torn", ".log", ".lock"].iter().any(|e| name.ends_with(e))
            && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !ok {
            bail!(
                "{name:?} cannot be a reviewer's name: it names the reviewer's files, so it is \
                 letters, digits, `-`, `_` and `.`, beginning with a letter or a digit, at most 64 \
                 (hint: --reviewer ana, or --reviewer j.smith)"
            );
        }
        Ok(Scope::Reviewer(name.to_string()))
    }

    fn file_name(&self) -> String {
        match self {
            Scope::Workspace => "workspace.lock".into(),
            Scope::Reviewer(name) => format!("reviewer-{name}.lock"),
        }
    }

    fn what(&self) -> String {
        match self {
            Scope::Workspace => "this workspace".into(),
            Scope::Reviewer(name) => format!("reviewer {name:?} in this workspace"),
        }
    }
}

/// A held lock; let go when dropped (or when the process ends).
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Leave the file (another process may be waiting to open it); say
        // nobody holds it.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// Takes the lock of `scope` for `command` (as the user typed it, for the
/// message another process shows), or says who holds it.
pub fn acquire(ws: &Workspace, scope: &Scope, command: &str) -> Result<Lock> {
    let dir = ws.locks();
    fs::create_dir_all(&dir).with_context(|| {
        format!(
            "could not create {} to lock the workspace (hint: scoper needs write access to the \
             workspace for this command; reading commands such as find, show and export need none)",
            dir.display()
        )
    })?;
    let path = dir.join(scope.file_name());
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("could not open the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let who = if holder.is_empty() {
                "another scoper process".to_string()
            } else {
                format!("another scoper process ({holder})")
            };
            bail!(
                "{who} is writing to {}; this command waits for nobody and changed nothing\n\
                 (hint: let it finish, then run this again; reading commands such as find, show \
                 and export work meanwhile)",
                scope.what()
            );
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("could not lock {}", path.display()))
        }
    }
    let me = format!("pid {}, `{command}`, since {}", std::process::id(), iso_utc(now_secs()));
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(me.as_bytes())?;
    file.flush()?;
    Ok(Lock { file, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_with_the_holder_and_a_reviewer_lock_is_separate() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::at(dir.path());
        let held = acquire(&ws, &Scope::Workspace, "scoper import a.xml").unwrap();
        let err = acquire(&ws, &Scope::Workspace, "scoper index").unwrap_err().to_string();
        assert!(err.contains(&format!("pid {}", std::process::id())), "{err}");
        assert!(err.contains("`scoper import a.xml`"), "{err}");
        let ana = acquire(&ws, &Scope::reviewer("ana").unwrap(), "scoper screen").unwrap();
        assert!(acquire(&ws, &Scope::reviewer("ana").unwrap(), "scoper screen").is_err());
        let _ben = acquire(&ws, &Scope::reviewer("ben").unwrap(), "scoper screen").unwrap();
        for bad in ["", "../x", "a b", "ana.jsonl", "a/b", "-rf", ".hidden", "a..b"] {
            assert!(Scope::reviewer(bad).is_err(), "{bad:?}");
        }
        assert!(Scope::reviewer("j.smith").is_ok());
        drop(held);
        drop(ana);
        acquire(&ws, &Scope::Workspace, "scoper index").unwrap();
    }
}
