//! `scoper decide`: screening decisions from a script, one or a CSV file of
//! them, with the rules of the screening UI: the same log, the reviewer's
//! lock, a reason for an exclusion at full text.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use serde_json::json;

use super::reviewer_lock;
use crate::clock::{iso_utc, now_secs};
use crate::parse::Pmid;
use crate::report::out;
use crate::screen::decisions::{self, full_text_candidates, Decision, Decisions, Stage, Verdict};
use crate::store::Workspace;
use crate::view::View;

pub struct Args {
    pub pmid: Option<String>,
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub reviewer: String,
    pub stage: String,
    pub settle: bool,
    pub from: Option<PathBuf>,
}

/// One decision to check: where it came from (a CSV line), and its fields.
struct Wanted {
    line: Option<u64>,
    pmid: String,
    decision: String,
    reason: Option<String>,
    note: Option<String>,
}

pub fn run(ws: &Workspace, args: Args, json: bool) -> Result<i32> {
    let stage = Stage::parse(&args.stage)?;
    // The name is checked before its lock is taken (a typo'd name leaves
    // no lock file); the decisions are read again under the lock.
    super::method(ws)?.check_reviewer(&args.reviewer, args.settle)?;
    let _lock = reviewer_lock(ws, &args.reviewer)?;
    let decisions = Decisions::load(ws)?;
    let wanted = match &args.from {
        Some(file) => read_csv(file)?,
        None => vec![Wanted {
            line: None,
            pmid: args.pmid.clone().unwrap_or_default(),
            decision: args.decision.clone().unwrap_or_default(),
            reason: args.reason.clone(),
            note: args.note.clone(),
        }],
    };
    let view = View::open(ws)?;
    let known: BTreeSet<Pmid> = view.pmids()?.into_iter().collect();
    let eligible = match stage {
        Stage::TitleAbstract => None,
        Stage::FullText => Some(full_text_candidates(&decisions)),
    };
    let now = iso_utc(now_secs());
    let shown = args.from.as_ref().map(|f| f.display().to_string());
    let mut problems = Vec::new();
    let mut ready = Vec::new();
    for w in wanted {
        let at = match (&shown, w.line) {
            (Some(f), Some(l)) => format!("{f}, line {l}: "),
            _ => String::new(),
        };
        let checked = (|| -> Result<Decision> {
            let pmid: Pmid = w.pmid.parse()?;
            if !known.contains(&pmid) {
                bail!(
                    "{} is not in the working set (hint: `scoper find`, or import it first)",
                    pmid.shown()
                );
            }
            if let Some(set) = &eligible {
                if !set.contains(&pmid) {
                    bail!(
                        "{} is not at the full-text stage: it was not included or marked \
                         maybe at title-abstract (or the reviewers disagree and nobody settled it)",
                        pmid.shown()
                    );
                }
            }
            let note = w.note.filter(|n| !n.trim().is_empty());
            if w.decision.trim().is_empty() {
                // A note alone: kept with the reviewer's decision in force,
                // or without a decision (it decides nothing).
                let Some(note) = note else {
                    bail!("no decision (hint: include, exclude or maybe; or a note alone)");
                };
                let mine =
                    decisions.by_reviewer.get(&args.reviewer).and_then(|m| m.get(&(pmid, stage)));
                return Ok(Decision {
                    note: Some(note),
                    time: now.clone(),
                    ..mine.cloned().unwrap_or(Decision {
                        pmid,
                        stage,
                        decision: Verdict::Undecided,
                        reason: None,
                        note: None,
                        reviewer: args.reviewer.clone(),
                        time: String::new(),
                        settles: args.settle,
                    })
                });
            }
            let decision = Verdict::parse(&w.decision)?;
            let reason = w.reason.filter(|r| !r.trim().is_empty());
            if decision == Verdict::Exclude && stage == Stage::FullText && reason.is_none() {
                bail!("an exclusion at full text needs a reason (hint: --reason \"wrong population\")");
            }
            if decision != Verdict::Exclude && reason.is_some() {
                bail!("a reason goes with an exclusion only (hint: a note: --note TEXT)");
            }
            let reason = match reason {
                Some(r) => Some(decisions.method.check_reason(&r)?),
                None => None,
            };
            Ok(Decision {
                pmid,
                stage,
                decision,
                reason,
                note,
                reviewer: args.reviewer.clone(),
                time: now.clone(),
                settles: args.settle,
            })
        })();
        match checked {
            Ok(d) => ready.push(d),
            Err(e) => problems.push(format!("{at}{e:#}")),
        }
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("error: {p}");
        }
        if args.from.is_some() {
            eprintln!(
                "{} row(s) had errors: no row of this file was recorded (fix them, then run it again)",
                problems.len()
            );
        }
        return Ok(1);
    }
    let log = decisions::log_of(ws, &args.reviewer);
    // A file of decisions is recorded whole or not at all.
    let written =
        if args.from.is_some() { log.append_all_atomic(&ready) } else { log.append_all(&ready) };
    if let Some(r) = written
        .with_context(|| format!("could not save the decisions in {}", log.path().display()))?
    {
        eprintln!("warning: {r}");
    }
    let mut w = out();
    if json {
        let v = json!({"recorded": ready.len(), "reviewer": args.reviewer, "stage": stage.name(),
            "log": ws.relative(log.path())});
        writeln!(w, "{v}")?;
    } else if ready.len() == 1 {
        let d = &ready[0];
        let what = match d.decision {
            Verdict::Undecided => "a note, no decision,".to_string(),
            v => v.name().to_string(),
        };
        writeln!(
            w,
            "{}: {}{} at {} by {}{}",
            d.pmid.shown(),
            what,
            d.reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default(),
            stage.name(),
            d.reviewer,
            if d.settles { ", settling the disagreement" } else { "" }
        )?;
    } else {
        writeln!(w, "recorded {} decisions at {} by {}", ready.len(), stage.name(), args.reviewer)?;
    }
    Ok(0)
}

/// The rows of a decisions CSV: a header with `pmid` and `decision`, and
/// optionally `reason` and `note` (other columns are ignored).
fn read_csv(path: &PathBuf) -> Result<Vec<Wanted>> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let header: Vec<String> = r
        .headers()
        .with_context(|| format!("{}: no header row", path.display()))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(pc), Some(dc)) = (col("pmid"), col("decision")) else {
        bail!(
            "{}: the header has no pmid and decision columns (it has: {})\n(hint: a first line \
             such as pmid,decision,reason,note)",
            path.display(),
            header.join(", ")
        );
    };
    let (rc, nc) = (col("reason"), col("note"));
    let mut out = Vec::new();
    for row in r.records() {
        let row = row.with_context(|| format!("{}: unreadable CSV", path.display()))?;
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).map(|s| s.trim().to_string());
        out.push(Wanted {
            line: row.position().map(|p| p.line()),
            pmid: get(Some(pc)).unwrap_or_default(),
            decision: get(Some(dc)).unwrap_or_default(),
            reason: get(rc).filter(|s| !s.is_empty()),
            note: get(nc).filter(|s| !s.is_empty()),
        });
    }
    if out.is_empty() {
        bail!("{}: no decision in it (only a header)", path.display());
    }
    Ok(out)
}
