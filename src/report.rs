//! What the commands print for people: records, summaries.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::parse::Record;
use crate::tag::ConceptHit;

/// Progress of a fetch: a bar of efetch batches on standard error, hidden
/// when standard error is not a terminal.
pub struct FetchBars {
    bar: indicatif::ProgressBar,
    found: std::sync::atomic::AtomicU64,
    records: std::sync::atomic::AtomicU64,
    retries: std::sync::atomic::AtomicU64,
}

impl FetchBars {
    pub fn new() -> FetchBars {
        use std::io::IsTerminal;
        let bar = if io::stderr().is_terminal() {
            indicatif::ProgressBar::new(0)
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} batches  {msg}  {elapsed} (eta {eta})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        FetchBars {
            bar,
            found: Default::default(),
            records: Default::default(),
            retries: Default::default(),
        }
    }

    fn show(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        self.bar.set_message(format!(
            "{} of {} records, {} retries",
            self.records.load(Relaxed),
            self.found.load(Relaxed),
            self.retries.load(Relaxed)
        ));
    }
}

impl Default for FetchBars {
    fn default() -> Self {
        Self::new()
    }
}

impl crate::fetch::Progress for FetchBars {
    fn searching(&self, query: &str) {
        self.bar.reset();
        self.bar.set_prefix(query.to_string());
        self.bar.set_message("searching");
    }

    fn planned(&self, found: u64, batches: u64) {
        self.found.store(found, std::sync::atomic::Ordering::Relaxed);
        self.bar.set_length(batches);
        self.show();
    }

    fn batch(&self, records: u64) {
        self.records.fetch_add(records, std::sync::atomic::Ordering::Relaxed);
        self.bar.inc(1);
        self.show();
    }

    fn retry(&self, _utility: &str, _reason: &str) {
        self.retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.show();
    }

    fn done(&self) {
        self.bar.finish_and_clear();
    }
}

/// Buffered standard output.
pub fn out() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::new(io::stdout().lock())
}

/// `text` on one line, cut to `max` characters with an ellipsis.
pub fn one_line(text: &str, max: usize) -> String {
    let mut s: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        s.pop();
        s.push('…');
    }
    s
}

/// A record as a reviewer reads it.
pub fn print_record(w: &mut impl Write, r: &Record) -> io::Result<()> {
    writeln!(
        w,
        "PMID {} (version {}){}",
        r.pmid,
        r.version,
        if r.retracted { "  RETRACTED" } else { "" }
    )?;
    writeln!(w, "{}", r.title)?;
    if let Some(v) = r.vernacular_title.as_ref().filter(|v| **v != r.title) {
        writeln!(w, "[{v}]")?;
    }
    let names: Vec<String> = r.authors.iter().map(|a| a.display_name()).collect();
    if !names.is_empty() {
        writeln!(w, "{}", names.join(", "))?;
    }
    let mut source = r.journal.clone().unwrap_or_default();
    if let Some(d) = &r.pub_date {
        source.push_str(&format!(". {d}"));
    }
    if let Some(v) = &r.volume {
        source.push_str(&format!(";{v}"));
    }
    if let Some(i) = &r.issue {
        source.push_str(&format!("({i})"));
    }
    if let Some(p) = &r.pages {
        source.push_str(&format!(":{p}"));
    }
    writeln!(w, "{source}")?;
    if let Some(d) = &r.doi {
        writeln!(w, "doi: {d}")?;
    }
    if let Some(p) = &r.pmcid {
        writeln!(w, "PMC: {p}")?;
    }
    if !r.publication_types.is_empty() {
        writeln!(w, "type: {}", r.publication_types.join("; "))?;
    }
    writeln!(w)?;
    if r.has_abstract() {
        writeln!(w, "{}", r.field_text("abstract").unwrap_or_default())?;
    } else {
        writeln!(w, "(no abstract)")?;
    }
    writeln!(w)?;
    if !r.mesh.is_empty() {
        writeln!(w, "MeSH: {}", r.field_text("mesh").unwrap_or_default())?;
    }
    if !r.keywords.is_empty() {
        writeln!(w, "Keywords: {}", r.field_text("keyword").unwrap_or_default())?;
    }
    for c in &r.corrections {
        if c.kind.starts_with("Retraction") || c.kind.starts_with("Erratum") {
            let pmid = c.pmid.as_deref().map(|p| format!(" (PMID {p})")).unwrap_or_default();
            writeln!(w, "{}: {}{pmid}", c.kind, c.source.as_deref().unwrap_or(""))?;
        }
    }
    Ok(())
}

/// The concepts of a record, each with the words that are its evidence.
pub fn print_concepts(w: &mut impl Write, r: &Record, hits: &[ConceptHit]) -> io::Result<()> {
    if hits.is_empty() {
        return Ok(());
    }
    writeln!(w, "Concepts:")?;
    for h in hits {
        let text: Vec<char> = r.field_text(&h.field).unwrap_or_default().chars().collect();
        let quotes: Vec<String> = h
            .spans
            .iter()
            .map(|[a, b]| {
                format!(
                    "\"{}\"",
                    text[(*a).min(text.len())..(*b).min(text.len())].iter().collect::<String>()
                )
            })
            .collect();
        writeln!(w, "  {}/{} ({}): {}", h.element, h.concept, h.field, quotes.join(", "))?;
    }
    Ok(())
}

/// What the working set holds, for `scoper run`.
#[derive(Debug, Default, Serialize)]
pub struct CorpusSummary {
    pub records: usize,
    pub first_year: Option<i32>,
    pub last_year: Option<i32>,
    pub without_abstract: usize,
    pub retracted: usize,
    pub top_mesh: Vec<(String, usize)>,
}

impl CorpusSummary {
    /// Counts one record.
    pub fn add(&mut self, r: &Record, mesh: &mut HashMap<String, usize>) {
        self.records += 1;
        if let Some(y) = r.year {
            self.first_year = Some(self.first_year.map_or(y, |f| f.min(y)));
            self.last_year = Some(self.last_year.map_or(y, |l| l.max(y)));
        }
        if !r.has_abstract() {
            self.without_abstract += 1;
        }
        if r.retracted {
            self.retracted += 1;
        }
        for m in &r.mesh {
            *mesh.entry(m.clone()).or_default() += 1;
        }
    }

    /// Keeps the `top` most frequent MeSH terms (ties by name).
    pub fn finish(&mut self, mesh: HashMap<String, usize>, top: usize) {
        let mut v: Vec<_> = mesh.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(top);
        self.top_mesh = v;
    }

    pub fn print(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(w, "records: {}", self.records)?;
        match (self.first_year, self.last_year) {
            (Some(a), Some(b)) => writeln!(w, "years: {a}–{b}")?,
            _ => writeln!(w, "years: none recorded")?,
        }
        writeln!(w, "without abstract: {}", self.without_abstract)?;
        if self.retracted > 0 {
            writeln!(w, "retracted: {}", self.retracted)?;
        }
        if !self.top_mesh.is_empty() {
            writeln!(w, "top MeSH terms:")?;
            for (term, n) in &self.top_mesh {
                writeln!(w, "  {n:>6}  {term}")?;
            }
        }
        Ok(())
    }
}
