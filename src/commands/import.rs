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
use crate::store::sync::{mark_indexed, sync, FileError, FileReport};
use crate::store::Workspace;

/// The files to import: each path given, and the PubMed XML files inside
/// each folder given (sorted, not recursive); and what a folder held that
/// is not imported, with why.
fn expand(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        match std::fs::read_dir(p) {
            Ok(entries) if p.is_dir() => {
                let mut inside = Vec::new();
                let mut all: Vec<PathBuf> =
                    entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
                all.sort();
                for f in all {
                    let name = f.file_name().unwrap_or_default().to_string_lossy().into_owned();
                    if f.is_dir() {
                        skipped.push(format!(
                            "{}: a folder inside; not read (import it by name)",
                            f.display()
                        ));
                    } else if crate::store::corpus::is_record_file(&name)
                        && (name.to_ascii_lowercase().contains(".xml")
                            || crate::parse::tagged::detect_file(&f).is_some())
                    {
                        inside.push(f);
                    } else if !name.starts_with('.') {
                        skipped.push(format!(
                            "{}: not a record file (.xml, .ris, .nbib, .txt, .ciw, .csv, or .gz of \
                             one); not read",
                            f.display()
                        ));
                    }
                }
                if inside.is_empty() {
                    out.push(p.clone()); // reported as a folder with nothing to import
                }
                out.extend(inside);
            }
            _ => out.push(p.clone()),
        }
    }
    (out, skipped)
}

/// `--map title=Title,abstract=Summary`: field → column, each field one
/// scoper knows.
pub fn parse_map(pairs: &[String]) -> Result<std::collections::HashMap<String, String>> {
    let fields = crate::parse::tagged::CSV_FIELDS;
    let mut map = std::collections::HashMap::new();
    for p in pairs {
        let Some((field, column)) = p.split_once('=') else {
            anyhow::bail!(
                "--map {p:?}: write FIELD=COLUMN, as in --map title=Title,abstract=Abstract"
            );
        };
        let field = field.trim().to_lowercase();
        if !fields.contains(&field.as_str()) {
            anyhow::bail!("--map {p:?}: no field {field:?}; the fields are {}", fields.join(", "));
        }
        map.insert(field, column.trim().to_string());
    }
    Ok(map)
}

