//! What fuzzing and hostile use found (issue 25), each through the binary:
//! records that vanished on a rebuild, exports written over primary data or
//! through links, and imports of long file names.

mod common;

use std::fs;

use common::{scoper, scoper_json, text};

fn records(dir: &std::path::Path) -> u64 {
    let (_, v) = scoper_json(dir, &["prisma"]);
    v["database_results"].as_u64().unwrap() - v["duplicates"].as_u64().unwrap()
}

#[test]
fn a_file_without_a_known_extension_keeps_its_records_through_every_rebuild() {
    let fixtures = fixtures_or_skip!();
    let ws = common::workspace();
    let dir = ws.path();
    // A RIS export saved without an extension: content sniffing takes it.
    let src = dir.join("embase-export");
    fs::copy(fixtures.join("imports/ris/asreview/embase.ris"), &src).unwrap();
    let out = scoper(dir, &["import", src.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before = records(dir);
    assert!(before > 0);
    // Rebuilt, or with the derived state deleted (a fresh clone): the same.
    assert!(scoper(dir, &["index", "--rebuild"]).status.success());
    assert_eq!(records(dir), before, "index --rebuild lost records");
    fs::remove_dir_all(dir.join(".scoper")).unwrap();
    assert!(scoper(dir, &["index"]).status.success());
    assert_eq!(records(dir), before, "a fresh index lost records");
}

#[test]
fn a_long_file_name_is_kept_and_the_next_file_imported_too() {
    let fixtures = fixtures_or_skip!();
    let ws = common::workspace();
    let dir = ws.path();
    // 240 bytes: legal, but with the stamp and hash over 255 as it was kept.
    let long = dir.join(format!("{}.ris", "a".repeat(236)));
    fs::copy(fixtures.join("imports/ris/asreview/embase.ris"), &long).unwrap();
    let other = dir.join("proquest.ris");
    fs::copy(fixtures.join("imports/ris/asreview/proquest.ris"), &other).unwrap();
    let out = scoper(dir, &["import", long.to_str().unwrap(), other.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let kept: Vec<String> = fs::read_dir(dir.join("corpus/imports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept.iter().all(|n| n.len() <= 255), "{kept:?}");
    let n = records(dir);
    assert!(scoper(dir, &["index", "--rebuild"]).status.success());
    assert_eq!(records(dir), n);
}

#[test]
fn an_export_never_replaces_primary_data_a_link_or_a_folder_that_is_not_there() {
    let ws = common::demo_workspace();
    let dir = ws.path();
    let demo = dir.join("corpus/demo/lhs-demo.xml");
    let bytes = fs::read(&demo).unwrap();
    let out = scoper(dir, &["export", "jsonl", "--out", demo.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("the workspace's corpus/"), "{}", text(&out.stderr));
    assert_eq!(fs::read(&demo).unwrap(), bytes);
    let out = scoper(dir, &["prisma", "--csv", dir.join("scoper.toml").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(scoper(dir, &["index"]).status.success());
    assert_eq!(records(dir), 67);
    // A folder that is not there is said, not made.
    let out = scoper(dir, &["prisma", "--svg", dir.join("no/such/flow.svg").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("does not exist"), "{}", text(&out.stderr));
    assert!(!dir.join("no").exists());
    // A link: its target is written and the link stays a link.
    #[cfg(unix)]
    {
        let target = dir.join("records.jsonl");
        fs::write(&target, "").unwrap();
        let link = dir.join("latest.jsonl");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let out = scoper(dir, &["export", "jsonl", "--out", link.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&target).unwrap().lines().count(), 67);
        // A device is written into, not replaced by a file.
        let out = scoper(dir, &["export", "jsonl", "--out", "/dev/null"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(!fs::metadata("/dev/null").unwrap().is_file());
    }
}

#[test]
fn an_export_imported_again_is_nothing_changed_and_counts_read_as_words() {
    let fixtures = fixtures_or_skip!();
    let ws = common::workspace();
    let dir = ws.path();
    let ris = dir.join("export.ris");
    fs::copy(fixtures.join("imports/ris/asreview/embase.ris"), &ris).unwrap();
    assert!(scoper(dir, &["import", ris.to_str().unwrap()]).status.success());
    // Again: nothing changed, exit 0 (it said "malformed XML" and exited 1).
    let out = scoper(dir, &["import", ris.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("already imported"), "{}", text(&out.stdout));
    assert!(!text(&out.stderr).contains("XML"), "{}", text(&out.stderr));
    // One record is "1 record".
    let one = dir.join("one.csv");
    fs::write(&one, "title,abstract,year\nA single study of audit,An abstract.,2020\n").unwrap();
    let out = scoper(dir, &["import", one.to_str().unwrap()]);
    let said = text(&out.stdout);
    assert!(
        said.contains("1 record (1 new") && said.contains("imported 1 file: 1 record"),
        "{said}"
    );
    let out = scoper(dir, &["import", one.to_str().unwrap()]);
    assert!(out.status.success(), "a CSV again: {}", text(&out.stderr));
    // Listing the saved searches is a success.
    assert_eq!(scoper(dir, &["search"]).status.code(), Some(0));
}

#[cfg(unix)]
#[test]
fn kept_copies_are_readable_by_others_and_a_name_not_in_utf8_is_no_panic() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;
    let ws = common::workspace();
    let dir = ws.path();
    let xml = dir.join("mine.xml");
    fs::write(&xml, common::pubmed_xml(&[("990000901", 1, "A record of ours")], &[])).unwrap();
    fs::set_permissions(&xml, fs::Permissions::from_mode(0o600)).unwrap();
    assert!(scoper(dir, &["import", xml.to_str().unwrap()]).status.success());
    let gz = dir.join("mine2.xml.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(
        &mut enc,
        common::pubmed_xml(&[("990000902", 1, "Another")], &[]).as_bytes(),
    )
    .unwrap();
    fs::write(&gz, enc.finish().unwrap()).unwrap();
    fs::set_permissions(&gz, fs::Permissions::from_mode(0o600)).unwrap();
    assert!(scoper(dir, &["import", gz.to_str().unwrap()]).status.success());
    for e in fs::read_dir(dir.join("corpus/imports")).unwrap() {
        let mode = e.unwrap().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o044, 0o044, "kept with mode {mode:o}");
    }
    // A file name that is not UTF-8: a clear error, not a panic (exit 101).
    let odd = std::ffi::OsStr::from_bytes(b"\xffodd.ris");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scoper"))
        .arg("--dir")
        .arg(dir)
        .arg("import")
        .arg(odd)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

#[test]
fn a_reason_is_never_a_formula_in_prisma_csv() {
    let ws = common::demo_workspace();
    let dir = ws.path();
    // A protocol with no list of reasons takes a reviewer's words as they are.
    let toml = fs::read_to_string(dir.join("scoper.toml")).unwrap();
    let start = toml.find("exclusion_reasons = [").unwrap();
    let end = start + toml[start..].find(']').unwrap() + 1;
    let toml = format!("{}exclusion_reasons = []{}", &toml[..start], &toml[end..]);
    fs::write(dir.join("scoper.toml"), toml).unwrap();
    common::set_screening(dir, "reviewers = [\"ana\"]");
    let evil = "=HYPERLINK(\"http://x\",\"y\")";
    for (stage, d, reason) in
        [("title-abstract", "include", None), ("full-text", "exclude", Some(evil))]
    {
        let mut args = vec!["decide", "990000001", d, "--reviewer", "ana", "--stage", stage];
        if let Some(r) = reason {
            args.extend(["--reason", r]);
        }
        let out = scoper(dir, &args);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let csv_path = dir.join("prisma.csv");
    assert!(scoper(dir, &["prisma", "--csv", csv_path.to_str().unwrap()]).status.success());
    let mut r = csv::Reader::from_path(&csv_path).unwrap();
    let row = r.records().map(Result::unwrap).find(|row| &row[0] == "dbr_excluded").unwrap();
    assert!(row[7].starts_with('\''), "unguarded: {}", &row[7]);
}

#[test]
fn the_help_says_what_import_and_find_take() {
    let ws = common::workspace();
    let import = text(&scoper(ws.path(), &["import", "--help"]).stdout);
    assert!(import.contains("RIS") && import.contains("CSV"), "{import}");
    let find = text(&scoper(ws.path(), &["find", "--help"]).stdout);
    assert!(find.contains("[tiab]") && find.contains("concept:ID"), "{find}");
}

#[cfg(target_os = "linux")]
#[test]
fn output_that_cannot_be_written_fails_the_command() {
    let ws = common::demo_workspace();
    let dir = ws.path();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_scoper"))
            .arg("--dir")
            .arg(dir)
            .args(args)
            .stdout(fs::OpenOptions::new().write(true).open("/dev/full").unwrap())
            .output()
            .unwrap()
    };
    for args in [
        &["prisma", "--json"][..],
        &["prisma"],
        &["conflicts", "--json"],
        &["log"],
        &["find", "equity", "--json"],
        &["report", "--out", "exports"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("could not write to standard output"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn names_and_options_that_make_no_sense_are_refused() {
    let ws = common::demo_workspace();
    let dir = ws.path();
    common::set_screening(dir, "reviewers = [\"j.smith\", \"ana\"]");
    // A login name with a dot is a reviewer's name; -rf and .. are not.
    let out = scoper(dir, &["decide", "990000001", "include", "--reviewer", "j.smith"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.join("screening/j.smith.jsonl").exists());
    for bad in ["--reviewer=-rf", "--reviewer=../../etc/x", "--reviewer="] {
        let out = scoper(dir, &["duplicates", "--same", "990000001,990000002", bad]);
        assert_eq!(out.status.code(), Some(1), "{bad}: {}", text(&out.stderr));
    }
    assert!(!dir.join("screening/-rf.jsonl").exists() && !dir.join("dedup").exists());
    let out = scoper(dir, &["duplicates", "--same", "990000001,990000001", "--reviewer", "ana"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("twice"), "{}", text(&out.stderr));
    let out = scoper(dir, &["export", "ris", "--long"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("shape the CSV export"), "{}", text(&out.stderr));
}

#[test]
fn what_a_record_holds_cannot_drive_the_terminal() {
    let ws = common::workspace();
    let dir = ws.path();
    let ris = dir.join("evil.ris");
    fs::write(
        &ris,
        "TY  - JOUR\r\nTI  - Evil \u{1b}]0;owned\u{7}title \u{1b}[2J here \u{202E}drow\r\nAB  - An abstract.\r\nPY  - 2020\r\nER  - \r\n",
    )
    .unwrap();
    assert!(scoper(dir, &["import", ris.to_str().unwrap()]).status.success());
    let (_, found) = scoper_json(dir, &["find", "evil"]);
    let id = found["hits"][0]["pmid"]
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| found["hits"][0]["pmid"].to_string());
    for args in [vec!["show", id.as_str()], vec!["find", "evil"]] {
        let out = text(&scoper(dir, &args).stdout);
        assert!(!out.contains('\u{1b}') && !out.contains('\u{202E}'), "{args:?}: {out:?}");
        assert!(out.contains("Evil ]0;ownedtitle [2J here"), "{args:?}: {out}");
    }
    // The data itself is kept: JSON carries it, escaped.
    let (_, shown) = scoper_json(dir, &["show", &id]);
    assert!(shown["title"].as_str().unwrap().contains('\u{1b}'), "{shown}");
}
