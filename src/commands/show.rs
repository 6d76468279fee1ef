//! `scoper show PMID`: one record in full.

use std::io::Write;

use anyhow::{bail, Result};

use super::{current_index, workspace_framework};
use crate::report::{out, print_concepts, print_record};
use crate::store::Workspace;
use crate::tag::store::{current_tags, saved_tags};

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
    let tags =
        workspace_framework(ws).and_then(|f| f.map(|f| current_tags(ws, &index, &f)).transpose());
    let hits = match tags {
        Ok(Some(t)) => t.of(pmid).to_vec(),
        Ok(None) => Vec::new(),
        // A broken framework file does not hide the tags already made.
        Err(e) => {
            eprintln!("warning: {e:#}\n(showing the concepts of the last successful tagging run)");
            saved_tags(ws).map(|t| t.of(pmid).to_vec()).unwrap_or_default()
        }
    };
    let mut w = out();
    if json {
        let mut v = serde_json::to_value(&record)?;
        v["concepts"] = serde_json::to_value(&hits)?;
        writeln!(w, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        print_record(&mut w, &record)?;
        print_concepts(&mut w, &record, &hits)?;
    }
    w.flush()?;
    Ok(0)
}