pub fn run(ws: &Workspace, files: &[PathBuf], map: &[String], json: bool) -> Result<i32> {
    let map = parse_map(map)?;
    let (files, skipped) = expand(files);
    let files = &files;
    let (index, earlier) = sync(ws, false)?;
    for e in earlier.errors() {
        eprintln!("warning: {e}");
    }
    // Files an interrupted import or search left in corpus/ are indexed
    // first: say so, or the counts below would not add up.
    if !earlier.files.is_empty() {
        let records: usize = earlier.files.iter().map(|f| f.records).sum();
        let new: usize = earlier.files.iter().map(|f| f.new).sum();
        eprintln!(
            "recovered: {} file(s) in corpus/ that an interrupted import or search had not \
             indexed ({records} records, {new} new in the working set)",
            earlier.files.len()
        );
    }
    // Copies an interrupted import left half made (under the lock, no other
    // import is running): not part of the corpus, removed.
    if let Ok(entries) = std::fs::read_dir(ws.imports()) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(".importing-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let mut applier = index.writer()?;
    // The files of this import come after everything in corpus/, in the
    // order given, however many imports fall within one second.
    let (now, first_seq) = next_stamp(ws, &compact_utc(now_secs()))
        .context("could not read corpus/ to number this import")?;
    let mut reports: Vec<FileReport> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    // Ctrl-C: say what is kept and what to do, instead of nothing. Every
    // file kept so far is in corpus/ and its index state saved; a file
    // being copied is a temporary file, removed or picked up next time.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = done.clone();
    let total = files.len();
    let _ = ctrlc::set_handler(move || {
        let n = seen.load(std::sync::atomic::Ordering::SeqCst);
        eprintln!(
            "\ninterrupted: {n} of {total} file(s) were imported and are kept; the file being \
             imported and the ones after it were not (run the same import again: the files \
             already imported are recognised and skipped)"
        );
        std::process::exit(130);
    });
    for (i, src) in files.iter().enumerate() {
        let shown = src.display().to_string();
        match import_one(ws, &mut applier, src, &now, first_seq + i as u64, &map)? {
            Outcome::Imported(r) => {
                reports.push(r);
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
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
            "files": reports.iter().filter(|r| r.records > 0 || r.delete_requests > 0).count(),
            "skipped": skipped,
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
        for s in &skipped {
            writeln!(w, "skipped {s}")?;
        }
        for r in reports.iter().filter(|r| r.records + r.delete_requests > 0 || r.errors.is_empty())
        {
            writeln!(
                w,
                "{}: {} ({} new, {} updated, {} unchanged){}",
                r.file,
                crate::report::count(r.records, "record"),
                r.new,
                r.updated,
                r.unchanged,
                deletion_note(r)
            )?;
        }
        writeln!(
            w,
            "imported {}: {}, {new} new, {updated} updated, {deleted} deleted from the working \
             set; {} in the working set now",
            crate::report::count(
                reports.iter().filter(|r| r.records > 0 || r.delete_requests > 0).count(),
                "file"
            ),
            crate::report::count(records, "record"),
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

/// The faults of a file already in the corpus (a check that applies
/// nothing): (kind, line, PMID, message).
fn faults_of(path: &Path) -> Vec<(&'static str, Option<u64>, Option<String>, String)> {
    // A RIS, MEDLINE, Web of Science or CSV file: its faults in its own
    // format's words (it was read as PubMed XML, and every re-import of an
    // export 'still had' an XML fault and exited 1).
    if let Some(format) = crate::parse::tagged::detect_file(path) {
        let map: std::collections::HashMap<String, String> =
            std::fs::read(crate::store::sync::map_file_of(path))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default();
        let Ok(input) = crate::parse::open(path) else { return Vec::new() };
        let faults = crate::parse::tagged::parse_reader(format, input, "", &map, &mut |_| Ok(()))
            .unwrap_or_default();
        return faults
            .into_iter()
            .map(|f| ("record", Some(f.line as u64), None, f.message))
            .collect();
    }
    let Ok(input) = crate::parse::open(path) else { return Vec::new() };
    crate::parse::records_parallel(input, 2)
        .filter_map(Result::err)
        .map(|e| (e.kind.name(), crate::parse::line_of(path, e.offset), e.pmid, e.message))
        .collect()
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
    failed_as(file, "io", message)
}

fn failed_as(file: &str, kind: &'static str, message: String) -> Outcome {
    Outcome::Failed(FileReport {
        file: file.to_string(),
        errors: vec![FileError { kind, file: file.to_string(), line: None, pmid: None, message }],
        ..FileReport::default()
    })
}

fn import_one(
    ws: &Workspace,
    applier: &mut crate::store::index::Applier,
    src: &Path,
    now: &str,
    seq: u64,
    map: &std::collections::HashMap<String, String>,
) -> Result<Outcome> {
    let shown = src.display().to_string();
    if !src.exists() {
        return Ok(failed(&shown, "no such file (check the path)".into()));
    }
    if src.is_dir() {
        return Ok(failed(
            &shown,
            "is a folder with no record file in it (PubMed XML, or a RIS, MEDLINE, Web of Science \
             or CSV export)"
                .into(),
        ));
    }
    let tagged = crate::parse::tagged::detect_file(src);
    if tagged.is_none() {
        if let Some(f) = crate::parse::sniff::foreign(src) {
            return Ok(failed_as(
                &shown,
                "not_pubmed",
                format!("this is {}.\n(hint: {})", f.what, f.advice),
            ));
        }
    }
    if !map.is_empty() && tagged != Some(crate::parse::tagged::Format::Csv) {
        return Ok(failed_as(
            &shown,
            "usage",
            "--map names the columns of a CSV file, and this is not one".into(),
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
            // The same bytes again: nothing changes, but a fault the file
            // has is said again, every time.
            let faults = faults_of(&ws.root().join(&p));
            if faults.is_empty() {
                return Ok(Outcome::Skipped(format!("already imported as {p}; nothing changed")));
            }
            return Ok(Outcome::Failed(FileReport {
                file: shown.clone(),
                errors: faults
                    .into_iter()
                    .map(|(kind, line, pmid, message)| FileError {
                        kind,
                        file: shown.clone(),
                        line,
                        pmid,
                        message: format!(
                            "already imported as {p} (nothing changed), and the file still has \
                             this fault: {message}"
                        ),
                    })
                    .collect(),
                ..FileReport::default()
            }));
        }
        Err(e) => return Ok(failed(&shown, format!("could not read it: {e}"))),
    };
    let kept_as = ws.relative(&staged.final_path);
    let map_path = crate::store::sync::map_file_of(&staged.final_path);
    if !map.is_empty() {
        // The mapping is kept beside the file, for every rebuild to come.
        crate::store::atomic::write_atomic(&map_path, &serde_json::to_vec_pretty(map)?)
            .with_context(|| format!("could not keep the column mapping of {kept_as}"))?;
    }
    let mut report = match crate::store::sync::apply_file_as(
        applier,
        &staged.parse_from,
        &kept_as,
        Some(&staged.final_path),
    ) {
        Ok(r) => r,
        Err(e) => {
            staged.discard();
            let _ = std::fs::remove_file(&map_path);
            return Ok(failed_as(&shown, "not_readable", format!("{e:#}")));
        }
    };
    for e in &mut report.errors {
        e.file = shown.clone();
    }
    // A fault in a .gz file may be damage to the compressed data: say so,
    // where, and what was read before it.
    if !report.errors.is_empty() || report.records == 0 {
        if let Some((at, why)) = crate::parse::sniff::gzip_damage(&staged.parse_from) {
            let kind = tagged.map_or("XML", |f| f.name());
            report.errors = vec![FileError {
                kind: "damaged",
                file: shown.clone(),
                line: None,
                pmid: None,
                message: if why.contains("checksum") {
                    format!(
                        "the gzip data is damaged: its checksum does not match, so some of its \
                         {at} bytes of {kind} are not what was compressed; {} records were read \
                         before the parser stopped{} (download the file again, then import it)",
                        report.records,
                        if report.records > 0 { " and kept" } else { "" }
                    )
                } else {
                    format!(
                        "the gzip data is damaged after {at} bytes of {kind} ({why}); the {} records \
                         before the damage were read{} (download the file again)",
                        report.records,
                        if report.records > 0 { " and kept" } else { "" }
                    )
                },
            }];
        }
    }
    let gave_nothing = report.records == 0 && report.delete_requests == 0;
    if gave_nothing {
        // Nothing was applied; the staged copy is removed: a file that gave
        // nothing leaves no trace.
        staged.discard();
        let _ = std::fs::remove_file(&map_path);
        if report.errors.is_empty() {
            return Ok(Outcome::Skipped("holds no record; not kept".into()));
        }
        report.file = shown;
        return Ok(Outcome::Failed(report));
    }
    staged.keep().with_context(|| format!("could not keep {kept_as} in the corpus"))?;
    applier.commit()?;
    mark_indexed(ws)?;
    report.file = format!("{shown} → {kept_as}");
    Ok(Outcome::Imported(report))
}
