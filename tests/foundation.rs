//! One workspace, many hands: the workspace lock, reads that never write, a
//! PMID validated once, the order of the corpus, saved searches checked,
//! evidence that is the study's words. Each test runs the real binary where
//! a user would see the difference. (The findings that need the mock
//! E-utilities server are in tests/fetch.rs.)

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{demo_workspace, pubmed_xml, scoper, scoper_json, text, workspace};

fn write(dir: &Path, name: &str, content: &str) -> String {
    let p = dir.join(name);
    fs::write(&p, content).unwrap();
    p.to_string_lossy().into_owned()
}

/// Every file under `dir`: path → (size, modification time, content hash).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, std::time::SystemTime, blake3::Hash)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                let hash = blake3::hash(&fs::read(e.path()).unwrap());
                out.insert(e.path(), (meta.len(), meta.modified().unwrap(), hash));
            }
        }
    }
    out
}

// Finding 3: show, find and export never write, and say in one line when
// the index is behind corpus/.
#[test]
fn reads_never_write_and_say_in_one_line_when_the_index_is_behind() {
    let ws = demo_workspace();
    let before = snapshot(ws.path());
    let reads: [&[&str]; 6] = [
        &["show", "990000004"],
        &["show", "990000004", "--json"],
        &["find", "learning cycle"],
        &["find", "concept:equity"],
        &["export", "jsonl"],
        &["log"],
    ];
    for args in reads {
        let out = scoper(ws.path(), args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stderr), "", "{args:?} printed to stderr");
    }
    assert!(before == snapshot(ws.path()), "a read changed the workspace");

    // A file added to corpus/ by hand: reads say so in one line, and still
    // do not index it.
    fs::write(
        ws.path().join("corpus/zz-added.xml"),
        pubmed_xml(&[("990000901", 1, "Added zyxwvut")], &[]),
    )
    .unwrap();
    let before = snapshot(ws.path());
    let out = scoper(ws.path(), &["find", "zyxwvut"]);
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("behind corpus/ (1 file(s)") && err.contains("`scoper index`"), "{err}");
    assert!(text(&out.stdout).contains("no record matches"), "not indexed by a read");
    assert!(before == snapshot(ws.path()), "a read changed the workspace");
    assert!(scoper(ws.path(), &["index"]).status.success());
    let out = scoper(ws.path(), &["find", "zyxwvut"]);
    assert_eq!(text(&out.stderr), "");
    assert!(text(&out.stdout).contains("990000901"));
}

// Finding 12: a workspace the user may read but not write (a shared folder,
// a colleague's copy) can be read; tantivy's files are readable by others.
#[test]
fn a_read_only_workspace_can_be_read() {
    let ws = demo_workspace();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in fs::read_dir(ws.path().join(".scoper/index")).unwrap() {
            let f = f.unwrap();
            let mode = f.metadata().unwrap().permissions().mode();
            assert_eq!(mode & 0o044, 0o044, "{} is mode {mode:o}", f.path().display());
        }
        // Read-only for the one who reads: every file and folder without
        // write permission for others, read as another user (root may write
        // anywhere, so as root the reader is `nobody`).
        fs::set_permissions(ws.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let is_root = running_as_root();
        let run = |args: &[&str]| {
            let mut c = if is_root {
                let mut c = Command::new("setpriv");
                c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
                c.arg(env!("CARGO_BIN_EXE_scoper"));
                c
            } else {
                Command::new(env!("CARGO_BIN_EXE_scoper"))
            };
            c.arg("--dir").arg(ws.path()).args(args);
            c.output().expect("setpriv runs (util-linux)")
        };
        if !is_root {
            chmod_tree(ws.path(), 0o555, 0o444);
        }
        for args in [&["find", "learning cycle"][..], &["show", "990000004"], &["export", "jsonl"]]
        {
            let out = run(args);
            assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
            assert_eq!(text(&out.stderr), "", "{args:?}");
        }
        // A write is refused with what to do, not with tantivy's words.
        let out = run(&["index"]);
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert!(err.contains("needs write access") || err.contains("lock"), "{err}");
        if !is_root {
            chmod_tree(ws.path(), 0o755, 0o644);
        }
    }
}

#[cfg(unix)]
fn running_as_root() -> bool {
    // `id -u` rather than libc: the tests use no unsafe code.
    let out = Command::new("id").arg("-u").output().unwrap();
    text(&out.stdout).trim() == "0"
}

#[cfg(unix)]
fn chmod_tree(dir: &Path, dirs: u32, files: u32) {
    use std::os::unix::fs::PermissionsExt;
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            chmod_tree(&e.path(), dirs, files);
        } else {
            fs::set_permissions(e.path(), fs::Permissions::from_mode(files)).unwrap();
        }
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(dirs)).unwrap();
}

