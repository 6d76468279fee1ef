//! One run of a saved search: plan, fetch, save, log.
//!
//! A run lives in `corpus/runs/NAME/<time>-000000-run/`:
//! `esearch-NNNN.xml` and `efetch-NNNN.xml` are the responses exactly as
//! received (written to a temp file, fsynced, renamed); `run.json` holds the
//! plan (the slices and the PMIDs they found) once it is complete. A run
//! killed at any moment is resumed by the next `scoper search`/`update` of
//! the same query: the plan is reused, and the PMIDs already in saved
//! batches are not fetched again, as long as the saved search is the same
//! (term, kind, date limits); a run of a strategy that changed since is
//! closed in the log as abandoned, and the new strategy runs. When every
//! PMID is saved (or reported missing), the caller imports what came and
//! appends the [`SearchRun`] to `corpus/search-log.jsonl` ([`log_run`]).
//!
//! Past the PubMed cap (9,999 PMIDs a search), a search is cut into slices
//! by create date (CRDT), halving the window until each slice fits, then by
//! PMID range for a single day that is still too large. The union of the
//! slices is checked against the total count.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use super::client::EutilsClient;
use super::eutils::{self, EsearchReply, PUBMED_CAP};
use super::{FetchError, Query};
use crate::clock::days_from_civil;
use crate::clock::{compact_utc, iso_utc, now_secs};
use crate::parse::Pmid;
use crate::store::atomic::write_atomic;
use crate::store::log::{AppendLog, LogRead, Repaired};
use crate::store::Workspace;

/// Bisection of a day over the cap starts from PMIDs 1 to this.
const MAX_PMID: u64 = 9_999_999_999;

/// Knobs of a run.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// PMIDs per efetch request.
    pub batch_size: usize,
    /// PMIDs per esearch page (at most the cap).
    pub page_size: u64,
    /// efetch requests in flight (all paced by the one limiter).
    pub in_flight: usize,
    /// Days an update window reaches back before the last run.
    pub overlap_days: i64,
    /// Today, as `YYYY/MM/DD` (the date of the search).
    pub today: String,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            batch_size: 500,
            page_size: PUBMED_CAP,
            in_flight: 3,
            overlap_days: 3,
            today: today(),
        }
    }
}

/// Today's date in UTC, `YYYY/MM/DD`.
pub fn today() -> String {
    let (y, m, d) = crate::clock::civil_from_days(now_secs().div_euclid(86_400));
    format!("{y:04}/{m:02}/{d:02}")
}

/// One execution of a saved search, as the search log keeps it (PRISMA-S
/// items 8, 12, 13).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchRun {
    pub query: String,
    /// `complete`, or `abandoned`: an unfinished run whose saved search
    /// changed before it could be resumed (nothing of it is in the counts).
    #[serde(default = "complete")]
    pub status: String,
    /// The saved strategy as sent, without an update's window (absent in
    /// logs written before scoper 0.1.1: then read from `term`).
    #[serde(default)]
    pub strategy: Option<String>,
    pub database: String,
    pub platform: String,
    /// The strategy exactly as sent (with the update window, if any).
    pub term: String,
    /// The query's own date limits: `[datetype, mindate, maxdate]`.
    pub date_limits: Option<[String; 3]>,
    /// `full`, or `update` with the create-date window.
    pub kind: String,
    /// The date field of `window`: `crdt` (PubMed's create date).
    pub window_datetype: Option<String>,
    pub window: Option<[String; 2]>,
    /// The date of the search (`YYYY/MM/DD`).
    pub searched_on: String,
    /// Records PubMed found.
    pub count: u64,
    pub pmids: Vec<Pmid>,
    /// PMIDs fetched because the workspace did not have them.
    pub new: Vec<Pmid>,
    /// PMIDs the workspace had that PubMed modified since the last run,
    /// fetched again.
    pub rechecked: Vec<Pmid>,
    /// How many of `rechecked` changed in content when imported.
    #[serde(default)]
    pub changed: Option<usize>,
    /// Rechecked records that came back retracted (and were not before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retracted: Vec<Pmid>,
    /// PMIDs found but not delivered by efetch after every retry.
    pub missing: Vec<Pmid>,
    /// Found by the slices minus the total count (0 when they agree).
    pub count_difference: i64,
    pub slices: Vec<Slice>,
    pub started: String,
    pub finished: String,
    pub scoper_version: String,
    /// The run's folder in corpus/.
    pub run_dir: String,
}

