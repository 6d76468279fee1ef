//! The query language of `find` and of the screen's `/` search: tantivy's
//! syntax over the index's fields, PubMed's field tags (`asthma[tiab]`,
//! `"learning health system"[Title/Abstract]`, `2019[dp]`), and
//! `concept:ID` filters on the framework's concepts.

use anyhow::{bail, Result};

/// PubMed's field tags, and the fields they become.
const TAGS: &[(&str, &[&str])] = &[
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
    // The long names, as PubMed's Search Details prints them.
    ("title/abstract", &["title", "abstract"]),
    ("text word", &["title", "abstract", "mesh", "keyword"]),
    ("mesh terms", &["mesh"]),
    ("mesh major topic", &["mesh"]),
    ("mesh subheading", &["mesh"]),
    ("other term", &["keyword"]),
    ("keyword", &["keyword"]),
    ("journal", &["journal"]),
    ("date - publication", &["year"]),
    ("publication date", &["year"]),
    ("publication type", &["pubtype"]),
    ("language", &["lang"]),
];

/// Rewrites PubMed field tags (`"learning health system"[tiab]`,
/// `hospitals[mh]`, `2019[dp]`, `2015:2020[dp]`) in the fields of the
/// index; a tag it does not know is an error that lists the ones it does.
/// Whatever has no tag is left as it is.
pub fn pubmed_tags(query: &str) -> Result<String> {
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
pub fn split_concepts(query: &str) -> (Vec<String>, String) {
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
        assert_eq!(
            pubmed_tags("\"learning health system\"[Title/Abstract] AND hospitals[MeSH Terms]")
                .unwrap(),
            "(title:\"learning health system\" OR abstract:\"learning health system\") AND \
             mesh:hospitals"
        );
    }

    #[test]
    fn concept_filters_are_taken_out_of_the_query() {
        let (ids, rest) = split_concepts("concept:equity rural concept:outcomes AND year:2020");
        assert_eq!(ids, ["equity", "outcomes"]);
        assert_eq!(rest, "rural AND year:2020");
        assert_eq!(split_concepts("plain words"), (vec![], "plain words".to_string()));
    }
}
