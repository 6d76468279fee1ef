//! The PRISMA 2020 / PRISMA-ScR flow: the counts, under the field names of
//! the PRISMA2020 flow-diagram template (`database_results`, `duplicates`,
//! `records_screened`, ...), its CSV, and a flow diagram as SVG.
//!
//! Definitions (what scoper counts):
//! - `database_results`: for each saved search, the PMIDs its complete runs
//!   found (each once per search), summed over the searches; plus records
//!   imported from files that no search found;
//! - `duplicates`: records found by more than one search, counted once
//!   (the sum over searches less the distinct PMIDs they found), plus the
//!   records that duplicate another from another source (`scoper
//!   duplicates`: every member of a group but its primary);
//! - `excluded_other`: records found that are not in the working set
//!   (deleted by PubMed, or never delivered);
//! - `records_screened`: records with a final title-abstract decision
//!   (as many reviewers as the protocol asks for agree, or a settling
//!   decision); `records_excluded`: those excluded;
//!   `dbr_sought_reports`: those included or marked maybe (they go on);
//! - `dbr_assessed`: records with a final full-text decision of include
//!   or exclude; `dbr_excluded`: those excluded, by reason;
//! - `new_studies`: included at the last stage; for an updated review,
//!   `previous_studies` are those that did not come with the last update.
//!
//! So `records_screened = records_excluded + dbr_sought_reports` and
//! `dbr_assessed = dbr_excluded + total_studies`. Records not screened yet,
//! awaiting a second reviewer, and disagreements not settled, are reported
//! apart. Reasons are the protocol's; a reviewer's own reads `other: …`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{esc, Review};
use crate::parse::tagged::database_name;
use crate::parse::Pmid;
use crate::screen::decisions::{Outcome, Stage, Verdict};

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub database_results: usize,
    /// (search, records it found).
    pub database_specific_results: Vec<(String, usize)>,
    /// Records imported from files that no saved search found.
    pub imported_results: usize,
    /// Of those, by the file they came from: (file, database, date, records).
    pub imported_files: Vec<ImportedFile>,
    pub duplicates: usize,
    pub excluded_other: usize,
    pub records_screened: usize,
    pub records_excluded: usize,
    /// Title-abstract exclusions by reason.
    pub records_excluded_reasons: Vec<(String, usize)>,
    pub dbr_sought_reports: usize,
    pub dbr_notretrieved_reports: usize,
    pub dbr_assessed: usize,
    pub dbr_excluded: usize,
    /// Full-text exclusions by reason.
    pub dbr_excluded_reasons: Vec<(String, usize)>,
    pub previous_studies: usize,
    pub new_studies: usize,
    pub total_studies: usize,
    /// Records in the working set not screened at title-abstract yet.
    pub awaiting_screening: usize,
    /// Records whose reviewers disagree, at each stage, not settled yet.
    pub conflicts: BTreeMap<String, usize>,
    /// Records with fewer decisions than the protocol asks for (all in
    /// agreement so far), at each stage: awaiting a second reviewer.
    pub awaiting_second: BTreeMap<String, usize>,
    /// Reviewers the protocol asks for on each record (1: a
    /// single-reviewer review).
    pub reviewers_per_record: usize,
    /// How the records were screened, in a sentence.
    pub screening_method: String,
    /// Records sought at full text without a final full-text decision yet.
    pub awaiting_full_text: usize,
}

/// One imported file, for PRISMA-S: what it is, from where, when.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportedFile {
    /// The file as kept in corpus/ (its name says when it was imported).
    pub file: String,
    pub database: String,
    /// The day it was imported (YYYY-MM-DD), from the kept file's stamp.
    pub imported_on: String,
    /// Its records in the working set (before duplicates are removed).
    pub records: usize,
}

