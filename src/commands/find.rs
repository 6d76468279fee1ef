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
    let translated = pubmed_tags(query)?;
    let query = translated.as_str();
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

/// PubMed's field tags, and the fields they become.
const TAGS: [(&str, &[&str]); 18] = [
    ("ti", &["title"]),
    ("title", &["title"]),
    ("ab", &["abstract"]),
    ("tiab", &["title", "abstract"]),
    ("tw", &["title", "abstract", "mesh", "keyword"]),
    ("mh", &["mesh"]),
    ("mesh", &["mesh"]),
    ("majr", &["mesh"]),
    ("ot", &["keyword"]),
    ("kw", &["keyword"]),
    ("au", &["author"]),
    ("author", &["author"]),
    ("ta", &["journal"]),
    ("jour", &["journal"]),
    ("dp", &["year"]),
    ("pdat", &["year"]),
    ("pt", &["pubtype"]),
    ("la", &["lang"]),
];

/// Rewrites PubMed field tags (`"learning health system"[tiab]`,
/// `hospitals[mh]`, `2019[dp]`, `2015:2020[dp]`) in the fields of the
/// index; a tag it does not know is an error that lists the ones it does.
/// Whatever has no tag is left as it is.
fn pubmed_tags(query: &str) -> Result<String> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut term_start = 0; // where the term before a `[` begins, in `out`
    while i < chars.len() {
        let c = chars[i];
        if c == '[' && i > 0 && !chars[i - 1].is_whitespace() && chars[i - 1] != ':' {
            let Some(len) = chars[i + 1..].iter().position(|&c| c == ']') else {
                out.push(c);
                i += 1;
                continue;
            };
            let tag: String =
                chars[i + 1..i + 1 + len].iter().collect::<String>().to_ascii_lowercase();
            let tag = tag.trim();
            let Some((_, fields)) = TAGS.iter().find(|(t, _)| *t == tag) else {
                bail!(
                    "the PubMed field tag [{tag}] has no counterpart here (hint: [ti], [ab], \
                     [tiab], [tw], [mh], [majr], [ot], [au], [ta], [dp], [pt], [la]; or write the \
                     field: title:, abstract:, keyword:, mesh:, author:, journal:, year:, pubtype:, lang:)"
                );
            };
            let term: String = out[term_start..].to_string();
            out.truncate(term_start);
            let rendered: Vec<String> = fields
                .iter()
                .map(|f| match (*f, term.split_once(':')) {
                    ("year", Some((a, b))) if !term.starts_with('"') => {
                        format!("year:[{a} TO {b}]")
                    }
                    (f, _) => format!("{f}:{term}"),
                })
                .collect();
            if rendered.len() == 1 {
                out.push_str(&rendered[0]);
            } else {
                out.push('(');
                out.push_str(&rendered.join(" OR "));
                out.push(')');
            }
            i += len + 2;
            continue;
        }
        // Remember where a term begins: after white space or a parenthesis,
        // or at an opening quote.
        if c.is_whitespace() || c == '(' || c == ')' {
            out.push(c);
            term_start = out.len();
        } else if c == '"' {
            let end =
                chars[i + 1..].iter().position(|&c| c == '"').map_or(chars.len(), |p| i + 2 + p);
            let quoted: String = chars[i..end.min(chars.len())].iter().collect();
            if !out.ends_with(|ch: char| !ch.is_whitespace() && ch != '(') {
                term_start = out.len();
            }
            out.push_str(&quoted);
            i = end;
            continue;
        } else {
            out.push(c);
        }
        i += 1;
    }
    Ok(out)
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
    fn pubmed_field_tags_become_fields() {
        assert_eq!(pubmed_tags("hospitals[mh]").unwrap(), "mesh:hospitals");
        assert_eq!(
            pubmed_tags("\"learning health system\"[tiab] AND 2019[dp]").unwrap(),
            "(title:\"learning health system\" OR abstract:\"learning health system\") AND year:2019"
        );
        assert_eq!(
            pubmed_tags("(asthma[ti] OR copd[ti]) NOT eng[la]").unwrap(),
            "(title:asthma OR title:copd) NOT lang:eng"
        );
        assert_eq!(pubmed_tags("2015:2020[dp]").unwrap(), "year:[2015 TO 2020]");
        assert_eq!(
            pubmed_tags("year:[2015 TO 2020] privacy").unwrap(),
            "year:[2015 TO 2020] privacy"
        );
        assert!(pubmed_tags("x[sb]").unwrap_err().to_string().contains("[sb] has no counterpart"));
    }

    #[test]
    fn concept_filters_are_taken_out_of_the_query() {
        let (ids, rest) = split_concepts("concept:equity rural concept:outcomes AND year:2020");
        assert_eq!(ids, ["equity", "outcomes"]);
        assert_eq!(rest, "rural AND year:2020");
        assert_eq!(split_concepts("plain words"), (vec![], "plain words".to_string()));
    }
}
