//! End-to-end tests of the `scoper` command line, as a user runs it.

mod common;

use std::fs;
use std::path::Path;

use common::{pubmed_xml, scoper, scoper_json, text, workspace};

fn export_lines(dir: &Path) -> Vec<serde_json::Value> {
    let out = scoper(dir, &["export", "jsonl"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let p = dir.join(name);
    fs::write(&p, content).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn import_reports_counts_and_reimport_changes_nothing() {
    let ws = workspace();
    let inputs = tempfile::tempdir().unwrap();
    let f = write(
        inputs.path(),
        "a.xml",
        &pubmed_xml(&[("990000101", 1, "Alpha"), ("990000102", 1, "Beta")], &[]),
    );
    let (code, v) = scoper_json(ws.path(), &["import", &f]);
    assert_eq!(code, 0);
    assert_eq!(v["files"], 1);
    assert_eq!(v["records"], 2);
    assert_eq!(v["new"], 2);
    assert_eq!(v["updated"], 0);
    assert_eq!(v["deleted"], 0);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0);
    let corpus_before: Vec<_> = fs::read_dir(ws.path().join("corpus/imports")).unwrap().collect();
    assert_eq!(corpus_before.len(), 1, "the file is kept in corpus/imports");

    let (code, v) = scoper_json(ws.path(), &["import", &f]);
    assert_eq!(code, 0);
    assert_eq!((v["new"].as_u64(), v["updated"].as_u64()), (Some(0), Some(0)));
    let corpus_after: Vec<_> = fs::read_dir(ws.path().join("corpus/imports")).unwrap().collect();
    assert_eq!(corpus_after.len(), 1, "the same file is not stored twice");
    assert_eq!(export_lines(ws.path()).len(), 2);
}

#[test]
fn newer_versions_replace_older_and_delete_citation_removes() {
    let ws = workspace();
    let inputs = tempfile::tempdir().unwrap();
    let a = write(
        inputs.path(),
        "a.xml",
        &pubmed_xml(
            &[("990000201", 2, "Version two"), ("990000202", 1, "Stays"), ("990000203", 1, "Goes")],
            &[],
        ),
    );
    let b = write(
        inputs.path(),
        "b.xml",
        &pubmed_xml(
            &[("990000201", 1, "Version one, older"), ("990000202", 1, "Stays, revised")],
            &["990000203", "990000299"],
        ),
    );
    let (code, v) = scoper_json(ws.path(), &["import", &a, &b]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["records"], 5);
    assert_eq!(v["new"], 3);
    assert_eq!(v["updated"], 1, "990000202 was revised at the same version");
    assert_eq!(v["deleted"], 1, "only 990000203 was in the working set");
    let (_, r) = scoper_json(ws.path(), &["show", "990000201"]);
    assert_eq!(r["title"], "Version two");
    assert_eq!(r["version"], 2);
    let (_, r) = scoper_json(ws.path(), &["show", "990000202"]);
    assert_eq!(r["title"], "Stays, revised");
    let out = scoper(ws.path(), &["show", "990000203"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not in the working set"), "{}", text(&out.stderr));
    let pmids: Vec<_> = export_lines(ws.path()).iter().map(|r| r["pmid"].clone()).collect();
    assert_eq!(pmids, ["990000201", "990000202"]);
}

#[test]
fn real_delete_citation_fixture_removes_those_pmids() {
    let fixtures = fixtures_or_skip!();
    let ws = workspace();
    let inputs = tempfile::tempdir().unwrap();
    // Two PMIDs that the real DeleteCitation block names, present beforehand.
    let earlier = write(
        inputs.path(),
        "earlier.xml",
        &pubmed_xml(&[("31688362", 1, "To be deleted"), ("34096142", 1, "Also deleted")], &[]),
    );
    let (code, _) = scoper_json(ws.path(), &["import", &earlier]);
    assert_eq!(code, 0);
    let update = fixtures.join("pubmed-xml/edge-cases/delete-citation.xml");
    let (code, v) = scoper_json(ws.path(), &["import", update.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["deleted"], 2);
    assert_eq!(v["new"], 2);
    for gone in ["31688362", "34096142"] {
        assert_eq!(scoper(ws.path(), &["show", gone]).status.code(), Some(1));
    }
    let out = scoper(ws.path(), &["import", update.to_str().unwrap()]);
    assert!(text(&out.stdout).contains("already imported"), "{}", text(&out.stdout));
}

#[test]
fn every_fixture_imports_with_no_error_and_rebuild_gives_the_same_working_set() {
    let fixtures = fixtures_or_skip!();
    let ws = workspace();
    let files = common::pubmed_fixture_files(&fixtures);
    let args: Vec<String> = files.iter().map(|f| f.to_string_lossy().into_owned()).collect();
    let mut all = vec!["import"];
    all.extend(args.iter().map(String::as_str));
    let (code, v) = scoper_json(ws.path(), &all);
    assert_eq!(code, 0, "errors: {}", v["errors"]);
    assert!(v["records"].as_u64().unwrap() > 8000);
    let incremental = export_lines(ws.path());
    let out = scoper(ws.path(), &["index", "--rebuild"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rebuilt = export_lines(ws.path());
    assert_eq!(incremental.len(), rebuilt.len());
    assert!(incremental == rebuilt, "the rebuilt working set differs");
    // Deleting .scoper/ entirely: a read says what to run (it never writes),
    // and `scoper index` gives the same working set back.
    fs::remove_dir_all(ws.path().join(".scoper")).unwrap();
    let out = scoper(ws.path(), &["export", "jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("run `scoper index`"), "{}", text(&out.stderr));
    assert!(!ws.path().join(".scoper/index").exists(), "a read wrote the index");
    assert!(scoper(ws.path(), &["index"]).status.success());
    assert!(export_lines(ws.path()) == incremental);
}

#[test]
fn show_json_has_the_documented_fields() {
    let fixtures = fixtures_or_skip!();
    let ws = workspace();
    let f = fixtures.join("pubmed-xml/efetch-hawc/efetch_title_with_child_text_27933116.xml");
    assert_eq!(scoper_json(ws.path(), &["import", f.to_str().unwrap()]).0, 0);
    let (code, r) = scoper_json(ws.path(), &["show", "27933116"]);
    assert_eq!(code, 0);
    for key in [
        "pmid",
        "version",
        "title",
        "abstract",
        "authors",
        "year",
        "journal",
        "doi",
        "pmcid",
        "mesh",
        "keywords",
        "publication_types",
        "languages",
        "retracted",
        "book",
    ] {
        assert!(r.get(key).is_some(), "missing {key}: {r}");
    }
    assert_eq!(r["pmid"], "27933116");
    assert!(r["version"].is_u64());
    assert!(r["title"].as_str().unwrap().starts_with("Phoenix dactylifera mediated"));
    let first = &r["abstract"][0];
    assert!(first.get("label").is_some() && first["text"].is_string());
    let a = &r["authors"][0];
    for key in ["last", "fore", "initials", "collective", "affiliations", "orcid"] {
        assert!(a.get(key).is_some(), "author lacks {key}: {a}");
    }
    assert_eq!(r["retracted"], false);
    assert_eq!(r["book"], false);
    // The plain view shows the same record for a person.
    let out = scoper(ws.path(), &["show", "27933116"]);
    let shown = text(&out.stdout);
    assert!(shown.contains("PMID 27933116"));
    assert!(shown.contains("Cu2O particles"));
}

#[test]
fn bad_files_are_reported_with_file_and_line_and_the_rest_import() {
    let ws = workspace();
    let inputs = tempfile::tempdir().unwrap();
    let good = write(inputs.path(), "good.xml", &pubmed_xml(&[("990000301", 1, "Good")], &[]));
    let full = pubmed_xml(&[("990000311", 1, "Kept"), ("990000312", 1, "Cut off")], &[]);
    let truncated = write(inputs.path(), "truncated.xml", &full[..full.len() - 200]);
    let malformed = write(
        inputs.path(),
        "malformed.xml",
        "<PubmedArticleSet>\n<PubmedArticle>\n<MedlineCitation><PMID Version=\"1\">990000321</PMID>\n\
         <Article><ArticleTitle>x</Title>\n</Article></MedlineCitation></PubmedArticle>\n</PubmedArticleSet>\n",
    );
    let empty = write(inputs.path(), "empty.xml", "");
    let not_xml = write(inputs.path(), "notes.xml", "PMID 12345, a list\nnot XML at all\n");
    let missing = inputs.path().join("missing.xml").to_string_lossy().into_owned();

    let (code, v) = scoper_json(
        ws.path(),
        &["import", &good, &truncated, &malformed, &empty, &not_xml, &missing],
    );
    assert_eq!(code, 1, "any error means exit 1");
    assert_eq!(v["new"], 2, "the good record and the one before the truncation: {v}");
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 5, "{v}");
    let find = |name: &str| {
        errors.iter().find(|e| e["file"].as_str().unwrap().ends_with(name)).unwrap().clone()
    };
    let t = find("truncated.xml");
    assert!(t["message"].as_str().unwrap().contains("truncated"), "{t}");
    assert_eq!(t["pmid"], "990000312");
    assert!(t["line"].as_u64().is_some());
    let m = find("malformed.xml");
    assert_eq!(m["line"], 4, "{m}");
    assert_eq!(m["pmid"], "990000321");
    assert!(m["message"].as_str().unwrap().contains("malformed XML"), "{m}");
    assert!(find("empty.xml")["message"].as_str().unwrap().contains("empty"));
    assert!(find("notes.xml")["message"].as_str().unwrap().contains("not PubMed XML"));
    assert!(find("missing.xml")["message"].as_str().unwrap().contains("no such file"));
    // Each error has a kind a script can act on.
    let kinds: Vec<&str> =
        ["truncated.xml", "malformed.xml", "empty.xml", "notes.xml", "missing.xml"]
            .iter()
            .map(|f| errors.iter().find(|e| e["file"].as_str().unwrap().ends_with(f)).unwrap())
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
    assert_eq!(kinds, ["malformed", "malformed", "empty", "not_pubmed", "io"]);
    // Files that gave nothing leave no trace in the corpus.
    let kept = fs::read_dir(ws.path().join("corpus/imports")).unwrap().count();
    assert_eq!(kept, 2, "good.xml and the readable part of truncated.xml are kept");

    // The plain output names file, line and PMID on stderr.
    let again = write(
        inputs.path(),
        "malformed2.xml",
        &fs::read_to_string(&malformed).unwrap().replace("990000321", "990000322"),
    );
    let out = scoper(ws.path(), &["import", &again]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("malformed2.xml, line 4, PMID 990000322: malformed XML"), "{err}");
    // Nothing already in the workspace was lost.
    assert_eq!(export_lines(ws.path()).len(), 2);
}

#[test]
fn find_searches_title_abstract_and_fields() {
    let ws = workspace();
    let inputs = tempfile::tempdir().unwrap();
    let f = write(
        inputs.path(),
        "a.xml",
        &pubmed_xml(
            &[
                ("990000401", 1, "Learning cycles in primary care"),
                ("990000402", 1, "Person-centred care in hospitals"),
                ("990000403", 1, "Unrelated chemistry"),
            ],
            &[],
        ),
    );
    assert_eq!(scoper_json(ws.path(), &["import", &f]).0, 0);
    let (code, v) = scoper_json(ws.path(), &["find", "learning", "cycle"]);
    assert_eq!(code, 0);
    assert_eq!(v["total"], 1, "stemming: cycle matches cycles: {v}");
    assert_eq!(v["hits"][0]["pmid"], "990000401");
    let (_, v) = scoper_json(ws.path(), &["find", "title:care"]);
    assert_eq!(v["total"], 2);
    let (_, v) = scoper_json(ws.path(), &["find", "\"person centred\""]);
    assert_eq!(v["hits"][0]["pmid"], "990000402");
    let (_, v) = scoper_json(ws.path(), &["find", "care", "--limit", "1"]);
    assert_eq!(v["total"], 2);
    assert_eq!(v["hits"].as_array().unwrap().len(), 1);
    let out = scoper(ws.path(), &["find", "title:(unclosed"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("could not read the query"), "{}", text(&out.stderr));
}

#[test]
fn the_shipped_workspace_runs_offline() {
    // A copy of the repository's workspace, so the test leaves no .scoper/ behind.
    let ws = tempfile::tempdir().unwrap();
    let repo = common::repo();
    for f in ["scoper.toml", "queries/lhs-framework.toml", "corpus/demo/lhs-demo.xml"] {
        fs::create_dir_all(ws.path().join(f).parent().unwrap()).unwrap();
        fs::copy(repo.join(f), ws.path().join(f)).unwrap();
    }
    let out = scoper(ws.path(), &["run", "--offline"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("Value-creating learning health systems"), "{s}");
    assert!(s.contains("records: 67"), "{s}");
    assert!(s.contains("without abstract: 1"), "{s}");
    assert!(s.contains("Learning Health System"), "{s}");
    assert!(s.contains("concept map"), "{s}");
    assert!(s.contains("Pillars and accelerators"), "{s}");
    let (code, v) = scoper_json(ws.path(), &["run", "--offline"]);
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["records"], 67);
    assert_eq!(v["summary"]["first_year"], 2012);
    assert_eq!(v["concepts"]["records"], 67);
    let (_, r) = scoper_json(ws.path(), &["show", "990000001"]);
    assert_eq!(r["authors"][2]["last"], "Hernández");
    // Every demo PMID is synthetic.
    for r in export_lines(ws.path()) {
        let pmid: u64 = r["pmid"].as_str().unwrap().parse().unwrap();
        assert!(pmid >= 990_000_001);
    }
}

#[test]
fn usage_errors_exit_2_and_missing_workspace_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = scoper(dir.path(), &["import"]);
    assert_eq!(out.status.code(), Some(2));
    let out = scoper(dir.path(), &["find", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("scoper init"), "{}", text(&out.stderr));
    let out = scoper(dir.path(), &["init", "."]);
    assert!(out.status.success());
    let out = scoper(dir.path(), &["init", "."]);
    assert_eq!(out.status.code(), Some(1), "init does not overwrite a protocol");
}

#[test]
fn gzip_input_imports_like_plain_xml() {
    let fixtures = fixtures_or_skip!();
    let ws = workspace();
    let f = fixtures.join("pubmed-xml/bench/pubmed21n1298_random3000.xml.gz");
    let (code, v) = scoper_json(ws.path(), &["import", f.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["records"], 3000);
    let stored: Vec<_> = fs::read_dir(ws.path().join("corpus/imports")).unwrap().collect();
    let name = stored[0].as_ref().unwrap().file_name().to_string_lossy().into_owned();
    assert!(name.ends_with(".xml.gz"), "kept as received: {name}");
}

#[test]
fn a_folder_imports_the_pubmed_xml_files_in_it() {
    let ws = workspace();
    let inputs = tempfile::tempdir().unwrap();
    write(inputs.path(), "a.xml", &pubmed_xml(&[("990000601", 1, "One")], &[]));
    write(inputs.path(), "b.xml", &pubmed_xml(&[("990000602", 1, "Two")], &[]));
    write(inputs.path(), "notes.txt", "not a record file");
    let dir = inputs.path().to_string_lossy().into_owned();
    let (code, v) = scoper_json(ws.path(), &["import", &dir]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["files"], 2);
    assert_eq!(v["new"], 2);
    let empty = tempfile::tempdir().unwrap();
    let (code, v) = scoper_json(ws.path(), &["import", empty.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(v["errors"][0]["message"].as_str().unwrap().contains("no record file"), "{v}");
}
