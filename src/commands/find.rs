//! `scoper find QUERY`: search the working set.

use std::io::Write;

use anyhow::Result;
use serde_json::json;

use super::current_index;
use crate::report::{one_line, out};
use crate::store::Workspace;

pub fn run(ws: &Workspace, query: &str, limit: usize, json: bool) -> Result<i32> {
    let index = current_index(ws)?;
    let (total, hits) = index.search(query, limit)?;
    let mut w = out();
    if json {
        let rows: Vec<_> = hits
            .iter()
            .map(|(score, r)| {
                json!({"pmid": r.pmid, "score": score, "year": r.year, "title": r.title,
                       "journal": r.journal})
            })
            .collect();
        let v = json!({"query": query, "total": total, "hits": rows});
        writeln!(w, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(0);
    }
    for (_, r) in &hits {
        let year = r.year.map(|y| y.to_string()).unwrap_or_else(|| "----".into());
        writeln!(w, "{:>9}  {year}  {}", r.pmid, one_line(&r.title, 100))?;
    }
    let shown = hits.len();
    match total {
        0 => writeln!(w, "no record matches {query:?}")?,
        t if t > shown => writeln!(w, "{shown} of {t} matching records (--limit to see more)")?,
        t => writeln!(w, "{t} matching record{}", if t == 1 { "" } else { "s" })?,
    }
    w.flush()?;
    Ok(0)
}
