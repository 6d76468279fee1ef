//! One run of a saved search: plan, fetch, save, log.
//!
//! A run lives in `corpus/runs/NAME/<time>-000000-run/`:
//! `esearch-NNNN.xml` and `efetch-NNNN.xml` are the responses exactly as
//! received (written to a temp file, fsynced, renamed); `run.json` holds the
//! plan (the slices and the PMIDs they found) once it is complete. A run
//! killed at any moment is resumed by the next `scoper search`/`update` of
//! the same query: the plan is reused, and the PMIDs already in saved
//! batches are not fetched again. When every PMID is saved (or reported
//! missing), a [`SearchRun`] is appended to `corpus/search-log.jsonl`.
//!
//! Past the PubMed cap (9,999 PMIDs a search), a search is cut into slices
//! by create date (CRDT), halving the window until each slice fits, then by
//! PMID range for a single day that is still too large. The union of the
//! slices is checked against the total count.

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
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
use crate::store::atomic::{sync_dir, write_atomic};
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
    pub pmids: Vec<String>,
    /// PMIDs fetched because the workspace did not have them.
    pub new: Vec<String>,
    /// PMIDs the workspace had that PubMed modified since the last run,
    /// fetched again (the import counts those whose content changed).
    pub rechecked: Vec<String>,
    /// PMIDs found but not delivered by efetch after every retry.
    pub missing: Vec<String>,
    /// Found by the slices minus the total count (0 when they agree).
    pub count_difference: i64,
    pub slices: Vec<Slice>,
    pub started: String,
    pub finished: String,
    pub scoper_version: String,
    /// The run's folder in corpus/.
    pub run_dir: String,
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
    kind: String,
    window: Option<[String; 2]>,
    searched_on: String,
    started: String,
    total: u64,
    slices: Vec<Slice>,
    pmids: Vec<String>,
    /// PMIDs to fetch (new and revised), fixed when the plan was made.
    wanted: Vec<String>,
    revised: Vec<String>,
    /// PMIDs the workspace already had when the plan was made.
    known: usize,
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

/// What a run did.
#[derive(Debug)]
pub struct Outcome {
    pub run: SearchRun,
    pub resumed: bool,
    pub batches_fetched: usize,
    pub batches_kept: usize,
    /// Records whose content changed when imported (set by the caller).
    pub revised: usize,
}

fn runs_dir(ws: &Workspace, query: &str) -> PathBuf {
    ws.corpus().join("runs").join(query)
}

/// The search log, `corpus/search-log.jsonl`.
pub fn log_path(ws: &Workspace) -> PathBuf {
    ws.corpus().join("search-log.jsonl")
}

/// Every complete run in the search log, oldest first. A torn last line
/// (a crash mid-append) is reported and skipped.
pub fn read_log(ws: &Workspace) -> Result<Vec<SearchRun>> {
    let path = log_path(ws);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("could not read {}", path.display())),
    };
    let mut runs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(r) => runs.push(r),
            Err(e) => eprintln!(
                "warning: {}, line {}: an unreadable search-log entry is skipped ({e})",
                path.display(),
                i + 1
            ),
        }
    }
    Ok(runs)
}

fn append_log(ws: &Workspace, run: &SearchRun) -> Result<()> {
    let path = log_path(ws);
    std::fs::create_dir_all(ws.corpus())?;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
    let mut line = serde_json::to_vec(run)?;
    line.push(b'\n');
    f.write_all(&line)?;
    f.sync_all()?;
    sync_dir(&ws.corpus())?;
    Ok(())
}

