//! `Record`: one PubMed citation as scoper keeps it, and the JSON shape that
//! `scoper show --json` and `scoper export jsonl` print (scripts rely on it).

use serde::{Deserialize, Serialize};

use std::fmt;
use std::str::FromStr;

/// A PubMed identifier, validated once, where it is read (the parser, an
/// esearch answer, a command-line argument): a positive whole number that
/// fits in 64 bits. Leading zeros are dropped (`007` is PMID 7). In JSON it
/// is a string, as PubMed writes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pmid(u64);

/// Why a text is not a PMID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmidError {
    pub text: String,
    pub reason: &'static str,
}

impl fmt::Display for PmidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.text.chars().take(40).collect();
        write!(f, "{shown:?} is not a PMID: {}", self.reason)
    }
}

impl std::error::Error for PmidError {}

impl Pmid {
    /// The PMID `n` (0 is not one).
    pub fn new(n: u64) -> Option<Pmid> {
        (n > 0).then_some(Pmid(n))
    }

    pub fn get(self) -> u64 {
        self.0
    }

    /// "PMID 31415926", or "record 1234567890123" for an id scoper gave a
    /// record from another database: how a message names a record when
    /// only its id is at hand (`Record::label` also names the database).
    pub fn shown(self) -> String {
        if self.0 < crate::parse::tagged::OWN_ID_BASE {
            format!("PMID {}", self.0)
        } else {
            format!("record {}", self.0)
        }
    }
}

impl FromStr for Pmid {
    type Err = PmidError;

    fn from_str(s: &str) -> Result<Pmid, PmidError> {
        let t = s.trim();
        let err = |reason| Err(PmidError { text: t.to_string(), reason });
        if t.is_empty() {
            return err("it is empty");
        }
        if !t.bytes().all(|b| b.is_ascii_digit()) {
            return err("a PMID is a number, like 31399114");
        }
        match t.parse::<u64>() {
            Ok(0) => err("0 is not a PMID"),
            Ok(n) => Ok(Pmid(n)),
            Err(_) => err("the number is too large for a PMID (PubMed's have 8 or 9 digits)"),
        }
    }
}

/// `pmid == "31399114"`: the PMID as PubMed writes it.
impl PartialEq<str> for Pmid {
    fn eq(&self, other: &str) -> bool {
        other.parse::<u64>().is_ok_and(|n| n == self.0) && !other.starts_with('0')
    }
}

impl PartialEq<&str> for Pmid {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl fmt::Display for Pmid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Pmid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Pmid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pmid, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Pmid;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a PMID (a positive number, as a string or a number)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Pmid, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Pmid, E> {
                Pmid::new(v).ok_or_else(|| E::custom("0 is not a PMID"))
            }
        }
        d.deserialize_any(V)
    }
}

/// One citation, from a `PubmedArticle` or a `PubmedBookArticle`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub pmid: Pmid,
    /// `PMID Version`: the highest version of a PMID is the record.
    pub version: u32,
    /// `ArticleTitle` as text (markup removed, entities decoded, white space
    /// collapsed); the `VernacularTitle` when that is empty; for a book the
    /// `ArticleTitle` or else the `BookTitle`.
    pub title: String,
    /// The title in the original language, when PubMed has one.
    pub vernacular_title: Option<String>,
    /// One entry per `AbstractText`, in document order.
    #[serde(rename = "abstract")]
    pub abstract_sections: Vec<AbstractSection>,
    /// `OtherAbstract`s (other languages, plain-language summaries).
    pub other_abstracts: Vec<OtherAbstract>,
    pub authors: Vec<Author>,
    /// Editors of a book (`AuthorList Type="editors"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub editors: Vec<Author>,
    /// `PubDate/Year`, else the first four-digit year of `MedlineDate`.
    pub year: Option<i32>,
    /// The publication date as PubMed gives it: `2019 Jun 3`, `2018 Jul-Aug`,
    /// `1980 Summer`.
    pub pub_date: Option<String>,
    /// `Journal/Title` (for a book, the publisher).
    pub journal: Option<String>,
    pub journal_abbrev: Option<String>,
    pub volume: Option<String>,
    pub issue: Option<String>,
    pub pages: Option<String>,
    /// The article's own DOI: `ELocationID EIdType="doi"`, else
    /// `PubmedData/ArticleIdList`. Never a DOI from the reference list.
    pub doi: Option<String>,
    pub pmcid: Option<String>,
    /// MeSH descriptor names, in order.
    pub mesh: Vec<String>,
    /// MeSH headings with their identifiers, major-topic flags and qualifiers.
    pub mesh_headings: Vec<MeshHeading>,
    pub keywords: Vec<String>,
    pub chemicals: Vec<String>,
    pub publication_types: Vec<String>,
    pub languages: Vec<String>,
    /// True when the record is a retracted publication (a `RetractionIn`
    /// link, or the publication type "Retracted Publication").
    pub retracted: bool,
    /// Links to retractions, errata, comments and the like.
    pub corrections: Vec<Correction>,
    /// True for a `PubmedBookArticle`.
    pub book: bool,
    /// `MedlineCitation Status` (`MEDLINE`, `PubMed-not-MEDLINE`, `Publisher`...).
    pub status: Option<String>,
    /// `DateRevised` as `YYYY-MM-DD`.
    pub date_revised: Option<String>,
    /// For a record from another database (RIS, MEDLINE, Web of Science,
    /// CSV): where it came from. `None` for a PubMed XML record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<super::tagged::Source>,
}

