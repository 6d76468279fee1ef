//! Records from other databases: every RIS, MEDLINE, Web of Science and CSV
//! export in ../shared/fixtures/imports/ reads the number of records its
//! MANIFEST entry gives; imported, they are records like PubMed's; and
//! duplicates across sources are grouped.

mod common;

use std::fs;

use common::{scoper, scoper_json, text};
use scoper::parse::tagged::{detect, parse};

/// (file, records) from the MANIFEST's imports/ table.
fn manifest_imports(fixtures: &std::path::Path) -> Vec<(String, usize)> {
    let manifest = fs::read_to_string(fixtures.join("MANIFEST.md")).unwrap();
    manifest
        .lines()
        .filter(|l| l.starts_with("| imports/"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let n = cells[4].split_whitespace().next().unwrap().parse().unwrap();
            (cells[1].to_string(), n)
        })
        .collect()
}

#[test]
fn every_import_fixture_reads_the_records_its_manifest_gives() {
    let fixtures = fixtures_or_skip!();
    let entries = manifest_imports(&fixtures);
    assert!(entries.len() >= 30, "{entries:?}");
    let mut wrong = Vec::new();
    for (file, want) in &entries {
        let bytes = fs::read(fixtures.join(file)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let Some(format) = detect(&text) else {
            wrong.push(format!("{file}: format not recognised"));
            continue;
        };
        let (records, faults) = parse(format, &text, file);
        if records.len() != *want {
            wrong.push(format!(
                "{file} ({}): {} records, the MANIFEST says {want}; faults {faults:?}",
                format.name(),
                records.len()
            ));
        }
        for r in &records {
            if r.title.is_empty() && r.abstract_text().is_empty() {
                wrong.push(format!("{file}: a record with no text"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn exports_from_five_databases_import_as_records_and_their_duplicates_are_grouped() {
    let fixtures = fixtures_or_skip!();
    let ws = common::workspace();
    let dir = ws.path();
    common::set_screening(dir, "reviewers = [\"ana\"]");
    let ris = fixtures.join("imports/ris/citesource");
    let mut files: Vec<String> = fs::read_dir(&ris)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("topic_data__20221207_gambling-harms"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 5);
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    let out = scoper(dir, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("645 records"), "{}", text(&out.stdout));
    // They are records like PubMed's: found, shown with their source.
    let (_, found) = scoper_json(dir, &["find", "gambling harm", "--limit", "1000"]);
    assert!(
        found["total"].as_u64().unwrap_or(0) > 400 || found["hits"].as_array().unwrap().len() > 400,
        "{found}"
    );
    let (code, d) = scoper_json(dir, &["duplicates"]);
    assert_eq!(code, 0, "{d}");
    let groups = d["groups"].as_array().unwrap();
    assert!(groups.len() > 150, "{}", groups.len());
    for g in groups {
        // Never two different DOIs in one group.
        let dois: std::collections::BTreeSet<String> = g["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["doi"].as_str().map(|s| s.to_lowercase()))
            .collect();
        assert!(dois.len() <= 1, "{g}");
    }
    let removed = d["duplicates_removed"].as_u64().unwrap();
    // Found once: nothing new in the corpus, nothing found again.
    let saved = dir.join(".scoper/duplicates.json");
    let before = fs::metadata(&saved).unwrap().modified().unwrap();
    assert!(scoper(dir, &["index"]).status.success());
    assert_eq!(fs::metadata(&saved).unwrap().modified().unwrap(), before);
    // PRISMA's duplicates removed come from here, and the screening queue
    // holds each group once.
    let (_, p) = scoper_json(dir, &["prisma"]);
    assert_eq!(p["duplicates"].as_u64().unwrap(), removed, "{p}");
    assert_eq!(p["awaiting_screening"].as_u64().unwrap(), 645 - removed, "{p}");
    // PRISMA names each database the files came from, and PRISMA-S each file.
    let per_db = p["database_specific_results"].as_array().unwrap();
    assert!(per_db.len() >= 3, "{p}");
    let sum: u64 = per_db.iter().map(|d| d[1].as_u64().unwrap()).sum();
    assert_eq!(sum, p["imported_results"].as_u64().unwrap(), "{p}");
    assert!(per_db.iter().all(|d| d[0].as_str().unwrap().ends_with(", imported from files")));
    assert!(per_db.iter().any(|d| d[0].as_str().unwrap().starts_with("Scopus")), "{p}");
    let files = p["imported_files"].as_array().unwrap();
    assert_eq!(files.len(), 5, "{p}");
    assert!(files.iter().all(|f| f["imported_on"].as_str().unwrap().len() == 10), "{p}");
    // The records not screened yet stand apart from the flow: a dashed box,
    // no arrow into it.
    let svg = dir.join("flow.svg");
    assert!(scoper(dir, &["prisma", "--svg", svg.to_str().unwrap()]).status.success());
    let svg = fs::read_to_string(&svg).unwrap();
    let at = svg.find("Not screened yet").unwrap();
    let dashed = svg[..at].rfind("<rect").unwrap();
    assert!(svg[dashed..at].contains("stroke-dasharray"), "{}", &svg[dashed..at]);
    assert!(!svg[dashed..].contains("<line"), "no arrow after the pending box");
    let id = |v: &serde_json::Value| v.as_str().map(String::from).unwrap_or_else(|| v.to_string());
    let primary = id(&groups[0]["primary"]);
    let shown = text(&scoper(dir, &["show", &primary]).stdout);
    assert!(shown.starts_with(&format!("record {primary} from ")), "{shown}");
    // Decided and exported like a PubMed record, named as what it is.
    let out = scoper(dir, &["decide", &primary, "include", "--reviewer", "ana"]);
    assert!(text(&out.stdout).contains(&format!("record {primary}: include")), "{out:?}");
    let csv_path = dir.join("all.csv");
    assert!(scoper(dir, &["export", "csv", "--all", "--out", csv_path.to_str().unwrap()])
        .status
        .success());
    let mut r = csv::Reader::from_path(&csv_path).unwrap();
    assert_eq!(r.headers().unwrap().iter().take(2).collect::<Vec<_>>(), ["pmid", "database"]);
    let row = r.records().map(Result::unwrap).find(|row| row[0] == primary).unwrap();
    assert_eq!(&row[1], groups[0]["members"][0]["database"].as_str().unwrap());
    fs::remove_file(&csv_path).unwrap();

    // Another search, with no overlap: adding it adds no group.
    let wos = ris.join("valid_data__WoS_79.ris");
    assert!(scoper(dir, &["import", wos.to_str().unwrap()]).status.success());
    let (_, d2) = scoper_json(dir, &["duplicates"]);
    assert_eq!(d2["groups"].as_array().unwrap().len(), groups.len());
    assert_eq!(d2["records"], 724);

    // A reviewer splits a pair; the judgement is logged and the group goes.
    let g = &groups[0];
    let a = id(&g["members"][0]["id"]);
    let b = id(&g["members"][1]["id"]);
    let pair = format!("{a},{b}");
    let out = scoper(dir, &["duplicates", "--not", &pair, "--reviewer", "ana"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = fs::read_to_string(dir.join("dedup/judgements.jsonl")).unwrap();
    assert!(log.contains("\"same\":false") && log.contains("ana"), "{log}");
    // A rebuild from corpus/ gives the same records (the files are kept as
    // received).
    assert!(scoper(dir, &["index", "--rebuild"]).status.success());
    let (_, d3) = scoper_json(dir, &["duplicates"]);
    assert_eq!(d3["records"], 724);
}

#[test]
fn a_csv_with_other_column_names_needs_a_mapping_that_says_which() {
    let ws = common::workspace();
    let dir = ws.path();
    let csv = dir.join("export.csv");
    fs::write(
        &csv,
        "Article,Summary,Writers,Yr\n\"A trial of care\",\"It helped.\",\"Smith, J; Doe, A\",2020\n\
         \"Another study\",\"Less so.\",\"Roe, B\",2019\n",
    )
    .unwrap();
    let out = scoper(dir, &["import", csv.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("Article, Summary, Writers, Yr") && err.contains("--map title="), "{err}");
    let out = scoper(
        dir,
        &[
            "import",
            csv.to_str().unwrap(),
            "--map",
            "title=Article,abstract=Summary,authors=Writers,year=Yr",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("2 records"), "{}", text(&out.stdout));
    let out = scoper(dir, &["import", csv.to_str().unwrap(), "--map", "titel=Article"]);
    assert!(text(&out.stderr).contains("no field \"titel\""), "{}", text(&out.stderr));
    // The mapping is kept with the file: a rebuild reads it again.
    assert!(scoper(dir, &["index", "--rebuild"]).status.success());
    let (_, v) = scoper_json(dir, &["find", "trial"]);
    assert_eq!(v["hits"].as_array().unwrap().len(), 1, "{v}");
}

#[test]
fn an_unreadable_record_is_named_with_its_line_and_the_rest_imports() {
    let ws = common::workspace();
    let dir = ws.path();
    let ris = dir.join("two.ris");
    fs::write(
        &ris,
        "TY  - JOUR\nTI  - A readable record\nPY  - 2020\nER  - \n\nTY  - JOUR\nPY  - 2021\nER  - \n",
    )
    .unwrap();
    let out = scoper(dir, &["import", ris.to_str().unwrap()]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("1 records") || all.contains("1 record"), "{all}");
    assert!(all.contains(":6") || all.contains("line 6"), "{all}");
    assert!(all.contains("neither a title nor an abstract"), "{all}");
}

#[test]
fn a_damaged_gzip_export_keeps_the_records_before_the_damage_and_says_so() {
    let fixtures = fixtures_or_skip!();
    let src = fs::read(
        fixtures.join("imports/ris/citesource/topic_data__20221207_gambling-harms_scopus_255.ris"),
    )
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &src).unwrap();
    let bytes = gz.finish().unwrap();
    let ws = common::workspace();
    let cut = ws.path().join("scopus.ris.gz");
    fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (code, v) = scoper_json(ws.path(), &["import", cut.to_str().unwrap()]);
    assert_eq!(code, 1, "{v}");
    let records = v["records"].as_u64().unwrap();
    assert!(records > 50 && records < 255, "the records before the damage: {v}");
    let m = v["errors"][0]["message"].as_str().unwrap();
    assert!(m.contains("the gzip data is damaged") && m.contains("bytes of RIS"), "{m}");
    // What was read is in the working set, and stays after a rebuild.
    assert!(scoper(ws.path(), &["index", "--rebuild"]).status.success());
    let (_, d) = scoper_json(ws.path(), &["duplicates"]);
    assert_eq!(d["records"].as_u64().unwrap(), records, "{d}");
}
