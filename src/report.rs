//! What the commands print for people: records, summaries.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::parse::Record;
use crate::tag::ConceptHit;

/// Progress of a fetch on standard error: while searching, what has been
/// found so far; then a bar of efetch batches. When standard error is not a
/// terminal (a cron job's log), one line per stage instead.
pub struct FetchBars {
    bar: indicatif::ProgressBar,
    tty: bool,
    query: std::sync::Mutex<String>,
    searches: std::sync::atomic::AtomicU64,
    found: std::sync::atomic::AtomicU64,
    records: std::sync::atomic::AtomicU64,
    retries: std::sync::atomic::AtomicU64,
}

impl FetchBars {
    pub fn new() -> FetchBars {
        use std::io::IsTerminal;
        let tty = io::stderr().is_terminal();
        let bar =
            if tty { indicatif::ProgressBar::new(0) } else { indicatif::ProgressBar::hidden() };
        FetchBars {
            bar,
            tty,
            query: Default::default(),
            searches: Default::default(),
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
        *self.query.lock().unwrap() = query.to_string();
        self.searches.store(0, std::sync::atomic::Ordering::Relaxed);
        self.bar.reset();
        self.bar.set_style(
            indicatif::ProgressStyle::with_template("{prefix} {spinner} {msg}  {elapsed}")
                .expect("valid template"),
        );
        self.bar.enable_steady_tick(std::time::Duration::from_millis(200));
        self.bar.set_prefix(query.to_string());
        self.bar.set_message("searching PubMed (esearch)");
        if !self.tty {
            eprintln!("{query}: searching PubMed");
        }
    }

    fn searched(&self, count: u64) {
        let n = self.searches.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        self.bar.set_message(if n == 1 {
            format!("searching PubMed: {count} records found")
        } else {
            format!("searching PubMed: {n} esearch requests (slices past the 9,999 cap, revisions); the last found {count}")
        });
    }

    fn planned(&self, found: u64, batches: u64) {
        self.found.store(found, std::sync::atomic::Ordering::Relaxed);
        self.bar.disable_steady_tick();
        self.bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} batches  {msg}  {elapsed} (eta {eta})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        self.bar.set_length(batches);
        self.show();
        if !self.tty {
            let q = self.query.lock().unwrap().clone();
            eprintln!("{q}: {found} records found; {batches} efetch batch(es) to fetch");
        }
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
        if !self.tty {
            let q = self.query.lock().unwrap().clone();
            let r = self.records.load(std::sync::atomic::Ordering::Relaxed);
            eprintln!("{q}: fetched {r} records");
        }
    }
}

/// Buffered standard output.
pub fn out() -> io::BufWriter<Stdout> {
    use std::io::IsTerminal;
    let terminal = io::stdout().is_terminal();
    io::BufWriter::new(Stdout { out: io::stdout().lock(), terminal, carry: Vec::new() })
}

/// Standard output for text a person reads (`show`, `find`, `tag
/// --explain`): cleaned by [`for_terminal`] even through a pipe, since
/// `scoper show ID | head` ends on a terminal too.
pub fn out_human() -> io::BufWriter<Stdout> {
    io::BufWriter::new(Stdout { out: io::stdout().lock(), terminal: true, carry: Vec::new() })
}

/// `text` fit for a terminal: control characters (escape sequences that
/// retitle a window, clear the screen or write the clipboard) and the
/// bidirectional overrides that reorder what a line shows are taken out;
/// new lines and tabs stay.
pub fn for_terminal(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            c == '\n'
                || c == '\t'
                || !(c.is_control()
                    || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        })
        .collect()
}

/// Standard output that remembers a write that failed: a buffered writer
/// dropped at the end of a command swallows its last error, and `scoper
/// prisma --json > /dev/full` exited 0 with its output lost. [`crate::run`]
/// turns a remembered failure into the command's.
pub struct Stdout {
    out: io::StdoutLock<'static>,
    /// Standard output is a terminal: what an imported record holds is
    /// written through [`for_terminal`] (a file or a pipe gets it as it is).
    terminal: bool,
    /// The start of a character split between two writes.
    carry: Vec<u8>,
}

static STDOUT_FAILED: std::sync::Mutex<Option<(io::ErrorKind, String)>> =
    std::sync::Mutex::new(None);

impl Stdout {
    fn note<T>(r: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &r {
            if let Ok(mut f) = STDOUT_FAILED.lock() {
                f.get_or_insert((e.kind(), e.to_string()));
            }
        }
        r
    }
}

impl io::Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.terminal {
            return Self::note(self.out.write(buf));
        }
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(buf);
        // Whole characters only; an incomplete one waits for the next write.
        let whole = match std::str::from_utf8(&data) {
            Ok(_) => data.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => data.len(),
        };
        self.carry = data.split_off(whole);
        let clean = for_terminal(&String::from_utf8_lossy(&data));
        Self::note(self.out.write_all(clean.as_bytes()))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.carry.is_empty() {
            let rest = String::from_utf8_lossy(&std::mem::take(&mut self.carry)).into_owned();
            Self::note(self.out.write_all(for_terminal(&rest).as_bytes()))?;
        }
        Self::note(self.out.flush())
    }
}

/// The first write to standard output that failed, if one did.
pub fn stdout_failure() -> Option<(io::ErrorKind, String)> {
    STDOUT_FAILED.lock().ok().and_then(|f| f.clone())
}

