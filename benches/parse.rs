//! Timing probes for `benches/ingest.sh` (run with `cargo bench --bench
//! parse -- MODE FILE`). Each run is one process, so its peak RSS is its own.
//!
//! - `bare FILE`: a bare quick-xml event loop over the file's bytes, the
//!   speed limit of any parser built on quick-xml;
//! - `parse FILE`: scoper's parser, from the same bytes to `Record`s, as
//!   `scoper import` runs it: pieces of the file parsed on one thread per
//!   core (`.xml.gz` decompressed on a thread of its own).
//!
//! Prints one JSON line: mode, bytes, records or events, seconds, peak RSS.

mod common;

use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

use quick_xml::events::Event;
use quick_xml::Reader;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let (mode, path) = match args.as_slice() {
        [m, p] => (m.as_str(), p.as_str()),
        _ => {
            eprintln!("usage: cargo bench --bench parse -- bare|parse FILE");
            return;
        }
    };
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let start = Instant::now();
    let count = match mode {
        "bare" => {
            let mut reader = Reader::from_reader(BufReader::with_capacity(
                256 * 1024,
                File::open(path).unwrap(),
            ));
            reader.config_mut().trim_text(false);
            let mut buf = Vec::with_capacity(64 * 1024);
            let mut events = 0u64;
            loop {
                buf.clear();
                match reader.read_event_into(&mut buf) {
                    Ok(Event::Eof) => break,
                    Ok(_) => events += 1,
                    Err(e) => panic!("{e}"),
                }
            }
            events
        }
        "parse" => {
            let input = scoper::parse::open(std::path::Path::new(path)).unwrap();
            let mut records = 0u64;
            let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(2);
            for item in scoper::parse::records_parallel(input, workers) {
                if let Ok(scoper::parse::Entry::Record(r)) = item {
                    records += 1;
                    std::hint::black_box(&r);
                }
            }
            records
        }
        other => panic!("unknown mode {other}"),
    };
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{{\"mode\":\"{mode}\",\"bytes\":{bytes},\"count\":{count},\"secs\":{secs:.4},\"peak_rss_kb\":{}}}",
        common::peak_rss_kb()
    );
}
