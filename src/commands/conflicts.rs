//! `scoper conflicts`: where reviewers disagree, and how much they agree
//! (Cohen's kappa per stage and pair of reviewers; the pilot's agreement).

use std::collections::HashSet;
use std::io::Write;

use anyhow::{Context, Result};
use serde_json::json;

use super::view;
use crate::chart::FieldState;
use crate::clock::{iso_utc, now_secs};
use crate::parse::Pmid;
use crate::report::{one_line, out};
use crate::screen::decisions::{
    blinding_log, cohen_kappa, Decisions, Outcome, Stage, Unblinding, Verdict,
};
use crate::screen::{order, stage_records};
use crate::store::Workspace;

/// JBI's suggestion: go on from the pilot at 75 % agreement or more.
const PILOT_AGREEMENT: f64 = 0.75;

/// Under this kappa, agreement rests mostly on chance (Landis and Koch's
/// "fair" or worse): a pilot that reaches 75% with it has not shown that the
/// reviewers read the criteria alike.
const PILOT_KAPPA: f64 = 0.4;

pub fn run(
    ws: &Workspace,
    stage: Option<&str>,
    pilot: Option<Option<usize>>,
    json: bool,
) -> Result<i32> {
    let view = view(ws)?;
    let decisions = Decisions::load(ws)?;
    for w in decisions.warnings() {
        eprintln!("warning: {w}");
    }
    let blind = decisions.blind();
    // The pilot: the size asked for, else the protocol's.
    let pilot = match pilot {
        Some(Some(n)) => Some(n),
        Some(None) | None => decisions.method.pilot,
    };
    if stage == Some("charting") {
        return charting(ws, view, json);
    }
    let stages = match stage {
        Some(s) => vec![Stage::parse(s).map_err(|e| {
            anyhow::anyhow!("{e:#} (or --stage charting: the chart fields where reviewers differ)")
        })?],
        None => vec![Stage::TitleAbstract, Stage::FullText],
    };
    let mut report = Vec::new();
    for stage in stages {
        let reviewers = decisions.reviewers(stage);
        let mut conflicts = Vec::new();
        let (mut in_conflict, mut awaiting) = (0, 0);
        for p in decisions.pmids(stage) {
            let outcome = decisions.outcome(p, stage);
            match outcome {
                Outcome::Conflict => in_conflict += 1,
                Outcome::Awaiting(_) => awaiting += 1,
                _ => continue,
            }
            // While blind, no one's decision on a record is shown.
            if !blind && outcome == Outcome::Conflict {
                let title = view.get(p)?.map(|r| r.title).unwrap_or_default();
                let by: serde_json::Map<String, serde_json::Value> = decisions
                    .on(p, stage)
                    .into_iter()
                    .map(|d| {
                        (
                            d.reviewer.clone(),
                            json!({"decision": d.decision.name(),
                                "reason": d.reason.as_deref().map(|r| decisions.method.reason(r))}),
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
                let done: serde_json::Map<String, serde_json::Value> = decisions
                    .method
                    .roster
                    .iter()
                    .map(|r| {
                        let n =
                            set.iter().filter(|p| decisions.of(r, **p, stage).is_some()).count();
                        (r.clone(), json!(n))
                    })
                    .collect();
                Some(json!({"records": set.len(), "screened": done,
                    "agreement": pair_stats(Some(&set)),
                    "threshold": PILOT_AGREEMENT, "kappa_threshold": PILOT_KAPPA}))
            }
            _ => None,
        };
        report.push(json!({"stage": stage.name(), "reviewers": reviewers, "conflicts": conflicts,
            "in_conflict": in_conflict, "awaiting_second": awaiting, "blind": blind,
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
            "{stage}: {} conflict(s), {} awaiting a second reviewer; reviewers: {}",
            s["in_conflict"],
            s["awaiting_second"],
            reviewers.join(", ")
        )?;
        if blind && s["in_conflict"].as_u64().unwrap_or(0) > 0 {
            writeln!(
                w,
                "  screening is blind, so the disagreements are not listed; when every reviewer \
                 has screened, `scoper unblind --reviewer NAME` ends blinding (once, recorded) \
                 and this lists them"
            )?;
        }
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
            let total = p["records"].as_u64().unwrap_or(0);
            let behind: Vec<String> = p["screened"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, n)| n.as_u64().unwrap_or(0) < total)
                .map(|(r, n)| format!("{r} {n} of {total}"))
                .collect();
            if !behind.is_empty() {
                writeln!(w, "  pilot of {total} records not done yet: {}", behind.join(", "))?;
            }
            for a in p["agreement"].as_array().into_iter().flatten() {
                let observed = a["observed"].as_f64().unwrap_or(0.0);
                let kappa = a["kappa"].as_f64().unwrap_or(0.0);
                writeln!(
                    w,
                    "  pilot ({} records; {} × {} screened {} of them): {:.1}% agreement, kappa {:.2}: {}",
                    p["records"],
                    a["reviewers"][0].as_str().unwrap_or(""),
                    a["reviewers"][1].as_str().unwrap_or(""),
                    a["records"],
                    100.0 * observed,
                    kappa,
                    pilot_verdict(observed, kappa)
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

/// `conflicts --stage charting`: the fields of included records where the
/// reviewers' values differ, and how many await a second reviewer.
fn charting(ws: &Workspace, view: crate::view::View, json: bool) -> Result<i32> {
    let review = crate::export::Review::load(ws, view)?;
    for p in review.problems() {
        eprintln!("warning: {p}");
    }
    let mut differ = Vec::new();
    let mut awaiting = 0;
    for p in review.included() {
        for f in &review.form.fields {
            match review.charts.state(p, &f.id) {
                FieldState::Conflict(entries) => {
                    let by: serde_json::Map<String, serde_json::Value> = entries
                        .iter()
                        .map(|e| (e.reviewer.clone(), json!(crate::chart::display(&e.value))))
                        .collect();
                    differ.push(json!({"pmid": p, "field": f.id, "values": by}));
                }
                FieldState::Awaiting(_) => awaiting += 1,
                _ => {}
            }
        }
    }
    let mut w = out();
    if json {
        let v = json!({"stage": "charting", "method": review.charts.method, "conflicts": differ,
            "awaiting_second": awaiting});
        writeln!(w, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(0);
    }
    writeln!(
        w,
        "charting ({}): {} field(s) where reviewers differ, {awaiting} awaiting a second reviewer",
        review.charts.method.name(),
        differ.len()
    )?;
    for c in &differ {
        let by: Vec<String> = c["values"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(r, v)| format!("{r}: {}", v.as_str().unwrap_or("")))
            .collect();
        writeln!(
            w,
            "  {:>9}  {}  {}",
            c["pmid"].as_str().unwrap_or(""),
            c["field"].as_str().unwrap_or(""),
            one_line(&by.join(" | "), 90)
        )?;
    }
    if !differ.is_empty() {
        writeln!(w, "  settle one: scoper chart set PMID FIELD VALUE --reviewer NAME --settle")?;
    }
    Ok(0)
}

/// What the pilot's agreement says to do next.
fn pilot_verdict(observed: f64, kappa: f64) -> &'static str {
    if observed < PILOT_AGREEMENT {
        "under 75%: discuss the disagreements and sharpen the criteria before going on"
    } else if kappa < PILOT_KAPPA {
        "at least 75%, but kappa is under 0.4: the agreement rests mostly on records any reader \
         would exclude. Before going on, discuss the records either of you included or marked \
         maybe, and whether the criteria say why; a pilot with more likely includes tells more"
    } else {
        "at least 75% with kappa 0.4 or more, as JBI suggests: go on"
    }
}

/// `scoper unblind`: ends blinding, once, as a recorded act.
pub fn unblind(ws: &Workspace, reviewer: &str, json: bool) -> Result<i32> {
    let decisions = Decisions::load(ws)?;
    let method = &decisions.method;
    method.check_member(reviewer)?;
    let mut w = out();
    if !method.blind {
        let said = "this review does not screen blind (blind = false in scoper.toml, or one \
                    reviewer on the roster): nothing to end";
        if json {
            writeln!(w, "{}", json!({"unblinded": false, "why": said}))?;
        } else {
            writeln!(w, "{said}")?;
        }
        return Ok(0);
    }
    if let Some(u) = &decisions.unblinded {
        if json {
            writeln!(
                w,
                "{}",
                json!({"unblinded": true, "by": u.by, "time": u.time, "changed": false})
            )?;
        } else {
            writeln!(w, "blinding already ended on {} (by {}); nothing changed", u.time, u.by)?;
        }
        return Ok(0);
    }
    let _lock = super::lock(ws)?;
    let act =
        Unblinding { act: "unblind".into(), by: reviewer.to_string(), time: iso_utc(now_secs()) };
    let log = blinding_log(ws);
    log.append(&act).with_context(|| format!("could not record it in {}", log.path().display()))?;
    let unsettled: usize = [Stage::TitleAbstract, Stage::FullText]
        .iter()
        .map(|&s| decisions.in_conflict(s).len())
        .sum();
    if json {
        writeln!(
            w,
            "{}",
            json!({"unblinded": true, "by": act.by, "time": act.time, "changed": true,
            "conflicts": unsettled})
        )?;
    } else {
        writeln!(
            w,
            "blinding ended by {} at {} (recorded in {}); {unsettled} disagreement(s) to settle: \
             `scoper conflicts` lists them",
            act.by,
            act.time,
            ws.relative(log.path())
        )?;
    }
    Ok(0)
}
