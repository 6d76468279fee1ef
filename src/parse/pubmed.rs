//! The streaming PubMed XML parser: `impl BufRead` in, [`Entry`]s out.
//!
//! One pass of quick-xml events, one reused buffer, one small stack of known
//! element names. Memory stays flat whatever the size of the input: only the
//! record being read is held. Subtrees that hold nothing a `Record` needs
//! (reference lists, history, grant lists...) are skipped without looking up
//! their element names.
//!
//! Mixed content (`<i>`, `<sup>`, `mml:math`... inside titles and abstracts)
//! is read as text over all descendants, and entities come as separate
//! `GeneralRef` events in quick-xml ≥ 0.38: both are collected into the field
//! being read, so no word and no accented letter is lost.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use super::record::{
    self, AbstractSection, Author, Correction, MeshHeading, OtherAbstract, Pmid, Record,
};
use super::text::{first_year, normalize_ws};

/// What a PubMed XML file holds, in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// A `PubmedArticle` or `PubmedBookArticle`.
    Record(Box<Record>),
    /// A `DeleteCitation` block: these PMIDs leave the working set.
    Deleted(Vec<Pmid>),
}

/// A fault in the input. `fatal` faults end the stream (the XML cannot be
/// read past them); the others concern one record, which is skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// Byte offset into the (decompressed) input.
    pub offset: u64,
    /// The PMID of the record being read, as written, when it was known.
    pub pmid: Option<String>,
    pub message: String,
    pub fatal: bool,
    pub kind: ParseErrorKind,
}

/// What kind of fault a [`ParseError`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// One record is unusable (no PMID, a PMID that is no number); it is
    /// skipped and the rest is read.
    Record,
    /// The XML cannot be read past this point (malformed, truncated).
    Malformed,
    /// The input is empty.
    Empty,
    /// XML, but not PubMed's.
    NotPubmed,
    /// An E-utilities error document (`<eFetchResult><ERROR>`...) instead
    /// of records: NCBI's words.
    Eutils(String),
}

