//! `scoper export jsonl`: every record in the working set, one JSON object a
//! line (the `show --json` object, concepts included), in PMID order.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::view;
use crate::cli::ExportFormat;
use crate::report::out;
use crate::store::atomic::write_atomic_with;
use crate::store::Workspace;

pub fn run(ws: &Workspace, format: ExportFormat, dest: Option<&Path>) -> Result<i32> {
    let view = view(ws)?;
    // Each line is the `show --json` object: the record and its concepts,
    // from the saved tags.
    let line = |r: &crate::parse::Record| -> Result<serde_json::Value> {
        let mut v = serde_json::to_value(r)?;
        v["concepts"] = serde_json::to_value(view.hits(r.pmid))?;
        Ok(v)
    };
    match format {
        ExportFormat::Jsonl => {
            let mut n = 0usize;
            match dest {
                Some(path) => {
                    write_atomic_with(path, |w| {
                        for r in view.records()? {
                            n += 1;
                            serde_json::to_writer(&mut *w, &line(&r?)?)?;
                            w.write_all(b"\n")?;
                        }
                        Ok(())
                    })
                    .with_context(|| format!("could not write {}", path.display()))?;
                    eprintln!("wrote {n} records to {}", path.display());
                }
                None => {
                    let mut w = out();
                    for r in view.records()? {
                        serde_json::to_writer(&mut w, &line(&r?)?)?;
                        w.write_all(b"\n")?;
                    }
                    w.flush()?;
                }
            }
        }
    }
    Ok(0)
}
