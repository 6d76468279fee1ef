//! Evaluating a framework against a gold set: short records with what a
//! careful reviewer would chart for each. Precision and recall are counted
//! per element (over records: does the record show the element?), per
//! concept (over records: does it show the concept?), and overall over the
//! elements.
//!
//! ```toml
//! [[record]]
//! id = "d001"                      # optional; else its place in the file
//! title = "..."
//! abstract = "..."
//! keywords = ["..."]               # optional
//! mesh = ["..."]                   # optional
//! elements = ["outcomes"]          # optional; else those of its concepts
//! concepts = ["population health"] # ids or the framework's names; [] for none
//! note = "Hard negative: ..."      # optional
//! ```
//!
//! A concept may be named by its id (`learning-cycle`) or by its name in
//! the framework, case and hyphens aside, with or without the pillar before
//! a colon and the gloss in brackets ("IT systems" for "Technological
//! pillar: IT systems", "person focused" for "Person focused
//! (person-centredness)"). Concepts the gold set never names are not scored
//! one by one (a gold set written for part of a framework), but count for
//! their element.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::framework::Framework;
use super::matcher::Matcher;
use crate::parse::{AbstractSection, Record};
use crate::store::CorpusIndex;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GoldFile {
    record: Vec<Spanned<GoldRecord>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GoldRecord {
    #[serde(default)]
    id: Option<String>,
    title: String,
    #[serde(default, rename = "abstract")]
    abstract_text: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    mesh: Vec<String>,
    #[serde(default)]
    elements: Option<Vec<String>>,
    concepts: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

/// Precision and recall for one element, or overall.
#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub name: String,
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
}

impl Score {
    fn new(name: &str, tp: usize, fp: usize, fn_: usize) -> Score {
        let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        Score {
            name: name.to_string(),
            tp,
            fp,
            fn_,
            precision: ratio(tp, tp + fp),
            recall: ratio(tp, tp + fn_),
        }
    }
}

/// A disagreement with the gold set: a miss (charted, not found) or a
/// false hit (found, not charted), with the evidence of a false hit.
#[derive(Debug, Clone, Serialize)]
pub struct Disagreement {
    pub record: String,
    /// `element` or `concept`.
    pub level: &'static str,
    /// The element's or concept's id.
    pub id: String,
    /// The words that were taken as evidence (false hits only).
    pub evidence: Vec<String>,
}

impl Disagreement {
    fn line(&self) -> String {
        let ev = if self.evidence.is_empty() {
            String::new()
        } else {
            format!(
                " ← {}",
                self.evidence.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>().join(", ")
            )
        };
        format!("{}: {} {}{ev}", self.record, self.level, self.id)
    }
}

/// The outcome of an evaluation.
#[derive(Debug, Serialize)]
pub struct Evaluation {
    pub records: usize,
    /// Per element, over records.
    pub elements: Vec<Score>,
    /// Over every (record, element).
    pub overall: Score,
    /// Per concept the gold set names, over records.
    pub concepts: Vec<Score>,
    /// Concepts of the framework the gold set never names (not scored one
    /// by one).
    pub unscored_concepts: Vec<String>,
    /// Charted by the gold set and not found.
    pub missed: Vec<Disagreement>,
    /// Found, and not in the gold set.
    pub spurious: Vec<Disagreement>,
}

impl Evaluation {
    pub fn print(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(w, "{} gold records", self.records)?;
        let head = |w: &mut dyn Write, what: &str| {
            writeln!(
                w,
                "{:<44} {:>9} {:>7} {:>4} {:>4} {:>4}",
                what, "precision", "recall", "tp", "fp", "fn"
            )
        };
        let row = |w: &mut dyn Write, s: &Score| {
            writeln!(
                w,
                "{:<44} {:>9.2} {:>7.2} {:>4} {:>4} {:>4}",
                s.name, s.precision, s.recall, s.tp, s.fp, s.fn_
            )
        };
        head(w, "element")?;
        for s in self.elements.iter().chain(std::iter::once(&self.overall)) {
            row(w, s)?;
        }
        writeln!(w)?;
        head(w, "concept")?;
        for s in &self.concepts {
            row(w, s)?;
        }
        if !self.unscored_concepts.is_empty() {
            writeln!(
                w,
                "not named by this gold set (scored with their element only): {}",
                self.unscored_concepts.join(", ")
            )?;
        }
        for m in &self.missed {
            writeln!(w, "missed:   {}", m.line())?;
        }
        for s in &self.spurious {
            writeln!(w, "spurious: {}", s.line())?;
        }
        Ok(())
    }
}

/// The normal form of a concept's name: lower case, hyphens as spaces,
/// single spaces.
fn norm(s: &str) -> String {
    s.to_lowercase().replace(['-', '_'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The concept id a gold set's name stands for.
fn resolve(framework: &Framework, name: &str) -> Option<String> {
    let want = norm(name);
    framework.concepts().find_map(|(_, c)| {
        let full = c.name.as_str();
        let after = full.split_once(':').map_or(full, |(_, b)| b);
        let names = [c.id.as_str(), full, after, after.split('(').next().unwrap_or(after)];
        names.iter().any(|n| norm(n) == want).then(|| c.id.clone())
    })
}

/// Tags the gold records with `framework` and compares.
pub fn evaluate(framework: &Framework, gold: &Path) -> Result<Evaluation> {
    let text = std::fs::read_to_string(gold)
        .with_context(|| format!("could not read the gold set {}", gold.display()))?;
    let file: GoldFile = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a valid gold set: {e}", gold.display()))?;
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    let index = CorpusIndex::in_ram();
    let mut applier = index.writer()?;
    let element_of = |concept: &str| {
        framework.concepts().find(|(_, c)| c.id == concept).map(|(e, _)| e.id.clone())
    };
    // Per record: id, the concepts and the elements it should have.
    let mut expected: Vec<(String, BTreeSet<String>, BTreeSet<String>)> = Vec::new();
    let mut records = Vec::new();
    let mut named: BTreeSet<String> = BTreeSet::new();
    for (i, rec) in file.record.iter().enumerate() {
        let line = line_of(rec.span().start);
        let g = rec.get_ref();
        let mut concepts = BTreeSet::new();
        for c in &g.concepts {
            let Some(id) = resolve(framework, c) else {
                bail!(
                    "{}, line {line}: the gold record names the concept {c:?}, which {} does not \
                     define (hint: a concept's id, or its name as the framework writes it)",
                    gold.display(),
                    framework.path.display()
                );
            };
            concepts.insert(id);
        }
        let elements: BTreeSet<String> = match &g.elements {
            Some(es) => {
                for e in es {
                    if !framework.elements.iter().any(|x| x.id == *e) {
                        bail!(
                            "{}, line {line}: the gold record names the element {e:?}, which {} \
                             does not define (its elements: {})",
                            gold.display(),
                            framework.path.display(),
                            framework
                                .elements
                                .iter()
                                .map(|x| x.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                    }
                }
                es.iter().cloned().collect()
            }
            None => concepts.iter().filter_map(|c| element_of(c)).collect(),
        };
        named.extend(concepts.iter().cloned());
        let record = Record {
            pmid: gold_pmid(i),
            version: 1,
            title: g.title.clone(),
            abstract_sections: vec![AbstractSection {
                label: None,
                category: None,
                text: g.abstract_text.clone(),
            }],
            keywords: g.keywords.clone(),
            mesh: g.mesh.clone(),
            mesh_headings: g
                .mesh
                .iter()
                .map(|m| crate::parse::MeshHeading { descriptor: m.clone(), ..Default::default() })
                .collect(),
            ..Record::default()
        };
        applier.add(&record)?;
        records.push(record);
        let id = g.id.clone().unwrap_or_else(|| format!("record {} (line {line})", i + 1));
        expected.push((id, concepts, elements));
    }
    applier.commit()?;
    let tagged = Matcher::compile(framework, &index)?.tag(&index)?;
    let concept_ids: Vec<String> =
        framework.concepts().map(|(_, c)| c.id.clone()).filter(|c| named.contains(c)).collect();
    let mut by_element = vec![(0usize, 0usize, 0usize); framework.elements.len()];
    let mut by_concept = vec![(0usize, 0usize, 0usize); concept_ids.len()];
    let mut missed = Vec::new();
    let mut spurious = Vec::new();
    for (i, (id, want_c, want_e)) in expected.iter().enumerate() {
        let hits = tagged.hits.get(&gold_pmid(i)).map(Vec::as_slice).unwrap_or_default();
        let evidence = |pred: &dyn Fn(&crate::tag::ConceptHit) -> bool| -> Vec<String> {
            hits.iter().filter(|h| pred(h)).flat_map(|h| h.quotes(&records[i])).collect()
        };
        let got_c: BTreeSet<String> = hits.iter().map(|h| h.concept.clone()).collect();
        let got_e: BTreeSet<String> = hits.iter().map(|h| h.element.clone()).collect();
        // One verdict: counted (true positive, false positive, miss), and a
        // disagreement kept with the words taken as evidence.
        let mut judge = |counts: &mut (usize, usize, usize),
                         level: &'static str,
                         key: &str,
                         (want, got): (bool, bool),
                         evidence: &dyn Fn() -> Vec<String>| {
            let disagreement = |evidence| Disagreement {
                record: id.clone(),
                level,
                id: key.to_string(),
                evidence,
            };
            match (want, got) {
                (true, true) => counts.0 += 1,
                (false, true) => {
                    counts.1 += 1;
                    spurious.push(disagreement(evidence()));
                }
                (true, false) => {
                    counts.2 += 1;
                    missed.push(disagreement(Vec::new()));
                }
                (false, false) => {}
            }
        };
        for (k, e) in framework.elements.iter().enumerate() {
            let verdict = (want_e.contains(&e.id), got_e.contains(&e.id));
            judge(&mut by_element[k], "element", &e.id, verdict, &|| {
                evidence(&|h| h.element == e.id)
            });
        }
        for (k, c) in concept_ids.iter().enumerate() {
            let verdict = (want_c.contains(c), got_c.contains(c));
            judge(&mut by_concept[k], "concept", c, verdict, &|| evidence(&|h| h.concept == *c));
        }
    }
    let elements: Vec<Score> = framework
        .elements
        .iter()
        .zip(&by_element)
        .map(|(e, &(tp, fp, fn_))| Score::new(&e.name, tp, fp, fn_))
        .collect();
    let concepts: Vec<Score> = concept_ids
        .iter()
        .zip(&by_concept)
        .map(|(c, &(tp, fp, fn_))| Score::new(c, tp, fp, fn_))
        .collect();
    let (tp, fp, fn_) = by_element.iter().fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
    Ok(Evaluation {
        records: expected.len(),
        elements,
        overall: Score::new("overall (elements)", tp, fp, fn_),
        concepts,
        unscored_concepts: framework
            .concepts()
            .map(|(_, c)| c.id.clone())
            .filter(|c| !named.contains(c))
            .collect(),
        missed,
        spurious,
    })
}

/// The PMID a gold record is indexed under (its place in the file).
fn gold_pmid(i: usize) -> crate::parse::Pmid {
    crate::parse::Pmid::new(900_000_000 + i as u64).expect("not 0")
}
