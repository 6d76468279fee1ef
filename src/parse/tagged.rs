//! Records from other databases: RIS (Embase, Scopus, Web of Science, Ovid,
//! ProQuest, EBSCO, Lens, Dimensions, reference managers), MEDLINE/nbib
//! (PubMed's text format), Web of Science field-tagged text, and CSV.
//!
//! Each becomes a [`Record`] like a PubMed one, with its [`Source`]: the
//! database, the file, and the record's own ids (accession number, PMID,
//! DOI). A record keeps an id of its own in the working set ([`stable_id`]):
//! derived from the database and the record's accession number (else its
//! DOI, else its title, year and first author), so importing the same export
//! again finds the same records. Its PMID, when it has one, is kept in the
//! source ids: the PubMed record of that PMID stays a record of its own, and
//! the two are grouped as duplicates (`scoper duplicates`).
//!
//! The traps of real exports are handled: a byte-order mark, CRLF and lone
//! CR line ends, record-number lines and links outside `TY  - ... ER  -`,
//! untagged continuation lines (a wrapped abstract, one keyword a line),
//! HTML in abstracts, repeated tags.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::record::{AbstractSection, Author, Pmid, Record};

/// Where a record from another database came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// The database as the export names it (`Embase`, `Scopus`, `APA
    /// PsycInfo`), else the format (`RIS`, `MEDLINE`, `Web of Science`,
    /// `CSV`).
    pub database: String,
    /// The file as it was imported.
    pub file: String,
    /// The record's accession number in that database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accession: Option<String>,
    /// Its PMID, when the export gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pmid: Option<u64>,
    /// Its type as the export gives it (`JOUR`, `CONF`, `Article`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A database as a reader knows it: EBSCOhost's exports name theirs by a
/// code (`DB  - psyh`), which the record keeps (its id is made from it);
/// reports show the name.
pub fn database_name(db: &str) -> &str {
    match db.trim().to_ascii_lowercase().as_str() {
        "psyh" => "APA PsycInfo",
        "pdh" => "APA PsycArticles",
        "i3h" => "Criminal Justice Abstracts",
        "rzh" => "CINAHL",
        "cmedm" => "MEDLINE (EBSCOhost)",
        "eric" => "ERIC",
        "ecn" => "EconLit",
        "sih" => "SocINDEX",
        "a9h" => "Academic Search Complete",
        "bth" => "Business Source Complete",
        "lxh" => "Library, Information Science & Technology Abstracts",
        _ => db,
    }
}

/// The formats read here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ris,
    Medline,
    Wos,
    Csv,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Ris => "RIS",
            Format::Medline => "MEDLINE",
            Format::Wos => "Web of Science",
            Format::Csv => "CSV",
        }
    }
}

/// The first ids given to records without a PMID: above any PMID.
pub const OWN_ID_BASE: u64 = 1_000_000_000_000;

/// A record's own id: stable for the same database and the same accession
/// number (else DOI, else title + year + first author).
pub fn stable_id(database: &str, key: &str) -> Pmid {
    let h = blake3::hash(format!("{}\u{1f}{}", database.to_lowercase(), key).as_bytes());
    let n = u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"));
    Pmid::new(OWN_ID_BASE + n % (9 * OWN_ID_BASE)).expect("not 0")
}

/// The id of a record without a PMID of its own: from its accession
/// number, else its DOI, else its title, year and first author.
fn own_id(
    database: &str,
    accession: Option<&str>,
    doi: Option<&str>,
    title: &str,
    year: Option<i32>,
    first: Option<&Author>,
) -> Pmid {
    let key =
        accession.or(doi).map(String::from).unwrap_or_else(|| identity_key(title, year, first));
    stable_id(database, &key)
}

/// An abstract as one unlabeled section (none when empty).
fn one_section(text: String) -> Vec<AbstractSection> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![AbstractSection { label: None, category: None, text }]
    }
}

