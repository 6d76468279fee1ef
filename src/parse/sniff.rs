//! What a file is, from its first bytes: so that a RIS, MEDLINE or CSV
//! export, an HTML error page or a JSON answer is named as such instead of
//! being read as broken XML; and where a gzip file's data is damaged.

use std::io::{self, Read};
use std::path::Path;

/// A kind of file that is not PubMed XML, with what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foreign {
    pub what: &'static str,
    pub advice: &'static str,
}

const INSTEAD: &str = "scoper imports PubMed XML (.xml or .xml.gz, as E-utilities' efetch and \
    the PubMed baseline files hold it) and the RIS, MEDLINE/nbib, Web of Science and CSV exports \
    of other databases; to bring in a PubMed search, save its strategy as queries/NAME.toml and \
    run `scoper search NAME`";

/// The first `n` bytes of the (decompressed) file.
fn head(path: &Path, n: usize) -> io::Result<Vec<u8>> {
    let mut f = std::fs::File::open(path)?;
    let mut magic = [0u8; 2];
    let got = f.read(&mut magic)?;
    let f = std::fs::File::open(path)?;
    let mut out = Vec::with_capacity(n);
    if got == 2 && magic == [0x1f, 0x8b] {
        let _ = flate2::read::MultiGzDecoder::new(f).take(n as u64).read_to_end(&mut out);
    } else {
        f.take(n as u64).read_to_end(&mut out)?;
    }
    Ok(out)
}

/// What the file is when it is clearly not PubMed XML; `None` when it may
/// be (the parser then says what is wrong with it).
pub fn foreign(path: &Path) -> Option<Foreign> {
    let bytes = head(path, 8192).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let lower = text.to_ascii_lowercase();
    let lines: Vec<&str> = text.lines().take(40).collect();
    let starts = |tag: &str| lines.iter().any(|l| l.starts_with(tag));
    if text.is_empty() {
        return None;
    }
    if lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || lower.contains("<html") && !lower.contains("<pubmedarticle")
    {
        return Some(Foreign {
            what: "an HTML page (a web page saved by a browser, perhaps an error page), not PubMed XML",
            advice: INSTEAD,
        });
    }
    if text.starts_with('<') {
        return None;
    }
    if starts("TY  -") {
        return Some(Foreign {
            what: "a RIS file (TY  - ... ER  -), not PubMed XML",
            advice: INSTEAD,
        });
    }
    if starts("PMID-") || starts("PMID -") {
        return Some(Foreign {
            what: "a MEDLINE/nbib file (PMID- lines, PubMed's text format), not PubMed XML",
            advice: INSTEAD,
        });
    }
    if starts("PT ") && (starts("AU ") || starts("TI ")) || text.starts_with("FN ") {
        return Some(Foreign {
            what: "a Web of Science tagged file, not PubMed XML",
            advice: INSTEAD,
        });
    }
    if text.starts_with('{') || text.starts_with('[') {
        return Some(Foreign {
            what: "a JSON document (PubMed's JSON, or an E-utilities JSON answer), not PubMed XML",
            advice: INSTEAD,
        });
    }
    let first = lines.first().copied().unwrap_or("");
    if first.contains(',') || first.contains('\t') || first.contains(';') {
        return Some(Foreign {
            what: "a CSV (or tab-separated) table, not PubMed XML",
            advice: INSTEAD,
        });
    }
    Some(Foreign { what: "plain text, not XML", advice: INSTEAD })
}

/// Where a gzip file's data is damaged: (bytes of decompressed data read
/// before the fault, the fault); `None` when it decompresses whole or is
/// not gzip.
pub fn gzip_damage(path: &Path) -> Option<(u64, String)> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut magic = [0u8; 2];
    if f.read(&mut magic).ok()? != 2 || magic != [0x1f, 0x8b] {
        return None;
    }
    let f = std::fs::File::open(path).ok()?;
    let mut gz = flate2::read::MultiGzDecoder::new(io::BufReader::new(f));
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        match gz.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => total += n as u64,
            Err(e) => return Some((total, e.to_string())),
        }
    }
}
