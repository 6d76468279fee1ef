//! Parsing one PubMed XML file on several threads.
//!
//! A chunker cuts the input into pieces of about [`CHUNK`] bytes, each cut
//! just before a `<PubmedArticle>`, `<PubmedBookArticle>` or
//! `<DeleteCitation>` start tag, so every piece holds whole records. Pieces go
//! round-robin to the workers, each running the ordinary streaming parser,
//! and the results are read back round-robin: the entries come out in
//! document order, exactly as [`records`](super::records) gives them. Memory
//! is bounded by the pieces in flight (a few per worker), whatever the size
//! of the file.
//!
//! Faults keep their sequential meaning: offsets are into the whole input,
//! and after a fatal fault nothing later in the file is returned.

use std::io::{BufRead, Read};
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread;

use memchr::memmem;

use super::pubmed::{records_fragment, Entry, ParseError};

/// Size of a piece handed to a worker.
const CHUNK: usize = 1 << 20;
/// Pieces (and parsed results) queued per worker.
const QUEUE: usize = 2;
/// What a middle piece is wrapped in, so that it parses as a document.
const ROOT_OPEN: &[u8] = b"<PubmedArticleSet>";

/// Where an element that starts a new entry may begin.
const CUT_TAGS: [&[u8]; 3] = [b"<PubmedArticle>", b"<PubmedBookArticle>", b"<DeleteCitation>"];

/// One piece of the input.
struct Piece {
    bytes: Vec<u8>,
    /// Offset in the whole input of `bytes[0]` (negative offsets fall in the
    /// synthetic root tag of a middle piece).
    base: i64,
    /// The piece may end with the root element still open.
    open_end: bool,
}

type Parsed = Vec<Result<Entry, ParseError>>;

/// Parses `input` on `workers` threads (plus one that reads and cuts).
pub fn records_parallel<R: BufRead + Send + 'static>(
    input: R,
    workers: usize,
) -> impl Iterator<Item = Result<Entry, ParseError>> {
    let workers = workers.max(1);
    let mut to_workers = Vec::with_capacity(workers);
    let mut from_workers = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (piece_tx, piece_rx) = sync_channel::<Piece>(QUEUE);
        let (done_tx, done_rx) = sync_channel::<Parsed>(QUEUE);
        thread::spawn(move || {
            for piece in piece_rx {
                if done_tx.send(parse_piece(piece)).is_err() {
                    break;
                }
            }
        });
        to_workers.push(piece_tx);
        from_workers.push(done_rx);
    }
    let (count_tx, count_rx) = sync_channel::<()>(workers * (QUEUE + 2));
    thread::spawn(move || {
        let mut next = 0;
        for piece in Pieces::new(input) {
            if to_workers[next].send(piece).is_err() || count_tx.send(()).is_err() {
                break;
            }
            next = (next + 1) % to_workers.len();
        }
    });
    InOrder { from_workers, count_rx, next: 0, current: Vec::new().into_iter(), stopped: false }
}

fn parse_piece(piece: Piece) -> Parsed {
    let mut out: Parsed =
        records_fragment(piece.bytes.as_slice(), piece.open_end).collect::<Vec<_>>();
    for item in &mut out {
        if let Err(e) = item {
            e.offset = (e.offset as i64 + piece.base).max(0) as u64;
        }
    }
    out
}

/// Reads back the workers' results in the order the pieces were sent.
struct InOrder {
    from_workers: Vec<Receiver<Parsed>>,
    /// One message per piece sent, so the reader knows when pieces run out.
    count_rx: Receiver<()>,
    next: usize,
    current: std::vec::IntoIter<Result<Entry, ParseError>>,
    stopped: bool,
}

impl Iterator for InOrder {
    type Item = Result<Entry, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.stopped {
                return None;
            }
            if let Some(item) = self.current.next() {
                if matches!(&item, Err(e) if e.fatal) {
                    self.stopped = true;
                }
                return Some(item);
            }
            self.count_rx.recv().ok()?;
            let parsed = self.from_workers[self.next].recv().ok()?;
            self.next = (self.next + 1) % self.from_workers.len();
            self.current = parsed.into_iter();
        }
    }
}

/// Cuts the input into pieces that hold whole entries.
struct Pieces<R> {
    input: R,
    carry: Vec<u8>,
    /// Offset in the input of `carry[0]`.
    offset: u64,
    first: bool,
    done: bool,
    finders: Vec<memmem::FinderRev<'static>>,
}