/// The format of `text`, from its first lines (a byte-order mark and blank
/// lines aside).
pub fn detect(text: &str) -> Option<Format> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('<') {
        return None;
    }
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).take(60).collect();
    let starts = |tag: &str| lines.iter().any(|l| l.starts_with(tag));
    if lines.iter().any(|l| is_ris_line(l) && l.starts_with("TY")) {
        return Some(Format::Ris);
    }
    if starts("PMID-") || starts("PMID -") {
        return Some(Format::Medline);
    }
    if text.trim_start().starts_with("FN ") || starts("PT ") && (starts("AU ") || starts("TI ")) {
        return Some(Format::Wos);
    }
    // A table: a header line of two or more separated names, and a next
    // line with separators too.
    let mut rows = lines.iter().filter(|l| !l.trim().is_empty());
    let first = rows.next()?;
    let sep = [',', ';', '\t'].into_iter().max_by_key(|c| first.matches(*c).count())?;
    let names = first.matches(sep).count();
    let lower = first.to_lowercase();
    let named = lower.contains("title") || lower.contains("abstract");
    if names >= 1 && (named || names >= 2 && rows.next().is_some_and(|l| l.contains(sep))) {
        return Some(Format::Csv);
    }
    None
}

/// The format of the file at `path` (gzip-compressed or not), from its
/// first 16 KiB; `None` for PubMed XML or anything else.
pub fn detect_file(path: &std::path::Path) -> Option<Format> {
    use std::io::Read;
    let mut head = Vec::new();
    super::open(path).ok()?.take(16 * 1024).read_to_end(&mut head).ok()?;
    detect(&String::from_utf8_lossy(&head))
}

/// A record that could not be read: its line and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub line: usize,
    pub message: String,
}

/// Reads `text` as `format`; `file` names it in each record's source.
pub fn parse(format: Format, text: &str, file: &str) -> (Vec<Record>, Vec<Fault>) {
    let mut records = Vec::new();
    let faults = parse_reader(format, text.as_bytes(), file, &HashMap::new(), &mut |r| {
        records.push(r);
        Ok(())
    })
    .unwrap_or_else(|e| vec![Fault { line: 1, message: format!("{e:#}") }]);
    (records, faults)
}

/// Reads `input` as `format`, one record at a time into `sink` (a large
/// export is never held whole); `map` is a CSV's column mapping. Err for a
/// CSV whose columns cannot be read, or when `sink` fails.
pub fn parse_reader<R: std::io::BufRead>(
    format: Format,
    input: R,
    file: &str,
    map: &HashMap<String, String>,
    sink: &mut dyn FnMut(Record) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<Fault>> {
    let mut distinct = Distinct::default();
    let mut sink = |r: Record| sink(distinct.apply(r));
    match format {
        Format::Csv => {
            let mut input = input;
            let mut bom = [0u8; 3];
            let n = std::io::Read::read(&mut input, &mut bom)?;
            let head: &[u8] = if bom[..n] == [0xef, 0xbb, 0xbf] { &[] } else { &bom[..n] };
            csv_records(std::io::Read::chain(head, input), file, map, &mut sink)
                .map_err(|e| anyhow::anyhow!(e))
        }
        _ => tagged(lines_of(input), file, format, &mut sink),
    }
}

/// The same key twice in one export (the same article exported twice, with
/// no accession number or DOI): the second copy gets an id of its own, so
/// that both are kept and `scoper duplicates` groups them.
#[derive(Default)]
struct Distinct {
    seen: HashMap<u64, usize>,
}

impl Distinct {
    fn apply(&mut self, mut r: Record) -> Record {
        let n = self.seen.entry(r.pmid.get()).or_default();
        *n += 1;
        if *n > 1 {
            let db = r.source.as_ref().map(|s| s.database.clone()).unwrap_or_default();
            r.pmid = stable_id(&db, &format!("{}#{}", r.pmid.get(), n));
        }
        r
    }
}

/// The lines of `input`, numbered from 1: no byte-order mark, no line ends;
/// a lone carriage return inside a line ends a line too. A read error (a
/// damaged gzip file) is the last item, with the line it stopped at.
fn lines_of<R: std::io::BufRead>(
    mut input: R,
) -> impl Iterator<Item = anyhow::Result<(usize, String)>> {
    let mut n = 0usize;
    let mut pending: std::collections::VecDeque<(usize, String)> = Default::default();
    let mut buf = Vec::new();
    let mut failed = false;
    std::iter::from_fn(move || loop {
        if let Some(l) = pending.pop_front() {
            return Some(Ok(l));
        }
        if failed {
            return None;
        }
        buf.clear();
        match input.read_until(b'\n', &mut buf) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => {
                failed = true;
                return Some(Err(anyhow::anyhow!(
                    "could not read past line {n}: {e} (the records before it were read)"
                )));
            }
        }
        n += 1;
        let mut text = String::from_utf8_lossy(&buf).into_owned();
        if n == 1 {
            text = text.trim_start_matches('\u{feff}').to_string();
        }
        let text = text.trim_end_matches(['\n', '\r']);
        for part in text.split('\r') {
            pending.push_back((n, part.to_string()));
        }
    })
}

