//! Helpers shared by the integration tests: the real fixtures in
//! `../shared/fixtures`, and running the `scoper` binary in a workspace.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `../shared/fixtures`, or `None` (the test says it is skipped) when it is
/// absent. Under `CI=true` its absence is a failure.
pub fn fixtures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("../shared/fixtures is missing, and CI=true: the real-data tests cannot run");
    }
    // Straight to the terminal: the test harness swallows eprintln! of a
    // passing test, and a skip must be seen.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr().lock(),
        "skipped: ../shared/fixtures is not here, so this real-data test did not run"
    );
    None
}

/// Returns early from a test, saying "skipped", when the fixtures are absent.
#[macro_export]
macro_rules! fixtures_or_skip {
    () => {
        match common::fixtures() {
            Some(dir) => dir,
            None => return,
        }
    };
}

/// The repository root (the demo workspace).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A new, empty workspace in a temporary folder.
pub fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = scoper(dir.path(), &["init", "."]);
    assert!(out.status.success(), "init failed: {}", text(&out.stderr));
    dir
}

/// Runs `scoper ARGS` with `--dir` set to `dir`.
pub fn scoper(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scoper"))
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env_remove("NCBI_API_KEY")
        .output()
        .expect("scoper runs")
}

/// Runs scoper and parses its standard output as JSON.
pub fn scoper_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = args.to_vec();
    all.push("--json");
    let out = scoper(dir, &all);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\nstderr: {}", text(&out.stdout), text(&out.stderr))
    });
    (out.status.code().unwrap_or(-1), v)
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every PubMed XML fixture file.
pub fn pubmed_fixture_files(fixtures: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for sub in std::fs::read_dir(fixtures.join("pubmed-xml")).unwrap() {
        let sub = sub.unwrap().path();
        for f in std::fs::read_dir(&sub).unwrap() {
            let f = f.unwrap().path();
            let name = f.to_string_lossy();
            if name.ends_with(".xml") || name.ends_with(".xml.gz") {
                files.push(f);
            }
        }
    }
    files.sort();
    files
}

/// A small PubMed XML document of our own with the given (pmid, version,
/// title) records and PMIDs to delete.
pub fn pubmed_xml(records: &[(&str, u32, &str)], deleted: &[&str]) -> String {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n");
    for (pmid, version, title) in records {
        s.push_str(&format!(
            "<PubmedArticle><MedlineCitation Status=\"MEDLINE\"><PMID Version=\"{version}\">{pmid}\
             </PMID><Article><Journal><JournalIssue><PubDate><Year>2020</Year></PubDate>\
             </JournalIssue><Title>Demo Journal</Title></Journal><ArticleTitle>{title}\
             </ArticleTitle><Abstract><AbstractText>Abstract of {title}.</AbstractText></Abstract>\
             </Article></MedlineCitation></PubmedArticle>\n"
        ));
    }
    if !deleted.is_empty() {
        s.push_str("<DeleteCitation>");
        for p in deleted {
            s.push_str(&format!("<PMID Version=\"1\">{p}</PMID>"));
        }
        s.push_str("</DeleteCitation>\n");
    }
    s.push_str("</PubmedArticleSet>\n");
    s
}

/// The demo workspace of this repository (protocol, saved search,
/// framework, the 67 demo records) in a temporary folder, indexed and
/// tagged (reading commands never index or tag; `scoper index` does both).
pub fn demo_workspace() -> tempfile::TempDir {
    let ws = tempfile::tempdir().unwrap();
    let repo = repo();
    std::fs::copy(repo.join("scoper.toml"), ws.path().join("scoper.toml")).unwrap();
    std::fs::create_dir_all(ws.path().join("queries")).unwrap();
    for f in ["queries/lhs-framework.toml", "queries/lhs.toml"] {
        std::fs::copy(repo.join(f), ws.path().join(f)).unwrap();
    }
    std::fs::create_dir_all(ws.path().join("corpus/demo")).unwrap();
    let demo = "corpus/demo/lhs-demo.xml";
    std::fs::copy(repo.join(demo), ws.path().join(demo)).unwrap();
    let out = scoper(ws.path(), &["index"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    ws
}

/// Sets the method in `[screening]` of the workspace's scoper.toml: the
/// lines given (`reviewers = [...]`, `settlers`, `reviewers_per_record`,
/// `blind`, `pilot`) replace those there.
pub fn set_screening(dir: &Path, lines: &str) {
    let path = dir.join("scoper.toml");
    let before = std::fs::read_to_string(&path).unwrap();
    let keys = ["reviewers", "settlers", "reviewers_per_record", "blind", "pilot"];
    let mut out = String::new();
    let mut inside = false;
    for line in before.lines() {
        if line.starts_with('[') {
            inside = line.trim() == "[screening]";
        }
        let key = line.split('=').next().unwrap_or("").trim();
        if inside && line.contains('=') && keys.contains(&key) {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if line.trim() == "[screening]" {
            out.push_str(lines.trim());
            out.push('\n');
        }
    }
    std::fs::write(path, out).unwrap();
}

/// The demo workspace with a team of two (ana, ben) who screen every
/// record not blind, and cy who settles.
pub fn team_workspace() -> tempfile::TempDir {
    let ws = demo_workspace();
    set_screening(ws.path(), "reviewers = [\"ana\", \"ben\"]\nsettlers = [\"cy\"]\nblind = false");
    ws
}

/// Sets `[charting] method` in the workspace's scoper.toml.
pub fn set_chart_method(dir: &Path, method: &str) {
    let path = dir.join("scoper.toml");
    let before = std::fs::read_to_string(&path).unwrap();
    let mut out = String::new();
    let mut inside = false;
    let mut done = false;
    for line in before.lines() {
        if line.starts_with('[') {
            inside = line.trim() == "[charting]";
        }
        if inside && line.trim_start().starts_with("method =") {
            out.push_str(&format!("method = \"{method}\"\n"));
            done = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if !done {
        out.push_str(&format!("\n[charting]\nmethod = \"{method}\"\n"));
    }
    std::fs::write(path, out).unwrap();
}
