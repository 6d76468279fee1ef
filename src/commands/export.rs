//! `scoper export jsonl`: every record in the working set, one JSON object a
//! line, in PMID order.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::current_index;
use crate::cli::ExportFormat;
use crate::report::out;
use crate::store::atomic::write_atomic_with;
use crate::store::Workspace;

pub fn run(ws: &Workspace, format: ExportFormat, dest: Option<&Path>) -> Result<i32> {
    let index = current_index(ws)?;
    match format {
        ExportFormat::Jsonl => {
            let mut n = 0usize;
            match dest {
                Some(path) => {
                    write_atomic_with(path, |w| {
                        index.for_each_record(|r| {
                            n += 1;
                            serde_json::to_writer(&mut *w, &r)?;
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
                        serde_json::to_writer(&mut w, &r)?;
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