fn is_ris_line(l: &str) -> bool {
    let b = l.as_bytes();
    b.len() >= 5
        && b[0].is_ascii_uppercase()
        && (b[1].is_ascii_uppercase() || b[1].is_ascii_digit())
        && &b[2..4] == b"  "
        && b[4] == b'-'
}

/// A line's tag and value, in `format`; `None` for an untagged line.
fn tag_of(line: &str, format: Format) -> Option<(&str, &str)> {
    match format {
        Format::Ris => is_ris_line(line).then(|| (&line[..2], line[5..].trim())),
        Format::Medline => {
            // "TI  - text": a tag of 2-4 capitals, padded to 4, then "- ".
            let (tag, rest) = line.split_at_checked(4)?;
            let tag = tag.trim_end();
            (!tag.is_empty()
                && tag.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && rest.starts_with("- "))
            .then(|| (tag, rest[2..].trim()))
            .or_else(|| (tag.len() == 4 && rest == "-").then_some((tag, "")))
        }
        Format::Wos => {
            let b = line.as_bytes();
            (b.len() >= 2
                && b[0].is_ascii_uppercase()
                && (b[1].is_ascii_uppercase() || b[1].is_ascii_digit())
                && (b.len() == 2 || b[2] == b' '))
                .then(|| (&line[..2], line.get(3..).unwrap_or("").trim()))
        }
        Format::Csv => None,
    }
}

/// The fields of one record: tag → values, in order.
#[derive(Default)]
struct Fields {
    start: usize,
    values: Vec<(String, String)>,
}

impl Fields {
    fn all(&self, tags: &[&str]) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(t, _)| tags.contains(&t.as_str()))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn first(&self, tags: &[&str]) -> Option<String> {
        // In the order of `tags`: the first tag present wins.
        tags.iter().find_map(|t| self.all(&[t]).first().map(|v| v.to_string()))
    }
}