fn by_reason(reasons: Vec<String>) -> Vec<(String, usize)> {
    let mut m: BTreeMap<String, usize> = BTreeMap::new();
    for r in reasons {
        *m.entry(r).or_default() += 1;
    }
    let mut v: Vec<(String, usize)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// The flow of `review`.
pub fn counts(review: &Review) -> anyhow::Result<Counts> {
    let (last_update, _) = crate::screen::last_update(&review.searches);
    let mut c = Counts {
        reviewers_per_record: review.decisions.method.required(Stage::TitleAbstract),
        screening_method: review.decisions.method.describe(review.decisions.unblinded.as_ref()),
        ..Counts::default()
    };
    let secondary = review.view.secondary();
    let all: BTreeSet<Pmid> = review.view.pmids()?.into_iter().collect();
    // Records that duplicate another from another source are removed before
    // screening (grouped by `scoper duplicates`).
    let cross_source = all.iter().filter(|p| secondary.contains_key(p)).count();
    let working: BTreeSet<Pmid> =
        all.iter().copied().filter(|p| !secondary.contains_key(p)).collect();
    let mut per_search: BTreeMap<String, BTreeSet<Pmid>> = BTreeMap::new();
    for run in review.searches.iter().filter(|r| r.is_complete()) {
        per_search.entry(run.query.clone()).or_default().extend(run.pmids.iter().copied());
    }
    let found: BTreeSet<Pmid> = per_search.values().flatten().copied().collect();
    c.database_specific_results =
        per_search.iter().map(|(q, s)| (format!("PubMed, saved search {q}"), s.len())).collect();
    let summed: usize = per_search.values().map(BTreeSet::len).sum();
    c.imported_results = all.difference(&found).count();
    // What the files brought, by database and by file (PRISMA-S): read from
    // the records themselves, which name their source.
    if c.imported_results > 0 {
        let mut files: BTreeMap<(String, String), ImportedFile> = BTreeMap::new();
        for r in review.view.records()? {
            let r = r?;
            if found.contains(&r.pmid) {
                continue;
            }
            let (file, database) = match &r.source {
                Some(s) => (s.file.clone(), database_name(&s.database).to_string()),
                None => ("PubMed XML files in corpus/".to_string(), "PubMed".to_string()),
            };
            let f = files.entry((file.clone(), database.clone())).or_insert_with(|| ImportedFile {
                imported_on: imported_on(&file),
                file,
                database,
                records: 0,
            });
            f.records += 1;
        }
        let mut by_db: BTreeMap<String, usize> = BTreeMap::new();
        for f in files.values() {
            *by_db.entry(f.database.clone()).or_default() += f.records;
        }
        c.database_specific_results
            .extend(by_db.into_iter().map(|(db, n)| (format!("{db}, imported from files"), n)));
        c.imported_files = files.into_values().collect();
    }
    c.database_results = summed + c.imported_results;
    c.duplicates = summed - found.len() + cross_source;
    c.excluded_other = found.difference(&all).count();

    let ta = Stage::TitleAbstract;
    let mut ta_reasons = Vec::new();
    let mut sought = Vec::new();
    for p in &working {
        match review.decisions.outcome(*p, ta) {
            Outcome::Open => c.awaiting_screening += 1,
            Outcome::Awaiting(_) => *c.awaiting_second.entry(ta.name().into()).or_default() += 1,
            Outcome::Conflict => *c.conflicts.entry(ta.name().into()).or_default() += 1,
            Outcome::Final(Verdict::Exclude) => {
                c.records_screened += 1;
                c.records_excluded += 1;
                ta_reasons.extend(review.exclusion_reason(*p, ta));
            }
            Outcome::Final(_) => {
                c.records_screened += 1;
                sought.push(*p);
            }
        }
    }
    c.records_excluded_reasons = by_reason(ta_reasons);
    c.dbr_sought_reports = sought.len();
    let included: Vec<Pmid> = if review.stages.contains(&Stage::FullText) {
        let ft = Stage::FullText;
        let mut ft_reasons = Vec::new();
        let mut inc = Vec::new();
        for p in &sought {
            match review.decisions.outcome(*p, ft) {
                Outcome::Final(Verdict::Include) => inc.push(*p),
                Outcome::Final(Verdict::Exclude) => {
                    c.dbr_excluded += 1;
                    ft_reasons.extend(review.exclusion_reason(*p, ft));
                }
                Outcome::Conflict => {
                    *c.conflicts.entry(ft.name().into()).or_default() += 1;
                    c.awaiting_full_text += 1;
                }
                Outcome::Awaiting(_) => {
                    *c.awaiting_second.entry(ft.name().into()).or_default() += 1;
                    c.awaiting_full_text += 1;
                }
                _ => c.awaiting_full_text += 1,
            }
        }
        c.dbr_excluded_reasons = by_reason(ft_reasons);
        inc
    } else {
        sought
            .iter()
            .copied()
            .filter(|p| {
                review.decisions.outcome(*p, Stage::TitleAbstract)
                    == Outcome::Final(Verdict::Include)
            })
            .collect()
    };
    c.dbr_assessed = c.dbr_excluded + included.len();
    c.total_studies = included.len();
    if last_update.is_empty() {
        c.new_studies = included.len();
    } else {
        c.new_studies = included.iter().filter(|p| last_update.contains(p)).count();
        c.previous_studies = c.total_studies - c.new_studies;
    }
    Ok(c)
}

/// The day in a kept file's stamp (`…/20261126T151500Z-000001-…`), as
/// YYYY-MM-DD; empty for a file placed by hand.
fn imported_on(file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    crate::store::corpus::stamp_of(name)
        .map(|(t, _)| format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..8]))
        .unwrap_or_default()
}