// Finding 2: a second writer is refused at once, saying who holds the lock;
// reads go on meanwhile.
#[test]
fn a_second_writer_is_refused_with_who_holds_the_lock_and_reads_go_on() {
    let ws = demo_workspace();
    let w = scoper::store::Workspace::open(ws.path()).unwrap();
    let held = scoper::store::lock::acquire(
        &w,
        &scoper::store::lock::Scope::Workspace,
        "scoper search lhs",
    )
    .unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let f = write(inputs.path(), "a.xml", &pubmed_xml(&[("990000902", 1, "Locked out")], &[]));
    for args in
        [&["import", f.as_str()][..], &["index", "--rebuild"], &["tag"], &["run", "--offline"]]
    {
        let started = std::time::Instant::now();
        let out = scoper(ws.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!("pid {}", std::process::id()))
                && err.contains("`scoper search lhs`")
                && err.contains("since "),
            "{args:?}: {err}"
        );
        assert!(err.contains("changed nothing") && err.contains("let it finish"), "{err}");
        assert!(started.elapsed().as_secs() < 5, "refused at once");
    }
    let out = scoper(ws.path(), &["show", "990000004"]);
    assert!(out.status.success(), "reads need no lock: {}", text(&out.stderr));
    drop(held);
    assert!(scoper(ws.path(), &["import", &f]).status.success());
}

