//! `scoper search NAME` and `scoper update`: run saved searches against
//! E-utilities, then index what came in.

use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::json;

use crate::config::Protocol;
use crate::fetch::client::{ClientConfig, EutilsClient, NCBI_BASE};
use crate::fetch::search::{self, days_before, Mode, Outcome, SearchOptions};
use crate::fetch::Query;
use crate::parse::Pmid;
use crate::report::{out, FetchBars};
use crate::store::sync::sync;
use crate::store::Workspace;

/// How the network commands are set up (flags, environment, protocol).
pub struct FetchSetup {
    pub eutils_url: Option<String>,
    pub batch_size: Option<usize>,
}

fn client(ws: &Workspace, setup: &FetchSetup) -> Result<(Arc<EutilsClient>, SearchOptions)> {
    let protocol = Protocol::load(&ws.protocol())?;
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let email = env("NCBI_EMAIL").unwrap_or_else(|| protocol.ncbi.email.clone());
    if email.trim().is_empty() {
        bail!(
            "NCBI asks every E-utilities request for a contact e-mail, and none is set\n(hint: \
             export NCBI_EMAIL=you@example.org, or set email under [ncbi] in scoper.toml)"
        );
    }
    let base = setup
        .eutils_url
        .clone()
        .or_else(|| env("SCOPER_EUTILS_URL"))
        .unwrap_or_else(|| NCBI_BASE.into());
    let mut config = ClientConfig::new(&base, email.trim(), env("NCBI_API_KEY"));
    // For tests and slow links: seconds allowed for one request.
    if let Some(t) = setting(env("SCOPER_HTTP_TIMEOUT"), "SCOPER_HTTP_TIMEOUT", 0.001, 3600.0)? {
        config.timeout = Duration::from_secs_f64(t);
    }
    if let Some(b) = setting(env("SCOPER_BACKOFF_MS"), "SCOPER_BACKOFF_MS", 0.0, 600_000.0)? {
        config.backoff = Duration::from_millis(b as u64);
    }
    if let Some(r) = setting(env("SCOPER_MAX_RETRY_AFTER"), "SCOPER_MAX_RETRY_AFTER", 0.0, 3600.0)?
    {
        config.max_retry_after = Duration::from_secs_f64(r);
    }
    let client = EutilsClient::new(config, Arc::new(FetchBars::new()))?;
    let mut options = SearchOptions::default();
    if let Some(b) = setup.batch_size.or(protocol.ncbi.batch_size) {
        if !(1..=10_000).contains(&b) {
            bail!(
                "a batch size of {b} PMIDs per efetch request is outside what NCBI serves\n(hint: \
                 a number from 1 to 10000; 500, the default, is what NCBI suggests)"
            );
        }
        options.batch_size = b;
    }
    if let Some(p) = setting(env("SCOPER_ESEARCH_PAGE"), "SCOPER_ESEARCH_PAGE", 1.0, 9999.0)? {
        options.page_size = p as u64;
    }
    // The date of the search; tests move it to play "months later".
    if let Some(t) = env("SCOPER_TODAY") {
        options.today = t;
    }
    Ok((Arc::new(client), options))
}

/// A number from the environment, checked: `None` when unset, an error
/// that names the variable when it is not a number from `min` to `max`.
fn setting(value: Option<String>, name: &str, min: f64, max: f64) -> Result<Option<f64>> {
    let Some(v) = value else { return Ok(None) };
    match v.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && (min..=max).contains(&n) => Ok(Some(n)),
        _ => bail!(
            "{name}={v:?} is not a number from {min} to {max}\n(hint: unset it for the default, or \
             set it to a number in that range)"
        ),
    }
}

