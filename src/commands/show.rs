//! `scoper show PMID`: one record in full.

use std::io::Write;

use anyhow::{bail, Result};

use super::{current_index, readable_tags};
use crate::report::{out, print_concepts, print_record};
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
    let hits = readable_tags(ws, &index).map(|t| t.of(pmid).to_vec()).unwrap_or_default();
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