/// `Reason, n; Reason, n` as the template writes reasons.
pub fn reasons_text(reasons: &[(String, usize)]) -> String {
    reasons.iter().map(|(r, n)| format!("{r}, {n}")).collect::<Vec<_>>().join("; ")
}

/// The counts as the PRISMA2020 template's CSV: the columns `data`,
/// `node`, `box`, `description`, `boxtext`, `tooltips`, `url`, `n`, one row
/// per field, so the PRISMA2020 tools can draw it.
pub fn template_csv(c: &Counts, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let n = |v: usize| v.to_string();
    // (data, node, box, description, count)
    let rows: Vec<(&str, &str, &str, &str, String)> = vec![
        (
            "previous_studies",
            "node5",
            "box1",
            "Studies included in the previous version of the review",
            n(c.previous_studies),
        ),
        (
            "database_results",
            "node7",
            "box2",
            "Records identified from databases",
            n(c.database_results),
        ),
        ("register_results", "NA", "box2", "Records identified from registers", n(0)),
        ("website_results", "node17", "box11", "Records identified from websites", n(0)),
        ("organisation_results", "NA", "box11", "Records identified from organisations", n(0)),
        ("citations_results", "NA", "box11", "Records identified from citation searching", n(0)),
        ("duplicates", "node8", "box3", "Duplicate records removed", n(c.duplicates)),
        (
            "excluded_automatic",
            "NA",
            "box3",
            "Records marked as ineligible by automation tools",
            n(0),
        ),
        ("excluded_other", "NA", "box3", "Records removed for other reasons", n(c.excluded_other)),
        ("records_screened", "node9", "box4", "Records screened", n(c.records_screened)),
        ("records_excluded", "node10", "box5", "Records excluded", n(c.records_excluded)),
        (
            "dbr_sought_reports",
            "node11",
            "box6",
            "Reports sought for retrieval",
            n(c.dbr_sought_reports),
        ),
        (
            "dbr_notretrieved_reports",
            "node12",
            "box7",
            "Reports not retrieved",
            n(c.dbr_notretrieved_reports),
        ),
        ("dbr_assessed", "node13", "box8", "Reports assessed for eligibility", n(c.dbr_assessed)),
        (
            "dbr_excluded",
            "node14",
            "box9",
            "Reports excluded, with reasons",
            reasons_text(&c.dbr_excluded_reasons),
        ),
        ("new_studies", "node15", "box10", "New studies included in the review", n(c.new_studies)),
        (
            "total_studies",
            "node22",
            "box16",
            "Total studies included in the review",
            n(c.total_studies),
        ),
    ];
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"])?;
    for (data, node, bx, desc, count) in rows {
        // A reason is the reviewers' text: "=HYPERLINK(...)" must not start
        // a cell (the reasons are sorted, so one can come first).
        let count = super::safe_cell(&count);
        w.write_record([data, node, bx, desc, desc, desc, "NA", &count])?;
    }
    w.flush()?;
    Ok(())
}

