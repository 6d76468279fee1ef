//! `Framework`: the conceptual framework a review charts against, read from
//! a TOML file: elements, and concepts with their queries.
//!
//! ```toml
//! name = "My framework"
//! [elements.core-values]
//! name = "Core values"
//! [concepts.equity]
//! element = "core-values"
//! name = "Equity"
//! queries = ['equity', '"health disparities"']
//! exclude = ['"equity of access"']
//! words = ['equitable']   # matched as written, not stemmed
//! ```
//!
//! Loading checks the file: TOML syntax, unknown keys, a concept with no
//! query or an unknown element, a duplicated concept; every error names the
//! file and the line. The queries themselves are checked against the index
//! schema by [`crate::tag::Matcher`].

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

/// A framework, checked.
#[derive(Debug, Clone)]
pub struct Framework {
    pub name: String,
    /// Where it was read from, for messages.
    pub path: PathBuf,
    pub elements: Vec<Element>,
    /// The bytes of the file, hashed to notice a change.
    pub fingerprint: String,
}

#[derive(Debug, Clone)]
pub struct Element {
    pub id: String,
    pub name: String,
    pub concepts: Vec<Concept>,
}

#[derive(Debug, Clone)]
pub struct Concept {
    pub id: String,
    pub name: String,
    pub queries: Vec<Located>,
    pub exclude: Vec<Located>,
    /// Whole words matched as written (case and accents aside), without
    /// stemming: for words whose stem is shared by words that are not
    /// evidence (`adaptability` and `adapted` both stem to `adapt`).
    pub words: Vec<Located>,
}

