//! `scoper prisma` (the flow counts and diagram), `scoper report` (the
//! HTML page), and what `scoper run` writes to `exports/`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::view;
use crate::export::csv_out::{self, Shape};
use crate::export::prisma::{self, reasons_text};
use crate::export::{figures, report, Review};
use crate::report::out;
use crate::store::atomic::{write_atomic, write_atomic_with};
use crate::store::output::write_output;
use crate::store::Workspace;

fn save(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, bytes)
        .with_context(|| format!("could not write {} (nothing was written there)", path.display()))
}

pub fn run(ws: &Workspace, csv: Option<&Path>, svg: Option<&Path>, json: bool) -> Result<i32> {
    let review = Review::load(ws, view(ws)?)?;
    for p in review.problems() {
        eprintln!("warning: {p}");
    }
    let c = prisma::counts(&review)?;
    if let Some(path) = csv {
        write_output(ws, path, |w| prisma::template_csv(&c, w))?;
        eprintln!("wrote the PRISMA2020 template's CSV to {}", path.display());
    }
    if let Some(path) = svg {
        write_output(ws, path, |w| Ok(w.write_all(prisma::svg(&c).as_bytes())?))?;
        eprintln!("wrote the flow diagram to {}", path.display());
    }
    let mut w = out();
    if json {
        writeln!(w, "{}", serde_json::to_string_pretty(&c)?)?;
        return Ok(0);
    }
    writeln!(w, "Method: {}", c.screening_method)?;
    writeln!(w, "Identification")?;
    writeln!(w, "  records identified from databases      {:>6}", c.database_results)?;
    for (db, n) in &c.database_specific_results {
        writeln!(w, "    {db:<36} {n:>6}")?;
    }
    writeln!(w, "  duplicates removed                     {:>6}", c.duplicates)?;
    writeln!(w, "  removed for other reasons              {:>6}", c.excluded_other)?;
    writeln!(w, "Screening")?;
    writeln!(w, "  records screened                       {:>6}", c.records_screened)?;
    writeln!(w, "  records excluded                       {:>6}", c.records_excluded)?;
    if !c.records_excluded_reasons.is_empty() {
        writeln!(w, "    {}", reasons_text(&c.records_excluded_reasons))?;
    }
    writeln!(w, "  reports sought for retrieval           {:>6}", c.dbr_sought_reports)?;
    writeln!(w, "  reports assessed for eligibility       {:>6}", c.dbr_assessed)?;
    writeln!(w, "  reports excluded                       {:>6}", c.dbr_excluded)?;
    if !c.dbr_excluded_reasons.is_empty() {
        writeln!(w, "    {}", reasons_text(&c.dbr_excluded_reasons))?;
    }
    writeln!(w, "Included")?;
    writeln!(w, "  studies included                       {:>6}", c.total_studies)?;
    if c.previous_studies > 0 {
        writeln!(w, "    previous {} + new {}", c.previous_studies, c.new_studies)?;
    }
    let second: usize = c.awaiting_second.values().sum();
    if c.awaiting_screening > 0 || !c.conflicts.is_empty() || c.awaiting_full_text > 0 || second > 0
    {
        writeln!(
            w,
            "In progress: {} not screened yet; {} awaiting a second reviewer; {} awaiting a \
             full-text decision; conflicts not settled: {}",
            c.awaiting_screening,
            by_stage(&c.awaiting_second),
            c.awaiting_full_text,
            by_stage(&c.conflicts)
        )?;
    }
    Ok(0)
}

/// "2 at title-abstract, 1 at full-text", or "none".
fn by_stage(m: &std::collections::BTreeMap<String, usize>) -> String {
    if m.is_empty() {
        return "none".into();
    }
    m.iter().map(|(s, n)| format!("{n} at {s}")).collect::<Vec<_>>().join(", ")
}

/// Writes the CSV, the PRISMA counts (JSON and the template's CSV), both
/// figures and the report to `dir`; returns the files written.
pub fn write_all(review: &Review, dir: &Path) -> Result<Vec<PathBuf>> {
    let c = prisma::counts(review)?;
    let mut written = Vec::new();
    let mut file = |name: &str| {
        let p = dir.join(name);
        written.push(p.clone());
        p
    };
    let p = file("charted.csv");
    write_atomic_with(&p, |w| csv_out::write(review, Shape::Wide, w).map(|_| ()))
        .with_context(|| format!("could not write {}", p.display()))?;
    let p = file("prisma.json");
    save(&p, serde_json::to_string_pretty(&c)?.as_bytes())?;
    let p = file("prisma.csv");
    write_atomic_with(&p, |w| prisma::template_csv(&c, w))
        .with_context(|| format!("could not write {}", p.display()))?;
    let p = file("prisma.svg");
    save(&p, prisma::svg(&c).as_bytes())?;
    let p = file("concept-map.svg");
    save(&p, figures::concept_map_svg(review).as_bytes())?;
    let p = file("report.html");
    save(&p, report::html(review, &c).as_bytes())?;
    Ok(written)
}

pub fn report(ws: &Workspace, dir: &Path) -> Result<i32> {
    let dir = if dir.is_relative() { ws.root().join(dir) } else { dir.to_path_buf() };
    let review = Review::load(ws, view(ws)?)?;
    for p in review.problems() {
        eprintln!("warning: {p}");
    }
    let c = prisma::counts(&review)?;
    // The folder is made when its parent is there (exports/ at first).
    if !dir.is_dir() && dir.parent().is_some_and(Path::is_dir) {
        std::fs::create_dir(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    }
    let path = dir.join("report.html");
    write_output(ws, &path, |w| Ok(w.write_all(report::html(&review, &c).as_bytes())?))?;
    writeln!(
        crate::report::out(),
        "wrote {} (one page: open it in a browser; it loads nothing from the network)",
        path.display()
    )?;
    Ok(0)
}
