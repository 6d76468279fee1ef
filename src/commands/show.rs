//! `scoper show PMID`: one record in full.

use std::io::Write;

use anyhow::{bail, Result};

use super::view;
use crate::parse::Pmid;
use crate::report::{out, print_concepts, print_record};
use crate::store::Workspace;

pub fn run(ws: &Workspace, pmid: &str, json: bool) -> Result<i32> {
    let pmid: Pmid = pmid.parse()?;
    let view = view(ws)?;
    let Some(record) = view.get(pmid)? else {
        bail!(
            "PMID {pmid} is not in the working set\n(hint: `scoper find` searches the records; \
             `scoper import FILE` adds records)"
        );
    };
    let hits = view.hits(pmid).to_vec();
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