/// A new, empty run folder, named by the time (and a counter, should two
/// runs start within the same second).
fn new_run_dir(ws: &Workspace, query: &str) -> Result<PathBuf> {
    let parent = runs_dir(ws, query);
    std::fs::create_dir_all(&parent)?;
    let now = compact_utc(now_secs());
    for n in 0..1_000_000 {
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
    let done: HashSet<String> = read_log(ws).ok()?.into_iter().map(|r| r.run_dir).collect();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(runs_dir(ws, query))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter().rev().find(|d| !done.contains(&ws.relative(d)))
}

/// Runs `query` (or resumes its unfinished run) and logs it. `known` says
/// which PMIDs the workspace has.
pub async fn run(
    ws: &Workspace,
    client: Arc<EutilsClient>,
    query: &Query,
    mode: Mode,
    options: &SearchOptions,
    known: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Outcome> {
    client.progress().searching(&query.name);
    let (dir, state, resumed) = match unfinished(ws, &query.name) {
        Some(dir) if dir.join("run.json").is_file() => {
            let state: RunState = serde_json::from_slice(&std::fs::read(dir.join("run.json"))?)
                .with_context(|| format!("{} is unreadable", dir.join("run.json").display()))?;
            (dir, state, true)
        }
        existing => {
            let dir = match existing {
                Some(d) => d,
                None => new_run_dir(ws, &query.name)?,
            };
            let resumed = next_number(&dir, "esearch-") > 1;
            let state = plan(&client, query, &mode, options, &dir, known).await?;
            (dir, state, resumed)
        }
    };
    // What an interrupted run saved is read once; each batch saved now adds
    // the PMIDs it holds.
    let mut saved = saved_pmids(&dir)?;
    let batches_kept = next_number(&dir, "efetch-") - 1;
    let unsaved = |saved: &HashSet<String>| -> Vec<String> {
        state.wanted.iter().filter(|p| !saved.contains(*p)).cloned().collect()
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
    let found: BTreeSet<&String> = state.pmids.iter().collect();
    let run = SearchRun {
        query: query.name.clone(),
        database: "PubMed".into(),
        platform: "NCBI E-utilities (esearch, efetch)".into(),
        term: state.term.clone(),
        date_limits: match (&query.datetype, &query.mindate, &query.maxdate) {
            (t, Some(a), Some(b)) => {
                Some([t.clone().unwrap_or_else(|| "pdat".into()), a.clone(), b.clone()])
            }
            _ => None,
        },
        kind: state.kind.clone(),
        window_datetype: state.window.as_ref().map(|_| "crdt".to_string()),
        window: state.window.clone(),
        searched_on: state.searched_on.clone(),
        count: state.total,
        pmids: state.pmids.clone(),
        new: state.wanted.iter().filter(|p| !state.revised.contains(p)).cloned().collect(),
        rechecked: state.revised.clone(),
        missing,
        count_difference: found.len() as i64 - state.total as i64,
        slices: state.slices.clone(),
        started: state.started.clone(),
        finished: iso_utc(now_secs()),
        scoper_version: env!("CARGO_PKG_VERSION").into(),
        run_dir: ws.relative(&dir),
    };
    append_log(ws, &run)?;
    Ok(Outcome { run, resumed, batches_fetched: fetched, batches_kept, revised: 0 })
}

/// Finds the PMIDs (slicing as needed), decides what to fetch, saves the plan.
async fn plan(
    client: &EutilsClient,
    query: &Query,
    mode: &Mode,
    options: &SearchOptions,
    dir: &Path,
    known: &(dyn Fn(&str) -> bool + Sync),
) -> Result<RunState> {
    let base = query.term_sent();
    let (term, kind, window) = match mode {
        Mode::Full => (base.clone(), "full".to_string(), None),
        Mode::Since { since, .. } => (
            eutils::with_crdt(&base, since, &options.today),
            "update".to_string(),
            Some([since.clone(), options.today.clone()]),
        ),
    };
    let limits = match (&query.mindate, &query.maxdate) {
        (Some(a), Some(b)) => {
            Some((query.datetype.clone().unwrap_or_else(|| "pdat".into()), a.clone(), b.clone()))
        }
        _ => None,
    };
    let mut searcher = Searcher {
        client,
        dir,
        limits,
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
        let lo = match (&query.datetype, &query.mindate) {
            (Some(t), Some(m)) if t == "crdt" => m.as_str(),
            _ => "1900/01/01",
        };
        let ranges = Bisect { lo: day(lo), hi: day(&options.today), total };
        let crdt = |t: &str, a: i64, b: i64| eutils::with_crdt(t, &date(a), &date(b));
        let parts = ranges.run(&mut searcher, &term, &crdt).await.map_err(|e| named(e, query))?;
        for (t, ids) in parts {
            slices.push(Slice { term: t, count: ids.len() as u64 });
            pmids.extend(ids);
        }
    }
    let mut seen = HashSet::new();
    pmids.retain(|p| seen.insert(p.clone()));
    let mut revised = Vec::new();
    if let Mode::Since { modified: since, .. } = mode {
        // Records the workspace has that PubMed modified since the last run;
        // fetched again, and counted as revised when their content changed.
        let t = format!("({base}) AND (\"{since}\"[MDAT] : \"{}\"[MDAT])", options.today);
        let first = searcher.search(&t).await.map_err(|e| named(e, query))?;
        if first.count <= PUBMED_CAP {
            revised = searcher.all_ids(&t, first).await.map_err(|e| named(e, query))?;
            revised.retain(|p| known(p));
        }
    }
    let known_count = pmids.iter().filter(|p| known(p)).count();
    let mut wanted: Vec<String> = pmids.iter().filter(|p| !known(p)).cloned().collect();
    for r in &revised {
        if !wanted.contains(r) {
            wanted.push(r.clone());
        }
    }
    let state = RunState {
        query: query.name.clone(),
        term,
        kind,
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

/// Cuts a search over the cap into slices that fit: halves of a range (of
/// days, then of PMIDs for a single day still over the cap). Only the upper
/// half of a range is searched; the lower half's count is the rest, so an
/// empty half costs no request.
struct Bisect {
    lo: i64,
    hi: i64,
    total: u64,
}

impl Bisect {
    /// The slices, as (term sent, PMIDs).
    async fn run(
        &self,
        searcher: &mut Searcher<'_>,
        term: &str,
        clause: &dyn Fn(&str, i64, i64) -> String,
    ) -> Result<Vec<(String, Vec<String>)>, FetchError> {
        let mut out = Vec::new();
        let mut stack = vec![(self.lo, self.hi, Some(self.total))];
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
                    let by_uid = Bisect { lo: 1, hi: MAX_PMID as i64, total: c };
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
        let path = self.dir.join(format!("esearch-{:04}.xml", self.file));
        self.file += 1;
        write_atomic(&path, &body)
            .map_err(|e| FetchError::Setup(format!("could not save {}: {e}", path.display())))?;
        Ok(reply)
    }

    /// Every PMID of a search whose first page is `first`, paging through
    /// the history; an expired history means the search is run again.
    async fn all_ids(
        &mut self,
        term: &str,
        first: EsearchReply,
    ) -> Result<Vec<String>, FetchError> {
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
    batches: Vec<Vec<String>>,
    options: &SearchOptions,
    saved_pmids: &mut HashSet<String>,
) -> Result<usize> {
    let mut next = next_number(dir, "efetch-");
    let mut queue = batches.into_iter();
    let mut running = JoinSet::new();
    let mut saved = 0;
    let spawn = |running: &mut JoinSet<_>, batch: Vec<String>, n: usize| {
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
                let path = dir.join(format!("efetch-{n:04}.xml"));
                write_atomic(&path, &body)
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

/// The next free number for files `PREFIX-NNNN.xml` in `dir`.
fn next_number(dir: &Path, prefix: &str) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_prefix(prefix)?.strip_suffix(".xml")?.parse::<usize>().ok()
                })
                .max()
                .unwrap_or(0)
                + 1
        })
        .unwrap_or(1)
}

/// PMIDs in the efetch responses saved in `dir`.
fn saved_pmids(dir: &Path) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with("efetch-") && name.ends_with(".xml") {
            let bytes = std::fs::read(&path)?;
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
