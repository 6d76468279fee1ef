//! What a new user meets first, checked on the words they read: files that
//! are not PubMed XML named for what they are (the real RIS, MEDLINE, Web
//! of Science and CSV exports of ../shared/fixtures/imports), damaged gzip,
//! folders, re-imports, PubMed field tags in find, show, the workspace
//! found from a subfolder.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{demo_workspace, pubmed_xml, scoper, scoper_json, text, workspace};

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    v.sort();
    v
}

#[test]
fn exports_from_other_databases_import_and_other_files_are_named_for_what_they_are() {
    let fixtures = fixtures_or_skip!();
    let ws = workspace();
    let imports = fixtures.join("imports");
    let mut cases: Vec<PathBuf> = Vec::new();
    for sub in ["ris/asreview", "ris/citesource", "ris/synthesisr", "medline", "wos-tagged", "csv"]
    {
        cases.extend(files_in(&imports.join(sub)));
    }
    assert!(cases.len() > 25, "{}", cases.len());
    // Every RIS, MEDLINE, Web of Science and CSV export is read (their
    // counts are checked in tests/imports.rs).
    for f in &cases {
        let out = scoper(ws.path(), &["import", f.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}: {}", f.display(), text(&out.stderr));
        let said = text(&out.stdout);
        assert!(
            said.contains(" records (") || said.contains(" 1 record ("),
            "{}: {said}",
            f.display()
        );
    }
    // An HTML page a browser saved, and a JSON answer.
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("pubmed_result.xml");
    fs::write(&html, "<!DOCTYPE html>\n<html><head><title>Error</title></head><body>Service unavailable</body></html>").unwrap();
    let json = dir.path().join("result.xml");
    fs::write(&json, "{\"header\":{\"type\":\"esearch\"},\"esearchresult\":{}}").unwrap();
    let out = scoper(ws.path(), &["import", html.to_str().unwrap(), json.to_str().unwrap()]);
    let err = text(&out.stderr);
    assert!(err.contains("an HTML page") && err.contains("a JSON document"), "{err}");
    let kept = files_in(&ws.path().join("corpus/imports"));
    assert!(
        !kept.iter().any(|f| f.to_string_lossy().ends_with("result.xml.gz")),
        "nothing kept of the HTML page or the JSON answer: {kept:?}"
    );
}

#[test]
fn damaged_gzip_is_named_with_where_and_what_was_read() {
    let fixtures = fixtures_or_skip!();
    let gz = fixtures.join("pubmed-xml/bench/pubmed20n0014_random4000.xml.gz");
    let bytes = fs::read(&gz).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Cut in the middle of the compressed data, and a wrong checksum.
    let cut = dir.path().join("cut.xml.gz");
    fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let mut crc = bytes.clone();
    let n = crc.len();
    crc[n - 8] ^= 0xff;
    let badcrc = dir.path().join("badcrc.xml.gz");
    fs::write(&badcrc, &crc).unwrap();
    let ws = workspace();
    let (code, v) =
        scoper_json(ws.path(), &["import", cut.to_str().unwrap(), badcrc.to_str().unwrap()]);
    assert_eq!(code, 1);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{v}");
    for e in errors {
        assert_eq!(e["kind"], "damaged", "{e}");
        let m = e["message"].as_str().unwrap();
        assert!(
            m.contains("the gzip data is damaged")
                && m.contains("records")
                && m.contains("download the file again"),
            "{m}"
        );
    }
    let m = errors[0]["message"].as_str().unwrap();
    assert!(m.contains("bytes of XML"), "where: {m}");
    assert!(!m.contains("the file is empty"), "{m}");
}

#[test]
fn a_folder_lists_what_it_skips_and_a_faulty_file_is_reported_every_time() {
    let ws = workspace();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.xml"), pubmed_xml(&[("990000401", 1, "Kept")], &[])).unwrap();
    fs::write(dir.path().join("refs.ris"), "TY  - JOUR\nTI  - x\nER  - \n").unwrap();
    fs::write(dir.path().join("notes.txt"), "notes").unwrap();
    fs::create_dir(dir.path().join("more")).unwrap();
    let out = scoper(ws.path(), &["import", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    // A RIS export in the folder is read; a note is not.
    assert!(shown.contains("refs.ris"), "{shown}");
    assert!(shown.contains("notes.txt: not a record file"), "{shown}");
    assert!(shown.contains("more: a folder inside; not read"), "{shown}");
    // A truncated file: its fault, now and on every re-import.
    let full = pubmed_xml(&[("990000411", 1, "Kept"), ("990000412", 1, "Cut off")], &[]);
    let truncated = dir.path().join("truncated.xml");
    fs::write(&truncated, &full[..full.len() - 200]).unwrap();
    for round in 0..2 {
        let out = scoper(ws.path(), &["import", truncated.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "round {round}");
        let err = text(&out.stderr);
        assert!(err.contains("truncated"), "round {round}: {err}");
        if round == 1 {
            assert!(
                err.contains("already imported as corpus/imports/")
                    && err.contains("still has this fault"),
                "{err}"
            );
        }
    }
    // A file with no record in it leaves no trace.
    let empty_set = dir.path().join("none.xml");
    fs::write(&empty_set, "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n</PubmedArticleSet>\n")
        .unwrap();
    let before = files_in(&ws.path().join("corpus/imports")).len();
    let out = scoper(ws.path(), &["import", empty_set.to_str().unwrap()]);
    assert!(
        text(&out.stdout).contains("none.xml: holds no record; not kept"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(files_in(&ws.path().join("corpus/imports")).len(), before);
    // Nothing new: the JSON says no file was imported.
    let (_, v) = scoper_json(ws.path(), &["import", dir.path().join("a.xml").to_str().unwrap()]);
    assert_eq!(v["files"], 0, "{v}");
}

#[test]
fn files_an_interrupted_import_left_are_reported_as_recovered() {
    let ws = workspace();
    // What a kill -9 after the copy and before the index leaves: a file in
    // corpus/imports/ that the index does not hold.
    let left = ws.path().join("corpus/imports/20261130T090000Z-000001-0123456789abcdef-left.xml");
    fs::create_dir_all(left.parent().unwrap()).unwrap();
    fs::write(&left, pubmed_xml(&[("990000501", 1, "Left behind"), ("990000502", 1, "Also")], &[]))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("next.xml");
    fs::write(&f, pubmed_xml(&[("990000503", 1, "Next")], &[])).unwrap();
    let out = scoper(ws.path(), &["import", f.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("recovered: 1 file(s)") && err.contains("(2 records, 2 new"), "{err}");
    assert!(text(&out.stdout).contains("3 in the working set now"), "{}", text(&out.stdout));
}

#[test]
fn find_reads_pubmed_field_tags_and_lists_authors() {
    let ws = demo_workspace();
    let (_, v) = scoper_json(ws.path(), &["find", "privacy[mh]"]);
    let pmids: Vec<&str> =
        v["hits"].as_array().unwrap().iter().map(|h| h["pmid"].as_str().unwrap()).collect();
    assert!(pmids.contains(&"990000004"), "{v}");
    let (_, v) = scoper_json(ws.path(), &["find", "\"learning cycle\"[tiab] AND 2018:2019[dp]"]);
    assert!(v["total"].as_u64().unwrap() >= 1, "{v}");
    for h in v["hits"].as_array().unwrap() {
        let y = h["year"].as_i64().unwrap();
        assert!((2018..=2019).contains(&y), "{h}");
    }
    let out = scoper(ws.path(), &["find", "asthma[sb]"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("[sb] has no counterpart")
            && text(&out.stderr).contains("[tiab]"),
        "{}",
        text(&out.stderr)
    );
    let out = scoper(ws.path(), &["find", "privacy"]);
    let shown = text(&out.stdout);
    let line = shown.lines().find(|l| l.contains("990000004")).unwrap_or_default();
    assert!(line.contains("Whitfield H et al.") && line.contains("2019"), "{shown}");
}

#[test]
fn show_several_records_with_language_links_and_mesh_marks() {
    let ws = demo_workspace();
    let out = Command::new(env!("CARGO_BIN_EXE_scoper"))
        .arg("--dir")
        .arg(ws.path())
        .args(["show", "990000004", "990000039"])
        .env("COLUMNS", "70")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("PMID 990000004") && shown.contains("PMID 990000039"), "{shown}");
    assert!(shown.contains("language: eng"), "{shown}");
    assert!(shown.contains("https://pubmed.ncbi.nlm.nih.gov/990000004/"), "{shown}");
    assert!(shown.contains("affiliation 1: "), "{shown}");
    assert!(shown.contains("MeSH: Privacy*;"), "the major topic is marked: {shown}");
    // The record's text is wrapped to the terminal (here COLUMNS=70).
    let record = shown.split("Concepts:").next().unwrap();
    let long: Vec<&str> =
        record.lines().filter(|l| l.chars().count() > 70 && !l.starts_with("doi:")).collect();
    assert!(long.is_empty(), "wrapped to 70: {long:?}");
    let (_, v) = scoper_json(ws.path(), &["show", "990000004", "990000039"]);
    assert_eq!(v.as_array().unwrap().len(), 2);
}

#[test]
fn the_workspace_is_found_from_a_subfolder_and_search_lists_the_saved_ones() {
    let ws = demo_workspace();
    let out = Command::new(env!("CARGO_BIN_EXE_scoper"))
        .current_dir(ws.path().join("corpus/demo"))
        .args(["find", "privacy"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("990000004"));
    let out = scoper(ws.path(), &["search"]);
    assert_eq!(out.status.code(), Some(0), "listing is what was asked for");
    let shown = text(&out.stdout);
    assert!(
        shown.contains("saved searches") && shown.contains("lhs") && shown.contains("never run"),
        "{shown}"
    );
}

#[test]
fn top_mesh_terms_leave_out_check_tags() {
    let fixtures = fixtures_or_skip!();
    let ws = workspace();
    let f = fixtures.join("pubmed-xml/baseline-sample/pubmed20n0014_sample300.xml");
    assert!(scoper(ws.path(), &["import", f.to_str().unwrap()]).status.success());
    let (_, v) = scoper_json(ws.path(), &["run", "--offline"]);
    let top: Vec<&str> = v["summary"]["top_mesh"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t[0].as_str().unwrap())
        .collect();
    assert!(!top.is_empty());
    for check in ["Humans", "Animals", "Male", "Female", "Adult", "Middle Aged"] {
        assert!(!top.contains(&check), "{top:?}");
    }
}

#[test]
fn tag_check_lists_every_bad_query() {
    let ws = workspace();
    let fw = ws.path().join("queries/lhs-framework.toml");
    let mut text_ = fs::read_to_string(&fw).unwrap();
    text_.push_str(
        "\n[concepts.broken-one]\nelement = \"processes\"\nname = \"B1\"\nqueries = ['title:(']\n",
    );
    text_.push_str("\n[concepts.broken-two]\nelement = \"processes\"\nname = \"B2\"\nqueries = ['\"unclosed']\n");
    text_.push_str("\n[concepts.broken-three]\nelement = \"processes\"\nname = \"B3\"\nqueries = ['author:smith']\n");
    fs::write(&fw, text_).unwrap();
    let out = scoper(ws.path(), &["tag", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("3 problems in"), "{err}");
    for c in ["broken-one", "broken-two", "broken-three"] {
        assert!(err.contains(c), "{c}: {err}");
    }
}

#[test]
fn the_corpus_keeps_plain_xml_compressed_and_byte_exact() {
    let fixtures = fixtures_or_skip!();
    let ws = workspace();
    let src = fixtures.join("pubmed-xml/baseline-sample/pubmed20n0014_sample300.xml");
    let original = fs::read(&src).unwrap();
    assert!(scoper(ws.path(), &["import", src.to_str().unwrap()]).status.success());
    let kept = files_in(&ws.path().join("corpus/imports"));
    assert_eq!(kept.len(), 1);
    let name = kept[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(name.ends_with("pubmed20n0014_sample300.xml.gz"), "{name}");
    let stored = fs::read(&kept[0]).unwrap();
    assert!(
        stored.len() * 4 < original.len(),
        "compressed: {} of {}",
        stored.len(),
        original.len()
    );
    let back = scoper::store::atomic::read_maybe_gz(&kept[0]).unwrap();
    assert!(back == original, "byte-exact on decompression");
    let hash = blake3::hash(&original).to_hex().to_string();
    assert!(name.contains(&hash[..16]), "the name holds the hash of the bytes as received: {name}");
    // The same file again is recognised; the records are all there.
    let out = scoper(ws.path(), &["import", src.to_str().unwrap()]);
    assert!(text(&out.stdout).contains("already imported"), "{}", text(&out.stdout));
    let (_, v) = scoper_json(ws.path(), &["run", "--offline"]);
    assert_eq!(v["summary"]["records"], 300);
    // A rebuild reads the compressed copy and gives the same working set.
    let before = scoper(ws.path(), &["export", "jsonl"]).stdout;
    assert!(scoper(ws.path(), &["index", "--rebuild"]).status.success());
    assert!(scoper(ws.path(), &["export", "jsonl"]).stdout == before);
}

#[test]
fn ctrl_c_stops_an_import_saying_what_was_kept() {
    let fixtures = fixtures_or_skip!();
    let ws = workspace();
    let files = common::pubmed_fixture_files(&fixtures);
    assert!(files.len() > 50);
    let child = Command::new(env!("CARGO_BIN_EXE_scoper"))
        .arg("--dir")
        .arg(ws.path())
        .arg("import")
        .args(&files)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once a file is kept, the handler is in place: press Ctrl-C.
    let imports = ws.path().join("corpus/imports");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let kept = fs::read_dir(&imports)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .count()
            })
            .unwrap_or(0);
        if kept >= 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no file was imported");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let err = text(&out.stderr);
    if out.status.success() {
        // The import finished before the signal arrived: nothing to check.
        eprintln!("note: the import ended before Ctrl-C reached it");
        return;
    }
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: ") && err.contains("run the same import again"), "{err}");
    // Running it again finishes the job; what was kept is recognised.
    let out = Command::new(env!("CARGO_BIN_EXE_scoper"))
        .arg("--dir")
        .arg(ws.path())
        .arg("import")
        .args(&files)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("already imported"), "{}", text(&out.stdout));
    let hidden = fs::read_dir(&imports)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".importing-"))
        .count();
    assert_eq!(hidden, 0, "no half-made copy is left");
}
