//! `scoper index [--rebuild]`: bring the index up to date with corpus/.

use std::io::Write;
use std::time::Instant;

use anyhow::Result;
use serde_json::json;

use crate::report::out;
use crate::store::sync::sync;
use crate::store::Workspace;

pub fn run(ws: &Workspace, rebuild: bool, json: bool) -> Result<i32> {
    let started = Instant::now();
    let (index, report) = sync(ws, rebuild)?;
    super::retag_quietly(ws, &index);
    let records = index.len()?;
    let mut w = out();
    let errors: Vec<_> = report.errors().collect();
    if json {
        let v = json!({
            "rebuilt": report.rebuilt,
            "files_indexed": report.files.len(),
            "records": records,
            "errors": errors,
        });
        writeln!(w, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(0);
    }
    for e in &errors {
        eprintln!("warning: {e}");
    }
    let what = match (report.rebuilt, report.files.len()) {
        (true, n) => format!("rebuilt from {n} corpus file(s)"),
        (false, 0) => "already up to date".to_string(),
        (false, n) => format!("added {n} corpus file(s)"),
    };
    writeln!(
        w,
        "index: {what}; {records} records in the working set ({:.2}s)",
        started.elapsed().as_secs_f64()
    )?;
    Ok(0)
}
