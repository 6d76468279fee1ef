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
//! # a word of each part, in one sentence, as written
//! sentences = ['disparities|gaps + narrowed|closed + @groups']
//! [lists]                 # @groups in a sentence entry is this list
//! groups = 'neighbourhoods|"ethnic groups"'
//! [context]               # a record must match one, or gets no concept
//! name = "health or care"
//! queries = ['health', 'patient|patients']
//! ```
//!
//! A word written `a|b|c` is any one of them: `'"mortality|deaths fell"~4'`
//! is read as `'("mortality fell"~4 OR "deaths fell"~4)'` (every combination
//! when several words of a phrase have alternatives), and `a|b` outside
//! quotes as `(a OR b)`.
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
    /// What a record must speak of for any concept to count: a framework
    /// of the health system tags nothing in a paper on mining or banking.
    pub context: Option<Sense>,
}

/// `[context]`: a record that matches none of its queries gets no concept.
#[derive(Debug, Clone)]
pub struct Sense {
    pub name: String,
    pub queries: Vec<Located>,
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
    /// Word lists that must all occur in one sentence.
    pub sentences: Vec<Sentence>,
}

/// A `sentences` entry, `'deaths|mortality + fell|declined'`: a word (or a
/// quoted phrase) of each part, all in one sentence, in any order.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// As written in the file.
    pub text: String,
    /// Each part's alternatives, as written (a word or a phrase).
    pub parts: Vec<Vec<String>>,
    pub line: usize,
}

