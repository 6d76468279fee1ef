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

/// Above this many records, retraining and ranking run on a thread of
/// their own, so that a key press never waits for them (about 30 ms on
/// 100,000 records, 4 ms on 10,000); at or below it, they run at once, and
/// the next record is always the newest model's pick.
pub const SYNC_LIMIT: usize = 20_000;

/// The model: its features being built, ready, lent to a retraining
/// thread, or failed.
enum Built {
    Pending(JoinHandle<Result<Model>>),
    Ready(Box<Model>),
    Busy,
    Failed(String),
}

/// What a retraining needs: the labels in decision order and the records
/// to rank.
struct Job {
    labels: Vec<(usize, bool)>,
    unscreened: Vec<usize>,
}

/// What a retraining thread gives back: the model (or why it failed) and
/// its ranking.
type Retrained = (Result<Box<Model>>, Option<Ranked>);

/// The answer to a rerank request.
#[derive(Debug, PartialEq)]
pub enum Reply {
    /// Ranked now (`None`: no model yet, there is not both an include and
    /// an exclude).
    Now(Option<Ranked>),
    /// Ranking on a thread; [`Prioritiser::poll`] gives it when done.
    Later,
}

/// Keeps the model of one reviewer's session.
pub struct Prioritiser {
    records: Arc<Vec<Pmid>>,
    row_of: HashMap<Pmid, usize>,
    model: Built,
    /// A retraining on its thread, and the newest request that came while
    /// it ran (run next).
    running: Option<JoinHandle<Retrained>>,
    queued: Option<Job>,
    /// Records above which reranking runs on a thread ([`SYNC_LIMIT`]).
    sync_limit: usize,
    /// Tells the feature thread to stop (the session ended before it
    /// finished).
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

/// Trains `model` on the job and ranks its records.
fn run_job(model: &mut Model, job: &Job, records: &[Pmid]) -> Ranked {
    model.train(&job.labels);
    let order = model.top(&job.unscreened, TOP).into_iter().map(|i| records[i]).collect();
    let found = job.labels.iter().filter(|l| l.1).count();
    let quiet = job.labels.iter().rev().take_while(|l| !l.1).count();
    Ranked {
        hint: stop_hint(found, quiet, job.unscreened.len()),
        order,
        trained_on: job.labels.len(),
    }
}

/// The built model out of `built` (waiting for the feature thread).
fn take_model(built: Built) -> Result<Box<Model>> {
    match built {
        Built::Ready(m) => Ok(m),
        Built::Pending(h) => match h.join() {
            Ok(Ok(m)) => Ok(Box::new(m)),
            Ok(Err(e)) => Err(anyhow!("the model could not be built: {e:#}")),
            Err(_) => Err(anyhow!("the thread that reads the records failed")),
        },
        Built::Failed(e) => Err(anyhow!("the model could not be built: {e}")),
        Built::Busy => Err(anyhow!("the model is in use")),
    }
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
        Prioritiser {
            records: Arc::new(records.to_vec()),
            row_of,
            model: Built::Pending(handle),
            running: None,
            queued: None,
            sync_limit: SYNC_LIMIT,
            cancel,
        }
    }

    /// True once the model has been built and is not retraining.
    pub fn is_built(&self) -> bool {
        matches!(self.model, Built::Ready(_))
    }

    /// True when reranking runs on a thread (more than [`SYNC_LIMIT`]
    /// records).
    pub fn in_background(&self) -> bool {
        self.records.len() > self.sync_limit
    }

    /// True once the features are built (the model may be retraining).
    pub fn features_ready(&self) -> bool {
        match &self.model {
            Built::Pending(h) => h.is_finished(),
            Built::Ready(_) | Built::Busy => true,
            Built::Failed(_) => false,
        }
    }

    /// True while a retraining runs on its thread.
    pub fn is_busy(&self) -> bool {
        self.running.is_some()
    }

    /// Reranks on a thread above `n` records instead of [`SYNC_LIMIT`] (for
    /// tests of the thread on small workspaces).
    pub fn set_sync_limit(&mut self, n: usize) {
        self.sync_limit = n;
    }

    /// The job for `mine` (in the order of `sequence`, oldest first);
    /// `None` while there is not both an include and an exclude. A maybe
    /// teaches the model nothing: it says the reviewer does not know yet
    /// (trained on as an include, one maybe on a COVID-19 paper brought
    /// twenty COVID-19 papers to the top). It stays out of the ranking like
    /// any screened record.
    fn job(&self, mine: &HashMap<Pmid, Decision>, sequence: &[Pmid]) -> Option<Job> {
        let decided: Vec<&Decision> = sequence
            .iter()
            .filter_map(|p| mine.get(p))
            .filter(|d| matches!(d.decision, Verdict::Include | Verdict::Exclude))
            .filter(|d| self.row_of.contains_key(&d.pmid))
            .collect();
        let yes = |d: &Decision| d.decision == Verdict::Include;
        if !decided.iter().any(|d| yes(d)) || decided.iter().all(|d| yes(d)) {
            return None;
        }
        let labels = decided.iter().map(|d| (self.row_of[&d.pmid], yes(d))).collect();
        let records = &self.records;
        let unscreened = (0..records.len()).filter(|&i| !mine.contains_key(&records[i])).collect();
        Some(Job { labels, unscreened })
    }

    /// Retrains on `mine` and ranks the unscreened records: at once, or on
    /// a thread above [`SYNC_LIMIT`] records.
    pub fn request(&mut self, mine: &HashMap<Pmid, Decision>, sequence: &[Pmid]) -> Result<Reply> {
        let Some(job) = self.job(mine, sequence) else { return Ok(Reply::Now(None)) };
        if !self.in_background() {
            let mut model = take_model(std::mem::replace(&mut self.model, Built::Busy))
                .inspect_err(|e| self.model = Built::Failed(format!("{e:#}")))?;
            let ranked = run_job(&mut model, &job, &self.records);
            self.model = Built::Ready(model);
            return Ok(Reply::Now(Some(ranked)));
        }
        if self.running.is_some() {
            // The newest request replaces any that waited.
            self.queued = Some(job);
        } else {
            self.spawn(job);
        }
        Ok(Reply::Later)
    }

    fn spawn(&mut self, job: Job) {
        let built = std::mem::replace(&mut self.model, Built::Busy);
        let records = self.records.clone();
        self.running = Some(std::thread::spawn(move || match take_model(built) {
            Ok(mut model) => {
                let ranked = run_job(&mut model, &job, &records);
                (Ok(model), Some(ranked))
            }
            Err(e) => (Err(e), None),
        }));
    }

    /// The ranking of a finished background retraining, if one finished
    /// (and the next queued one started).
    pub fn poll(&mut self) -> Option<Result<Ranked>> {
        if !self.running.as_ref().is_some_and(|h| h.is_finished()) {
            return None;
        }
        let handle = self.running.take().expect("checked");
        let (model, ranked) = match handle.join() {
            Ok(done) => done,
            Err(_) => (Err(anyhow!("the retraining thread failed")), None),
        };
        match model {
            Ok(m) => self.model = Built::Ready(m),
            Err(e) => {
                self.model = Built::Failed(format!("{e:#}"));
                return Some(Err(e));
            }
        }
        if let Some(job) = self.queued.take() {
            self.spawn(job);
        }
        ranked.map(Ok)
    }
}
