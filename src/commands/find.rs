//! `scoper find QUERY`: search the working set.

use std::io::Write;

use anyhow::Result;
use serde_json::json;

use super::view;
use crate::report::{one_line, out};
use crate::store::Workspace;

pub fn run(ws: &Workspace, query: &str, limit: usize, json: bool) -> Result<i32> {
    let view = view(ws)?;
    // View::query reads the field tags; the rewritten query is shown in
    // --json.
    let (total, hits) = view.search(view.query(query)?.as_ref(), limit)?;
    let translated = crate::query_syntax::pubmed_tags(query)?;
    let query = translated.as_str();
    let mut w = if json { out() } else { crate::report::out_human() };
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
    // PMID, year, first author, title, journal: cut to the terminal.
    let width = crate::report::width();
    for (_, r) in &hits {
        let year = r.year.map(|y| y.to_string()).unwrap_or_else(|| "----".into());
        let author = r.authors.first().map(|a| a.display_name()).unwrap_or_default();
        let author = if r.authors.len() > 1 { format!("{author} et al.") } else { author };
        let journal = r.journal_abbrev.as_deref().or(r.journal.as_deref()).unwrap_or("");
        let fixed = format!("{:>9}  {year}  {:<22}  ", r.pmid, one_line(&author, 22));
        let room = width.saturating_sub(fixed.chars().count() + 1).max(20);
        // The journal keeps up to 24 columns at the end when there is room.
        let journal = one_line(journal, 24);
        let jlen = journal.chars().count();
        if journal.is_empty() || room < jlen + 23 {
            writeln!(w, "{fixed}{}", one_line(&r.title, room))?;
        } else {
            let title = one_line(&r.title, room - jlen - 3);
            writeln!(w, "{fixed}{title} · {journal}")?;
        }
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
