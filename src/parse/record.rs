//! `Record`: one PubMed citation as scoper keeps it, and the JSON shape that
//! `scoper show --json` and `scoper export jsonl` print (scripts rely on it).

use serde::{Deserialize, Serialize};

/// A PubMed identifier: ASCII digits only, no leading zeros kept as given.
pub type Pmid = String;

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
    pub pmid: Option<Pmid>,
}

impl Record {
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