fn complete() -> String {
    "complete".into()
}

impl SearchRun {
    /// The saved strategy this run sent (without an update's window).
    pub fn strategy(&self) -> String {
        self.strategy.clone().unwrap_or_else(|| strategy_of(&self.term, &self.kind))
    }

    pub fn is_complete(&self) -> bool {
        self.status == "complete"
    }

    /// The limits the search ran with, for the PRISMA-S table: the date
    /// limits, and an update's create-date window ("none" when neither).
    pub fn limits_text(&self) -> String {
        let mut limits = Vec::new();
        if let Some([t, a, b]) = &self.date_limits {
            limits.push(format!("{t} {a}–{b}"));
        }
        if let Some([a, b]) = &self.window {
            limits.push(format!("update: created {a}–{b}"));
        }
        if limits.is_empty() {
            "none".into()
        } else {
            limits.join("; ")
        }
    }
}

/// The strategy inside a term as sent: an update's term is the strategy
/// with a create-date window (see [`eutils::with_crdt`]).
fn strategy_of(term: &str, kind: &str) -> String {
    if kind == "update" {
        if let Some((inner, _)) = term.strip_prefix('(').and_then(|t| t.rsplit_once(") AND (\"")) {
            return inner.to_string();
        }
    }
    term.to_string()
}

/// One slice of a search and what it found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Slice {
    pub term: String,
    pub count: u64,
}

/// The saved state of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RunState {
    query: String,
    term: String,
    /// The saved strategy, without an update's window.
    #[serde(default)]
    strategy: Option<String>,
    /// The saved search's date limits: `[datetype, mindate, maxdate]`.
    #[serde(default)]
    limits: Option<[String; 3]>,
    kind: String,
    window: Option<[String; 2]>,
    searched_on: String,
    started: String,
    total: u64,
    slices: Vec<Slice>,
    pmids: Vec<Pmid>,
    /// PMIDs to fetch (new and revised), fixed when the plan was made.
    wanted: Vec<Pmid>,
    revised: Vec<Pmid>,
    /// PMIDs the workspace already had when the plan was made.
    known: usize,
}

impl RunState {
    /// True when this plan is for exactly the search `query` in `mode`.
    fn is_for(&self, query: &Query, mode: &Mode) -> bool {
        let strategy = self.strategy.clone().unwrap_or_else(|| strategy_of(&self.term, &self.kind));
        self.query == query.name
            && self.kind == mode.kind()
            && strategy == query.term_sent()
            && self.limits == query.date_limits()
    }
}

/// What kind of run.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Everything the search finds.
    Full,
    /// Created since `since` (YYYY/MM/DD, overlap included), plus records
    /// modified since `modified` (the last run's date).
    Since { since: String, modified: String },
}

impl Mode {
    fn kind(&self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Since { .. } => "update",
        }
    }
}

/// What a run did.
#[derive(Debug)]
pub struct Outcome {
    pub run: SearchRun,
    pub resumed: bool,
    pub batches_fetched: usize,
    pub batches_kept: usize,
    /// Records whose content changed when imported (set by the caller).
    pub revised: usize,
    /// The run folder of an unfinished run of another strategy, closed in
    /// the log as abandoned.
    pub abandoned: Option<String>,
    /// Things the user should be told (a torn log line moved aside).
    pub notes: Vec<String>,
}

/// The search log, `corpus/search-log.jsonl`.
pub fn search_log(ws: &Workspace) -> AppendLog<SearchRun> {
    let path = ws.search_log();
    let shown = ws.relative(&path);
    AppendLog::new(path, shown)
}

/// Every run in the search log (complete and abandoned), oldest first, and
/// the lines that could not be read (a torn last line after a crash).
pub fn read_log(ws: &Workspace) -> Result<LogRead<SearchRun>> {
    let log = search_log(ws);
    log.read().with_context(|| format!("could not read {}", log.path().display()))
}

/// Appends `run` to the search log, durably; says so when a torn last line
/// was moved aside first.
pub fn log_run(ws: &Workspace, run: &SearchRun) -> Result<Option<Repaired>> {
    let log = search_log(ws);
    log.append(run).with_context(|| format!("could not append to {}", log.path().display()))
}