impl ParseErrorKind {
    /// A short name for scripts (`import --json` errors carry it).
    pub fn name(&self) -> &'static str {
        match self {
            ParseErrorKind::Record => "record",
            ParseErrorKind::Malformed => "malformed",
            ParseErrorKind::Empty => "empty",
            ParseErrorKind::NotPubmed => "not_pubmed",
            ParseErrorKind::Eutils(_) => "eutils_error",
        }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(p) = &self.pmid {
            write!(f, " (PMID {p})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}

/// Parses PubMed XML from `input`, one entry at a time.
pub fn records<R: BufRead>(input: R) -> Records<R> {
    records_fragment(input, false)
}

/// Parses a piece of a PubMed XML document; with `open_end`, the input may
/// end with the root element still open (the rest follows in another piece).
pub(crate) fn records_fragment<R: BufRead>(input: R, open_end: bool) -> Records<R> {
    let mut reader = Reader::from_reader(input);
    let config = reader.config_mut();
    config.trim_text(false);
    config.expand_empty_elements = true;
    config.check_end_names = true;
    Records {
        reader,
        buf: Vec::with_capacity(64 * 1024),
        stack: Vec::with_capacity(16),
        skip: 0,
        base: usize::MAX,
        root: Root::NotSeen,
        done: false,
        builder: Builder::default(),
        capture: None,
        text: String::with_capacity(4096),
        deleted: Vec::new(),
        error_text: None,
        open_end,
    }
}

/// Iterator over the entries of one PubMed XML document.
pub struct Records<R: BufRead> {
    reader: Reader<R>,
    buf: Vec<u8>,
    /// Known element names from the root to the current element.
    stack: Vec<Tag>,
    /// Depth inside a subtree that is being skipped (0: not skipping).
    skip: usize,
    /// Index in `stack` of the `PubmedArticle`/`PubmedBookArticle` being read.
    base: usize,
    root: Root,
    done: bool,
    builder: Builder,
    /// The field whose text is being collected, and the stack depth of its
    /// element.
    capture: Option<(Field, usize)>,
    text: String,
    deleted: Vec<Pmid>,
    /// Text of an `<ERROR>` element, when the input is an E-utilities error.
    error_text: Option<String>,
    /// The input may end inside the root element (a piece of a document).
    open_end: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Root {
    NotSeen,
    PubMed,
    /// An E-utilities error document (`eFetchResult` with `ERROR`).
    EutilsError,
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = Result<Entry, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.advance();
        if matches!(&item, Some(Err(e)) if e.fatal) || item.is_none() {
            self.done = true;
        }
        item
    }
}

impl<R: BufRead> Records<R> {
    /// Reads events until an entry is complete, a fault is met, or the input
    /// ends.
    fn advance(&mut self) -> Option<Result<Entry, ParseError>> {
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(e) => e,
                Err(e) => {
                    let offset = self.reader.error_position();
                    let message = match e {
                        // Every syntax error is markup left open at the end of
                        // the input.
                        quick_xml::Error::Syntax(e) => format!(
                            "the file ends in the middle of markup ({e}): it is truncated \
                             (download it again)"
                        ),
                        e => format!("malformed XML: {e}"),
                    };
                    return Some(Err(self.fatal(offset, message)));
                }
            };
            if self.skip > 0 {
                match event {
                    Event::Start(_) => self.skip += 1,
                    Event::End(_) => self.skip -= 1,
                    Event::Eof => return self.at_eof(),
                    _ => {}
                }
                continue;
            }
            match event {
                Event::Start(e) => {
                    if let Err(err) = Self::start(
                        &mut self.stack,
                        &mut self.skip,
                        &mut self.base,
                        &mut self.root,
                        &mut self.builder,
                        &mut self.capture,
                        &mut self.text,
                        &e,
                    ) {
                        let offset = self.reader.buffer_position();
                        return Some(Err(self.fatal(offset, err)));
                    }
                }
                Event::End(_) => {
                    if let Some(done) = self.end() {
                        return Some(done);
                    }
                }
                // No end-of-line normalisation: white space is collapsed anyway.
                Event::Text(t) if self.capture.is_some() => self.text.push_str(&t),
                Event::CData(t) if self.capture.is_some() => {
                    self.text.push_str(&t.xml10_content());
                }
                Event::GeneralRef(r) if self.capture.is_some() => push_ref(&mut self.text, &r),
                Event::Eof => return self.at_eof(),
                _ => {}
            }
        }
    }

    fn fatal(&self, offset: u64, message: String) -> ParseError {
        let pmid = if self.base != usize::MAX && !self.builder.pmid.is_empty() {
            Some(self.builder.pmid.clone())
        } else {
            None
        };
        let message = if self.base != usize::MAX {
            format!("{message}; the record being read is skipped and nothing after it is read")
        } else {
            message
        };
        ParseError { offset, pmid, message, fatal: true, kind: ParseErrorKind::Malformed }
    }

    fn at_eof(&mut self) -> Option<Result<Entry, ParseError>> {
        let offset = self.reader.buffer_position();
        if self.root == Root::EutilsError {
            let msg = self.error_text.take().unwrap_or_default();
            return Some(Err(ParseError {
                offset: 0,
                pmid: None,
                message: format!("an E-utilities error response, not PubMed records: {msg}"),
                fatal: true,
                kind: ParseErrorKind::Eutils(msg),
            }));
        }
        if self.root == Root::NotSeen {
            let (kind, message) = if offset == 0 {
                (ParseErrorKind::Empty, "the file is empty".to_string())
            } else {
                (
                    ParseErrorKind::NotPubmed,
                    "not PubMed XML: no <PubmedArticleSet> element found".to_string(),
                )
            };
            return Some(Err(ParseError { offset: 0, pmid: None, message, fatal: true, kind }));
        }
        if self.open_end && self.skip == 0 && self.stack == [Tag::PubmedArticleSet] {
            return None;
        }
        if !self.stack.is_empty() || self.skip > 0 {
            let open = self.stack.last().map(|t| format!("{t:?}")).unwrap_or_default();
            let message =
                format!("the file ends inside <{open}>: it is truncated (download it again)");
            return Some(Err(self.fatal(offset, message)));
        }
        None
    }

    /// Handles a start tag. Returns an error message for a fatal fault.
    #[allow(clippy::too_many_arguments)]
    fn start(
        stack: &mut Vec<Tag>,
        skip: &mut usize,
        base: &mut usize,
        root: &mut Root,
        b: &mut Builder,
        capture: &mut Option<(Field, usize)>,
        text: &mut String,
        e: &BytesStart<'_>,
    ) -> Result<(), String> {
        let name = e.name().0;
        if *root == Root::NotSeen {
            match name {
                "PubmedArticleSet" => *root = Root::PubMed,
                "PubmedArticle" | "PubmedBookArticle" => *root = Root::PubMed,
                "eFetchResult" | "eSearchResult" | "ERROR" => {
                    *root = Root::EutilsError;
                    if name == "ERROR" {
                        stack.push(Tag::Error);
                        *capture = Some((Field::Error, stack.len()));
                        text.clear();
                        return Ok(());
                    }
                }
                other => {
                    return Err(format!(
                        "not PubMed XML: the root element is <{other}>, expected \
                         <PubmedArticleSet>"
                    ))
                }
            }
        }
        if capture.is_some() {
            // Inline markup inside a title, abstract, keyword...: keep going,
            // its text is collected with the rest.
            stack.push(Tag::Other);
            return Ok(());
        }
        if *root == Root::EutilsError {
            let tag = Tag::of(name);
            stack.push(if tag == Tag::Error { Tag::Error } else { Tag::Other });
            if tag == Tag::Error {
                *capture = Some((Field::Error, stack.len()));
                text.clear();
            }
            return Ok(());
        }
        let tag = Tag::of(name);
        if tag == Tag::Other {
            *skip = 1;
            return Ok(());
        }
        stack.push(tag);
        if matches!(tag, Tag::PubmedArticle | Tag::PubmedBookArticle) && *base == usize::MAX {
            *base = stack.len() - 1;
            *b = Builder::default();
            b.record.book = tag == Tag::PubmedBookArticle;
            return Ok(());
        }
        if *base == usize::MAX {
            if matches!(stack.as_slice(), [.., Tag::DeleteCitation, Tag::Pmid]) {
                *capture = Some((Field::DeletePmid, stack.len()));
                text.clear();
            }
            return Ok(());
        }
        if let Some(f) = Self::field_for(&stack[*base..], b, e) {
            *capture = Some((f, stack.len()));
            text.clear();
        }
        Ok(())
    }

    /// Decides, from the path below the record element, whether this element
    /// holds a field, and opens the structures (author, heading...) it starts.
    fn field_for(path: &[Tag], b: &mut Builder, e: &BytesStart<'_>) -> Option<Field> {
        use Tag::*;
        const PA: Tag = PubmedArticle;
        const MC: Tag = MedlineCitation;
        const PBA: Tag = PubmedBookArticle;
        const BD: Tag = BookDocument;
        match path {
            [PA, MC] => {
                b.record.status = attr(e, "Status");
                None
            }
            [PA, MC, Pmid] | [PBA, BD, Pmid] => {
                b.version = attr_cow(e, "Version").and_then(|v| v.parse().ok()).unwrap_or(1);
                Some(Field::Pmid)
            }
            [PA, MC, DateRevised, Year] => Some(Field::RevYear),
            [PA, MC, DateRevised, Month] => Some(Field::RevMonth),
            [PA, MC, DateRevised, Day] => Some(Field::RevDay),
            [PA, MC, Article, Journal, Title] => Some(Field::Journal),
            [PA, MC, Article, Journal, IsoAbbreviation] => Some(Field::JournalAbbrev),
            [PA, MC, Article, Journal, JournalIssue, Volume] => Some(Field::Volume),
            [PA, MC, Article, Journal, JournalIssue, Issue] => Some(Field::Issue),
            [PA, MC, Article, Journal, JournalIssue, PubDate, t] | [PBA, BD, Book, PubDate, t] => {
                match t {
                    Year => Some(Field::PubYear),
                    Month => Some(Field::PubMonth),
                    Day => Some(Field::PubDay),
                    Season => Some(Field::Season),
                    MedlineDate => Some(Field::MedlineDate),
                    _ => None,
                }
            }
            [PA, MC, Article, ArticleTitle] | [PBA, BD, ArticleTitle] => Some(Field::Title),
            [PA, MC, Article, VernacularTitle] | [PBA, BD, VernacularTitle] => {
                Some(Field::Vernacular)
            }
            [PA, MC, Article, Language] | [PBA, BD, Language] => Some(Field::Language),
            [PA, MC, Article, ELocationId] => {
                attr_is(e, "EIdType", "doi").then_some(Field::ElocationDoi)
            }
            [PA, MC, Article, Pagination, MedlinePgn] => Some(Field::Pages),
            [PA, MC, Article, PublicationTypeList, PublicationType]
            | [PBA, BD, PublicationType] => Some(Field::PubType),
            [PA, MC, Article, AuthorList] | [PBA, BD, AuthorList] | [PBA, BD, Book, AuthorList] => {
                b.list = match attr_cow(e, "Type").as_deref() {
                    Some("editors") => ListKind::Editors,
                    _ if path.len() == 4 && path[2] == Book => ListKind::BookAuthors,
                    _ => ListKind::Authors,
                };
                None
            }
            [PA, MC, Article, AuthorList, Author, rest @ ..]
            | [PBA, BD, AuthorList, Author, rest @ ..]
            | [PBA, BD, Book, AuthorList, Author, rest @ ..] => match rest {
                [] => {
                    b.author = record::Author::default();
                    None
                }
                [LastName] => Some(Field::Last),
                [ForeName] => Some(Field::Fore),
                [Initials] => Some(Field::Initials),
                [Suffix] => Some(Field::Suffix),
                [CollectiveName] => Some(Field::Collective),
                [Identifier] => {
                    let orcid =
                        attr_cow(e, "Source").is_some_and(|s| s.eq_ignore_ascii_case("ORCID"));
                    orcid.then_some(Field::Orcid)
                }
                [AffiliationInfo, Affiliation] => Some(Field::Affiliation),
                _ => None,
            },
            [PA, MC, Article, Abstract, AbstractText] | [PBA, BD, Abstract, AbstractText] => {
                b.section = section(e);
                Some(Field::AbstractText)
            }
            [PA, MC, OtherAbstract] => {
                b.other = record::OtherAbstract {
                    kind: attr(e, "Type"),
                    language: attr(e, "Language"),
                    sections: Vec::new(),
                };
                None
            }
            [PA, MC, OtherAbstract, AbstractText] => {
                b.section = section(e);
                Some(Field::OtherAbstractText)
            }
            [PA, MC, MeshHeadingList, MeshHeading] => {
                b.heading = record::MeshHeading::default();
                None
            }
            [PA, MC, MeshHeadingList, MeshHeading, DescriptorName] => {
                b.heading.ui = attr(e, "UI");
                b.heading.major |= attr_is(e, "MajorTopicYN", "Y");
                Some(Field::Descriptor)
            }
            [PA, MC, MeshHeadingList, MeshHeading, QualifierName] => {
                b.heading.major |= attr_is(e, "MajorTopicYN", "Y");
                Some(Field::Qualifier)
            }
            [PA, MC, KeywordList, Keyword] | [PBA, BD, KeywordList, Keyword] => {
                Some(Field::Keyword)
            }
            [PA, MC, ChemicalList, Chemical, NameOfSubstance] => Some(Field::Chemical),
            [PA, MC, CommentsCorrectionsList, CommentsCorrections] => {
                b.correction = Correction {
                    kind: attr(e, "RefType").unwrap_or_default(),
                    ..Correction::default()
                };
                None
            }
            [PA, MC, CommentsCorrectionsList, CommentsCorrections, RefSource] => {
                Some(Field::RefSource)
            }
            [PA, MC, CommentsCorrectionsList, CommentsCorrections, Pmid] => Some(Field::RefPmid),
            [PA, PubmedData, ArticleIdList, ArticleId]
            | [PBA, BD, ArticleIdList, ArticleId]
            | [PBA, PubmedBookData, ArticleIdList, ArticleId] => {
                match attr_cow(e, "IdType").as_deref() {
                    Some("doi") => Some(Field::ArticleIdDoi),
                    Some("pmc") => Some(Field::Pmc),
                    _ => None,
                }
            }
            [PBA, BD, Book, BookTitle] => Some(Field::BookTitle),
            [PBA, BD, Book, Publisher, PublisherName] => Some(Field::Publisher),
            _ => None,
        }
    }

    /// Handles an end tag; returns an entry when one is complete.
    fn end(&mut self) -> Option<Result<Entry, ParseError>> {
        let depth = self.stack.len();
        if let Some((field, d)) = self.capture {
            if d == depth {
                self.capture = None;
                let value = normalize_ws(&self.text);
                if field == Field::Error {
                    self.error_text = Some(value);
                } else if field == Field::DeletePmid {
                    // A text that is no PMID names no record of the working
                    // set (every one of them is valid), so it deletes nothing.
                    if let Ok(p) = value.parse() {
                        self.deleted.push(p);
                    }
                } else {
                    self.builder.set(field, value);
                }
            }
        }
        let tag = self.stack.pop()?;
        let in_record = self.base != usize::MAX;
        match tag {
            Tag::PubmedArticle | Tag::PubmedBookArticle if in_record && self.base == depth - 1 => {
                self.base = usize::MAX;
                let b = std::mem::take(&mut self.builder);
                return Some(b.finish(self.reader.buffer_position()));
            }
            Tag::DeleteCitation if !in_record => {
                let pmids = std::mem::take(&mut self.deleted);
                return Some(Ok(Entry::Deleted(pmids)));
            }
            Tag::Author if in_record => self.builder.end_author(),
            Tag::MeshHeading if in_record => {
                let h = std::mem::take(&mut self.builder.heading);
                if !h.descriptor.is_empty() {
                    self.builder.record.mesh.push(h.descriptor.clone());
                    self.builder.record.mesh_headings.push(h);
                }
            }
            Tag::CommentsCorrections if in_record => {
                let c = std::mem::take(&mut self.builder.correction);
                self.builder.record.corrections.push(c);
            }
            Tag::OtherAbstract if in_record => {
                let o = std::mem::take(&mut self.builder.other);
                self.builder.record.other_abstracts.push(o);
            }
            _ => {}
        }
        None
    }
}

/// Appends the text an entity or character reference stands for.
fn push_ref(text: &mut String, r: &BytesRef<'_>) {
    match r.resolve_char_ref() {
        Ok(Some(c)) => text.push(c),
        Ok(None) => match &**r {
            "amp" => text.push('&'),
            "lt" => text.push('<'),
            "gt" => text.push('>'),
            "quot" => text.push('"'),
            "apos" => text.push('\''),
            // PubMed XML does not use DTD entities; keep an unknown one as
            // written rather than lose it.
            other => {
                text.push('&');
                text.push_str(other);
                text.push(';');
            }
        },
        Err(_) => text.push('\u{FFFD}'),
    }
}

/// A new abstract section with the `Label` and `NlmCategory` of `e`.
fn section(e: &BytesStart<'_>) -> AbstractSection {
    AbstractSection {
        label: attr(e, "Label"),
        category: attr(e, "NlmCategory"),
        text: String::new(),
    }
}

/// The value of attribute `key`, unescaped. Attribute order and duplicates
/// are not checked: this runs for every heading and identifier of every
/// record, and PubMed's XML is generated, not hand-written.
fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    attr_cow(e, key).map(Cow::into_owned)
}