/// Lines of at most `width` characters; an indented text stays indented.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let indent = if text.starts_with("  ") { "  " } else { "" };
    let mut lines = Vec::new();
    let mut line = String::from(indent);
    for word in text.split_whitespace() {
        if !line.trim().is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::replace(&mut line, indent.to_string()));
        }
        if !line.trim().is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.trim().is_empty() {
        lines.push(line);
    }
    lines
}

/// A box of text at (x, y), `w` wide; returns its height.
fn text_box(svg: &mut String, x: f32, y: f32, w: f32, lines: &[String]) -> f32 {
    text_box_with(svg, x, y, w, lines, "")
}

/// A box of text, its border drawn with `extra` attributes.
fn text_box_with(svg: &mut String, x: f32, y: f32, w: f32, lines: &[String], extra: &str) -> f32 {
    let h = 16.0 + lines.len() as f32 * 17.0;
    svg.push_str(&format!(
        "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"4\" fill=\"#fff\" stroke=\"#222\" stroke-width=\"1.2\"{extra}/>\n"
    ));
    for (i, l) in lines.iter().enumerate() {
        // An indented line (a part of the line above) is set in a little.
        let indent = if l.starts_with("  ") { 14.0 } else { 0.0 };
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\">{}</text>\n",
            x + 10.0 + indent,
            y + 22.0 + i as f32 * 17.0,
            esc(l.trim_start())
        ));
    }
    h
}

fn arrow(svg: &mut String, x1: f32, y1: f32, x2: f32, y2: f32) {
    svg.push_str(&format!(
        "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"#222\" stroke-width=\"1.4\" marker-end=\"url(#arrow)\"/>\n"
    ));
}

/// The height a phase's label needs, written upwards.
fn phase_height(label: &str) -> f32 {
    label.chars().count() as f32 * 8.5 + 20.0
}

/// Where the flow diagram is drawn: the main boxes down the left, what
/// leaves the flow to their right.
struct Flow {
    body: String,
    y: f32,
    /// The bottom of the last box on the left, where the next arrow starts.
    left_bottom: Option<f32>,
    phases: Vec<(&'static str, f32, f32)>,
}

const LEFT_X: f32 = 130.0;
const RIGHT_X: f32 = 510.0;
const BOX_W: f32 = 330.0;
const GAP: f32 = 34.0;
/// Characters a box's line holds.
const LINE: usize = 52;

impl Flow {
    /// One row: a box on the left (with the arrow down into it from the
    /// row above) and, when there is one, a box on the right with an arrow
    /// to it.
    fn row(&mut self, left: &[String], right: &[String]) {
        if let Some(from) = self.left_bottom {
            self.y += GAP;
            arrow(&mut self.body, LEFT_X + BOX_W / 2.0, from, LEFT_X + BOX_W / 2.0, self.y - 2.0);
        }
        let h1 = text_box(&mut self.body, LEFT_X, self.y, BOX_W, left);
        let mut h = h1;
        if !right.is_empty() {
            let h2 = text_box(&mut self.body, RIGHT_X, self.y, BOX_W, right);
            let mid = self.y + h1.min(h2) / 2.0;
            arrow(&mut self.body, LEFT_X + BOX_W, mid, RIGHT_X - 2.0, mid);
            h = h.max(h2);
        }
        self.left_bottom = Some(self.y + h1);
        self.y += h;
    }

