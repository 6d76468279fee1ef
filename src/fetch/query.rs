//! `Query`: a saved PubMed search, `queries/NAME.toml`, exactly as the
//! librarian wrote it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use toml::Spanned;

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

/// The date types PubMed takes for `mindate`/`maxdate` (EUTILS.md §2).
const DATETYPES: [&str; 4] = ["pdat", "edat", "mdat", "crdt"];

/// A saved search as written, with where each value stands in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: Spanned<String>,
    #[serde(default)]
    database: Option<Spanned<String>>,
    term: Spanned<String>,
    #[serde(default)]
    datetype: Option<Spanned<String>>,
    #[serde(default)]
    mindate: Option<Spanned<String>>,
    #[serde(default)]
    maxdate: Option<Spanned<String>>,
    #[serde(default)]
    notes: String,
}

impl Query {
    /// Reads and checks a saved search from `path`: every problem is named
    /// with the file and the line, with what to write instead.
    pub fn load(path: &Path) -> Result<Query> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("could not read the saved search {}", path.display()))?;
        let shown = path.display();
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let raw: Raw = toml::from_str(&text).map_err(|e| {
            let at = e.span().map(|s| format!(", line {}", line_of(s.start))).unwrap_or_default();
            anyhow::anyhow!(
                "{shown}{at}: not a valid saved search: {}\n(hint: a saved search has name, \
                 term, and optionally database, datetype, mindate, maxdate and notes)",
                e.message()
            )
        })?;
        let at = |v: &Spanned<String>| format!("{shown}, line {}", line_of(v.span().start));
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if raw.name.get_ref() != &stem {
            bail!(
                "{}: name = {:?}, but the file is {stem}.toml; the name is how `scoper search` \
                 and the search log know this search\n(hint: write name = {stem:?}, or rename \
                 the file to {}.toml)",
                at(&raw.name),
                raw.name.get_ref(),
                raw.name.get_ref()
            );
        }
        if let Some(db) = &raw.database {
            if db.get_ref() != "pubmed" {
                bail!(
                    "{}: database = {:?}: scoper searches pubmed only (hint: database = \"pubmed\")",
                    at(db),
                    db.get_ref()
                );
            }
        }
        if raw.term.get_ref().trim().is_empty() {
            bail!(
                "{}: the term is empty (hint: term = '\"learning health system\"[tiab]')",
                at(&raw.term)
            );
        }
        let datetype = match &raw.datetype {
            Some(t) => {
                let lower = t.get_ref().trim().to_ascii_lowercase();
                if !DATETYPES.contains(&lower.as_str()) {
                    bail!(
                        "{}: datetype = {:?} is not a date type PubMed knows\n(hint: one of {}; \
                         pdat, the publication date, is PubMed's default)",
                        at(t),
                        t.get_ref(),
                        DATETYPES.join(", ")
                    );
                }
                if raw.mindate.is_none() {
                    bail!(
                        "{}: datetype without mindate and maxdate limits nothing\n(hint: add \
                         mindate = \"2007/01/01\" and maxdate = \"3000/12/31\", or remove datetype)",
                        at(t)
                    );
                }
                Some(lower)
            }
            None => None,
        };
        for d in [&raw.mindate, &raw.maxdate].into_iter().flatten() {
            if let Err(why) = check_date(d.get_ref()) {
                bail!(
                    "{}: {:?} is not a date PubMed reads: {why}\n(hint: YYYY, YYYY/MM or \
                     YYYY/MM/DD, such as \"2007\", \"2007/06\" or \"2007/06/30\")",
                    at(d),
                    d.get_ref()
                );
            }
        }
        match (&raw.mindate, &raw.maxdate) {
            (Some(d), None) | (None, Some(d)) => bail!(
                "{}: mindate and maxdate go together (PubMed ignores one alone)\n(hint: add \
                 {} for \"until now\", or remove it)",
                at(d),
                if raw.mindate.is_some() {
                    "maxdate = \"3000/12/31\""
                } else {
                    "mindate = \"1800/01/01\""
                }
            ),
            (Some(a), Some(b)) if day_key(a.get_ref()) > day_key(b.get_ref()) => bail!(
                "{}: mindate {:?} is after maxdate {:?}: the search would find nothing (hint: \
                 swap them)",
                at(a),
                a.get_ref(),
                b.get_ref()
            ),
            _ => {}
        }
        Ok(Query {
            name: raw.name.into_inner(),
            database: raw.database.map(Spanned::into_inner).unwrap_or_else(pubmed),
            term: raw.term.into_inner(),
            datetype,
            mindate: raw.mindate.map(|d| d.into_inner().trim().to_string()),
            maxdate: raw.maxdate.map(|d| d.into_inner().trim().to_string()),
            notes: raw.notes,
        })
    }

    /// The date limits as sent: `[datetype, mindate, maxdate]` (PubMed's
    /// default date type, pdat, when none is named).
    pub fn date_limits(&self) -> Option<[String; 3]> {
        match (&self.mindate, &self.maxdate) {
            (Some(a), Some(b)) => {
                Some([self.datetype.clone().unwrap_or_else(|| "pdat".into()), a.clone(), b.clone()])
            }
            _ => None,
        }
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

/// Checks a PubMed date: `YYYY`, `YYYY/MM` or `YYYY/MM/DD`, a real date.
fn check_date(s: &str) -> std::result::Result<(), String> {
    let parts: Vec<&str> = s.trim().split('/').collect();
    let widths = [4, 2, 2];
    if parts.is_empty() || parts.len() > 3 {
        return Err("it has more than three parts".into());
    }
    let mut nums = Vec::new();
    for (p, w) in parts.iter().zip(widths) {
        if p.len() != w || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{p:?} should be {w} digits"));
        }
        nums.push(p.parse::<i64>().expect("digits"));
    }
    if nums[0] < 1000 {
        return Err(format!("the year {} is not one PubMed has records of", nums[0]));
    }
    if let Some(&m) = nums.get(1) {
        if !(1..=12).contains(&m) {
            return Err(format!("there is no month {m}"));
        }
    }
    if let Some(&d) = nums.get(2) {
        let (y, m) = (nums[0], nums[1]);
        let days = crate::clock::days_from_civil(y + (m / 12), m % 12 + 1, 1)
            - crate::clock::days_from_civil(y, m, 1);
        if d < 1 || d > days {
            return Err(format!("month {m} of {y} has {days} days"));
        }
    }
    Ok(())
}

/// A sort key for a checked date (a missing month or day counts as 0).
fn day_key(s: &str) -> Vec<u32> {
    s.trim().split('/').filter_map(|p| p.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_as_pubmed_reads_them() {
        for ok in ["2020", "2020/02", "2020/02/29", "3000/12/31", "2007/01/01"] {
            assert_eq!(check_date(ok), Ok(()), "{ok}");
        }
        for bad in ["2021/13/45", "2021/02/29", "2021-01-01", "21/01/01", "2021/1/1", "x", ""] {
            assert!(check_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_shipped_search_loads() {
        let q: Query = toml::from_str(include_str!("../../queries/lhs.toml")).unwrap();
        assert_eq!(q.name, "lhs");
        assert!(q.term_sent().starts_with("(\"learning health system\"[tiab]"));
        assert!(!q.term_sent().contains('\n'));
    }
}