/// A query and the line of the file it is on.
#[derive(Debug, Clone)]
pub struct Located {
    /// As written in the file (how messages and `--explain` show it).
    pub text: String,
    /// What the query parser reads: `text` with its `a|b` words written out.
    pub query: String,
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
    #[serde(default)]
    context: Option<ContextDef>,
    /// Named lists of alternatives, `@name` in a `sentences` entry.
    #[serde(default)]
    lists: IndexMap<String, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextDef {
    name: String,
    queries: Vec<Spanned<String>>,
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
    #[serde(default)]
    sentences: Vec<Spanned<String>>,
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
            if def
                .queries
                .iter()
                .chain(&def.words)
                .chain(&def.sentences)
                .all(|q| q.get_ref().trim().is_empty())
            {
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
                query: q.get_ref().clone(),
                line: lines.line(q.span().start),
            };
            let expand = |list: &[Spanned<String>]| -> Result<Vec<Located>> {
                let mut out = Vec::with_capacity(list.len());
                for q in list {
                    let line = lines.line(q.span().start);
                    let variants = alternatives(q.get_ref()).ok_or_else(|| {
                        anyhow::anyhow!(
                            "{shown}, line {line}: concept {id:?}: the query {:?} has more than \
                             {MAX_VARIANTS} combinations of the a|b words in one phrase (hint: \
                             split the phrase)",
                            q.get_ref()
                        )
                    })?;
                    out.push(Located { text: q.get_ref().clone(), query: variants, line });
                }
                Ok(out)
            };
            let queries = expand(&def.queries)?;
            let exclude = expand(&def.exclude)?;
            let mut sentences = Vec::with_capacity(def.sentences.len());
            for q in &def.sentences {
                let line = lines.line(q.span().start);
                let written = with_lists(q.get_ref(), &file.lists).map_err(|why| {
                    anyhow::anyhow!(
                        "{shown}, line {line}: concept {id:?}: the sentence {:?} {why}",
                        q.get_ref()
                    )
                })?;
                let parts = sentence_parts(&written).map_err(|why| {
                    anyhow::anyhow!(
                        "{shown}, line {line}: concept {id:?}: the sentence {:?} {why} \
                         (hint: 'deaths|mortality + fell|declined' is a word of each part, \
                         in one sentence)",
                        q.get_ref()
                    )
                })?;
                sentences.push(Sentence { text: q.get_ref().clone(), parts, line });
            }
            element.concepts.push(Concept {
                id,
                name: def.name,
                queries,
                exclude,
                words: def.words.iter().map(locate).collect(),
                sentences,
            });
        }
        if elements.iter().all(|e| e.concepts.is_empty()) {
            bail!("{shown} defines no concept (hint: add [concepts.ID] tables)");
        }
        let context = match file.context {
            Some(def) => {
                if def.queries.iter().all(|q| q.get_ref().trim().is_empty()) {
                    bail!(
                        "{shown}: [context] has no query, so no record would be tagged\n\
                         (hint: queries = ['health', 'patient|patients'], or remove [context])"
                    );
                }
                let mut queries = Vec::with_capacity(def.queries.len());
                for q in &def.queries {
                    let line = lines.line(q.span().start);
                    let query = alternatives(q.get_ref()).ok_or_else(|| {
                        anyhow::anyhow!(
                            "{shown}, line {line}: [context]: the query {:?} has too many \
                             combinations of a|b words (hint: split the phrase)",
                            q.get_ref()
                        )
                    })?;
                    queries.push(Located { text: q.get_ref().clone(), query, line });
                }
                Some(Sense { name: def.name, queries })
            }
            None => None,
        };
        Ok(Framework {
            name: file.name,
            path: path.to_path_buf(),
            context,
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

/// The most phrases one phrase with `a|b` words may stand for.
const MAX_VARIANTS: usize = 512;

/// `text` with its `a|b` words written out for the query parser: a word
/// outside quotes becomes `(a OR b)`; a phrase becomes the phrases of every
/// combination of its words' alternatives, joined by OR in brackets (each
/// with the phrase's `~N`). `None` when a phrase stands for more than
/// [`MAX_VARIANTS`] phrases.
fn alternatives(text: &str) -> Option<String> {
    if !text.contains('|') {
        return Some(text.to_string());
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        out.push_str(&words_outside(&rest[..open]));
        let Some(len) = rest[open + 1..].find('"') else {
            out.push_str(&rest[open..]);
            return Some(out);
        };
        let phrase = &rest[open + 1..open + 1 + len];
        rest = &rest[open + len + 2..];
        let slop_len = rest
            .strip_prefix('~')
            .map_or(0, |n| 1 + n.chars().take_while(char::is_ascii_digit).count());
        let (slop, after) = rest.split_at(slop_len);
        rest = after;
        let mut variants = vec![String::new()];
        for word in phrase.split_whitespace() {
            let options: Vec<&str> = word.split('|').filter(|w| !w.is_empty()).collect();
            if variants.len() * options.len() > MAX_VARIANTS {
                return None;
            }
            variants = variants
                .iter()
                .flat_map(|v| {
                    options.iter().map(move |w| {
                        if v.is_empty() {
                            w.to_string()
                        } else {
                            format!("{v} {w}")
                        }
                    })
                })
                .collect();
        }
        let quoted: Vec<String> = variants.iter().map(|v| format!("\"{v}\"{slop}")).collect();
        if quoted.len() == 1 {
            out.push_str(&quoted[0]);
        } else {
            out.push_str(&format!("({})", quoted.join(" OR ")));
        }
    }
    out.push_str(&words_outside(rest));
    Some(out)
}

/// `text` with each `@name` replaced by the list of that name.
fn with_lists(
    text: &str,
    lists: &IndexMap<String, Spanned<String>>,
) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        out.push_str(&rest[..at]);
        let name: String = rest[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let Some(list) = lists.get(&name) else {
            let known: Vec<&str> = lists.keys().map(String::as_str).collect();
            return Err(format!(
                "names the list @{name}, which [lists] does not define (defined: {}) (hint: \
                 fix the name, or add {name} = 'word|\"a phrase\"' under [lists])",
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            ));
        };
        if list.get_ref().contains(['+', '@']) {
            return Err(format!(
                "names the list @{name}, whose words have '+' or '@' (a list is words and \
                 \"phrases\" separated by |)"
            ));
        }
        out.push_str(list.get_ref().trim());
        rest = &rest[at + 1 + name.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The parts of a `sentences` entry: `a|b + "c d"|e` is `[[a, b], [c d, e]]`.
/// At least two parts, none empty; an alternative in quotes is a phrase.
fn sentence_parts(text: &str) -> std::result::Result<Vec<Vec<String>>, &'static str> {
    let mut parts = Vec::new();
    for part in text.split('+') {
        let mut alternatives = Vec::new();
        for alt in part.split('|') {
            let alt = alt.trim();
            let bare = alt.strip_prefix('"').and_then(|a| a.strip_suffix('"')).unwrap_or(alt);
            if bare.contains(['(', ')', '~', ':']) {
                return Err("has brackets, ~N or a field: a part is words separated by |");
            }
            if bare.trim().is_empty() || bare.contains('"') {
                return Err("has an empty part or alternative, or an unclosed quote");
            }
            // A long entry may be written over several lines ('''...'''):
            // line breaks and runs of spaces count as one space.
            alternatives.push(bare.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        parts.push(alternatives);
    }
    if parts.len() < 2 {
        return Err("has one part only: write it in queries, or add '+ word'");
    }
    Ok(parts)
}

/// Words outside quotes: `a|b` becomes `(a OR b)`.
fn words_outside(text: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.contains('|') {
            let options: Vec<&str> = word.split('|').filter(|w| !w.is_empty()).collect();
            out.push_str(&format!("({})", options.join(" OR ")));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || c == '(' || c == ')' {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
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
    fn a_word_with_alternatives_stands_for_each() {
        assert_eq!(alternatives("equity").unwrap(), "equity");
        assert_eq!(
            alternatives(r#""mortality|deaths fell|declined"~4 AND x|y"#).unwrap(),
            r#"("mortality fell"~4 OR "mortality declined"~4 OR "deaths fell"~4 OR "deaths declined"~4) AND (x OR y)"#
        );
        assert_eq!(
            alternatives(r#"("a|b c" OR mesh:"D E") AND f"#).unwrap(),
            r#"(("a c" OR "b c") OR mesh:"D E") AND f"#
        );
        let many = format!("\"{}\"", ["a|b|c|d|e|f|g|h"; 4].join(" "));
        assert!(alternatives(&many).is_none());
        let f = "name = \"f\"\n[elements.e]\nname = \"E\"\n[concepts.x]\nelement = \"e\"\n\
                 name = \"X\"\nqueries = ['\"gap|gaps care\"~3']\n";
        let f = Framework::parse(f, Path::new("f.toml")).unwrap();
        let q = &f.elements[0].concepts[0].queries[0];
        assert_eq!(q.text, r#""gap|gaps care"~3"#);
        assert_eq!(q.query, r#"("gap care"~3 OR "gaps care"~3)"#);
        assert_eq!(q.line, 7);
    }

    #[test]
    fn a_sentence_entry_is_parts_of_alternatives() {
        let parts = sentence_parts("deaths|\"cardiac arrests\" + fell|\n    declined").unwrap();
        assert_eq!(parts, [vec!["deaths", "cardiac arrests"], vec!["fell", "declined"]]);
        assert!(sentence_parts("deaths|mortality").is_err());
        assert!(sentence_parts("deaths + ").is_err());
        assert!(sentence_parts("deaths + \"fell").is_err());
        assert!(sentence_parts("(deaths) + fell").is_err());
        let f = format!("{OK}sentences = ['''a|b +\n  c''']\n");
        let f = parse(&f).unwrap();
        let s = &f.elements[0].concepts[0].sentences[0];
        assert_eq!((s.parts.len(), s.line), (2, 8));
    }

    #[test]
    fn a_list_stands_for_its_words_in_a_sentence_entry() {
        let lists = "[lists]\nstaff = '''nurses|\"care aides\"|\n  midwives'''\n";
        let f = format!("{OK}sentences = ['@staff|doctors + burnout']\n{lists}");
        let f = parse(&f).unwrap();
        let s = &f.elements[0].concepts[0].sentences[0];
        assert_eq!(s.parts[0], ["nurses", "care aides", "midwives", "doctors"]);
        assert_eq!(s.text, "@staff|doctors + burnout");
        let e = parse(&format!("{OK}sentences = ['@staf + burnout']\n{lists}")).unwrap_err();
        let e = format!("{e:#}");
        assert!(e.contains("line 8") && e.contains("@staf") && e.contains("defined: staff"), "{e}");
        assert!(e.contains("hint: fix the name, or add staf = "), "{e}");
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