    /// Closes a phase begun at `top`: its label runs down the left margin.
    fn phase(&mut self, label: &'static str, top: f32) {
        self.y = self.y.max(top + phase_height(label));
        self.phases.push((label, top, self.y));
    }
}

/// Lines of text, wrapped to a box.
fn lines(texts: &[String]) -> Vec<String> {
    texts.iter().flat_map(|l| wrap(l, LINE)).collect()
}

/// A count and its parts by reason, indented.
fn with_reasons(head: String, reasons: &[(String, usize)]) -> Vec<String> {
    let mut v = vec![head];
    v.extend(reasons.iter().map(|(r, n)| format!("  {r} (n = {n})")));
    lines(&v)
}

/// The flow diagram, fit for a paper: the main boxes down the left, the
/// removed and excluded records to the right, a phase label on each row.
pub fn svg(c: &Counts) -> String {
    let mut f = Flow { body: String::new(), y: 20.0, left_bottom: None, phases: Vec::new() };

    let top = f.y;
    let mut ident = vec![format!("Records identified from databases (n = {})", c.database_results)];
    for (db, n) in &c.database_specific_results {
        ident.push(format!("  {db} (n = {n})"));
    }
    let removed = [
        "Records removed before screening:".to_string(),
        format!("  Duplicate records (n = {})", c.duplicates),
        format!("  Removed for other reasons (n = {})", c.excluded_other),
    ];
    f.row(&lines(&ident), &lines(&removed));
    f.phase("Identification", top);

    let top = f.y + GAP;
    f.row(
        &lines(&[format!("Records screened (n = {})", c.records_screened)]),
        &with_reasons(
            format!("Records excluded (n = {})", c.records_excluded),
            &c.records_excluded_reasons,
        ),
    );
    f.row(
        &lines(&[format!("Reports sought for retrieval (n = {})", c.dbr_sought_reports)]),
        &lines(&[format!("Reports not retrieved (n = {})", c.dbr_notretrieved_reports)]),
    );
    f.row(
        &lines(&[format!("Reports assessed for eligibility (n = {})", c.dbr_assessed)]),
        &with_reasons(
            format!("Reports excluded (n = {})", c.dbr_excluded),
            &c.dbr_excluded_reasons,
        ),
    );
    f.phase("Screening", top);

    let top = f.y + GAP;
    let mut inc = vec![format!("Studies included in the review (n = {})", c.total_studies)];
    if c.previous_studies > 0 {
        inc.push(format!("  from the previous version (n = {})", c.previous_studies));
        inc.push(format!("  new with this update (n = {})", c.new_studies));
    }
    let mut pending = Vec::new();
    if c.awaiting_screening > 0 {
        pending.push(format!("Not screened yet (n = {})", c.awaiting_screening));
    }
    for (stage, n) in &c.awaiting_second {
        pending.push(format!("Awaiting a second reviewer at {stage} (n = {n})"));
    }
    for (stage, n) in &c.conflicts {
        pending.push(format!("Disagreements at {stage} not settled (n = {n})"));
    }
    if c.awaiting_full_text > 0 {
        pending.push(format!("Awaiting a full-text decision (n = {})", c.awaiting_full_text));
    }
    if !pending.is_empty() {
        pending.insert(0, "In progress:".to_string());
    }
    f.row(&lines(&inc), &[]);
    f.phase("Included", top);
    if !pending.is_empty() {
        // Not part of the flow: a dashed box of its own, below it, with no
        // arrow into it.
        f.y += GAP;
        let w = RIGHT_X + BOX_W - LEFT_X;
        let dashed = " stroke-dasharray=\"5 4\"";
        f.y += text_box_with(&mut f.body, LEFT_X, f.y, w, &lines(&pending), dashed);
    }

    let height = f.y + 20.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"860\" height=\"{height}\" viewBox=\"0 0 860 {height}\" \
         font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">\n<title>PRISMA 2020 flow diagram</title>\n\
         <defs><marker id=\"arrow\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\">\
         <path d=\"M0,0 L10,4 L0,8 z\" fill=\"#222\"/></marker></defs>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
    );
    for (label, top, bottom) in f.phases {
        let mid = (top + bottom) / 2.0;
        svg.push_str(&format!(
            "<rect x=\"20\" y=\"{top}\" width=\"90\" height=\"{}\" rx=\"4\" fill=\"#cfe0f2\" stroke=\"#4a6f95\"/>\n\
             <text x=\"65\" y=\"{mid}\" text-anchor=\"middle\" font-weight=\"bold\" transform=\"rotate(-90 65 {mid})\">{label}</text>\n",
            bottom - top
        ));
    }
    svg.push_str(&f.body);
    svg.push_str("</svg>\n");
    svg
}