impl<R: Read> Pieces<R> {
    fn new(input: R) -> Self {
        Pieces {
            input,
            carry: Vec::new(),
            offset: 0,
            first: true,
            done: false,
            finders: CUT_TAGS.iter().map(|t| memmem::FinderRev::new(*t)).collect(),
        }
    }

    /// The last place in `buf` (after `from`) where an entry starts. Books
    /// and deletions are looked for only after the last `<PubmedArticle>`,
    /// so the search reads little more than the last record.
    fn last_cut(&self, buf: &[u8], from: usize) -> Option<usize> {
        let article = self.finders[0].rfind(&buf[from..]).map(|p| p + from);
        let rest = article.unwrap_or(from);
        self.finders[1..]
            .iter()
            .filter_map(|f| f.rfind(&buf[rest..]).map(|p| p + rest))
            .chain(article)
            .max()
    }
}

impl<R: Read> Iterator for Pieces<R> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        if self.done {
            return None;
        }
        // A middle piece starts with a synthetic root tag, then the entries.
        let prefix = if self.first { 0 } else { ROOT_OPEN.len() };
        let mut buf = Vec::with_capacity(prefix + self.carry.len() + CHUNK);
        if prefix > 0 {
            buf.extend_from_slice(ROOT_OPEN);
        }
        buf.append(&mut self.carry);
        let mut eof = false;
        let mut want = prefix + CHUNK;
        let cut = loop {
            if buf.len() < want {
                let need = (want - buf.len()) as u64;
                match (&mut self.input).take(need).read_to_end(&mut buf) {
                    Ok(0) => eof = true,
                    Ok(_) => {}
                    // The reader's error surfaces as a parse error of the
                    // last piece: the piece ends here, as if truncated.
                    Err(_) => eof = true,
                }
            }
            if eof {
                break buf.len();
            }
            // Keep at least one byte before the cut, so every piece advances.
            match self.last_cut(&buf, prefix + 1) {
                Some(c) => break c,
                // One entry larger than a piece: read more.
                None => want = buf.len() + CHUNK,
            }
        };
        self.carry = buf.split_off(cut);
        self.done = eof && self.carry.is_empty();
        let base = self.offset as i64 - prefix as i64;
        self.offset += (buf.len() - prefix) as u64;
        self.first = false;
        Some(Piece { bytes: buf, base, open_end: !self.done })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::records;

    fn doc(n: usize) -> String {
        let mut s = String::from("<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n");
        for i in 0..n {
            s.push_str(&format!(
                "<PubmedArticle><MedlineCitation><PMID Version=\"1\">{}</PMID><Article>\
                 <ArticleTitle>Title {i} {}</ArticleTitle></Article></MedlineCitation>\
                 </PubmedArticle>\n",
                990_000_001 + i,
                "padding ".repeat(i % 50)
            ));
        }
        s.push_str("<DeleteCitation><PMID Version=\"1\">990000001</PMID></DeleteCitation>\n");
        s.push_str("</PubmedArticleSet>\n");
        s
    }

    fn both(xml: &str) -> (Parsed, Parsed) {
        let seq: Vec<_> = records(xml.as_bytes()).collect();
        let par: Vec<_> = records_parallel(std::io::Cursor::new(xml.to_string()), 3).collect();
        (seq, par)
    }

    #[test]
    fn the_same_entries_in_the_same_order_as_the_sequential_parser() {
        let xml = doc(20_000); // several pieces
        assert!(xml.len() > 3 * CHUNK);
        let (seq, par) = both(&xml);
        assert_eq!(seq.len(), 20_001);
        assert_eq!(seq, par);
    }

    #[test]
    fn faults_keep_their_offsets_and_stop_the_stream() {
        let mut xml = doc(20_000);
        xml.truncate(xml.len() * 2 / 3);
        let (seq, par) = both(&xml);
        assert_eq!(seq, par);
        assert!(matches!(par.last(), Some(Err(e)) if e.fatal));
        let mut bad = doc(20_000);
        let at = bad.len() / 2;
        let at = at + bad[at..].find("</ArticleTitle>").unwrap();
        bad.replace_range(at..at + "</ArticleTitle>".len(), "</Title>");
        let (seq, par) = both(&bad);
        assert_eq!(seq, par, "a malformed record mid-file");
        let (seq, par) = both("");
        assert_eq!(seq, par);
        let (seq, par) = both("not xml at all");
        assert_eq!(seq, par);
    }
}