/// Splits tagged text into records and reads each.
fn tagged(
    lines: impl Iterator<Item = anyhow::Result<(usize, String)>>,
    file: &str,
    format: Format,
    sink: &mut dyn FnMut(Record) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<Fault>> {
    let mut faults = Vec::new();
    let mut cur: Option<Fields> = None;
    // Tags whose continuation lines are values of their own (one keyword,
    // one author a line) rather than the rest of a wrapped value.
    let own_line = |tag: &str| matches!(tag, "KW" | "AU" | "AF" | "A1" | "MH" | "OT" | "DE" | "ID");
    let mut finish = |f: Fields, faults: &mut Vec<Fault>| -> anyhow::Result<()> {
        match to_record(&f, file, format) {
            Ok(r) => sink(r)?,
            Err(message) => faults.push(Fault { line: f.start, message }),
        }
        Ok(())
    };
    let mut last = 0;
    for item in lines {
        // A read error ends the file like a truncation: what came before is
        // kept, and the fault is named with its line.
        let (n, line) = match item {
            Ok(l) => l,
            Err(e) => {
                faults.push(Fault { line: last + 1, message: format!("{e:#}") });
                break;
            }
        };
        last = n;
        let line = line.as_str();
        let starts_record = match format {
            Format::Ris => tag_of(line, format).is_some_and(|(t, _)| t == "TY"),
            Format::Medline => tag_of(line, format).is_some_and(|(t, _)| t == "PMID"),
            Format::Wos => tag_of(line, format).is_some_and(|(t, _)| t == "PT"),
            Format::Csv => false,
        };
        if starts_record {
            if let Some(f) = cur.take() {
                // A record that never reached its ER line is still read.
                finish(f, &mut faults)?;
            }
            cur = Some(Fields { start: n, values: Vec::new() });
        }
        let Some(f) = cur.as_mut() else { continue };
        let ends = match format {
            Format::Ris => tag_of(line, format).is_some_and(|(t, _)| t == "ER"),
            Format::Wos => line.trim_end() == "ER",
            _ => false,
        };
        if ends {
            let f = cur.take().expect("in a record");
            finish(f, &mut faults)?;
            continue;
        }
        match tag_of(line, format) {
            Some((tag, value)) => f.values.push((tag.to_string(), value.to_string())),
            None => {
                let value = line.trim();
                if value.is_empty() {
                    // A blank line ends a MEDLINE record; in RIS and WoS it
                    // is part of a wrapped note or abstract.
                    if format == Format::Medline {
                        let f = cur.take().expect("in a record");
                        finish(f, &mut faults)?;
                    }
                    continue;
                }
                if let Some(last) = f.values.last_mut() {
                    if own_line(&last.0) && format != Format::Medline {
                        let tag = last.0.clone();
                        f.values.push((tag, value.to_string()));
                    } else if format == Format::Medline && own_line(&last.0) {
                        last.1.push(' ');
                        last.1.push_str(value);
                    } else {
                        if !last.1.is_empty() {
                            last.1.push(' ');
                        }
                        last.1.push_str(value);
                    }
                }
            }
        }
    }
    if let Some(f) = cur.take() {
        if !f.values.is_empty() {
            finish(f, &mut faults)?;
        }
    }
    Ok(faults)
}

/// Text without HTML tags and with the common entities decoded, white space
/// collapsed.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "Smith, John A." / "Smith JA" / "Smith J.A." → an author.
fn author(name: &str) -> Author {
    let name = clean(name);
    if let Some((last, fore)) = name.split_once(',') {
        let fore = fore.trim();
        let initials: String = fore
            .split(|c: char| c.is_whitespace() || c == '.' || c == '-')
            .filter_map(|w| w.chars().next())
            .filter(|c| c.is_alphabetic())
            .collect();
        return Author {
            last: Some(last.trim().to_string()),
            fore: (!fore.is_empty()).then(|| fore.to_string()),
            initials: (!initials.is_empty()).then_some(initials),
            ..Author::default()
        };
    }
    // "Smith JA": the last word is initials when it is all capitals.
    let mut words: Vec<&str> = name.split_whitespace().collect();
    if words.len() >= 2 {
        let tail = words[words.len() - 1].replace('.', "");
        if tail.chars().all(|c| c.is_uppercase()) && tail.chars().count() <= 4 {
            words.pop();
            return Author {
                last: Some(words.join(" ")),
                initials: Some(tail),
                ..Author::default()
            };
        }
    }
    Author { last: (!name.is_empty()).then_some(name), ..Author::default() }
}

/// The first four-digit year from 1800 on in `s`.
fn year_of(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        let w = s.get(i..i + 4)?;
        let alone = (i == 0 || !b[i - 1].is_ascii_digit())
            && (i + 4 == b.len() || !b[i + 4].is_ascii_digit());
        w.parse::<i32>().ok().filter(|y| alone && (1800..=2100).contains(y))
    })
}

/// A DOI from a value: a bare DOI, a doi.org link, or "10.x/y [doi]".
pub fn doi_of(s: &str) -> Option<String> {
    let at = s.find("10.")?;
    let doi: String = s[at..]
        .split(|c: char| c.is_whitespace())
        .next()?
        .trim_end_matches(['.', ',', ';'])
        .to_string();
    doi.contains('/').then(|| doi.to_lowercase())
}