/// `text` on one line, cut to `max` characters with an ellipsis.
/// The terminal's width in columns: the terminal's own when standard
/// output is one, else `COLUMNS`, else 100.
pub fn width() -> usize {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        if let Ok((w, _)) = ratatui::crossterm::terminal::size() {
            return (w as usize).max(40);
        }
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100).max(40)
}

/// `text` wrapped to `width` columns (words kept whole), one line each.
pub fn wrapped(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

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
    let width = width();
    let para = |w: &mut dyn Write, text: &str| -> io::Result<()> {
        for line in wrapped(text, width) {
            writeln!(w, "{line}")?;
        }
        Ok(())
    };
    match &r.source {
        None => writeln!(
            w,
            "PMID {} (version {}){}",
            r.pmid,
            r.version,
            if r.retracted { "  RETRACTED" } else { "" }
        )?,
        Some(s) => writeln!(
            w,
            "record {} from {} ({}{})",
            r.pmid,
            s.database,
            s.file,
            s.accession.as_ref().map(|a| format!(", accession {a}")).unwrap_or_default()
        )?,
    }
    para(w, &r.title)?;
    if let Some(v) = r.vernacular_title.as_ref().filter(|v| **v != r.title) {
        para(w, &format!("[{v}]"))?;
    }
    let names: Vec<String> = r.authors.iter().map(|a| a.display_name()).collect();
    if !names.is_empty() {
        para(w, &names.join(", "))?;
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
    para(w, &source)?;
    if !r.languages.is_empty() {
        writeln!(w, "language: {}", r.languages.join(", "))?;
    }
    if !r.publication_types.is_empty() {
        para(w, &format!("type: {}", r.publication_types.join("; ")))?;
    }
    if let Some(d) = &r.doi {
        writeln!(w, "doi: {d}  https://doi.org/{d}")?;
    }
    if let Some(p) = r.pubmed_id() {
        writeln!(w, "PubMed: https://pubmed.ncbi.nlm.nih.gov/{p}/")?;
    }
    if let Some(p) = &r.pmcid {
        writeln!(w, "PMC: {p}")?;
    }
    let mut affiliations: Vec<&str> = Vec::new();
    for a in &r.authors {
        for af in &a.affiliations {
            if !affiliations.contains(&af.as_str()) {
                affiliations.push(af);
            }
        }
    }
    for (i, af) in affiliations.iter().enumerate() {
        para(w, &format!("affiliation {}: {af}", i + 1))?;
    }
    writeln!(w)?;
    if r.has_abstract() {
        para(w, &r.field_text("abstract").unwrap_or_default())?;
    } else {
        writeln!(w, "(no abstract)")?;
    }
    writeln!(w)?;
    if !r.mesh_headings.is_empty() {
        // `*` marks a major topic, as PubMed writes it.
        let headings: Vec<String> = r
            .mesh_headings
            .iter()
            .map(|h| {
                let mut s = format!("{}{}", h.descriptor, if h.major { "*" } else { "" });
                for q in &h.qualifiers {
                    s.push('/');
                    s.push_str(q);
                }
                s
            })
            .collect();
        para(w, &format!("MeSH: {}", headings.join("; ")))?;
    }
    if !r.keywords.is_empty() {
        para(w, &format!("Keywords: {}", r.field_text("keyword").unwrap_or_default()))?;
    }
    for c in &r.corrections {
        if c.kind.starts_with("Retraction") || c.kind.starts_with("Erratum") {
            let pmid = c.pmid.as_deref().map(|p| format!(" (PMID {p})")).unwrap_or_default();
            para(w, &format!("{}: {}{pmid}", c.kind, c.source.as_deref().unwrap_or("")))?;
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
        let quotes: Vec<String> = h.quotes(r).iter().map(|q| format!("\"{q}\"")).collect();
        writeln!(w, "  {}/{} ({}): {}", h.element, h.concept, h.field, quotes.join(", "))?;
    }
    Ok(())
}

/// MeSH check tags: indexers add them to most records (species, sex, age
/// groups), so they say nothing about what a review found.
const CHECK_TAGS: [&str; 22] = [
    "Humans",
    "Animals",
    "Male",
    "Female",
    "Adult",
    "Middle Aged",
    "Aged",
    "Aged, 80 and over",
    "Adolescent",
    "Young Adult",
    "Child",
    "Child, Preschool",
    "Infant",
    "Infant, Newborn",
    "Pregnancy",
    "Mice",
    "Rats",
    "Dogs",
    "Cats",
    "Cattle",
    "Swine",
    "Cricetinae",
];

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
        for m in r.mesh.iter().filter(|m| !CHECK_TAGS.contains(&m.as_str())) {
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
            writeln!(w, "top MeSH terms (check tags such as Humans and age groups left out):")?;
            for (term, n) in &self.top_mesh {
                writeln!(w, "  {n:>6}  {term}")?;
            }
        }
        Ok(())
    }
}

/// `n` and the noun, singular for one: "1 record", "3 records".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn what_a_record_holds_cannot_drive_the_terminal() {
        let title = "Trial\u{1b}]0;owned\u{7}\u{1b}[2J of \u{202E}drow\u{202C} \u{9b}x\u{0}y";
        assert_eq!(super::for_terminal(title), "Trial]0;owned[2J of drow xy");
        assert_eq!(super::for_terminal("two\nlines\tand é"), "two\nlines\tand é");
    }
}
