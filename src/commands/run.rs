//! `scoper run [--offline]`: the main job: update every saved search (not
//! with --offline), bring the index up to date with corpus/, tag the records
//! with the framework, summarise the working set and print the concept map.
//! Screening and the exports join as they are built.

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use anyhow::Result;
use serde_json::json;

use super::search::{print_to, update, FetchSetup};
use super::workspace_framework;
use crate::config::Protocol;
use crate::report::{out, CorpusSummary};
use crate::store::corpus::corpus_files;
use crate::store::sync::sync;
use crate::store::Workspace;
use crate::tag::store::current_tags;
use crate::tag::ConceptMap;

/// True when `e` says E-utilities cannot be reached at all.
fn is_offline(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<crate::fetch::FetchError>().is_some_and(|f| f.is_offline()))
}

pub fn run(ws: &Workspace, offline: bool, setup: &FetchSetup, json: bool) -> Result<i32> {
    let started = Instant::now();
    let protocol = Protocol::load(&ws.protocol())?;
    // The update first; when PubMed cannot be reached the rest still runs on
    // what corpus/ holds. Its report goes to stderr, so that stdout stays one
    // document.
    let mut updated = Vec::new();
    if !offline {
        match update(ws, setup) {
            Ok(outcomes) => {
                print_to(&mut std::io::stderr(), &outcomes, false)?;
                updated = outcomes;
            }
            // Offline is the one case to go on from: a broken saved search,
            // a refused query or a fault storm fail the run, so a script
            // notices that no search ran.
            Err(e) if is_offline(&e) => {
                eprintln!("warning: the update did not run: {e:#} (going on with corpus/)")
            }
            Err(e) => {
                return Err(e.context(
                    "the update of the saved searches failed; nothing else was done (hint: fix \
                     what is said above, or run `scoper run --offline` to work with corpus/ as it is)",
                ))
            }
        }
    }
    let (index, report) = sync(ws, false)?;
    crate::dedup::refresh(ws, &index)?;
    let files = corpus_files(ws)?.files.len();
    let mut summary = CorpusSummary::default();
    let mut mesh = HashMap::new();
    index.for_each_record(|r| {
        summary.add(&r, &mut mesh);
        Ok(())
    })?;
    summary.finish(mesh, 10);
    let map = match workspace_framework(ws)? {
        Some(f) => Some(ConceptMap::of(&current_tags(ws, &index, &f)?)),
        None => None,
    };
    let errors: Vec<_> = report.errors().collect();
    // One read-only view of the review for what awaits the reviewers and
    // for the exports, written atomically each run.
    let review = crate::export::Review::load(ws, crate::view::View::open(ws)?)?;
    let awaiting = awaiting(&review)?;
    let exported = super::prisma::write_all(&review, &ws.exports())?;
    let mut w = out();
    if json {
        let v = json!({
            "review": protocol.review.title,
            "corpus_files": files,
            "files_indexed": report.files.len(),
            "rebuilt": report.rebuilt,
            "summary": summary,
            "concepts": map,
            "update": updated.iter().map(|o| json!({"query": o.run.query, "count": o.run.count,
                "new": o.run.new.len(), "revised": o.revised, "missing": o.run.missing})).collect::<Vec<_>>(),
            "errors": errors,
            "exports": exported.iter().map(|p| ws.relative(p)).collect::<Vec<_>>(),
            "screening": awaiting.iter().map(|a| json!({"reviewer": a.reviewer, "to_screen": a.to_screen,
                "new": a.new, "update": a.update, "full_text": a.full_text,
                "to_settle": a.to_settle})).collect::<Vec<_>>(),
        });
        writeln!(w, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(0);
    }
    for e in &errors {
        eprintln!("warning: {e}");
    }
    let title =
        if protocol.review.title.is_empty() { "(untitled review)" } else { &protocol.review.title };
    writeln!(w, "{title}")?;
    let indexed = match (report.rebuilt, report.files.len()) {
        (true, n) => format!("index rebuilt from {n} file(s)"),
        (false, 0) => "index up to date".to_string(),
        (false, n) => format!("{n} new file(s) indexed"),
    };
    writeln!(w, "corpus: {files} file(s); {indexed}")?;
    summary.print(&mut w)?;
    match &map {
        Some(m) => m.print(&mut w)?,
        None => writeln!(w, "no framework in scoper.toml: records not tagged")?,
    }
    for a in &awaiting {
        let new = match &a.update {
            Some(day) => format!(" ({} new since the update of {day})", a.new),
            None => String::new(),
        };
        let mut line = if review.decisions.method.settlers.contains(&a.reviewer) {
            format!("{}: {} disagreement(s) to settle", a.reviewer, a.to_settle)
        } else {
            format!("{}: {} records to screen{new}", a.reviewer, a.to_screen)
        };
        if a.full_text > 0 {
            line.push_str(&format!(", {} at full text", a.full_text));
        }
        writeln!(w, "{line}")?;
    }
    writeln!(
        w,
        "exports: {}",
        exported.iter().map(|p| ws.relative(p)).collect::<Vec<_>>().join(", ")
    )?;
    writeln!(w, "done in {:.2}s", started.elapsed().as_secs_f64())?;
    Ok(0)
}

/// What awaits one person of the roster.
struct Awaiting {
    reviewer: String,
    /// Records not screened by them at title and abstract.
    to_screen: usize,
    /// Of those, what the last update brought.
    new: usize,
    update: Option<String>,
    /// Records at full text (finally included at title and abstract) they
    /// have not decided.
    full_text: usize,
    /// Disagreements to settle (for who may settle; 0 for the others).
    to_settle: usize,
}

/// For each reviewer (of the roster, or with a decision log): the records
/// not screened yet at title and abstract (how many the last update
/// brought), those awaiting them at full text, and for who settles, the
/// disagreements.
fn awaiting(review: &crate::export::Review) -> Result<Vec<Awaiting>> {
    use crate::screen::decisions::{full_text_candidates, Stage};
    let decisions = &review.decisions;
    let method = &decisions.method;
    let mut reviewers: Vec<String> = method.roster.clone();
    // Those who screen (not a consensus that only settles disagreements).
    for r in decisions.reviewers(Stage::TitleAbstract) {
        if !reviewers.iter().any(|x| x == r) {
            reviewers.push(r.to_string());
        }
    }
    reviewers.extend(method.settlers.iter().cloned());
    if reviewers.is_empty() {
        return Ok(Vec::new());
    }
    let secondary = review.view.secondary();
    let pmids: Vec<_> =
        review.view.pmids()?.into_iter().filter(|p| !secondary.contains_key(p)).collect();
    let full_text: Vec<_> = if review.stages.contains(&Stage::FullText) {
        full_text_candidates(decisions).into_iter().collect()
    } else {
        Vec::new()
    };
    let conflicts = review.stages.iter().map(|&s| decisions.in_conflict(s).len()).sum::<usize>();
    let (new, update) = crate::screen::last_update(&review.searches);
    Ok(reviewers
        .into_iter()
        .map(|r| {
            let settler = method.settlers.contains(&r);
            let open: Vec<_> = pmids
                .iter()
                .filter(|p| !settler && decisions.of(&r, **p, Stage::TitleAbstract).is_none())
                .collect();
            let ft = full_text
                .iter()
                .filter(|p| !settler && decisions.of(&r, **p, Stage::FullText).is_none())
                .count();
            Awaiting {
                new: open.iter().filter(|p| new.contains(**p)).count(),
                to_screen: open.len(),
                full_text: ft,
                to_settle: if method.may_settle(&r) && (settler || method.settlers.is_empty()) {
                    conflicts
                } else {
                    0
                },
                reviewer: r,
                update: update.clone(),
            }
        })
        .collect())
}