// Finding 2: `index --rebuild` does not pull the index from under a reader
// that has it open (the screening UI keeps one open for hours).
#[test]
fn a_rebuild_leaves_an_open_reader_working() {
    let ws = demo_workspace();
    let w = scoper::store::Workspace::open(ws.path()).unwrap();
    let view = scoper::view::View::open(&w).unwrap();
    let pmids = view.pmids().unwrap();
    assert_eq!(pmids.len(), 67);
    let out = scoper(ws.path(), &["index", "--rebuild"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = scoper(ws.path(), &["index", "--rebuild"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut n = 0;
    for r in view.records().unwrap() {
        r.unwrap();
        n += 1;
    }
    assert_eq!(n, 67);
    assert!(view.get(pmids[0]).unwrap().is_some());
    assert_eq!(scoper::view::View::open(&w).unwrap().len(), 67);
}

// Finding 4: one record whose PMID does not fit in 64 bits is one skipped
// record, named with file, line and PMID; the rest imports and every
// command keeps working, even with the file placed in corpus/ by hand. A
// file name that is not UTF-8 is one file left out, named.
#[test]
fn one_bad_pmid_or_file_name_never_breaks_the_workspace() {
    let ws = workspace();
    let inputs = tempfile::tempdir().unwrap();
    let xml = pubmed_xml(
        &[
            ("990000101", 1, "Before"),
            ("99999999999999999999999", 1, "Huge"),
            ("990000103", 1, "After"),
        ],
        &[],
    );
    let f = write(inputs.path(), "huge.xml", &xml);
    let out = scoper(ws.path(), &["import", &f]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("huge.xml, line 4, PMID 99999999999999999999999")
            && err.contains("too large for a PMID")
            && err.contains("skipped"),
        "{err}"
    );
    assert!(text(&out.stdout).contains("2 records (2 new"), "{}", text(&out.stdout));
    // The same file placed in corpus/ by hand.
    fs::write(ws.path().join("corpus/by-hand.xml"), &xml).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.xml");
        fs::write(ws.path().join("corpus").join(name), pubmed_xml(&[("990000104", 1, "X")], &[]))
            .unwrap();
    }
    let out = scoper(ws.path(), &["index"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("corpus/by-hand.xml, line 4, PMID 99999999999999999999999"), "{err}");
    #[cfg(unix)]
    assert!(
        err.contains("caf\u{fffd}.xml: the name is not valid UTF-8") && err.contains("rename"),
        "{err}"
    );
    let (code, v) = scoper_json(ws.path(), &["find", "before OR after"]);
    assert_eq!(code, 0);
    assert_eq!(v["total"], 2);
    assert!(scoper(ws.path(), &["show", "990000103"]).status.success());
    let out = scoper(ws.path(), &["export", "jsonl"]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout).lines().count(), 2);
    // A PMID typed by the user is checked the same way.
    let out = scoper(ws.path(), &["show", "99999999999999999999999"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("too large for a PMID"), "{}", text(&out.stderr));
}

// Finding 5: imports within one second keep their order: the last import
// of a PMID and version wins, and a rebuilt index agrees byte for byte.
#[test]
fn same_second_imports_keep_their_order_through_a_rebuild() {
    let ws = workspace();
    let inputs = tempfile::tempdir().unwrap();
    // Five versions of one record, chosen so that the last one imported has
    // the smallest content hash: ordered by hash, it would lose.
    let mut titles: Vec<(String, String)> = (0..200)
        .map(|k| {
            let t = format!("Variant {k}");
            let xml = pubmed_xml(&[("990000201", 1, &t)], &[]);
            (blake3::hash(xml.as_bytes()).to_hex().to_string(), t)
        })
        .collect();
    titles.sort();
    let chosen = [&titles[199], &titles[150], &titles[100], &titles[50], &titles[0]];
    for (i, (_, title)) in chosen.iter().enumerate() {
        let f = write(
            inputs.path(),
            &format!("v{i}.xml"),
            &pubmed_xml(&[("990000201", 1, title), ("990000202", 1, "Other")], &[]),
        );
        let out = Command::new(env!("CARGO_BIN_EXE_scoper"))
            .arg("--dir")
            .arg(ws.path())
            .args(["import", &f])
            .env("SCOPER_NOW", "1795000000")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let export = |ws: &Path| scoper(ws, &["export", "jsonl"]).stdout;
    let incremental = export(ws.path());
    let (_, r) = scoper_json(ws.path(), &["show", "990000201"]);
    assert_eq!(r["title"], chosen[4].1, "the last import wins");
    assert!(scoper(ws.path(), &["index", "--rebuild"]).status.success());
    assert_eq!(export(ws.path()), incremental, "the rebuilt index chose another record");
}

// Finding 8: a limit larger than the working set lists it all.
#[test]
fn find_takes_any_limit() {
    let ws = demo_workspace();
    let (code, v) = scoper_json(ws.path(), &["find", "learning", "--limit", "10000000000"]);
    assert_eq!(code, 0);
    assert_eq!(v["hits"].as_array().unwrap().len() as u64, v["total"].as_u64().unwrap());
}

// Finding 9: a section label ("EQUITY:") is the journal's heading, never
// evidence.
#[test]
fn section_labels_are_never_evidence() {
    let ws = demo_workspace();
    let inputs = tempfile::tempdir().unwrap();
    let f = write(
        inputs.path(),
        "labels.xml",
        "<PubmedArticleSet><PubmedArticle><MedlineCitation Status=\"MEDLINE\"><PMID Version=\"1\">\
         990000301</PMID><Article><ArticleTitle>A regional learning health system.</ArticleTitle>\
         <Abstract><AbstractText Label=\"EQUITY\">Equity of access improved in rural clinics.\
         </AbstractText><AbstractText Label=\"TRANSPARENCY\">Nothing to report.</AbstractText>\
         </Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>",
    );
    assert!(scoper(ws.path(), &["import", &f]).status.success());
    let (_, r) = scoper_json(ws.path(), &["show", "990000301"]);
    let text =
        "EQUITY: Equity of access improved in rural clinics.\nTRANSPARENCY: Nothing to report.";
    let chars: Vec<char> = text.chars().collect();
    let mut evidence = Vec::new();
    for hit in r["concepts"].as_array().unwrap() {
        if hit["field"] == "abstract" {
            for s in hit["spans"].as_array().unwrap() {
                let (a, b) = (s[0].as_u64().unwrap() as usize, s[1].as_u64().unwrap() as usize);
                evidence.push((
                    hit["concept"].as_str().unwrap().to_string(),
                    a,
                    chars[a..b].iter().collect::<String>(),
                ));
            }
        }
    }
    assert_eq!(evidence, [("equity".to_string(), 8, "Equity".to_string())], "{r}");
}

// Finding 11: saved searches are checked, with the file, the line and what
// to write instead; the search log can only state limits PubMed used.
#[test]
fn saved_searches_are_checked_with_file_line_and_what_to_write() {
    let ws = workspace();
    let q = |body: &str| {
        fs::write(ws.path().join("queries/check.toml"), body).unwrap();
        let out = scoper(ws.path(), &["search", "check"]);
        assert_eq!(out.status.code(), Some(1), "{body}");
        text(&out.stderr)
    };
    let head = "name = \"check\"\nterm = 'x[tiab]'\n";
    let err = q(&format!("{head}mindate = \"2020/01/01\"\nmaxdate = \"2021/13/45\"\n"));
    assert!(err.contains("check.toml, line 4: \"2021/13/45\" is not a date"), "{err}");
    assert!(err.contains("there is no month 13") && err.contains("YYYY/MM/DD"), "{err}");
    let err = q(&format!("{head}mindate = \"2021/02/29\"\nmaxdate = \"2022\"\n"));
    assert!(err.contains("line 3") && err.contains("month 2 of 2021 has 28 days"), "{err}");
    let err =
        q(&format!("{head}datetype = \"publication\"\nmindate = \"2020\"\nmaxdate = \"2021\"\n"));
    assert!(err.contains("line 3: datetype = \"publication\"") && err.contains("pdat"), "{err}");
    let err = q(&format!("{head}mindate = \"2020\"\n"));
    assert!(
        err.contains("line 3: mindate and maxdate go together")
            && err.contains("maxdate = \"3000/12/31\""),
        "{err}"
    );
    let err = q(&format!("{head}mindate = \"2022\"\nmaxdate = \"2021\"\n"));
    assert!(err.contains("is after maxdate"), "{err}");
    let err = q("name = \"other\"\nterm = 'x[tiab]'\n");
    assert!(
        err.contains("check.toml, line 1: name = \"other\", but the file is check.toml"),
        "{err}"
    );
    assert!(err.contains("write name = \"check\""), "{err}");
    let err = q(&format!("{head}maxdat = \"2021\"\n"));
    assert!(err.contains("line 3") && err.contains("maxdat"), "{err}");
}
