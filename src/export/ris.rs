//! `scoper export ris`: the included records for Zotero, EndNote and
//! Mendeley (RIS: `TAG  - value` lines, `ER  -` after each record).

use std::io::Write;

use anyhow::Result;

use super::Review;
use crate::parse::Record;

/// One record as RIS.
pub fn record(w: &mut dyn Write, r: &Record) -> std::io::Result<()> {
    let mut tag = |t: &str, v: &str| -> std::io::Result<()> {
        let v = crate::parse::normalize_ws(v);
        if v.is_empty() {
            return Ok(());
        }
        write!(w, "{t}  - {v}\r\n")
    };
    tag("TY", if r.book { "CHAP" } else { "JOUR" })?;
    tag("TI", &r.title)?;
    for a in &r.authors {
        let name = match (&a.collective, &a.last, &a.fore) {
            (Some(c), _, _) => c.clone(),
            (None, Some(l), Some(f)) => format!("{l}, {f}"),
            (None, Some(l), None) => l.clone(),
            _ => continue,
        };
        tag("AU", &name)?;
    }
    tag("PY", &r.year.map(|y| y.to_string()).unwrap_or_default())?;
    tag("T2", r.journal.as_deref().unwrap_or(""))?;
    tag("J2", r.journal_abbrev.as_deref().unwrap_or(""))?;
    tag("VL", r.volume.as_deref().unwrap_or(""))?;
    tag("IS", r.issue.as_deref().unwrap_or(""))?;
    if let Some(pages) = &r.pages {
        match pages.split_once('-') {
            Some((a, b)) => {
                tag("SP", a)?;
                tag("EP", b)?;
            }
            None => tag("SP", pages)?,
        }
    }
    tag("DO", r.doi.as_deref().unwrap_or(""))?;
    let accession = match &r.source {
        None => r.pmid.to_string(),
        Some(s) => s.accession.clone().unwrap_or_default(),
    };
    tag("AN", &accession)?;
    tag("AB", &r.abstract_text())?;
    for k in &r.keywords {
        tag("KW", k)?;
    }
    for l in &r.languages {
        tag("LA", l)?;
    }
    if let Some(p) = r.pubmed_id() {
        tag("UR", &format!("https://pubmed.ncbi.nlm.nih.gov/{p}/"))?;
    }
    tag("DB", r.database())?;
    write!(w, "ER  - \r\n\r\n")
}

/// Writes the included records; returns how many.
pub fn write(review: &Review, w: &mut dyn Write) -> Result<usize> {
    let mut n = 0;
    for p in review.included() {
        if let Some(r) = review.view.get(p)? {
            record(w, &r)?;
            n += 1;
        }
    }
    Ok(n)
}