/// A new, empty run folder, named by the time and the workspace's
/// sequence, like an imported file (see `corpus::next_stamp`).
fn new_run_dir(ws: &Workspace, query: &str) -> Result<PathBuf> {
    let parent = ws.runs(query);
    std::fs::create_dir_all(&parent)?;
    let (now, seq) = crate::store::corpus::next_stamp(ws, &compact_utc(now_secs()))?;
    for n in seq..seq + 1_000_000 {
        let d = parent.join(format!("{now}-{n:06}-run"));
        match std::fs::create_dir(&d) {
            Ok(()) => return Ok(d),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("could not create {}", d.display())),
        }
    }
    anyhow::bail!("could not find a free run folder in {}", parent.display())
}

/// An unfinished run of `query` with the same term and kind, to resume.
fn unfinished(ws: &Workspace, query: &str) -> Option<PathBuf> {
    let done: HashSet<String> = read_log(ws).ok()?.entries.into_iter().map(|r| r.run_dir).collect();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(ws.runs(query))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter().rev().find(|d| !done.contains(&ws.relative(d)))
}

impl RunState {
    /// The log entry of this plan's run, with no PMIDs yet.
    fn to_run(&self, ws: &Workspace, dir: &Path, status: &str) -> SearchRun {
        SearchRun {
            query: self.query.clone(),
            status: status.into(),
            strategy: self.strategy.clone(),
            database: "PubMed".into(),
            platform: "NCBI E-utilities (esearch, efetch)".into(),
            term: self.term.clone(),
            date_limits: self.limits.clone(),
            kind: self.kind.clone(),
            window_datetype: self.window.as_ref().map(|_| "crdt".to_string()),
            window: self.window.clone(),
            searched_on: self.searched_on.clone(),
            count: self.total,
            pmids: Vec::new(),
            new: Vec::new(),
            rechecked: Vec::new(),
            changed: None,
            retracted: Vec::new(),
            missing: Vec::new(),
            count_difference: 0,
            slices: self.slices.clone(),
            started: self.started.clone(),
            finished: iso_utc(now_secs()),
            scoper_version: env!("CARGO_PKG_VERSION").into(),
            run_dir: ws.relative(dir),
        }
    }
}

/// Runs `query` (or resumes its unfinished run, when it is for the same
/// strategy). `known` says which PMIDs the workspace has. The caller
/// imports what was saved, then logs the run with [`log_run`].
pub async fn run(
    ws: &Workspace,
    client: Arc<EutilsClient>,
    query: &Query,
    mode: Mode,
    options: &SearchOptions,
    known: &(dyn Fn(Pmid) -> bool + Sync),
) -> Result<Outcome> {
    client.progress().searching(&query.name);
    let mut notes = Vec::new();
    let mut abandoned = None;
    let mut resume = None;
    if let Some(dir) = unfinished(ws, &query.name) {
        let plan = dir.join("run.json");
        if plan.is_file() {
            let state: RunState = serde_json::from_slice(&std::fs::read(&plan)?)
                .with_context(|| format!("{} is unreadable", plan.display()))?;
            if state.is_for(query, &mode) {
                resume = Some((dir, Some(state)));
            } else {
                // Closed in the log, so it is never resumed or counted.
                let closed = state.to_run(ws, &dir, "abandoned");
                notes.extend(log_run(ws, &closed)?.map(|r| r.to_string()));
                abandoned = Some(ws.relative(&dir));
            }
        } else {
            // Stopped before its plan was saved: only esearch answers; the
            // plan is made again, for the strategy of now.
            resume = Some((dir, None));
        }
    }
    let (dir, state, resumed) = match resume {
        Some((dir, Some(state))) => (dir, state, true),
        existing => {
            let dir = match existing {
                Some((d, _)) => d,
                None => new_run_dir(ws, &query.name)?,
            };
            let resumed = next_number(&dir, "esearch-") > 1;
            let state = match plan(&client, query, &mode, options, &dir, known).await {
                Ok(s) => s,
                Err(e) => {
                    // A search that failed before anything was saved leaves
                    // no empty run folder behind.
                    if std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_none()) {
                        let _ = std::fs::remove_dir(&dir);
                    }
                    return Err(e);
                }
            };
            (dir, state, resumed)
        }
    };
    // What an interrupted run saved is read once; each batch saved now adds
    // the PMIDs it holds.
    let mut saved = saved_pmids(&dir)?;
    let batches_kept = next_number(&dir, "efetch-") - 1;
    let unsaved = |saved: &HashSet<Pmid>| -> Vec<Pmid> {
        state.wanted.iter().filter(|p| !saved.contains(*p)).copied().collect()
    };
    let size = options.batch_size.max(1);
    let first = unsaved(&saved);
    client.progress().planned(state.total, first.len().div_ceil(size) as u64);
    // Two rounds: every PMID not saved, then those the first round left out
    // (a batch that came back short, or failed for good); the rest is missing.
    let mut fetched = 0;
    let mut todo = first;
    for _round in 0..2 {
        if todo.is_empty() {
            break;
        }
        let batches = todo.chunks(size).map(|c| c.to_vec()).collect();
        fetched +=
            fetch_batches(&client, &dir, batches, options, &mut saved).await.map_err(|e| {
                e.context(format!(
                    "{} of the {} records to fetch for {:?} are not fetched yet (they are in {})",
                    unsaved(&saved).len(),
                    state.wanted.len(),
                    query.name,
                    ws.relative(&dir.join("run.json"))
                ))
            })?;
        todo = unsaved(&saved);
    }
    let missing = todo;
    client.progress().done();
    let found: BTreeSet<&Pmid> = state.pmids.iter().collect();
    let revised: HashSet<&Pmid> = state.revised.iter().collect();
    let mut run = state.to_run(ws, &dir, "complete");
    run.pmids = state.pmids.clone();
    run.new = state.wanted.iter().filter(|p| !revised.contains(p)).copied().collect();
    run.rechecked = state.revised.clone();
    run.missing = missing;
    run.count_difference = found.len() as i64 - state.total as i64;
    Ok(Outcome {
        run,
        resumed,
        batches_fetched: fetched,
        batches_kept,
        revised: 0,
        abandoned,
        notes,
    })
}

