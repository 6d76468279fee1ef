//! Evaluating a framework against a gold set: short records with the
//! concepts a careful reviewer would chart for each. Precision and recall
//! are counted over (record, concept) pairs, per element and overall.
//!
//! ```toml
//! [[record]]
//! title = "..."
//! abstract = "..."
//! keywords = ["..."]      # optional
//! mesh = ["..."]          # optional
//! concepts = ["equity"]   # concept ids; [] for a record with none
//! ```

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
    concepts: Vec<String>,
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

/// The outcome of an evaluation.
#[derive(Debug, Serialize)]
pub struct Evaluation {
    pub records: usize,
    pub elements: Vec<Score>,
    pub overall: Score,
    /// `record id: concept`, charted by the gold set and not found.
    pub missed: Vec<String>,
    /// `record id: concept`, found but not in the gold set.
    pub spurious: Vec<String>,
}

impl Evaluation {
    pub fn print(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(w, "{} gold records", self.records)?;
        writeln!(
            w,
            "{:<28} {:>9} {:>7} {:>4} {:>4} {:>4}",
            "element", "precision", "recall", "tp", "fp", "fn"
        )?;
        for s in self.elements.iter().chain(std::iter::once(&self.overall)) {
            writeln!(
                w,
                "{:<28} {:>9.2} {:>7.2} {:>4} {:>4} {:>4}",
                s.name, s.precision, s.recall, s.tp, s.fp, s.fn_
            )?;
        }
        for m in &self.missed {
            writeln!(w, "missed:   {m}")?;
        }
        for s in &self.spurious {
            writeln!(w, "spurious: {s}")?;
        }
        Ok(())
    }
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
    let mut expected: Vec<(String, BTreeSet<String>)> = Vec::new();
    for (i, rec) in file.record.iter().enumerate() {
        let line = line_of(rec.span().start);
        let g = rec.get_ref();
        for c in &g.concepts {
            if !framework.concepts().any(|(_, k)| k.id == *c) {
                bail!(
                    "{}, line {line}: the gold record names the concept {c:?}, which {} does not \
                     define",
                    gold.display(),
                    framework.path.display()
                );
            }
        }
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
        let id = g.id.clone().unwrap_or_else(|| format!("record {} (line {line})", i + 1));
        expected.push((id, g.concepts.iter().cloned().collect()));
    }
    applier.commit()?;
    let tagged = Matcher::compile(framework, &index)?.tag(&index)?;
    let element_of = |concept: &str| {
        framework.concepts().find(|(_, c)| c.id == concept).map(|(e, _)| e.id.clone())
    };
    let mut counts: Vec<(usize, usize, usize)> = vec![(0, 0, 0); framework.elements.len()];
    let mut missed = Vec::new();
    let mut spurious = Vec::new();
    for (i, (id, want)) in expected.iter().enumerate() {
        let got: BTreeSet<String> = tagged
            .hits
            .get(&gold_pmid(i))
            .map(|h| h.iter().map(|h| h.concept.clone()).collect())
            .unwrap_or_default();
        for c in want.union(&got) {
            let e = element_of(c).unwrap_or_default();
            let k = framework.elements.iter().position(|x| x.id == e).unwrap_or(0);
            match (want.contains(c), got.contains(c)) {
                (true, true) => counts[k].0 += 1,
                (false, true) => {
                    counts[k].1 += 1;
                    spurious.push(format!("{id}: {c}"));
                }
                (true, false) => {
                    counts[k].2 += 1;
                    missed.push(format!("{id}: {c}"));
                }
                (false, false) => {}
            }
        }
    }
    let elements: Vec<Score> = framework
        .elements
        .iter()
        .zip(&counts)
        .map(|(e, &(tp, fp, fn_))| Score::new(&e.name, tp, fp, fn_))
        .collect();
    let (tp, fp, fn_) = counts.iter().fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
    Ok(Evaluation {
        records: expected.len(),
        elements,
        overall: Score::new("overall", tp, fp, fn_),
        missed,
        spurious,
    })
}

/// The PMID a gold record is indexed under (its place in the file).
fn gold_pmid(i: usize) -> crate::parse::Pmid {
    crate::parse::Pmid::new(900_000_000 + i as u64).expect("not 0")
}