fn to_record(f: &Fields, file: &str, format: Format) -> Result<Record, String> {
    let get = |tags: &[&str]| f.first(tags).map(|v| clean(&v)).filter(|v| !v.is_empty());
    type Tags = &'static [&'static str];
    let (title_tags, abstract_tags, author_tags, year_tags, journal_tags): (
        Tags,
        Tags,
        Tags,
        Tags,
        Tags,
    ) = match format {
        Format::Ris => (
            &["TI", "T1", "CT", "BT"],
            &["AB", "N2"],
            &["AU", "A1"],
            &["PY", "Y1", "DA", "Y2"],
            &["T2", "JO", "JF", "JA", "J2", "J1", "SE"],
        ),
        Format::Medline => (&["TI", "BTI"], &["AB"], &["FAU", "AU"], &["DP", "DEP"], &["JT", "TA"]),
        Format::Wos => (&["TI"], &["AB"], &["AF", "AU"], &["PY", "EA"], &["SO", "J9", "JI"]),
        Format::Csv => unreachable!("CSV has its own reader"),
    };
    let title = get(title_tags).unwrap_or_default();
    let abstract_text = f.all(abstract_tags).iter().map(|v| clean(v)).collect::<Vec<_>>().join(" ");
    if title.is_empty() && abstract_text.is_empty() {
        return Err("a record with neither a title nor an abstract (left out)".into());
    }
    let authors_from = if format == Format::Medline && !f.all(&["FAU"]).is_empty() {
        f.all(&["FAU"])
    } else {
        f.all(author_tags)
    };
    let authors: Vec<Author> = authors_from.iter().map(|a| author(a)).collect();
    let year = year_tags.iter().find_map(|t| f.first(&[t]).and_then(|v| year_of(&v)));
    let doi = match format {
        Format::Ris => f.first(&["DO"]).and_then(|v| doi_of(&v)).or_else(|| {
            f.all(&["UR", "L2", "M3", "N1"])
                .iter()
                .find_map(|v| v.contains("doi.org/").then(|| doi_of(v)).flatten())
        }),
        Format::Medline => {
            f.all(&["LID", "AID"]).iter().find(|v| v.ends_with("[doi]")).and_then(|v| doi_of(v))
        }
        Format::Wos => f.first(&["DI"]).and_then(|v| doi_of(&v)),
        Format::Csv => None,
    };
    let database = match format {
        Format::Ris => {
            f.first(&["DB", "DP"]).map(|d| clean(&d)).unwrap_or_else(|| "RIS".to_string())
        }
        Format::Medline => "PubMed (MEDLINE format)".to_string(),
        Format::Wos => "Web of Science".to_string(),
        Format::Csv => "CSV".to_string(),
    };
    let accession = match format {
        Format::Ris => get(&["AN", "ID"]),
        Format::Medline => get(&["PMID"]),
        Format::Wos => get(&["UT"]),
        Format::Csv => None,
    };
    let pmid = match format {
        Format::Medline => get(&["PMID"]).and_then(|p| p.parse().ok()),
        Format::Wos => get(&["PM"]).and_then(|p| p.parse().ok()),
        Format::Ris => {
            let pubmed_db = database.to_lowercase().contains("pubmed")
                || database.to_lowercase().contains("medline");
            let from_an = accession
                .as_deref()
                .filter(|_| pubmed_db)
                .and_then(|a| a.parse::<u64>().ok())
                .filter(|n| *n < OWN_ID_BASE);
            from_an.or_else(|| {
                f.all(&["UR", "L2", "C7", "M2"]).iter().find_map(|v| {
                    let at = v.find("pubmed.ncbi.nlm.nih.gov/")? + "pubmed.ncbi.nlm.nih.gov/".len();
                    v[at..].trim_end_matches('/').split('/').next()?.parse().ok()
                })
            })
        }
        Format::Csv => None,
    };
    let id = own_id(&database, accession.as_deref(), doi.as_deref(), &title, year, authors.first());
    let mut keywords: Vec<String> = match format {
        Format::Ris => f.all(&["KW"]).iter().flat_map(|k| split_list(k)).collect(),
        Format::Medline => f.all(&["OT"]).iter().map(|k| clean(k)).collect(),
        Format::Wos => f.all(&["DE", "ID"]).iter().flat_map(|k| split_list(k)).collect(),
        Format::Csv => Vec::new(),
    };
    keywords.retain(|k| !k.is_empty());
    let mesh: Vec<String> = if format == Format::Medline {
        f.all(&["MH"])
            .iter()
            .map(|m| m.split('/').next().unwrap_or(m).trim_start_matches('*').trim().to_string())
            .collect()
    } else {
        Vec::new()
    };
    let pages = match format {
        Format::Ris => match (get(&["SP"]), get(&["EP"])) {
            (Some(s), Some(e)) if s != e => Some(format!("{s}-{e}")),
            (s, _) => s,
        },
        Format::Medline => get(&["PG"]),
        Format::Wos => match (get(&["BP"]), get(&["EP"])) {
            (Some(s), Some(e)) => Some(format!("{s}-{e}")),
            (s, _) => s,
        },
        Format::Csv => None,
    };
    Ok(Record {
        pmid: id,
        version: 1,
        title,
        abstract_sections: one_section(abstract_text),
        authors,
        year,
        pub_date: get(year_tags),
        journal: get(journal_tags),
        volume: get(&["VL", "VI"]),
        issue: get(&["IS", "IP"]),
        pages,
        doi,
        mesh_headings: mesh
            .iter()
            .map(|m| super::record::MeshHeading { descriptor: m.clone(), ..Default::default() })
            .collect(),
        mesh,
        keywords,
        publication_types: f.all(&["PT", "DT"]).iter().map(|v| clean(v)).collect(),
        languages: f.all(&["LA"]).iter().map(|v| clean(v)).collect(),
        source: Some(Source {
            database,
            file: file.to_string(),
            accession,
            pmid,
            kind: get(&["TY", "PT"]),
        }),
        ..Record::default()
    })
}