/// Finds the PMIDs (slicing as needed), decides what to fetch, saves the plan.
async fn plan(
    client: &EutilsClient,
    query: &Query,
    mode: &Mode,
    options: &SearchOptions,
    dir: &Path,
    known: &(dyn Fn(Pmid) -> bool + Sync),
) -> Result<RunState> {
    let base = query.term_sent();
    let (term, window) = match mode {
        Mode::Full => (base.clone(), None),
        Mode::Since { since, .. } => (
            eutils::with_crdt(&base, since, &options.today),
            Some([since.clone(), options.today.clone()]),
        ),
    };
    let limits = query.date_limits();
    let mut searcher = Searcher {
        client,
        dir,
        limits: limits.clone().map(|[t, a, b]| (t, a, b)),
        page: options.page_size.clamp(1, PUBMED_CAP),
        file: next_number(dir, "esearch-"),
    };
    let first = searcher.search(&term).await.map_err(|e| named(e, query))?;
    let total = first.count;
    let mut slices = Vec::new();
    let mut pmids = Vec::new();
    if total <= PUBMED_CAP {
        pmids.extend(searcher.all_ids(&term, first).await.map_err(|e| named(e, query))?);
        slices.push(Slice { term: term.clone(), count: total });
    } else {
        // Slices by create date, within what the search can hold: an
        // update's window, or a create-date limit, or all of PubMed.
        let lo = match (mode, &query.datetype, &query.mindate) {
            (Mode::Since { since, .. }, _, _) => since.as_str(),
            (_, Some(t), Some(m)) if t == "crdt" => m.as_str(),
            _ => "1900/01/01",
        };
        let ranges = Bisect { lo: day(lo), hi: day(&options.today), total, gallop: Some(365) };
        let crdt = |t: &str, a: i64, b: i64| eutils::with_crdt(t, &date(a), &date(b));
        // The window is in `term` already for an update; the slices narrow it.
        let parts = ranges.run(&mut searcher, &base, &crdt).await.map_err(|e| named(e, query))?;
        for (t, ids) in parts {
            slices.push(Slice { term: t, count: ids.len() as u64 });
            pmids.extend(ids);
        }
    }
    let mut seen = HashSet::new();
    pmids.retain(|p| seen.insert(*p));
    let mut revised = Vec::new();
    if let Mode::Since { modified: since, .. } = mode {
        // Records the workspace has that PubMed modified since the last run
        // (a revision, a retraction, a yearly MeSH reload), all of them:
        // above the cap the modification window is sliced as a search is.
        let mdat = |t: &str, a: &str, b: &str| format!("({t}) AND (\"{a}\"[MDAT] : \"{b}\"[MDAT])");
        let t = mdat(&base, since, &options.today);
        let first = searcher.search(&t).await.map_err(|e| named(e, query))?;
        let modified = if first.count <= PUBMED_CAP {
            searcher.all_ids(&t, first).await.map_err(|e| named(e, query))?
        } else {
            let ranges = Bisect {
                lo: day(since),
                hi: day(&options.today),
                total: first.count,
                gallop: Some(365),
            };
            let by_day = |t: &str, a: i64, b: i64| mdat(t, &date(a), &date(b));
            let parts =
                ranges.run(&mut searcher, &base, &by_day).await.map_err(|e| named(e, query))?;
            parts.into_iter().flat_map(|(_, ids)| ids).collect()
        };
        let mut seen = HashSet::new();
        revised = modified.into_iter().filter(|p| known(*p) && seen.insert(*p)).collect();
    }
    let known_count = pmids.iter().filter(|p| known(**p)).count();
    let mut wanted: Vec<Pmid> = pmids.iter().filter(|p| !known(**p)).copied().collect();
    let mut in_wanted: HashSet<Pmid> = wanted.iter().copied().collect();
    for r in &revised {
        if in_wanted.insert(*r) {
            wanted.push(*r);
        }
    }
    let state = RunState {
        query: query.name.clone(),
        term,
        strategy: Some(base),
        limits,
        kind: mode.kind().to_string(),
        window,
        searched_on: options.today.clone(),
        started: iso_utc(now_secs()),
        total,
        slices,
        pmids,
        wanted,
        revised,
        known: known_count,
    };
    write_atomic(&dir.join("run.json"), &serde_json::to_vec_pretty(&state)?)?;
    Ok(state)
}

