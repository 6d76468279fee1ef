//! `scoper show PMID`: one record in full.

use std::io::Write;

use anyhow::{bail, Result};

use super::view;
use crate::parse::Pmid;
use crate::report::{out, print_concepts, print_record};
use crate::screen::decisions::{Decision, Decisions, Stage};
use crate::store::Workspace;

pub fn run(ws: &Workspace, pmids: &[String], json: bool) -> Result<i32> {
    let pmids: Vec<Pmid> = pmids.iter().map(|p| p.parse()).collect::<Result<_, _>>()?;
    let view = view(ws)?;
    let decisions = Decisions::load(ws)?;
    if let Some(bad) = decisions.bad.first() {
        eprintln!("note: {bad} ({} unreadable line(s) in screening/)", decisions.bad.len());
    }
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
    let mut w = out();
    let mut objects = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let pmid = record.pmid;
        let hits = view.hits(pmid).to_vec();
        let mut made: Vec<&Decision> = [Stage::TitleAbstract, Stage::FullText]
            .into_iter()
            .flat_map(|s| decisions.on(pmid, s))
            .collect();
        made.sort_by(|a, b| (a.stage, &a.reviewer).cmp(&(b.stage, &b.reviewer)));
        if json {
            let mut v = serde_json::to_value(record)?;
            v["concepts"] = serde_json::to_value(&hits)?;
            v["decisions"] = serde_json::to_value(&made)?;
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
            let mut line = format!("  {}: {} by {}", d.stage.name(), d.decision.name(), d.reviewer);
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
