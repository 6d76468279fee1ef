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
