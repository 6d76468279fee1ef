//! `scoper import FILE...`: copy PubMed XML files into corpus/ and apply
//! them to the working set.
//!
//! Each file is copied into `corpus/imports/` (fsynced), parsed from the
//! copy, and kept only when it gave something (a file that is empty, not
//! XML, or not PubMed XML leaves no trace). One bad file does not stop the
//! others; the exit code is 1 when any file had an error.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::json;

use crate::clock::{compact_utc, now_secs};
use crate::report::out;
use crate::store::corpus::{next_stamp, stage, Stage};
use crate::store::sync::{apply_file, mark_indexed, sync, FileError, FileReport};
use crate::store::Workspace;

/// The files to import: each path given, and the PubMed XML files inside
/// each folder given (sorted, not recursive).
fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        match std::fs::read_dir(p) {
            Ok(entries) if p.is_dir() => {
                let mut inside: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|f| {
                        f.is_file()
                            && crate::store::corpus::is_record_file(
                                &f.file_name().unwrap_or_default().to_string_lossy(),
                            )
                    })
                    .collect();
                inside.sort();
                if inside.is_empty() {
                    out.push(p.clone()); // reported as a folder with nothing to import
                }
                out.extend(inside);
            }
            _ => out.push(p.clone()),
        }
    }
    out
}

pub fn run(ws: &Workspace, files: &[PathBuf], json: bool) -> Result<i32> {
    let files = &expand(files);
    let (index, earlier) = sync(ws, false)?;
    for e in earlier.errors() {
        eprintln!("warning: {e}");
    }
    let mut applier = index.writer()?;
    // The files of this import come after everything in corpus/, in the
    // order given, however many imports fall within one second.
    let (now, first_seq) = next_stamp(ws, &compact_utc(now_secs()))
        .context("could not read corpus/ to number this import")?;
    let mut reports: Vec<FileReport> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for (i, src) in files.iter().enumerate() {
        let shown = src.display().to_string();
        match import_one(ws, &mut applier, src, &now, first_seq + i as u64)? {
            Outcome::Imported(r) => reports.push(r),
            Outcome::Skipped(note) => notes.push(format!("{shown}: {note}")),
            Outcome::Failed(r) => reports.push(r),
        }
    }
    applier.finish()?;
    super::retag_quietly(ws, &index);
    let errors: Vec<&FileError> = reports.iter().flat_map(|r| &r.errors).collect();
    let sum = |f: fn(&FileReport) -> usize| reports.iter().map(f).sum::<usize>();
    let (records, new, updated, deleted) =
        (sum(|r| r.records), sum(|r| r.new), sum(|r| r.updated), sum(|r| r.deleted));
    let mut w = out();
    if json {
        let v = json!({
            "files": files.len(),
            "records": records,
            "new": new,
            "updated": updated,
            "deleted": deleted,
            "errors": errors,
        });
        writeln!(w, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        for n in &notes {
            writeln!(w, "{n}")?;
        }
        for r in reports.iter().filter(|r| r.records + r.delete_requests > 0 || r.errors.is_empty())
        {
            writeln!(
                w,
                "{}: {} records ({} new, {} updated, {} unchanged){}",
                r.file,
                r.records,
                r.new,
                r.updated,
                r.unchanged,
                deletion_note(r)
            )?;
        }
        writeln!(
            w,
            "imported {} file(s): {records} records, {new} new, {updated} updated, {deleted} \
             deleted from the working set; {} in the working set now",
            reports.iter().filter(|r| r.records > 0 || r.delete_requests > 0).count(),
            index.len()?
        )?;
        w.flush()?;
        for e in &errors {
            eprintln!("error: {e}");
        }
        if !errors.is_empty() {
            eprintln!(
                "{} file(s) had errors; the records read before each fault were kept, nothing \
                 already in the workspace changed",
                reports.iter().filter(|r| !r.errors.is_empty()).count()
            );
        }
    }
    Ok(if errors.is_empty() { 0 } else { 1 })
}

fn deletion_note(r: &FileReport) -> String {
    if r.delete_requests == 0 {
        return String::new();
    }
    format!(
        "; DeleteCitation names {} PMIDs, {} of them were in the working set and are removed",
        r.delete_requests, r.deleted
    )
}

enum Outcome {
    Imported(FileReport),
    Skipped(String),
    Failed(FileReport),
}

fn failed(file: &str, message: String) -> Outcome {
    Outcome::Failed(FileReport {
        file: file.to_string(),
        errors: vec![FileError {
            kind: "io",
            file: file.to_string(),
            line: None,
            pmid: None,
            message,
        }],
        ..FileReport::default()
    })
}

fn import_one(
    ws: &Workspace,
    applier: &mut crate::store::index::Applier,
    src: &Path,
    now: &str,
    seq: u64,
) -> Result<Outcome> {
    let shown = src.display().to_string();
    if !src.exists() {
        return Ok(failed(&shown, "no such file (check the path)".into()));
    }
    if src.is_dir() {
        return Ok(failed(
            &shown,
            "is a folder with no PubMed XML file (.xml, .xml.gz) in it".into(),
        ));
    }
    if let (Ok(s), Ok(c)) = (src.canonicalize(), ws.corpus().canonicalize()) {
        if s.starts_with(&c) {
            return Ok(Outcome::Skipped("already in corpus/; nothing to do".into()));
        }
    }
    let staged = match stage(ws, src, now, seq) {
        Ok(Stage::New(s)) => s,
        Ok(Stage::AlreadyImported(p)) => {
            return Ok(Outcome::Skipped(format!("already imported as {p}; nothing changed")))
        }
        Err(e) => return Ok(failed(&shown, format!("could not read it: {e}"))),
    };
    let kept_as = ws.relative(&staged.final_path);
    let mut report = apply_file(applier, &staged.temp, &kept_as)?;
    for e in &mut report.errors {
        e.file = shown.clone();
    }
    let gave_nothing = report.records == 0 && report.delete_requests == 0;
    if gave_nothing && !report.errors.is_empty() {
        // Nothing was applied; the staged copy is removed when dropped.
        report.file = shown;
        return Ok(Outcome::Failed(report));
    }
    staged.keep().with_context(|| format!("could not keep {kept_as} in the corpus"))?;
    applier.commit()?;
    mark_indexed(ws)?;
    report.file = format!("{shown} → {kept_as}");
    Ok(Outcome::Imported(report))
}
