//! Fetching from E-utilities, against the mock server (started here, on
//! 127.0.0.1): slicing past 9,999, every fault kind, WebEnv expiry, resume
//! after kill -9, updates months later, the search log, the API key.

mod common;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::text;
use eutils_mock::{days_from_civil, Fault, MockConfig, MockServer};

const KEY: &str = "SECRET-api-key-7f3a";

fn workspace() -> tempfile::TempDir {
    let ws = common::workspace();
    fs::write(
        ws.path().join("queries/lhs.toml"),
        "name = \"lhs\"\nterm = '(\"learning health system\"[tiab] OR \"learning health systems\"[tiab]) AND english[la]'\n",
    )
    .unwrap();
    fs::remove_file(ws.path().join("queries/example.toml")).unwrap();
    ws
}

/// Runs scoper against `mock` with test-friendly timing.
fn scoper(ws: &Path, mock: &MockServer, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scoper"));
    c.arg("--dir").arg(ws).arg("--eutils-url").arg(mock.url()).args(args);
    c.env("NCBI_EMAIL", "tests@example.org")
        .env_remove("NCBI_API_KEY")
        .env("SCOPER_BACKOFF_MS", "50")
        .env("SCOPER_HTTP_TIMEOUT", "2");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("scoper runs")
}

/// Starts `scoper search lhs --batch-size 100` against `mock`, in the
/// background, its output discarded.
fn spawn_search(ws: &Path, mock: &MockServer) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_scoper"))
        .arg("--dir")
        .arg(ws)
        .arg("--eutils-url")
        .arg(mock.url())
        .args(["search", "lhs", "--batch-size", "100"])
        .env("NCBI_EMAIL", "tests@example.org")
        .env_remove("NCBI_API_KEY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\nstderr: {}", text(&out.stdout), text(&out.stderr))
    })
}

fn count_records(ws: &Path) -> usize {
    let out = common::scoper(ws, &["export", "jsonl"]);
    text(&out.stdout).lines().count()
}

/// Every efetch file of every run: PMID → how many files hold it.
fn saved_pmids(ws: &Path) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for run in fs::read_dir(ws.join("corpus/runs/lhs")).unwrap() {
        for f in fs::read_dir(run.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            if p.file_name().unwrap().to_string_lossy().starts_with("efetch-") {
                let body =
                    String::from_utf8(scoper::store::atomic::read_maybe_gz(&p).unwrap()).unwrap();
                for part in body.split("<PMID Version=\"").skip(1) {
                    let pmid = part.split('>').nth(1).unwrap().split('<').next().unwrap();
                    *seen.entry(pmid.to_string()).or_insert(0) += 1;
                }
            }
        }
    }
    seen
}