/// Keywords given as one value with separators.
fn split_list(s: &str) -> Vec<String> {
    s.split(';').map(clean).filter(|k| !k.is_empty()).collect()
}

/// Title, year and first author, normalised: a record's key when it has
/// neither an accession number nor a DOI.
pub fn identity_key(title: &str, year: Option<i32>, first: Option<&Author>) -> String {
    let t = super::text::words(&title.to_lowercase()).collect::<Vec<_>>().join(" ");
    let a = first.and_then(|a| a.last.clone()).unwrap_or_default().to_lowercase();
    format!("{t}|{}|{a}", year.map(|y| y.to_string()).unwrap_or_default())
}

/// The columns a CSV may name for each field, in order of preference
/// (ASReview's and Rayyan's names, and Embase's).
const CSV_COLUMNS: [(&str, &[&str]); 9] = [
    ("title", &["title", "primary_title", "article title", "ti"]),
    ("abstract", &["abstract", "notes_abstract", "ab"]),
    ("authors", &["authors", "author names", "author", "au"]),
    ("year", &["year", "publication year", "py", "date"]),
    ("doi", &["doi", "di"]),
    ("journal", &["journal", "source title", "source", "journal/book", "so"]),
    ("keywords", &["keywords", "author keywords", "kw"]),
    ("pmid", &["pmid", "pubmed_id", "pubmedid", "pubmed id"]),
    ("id", &["accession", "accession number", "record_id", "key", "id", "eid"]),
];

/// The fields a CSV column mapping may set.
pub const CSV_FIELDS: [&str; 9] =
    ["title", "abstract", "authors", "year", "doi", "journal", "keywords", "pmid", "id"];

