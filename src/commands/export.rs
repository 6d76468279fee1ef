//! `scoper export jsonl`: every record in the working set, one JSON object a
//! line (the `show --json` object, concepts included), in PMID order.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::{current_index, readable_tags};
use crate::cli::ExportFormat;
use crate::report::out;
use crate::store::atomic::write_atomic_with;
use crate::store::Workspace;

pub fn run(ws: &Workspace, format: ExportFormat, dest: Option<&Path>) -> Result<i32> {
    let index = current_index(ws)?;
    // Each line is the `show --json` object: the record and its concepts,
    // from the saved tags (tagging again only when they are stale).
    let tags = readable_tags(ws, &index);
    let line = |r: &crate::parse::Record| -> Result<serde_json::Value> {
        let mut v = serde_json::to_value(r)?;
        let hits = tags.as_ref().map(|t| t.of(&r.pmid)).unwrap_or(&[]);
        v["concepts"] = serde_json::to_value(hits)?;
        Ok(v)
    };
    match format {
        ExportFormat::Jsonl => {
            let mut n = 0usize;
            match dest {
                Some(path) => {
                    write_atomic_with(path, |w| {
                        index.for_each_record(|r| {
                            n += 1;
                            serde_json::to_writer(&mut *w, &line(&r)?)?;
                            w.write_all(b"\n")?;
                            Ok(())
                        })
                    })
                    .with_context(|| format!("could not write {}", path.display()))?;
                    eprintln!("wrote {n} records to {}", path.display());
                }
                None => {
                    let mut w = out();
                    index.for_each_record(|r| {
                        serde_json::to_writer(&mut w, &line(&r)?)?;
                        w.write_all(b"\n")?;
                        Ok(())
                    })?;
                    w.flush()?;
                }
            }
        }
    }
    Ok(0)
}
