//! `Workspace`: the review folder and where each kind of data lives in it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

/// A review workspace: `scoper.toml`, `queries/`, `corpus/` (primary data)
/// and `.scoper/` (derived, rebuildable).
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    /// Opens the workspace at `dir`, which must hold a `scoper.toml`.
    pub fn open(dir: &Path) -> Result<Workspace> {
        if !dir.is_dir() {
            bail!(
                "{} is not a folder\n(hint: pass --dir with the review workspace, or create one \
                 with `scoper init DIR`)",
                dir.display()
            );
        }
        if !dir.join("scoper.toml").is_file() {
            bail!(
                "{} is not a scoper workspace: it has no scoper.toml\n(hint: run `scoper init {}` \
                 to create one, or pass --dir with the review workspace)",
                dir.display(),
                dir.display()
            );
        }
        Ok(Workspace { root: dir.to_path_buf() })
    }

    /// A workspace at `dir` without checking it (for `init`).
    pub fn at(dir: &Path) -> Workspace {
        Workspace { root: dir.to_path_buf() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn protocol(&self) -> PathBuf {
        self.root.join("scoper.toml")
    }

    /// Primary data: records as received.
    pub fn corpus(&self) -> PathBuf {
        self.root.join("corpus")
    }

    /// Where `scoper import` keeps the files it imports.
    pub fn imports(&self) -> PathBuf {
        self.corpus().join("imports")
    }

    /// The search log (PRISMA-S): one line per search run, appended.
    pub fn search_log(&self) -> PathBuf {
        self.corpus().join("search-log.jsonl")
    }

    /// The run folders of every saved search.
    pub fn all_runs(&self) -> PathBuf {
        self.corpus().join("runs")
    }

    /// The run folders of the saved search `query`.
    pub fn runs(&self, query: &str) -> PathBuf {
        self.all_runs().join(query)
    }

    /// Screening decisions: one append-only log per reviewer.
    pub fn screening(&self) -> PathBuf {
        self.root.join("screening")
    }

    /// Chart entries: one append-only log per reviewer.
    pub fn charting(&self) -> PathBuf {
        self.root.join("charting")
    }

    /// What `scoper run` writes for the team: the charted CSV, the PRISMA
    /// counts and diagram, the concept map, the report.
    pub fn exports(&self) -> PathBuf {
        self.root.join("exports")
    }

    /// The locks that writers take (see [`super::lock`]).
    pub fn locks(&self) -> PathBuf {
        self.derived().join("locks")
    }

    /// Derived state.
    pub fn derived(&self) -> PathBuf {
        self.root.join(".scoper")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.derived().join("index")
    }

    pub fn index_state(&self) -> PathBuf {
        self.derived().join("index-state.json")
    }

    /// Concept hits of the working set.
    pub fn tags(&self) -> PathBuf {
        self.derived().join("tags.json")
    }

    /// `path` relative to the workspace root, with `/` separators, for
    /// messages and state files.
    pub fn relative(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        rel.to_string_lossy().replace('\\', "/")
    }
}
