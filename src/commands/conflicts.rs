//! `scoper conflicts`: where reviewers disagree, and how much they agree
//! (Cohen's kappa per stage and pair of reviewers; the pilot's agreement).

use std::collections::HashSet;
use std::io::Write;

use anyhow::Result;
use serde_json::json;

use super::view;
use crate::parse::Pmid;
use crate::report::{one_line, out};
use crate::screen::decisions::{cohen_kappa, Decisions, Outcome, Stage, Verdict};
use crate::screen::{order, stage_records};
use crate::store::Workspace;

/// JBI's suggestion: go on from the pilot at 75 % agreement or more.
const PILOT_AGREEMENT: f64 = 0.75;

pub fn run(ws: &Workspace, stage: Option<&str>, pilot: Option<usize>, json: bool) -> Result<i32> {
    let view = view(ws)?;
    let decisions = Decisions::load(ws)?;
    for bad in &decisions.bad {
        eprintln!("warning: {bad}");
    }
    let stages = match stage {
        Some(s) => vec![Stage::parse(s)?],
        None => vec![Stage::TitleAbstract, Stage::FullText],
    };
    let mut report = Vec::new();
    for stage in stages {
        let reviewers = decisions.reviewers(stage);
        let mut conflicts = Vec::new();
        for p in decisions.pmids(stage) {
            if decisions.outcome(p, stage) == Outcome::Conflict {
                let title = view.get(p)?.map(|r| r.title).unwrap_or_default();
                let by: serde_json::Map<String, serde_json::Value> = decisions
                    .on(p, stage)
                    .into_iter()
                    .map(|d| {
                        (
                            d.reviewer.clone(),
                            json!({"decision": d.decision.name(), "reason": d.reason}),
                        )
                    })
                    .collect();
                conflicts.push(json!({"pmid": p, "title": title, "decisions": by}));
            }
        }
        let pair_stats = |only: Option<&HashSet<Pmid>>| {
            let mut out = Vec::new();
            for (i, a) in reviewers.iter().enumerate() {
                for b in &reviewers[i + 1..] {
                    let pairs: Vec<(Verdict, Verdict)> = decisions
                        .pmids(stage)
                        .into_iter()
                        .filter(|p| only.is_none_or(|s| s.contains(p)))
                        .filter_map(|p| {
                            let x = decisions.of(a, p, stage).filter(|d| !d.settles)?;
                            let y = decisions.of(b, p, stage).filter(|d| !d.settles)?;
                            Some((x.decision, y.decision))
                        })
                        .collect();
                    if let Some((kappa, observed)) = cohen_kappa(&pairs) {
                        out.push(json!({"reviewers": [a, b], "records": pairs.len(),
                            "observed": observed, "kappa": kappa}));
                    }
                }
            }
            out
        };
        let agreement = pair_stats(None);
        let pilot_v = match (pilot, stage) {
            (Some(n), Stage::TitleAbstract) => {
                let records = stage_records(&view, &decisions, stage)?;
                let set: HashSet<Pmid> = order::pilot(&records, n).into_iter().collect();
                Some(json!({"records": set.len(), "agreement": pair_stats(Some(&set)),
                    "threshold": PILOT_AGREEMENT}))
            }
            _ => None,
        };
        report.push(json!({"stage": stage.name(), "reviewers": reviewers, "conflicts": conflicts,
            "agreement": agreement, "pilot": pilot_v}));
    }
    let mut w = out();
    if json {
        writeln!(w, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(0);
    }
    for s in &report {
        let stage = s["stage"].as_str().unwrap_or_default();
        let conflicts = s["conflicts"].as_array().map(Vec::as_slice).unwrap_or_default();
        let reviewers: Vec<&str> =
            s["reviewers"].as_array().into_iter().flatten().filter_map(|r| r.as_str()).collect();
        if reviewers.is_empty() {
            writeln!(w, "{stage}: no decision yet")?;
            continue;
        }
        writeln!(
            w,
            "{stage}: {} conflict(s); reviewers: {}",
            conflicts.len(),
            reviewers.join(", ")
        )?;
        for c in conflicts {
            let by: Vec<String> = c["decisions"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(r, d)| match d["reason"].as_str() {
                    Some(reason) => {
                        format!("{r}: {} ({reason})", d["decision"].as_str().unwrap_or(""))
                    }
                    None => format!("{r}: {}", d["decision"].as_str().unwrap_or("")),
                })
                .collect();
            writeln!(
                w,
                "  {:>9}  {}  {}",
                c["pmid"].as_str().unwrap_or(""),
                by.join("; "),
                one_line(c["title"].as_str().unwrap_or(""), 60)
            )?;
        }
        for a in s["agreement"].as_array().into_iter().flatten() {
            writeln!(
                w,
                "  agreement {} × {}: {:.1}% on {} records both screened, Cohen's kappa {:.2}",
                a["reviewers"][0].as_str().unwrap_or(""),
                a["reviewers"][1].as_str().unwrap_or(""),
                100.0 * a["observed"].as_f64().unwrap_or(0.0),
                a["records"],
                a["kappa"].as_f64().unwrap_or(0.0)
            )?;
        }
        if let Some(p) = s["pilot"].as_object() {
            for a in p["agreement"].as_array().into_iter().flatten() {
                let observed = a["observed"].as_f64().unwrap_or(0.0);
                writeln!(
                    w,
                    "  pilot ({} records; {} × {} screened {} of them): {:.1}% agreement, kappa {:.2}: {}",
                    p["records"],
                    a["reviewers"][0].as_str().unwrap_or(""),
                    a["reviewers"][1].as_str().unwrap_or(""),
                    a["records"],
                    100.0 * observed,
                    a["kappa"].as_f64().unwrap_or(0.0),
                    if observed >= PILOT_AGREEMENT {
                        "at least 75%, as JBI suggests: go on"
                    } else {
                        "under 75%: discuss the disagreements and sharpen the criteria before going on"
                    }
                )?;
            }
        }
        if !conflicts.is_empty() {
            writeln!(
                w,
                "  settle one: scoper decide PMID include|exclude|maybe --reviewer NAME --stage {stage} --settle"
            )?;
        }
    }
    Ok(0)
}
