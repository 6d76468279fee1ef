//! `scoper log`: the search log as the PRISMA-S table a paper needs.

use std::io::Write;

use anyhow::Result;

use crate::fetch::search::read_log;
use crate::report::out;
use crate::store::Workspace;

pub fn run(ws: &Workspace, json: bool) -> Result<i32> {
    let runs = read_log(ws)?;
    let mut w = out();
    if json {
        writeln!(w, "{}", serde_json::to_string_pretty(&runs)?)?;
        return Ok(0);
    }
    if runs.is_empty() {
        writeln!(w, "no search has been run yet (scoper search NAME)")?;
        return Ok(0);
    }
    writeln!(w, "| # | Database | Platform | Date of search | Search strategy | Limits | Records found | New records |")?;
    writeln!(w, "|---|---|---|---|---|---|---|---|")?;
    for (i, r) in runs.iter().enumerate() {
        let mut limits = Vec::new();
        if let Some([t, a, b]) = &r.date_limits {
            limits.push(format!("{t} {a}–{b}"));
        }
        if let Some([a, b]) = &r.window {
            limits.push(format!("update: created {a}–{b}"));
        }
        writeln!(
            w,
            "| {} | {} | {} | {} | `{}` | {} | {} | {} |",
            i + 1,
            r.database,
            r.platform,
            r.searched_on,
            r.term.replace('|', "\\|"),
            if limits.is_empty() { "none".to_string() } else { limits.join("; ") },
            r.count,
            r.new.len()
        )?;
    }
    Ok(0)
}
