//! The E-utilities as data: request parameters built by pure functions, and
//! response bodies read and judged (is it what was asked for, an error
//! NCBI wrote inside a 200, or a body cut short?). No I/O here.

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::parse::{self, Entry, ParseError, ParseErrorKind, Pmid};

/// PubMed returns at most this many PMIDs for one search (EUTILS.md §2.2).
pub const PUBMED_CAP: u64 = 9_999;

/// What is wrong with a body.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyError {
    /// HTTP 200 with nothing in it.
    Empty,
    /// NCBI's own `ERROR` text.
    Ncbi(String),
    /// Not the XML that was asked for, or cut short.
    Unreadable(String),
}

impl BodyError {
    /// Worth asking again? NCBI's backend errors are mostly transient; a
    /// query it cannot read, an expired history or the 9,999 cap are not.
    pub fn is_transient(&self) -> bool {
        match self {
            BodyError::Empty | BodyError::Unreadable(_) => true,
            BodyError::Ncbi(m) => !(is_syntax_error(m) || is_expired_history(m) || is_cap(m)),
        }
    }
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::Empty => f.write_str("an empty answer"),
            BodyError::Ncbi(m) => write!(f, "NCBI said: {m}"),
            BodyError::Unreadable(m) => write!(f, "an unreadable answer ({m})"),
        }
    }
}

/// NCBI could not read the query (no retry helps).
pub fn is_syntax_error(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("syntax") || m.contains("invalid query") || m.contains("unbalanced")
}

/// The WebEnv or query key is gone (run the search again).
pub fn is_expired_history(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("unable to obtain query")
        || m.contains("session has expired")
        || m.contains("out of range")
}

fn is_cap(message: &str) -> bool {
    message.contains("cannot be larger than 9998") || message.contains("out of acceptable range")
}

/// Parameters common to every request. The API key goes in the POST body,
/// never in a URL, so it cannot leak through an error message.
pub fn common(tool: &str, email: &str, api_key: Option<&str>) -> Vec<(String, String)> {
    let mut p = vec![("db".into(), "pubmed".into()), ("tool".into(), tool.into())];
    if !email.is_empty() {
        p.push(("email".into(), email.into()));
    }
    if let Some(k) = api_key {
        p.push(("api_key".into(), k.into()));
    }
    p
}

/// An esearch: `term`, from `retstart`, at most `retmax` PMIDs, kept on the
/// history server; or a page of an earlier search (`history`).
pub fn esearch_params(
    term: &str,
    date: Option<(&str, &str, &str)>,
    retstart: u64,
    retmax: u64,
    history: Option<(&str, &str)>,
) -> Vec<(String, String)> {
    let mut p = vec![
        ("term".to_string(), term.to_string()),
        ("retstart".into(), retstart.to_string()),
        ("retmax".into(), retmax.to_string()),
        ("usehistory".into(), "y".into()),
    ];
    if let Some((datetype, min, max)) = date {
        p.push(("datetype".into(), datetype.into()));
        p.push(("mindate".into(), min.into()));
        p.push(("maxdate".into(), max.into()));
    }
    if let Some((webenv, key)) = history {
        p.push(("WebEnv".into(), webenv.into()));
        p.push(("query_key".into(), key.into()));
    }
    p
}

/// An efetch of these PMIDs as PubMed XML.
pub fn efetch_params(pmids: &[Pmid]) -> Vec<(String, String)> {
    let ids: Vec<String> = pmids.iter().map(Pmid::to_string).collect();
    vec![("id".into(), ids.join(",")), ("retmode".into(), "xml".into())]
}

/// `term` restricted to records created from `from` to `to` (YYYY/MM/DD).
pub fn with_crdt(term: &str, from: &str, to: &str) -> String {
    format!("({term}) AND (\"{from}\"[CRDT] : \"{to}\"[CRDT])")
}

/// `term` restricted to PMIDs `lo` to `hi`.
pub fn with_uid(term: &str, lo: u64, hi: u64) -> String {
    format!("({term}) AND {lo}:{hi}[UID]")
}

/// An esearch answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EsearchReply {
    pub count: u64,
    pub ids: Vec<Pmid>,
    pub webenv: Option<String>,
    pub query_key: Option<String>,
    pub warnings: Vec<String>,
}

