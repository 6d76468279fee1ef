//! A stand-in E-utilities server on 127.0.0.1, for the fetch benchmark and
//! for trying scoper without touching NCBI:
//!
//! ```text
//! scoper-eutils-mock --records 25000 --latency-ms 100 [--port 8765] [--faults 0.05] [--log FILE]
//!                    [--days 300] [--today YYYY/MM/DD] [--revise PMID]...
//! scoper --eutils-url http://127.0.0.1:8765/entrez/eutils/ search lhs
//! ```
//!
//! It runs until killed.

use std::time::Duration;

use eutils_mock::{MockConfig, MockServer};

fn main() {
    let mut config = MockConfig::default();
    let mut port = 0u16;
    let mut today = None;
    let mut revise = Vec::new();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = |i: usize| args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--records" => config.records = value(i).parse().expect("--records N"),
            "--latency-ms" => {
                config.latency = Duration::from_millis(value(i).parse().expect("--latency-ms N"))
            }
            "--port" => port = value(i).parse().expect("--port N"),
            "--days" => config.days = value(i).parse().expect("--days N"),
            "--log" => config.log_file = Some(value(i).into()),
            "--today" => today = Some(value(i)),
            "--revise" => revise.push(value(i).parse::<u64>().expect("--revise PMID")),
            "--faults" => config.random_faults = Some((value(i).parse().expect("--faults P"), 42)),
            "--no-rate-limit" => {
                config.rate_limit = false;
                i -= 1;
            }
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    config.today = match today {
        Some(t) => {
            let p: Vec<i64> =
                t.split('/').map(|x| x.parse().expect("--today YYYY/MM/DD")).collect();
            eutils_mock::days_from_civil(p[0], p[1], p[2])
        }
        None => config.first_day + config.days,
    };
    let day = config.today;
    let server = MockServer::start_on(config, port).expect("bind 127.0.0.1");
    for pmid in revise {
        server.revise(pmid, day - 5, 2);
    }
    println!("{}", server.url());
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