/// Reads a CSV: `map` gives field → column for columns with other names;
/// the rest are found by their usual names. Err when a mapped column is
/// not in the file, or no title or abstract column is found.
pub fn csv_records(
    input: impl std::io::Read,
    file: &str,
    map: &HashMap<String, String>,
    sink: &mut dyn FnMut(Record) -> anyhow::Result<()>,
) -> Result<Vec<Fault>, String> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("the header line cannot be read: {e}"))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let find = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let mut col: HashMap<&str, usize> = HashMap::new();
    for (field, names) in CSV_COLUMNS {
        if let Some(c) = map.get(field) {
            let Some(i) = find(c) else {
                return Err(format!(
                    "--map {field}={c}: there is no column {c:?}; the columns are: {}",
                    headers.join(", ")
                ));
            };
            col.insert(field, i);
        } else if let Some(i) = names.iter().find_map(|n| find(n)) {
            col.insert(field, i);
        }
    }
    if !col.contains_key("title") && !col.contains_key("abstract") {
        return Err(format!(
            "no title or abstract column; the columns are: {}\n(hint: name them, as in --map \
             title=Article,abstract=Summary,authors=Writers,year=Year,doi=DOI)",
            headers.join(", ")
        ));
    }
    let mut faults = Vec::new();
    for (row, rec) in rdr.records().enumerate() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(row + 2);
                faults.push(Fault { line, message: format!("unreadable row: {e}") });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(row + 2);
        let get =
            |f: &str| col.get(f).and_then(|&i| rec.get(i)).map(clean).filter(|v| !v.is_empty());
        let title = get("title").unwrap_or_default();
        let abstract_text = get("abstract").unwrap_or_default();
        if title.is_empty() && abstract_text.is_empty() {
            faults.push(Fault {
                line,
                message: "a row with neither a title nor an abstract (left out)".into(),
            });
            continue;
        }
        let authors: Vec<Author> = get("authors")
            .map(|a| {
                let sep = if a.contains(';') { ';' } else { ',' };
                // "Liu R., Adler D.G." (Embase) or "Smith, J; Doe, A".
                if sep == ','
                    && a.matches(',').count() > 0
                    && !a.contains(". ")
                    && a.split(',').count() % 2 == 0
                {
                    a.split(',')
                        .collect::<Vec<_>>()
                        .chunks(2)
                        .map(|p| author(&p.join(",")))
                        .collect()
                } else {
                    a.split(sep).map(author).filter(|x| x.last.is_some()).collect()
                }
            })
            .unwrap_or_default();
        let year = get("year").and_then(|y| year_of(&y));
        let doi = get("doi").and_then(|d| doi_of(&d));
        let accession = get("id");
        let pmid =
            own_id("CSV", accession.as_deref(), doi.as_deref(), &title, year, authors.first());
        sink(Record {
            pmid,
            version: 1,
            title,
            abstract_sections: one_section(abstract_text),
            authors,
            year,
            journal: get("journal"),
            doi,
            keywords: get("keywords").map(|k| split_list(&k)).unwrap_or_default(),
            source: Some(Source {
                database: "CSV".into(),
                file: file.to_string(),
                accession,
                pmid: get("pmid").and_then(|p| p.parse().ok()),
                kind: None,
            }),
            ..Record::default()
        })
        .map_err(|e| format!("{e:#}"))?;
    }
    Ok(faults)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ris_with_the_usual_traps() {
        let text = "\u{feff}1.\r\nTY  - JOUR\r\nTI  - A <i>trial</i> of care\r\nAU  - Smith, John A.\r\n\
                    AU  - Doe JB\r\nPY  - 2019//\r\nAB  - First part\r\nwrapped on.\r\nKW  - alpha\r\n\
                    beta\r\nDO  - https://doi.org/10.1000/XYZ.1\r\nDB  - Embase\r\nAN  - 123\r\nER  - \r\n\
                    Link to the Ovid Full Text\r\n";
        let (recs, faults) = parse(Format::Ris, text, "x.ris");
        assert!(faults.is_empty(), "{faults:?}");
        assert_eq!(recs.len(), 1);
        let r = &recs[0];
        assert_eq!(r.title, "A trial of care");
        assert_eq!(r.abstract_text(), "First part wrapped on.");
        assert_eq!(r.keywords, ["alpha", "beta"]);
        assert_eq!(r.year, Some(2019));
        assert_eq!(r.doi.as_deref(), Some("10.1000/xyz.1"));
        assert_eq!(r.authors[0].last.as_deref(), Some("Smith"));
        assert_eq!(r.authors[1].initials.as_deref(), Some("JB"));
        let s = r.source.as_ref().unwrap();
        assert_eq!((s.database.as_str(), s.accession.as_deref()), ("Embase", Some("123")));
        // The same record again: the same id.
        assert_eq!(parse(Format::Ris, text, "y.ris").0[0].pmid, r.pmid);
        assert!(r.pmid.get() >= OWN_ID_BASE);
    }

    #[test]
    fn the_formats_are_told_apart() {
        assert_eq!(detect("\u{feff}\nTY  - JOUR\n"), Some(Format::Ris));
        assert_eq!(detect("PMID- 123\nTI  - x\n"), Some(Format::Medline));
        assert_eq!(detect("FN Clarivate\nVR 1.0\nPT J\n"), Some(Format::Wos));
        assert_eq!(detect("Title,Abstract,Year\n"), Some(Format::Csv));
        assert_eq!(detect("<?xml version=\"1.0\"?>"), None);
    }

    #[test]
    fn a_year_among_other_scripts_is_found_without_a_panic() {
        assert_eq!(year_of("2019年5月"), Some(2019));
        assert_eq!(year_of("é1998é"), Some(1998));
        assert_eq!(year_of("vol 12345"), None);
    }
}
