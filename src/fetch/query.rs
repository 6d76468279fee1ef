//! `Query`: a saved PubMed search, `queries/NAME.toml`, exactly as the
//! librarian wrote it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::store::Workspace;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Query {
    pub name: String,
    #[serde(default = "pubmed")]
    pub database: String,
    /// The search strategy, sent as written.
    pub term: String,
    /// `pdat`, `edat`, `mdat` or `crdt`, for `mindate`/`maxdate`.
    #[serde(default)]
    pub datetype: Option<String>,
    #[serde(default)]
    pub mindate: Option<String>,
    #[serde(default)]
    pub maxdate: Option<String>,
    #[serde(default)]
    pub notes: String,
}

fn pubmed() -> String {
    "pubmed".into()
}

impl Query {
    /// Reads a saved search from `path`.
    pub fn load(path: &Path) -> Result<Query> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("could not read the saved search {}", path.display()))?;
        let q: Query = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{} is not a valid saved search: {e}", path.display()))?;
        if q.database != "pubmed" {
            bail!("{}: database {:?}: scoper searches pubmed only", path.display(), q.database);
        }
        if q.term.trim().is_empty() {
            bail!(
                "{}: the term is empty (hint: term = '\"learning health system\"[tiab]')",
                path.display()
            );
        }
        if q.mindate.is_some() != q.maxdate.is_some() {
            bail!(
                "{}: mindate and maxdate go together (PubMed ignores one alone)\n(hint: add \
                 maxdate = \"3000/12/31\" for \"until now\")",
                path.display()
            );
        }
        Ok(q)
    }

    /// The saved search named `name` (`queries/NAME.toml`), or a file.
    pub fn find(ws: &Workspace, name: &str) -> Result<Query> {
        let as_path = PathBuf::from(name);
        let path = if as_path.extension().is_some_and(|e| e == "toml") && as_path.exists() {
            as_path
        } else {
            ws.root().join("queries").join(format!("{name}.toml"))
        };
        if !path.exists() {
            let known: Vec<String> = Self::all(ws)?.into_iter().map(|q| q.name).collect();
            bail!(
                "no saved search {name:?}: {} does not exist\n(hint: saved searches: {})",
                path.display(),
                if known.is_empty() { "none yet".to_string() } else { known.join(", ") }
            );
        }
        Self::load(&path)
    }

    /// Every saved search in `queries/` (files with a `term`; frameworks and
    /// other files are left alone).
    pub fn all(ws: &Workspace) -> Result<Vec<Query>> {
        let dir = ws.root().join("queries");
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(_) => return Ok(Vec::new()),
        };
        paths.sort();
        let mut out = Vec::new();
        for p in paths {
            if p.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            let is_search =
                toml::from_str::<toml::Table>(&text).is_ok_and(|t| t.contains_key("term"));
            if is_search {
                out.push(Self::load(&p)?);
            }
        }
        Ok(out)
    }

    /// The term as sent: the saved strategy, one line, white space collapsed.
    pub fn term_sent(&self) -> String {
        crate::parse::normalize_ws(&self.term)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_search_loads() {
        let q: Query = toml::from_str(include_str!("../../queries/lhs.toml")).unwrap();
        assert_eq!(q.name, "lhs");
        assert!(q.term_sent().starts_with("(\"learning health system\"[tiab]"));
        assert!(!q.term_sent().contains('\n'));
    }
}
