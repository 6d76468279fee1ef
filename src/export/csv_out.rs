//! `scoper export csv`: the charted data, one row per included record
//! (wide), one row per record and field (`--long`), or every record with
//! every reviewer's decisions (`--all`, the audit trail). UTF-8, one header
//! row, RFC 4180 quoting (the csv crate), formulas neutralised.

use std::io::Write;

use anyhow::Result;

use super::{safe_cell, Review};
use crate::chart::display;
use crate::parse::{Pmid, Record};
use crate::screen::decisions::Stage;

/// The shape of the CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Wide,
    Long,
    All,
}

/// The columns and values of one included record, in order.
fn record_row(review: &Review, r: &Record) -> Vec<(String, String)> {
    let mut row: Vec<(String, String)> = vec![
        ("pmid".into(), r.pmid.to_string()),
        ("database".into(), r.database().to_string()),
        ("doi".into(), r.doi.clone().unwrap_or_default()),
        (
            "authors".into(),
            r.authors.iter().map(|a| a.display_name()).collect::<Vec<_>>().join("; "),
        ),
        ("year".into(), r.year.map(|y| y.to_string()).unwrap_or_default()),
        ("title".into(), r.title.clone()),
        ("journal".into(), r.journal.clone().unwrap_or_default()),
    ];
    let mut reasons = Vec::new();
    for stage in &review.stages {
        let prefix = match stage {
            Stage::TitleAbstract => "ta",
            Stage::FullText => "ft",
        };
        let (decision, by) = review.final_at(r.pmid, *stage);
        row.push((format!("{prefix}_decision"), decision));
        row.push((format!("{prefix}_decided_by"), by));
        for d in review.decisions.on(r.pmid, *stage) {
            if let Some(reason) = &d.reason {
                let reason = review.decisions.method.reason(reason);
                reasons.push(format!("{} ({}): {reason}", d.reviewer, stage.name()));
            }
        }
    }
    row.push(("exclusion_reasons".into(), reasons.join("; ")));
    for f in &review.form.fields {
        let v = review.charts.value(r.pmid, &f.id).map(|e| display(&e.value)).unwrap_or_default();
        row.push((format!("chart_{}", f.id), v));
    }
    // The fields whose value is not final yet: left empty above, named here.
    let open: Vec<String> = review
        .charts
        .unreconciled(r.pmid, &review.form)
        .into_iter()
        .map(|(f, why)| format!("{f} ({why})"))
        .collect();
    row.push(("chart_unreconciled".into(), open.join("; ")));
    let concepts = review.concepts_of(r.pmid);
    if let Some(tags) = review.view.tag_set() {
        for e in &tags.elements {
            let mine = concepts.get(&e.id).cloned().unwrap_or_default();
            for (c, _) in &e.concepts {
                let on = mine.contains(c);
                row.push((format!("concept_{c}"), if on { "1" } else { "0" }.into()));
            }
            row.push((format!("element_{}", e.id), mine.len().to_string()));
        }
    }
    let evidence: Vec<String> = review
        .view
        .hits(r.pmid)
        .iter()
        .map(|h| format!("{}: {}", h.concept, crate::chart::sentence_of(r, h)))
        .collect();
    row.push(("evidence".into(), evidence.join(" | ")));
    row
}

/// Writes the CSV of `shape`; returns the number of rows (records, or
/// record-field pairs for the long shape).
pub fn write(review: &Review, shape: Shape, out: &mut dyn Write) -> Result<usize> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    let mut rows = 0;
    match shape {
        Shape::Wide | Shape::Long => {
            let mut header_written = false;
            for p in review.included() {
                let Some(r) = review.view.get(p)? else { continue };
                let row = record_row(review, &r);
                if shape == Shape::Long {
                    if !header_written {
                        w.write_record(["pmid", "field", "value", "reviewer"])?;
                        header_written = true;
                    }
                    for (k, v) in row.iter().skip(1) {
                        // A chart field: its final value, then each
                        // reviewer's (everyone's values, for the audit).
                        let field = k.strip_prefix("chart_").filter(|f| *f != "unreconciled");
                        let who = if field.is_some() { "final" } else { "" };
                        w.write_record([r.pmid.to_string(), k.clone(), safe_cell(v), who.into()])?;
                        rows += 1;
                        for e in field.map(|f| review.charts.values(r.pmid, f)).unwrap_or_default()
                        {
                            let who = if e.settles {
                                format!("{} (settling)", e.reviewer)
                            } else {
                                e.reviewer.clone()
                            };
                            let v = safe_cell(&display(&e.value));
                            w.write_record([r.pmid.to_string(), k.clone(), v, who])?;
                            rows += 1;
                        }
                    }
                    continue;
                }
                if !header_written {
                    w.write_record(row.iter().map(|(k, _)| k.as_str()))?;
                    header_written = true;
                }
                w.write_record(row.iter().map(|(_, v)| safe_cell(v)))?;
                rows += 1;
            }
            if !header_written {
                // No included record yet: the header alone, so the file's
                // shape is known.
                let header: Vec<String> = match shape {
                    Shape::Long => {
                        vec!["pmid".into(), "field".into(), "value".into(), "reviewer".into()]
                    }
                    _ => {
                        let mut h: Vec<String> =
                            ["pmid", "database", "doi", "authors", "year", "title", "journal"]
                                .map(String::from)
                                .to_vec();
                        h.extend(review.form.fields.iter().map(|f| format!("chart_{}", f.id)));
                        h
                    }
                };
                w.write_record(header)?;
            }
        }
        Shape::All => {
            // While screening is blind, nobody's decisions are written: the
            // records alone.
            let blind = review.decisions.blind();
            let reviewers: Vec<String> = if blind {
                Vec::new()
            } else {
                review.decisions.by_reviewer.keys().cloned().collect()
            };
            let mut header: Vec<String> =
                ["pmid", "database", "year", "title"].map(String::from).to_vec();
            for stage in review.stages.iter().filter(|_| !blind) {
                let s = stage.name();
                header.push(format!("{s}: final"));
                for r in &reviewers {
                    header.extend([
                        format!("{s}: {r}"),
                        format!("{s}: {r}: reason"),
                        format!("{s}: {r}: note"),
                    ]);
                }
            }
            w.write_record(&header)?;
            for r in review.view.records()? {
                let r = r?;
                let mut row = vec![
                    r.pmid.to_string(),
                    r.database().to_string(),
                    r.year.map(|y| y.to_string()).unwrap_or_default(),
                    r.title.clone(),
                ];
                for stage in review.stages.iter().filter(|_| !blind) {
                    row.push(review.final_at(r.pmid, *stage).0);
                    for name in &reviewers {
                        let d = review.decisions.of(name, r.pmid, *stage);
                        row.push(d.map(|d| d.decision.name().to_string()).unwrap_or_default());
                        row.push(d.and_then(|d| d.reason.clone()).unwrap_or_default());
                        let note = review.decisions.note_of(name, r.pmid, *stage);
                        row.push(note.unwrap_or_default().to_string());
                    }
                }
                w.write_record(row.iter().map(|v| safe_cell(v)))?;
                rows += 1;
            }
        }
    }
    w.flush()?;
    Ok(rows)
}

/// The PMIDs of the rows of the wide CSV, for messages.
pub fn rows_of(review: &Review) -> Vec<Pmid> {
    review.included()
}
