//! `scoper chart`: chart the included records (the form in the terminal),
//! and `scoper chart set` for scripts.

use std::io::Write;

use anyhow::{bail, Result};
use serde_json::{json, Value};

use super::{reviewer_lock, view};
use crate::chart::{self, judge, suggest, Entry, Form};
use crate::clock::{iso_utc, now_secs};
use crate::config::Protocol;
use crate::parse::Pmid;
use crate::report::out;
use crate::screen::decisions::Decisions;
use crate::store::Workspace;

/// Checks that `pmid` is included at the form's stage.
fn check_included(decisions: &Decisions, form: &Form, pmid: Pmid) -> Result<()> {
    if !chart::included(decisions, form.stage).contains(&pmid) {
        bail!(
            "PMID {pmid} is not included at {}: only included records are charted\n(hint: `scoper \
             show {pmid}` lists its decisions; `scoper decide {pmid} include --stage {} --reviewer \
             NAME` records one)",
            form.stage.name(),
            form.stage.name()
        );
    }
    Ok(())
}

pub fn set(
    ws: &Workspace,
    pmid: &str,
    field: &str,
    value: &str,
    reviewer: Option<String>,
    settle: bool,
    json: bool,
) -> Result<i32> {
    let reviewer = &super::screen::reviewer_name(reviewer)?;
    let decisions = Decisions::load(ws)?;
    decisions.method.check_reviewer(reviewer, settle)?;
    let _lock = reviewer_lock(ws, reviewer)?;
    let pmid: Pmid = pmid.parse()?;
    let view = view(ws)?;
    let protocol = Protocol::load(&ws.protocol())?;
    let form = Form::of(&protocol, view.tag_set())?;
    let f = form.field(field)?.clone();
    if view.get(pmid)?.is_none() {
        bail!(
            "PMID {pmid} is not in this workspace\n(hint: `scoper find` searches the records; a \
             PMID is written as the record's own, such as 990000001)"
        );
    }
    check_included(&decisions, &form, pmid)?;
    let value = f.parse(value)?;
    let Some(record) = view.get(pmid)? else { bail!("PMID {pmid} is not in the working set") };
    let judgements = if f.element.is_some() {
        let suggested: Vec<String> = suggest(&f, &record, view.hits(pmid))
            .and_then(|s| s.value.as_array().cloned())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let chosen: Vec<String> = value
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        judge(&suggested, &chosen)
    } else {
        Default::default()
    };
    let entry = Entry {
        pmid,
        field: f.id.clone(),
        value,
        judgements,
        reviewer: reviewer.to_string(),
        time: iso_utc(now_secs()),
        settles: settle,
    };
    if let Some(r) = chart::record(ws, reviewer, std::slice::from_ref(&entry))? {
        eprintln!("warning: {r}");
    }
    let mut w = out();
    if json {
        writeln!(w, "{}", json!(entry))?;
    } else {
        let settling = if settle { ", settling the field" } else { "" };
        writeln!(
            w,
            "PMID {pmid}: {} = {} (by {reviewer}{settling})",
            f.id,
            chart::display(&entry.value)
        )?;
    }
    Ok(0)
}

pub fn run(ws: &Workspace, reviewer: Option<String>) -> Result<i32> {
    let reviewer = super::screen::reviewer_name(reviewer)?;
    super::method(ws)?.check_reviewer(&reviewer, false)?;
    let _lock = reviewer_lock(ws, &reviewer)?;
    let view = view(ws)?;
    let state = crate::chart::form_ui::open(ws, &view, &reviewer)?;
    let done = crate::chart::form_ui::run_in_terminal(ws, &view, state)?;
    // The team's count: every required field final (agreed or settled).
    let charts = chart::Charts::load(ws)?;
    let form = Form::of(&Protocol::load(&ws.protocol())?, view.tag_set())?;
    let final_ = done.records.iter().filter(|p| charts.is_charted(**p, &form)).count();
    writeln!(
        crate::report::out(),
        "{reviewer}: {} of {} included records charted by you, {final_} with every required \
         field final ({}); every value is in {}",
        done.charted(),
        done.records.len(),
        charts.method.name(),
        ws.relative(chart::log_of(ws, &reviewer).path())
    )?;
    Ok(0)
}