/// PMIDs the workspace has, after bringing the index up to date.
fn known_pmids(ws: &Workspace) -> Result<HashSet<Pmid>> {
    let (index, _) = sync(ws, false)?;
    let mut known = HashSet::new();
    index.for_each_pmid(|p| {
        known.insert(p);
    })?;
    Ok(known)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    // One thread: the work is waiting on NCBI, paced by the rate limiter.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

/// Runs `queries`, each in `mode`; indexes; returns the outcomes.
fn fetch(ws: &Workspace, setup: &FetchSetup, jobs: Vec<(Query, Mode)>) -> Result<Vec<Outcome>> {
    let (client, options) = client(ws, setup)?;
    let known = known_pmids(ws)?;
    let rt = runtime()?;
    let mut outcomes = Vec::new();
    for (query, mode) in jobs {
        let is_known = |p: Pmid| known.contains(&p);
        let outcome =
            rt.block_on(search::run(ws, client.clone(), &query, mode, &options, &is_known));
        // Whether the records to recheck were retracted, before the
        // revisions replace them.
        let before = match &outcome {
            Ok(o) => retracted_among(ws, &o.run.rechecked)?,
            Err(_) => HashSet::new(),
        };
        // Whatever was saved is indexed, even when the run stopped early.
        let indexed = sync(ws, false);
        let mut outcome = outcome?;
        let (index, report) = indexed?;
        let prefix = format!("{}/", outcome.run.run_dir);
        outcome.revised =
            report.files.iter().filter(|f| f.file.starts_with(&prefix)).map(|f| f.updated).sum();
        outcome.run.changed = Some(outcome.revised);
        let searcher = index.searcher()?;
        for p in &outcome.run.rechecked {
            if !before.contains(p) && index.get_in(&searcher, *p)?.is_some_and(|r| r.retracted) {
                outcome.run.retracted.push(*p);
            }
        }
        // Logged once what it brought is in the workspace: a crash before
        // this leaves a complete run folder, which the next run logs.
        outcome.notes.extend(search::log_run(ws, &outcome.run)?.map(|r| r.to_string()));
        outcomes.push(outcome);
    }
    let stats = &client.stats;
    use std::sync::atomic::Ordering::Relaxed;
    eprintln!(
        "{} requests to E-utilities, {} retried, {} answered 429",
        stats.requests.load(Relaxed),
        stats.retries.load(Relaxed),
        stats.rate_limited.load(Relaxed)
    );
    Ok(outcomes)
}

/// Which of `pmids` are retracted in the working set now.
fn retracted_among(ws: &Workspace, pmids: &[Pmid]) -> Result<HashSet<Pmid>> {
    if pmids.is_empty() {
        return Ok(HashSet::new());
    }
    let index = crate::store::CorpusIndex::open(&ws.index_dir())?;
    let searcher = index.searcher()?;
    let mut out = HashSet::new();
    for p in pmids {
        if index.get_in(&searcher, *p)?.is_some_and(|r| r.retracted) {
            out.insert(*p);
        }
    }
    Ok(out)
}

fn print(outcomes: &[Outcome], json: bool) -> Result<i32> {
    let mut w = out();
    print_to(&mut w, outcomes, json)
}

/// What the runs found, as lines for people or JSON; 1 when PMIDs are missing.
pub fn print_to(w: &mut impl Write, outcomes: &[Outcome], json: bool) -> Result<i32> {
    let missing: usize = outcomes.iter().map(|o| o.run.missing.len()).sum();
    if json {
        let v: Vec<_> = outcomes
            .iter()
            .map(|o| {
                json!({"query": o.run.query, "kind": o.run.kind, "window": o.run.window,
                    "count": o.run.count, "new": o.run.new.len(), "revised": o.revised,
                    "rechecked": o.run.rechecked.len(), "retracted": o.run.retracted,
                    "abandoned": o.abandoned,
                    "missing": o.run.missing, "count_difference": o.run.count_difference,
                    "slices": o.run.slices.len(), "resumed": o.resumed,
                    "batches_fetched": o.batches_fetched, "run_dir": o.run.run_dir})
            })
            .collect();
        writeln!(w, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        for o in outcomes {
            let r = &o.run;
            for n in &o.notes {
                writeln!(w, "warning: {n}")?;
            }
            if let Some(dir) = &o.abandoned {
                writeln!(
                    w,
                    "{}: the saved search changed since its unfinished run in {dir}; that run is \
                     closed in the search log as abandoned, and the search of now runs",
                    r.query
                )?;
            }
            let since = match &r.window {
                Some([from, _]) => format!(" since {from}"),
                None => String::new(),
            };
            writeln!(
                w,
                "{}: {} records found; {} new records{since}, {} revised{}{}",
                r.query,
                r.count,
                r.new.len(),
                o.revised,
                if r.slices.len() > 1 {
                    format!(" ({} slices)", r.slices.len())
                } else {
                    String::new()
                },
                if o.resumed { "; resumed an interrupted run" } else { "" }
            )?;
            if r.kind == "update" {
                writeln!(
                    w,
                    "{}: {} records modified in PubMed since the last run were fetched again; {} \
                     of them changed",
                    r.query,
                    r.rechecked.len(),
                    o.revised
                )?;
            }
            for p in &r.retracted {
                writeln!(
                    w,
                    "warning: {}: PMID {p} is now a retracted publication (PubMed's revision \
                     says so); check it in the review",
                    r.query
                )?;
            }
            if r.count_difference != 0 {
                writeln!(
                    w,
                    "warning: {}: the slices found {} PMIDs against a total count of {} ({:+})",
                    r.query,
                    r.count as i64 + r.count_difference,
                    r.count,
                    r.count_difference
                )?;
            }
            if !r.missing.is_empty() {
                writeln!(
                    w,
                    "warning: {}: {} PMIDs were found but never delivered: {}",
                    r.query,
                    r.missing.len(),
                    r.missing.iter().take(20).map(Pmid::to_string).collect::<Vec<_>>().join(", ")
                )?;
            }
        }
    }
    w.flush()?;
    Ok(if missing > 0 { 1 } else { 0 })
}

/// `scoper search` with no name: the saved searches, to choose one.
pub fn list_saved(ws: &Workspace) -> Result<i32> {
    let queries = Query::all(ws)?;
    let log = search::read_log(ws)?.entries;
    let mut w = out();
    if queries.is_empty() {
        writeln!(
            w,
            "no saved search in queries/ yet (hint: queries/NAME.toml with name and term)"
        )?;
        return Ok(2);
    }
    writeln!(w, "saved searches (scoper search NAME runs one; scoper update runs them all):")?;
    for q in &queries {
        let last = log.iter().rev().find(|r| r.is_complete() && r.query == q.name);
        let when = match last {
            Some(r) => format!("last run {}, {} records", r.searched_on, r.count),
            None => "never run".to_string(),
        };
        writeln!(w, "  {:<16} {}  ({when})", q.name, crate::report::one_line(&q.term_sent(), 60))?;
    }
    // Listing is what was asked for: a success.
    Ok(0)
}

/// `scoper search NAME`.
pub fn run_search(ws: &Workspace, name: &str, setup: &FetchSetup, json: bool) -> Result<i32> {
    let query = Query::find(ws, name)?;
    let outcomes = fetch(ws, setup, vec![(query, Mode::Full)])?;
    print(&outcomes, json)
}

/// The update jobs: every saved search, since its last complete run.
pub fn update_jobs(ws: &Workspace, overlap_days: i64) -> Result<Vec<(Query, Mode)>> {
    let log = search::read_log(ws)?;
    for bad in &log.bad {
        eprintln!("warning: {bad}");
    }
    let log = log.entries;
    let queries = Query::all(ws)?;
    Ok(queries
        .into_iter()
        .map(|q| {
            // The last complete run of exactly this strategy and these
            // limits; any change to either means a full search.
            let last = log.iter().rev().find(|r| {
                r.is_complete()
                    && r.query == q.name
                    && r.strategy() == q.term_sent()
                    && r.date_limits == q.date_limits()
            });
            let mode = match last {
                Some(r) => Mode::Since {
                    since: days_before(&r.searched_on, overlap_days),
                    modified: r.searched_on.clone(),
                },
                None => Mode::Full,
            };
            (q, mode)
        })
        .collect())
}

/// `scoper update`.
pub fn run_update(ws: &Workspace, setup: &FetchSetup, json: bool) -> Result<i32> {
    if Query::all(ws)?.is_empty() {
        bail!("no saved search in queries/ (hint: queries/NAME.toml with a name and a term)");
    }
    let outcomes = update(ws, setup)?;
    print(&outcomes, json)
}

/// Every saved search, since its last run.
pub fn update(ws: &Workspace, setup: &FetchSetup) -> Result<Vec<Outcome>> {
    let jobs = update_jobs(ws, SearchOptions::default().overlap_days)?;
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    fetch(ws, setup, jobs)
}