/// Reads an esearch XML body.
pub fn parse_esearch(body: &[u8]) -> Result<EsearchReply, BodyError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(BodyError::Empty);
    }
    let mut reader = Reader::from_reader(body);
    let mut buf = Vec::new();
    let mut reply = EsearchReply::default();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut count = None;
    let mut closed = false;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                path.push(e.name().0.to_string());
                text.clear();
            }
            Ok(Event::Text(t)) => text.push_str(&t),
            Ok(Event::GeneralRef(r)) => match r.resolve_char_ref() {
                Ok(Some(c)) => text.push(c),
                _ => text.push_str(match &*r {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    _ => "'",
                }),
            },
            Ok(Event::End(_)) => {
                let name = path.pop().unwrap_or_default();
                let parent = path.last().map(String::as_str).unwrap_or("");
                match (parent, name.as_str()) {
                    ("eSearchResult", "Count") => count = text.trim().parse().ok(),
                    ("eSearchResult", "WebEnv") => reply.webenv = Some(text.trim().to_string()),
                    ("eSearchResult", "QueryKey") => {
                        reply.query_key = Some(text.trim().to_string())
                    }
                    ("IdList", "Id") => reply.ids.push(text.parse().map_err(|e| {
                        BodyError::Unreadable(format!("esearch answer with a bad Id: {e}"))
                    })?),
                    (_, "ERROR") => return Err(BodyError::Ncbi(text.trim().to_string())),
                    ("WarningList", "OutputMessage") => {
                        reply.warnings.push(text.trim().to_string())
                    }
                    ("", "eSearchResult") => closed = true,
                    _ => {}
                }
                text.clear();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(BodyError::Unreadable(format!("bad XML: {e}"))),
        }
        buf.clear();
    }
    if !closed {
        let head = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
        return Err(BodyError::Unreadable(format!("not a whole esearch answer: {head:?}")));
    }
    reply.count =
        count.ok_or_else(|| BodyError::Unreadable("esearch answer without Count".into()))?;
    Ok(reply)
}

/// Checks an efetch body: whole PubMed XML. Returns the PMIDs it holds.
pub fn check_efetch(body: &[u8]) -> Result<Vec<Pmid>, BodyError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(BodyError::Empty);
    }
    let mut pmids = Vec::new();
    for item in parse::records(body) {
        match item {
            Ok(Entry::Record(r)) => pmids.push(r.pmid),
            Ok(Entry::Deleted(_)) => {}
            Err(ParseError { kind: ParseErrorKind::Eutils(m), .. }) => {
                return Err(BodyError::Ncbi(m));
            }
            Err(e) if e.fatal => return Err(BodyError::Unreadable(e.message)),
            Err(_) => {}
        }
    }
    Ok(pmids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esearch_answers_are_read() {
        let body =
            b"<?xml version=\"1.0\" ?><!DOCTYPE eSearchResult PUBLIC \"x\" \"y\"><eSearchResult>\
            <Count>3</Count><RetMax>3</RetMax><RetStart>0</RetStart><QueryKey>1</QueryKey>\
            <WebEnv>MCID_abc</WebEnv><IdList><Id>3</Id><Id>2</Id><Id>1</Id></IdList>\
            <TranslationSet/><QueryTranslation>x</QueryTranslation></eSearchResult>";
        let r = parse_esearch(body).unwrap();
        assert_eq!(r.count, 3);
        let ids: Vec<String> = r.ids.iter().map(Pmid::to_string).collect();
        assert_eq!(ids, ["3", "2", "1"]);
        assert_eq!(r.webenv.as_deref(), Some("MCID_abc"));
        assert_eq!(r.query_key.as_deref(), Some("1"));
    }

    #[test]
    fn errors_inside_200_and_broken_bodies_are_told_apart() {
        let e = parse_esearch(
            b"<eSearchResult><ERROR>Search Backend failed: Exception:\n'retstart' \
            cannot be larger than 9998.</ERROR></eSearchResult>",
        )
        .unwrap_err();
        assert!(matches!(&e, BodyError::Ncbi(m) if m.contains("9998")));
        assert!(!e.is_transient());
        let e = parse_esearch(
            b"<eSearchResult><ERROR>Unable to obtain query #1</ERROR></eSearchResult>",
        )
        .unwrap_err();
        assert!(!e.is_transient() && matches!(&e, BodyError::Ncbi(m) if is_expired_history(m)));
        let e = parse_esearch(b"<eSearchResult><ERROR>Search Backend failed: Couldn't resolve #pmquerysrv</ERROR></eSearchResult>").unwrap_err();
        assert!(e.is_transient());
        assert_eq!(parse_esearch(b"").unwrap_err(), BodyError::Empty);
        assert!(parse_esearch(b"<eSearchResult><Count>3</Count><IdList><Id>3")
            .unwrap_err()
            .is_transient());
        assert!(parse_esearch(b"Unable to route request! service name")
            .unwrap_err()
            .is_transient());
    }

    #[test]
    fn efetch_bodies_are_checked_whole() {
        let whole = b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version=\"1\">5</PMID>\
            <Article><ArticleTitle>T</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>";
        assert_eq!(check_efetch(whole).unwrap(), [Pmid::new(5).unwrap()]);
        assert!(matches!(check_efetch(&whole[..60]), Err(BodyError::Unreadable(_))));
        assert_eq!(check_efetch(b"\n").unwrap_err(), BodyError::Empty);
        let err = check_efetch(b"<eFetchResult><ERROR>Cannot retrieve history data: OUT OF RANGE</ERROR></eFetchResult>");
        assert!(matches!(err, Err(BodyError::Ncbi(m)) if m.contains("OUT OF RANGE")));
        assert_eq!(
            check_efetch(b"<PubmedArticleSet></PubmedArticleSet>").unwrap(),
            Vec::<Pmid>::new()
        );
    }

    #[test]
    fn range_clauses_are_pubmed_syntax() {
        assert_eq!(
            with_crdt("a[tiab]", "2025/01/01", "2025/01/31"),
            "(a[tiab]) AND (\"2025/01/01\"[CRDT] : \"2025/01/31\"[CRDT])"
        );
        assert_eq!(with_uid("a", 1, 7500), "(a) AND 1:7500[UID]");
    }
}
