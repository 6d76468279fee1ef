//! `scoper find QUERY`: search the working set.

use std::io::Write;

use anyhow::{bail, Result};
use serde_json::json;
use tantivy::query::{BooleanQuery, Occur, Query};

use super::view;
use crate::report::{one_line, out};
use crate::store::Workspace;

pub fn run(ws: &Workspace, query: &str, limit: usize, json: bool) -> Result<i32> {
    let view = view(ws)?;
    let index = view.index();
    let (concepts, rest) = split_concepts(query);
    let (total, hits) = if concepts.is_empty() {
        view.search(index.parse_query(query)?.as_ref(), limit)?
    } else {
        let Some(tags) = view.tag_set() else {
            bail!(
                "concept:{} needs the records tagged with a framework, and they are not\n(hint: \
                 name the framework under [framework] in scoper.toml, then run `scoper tag`)",
                concepts[0]
            );
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for c in &concepts {
            let Some(sel) = tags.resolve(c) else {
                bail!(
                    "no concept or element {c:?} in {}\n(hint: one of {})",
                    tags.framework,
                    tags.ids().join(", ")
                );
            };
            clauses.push((Occur::Must, index.pmid_set_query(tags.pmids(&sel))));
        }
        if !rest.trim().is_empty() {
            clauses.push((Occur::Must, index.parse_query(&rest)?));
        }
        view.search(&BooleanQuery::new(clauses), limit)?
    };
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

/// Takes the `concept:ID` filters out of a query: (the ids, the rest).
fn split_concepts(query: &str) -> (Vec<String>, String) {
    let mut ids = Vec::new();
    let mut rest = Vec::new();
    for word in query.split_whitespace() {
        match word.strip_prefix("concept:") {
            Some(id) if !id.is_empty() => ids.push(id.trim_matches('"').to_string()),
            _ => rest.push(word),
        }
    }
    (ids, rest.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concept_filters_are_taken_out_of_the_query() {
        let (ids, rest) = split_concepts("concept:equity rural concept:outcomes AND year:2020");
        assert_eq!(ids, ["equity", "outcomes"]);
        assert_eq!(rest, "rural AND year:2020");
        assert_eq!(split_concepts("plain words"), (vec![], "plain words".to_string()));
    }
}