/// A query error gets the query's name.
fn named(e: FetchError, query: &Query) -> anyhow::Error {
    match e {
        FetchError::Ncbi { message, .. } if eutils::is_syntax_error(&message) => anyhow::anyhow!(
            "the saved search {:?} has a query PubMed cannot read; NCBI said: {message}\n(hint: \
             check the parentheses and quotes in queries/{}.toml)",
            query.name,
            query.name
        ),
        e => anyhow::Error::new(e).context(format!("searching {:?}", query.name)),
    }
}

/// Cuts a search over the cap into slices that fit. By date, windows reach
/// back from the end of the range first (each sized to hold about a cap's
/// worth, from the density of the one before), until what is left fits;
/// then a range still over the cap is halved (days, then PMIDs for a single
/// day still over the cap). Only the upper half of a range is searched; the
/// lower half's count is the rest, so an empty half costs no request.
struct Bisect {
    lo: i64,
    hi: i64,
    total: u64,
    /// Search windows of this width reaching back from `hi` first (dates:
    /// most records are recent), instead of halving the whole range.
    gallop: Option<i64>,
}

impl Bisect {
    /// The slices, as (term sent, PMIDs).
    async fn run(
        &self,
        searcher: &mut Searcher<'_>,
        term: &str,
        clause: &dyn Fn(&str, i64, i64) -> String,
    ) -> Result<Vec<(String, Vec<Pmid>)>, FetchError> {
        let mut out = Vec::new();
        let mut stack = Vec::new();
        let (mut hi, mut rest) = (self.hi, self.total);
        if let Some(mut width) = self.gallop {
            // Most of what a search finds is recent: windows that reach back
            // from `hi`, each sized from the density of the one before, so
            // that it holds about a cap's worth, until what is left fits.
            while rest > PUBMED_CAP {
                let lo = hi - width + 1;
                if lo <= self.lo {
                    break;
                }
                let t = clause(term, lo, hi);
                let reply = searcher.search(&t).await?;
                let c = reply.count.min(rest);
                if c > PUBMED_CAP {
                    stack.push((lo, hi, Some(c)));
                } else if c > 0 {
                    out.push((t.clone(), searcher.all_ids(&t, reply).await?));
                }
                rest -= c;
                hi = lo - 1;
                width = if c == 0 {
                    width.saturating_mul(2)
                } else {
                    let scaled = width as f64 * 0.9 * PUBMED_CAP as f64 / c as f64;
                    (scaled as i64).clamp(1, width.saturating_mul(8))
                };
            }
        }
        // The rest, whose count is known without a request.
        stack.push((self.lo, hi, Some(rest)));
        while let Some((a, b, known)) = stack.pop() {
            match known {
                Some(0) => {}
                Some(c) if c > PUBMED_CAP && a < b => {
                    let mid = a + (b - a) / 2;
                    let upper = clause(term, mid + 1, b);
                    let reply = searcher.search(&upper).await?;
                    stack.push((a, mid, Some(c.saturating_sub(reply.count))));
                    if reply.count > PUBMED_CAP {
                        stack.push((mid + 1, b, Some(reply.count)));
                    } else if reply.count > 0 {
                        out.push((upper.clone(), searcher.all_ids(&upper, reply).await?));
                    }
                }
                Some(c) if c > PUBMED_CAP => {
                    // One day over the cap: the same, by PMID range.
                    let day = clause(term, a, b);
                    let by_uid = Bisect { lo: 1, hi: MAX_PMID as i64, total: c, gallop: None };
                    let uid = |t: &str, x: i64, y: i64| eutils::with_uid(t, x as u64, y as u64);
                    out.extend(Box::pin(by_uid.run(searcher, &day, &uid)).await?);
                }
                _ => {
                    let t = clause(term, a, b);
                    let reply = searcher.search(&t).await?;
                    if reply.count > PUBMED_CAP {
                        stack.push((a, b, Some(reply.count)));
                    } else if reply.count > 0 {
                        out.push((t.clone(), searcher.all_ids(&t, reply).await?));
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Runs esearches for one plan, saving every answer.
struct Searcher<'a> {
    client: &'a EutilsClient,
    dir: &'a Path,
    limits: Option<(String, String, String)>,
    page: u64,
    file: usize,
}

impl Searcher<'_> {
    async fn search(&mut self, term: &str) -> Result<EsearchReply, FetchError> {
        self.page_at(term, 0, None).await
    }

    async fn page_at(
        &mut self,
        term: &str,
        start: u64,
        history: Option<(&str, &str)>,
    ) -> Result<EsearchReply, FetchError> {
        let limits = self.limits.as_ref().map(|(t, a, b)| (t.as_str(), a.as_str(), b.as_str()));
        let params = eutils::esearch_params(term, limits, start, self.page, history);
        let (reply, body) = self.client.call("esearch", &params, eutils::parse_esearch).await?;
        if start == 0 {
            self.client.progress().searched(reply.count);
        }
        let path = self.dir.join(format!("esearch-{:04}.xml.gz", self.file));
        self.file += 1;
        save_response(self.dir, &path, &body)
            .map_err(|e| FetchError::Setup(format!("could not save {}: {e:#}", path.display())))?;
        Ok(reply)
    }

    /// Every PMID of a search whose first page is `first`, paging through
    /// the history; an expired history means the search is run again.
    async fn all_ids(&mut self, term: &str, first: EsearchReply) -> Result<Vec<Pmid>, FetchError> {
        let mut reply = first;
        'again: for _ in 0..3 {
            let mut ids = reply.ids.clone();
            while (ids.len() as u64) < reply.count.min(PUBMED_CAP) {
                let (Some(env), Some(key)) = (reply.webenv.clone(), reply.query_key.clone()) else {
                    break;
                };
                match self.page_at(term, ids.len() as u64, Some((&env, &key))).await {
                    Ok(next) if next.ids.is_empty() => break,
                    Ok(next) => ids.extend(next.ids),
                    Err(FetchError::Expired(_)) => {
                        reply = self.search(term).await?;
                        continue 'again;
                    }
                    Err(e) => return Err(e),
                }
            }
            return Ok(ids);
        }
        Err(FetchError::Expired("the history expired three times in a row".into()))
    }
}

/// Fetches `batches` (a few in flight), saving each body and adding the
/// PMIDs it holds to `saved`; returns how many bodies were saved.
async fn fetch_batches(
    client: &Arc<EutilsClient>,
    dir: &Path,
    batches: Vec<Vec<Pmid>>,
    options: &SearchOptions,
    saved_pmids: &mut HashSet<Pmid>,
) -> Result<usize> {
    let mut next = next_number(dir, "efetch-");
    let mut queue = batches.into_iter();
    let mut running = JoinSet::new();
    let mut saved = 0;
    let spawn = |running: &mut JoinSet<_>, batch: Vec<Pmid>, n: usize| {
        let c = client.clone();
        running.spawn(async move {
            let params = eutils::efetch_params(&batch);
            let r = c.call("efetch", &params, eutils::check_efetch).await;
            (n, r)
        });
    };
    for _ in 0..options.in_flight.max(1) {
        if let Some(b) = queue.next() {
            spawn(&mut running, b, next);
            next += 1;
        }
    }
    let mut failure = None;
    while let Some(done) = running.join_next().await {
        let (n, result) = done.context("a fetch task failed")?;
        match result {
            Ok((got, body)) => {
                let path = dir.join(format!("efetch-{n:04}.xml.gz"));
                save_response(dir, &path, &body)
                    .with_context(|| format!("could not save {}", path.display()))?;
                saved += 1;
                client.progress().batch(got.len() as u64);
                saved_pmids.extend(got);
            }
            // A batch that fails for good is left for the second pass; the
            // run goes on with the others.
            Err(e @ (FetchError::Unreachable { .. } | FetchError::GaveUp { .. })) => {
                failure.get_or_insert(e);
            }
            Err(e) => {
                client.progress().retry("efetch", &e.to_string());
            }
        }
        if failure.is_none() {
            if let Some(b) = queue.next() {
                spawn(&mut running, b, next);
                next += 1;
            }
        }
    }
    if let Some(e) = failure {
        return Err(anyhow::Error::new(e).context(format!(
            "fetching stopped; {saved} batch(es) of this round were saved, and the next run resumes \
             where this one stopped"
        )));
    }
    Ok(saved)
}

/// What a run received: each response's file, size and hash, appended as
/// it is saved (`received.jsonl` in the run folder).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Received {
    pub file: String,
    /// Bytes as received (decompressed from the saved file).
    pub bytes: usize,
    /// BLAKE3 of the bytes as received: decompress the file, hash it, and
    /// it is the same.
    pub blake3: String,
}

/// Saves a response gzip-compressed (byte-exact on decompression) and
/// records its hash in `received.jsonl`.
fn save_response(dir: &Path, path: &Path, body: &[u8]) -> Result<()> {
    crate::store::atomic::write_atomic_gz(path, body)?;
    let log: AppendLog<Received> = AppendLog::new(dir.join("received.jsonl"), "received.jsonl");
    log.append(&Received {
        file: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        bytes: body.len(),
        blake3: blake3::hash(body).to_hex().to_string(),
    })?;
    Ok(())
}

/// The next free number for files `PREFIX-NNNN.xml[.gz]` in `dir`.
fn next_number(dir: &Path, prefix: &str) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let rest = name.strip_prefix(prefix)?;
                    let n = rest.strip_suffix(".xml.gz").or_else(|| rest.strip_suffix(".xml"))?;
                    n.parse::<usize>().ok()
                })
                .max()
                .unwrap_or(0)
                + 1
        })
        .unwrap_or(1)
}

/// PMIDs in the efetch responses saved in `dir`.
fn saved_pmids(dir: &Path) -> Result<HashSet<Pmid>> {
    let mut out = HashSet::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with("efetch-") && (name.ends_with(".xml") || name.ends_with(".xml.gz")) {
            let bytes = crate::store::atomic::read_maybe_gz(&path)?;
            if let Ok(pmids) = eutils::check_efetch(&bytes) {
                out.extend(pmids);
            }
        }
    }
    Ok(out)
}

fn day(s: &str) -> i64 {
    let p: Vec<i64> = s.split('/').filter_map(|x| x.trim().parse().ok()).collect();
    match p.as_slice() {
        [y, m, d] => days_from_civil(*y, *m, *d),
        [y, m] => days_from_civil(*y, *m, 1),
        [y] => days_from_civil(*y, 1, 1),
        _ => days_from_civil(1900, 1, 1),
    }
}

fn date(day: i64) -> String {
    let (y, m, d) = crate::clock::civil_from_days(day);
    format!("{y:04}/{m:02}/{d:02}")
}

/// The day `days` before `date` (YYYY/MM/DD).
pub fn days_before(date_str: &str, days: i64) -> String {
    date(day(date_str) - days)
}
