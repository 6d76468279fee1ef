//! `scoper show PMID`: one record in full.

use std::io::Write;

use anyhow::{bail, Result};

use super::current_index;
use crate::report::{out, print_record};
use crate::store::Workspace;

pub fn run(ws: &Workspace, pmid: &str, json: bool) -> Result<i32> {
    let pmid = pmid.trim();
    if pmid.is_empty() || !pmid.bytes().all(|b| b.is_ascii_digit()) {
        bail!("{pmid:?} is not a PMID: a PMID is a number, like 31399114");
    }
    let index = current_index(ws)?;
    let Some(record) = index.get(pmid)? else {
        bail!(
            "PMID {pmid} is not in the working set\n(hint: `scoper find` searches the records; \
             `scoper import FILE` adds records)"
        );
    };
    let mut w = out();
    if json {
        writeln!(w, "{}", serde_json::to_string_pretty(&record)?)?;
    } else {
        print_record(&mut w, &record)?;
    }
    w.flush()?;
    Ok(0)
}