/// One `AbstractText`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AbstractSection {
    /// The `Label` attribute (`BACKGROUND`, `Methods`...), null when absent.
    pub label: Option<String>,
    /// The `NlmCategory` attribute, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub text: String,
}

/// One `OtherAbstract`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OtherAbstract {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub language: Option<String>,
    pub sections: Vec<AbstractSection>,
}

/// One `Author` (a person, or a group under `CollectiveName`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Author {
    pub last: Option<String>,
    pub fore: Option<String>,
    pub initials: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// The group's name for a `CollectiveName` author, else null.
    pub collective: Option<String>,
    pub affiliations: Vec<String>,
    /// The ORCID iD, bare (`0000-0002-1825-0097`), whatever form PubMed gave.
    pub orcid: Option<String>,
}

impl Author {
    /// "Last Initials", or the group's name: how a citation lists the author.
    pub fn display_name(&self) -> String {
        if let Some(c) = &self.collective {
            return c.clone();
        }
        match (&self.last, &self.initials, &self.fore) {
            (Some(l), Some(i), _) => format!("{l} {i}"),
            (Some(l), None, Some(f)) => format!("{l} {f}"),
            (Some(l), None, None) => l.clone(),
            (None, _, Some(f)) => f.clone(),
            _ => String::new(),
        }
    }
}

/// One `MeshHeading`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeshHeading {
    pub descriptor: String,
    pub ui: Option<String>,
    pub major: bool,
    pub qualifiers: Vec<String>,
}

/// One `CommentsCorrections` link.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    /// `RefType`: `RetractionIn`, `RetractionOf`, `ErratumIn`, `CommentOn`...
    #[serde(rename = "type")]
    pub kind: String,
    pub source: Option<String>,
    /// The linked record's PMID as written (a reference, not validated).
    pub pmid: Option<String>,
}

impl Record {
    /// The record's PMID: its own for a PubMed record, else the one its
    /// export gives (a record from another database may have none).
    pub fn pubmed_id(&self) -> Option<u64> {
        match &self.source {
            None => Some(self.pmid.get()),
            Some(s) => s.pmid,
        }
    }

    /// Where the record came from: "PubMed", or the database its export
    /// names (its id is then one scoper gave it).
    pub fn database(&self) -> &str {
        self.source.as_ref().map_or("PubMed", |s| s.database.as_str())
    }

    /// "PMID 31415926", or "record 1234567890123 (Scopus)" for a record from
    /// another database: how messages name it.
    pub fn label(&self) -> String {
        match &self.source {
            None => format!("PMID {}", self.pmid),
            Some(s) => format!("record {} ({})", self.pmid, s.database),
        }
    }

    /// The abstract as one text, sections joined ("LABEL: text").
    pub fn abstract_text(&self) -> String {
        let mut out = String::new();
        for s in &self.abstract_sections {
            if !out.is_empty() {
                out.push(' ');
            }
            if let Some(l) = s.label.as_deref().filter(|l| !l.is_empty()) {
                out.push_str(l);
                out.push_str(": ");
            }
            out.push_str(&s.text);
        }
        out
    }

    /// The text of a field as `scoper show` prints it, which the spans of
    /// concept hits point into: `title`; `abstract` (one line a section,
    /// `LABEL: text`); `keyword` and `mesh` (the terms joined by "; ").
    pub fn field_text(&self, field: &str) -> Option<String> {
        match field {
            "title" => Some(self.title.clone()),
            "abstract" => Some(
                self.abstract_sections
                    .iter()
                    .map(|s| match s.label.as_deref().filter(|l| !l.is_empty()) {
                        Some(l) => format!("{l}: {}", s.text),
                        None => s.text.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            "keyword" => Some(self.keywords.join("; ")),
            "mesh" => Some(self.mesh.join("; ")),
            _ => None,
        }
    }

    /// True when the record has no abstract text at all.
    pub fn has_abstract(&self) -> bool {
        self.abstract_sections.iter().any(|s| !s.text.is_empty())
    }
}
