//! `scoper export jsonl|csv|ris`: every record in the working set as JSON
//! lines (the `show --json` object, concepts included), in PMID order; the
//! charted included records as CSV; the included records as RIS.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use super::view;
use crate::cli::ExportFormat;
use crate::export::csv_out::{self, Shape};
use crate::export::{ris, Review};
use crate::report::out;
use crate::store::output::write_output;
use crate::store::Workspace;

/// Writes with `fill` to `dest` (see [`write_output`]), or to standard
/// output.
fn to_dest(
    ws: &Workspace,
    dest: Option<&Path>,
    fill: impl FnOnce(&mut dyn Write) -> Result<usize>,
) -> Result<usize> {
    match dest {
        Some(path) => {
            let mut n = 0;
            write_output(ws, path, |w| {
                n = fill(w)?;
                Ok(())
            })?;
            Ok(n)
        }
        None => {
            let mut w = out();
            let n = fill(&mut w)?;
            w.flush()?;
            Ok(n)
        }
    }
}

pub fn run(
    ws: &Workspace,
    format: ExportFormat,
    dest: Option<&Path>,
    all: bool,
    long: bool,
) -> Result<i32> {
    if (all || long) && format != ExportFormat::Csv {
        anyhow::bail!(
            "--all and --long shape the CSV export; {} has one shape (hint: scoper export csv {})",
            if format == ExportFormat::Ris { "RIS" } else { "JSON lines" },
            if all { "--all" } else { "--long" }
        );
    }
    let view = view(ws)?;
    if format != ExportFormat::Jsonl {
        let review = Review::load(ws, view)?;
        for p in review.problems() {
            eprintln!("warning: {p}");
        }
        let (n, what) = match format {
            ExportFormat::Csv => {
                let shape = match (all, long) {
                    (true, true) => anyhow::bail!("--all and --long go one at a time"),
                    (true, false) => Shape::All,
                    (false, true) => Shape::Long,
                    _ => Shape::Wide,
                };
                if shape == Shape::All && review.decisions.blind() {
                    eprintln!(
                        "note: screening is blind, so the audit trail lists the records without \
                         anyone's decisions (`scoper unblind --reviewer NAME` ends blinding, once)"
                    );
                }
                let n = to_dest(ws, dest, |w| csv_out::write(&review, shape, w))?;
                (n, if shape == Shape::Long { "rows (record, field)" } else { "records" })
            }
            _ => (to_dest(ws, dest, |w| ris::write(&review, w))?, "included records"),
        };
        if let Some(path) = dest {
            eprintln!("wrote {n} {what} to {}", path.display());
        } else if n == 0 {
            eprintln!(
                "note: no record is included yet (screen with `scoper screen` or `scoper decide`)"
            );
        }
        return Ok(0);
    }
    // Each line is the `show --json` object: the record and its concepts,
    // from the saved tags.
    let line = |r: &crate::parse::Record| -> Result<serde_json::Value> {
        let mut v = serde_json::to_value(r)?;
        v["concepts"] = serde_json::to_value(view.hits(r.pmid))?;
        Ok(v)
    };
    let n = to_dest(ws, dest, |w| {
        let mut n = 0;
        for r in view.records()? {
            serde_json::to_writer(&mut *w, &line(&r?)?)?;
            w.write_all(b"\n")?;
            n += 1;
        }
        Ok(n)
    })?;
    if let Some(path) = dest {
        eprintln!("wrote {n} records to {}", path.display());
    }
    Ok(0)
}
