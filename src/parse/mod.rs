//! PubMed XML → [`Record`]s. Pure: the core reads any `impl BufRead`;
//! [`open`] is the thin shell that opens a file, `.xml` or `.xml.gz`.
//!
//! A gzip file is decompressed on a second thread while this one parses, so
//! importing a `.gz` costs about as much as decompressing it.

mod parallel;
mod pubmed;
mod record;
pub mod sniff;
pub mod tagged;
pub mod text;

pub use parallel::records_parallel;
pub use pubmed::{normalize_orcid, records, Entry, ParseError, ParseErrorKind, Records};
pub use record::{
    AbstractSection, Author, Correction, MeshHeading, OtherAbstract, Pmid, PmidError, Record,
};
pub use text::{first_year, normalize_ws};

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread;

/// Chunk size handed from the decompressing thread to the parser.
const CHUNK: usize = 256 * 1024;

/// Opens `path` for parsing: plain XML, or gzip (by its magic bytes, not its
/// name).
pub fn open(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    use std::io::Seek;
    let mut file = File::open(path)?;
    let mut magic = [0u8; 2];
    let n = read_fully(&mut file, &mut magic)?;
    file.seek(io::SeekFrom::Start(0))?;
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(ParallelGunzip::new(file)))
    } else {
        Ok(Box::new(BufReader::with_capacity(CHUNK, file)))
    }
}

fn read_fully(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// A `BufRead` over gzip data decompressed on its own thread.
pub struct ParallelGunzip {
    rx: Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    pos: usize,
    done: bool,
}

impl ParallelGunzip {
    /// Starts decompressing `input` on a new thread.
    pub fn new(input: impl Read + Send + 'static) -> Self {
        let (tx, rx) = sync_channel::<io::Result<Vec<u8>>>(8);
        thread::spawn(move || {
            let mut gz = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(CHUNK, input));
            loop {
                let mut chunk = vec![0u8; CHUNK];
                match read_fully(&mut gz, &mut chunk) {
                    Ok(0) => break,
                    Ok(n) => {
                        chunk.truncate(n);
                        if tx.send(Ok(chunk)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            }
        });
        ParallelGunzip { rx, chunk: Vec::new(), pos: 0, done: false }
    }
}

impl Read for ParallelGunzip {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for ParallelGunzip {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos >= self.chunk.len() && !self.done {
            match self.rx.recv() {
                Ok(Ok(c)) => {
                    self.chunk = c;
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => self.done = true,
            }
        }
        Ok(&self.chunk[self.pos.min(self.chunk.len())..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos += amt;
    }
}

/// The 1-based line number of byte `offset` in the (decompressed) file, for
/// error messages. Reads the file again; used only when there is an error.
pub fn line_of(path: &Path, offset: u64) -> Option<u64> {
    let mut r = open(path).ok()?;
    let mut line = 1;
    let mut seen = 0u64;
    loop {
        let buf = r.fill_buf().ok()?;
        if buf.is_empty() {
            return Some(line);
        }
        let take = ((offset - seen) as usize).min(buf.len());
        line += buf[..take].iter().filter(|&&c| c == b'\n').count() as u64;
        seen += take as u64;
        let len = buf.len();
        r.consume(len);
        if seen >= offset {
            return Some(line);
        }
    }
}