/// [`attr`] without a copy when the value has no escapes. A direct scan of
/// the tag's attribute text: quick-xml's attribute iterator costs several
/// times more, and this runs about 25 times per record.
fn attr_cow<'a>(e: &'a BytesStart<'_>, key: &str) -> Option<Cow<'a, str>> {
    let raw = e.attributes_raw();
    let b = raw.as_bytes();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let name = &raw[name_start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() || b[i] != b'=' {
            return None;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let quote = *b.get(i)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value_start = i + 1;
        let len = b[value_start..].iter().position(|&c| c == quote)?;
        i = value_start + len + 1;
        if name == key {
            let value = &raw[value_start..value_start + len];
            return Some(if value.contains('&') {
                Cow::Owned(unescape(value))
            } else {
                Cow::Borrowed(value)
            });
        }
    }
}

/// Resolves entity and character references in an attribute value.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match after.find(';') {
            Some(semi) => {
                let name = &after[..semi];
                push_ref(&mut out, &BytesRef::new(name));
                rest = &after[semi + 1..];
            }
            None => {
                out.push_str(&rest[amp..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// True when attribute `key` has the value `want`.
fn attr_is(e: &BytesStart<'_>, key: &str, want: &str) -> bool {
    attr_cow(e, key).is_some_and(|v| v == want)
}

/// Which author list an `Author` belongs to.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum ListKind {
    #[default]
    Authors,
    Editors,
    /// `Book/AuthorList` of a book chapter: used when the chapter has none.
    BookAuthors,
}

/// The record being read, and the parts that are put together at its end.
#[derive(Debug, Default)]
struct Builder {
    record: Record,
    /// The PMID as written; checked when the record ends.
    pmid: String,
    version: u32,
    pmid_seen: bool,
    pub_year: Option<String>,
    pub_month: Option<String>,
    pub_day: Option<String>,
    season: Option<String>,
    medline_date: Option<String>,
    rev: [Option<String>; 3],
    eloc_doi: Option<String>,
    article_doi: Option<String>,
    book_title: Option<String>,
    book_authors: Vec<Author>,
    list: ListKind,
    author: Author,
    section: AbstractSection,
    other: OtherAbstract,
    heading: MeshHeading,
    correction: Correction,
}

impl Builder {
    fn set(&mut self, field: Field, value: String) {
        let r = &mut self.record;
        match field {
            Field::Pmid => {
                if !self.pmid_seen {
                    self.pmid = value;
                    self.pmid_seen = true;
                }
            }
            Field::RevYear => self.rev[0] = Some(value),
            Field::RevMonth => self.rev[1] = Some(value),
            Field::RevDay => self.rev[2] = Some(value),
            Field::Journal => r.journal = non_empty(value),
            Field::JournalAbbrev => r.journal_abbrev = non_empty(value),
            Field::Volume => r.volume = non_empty(value),
            Field::Issue => r.issue = non_empty(value),
            Field::PubYear => self.pub_year = non_empty(value),
            Field::PubMonth => self.pub_month = non_empty(value),
            Field::PubDay => self.pub_day = non_empty(value),
            Field::Season => self.season = non_empty(value),
            Field::MedlineDate => self.medline_date = non_empty(value),
            Field::Title => r.title = value,
            Field::Vernacular => r.vernacular_title = non_empty(value),
            Field::BookTitle => self.book_title = non_empty(value),
            Field::Publisher => {
                if r.journal.is_none() {
                    r.journal = non_empty(value)
                }
            }
            Field::Pages => r.pages = non_empty(value),
            Field::ElocationDoi => {
                if self.eloc_doi.is_none() {
                    self.eloc_doi = non_empty(value)
                }
            }
            Field::ArticleIdDoi => {
                if self.article_doi.is_none() {
                    self.article_doi = non_empty(value)
                }
            }
            Field::Pmc => {
                if r.pmcid.is_none() {
                    r.pmcid = non_empty(value)
                }
            }
            Field::AbstractText => {
                let mut s = std::mem::take(&mut self.section);
                s.text = value;
                r.abstract_sections.push(s);
            }
            Field::OtherAbstractText => {
                let mut s = std::mem::take(&mut self.section);
                s.text = value;
                self.other.sections.push(s);
            }
            Field::Last => self.author.last = non_empty(value),
            Field::Fore => self.author.fore = non_empty(value),
            Field::Initials => self.author.initials = non_empty(value),
            Field::Suffix => self.author.suffix = non_empty(value),
            Field::Collective => self.author.collective = non_empty(value),
            Field::Orcid => {
                if self.author.orcid.is_none() {
                    self.author.orcid = normalize_orcid(&value)
                }
            }
            Field::Affiliation => {
                if !value.is_empty() {
                    self.author.affiliations.push(value)
                }
            }
            Field::Language => push_non_empty(&mut r.languages, value),
            Field::PubType => push_non_empty(&mut r.publication_types, value),
            Field::Descriptor => self.heading.descriptor = value,
            Field::Qualifier => push_non_empty(&mut self.heading.qualifiers, value),
            Field::Keyword => push_non_empty(&mut r.keywords, value),
            Field::Chemical => push_non_empty(&mut r.chemicals, value),
            Field::RefSource => self.correction.source = non_empty(value),
            Field::RefPmid => self.correction.pmid = non_empty(value),
            Field::DeletePmid | Field::Error => {}
        }
    }

    fn end_author(&mut self) {
        let a = std::mem::take(&mut self.author);
        match self.list {
            ListKind::Authors => self.record.authors.push(a),
            ListKind::Editors => self.record.editors.push(a),
            ListKind::BookAuthors => self.book_authors.push(a),
        }
    }

    fn finish(mut self, offset: u64) -> Result<Entry, ParseError> {
        let r = &mut self.record;
        if self.pmid.is_empty() {
            return Err(ParseError {
                offset,
                pmid: None,
                message: "a record without a PMID; it is skipped".into(),
                fatal: false,
                kind: ParseErrorKind::Record,
            });
        }
        match self.pmid.parse::<Pmid>() {
            Ok(p) => r.pmid = p,
            Err(e) => {
                return Err(ParseError {
                    offset,
                    pmid: Some(self.pmid.clone()),
                    message: format!("{e}; the record is skipped (the others are read)"),
                    fatal: false,
                    kind: ParseErrorKind::Record,
                })
            }
        }
        r.version = self.version.max(1);
        if r.title.is_empty() {
            if let Some(v) = &r.vernacular_title {
                r.title = v.clone();
            } else if let Some(t) = &self.book_title {
                r.title = t.clone();
            }
        }
        if r.authors.is_empty() {
            r.authors = std::mem::take(&mut self.book_authors);
        }
        r.doi = self.eloc_doi.or(self.article_doi);
        r.year = self
            .pub_year
            .as_deref()
            .and_then(first_year)
            .or_else(|| self.medline_date.as_deref().and_then(first_year));
        r.pub_date = match (&self.pub_year, &self.medline_date) {
            (Some(y), _) => {
                let mut d = y.clone();
                for part in [&self.pub_month, &self.pub_day, &self.season].into_iter().flatten() {
                    d.push(' ');
                    d.push_str(part);
                }
                Some(d)
            }
            (None, Some(m)) => Some(m.clone()),
            (None, None) => None,
        };
        if let [Some(y), Some(m), Some(d)] = &self.rev {
            r.date_revised = Some(format!("{y}-{m:0>2}-{d:0>2}"));
        }
        r.retracted = r.corrections.iter().any(|c| c.kind == "RetractionIn")
            || r.publication_types.iter().any(|t| t == "Retracted Publication");
        Ok(Entry::Record(Box::new(self.record)))
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn push_non_empty(v: &mut Vec<String>, s: String) {
    if !s.is_empty() {
        v.push(s)
    }
}

/// An ORCID iD without its URL prefix: `https://orcid.org/0000-0002-1825-0097`,
/// `http://orcid.org/...` and `0000000218250097` all give `0000-0002-1825-0097`.
pub fn normalize_orcid(raw: &str) -> Option<String> {
    let id = raw.trim();
    let id = id.rsplit('/').next().unwrap_or(id);
    let compact: String = id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if compact.len() == 16 {
        let c = compact.to_ascii_uppercase();
        return Some(format!("{}-{}-{}-{}", &c[0..4], &c[4..8], &c[8..12], &c[12..16]));
    }
    (!id.is_empty()).then(|| id.to_string())
}

/// The fields whose text is collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Pmid,
    DeletePmid,
    Error,
    RevYear,
    RevMonth,
    RevDay,
    Journal,
    JournalAbbrev,
    Volume,
    Issue,
    PubYear,
    PubMonth,
    PubDay,
    Season,
    MedlineDate,
    Title,
    Vernacular,
    BookTitle,
    Publisher,
    Pages,
    ElocationDoi,
    ArticleIdDoi,
    Pmc,
    AbstractText,
    OtherAbstractText,
    Last,
    Fore,
    Initials,
    Suffix,
    Collective,
    Orcid,
    Affiliation,
    Language,
    PubType,
    Descriptor,
    Qualifier,
    Keyword,
    Chemical,
    RefSource,
    RefPmid,
}

/// The element names the parser knows; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
enum Tag {
    PubmedArticleSet,
    PubmedArticle,
    PubmedBookArticle,
    MedlineCitation,
    BookDocument,
    PubmedData,
    PubmedBookData,
    DeleteCitation,
    Pmid,
    DateRevised,
    Article,
    Journal,
    JournalIssue,
    Title,
    IsoAbbreviation,
    Volume,
    Issue,
    PubDate,
    Year,
    Month,
    Day,
    Season,
    MedlineDate,
    ArticleTitle,
    VernacularTitle,
    Pagination,
    MedlinePgn,
    ELocationId,
    Abstract,
    AbstractText,
    OtherAbstract,
    AuthorList,
    Author,
    LastName,
    ForeName,
    Initials,
    Suffix,
    CollectiveName,
    Identifier,
    AffiliationInfo,
    Affiliation,
    Language,
    PublicationTypeList,
    PublicationType,
    MeshHeadingList,
    MeshHeading,
    DescriptorName,
    QualifierName,
    KeywordList,
    Keyword,
    ChemicalList,
    Chemical,
    NameOfSubstance,
    CommentsCorrectionsList,
    CommentsCorrections,
    RefSource,
    ArticleIdList,
    ArticleId,
    Book,
    BookTitle,
    Publisher,
    PublisherName,
    Error,
    Other,
}

impl Tag {
    fn of(name: &str) -> Tag {
        use Tag::*;
        match name {
            "PubmedArticleSet" => PubmedArticleSet,
            "PubmedArticle" => PubmedArticle,
            "PubmedBookArticle" => PubmedBookArticle,
            "MedlineCitation" => MedlineCitation,
            "BookDocument" => BookDocument,
            "PubmedData" => PubmedData,
            "PubmedBookData" => PubmedBookData,
            "DeleteCitation" => DeleteCitation,
            "PMID" => Pmid,
            "DateRevised" => DateRevised,
            "Article" => Article,
            "Journal" => Journal,
            "JournalIssue" => JournalIssue,
            "Title" => Title,
            "ISOAbbreviation" => IsoAbbreviation,
            "Volume" => Volume,
            "Issue" => Issue,
            "PubDate" => PubDate,
            "Year" => Year,
            "Month" => Month,
            "Day" => Day,
            "Season" => Season,
            "MedlineDate" => MedlineDate,
            "ArticleTitle" => ArticleTitle,
            "VernacularTitle" => VernacularTitle,
            "Pagination" => Pagination,
            "MedlinePgn" => MedlinePgn,
            "ELocationID" => ELocationId,
            "Abstract" => Abstract,
            "AbstractText" => AbstractText,
            "OtherAbstract" => OtherAbstract,
            "AuthorList" => AuthorList,
            "Author" => Author,
            "LastName" => LastName,
            "ForeName" => ForeName,
            "Initials" => Initials,
            "Suffix" => Suffix,
            "CollectiveName" => CollectiveName,
            "Identifier" => Identifier,
            "AffiliationInfo" => AffiliationInfo,
            "Affiliation" => Affiliation,
            "Language" => Language,
            "PublicationTypeList" => PublicationTypeList,
            "PublicationType" => PublicationType,
            "MeshHeadingList" => MeshHeadingList,
            "MeshHeading" => MeshHeading,
            "DescriptorName" => DescriptorName,
            "QualifierName" => QualifierName,
            "KeywordList" => KeywordList,
            "Keyword" => Keyword,
            "ChemicalList" => ChemicalList,
            "Chemical" => Chemical,
            "NameOfSubstance" => NameOfSubstance,
            "CommentsCorrectionsList" => CommentsCorrectionsList,
            "CommentsCorrections" => CommentsCorrections,
            "RefSource" => RefSource,
            "ArticleIdList" => ArticleIdList,
            "ArticleId" => ArticleId,
            "Book" => Book,
            "BookTitle" => BookTitle,
            "Publisher" => Publisher,
            "PublisherName" => PublisherName,
            "ERROR" => Error,
            _ => Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(tag: &str) -> BytesStart<'_> {
        let name_len = tag.find(' ').unwrap_or(tag.len());
        BytesStart::from_content(tag, name_len)
    }

    #[test]
    fn attributes_are_found_by_whole_name_and_unescaped() {
        let e = start(r#"AbstractText NlmCategory="RESULTS" Label="A &amp; B &#x3b1;""#);
        assert_eq!(attr(&e, "Label").as_deref(), Some("A & B α"));
        assert_eq!(attr(&e, "NlmCategory").as_deref(), Some("RESULTS"));
        let e = start("DescriptorName MajorTopicYN='Y' UI = \"D000001\"");
        assert!(attr_is(&e, "MajorTopicYN", "Y"));
        assert_eq!(attr(&e, "UI").as_deref(), Some("D000001"));
        // `Type` must not match inside `IdType`.
        let e = start(r#"ArticleId IdType="doi""#);
        assert_eq!(attr(&e, "Type"), None);
        assert_eq!(attr(&e, "IdType").as_deref(), Some("doi"));
    }
}