#[test]
fn a_search_brings_every_record_paced_by_post_with_tool_and_email() {
    let mock = MockServer::start(MockConfig { records: 1300, ..MockConfig::default() }).unwrap();
    let ws = workspace();
    let out = scoper(ws.path(), &mock, &[], &["search", "lhs", "--batch-size", "500", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v[0]["count"], 1300);
    assert_eq!(v[0]["new"], 1300);
    assert_eq!(count_records(ws.path()), 1300);
    let log = mock.requests();
    assert_eq!(log.iter().filter(|r| r.utility == "efetch").count(), 3);
    for r in &log {
        assert_eq!(r.method, "POST", "{r:?}");
        assert_eq!(r.params.get("tool").map(String::as_str), Some("scoper"));
        assert_eq!(r.params.get("email").map(String::as_str), Some("tests@example.org"));
        assert_ne!(r.status, 429, "our own pacing caused a 429");
    }
    // Never more than 3 requests in any second without a key.
    for (i, r) in log.iter().enumerate() {
        let within = log[i..].iter().filter(|s| s.at - r.at < Duration::from_millis(1000)).count();
        assert!(within <= 3, "{within} requests within a second from {:?}", r.at);
    }
    // A record from the mock, parsed and indexed.
    let (_, r) = common::scoper_json(ws.path(), &["show", "990100001"]);
    assert_eq!(r["authors"][0]["last"], "Müller");
}

/// Searches a mock of `records` created over `days` days, in batches of
/// `batch`; checks that every record arrived; returns the mock and the report.
fn search_everything(records: usize, days: i64, batch: &str) -> (MockServer, serde_json::Value) {
    let mock = MockServer::start(MockConfig { records, days, ..MockConfig::default() }).unwrap();
    let ws = workspace();
    let args = ["search", "lhs", "--batch-size", batch, "--json"];
    let out = scoper(ws.path(), &mock, &[("NCBI_API_KEY", KEY)], &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v[0]["count"], records as u64);
    assert_eq!(v[0]["count_difference"], 0, "the slices add up to the count");
    assert_eq!(count_records(ws.path()), records);
    (mock, v)
}

#[test]
fn more_than_9999_records_are_sliced_by_date_and_all_arrive() {
    let (mock, v) = search_everything(12_500, 40, "2500");
    assert!(v[0]["slices"].as_u64().unwrap() >= 2, "{v}");
    // No esearch ever asked past the cap.
    for r in mock.requests().iter().filter(|r| r.utility == "esearch") {
        let start: u64 = r.params.get("retstart").and_then(|s| s.parse().ok()).unwrap_or(0);
        assert!(start < 9999);
        assert!(r.params["term"].contains("[CRDT]") || !r.params.contains_key("WebEnv"));
    }
}

#[test]
fn a_single_day_over_the_cap_is_sliced_by_pmid_range() {
    let (mock, _) = search_everything(10_200, 1, "5100");
    let terms: Vec<String> =
        mock.requests().iter().filter_map(|r| r.params.get("term").cloned()).collect();
    assert!(terms.iter().any(|t| t.contains("[UID]")), "{terms:?}");
}

#[test]
fn every_fault_kind_is_survived() {
    let mock = MockServer::start(MockConfig {
        records: 600,
        hang: Duration::from_secs(4),
        ..MockConfig::default()
    })
    .unwrap();
    // Five in a row on the search (six tries allowed)...
    for f in [
        Fault::RateLimited,
        Fault::ServerError,
        Fault::BackendError,
        Fault::Unroutable,
        Fault::CppException,
    ] {
        mock.push_fault(Some("esearch"), f);
    }
    // ...and the rest on the fetches, a few batches in flight.
    for f in [
        Fault::BadGateway,
        Fault::Unavailable,
        Fault::EmptyBody,
        Fault::Reset,
        Fault::Truncated,
        Fault::FewerRecords,
        Fault::Transient400,
        Fault::RateLimited,
        Fault::Hang,
        Fault::Trickle,
        Fault::CutAfterRecords,
    ] {
        mock.push_fault(Some("efetch"), f);
    }
    let ws = workspace();
    let started = Instant::now();
    let out = scoper(
        ws.path(),
        &mock,
        &[("NCBI_API_KEY", KEY)],
        &["search", "lhs", "--batch-size", "100", "--json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v[0]["count"], 600);
    assert_eq!(v[0]["missing"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(count_records(ws.path()), 600);
    let log = mock.requests();
    let faults: HashSet<String> =
        log.iter().filter_map(|r| r.fault.map(|f| format!("{f:?}"))).collect();
    assert_eq!(faults.len(), 15, "every kind was played: {faults:?}");
    // A 429 was followed by a pause of at least Retry-After (1 s).
    let i = log.iter().position(|r| r.fault == Some(Fault::RateLimited)).unwrap();
    assert!(log[i + 1].at - log[i].at >= Duration::from_millis(950), "{:?}", &log[i..i + 2]);
    // Each PMID was saved once.
    assert!(saved_pmids(ws.path()).values().all(|&n| n == 1));
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn a_fault_storm_stops_with_a_clear_error_and_a_rerun_resumes() {
    let mock = MockServer::start(MockConfig { records: 900, ..MockConfig::default() }).unwrap();
    let ws = workspace();
    // The search plan succeeds, then every efetch fails.
    let out = scoper(
        ws.path(),
        &mock,
        &[("NCBI_API_KEY", KEY)],
        &["search", "lhs", "--batch-size", "300"],
    );
    assert!(out.status.success());
    fs::write(
        ws.path().join("queries/lhs.toml"),
        "name = \"lhs\"\nterm = 'learning health systems[tiab]'\n",
    )
    .unwrap();
    let _ = fs::remove_dir_all(ws.path().join(".scoper"));
    let mock2 = MockServer::start(MockConfig { records: 900, ..MockConfig::default() }).unwrap();
    let ws2 = workspace();
    mock2.push_fault(Some("efetch"), Fault::ServerError);
    let first_batch_then_storm = scoper(
        ws2.path(),
        &mock2,
        &[("NCBI_API_KEY", KEY)],
        &["search", "lhs", "--batch-size", "300"],
    );
    assert!(
        first_batch_then_storm.status.success(),
        "one 500 is retried: {}",
        text(&first_batch_then_storm.stderr)
    );

    let ws3 = workspace();
    let mock3 = MockServer::start(MockConfig { records: 900, ..MockConfig::default() }).unwrap();
    mock3.storm(Some(Fault::BadGateway));
    let out = scoper(
        ws3.path(),
        &mock3,
        &[("NCBI_API_KEY", KEY)],
        &["search", "lhs", "--batch-size", "300"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("no good answer after 6 tries") && err.contains("502"), "{err}");
    assert!(err.contains("esearch"), "{err}");
    assert!(!err.contains(KEY));
    // A storm on the fetches only: the plan is saved, then the error says
    // how much is left and where.
    mock3.storm_on("efetch", Fault::ServerError);
    let out = scoper(
        ws3.path(),
        &mock3,
        &[("NCBI_API_KEY", KEY)],
        &["search", "lhs", "--batch-size", "300"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("900 of the 900 records to fetch for \"lhs\" are not fetched yet"),
        "{err}"
    );
    assert!(err.contains("run.json") && err.contains("next run resumes"), "{err}");
    // The storm ends; the same command completes.
    mock3.storm(None);
    let out = scoper(
        ws3.path(),
        &mock3,
        &[("NCBI_API_KEY", KEY)],
        &["search", "lhs", "--batch-size", "300", "--json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(count_records(ws3.path()), 900);
}

#[test]
fn an_expired_webenv_means_the_search_is_run_again() {
    let mock = MockServer::start(MockConfig { records: 450, ..MockConfig::default() }).unwrap();
    let ws = workspace();
    // esearch 1 gives the first page and a WebEnv; the history is then lost.
    mock.push_fault(Some("esearch"), Fault::ExpireHistory);
    mock.push_fault(Some("esearch"), Fault::ExpireHistory);
    let out = scoper(
        ws.path(),
        &mock,
        &[("NCBI_API_KEY", KEY), ("SCOPER_ESEARCH_PAGE", "100")],
        &["search", "lhs", "--json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json(&out)[0]["count"], 450);
    assert_eq!(count_records(ws.path()), 450);
    let fresh = mock
        .requests()
        .iter()
        .filter(|r| r.utility == "esearch" && !r.params.contains_key("WebEnv"))
        .count();
    assert!(fresh >= 2, "the search was run again after the expiry");
}

#[test]
fn kill_9_in_the_middle_then_the_rerun_completes_without_duplicates_or_refetching() {
    let mock = MockServer::start(MockConfig {
        records: 2000,
        latency: Duration::from_millis(50),
        ..MockConfig::default()
    })
    .unwrap();
    let ws = workspace();
    let mut child = spawn_search(ws.path(), &mock);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let n = fs::read_dir(ws.path().join("corpus/runs/lhs"))
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|r| fs::read_dir(r.ok()?.path()).ok())
            .map(|d| {
                d.filter(|f| {
                    f.as_ref().unwrap().file_name().to_string_lossy().starts_with("efetch-")
                })
                .count()
            })
            .unwrap_or(0);
        if n >= 4 {
            break;
        }
        assert!(Instant::now() < deadline, "no batch arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let before = saved_pmids(ws.path());
    assert!(before.len() >= 400 && before.len() < 2000, "{}", before.len());
    let asked_before = mock.requests().len();

    let out = scoper(ws.path(), &mock, &[], &["search", "lhs", "--batch-size", "100", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v[0]["resumed"], true);
    let after = saved_pmids(ws.path());
    assert_eq!(after.len(), 2000, "no gaps");
    assert!(after.values().all(|&n| n == 1), "no duplicates");
    // Nothing saved before the kill was asked for again.
    for r in &mock.requests()[asked_before..] {
        if r.utility == "efetch" {
            for id in r.params["id"].split(',') {
                assert!(!before.contains_key(id), "{id} fetched twice");
            }
        }
        assert_ne!(r.utility, "esearch", "the saved plan was reused");
    }
    assert_eq!(count_records(ws.path()), 2000);
    // One complete run in the log.
    let log = fs::read_to_string(ws.path().join("corpus/search-log.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 1);
}

fn ymd(day: i64) -> String {
    let (y, m, d) = scoper::clock::civil_from_days(day);
    format!("{y:04}/{m:02}/{d:02}")
}

#[test]
fn an_update_months_later_brings_only_new_and_revised_records() {
    let first_day = days_from_civil(2025, 1, 1);
    let t1 = first_day + 199;
    let config =
        MockConfig { records: 1000, first_day, days: 300, today: t1, ..MockConfig::default() };
    let mock = MockServer::start(config.clone()).unwrap();
    let ws = workspace();
    let out = scoper(
        ws.path(),
        &mock,
        &[("SCOPER_TODAY", &ymd(t1)), ("NCBI_API_KEY", KEY)],
        &["search", "lhs", "--json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first = json(&out)[0]["count"].as_u64().unwrap();
    assert!(first > 600 && first < 700, "{first}");
    drop(mock);

    // Months later: more records exist, and one old record was revised.
    let t2 = first_day + 299;
    let mock = MockServer::start(MockConfig { today: t2, ..config }).unwrap();
    mock.revise(990_100_010, t2 - 5, 2);
    let out =
        scoper(ws.path(), &mock, &[("SCOPER_TODAY", &ymd(t2)), ("NCBI_API_KEY", KEY)], &["update"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    let since = ymd(t1 - 3);
    let new = 1000 - first as usize;
    // The revised record is fetched again; only it changed.
    assert!(report.contains(&format!("{new} new records since {since}, 1 revised")), "{report}");
    assert_eq!(count_records(ws.path()), 1000);
    let (_, r) = common::scoper_json(ws.path(), &["show", "990100010"]);
    assert_eq!(r["version"], 2);
    assert!(r["title"].as_str().unwrap().contains("(revised)"));
    // The update fetched the new records, the revised one, and (rechecked)
    // records modified on the day of the last run; nothing older.
    let mut fetched = HashSet::new();
    for r in mock.requests().iter().filter(|r| r.utility == "efetch") {
        fetched.extend(r.params["id"].split(',').map(|p| p.parse::<u64>().unwrap()));
    }
    for p in &fetched {
        let i = (p - 990_100_001) as i64;
        let created = first_day + i * 300 / 1000;
        assert!(
            created >= t1 || *p == 990_100_010,
            "{p} (created {}) was fetched again",
            ymd(created)
        );
    }
    assert!((new + 1..=new + 5).contains(&fetched.len()), "{}", fetched.len());
    // The window is in the search log, and in the PRISMA-S table.
    let out = common::scoper(ws.path(), &["log"]);
    let table = text(&out.stdout);
    assert!(table.contains("| Database | Platform | Date of search | Search strategy"), "{table}");
    assert!(table.contains(&format!("update: created {since}–{}", ymd(t2))), "{table}");
    assert!(table.contains(&format!("| {first} | {first} |")), "{table}");
}

#[test]
fn the_search_log_holds_what_prisma_s_asks() {
    let mock = MockServer::start(MockConfig { records: 50, ..MockConfig::default() }).unwrap();
    let ws = workspace();
    assert!(scoper(ws.path(), &mock, &[], &["search", "lhs"]).status.success());
    let line = fs::read_to_string(ws.path().join("corpus/search-log.jsonl")).unwrap();
    let run: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert_eq!(run["query"], "lhs");
    assert_eq!(run["database"], "PubMed");
    assert_eq!(
        run["term"],
        "(\"learning health system\"[tiab] OR \"learning health systems\"[tiab]) AND english[la]"
    );
    assert_eq!(run["count"], 50);
    assert_eq!(run["pmids"].as_array().unwrap().len(), 50);
    assert_eq!(run["new"].as_array().unwrap().len(), 50);
    for key in ["started", "finished", "searched_on", "scoper_version", "kind"] {
        assert!(run[key].is_string(), "{key}: {run}");
    }
    let sent = mock.requests().into_iter().find(|r| r.utility == "esearch").unwrap();
    assert_eq!(
        sent.params["term"],
        run["term"].as_str().unwrap(),
        "the term logged is the term sent"
    );
    // Every answer is kept compressed, with the hash of the bytes received.
    let dir = ws.path().join(run["run_dir"].as_str().unwrap());
    let received = fs::read_to_string(dir.join("received.jsonl")).unwrap();
    let mut checked = 0;
    for line in received.lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = dir.join(r["file"].as_str().unwrap());
        assert!(file.to_string_lossy().ends_with(".xml.gz"), "{}", file.display());
        let body = scoper::store::atomic::read_maybe_gz(&file).unwrap();
        assert_eq!(body.len() as u64, r["bytes"].as_u64().unwrap());
        assert_eq!(blake3::hash(&body).to_hex().to_string(), r["blake3"].as_str().unwrap());
        checked += 1;
    }
    assert!(checked >= 2, "an esearch and an efetch: {received}");
}

#[test]
fn a_query_pubmed_cannot_read_is_named_and_not_retried() {
    let mock = MockServer::start(MockConfig::default()).unwrap();
    let ws = workspace();
    fs::write(
        ws.path().join("queries/broken.toml"),
        "name = \"broken\"\nterm = '((learning health[tiab]'\n",
    )
    .unwrap();
    let out = scoper(ws.path(), &mock, &[], &["search", "broken"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("\"broken\"") && err.contains("NCBI said: Search Backend failed"),
        "{err}"
    );
    assert!(err.contains("unbalanced"), "NCBI's own words: {err}");
    assert_eq!(mock.requests().len(), 1, "no retry");
    let runs = ws.path().join("corpus/runs/broken");
    let left = fs::read_dir(&runs).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "a failed search leaves no empty run folder");
}

#[test]
fn the_api_key_never_appears_anywhere() {
    let mock = MockServer::start(MockConfig { records: 120, ..MockConfig::default() }).unwrap();
    mock.push_fault(None, Fault::RateLimited); // NCBI's 429 body echoes the key
    mock.push_fault(Some("efetch"), Fault::Transient400);
    let ws = workspace();
    let out = scoper(ws.path(), &mock, &[("NCBI_API_KEY", KEY)], &["search", "lhs", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains(KEY) && !text(&out.stderr).contains(KEY));
    let log = common::scoper(ws.path(), &["log", "--json"]);
    assert!(!text(&log.stdout).contains(KEY));
    let export = common::scoper(ws.path(), &["export", "jsonl"]);
    assert!(!text(&export.stdout).contains(KEY));
    for entry in walk(ws.path()) {
        let bytes = fs::read(&entry).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(KEY),
            "{} holds the key",
            entry.display()
        );
    }
    // It was sent, in the POST body, with a limit of 10 requests/s.
    let sent = mock.requests();
    assert!(sent
        .iter()
        .all(|r| r.method == "POST" && r.params.get("api_key").map(String::as_str) == Some(KEY)));
    let storm = MockServer::start(MockConfig::default()).unwrap();
    storm.storm(Some(Fault::RateLimited));
    let out = scoper(
        ws.path(),
        &storm,
        &[("NCBI_API_KEY", KEY), ("SCOPER_BACKOFF_MS", "1")],
        &["search", "lhs"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!text(&out.stderr).contains(KEY), "{}", text(&out.stderr));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn no_network_is_said_in_one_line_and_offline_commands_keep_working() {
    let ws = workspace();
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let url = format!("http://{closed}/entrez/eutils/");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_scoper"))
            .arg("--dir")
            .arg(ws.path())
            .arg("--eutils-url")
            .arg(&url)
            .args(args)
            .env("NCBI_EMAIL", "tests@example.org")
            .env("SCOPER_BACKOFF_MS", "10")
            .output()
            .unwrap()
    };
    let out = run(&["search", "lhs"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("cannot reach E-utilities") && err.contains("no network?"), "{err}");
    // The error is one line; before it, the one progress line a log gets
    // when standard error is not a terminal.
    let error_lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(error_lines.len(), 1, "{err}");
    assert_eq!(err.trim().lines().count(), 2, "{err}");
    assert!(err.starts_with("lhs: searching PubMed\n"), "{err}");
    let out = run(&["run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cannot reach E-utilities"));
    assert!(text(&out.stdout).contains("records:"));
}

#[test]
fn without_an_email_the_search_says_how_to_set_one() {
    let mock = MockServer::start(MockConfig::default()).unwrap();
    let ws = workspace();
    let out = Command::new(env!("CARGO_BIN_EXE_scoper"))
        .arg("--dir")
        .arg(ws.path())
        .arg("--eutils-url")
        .arg(mock.url())
        .args(["search", "lhs"])
        .env_remove("NCBI_EMAIL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("NCBI_EMAIL"), "{}", text(&out.stderr));
    assert!(mock.requests().is_empty());
}

#[test]
fn a_lone_mindate_is_ignored_by_the_mock_as_by_pubmed() {
    // The mock itself: NCBI ignores a lone mindate; scoper refuses one.
    let ws = workspace();
    fs::write(
        ws.path().join("queries/lone.toml"),
        "name = \"lone\"\nterm = 'x'\nmindate = \"2020\"\n",
    )
    .unwrap();
    let mock = MockServer::start(MockConfig::default()).unwrap();
    let out = scoper(ws.path(), &mock, &[], &["search", "lone"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("mindate and maxdate go together"), "{}", text(&out.stderr));
}

#[test]
fn run_without_offline_updates_first_and_keeps_stdout_one_document() {
    let mock = MockServer::start(MockConfig { records: 80, ..MockConfig::default() }).unwrap();
    let ws = workspace();
    let out = scoper(ws.path(), &mock, &[], &["run", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["update"][0]["query"], "lhs");
    assert_eq!(v["update"][0]["new"], 80);
    assert_eq!(v["summary"]["records"], 80);
    assert!(text(&out.stderr).contains("lhs: 80 records found; 80 new records"));
    // A second run finds nothing new.
    let out = scoper(ws.path(), &mock, &[], &["run"]);
    assert!(out.status.success());
    assert!(text(&out.stderr).contains("0 new records since"), "{}", text(&out.stderr));
}

/// A raw HTTP/1.1 exchange with the mock: (status, headers, body).
fn raw(mock: &MockServer, method: &str, path_and_query: &str, body: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let url = mock.url();
    let host = url.trim_start_matches("http://").split('/').next().unwrap().to_string();
    let mut s = std::net::TcpStream::connect(&host).unwrap();
    write!(
        s,
        "{method} /entrez/eutils/{path_and_query} HTTP/1.1\r\nHost: {host}\r\nContent-Type: \
         application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_string(), body.to_string())
}

#[test]
fn the_mock_answers_as_ncbi_does() {
    let mock = MockServer::start(MockConfig {
        records: 12_000,
        rate_limit: false,
        ..MockConfig::default()
    })
    .unwrap();
    // The cap, with NCBI's words; in JSON with the raw newline strict parsers reject.
    let (status, _, body) = raw(&mock, "GET", "esearch.fcgi?db=pubmed&term=x&retstart=10000", "");
    assert_eq!(status, 200);
    assert!(
        body.contains(
            "<ERROR>Search Backend failed: Exception:\n'retstart' cannot be larger than 9998."
        ),
        "{body}"
    );
    let (_, _, body) =
        raw(&mock, "GET", "esearch.fcgi?db=pubmed&term=x&retstart=10000&retmode=json", "");
    assert!(body.contains("Exception:\n'retstart'"));
    assert!(serde_json::from_str::<serde_json::Value>(&body).is_err(), "not valid JSON, as NCBI's");
    // retmax over the cap is clamped, with the warning.
    let (_, _, body) = raw(&mock, "POST", "esearch.fcgi", "db=pubmed&term=x&retmax=20000");
    assert!(body.contains("<Count>12000</Count><RetMax>9999</RetMax>"), "{}", &body[..300]);
    assert!(body.contains("Restrictions achieved. start and count adjusted to 0, 9999"));
    // Date and PMID ranges in the term; a lone mindate ignored.
    let (_, _, body) =
        raw(&mock, "POST", "esearch.fcgi", "db=pubmed&term=x+AND+990100001%3A990100010%5BUID%5D");
    assert!(body.contains("<Count>10</Count>"), "{body}");
    let (_, _, body) =
        raw(&mock, "POST", "esearch.fcgi", "db=pubmed&term=x&datetype=crdt&mindate=2030/01/01");
    assert!(body.contains("<Count>12000</Count>"), "a lone mindate is ignored");
    // 414 on a long GET.
    let long = format!("efetch.fcgi?db=pubmed&id={}", "990100001,".repeat(600));
    assert_eq!(raw(&mock, "GET", &long, "").0, 414);
    // An unknown rettype: an empty 200.
    let (status, _, body) =
        raw(&mock, "POST", "efetch.fcgi", "db=pubmed&id=990100001&rettype=full");
    assert_eq!((status, body.as_str()), (200, ""));
    // The 429 body, exactly, with Retry-After.
    let limited = MockServer::start(MockConfig::default()).unwrap();
    let mut last = (0, String::new(), String::new());
    for _ in 0..5 {
        last = raw(&limited, "POST", "einfo.fcgi", "db=pubmed");
    }
    assert_eq!(last.0, 429);
    assert_eq!(last.2, "{\"error\":\"API rate limit exceeded\",\"api-key\":\"127.0.0.1\",\"count\":\"5\",\"limit\":\"3\"}");
    assert!(last.1.contains("Retry-After: 1"));
    // History: esearch with a WebEnv that expired.
    let (_, _, body) = raw(&mock, "POST", "esearch.fcgi", "db=pubmed&term=x&usehistory=y&retmax=0");
    let env = body.split("<WebEnv>").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert!(env.starts_with("MCID_") && env.len() == 29, "{env}");
    mock.expire_history();
    let (_, _, body) = raw(
        &mock,
        "POST",
        "esearch.fcgi",
        &format!("db=pubmed&WebEnv={env}&query_key=1&retstart=0&retmax=5"),
    );
    assert!(body.contains("<ERROR>Unable to obtain query #1</ERROR>"), "{body}");
}

// Foundation finding 1: a crash mid-append leaves a torn last line in the
// search log; it is reported, set aside by the next append, and no run is
// lost from `scoper log`.
#[test]
fn a_torn_search_log_line_is_set_aside_and_no_run_is_lost() {
    let mock = MockServer::start(MockConfig { records: 40, ..MockConfig::default() }).unwrap();
    let ws = workspace();
    assert!(scoper(ws.path(), &mock, &[], &["search", "lhs"]).status.success());
    let log = ws.path().join("corpus/search-log.jsonl");
    // What a kill -9 in the middle of an append leaves.
    let mut f = fs::OpenOptions::new().append(true).open(&log).unwrap();
    use std::io::Write;
    f.write_all(b"{\"query\":\"lhs\",\"database\":\"Pub").unwrap();
    drop(f);
    let out = common::scoper(ws.path(), &["log"]);
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("corpus/search-log.jsonl, line 2: an incomplete last line"),
        "the reader says so: {err}"
    );
    let out = scoper(ws.path(), &mock, &[], &["search", "lhs"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("moved to"), "{}", text(&out.stdout));
    let (_, runs) = common::scoper_json(ws.path(), &["log"]);
    assert_eq!(runs.as_array().unwrap().len(), 2, "both searches are in the log");
    let aside = fs::read_to_string(ws.path().join("corpus/search-log.jsonl.torn")).unwrap();
    assert_eq!(aside, "{\"query\":\"lhs\",\"database\":\"Pub\n", "the fragment is kept");
    let out = common::scoper(ws.path(), &["log"]);
    assert_eq!(text(&out.stderr), "", "reported once");
    // The header and the two runs.
    assert_eq!(text(&out.stdout).lines().filter(|l| l.starts_with("| ")).count(), 3);
}

// Foundation finding 2: two searches at once: the second is refused at
// once, saying who holds the lock, and the first completes alone.
#[test]
fn a_second_search_while_one_runs_is_refused_and_the_first_completes() {
    let mock = MockServer::start(MockConfig {
        records: 1500,
        latency: Duration::from_millis(100),
        ..MockConfig::default()
    })
    .unwrap();
    let ws = workspace();
    let mut first = spawn_search(ws.path(), &mock);
    // Wait until the first holds the lock and has started fetching.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !mock.requests().iter().any(|r| r.utility == "efetch") {
        assert!(Instant::now() < deadline, "the first search never fetched");
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = scoper(ws.path(), &mock, &[], &["search", "lhs", "--batch-size", "100"]);
    assert_eq!(second.status.code(), Some(1));
    let err = text(&second.stderr);
    assert!(err.contains(&format!("pid {}", first.id())) && err.contains("`scoper --dir"), "{err}");
    assert!(err.contains("search lhs --batch-size 100`"), "{err}");
    let status = first.wait().unwrap();
    assert!(status.success());
    assert_eq!(count_records(ws.path()), 1500);
    let saved = saved_pmids(ws.path());
    assert!(saved.values().all(|&n| n == 1), "no batch saved twice");
    let log = fs::read_to_string(ws.path().join("corpus/search-log.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 1, "one run, logged once");
}

// Foundation finding 6: an unfinished run is resumed only for the same
// strategy; otherwise it is closed in the log as abandoned. `update`
// compares exact strategies: removing a clause means a full search.
#[test]
fn a_changed_strategy_abandons_the_old_plan_and_update_compares_exact_terms() {
    let mock = MockServer::start(MockConfig { records: 600, ..MockConfig::default() }).unwrap();
    let ws = workspace();
    // The plan is saved, then every efetch fails: an unfinished run.
    mock.storm_on("efetch", Fault::ServerError);
    let out = scoper(ws.path(), &mock, &[], &["search", "lhs", "--batch-size", "300"]);
    assert_eq!(out.status.code(), Some(1));
    mock.storm(None);
    // The librarian narrows the strategy: the old plan must not be resumed.
    let narrower = "name = \"lhs\"\nterm = '\"learning health system\"[tiab] AND english[la]'\n";
    fs::write(ws.path().join("queries/lhs.toml"), narrower).unwrap();
    let out = scoper(ws.path(), &mock, &[], &["search", "lhs", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v[0]["resumed"], false);
    assert!(v[0]["abandoned"].as_str().unwrap().starts_with("corpus/runs/lhs/"), "{v}");
    let (_, runs) = common::scoper_json(ws.path(), &["log"]);
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["status"], "abandoned");
    assert_eq!(runs[1]["status"], "complete");
    assert_eq!(runs[1]["term"], "\"learning health system\"[tiab] AND english[la]");
    let table = text(&common::scoper(ws.path(), &["log"]).stdout);
    assert!(table.contains("1 unfinished run(s) were abandoned"), "{table}");
    // Removing the AND clause is another strategy, not an update of this one.
    let wider = "name = \"lhs\"\nterm = '\"learning health system\"[tiab]'\n";
    fs::write(ws.path().join("queries/lhs.toml"), wider).unwrap();
    let out = scoper(ws.path(), &mock, &[], &["update", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json(&out)[0]["kind"], "full");
    // The same strategy again: now an update.
    let out = scoper(ws.path(), &mock, &[], &["update", "--json"]);
    assert_eq!(json(&out)[0]["kind"], "update");
}

// Foundation finding 7: a new user's first search, as `scoper init` wrote it.
#[test]
fn the_example_search_that_init_writes_runs() {
    let mock = MockServer::start(MockConfig { records: 30, ..MockConfig::default() }).unwrap();
    let ws = common::workspace();
    let out = scoper(ws.path(), &mock, &[], &["search", "example", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json(&out)[0]["count"], 30);
    let sent = mock.requests().into_iter().find(|r| r.utility == "esearch").unwrap();
    assert_eq!(sent.params["datetype"], "pdat");
    assert_eq!(sent.params["mindate"], "2007/01/01");
    assert_eq!(sent.params["maxdate"], "3000/12/31");
}

// Foundation finding 8: absurd settings and answers are errors or are
// capped, never a panic.
#[test]
fn absurd_settings_and_retry_after_do_not_panic() {
    let mock = MockServer::start(MockConfig {
        records: 20,
        retry_after: "99999999999999999999".into(),
        ..MockConfig::default()
    })
    .unwrap();
    let ws = workspace();
    for (var, value) in [
        ("SCOPER_HTTP_TIMEOUT", "-1"),
        ("SCOPER_HTTP_TIMEOUT", "NaN"),
        ("SCOPER_BACKOFF_MS", "1e300"),
        ("SCOPER_ESEARCH_PAGE", "0"),
    ] {
        let out = scoper(ws.path(), &mock, &[(var, value)], &["search", "lhs"]);
        assert_eq!(out.status.code(), Some(1), "{var}={value}");
        let err = text(&out.stderr);
        assert!(err.contains(&format!("{var}=\"{value}\" is not a number from")), "{err}");
    }
    let out = scoper(ws.path(), &mock, &[], &["search", "lhs", "--batch-size", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("from 1 to 10000"), "{}", text(&out.stderr));
    // A Retry-After too large for any clock: capped (here to 1 s), said.
    mock.push_fault(Some("esearch"), Fault::RateLimited);
    let out = scoper(ws.path(), &mock, &[("SCOPER_MAX_RETRY_AFTER", "1")], &["search", "lhs"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // 429s until scoper gives up: the message says to set an API key.
    mock.storm(Some(Fault::RateLimited));
    let out = scoper(ws.path(), &mock, &[("SCOPER_MAX_RETRY_AFTER", "0")], &["search", "lhs"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("asked to wait 99999999999999999999s"), "{err}");
    assert!(err.contains("NCBI_API_KEY"), "{err}");
}

// Foundation finding 10: an update rechecks every record PubMed modified
// in the window, above the 9,999 cap too, says how many changed, and names
// a retraction that came as a revision.
#[test]
fn an_update_rechecks_every_modified_record_above_the_cap_and_names_retractions() {
    let first_day = days_from_civil(2025, 1, 1);
    let t1 = first_day + 299;
    let config =
        MockConfig { records: 10_400, first_day, days: 300, today: t1, ..MockConfig::default() };
    let mock = MockServer::start(config).unwrap();
    let ws = workspace();
    let env = [("SCOPER_TODAY", ymd(t1)), ("NCBI_API_KEY", KEY.to_string())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = scoper(ws.path(), &mock, &env, &["search", "lhs", "--batch-size", "2000"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A yearly MeSH reload: every record modified within a week (its
    // DateRevised moves, so each one changes), one of them retracted.
    let t2 = t1 + 30;
    mock.set_today(t2);
    for i in 0..10_400u64 {
        mock.revise(990_100_001 + i, t2 - 10 + (i % 7) as i64, 1);
    }
    mock.retract(990_100_777, t2 - 1);
    let env2 = [("SCOPER_TODAY", ymd(t2)), ("NCBI_API_KEY", KEY.to_string())];
    let env2: Vec<(&str, &str)> = env2.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = scoper(ws.path(), &mock, &env2, &["update", "--batch-size", "2000"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains(
            "10400 records modified in PubMed since the last run were fetched again; 10400 of \
             them changed"
        ),
        "{report}"
    );
    assert!(report.contains("PMID 990100777 is now a retracted publication"), "{report}");
    let (_, runs) = common::scoper_json(ws.path(), &["log"]);
    let last = &runs.as_array().unwrap()[1];
    assert_eq!(last["rechecked"].as_array().unwrap().len(), 10_400);
    assert_eq!(last["changed"], 10_400);
    assert_eq!(last["retracted"][0], "990100777");
    let (_, r) = common::scoper_json(ws.path(), &["show", "990100777"]);
    assert_eq!(r["retracted"], true);
}

// Foundation finding 13: `scoper run` fails when its update fails for any
// reason but being offline, so a script notices that no search ran.
#[test]
fn run_fails_when_a_saved_search_is_broken() {
    let mock = MockServer::start(MockConfig { records: 10, ..MockConfig::default() }).unwrap();
    let ws = workspace();
    fs::write(
        ws.path().join("queries/lhs.toml"),
        "name = \"lhs\"\nterm = 'x'\nmindate = \"2020\"\nmaxdate = \"2021/13/45\"\n",
    )
    .unwrap();
    let out = scoper(ws.path(), &mock, &[], &["run"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("lhs.toml, line 4") && err.contains("run --offline"), "{err}");
    assert!(mock.requests().is_empty());
    // A query PubMed refuses: the same.
    fs::write(ws.path().join("queries/lhs.toml"), "name = \"lhs\"\nterm = '((x[tiab]'\n").unwrap();
    let out = scoper(ws.path(), &mock, &[], &["run"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

// First contact: an update whose window holds more than 9,999 new records
// is sliced within the window, not from 1900.
#[test]
fn an_update_over_the_cap_is_sliced_within_its_window() {
    let first_day = days_from_civil(2025, 1, 1);
    let t1 = first_day + 9;
    let config =
        MockConfig { records: 11_000, first_day, days: 300, today: t1, ..MockConfig::default() };
    let mock = MockServer::start(config).unwrap();
    let ws = workspace();
    let env1 = [("SCOPER_TODAY", ymd(t1)), ("NCBI_API_KEY", KEY.to_string())];
    let env1: Vec<(&str, &str)> = env1.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = scoper(ws.path(), &mock, &env1, &["search", "lhs", "--batch-size", "5000"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t2 = first_day + 299;
    mock.set_today(t2);
    let before = mock.requests().len();
    let env2 = [("SCOPER_TODAY", ymd(t2)), ("NCBI_API_KEY", KEY.to_string())];
    let env2: Vec<(&str, &str)> = env2.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = scoper(ws.path(), &mock, &env2, &["update", "--batch-size", "5000", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert!(v[0]["slices"].as_u64().unwrap() >= 2, "{v}");
    assert_eq!(count_records(ws.path()), 11_000);
    // Every slice lies inside the window: no date before its start.
    let window_start = ymd(t1 - 3);
    for r in &mock.requests()[before..] {
        if r.utility != "esearch" {
            continue;
        }
        let term = &r.params["term"];
        for part in term.split("\"[CRDT]").filter_map(|p| p.rsplit('"').next()) {
            if part.len() == 10 && part.as_bytes()[4] == b'/' {
                assert!(part >= window_start.as_str(), "{part} is before the window: {term}");
            }
        }
    }
}
