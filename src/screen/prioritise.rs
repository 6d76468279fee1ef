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
//!   framework's concepts) are built on a thread from the moment the screen
//!   opens (4.5 s for 100,000 records, 0.4 s for 10,000), while the reviewer
//!   reads; the first decision that needs them waits for the rest.
//! - After each decision, the best [`TOP`] unscreened records are put in
//!   the model's order; the others follow in their previous order (sorting
//!   them all would cost more than a frame on 100,000 records, and nobody
//!   screens that far before the next decision reranks them).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use anyhow::{anyhow, Result};

use super::decisions::{Decision, Verdict};
use crate::parse::Pmid;
use crate::rank::features::Doc;
use crate::rank::{stop_hint, Model, StopHint};
use crate::store::Workspace;
use crate::view::View;

/// Unscreened records put in the model's order after each decision.
pub const TOP: usize = 2000;

/// The model's order of the unscreened records, and what to tell the
/// reviewer about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// The best unscreened records (at most [`TOP`]), most likely include
    /// first.
    pub order: Vec<Pmid>,
    /// Decisions the model was trained on.
    pub trained_on: usize,
    pub hint: Option<StopHint>,
}

/// The model: being built on a thread, or built.
enum Built {
    Pending(JoinHandle<Result<Model>>),
    Ready(Box<Model>),
    Failed(String),
}

/// Keeps the model of one reviewer's session.
pub struct Prioritiser {
    records: Vec<Pmid>,
    row_of: HashMap<Pmid, usize>,
    model: Built,
    /// Tells the thread to stop (the session ended before it finished).
    cancel: Arc<AtomicBool>,
}

impl Drop for Prioritiser {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
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
    /// A prioritiser over the records of the queue; the features are built
    /// on a thread of their own (with a read-only view of its own).
    pub fn start(ws: &Workspace, records: &[Pmid], seed: u64) -> Prioritiser {
        let row_of = records.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let (ws, list) = (ws.clone(), records.to_vec());
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = cancel.clone();
        let handle = std::thread::spawn(move || {
            let view = View::open(&ws)?;
            let mut docs = Vec::with_capacity(list.len());
            for &p in &list {
                if stop.load(Ordering::Relaxed) {
                    return Err(anyhow!("cancelled"));
                }
                docs.push(doc_of(&view, p)?);
            }
            Ok(Model::new(&docs, seed))
        });
        Prioritiser { records: records.to_vec(), row_of, model: Built::Pending(handle), cancel }
    }

    /// True once the model has been built (and the first decision that
    /// needed it has waited for it).
    pub fn is_built(&self) -> bool {
        matches!(self.model, Built::Ready(_))
    }

    /// The model, waiting for the thread if it is still at work.
    fn model(&mut self) -> Result<&mut Model> {
        if let Built::Pending(_) = self.model {
            let Built::Pending(h) =
                std::mem::replace(&mut self.model, Built::Failed(String::new()))
            else {
                unreachable!()
            };
            self.model = match h.join() {
                Ok(Ok(m)) => Built::Ready(Box::new(m)),
                Ok(Err(e)) => Built::Failed(format!("{e:#}")),
                Err(_) => Built::Failed("the thread that reads the records failed".into()),
            };
        }
        match &mut self.model {
            Built::Ready(m) => Ok(m),
            Built::Failed(e) => Err(anyhow!("the model could not be built: {e}")),
            Built::Pending(_) => unreachable!("joined above"),
        }
    }

    /// Retrains on `mine` (in the order of `sequence`, oldest first) and
    /// ranks the unscreened records; `None` while there is not both an
    /// include (or maybe) and an exclude.
    pub fn rerank(
        &mut self,
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
        let labels: Vec<(usize, bool)> =
            decided.iter().map(|d| (self.row_of[&d.pmid], yes(d))).collect();
        let records = &self.records;
        let unscreened: Vec<usize> =
            (0..records.len()).filter(|&i| !mine.contains_key(&records[i])).collect();
        let left = unscreened.len();
        let model = self.model()?;
        model.train(&labels);
        let top = model.top(&unscreened, TOP);
        let order: Vec<Pmid> = top.into_iter().map(|i| self.records[i]).collect();
        let found = labels.iter().filter(|l| l.1).count();
        let quiet = labels.iter().rev().take_while(|l| !l.1).count();
        Ok(Some(Ranked { hint: stop_hint(found, quiet, left), order, trained_on: labels.len() }))
    }
}