/// A query and the line of the file it is on.
#[derive(Debug, Clone)]
pub struct Located {
    pub text: String,
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkFile {
    #[serde(default)]
    name: String,
    #[serde(default)]
    elements: IndexMap<String, ElementDef>,
    #[serde(default)]
    concepts: IndexMap<String, Spanned<ConceptDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ElementDef {
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConceptDef {
    element: String,
    name: String,
    #[serde(default)]
    queries: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    words: Vec<Spanned<String>>,
}

impl Framework {
    /// Reads and checks the framework in `path`.
    pub fn load(path: &Path) -> Result<Framework> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("could not read the framework file {}", path.display()))?;
        Self::parse(&text, path)
    }

    /// Parses the text of a framework file (`path` is for messages).
    pub fn parse(text: &str, path: &Path) -> Result<Framework> {
        let shown = path.display();
        let file: FrameworkFile = toml::from_str(text)
            .map_err(|e| anyhow::anyhow!("{shown} is not a valid framework file: {e}"))?;
        let lines = LineIndex::new(text);
        let mut elements: Vec<Element> = file
            .elements
            .into_iter()
            .map(|(id, def)| Element { id, name: def.name, concepts: Vec::new() })
            .collect();
        let known: Vec<String> = elements.iter().map(|e| e.id.clone()).collect();
        for (id, def) in file.concepts {
            let line = lines.line(def.span().start);
            let def = def.into_inner();
            let Some(element) = elements.iter_mut().find(|e| e.id == def.element) else {
                bail!(
                    "{shown}, line {line}: concept {id:?} names the element {:?}, which is not \
                     defined (defined: {})\n(hint: add [elements.{}] with a name)",
                    def.element,
                    known.join(", "),
                    def.element
                );
            };
            if def.queries.iter().chain(&def.words).all(|q| q.get_ref().trim().is_empty()) {
                bail!(
                    "{shown}, line {line}: concept {id:?} has no query, so it can never match\n\
                     (hint: add queries = ['word', '\"a phrase\"'])"
                );
            }
            if let Some(other) = element.concepts.iter().find(|c| c.name == def.name) {
                bail!(
                    "{shown}, line {line}: concept {id:?} has the same name as {:?} in element \
                     {:?}: {:?}",
                    other.id,
                    element.id,
                    def.name
                );
            }
            let locate = |q: &Spanned<String>| Located {
                text: q.get_ref().clone(),
                line: lines.line(q.span().start),
            };
            element.concepts.push(Concept {
                id,
                name: def.name,
                queries: def.queries.iter().map(locate).collect(),
                exclude: def.exclude.iter().map(locate).collect(),
                words: def.words.iter().map(locate).collect(),
            });
        }
        if elements.iter().all(|e| e.concepts.is_empty()) {
            bail!("{shown} defines no concept (hint: add [concepts.ID] tables)");
        }
        Ok(Framework {
            name: file.name,
            path: path.to_path_buf(),
            elements,
            fingerprint: blake3::hash(text.as_bytes()).to_hex().to_string(),
        })
    }

    /// Every concept with its element.
    pub fn concepts(&self) -> impl Iterator<Item = (&Element, &Concept)> {
        self.elements.iter().flat_map(|e| e.concepts.iter().map(move |c| (e, c)))
    }

    /// The element or concept an id names.
    pub fn knows(&self, id: &str) -> bool {
        self.elements.iter().any(|e| e.id == id || e.concepts.iter().any(|c| c.id == id))
    }
}

/// Byte offset → line number.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Framework> {
        Framework::parse(text, Path::new("f.toml"))
    }

    const OK: &str = "name = \"F\"\n[elements.a]\nname = \"A\"\n[concepts.x]\nelement = \"a\"\n\
                      name = \"X\"\nqueries = ['x', '\"x y\"']\n";

    #[test]
    fn the_shipped_framework_loads_with_every_concept_of_the_design() {
        let f = Framework::parse(
            include_str!("../../queries/lhs-framework.toml"),
            Path::new("queries/lhs-framework.toml"),
        )
        .unwrap();
        let ids: Vec<_> = f.elements.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["core-values", "pillars-accelerators", "processes", "outcomes"]);
        assert_eq!(f.elements[0].concepts.len(), 11, "the 11 core values of Table 1");
        for c in [
            "equity",
            "privacy",
            "solidarity",
            "embedded-research",
            "learning-cycle",
            "health-system-costs",
            "data-infrastructure",
            "advisory-councils",
        ] {
            assert!(f.knows(c), "{c}");
        }
    }

    #[test]
    fn good_file_keeps_order_and_lines() {
        let f = parse(OK).unwrap();
        assert_eq!(f.elements[0].concepts[0].queries[1].text, "\"x y\"");
        assert_eq!(f.elements[0].concepts[0].queries[1].line, 7);
    }

    #[test]
    fn errors_name_the_file_line_and_concept() {
        let e = parse("this is not toml").unwrap_err().to_string();
        assert!(e.contains("f.toml is not a valid framework file") && e.contains("line 1"), "{e}");
        let e = parse(&OK.replace("queries = ['x', '\"x y\"']", "queries = []")).unwrap_err();
        assert!(e.to_string().contains("f.toml, line 4: concept \"x\" has no query"), "{e}");
        let e = parse(&OK.replace("element = \"a\"", "element = \"b\"")).unwrap_err();
        assert!(e.to_string().contains("names the element \"b\", which is not defined"), "{e}");
        let dup = format!("{OK}[concepts.x]\nelement = \"a\"\nname = \"Y\"\nqueries = ['y']\n");
        let e = parse(&dup).unwrap_err().to_string();
        assert!(e.contains("line 8") && e.contains("duplicate"), "{e}");
        let same_name =
            format!("{OK}[concepts.z]\nelement = \"a\"\nname = \"X\"\nqueries = ['y']\n");
        let e = parse(&same_name).unwrap_err().to_string();
        assert!(e.contains("line 8: concept \"z\" has the same name"), "{e}");
        let typo = OK.replace("queries =", "querys =");
        let e = parse(&typo).unwrap_err().to_string();
        assert!(e.contains("line 7") && e.contains("querys"), "{e}");
    }
}
