//! `scoper log`: the search log as the PRISMA-S table a paper needs.

use std::io::Write;

use anyhow::Result;

use crate::fetch::search::read_log;
use crate::report::out;
use crate::store::Workspace;

pub fn run(ws: &Workspace, json: bool) -> Result<i32> {
    let log = read_log(ws)?;
    for bad in &log.bad {
        eprintln!("warning: {bad}");
    }
    let mut w = out();
    if json {
        writeln!(w, "{}", serde_json::to_string_pretty(&log.entries)?)?;
        return Ok(0);
    }
    // Abandoned runs (an unfinished run whose strategy changed) found
    // nothing that counts; the table is of the searches that ran.
    let (runs, abandoned): (Vec<_>, Vec<_>) =
        log.entries.into_iter().partition(|r| r.is_complete());
    if runs.is_empty() {
        writeln!(w, "no search has been run yet (scoper search NAME)")?;
        return Ok(0);
    }
    writeln!(w, "| # | Database | Platform | Date of search | Search strategy | Limits | Records found | New records |")?;
    writeln!(w, "|---|---|---|---|---|---|---|---|")?;
    for (i, r) in runs.iter().enumerate() {
        let limits = r.limits_text();
        writeln!(
            w,
            "| {} | {} | {} | {} | `{}` | {} | {} | {} |",
            i + 1,
            r.database,
            r.platform,
            r.searched_on,
            r.term.replace('|', "\\|"),
            limits,
            r.count,
            r.new.len()
        )?;
    }
    if !abandoned.is_empty() {
        writeln!(
            w,
            "\n{} unfinished run(s) were abandoned because their saved search changed before they \
             were resumed; they are not in the table (`scoper log --json` lists them)",
            abandoned.len()
        )?;
    }
    Ok(0)
}
