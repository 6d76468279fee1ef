//! The screening queue in the model's order (`--order model`, the
//! default): after each decision, the records the reviewer has not
//! screened are ranked by a model trained on what they have decided
//! ([`crate::rank::Model`]).
//!
//! - Until the reviewer has both an include and an exclude, the queue stays
//!   in relevance order (BM25 of the eligibility criteria plus the concept
//!   hits; see [`super::order`]).
//! - A maybe is trained on as an include: it goes on to full text as one.
//! - Only the reviewer's own decisions at this stage count (screening is
//!   blind).
//! - The features (title, abstract, keywords, MeSH headings, the
//!   framework's concepts) are built the first time they are needed: at
//!   opening when the reviewer already has both labels, else at the
//!   decision that gives them both.

use std::collections::HashMap;

use anyhow::Result;

use super::decisions::{Decision, Verdict};
use crate::parse::Pmid;
use crate::rank::features::Doc;
use crate::rank::{stop_hint, Model, StopHint};
use crate::view::View;

/// The model's order of the unscreened records, and what to tell the
/// reviewer about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Unscreened records, most likely include first.
    pub order: Vec<Pmid>,
    /// Decisions the model was trained on.
    pub trained_on: usize,
    pub hint: Option<StopHint>,
}

/// Keeps the model of one reviewer's session.
pub struct Prioritiser {
    records: Vec<Pmid>,
    row_of: HashMap<Pmid, usize>,
    model: Option<Model>,
    seed: u64,
}

/// The text the model reads for a record.
pub fn doc_of(view: &View, pmid: Pmid) -> Result<Doc> {
    let Some(r) = view.get(pmid)? else { return Ok(Doc::default()) };
    let text = format!("{}\n{}\n{}", r.title, r.abstract_text(), r.keywords.join("; "));
    let mut tags: Vec<String> = r.mesh.iter().map(|m| format!("mesh:{m}")).collect();
    tags.extend(view.hits(pmid).iter().map(|h| format!("concept:{}", h.concept)));
    Ok(Doc { text, tags })
}

impl Prioritiser {
    /// A prioritiser over the records of the queue.
    pub fn new(records: &[Pmid], seed: u64) -> Prioritiser {
        let row_of = records.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        Prioritiser { records: records.to_vec(), row_of, model: None, seed }
    }

    /// True once the model has been built.
    pub fn is_built(&self) -> bool {
        self.model.is_some()
    }

    /// Retrains on `mine` (in the order of `sequence`, oldest first) and
    /// ranks the unscreened records; `None` while there is not both an
    /// include (or maybe) and an exclude.
    pub fn rerank(
        &mut self,
        view: &View,
        mine: &HashMap<Pmid, Decision>,
        sequence: &[Pmid],
    ) -> Result<Option<Ranked>> {
        let decided: Vec<&Decision> = sequence
            .iter()
            .filter_map(|p| mine.get(p))
            .filter(|d| d.decision != Verdict::Undecided && self.row_of.contains_key(&d.pmid))
            .collect();
        let yes = |d: &Decision| matches!(d.decision, Verdict::Include | Verdict::Maybe);
        if !decided.iter().any(|d| yes(d)) || decided.iter().all(|d| yes(d)) {
            return Ok(None);
        }
        if self.model.is_none() {
            let docs = self.records.iter().map(|&p| doc_of(view, p)).collect::<Result<Vec<_>>>()?;
            self.model = Some(Model::new(&docs, self.seed));
        }
        let model = self.model.as_mut().expect("built above");
        let labels: Vec<(usize, bool)> =
            decided.iter().map(|d| (self.row_of[&d.pmid], yes(d))).collect();
        model.train(&labels);
        let unscreened: Vec<usize> =
            (0..self.records.len()).filter(|&i| !mine.contains_key(&self.records[i])).collect();
        let order: Vec<Pmid> =
            model.rank(&unscreened).into_iter().map(|i| self.records[i]).collect();
        let found = labels.iter().filter(|l| l.1).count();
        let quiet = labels.iter().rev().take_while(|l| !l.1).count();
        Ok(Some(Ranked {
            hint: stop_hint(found, quiet, order.len()),
            order,
            trained_on: labels.len(),
        }))
    }
}
