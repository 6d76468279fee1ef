//! `scoper show PMID`: one record in full.

use std::io::Write;

use anyhow::{bail, Result};

use super::view;
use crate::parse::Pmid;
use crate::report::{out, print_concepts, print_record};
use crate::screen::decisions::{Decision, Decisions, Stage, Verdict};
use crate::store::Workspace;

pub fn run(ws: &Workspace, pmids: &[String], reviewer: Option<&str>, json: bool) -> Result<i32> {
    let pmids: Vec<Pmid> = pmids.iter().map(|p| p.parse()).collect::<Result<_, _>>()?;
    let view = view(ws)?;
    let decisions = Decisions::load(ws)?;
    for w in decisions.warnings() {
        eprintln!("note: {w}");
    }
    if let Some(r) = reviewer {
        decisions.method.check_member(r)?;
    }
    // While screening is blind, a reviewer sees their own decisions only,
    // and nobody else sees any.
    let blind = decisions.blind();
    let mut records = Vec::new();
    for pmid in &pmids {
        let Some(record) = view.get(*pmid)? else {
            bail!(
                "PMID {pmid} is not in the working set\n(hint: `scoper find` searches the records; \
                 `scoper import FILE` adds records)"
            );
        };
        records.push(record);
    }
    let mut w = if json { out() } else { crate::report::out_human() };
    let mut objects = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let pmid = record.pmid;
        let hits = view.hits(pmid).to_vec();
        let all: Vec<&Decision> = [Stage::TitleAbstract, Stage::FullText]
            .into_iter()
            .flat_map(|s| decisions.by_reviewer.values().filter_map(move |m| m.get(&(pmid, s))))
            .filter(|d| d.decision != Verdict::Undecided || d.note.is_some())
            .collect();
        let hidden = if blind {
            all.iter().filter(|d| Some(d.reviewer.as_str()) != reviewer).count()
        } else {
            0
        };
        let mut made: Vec<&Decision> =
            all.into_iter().filter(|d| !blind || Some(d.reviewer.as_str()) == reviewer).collect();
        made.sort_by(|a, b| (a.stage, &a.reviewer).cmp(&(b.stage, &b.reviewer)));
        if json {
            let mut v = serde_json::to_value(record)?;
            v["concepts"] = serde_json::to_value(&hits)?;
            v["decisions"] = serde_json::to_value(&made)?;
            if blind {
                v["decisions_hidden"] = serde_json::json!(hidden);
            }
            objects.push(v);
            continue;
        }
        if i > 0 {
            writeln!(w, "\n{}\n", "─".repeat(crate::report::width().min(80)))?;
        }
        print_record(&mut w, record)?;
        print_concepts(&mut w, record, &hits)?;
        if !made.is_empty() {
            writeln!(w, "Decisions:")?;
        }
        for d in made {
            let what = match d.decision {
                Verdict::Undecided => "no decision yet".to_string(),
                v => v.name().to_string(),
            };
            let mut line = format!("  {}: {what} by {}", d.stage.name(), d.reviewer);
            if let Some(r) = &d.reason {
                line.push_str(&format!(" ({r})"));
            }
            if d.settles {
                line.push_str(", settling the disagreement");
            }
            if let Some(n) = &d.note {
                line.push_str(&format!("; note: {n}"));
            }
            writeln!(w, "{line}")?;
        }
        if hidden > 0 {
            writeln!(
                w,
                "{hidden} other reviewer decision(s) or note(s) hidden: screening is blind (a \
                 reviewer sees their own with --reviewer NAME; `scoper unblind` ends blinding)"
            )?;
        }
    }
    if json {
        // One PMID: the record object (as before); several: an array.
        let v =
            if objects.len() == 1 { objects.remove(0) } else { serde_json::Value::Array(objects) };
        writeln!(w, "{}", serde_json::to_string_pretty(&v)?)?;
    }
    w.flush()?;
    Ok(0)
}
