//! The method a team holds to, end to end through the binary: the roster
//! (a typo'd name is refused), two independent reviewers per record
//! (one reviewer's word is not final), blinding that holds in every
//! command until it is ended, settling by the protocol's settler,
//! full-text reasons that disagree, notes that decide nothing, the pilot
//! from the protocol. PRISMA's counts are checked against a second,
//! independent reading of the logs written here.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use common::{scoper, scoper_json, set_screening, text};

fn ok(ws: &Path, args: &[&str]) -> String {
    let out = scoper(ws, args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

fn refused(ws: &Path, args: &[&str]) -> String {
    let out = scoper(ws, args);
    assert_eq!(out.status.code(), Some(1), "{args:?} should be refused: {}", text(&out.stdout));
    text(&out.stderr)
}

fn pmid(n: u32) -> String {
    format!("9900000{n:02}")
}

/// PRISMA's screening counts computed a second way, straight from the
/// JSON lines in screening/: the last line per reviewer, record and stage
/// wins; a record is final when the settler's line exists or both
/// reviewers agree (at full text, on the reason too).
fn independent_counts_of(
    ws: &Path,
    [first, second]: [&str; 2],
    settler: &str,
) -> BTreeMap<&'static str, usize> {
    let mut last: BTreeMap<(String, String, String), serde_json::Value> = BTreeMap::new();
    for e in fs::read_dir(ws.join("screening")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().and_then(|x| x.to_str()) != Some("jsonl") {
            continue;
        }
        for line in fs::read_to_string(&path).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let key = (
                v["reviewer"].as_str().unwrap().to_string(),
                v["pmid"].as_str().unwrap().to_string(),
                v["stage"].as_str().unwrap().to_string(),
            );
            last.insert(key, v);
        }
    }
    let final_of = |pmid: &str, stage: &str| -> Option<String> {
        let get = |who: &str| {
            last.get(&(who.to_string(), pmid.to_string(), stage.to_string()))
                .filter(|v| v["decision"] != "undecided")
        };
        if let Some(s) = get(settler) {
            return Some(s["decision"].as_str().unwrap().to_string());
        }
        let (a, b) = (get(first)?, get(second)?);
        let same_reason = stage == "title-abstract" || a["reason"] == b["reason"];
        (a["decision"] == b["decision"] && same_reason)
            .then(|| a["decision"].as_str().unwrap().to_string())
    };
    let pmids: BTreeSet<String> = last.keys().map(|k| k.1.clone()).collect();
    let mut c = BTreeMap::new();
    for p in &pmids {
        match final_of(p, "title-abstract").as_deref() {
            Some("exclude") => {
                *c.entry("records_screened").or_default() += 1;
                *c.entry("records_excluded").or_default() += 1;
            }
            Some(_) => {
                *c.entry("records_screened").or_default() += 1;
                *c.entry("dbr_sought_reports").or_default() += 1;
                match final_of(p, "full-text").as_deref() {
                    Some("include") => *c.entry("total_studies").or_default() += 1,
                    Some("exclude") => *c.entry("dbr_excluded").or_default() += 1,
                    _ => {}
                }
            }
            None => {}
        }
    }
    c
}

fn assert_prisma_matches(ws: &Path) {
    assert_prisma_matches_of(ws, ["ana", "ben"], "cai");
}

/// PRISMA's screening counts equal those of [`independent_counts_of`].
fn assert_prisma_matches_of(ws: &Path, reviewers: [&str; 2], settler: &str) {
    let (_, p) = scoper_json(ws, &["prisma"]);
    let mine = independent_counts_of(ws, reviewers, settler);
    for key in [
        "records_screened",
        "records_excluded",
        "dbr_sought_reports",
        "dbr_excluded",
        "total_studies",
    ] {
        assert_eq!(
            p[key].as_u64().unwrap() as usize,
            mine.get(key).copied().unwrap_or(0),
            "{key}: {p}"
        );
    }
}

#[test]
fn two_reviewers_blind_a_settler_and_prisma_counts_only_final_outcomes() {
    let ws = common::demo_workspace();
    let dir = ws.path();
    set_screening(dir, "reviewers = [\"ana\", \"ben\"]\nsettlers = [\"cai\"]");

    // A typo'd name or another case is refused, with the closest name; no
    // log is started for it.
    let err = refused(dir, &["decide", &pmid(1), "include", "--reviewer", "bne"]);
    assert!(
        err.contains("\"bne\" is not on this review's roster") && err.contains("did you mean ben?"),
        "{err}"
    );
    let err = refused(dir, &["decide", &pmid(1), "include", "--reviewer", "ANA"]);
    assert!(err.contains("did you mean ana?"), "{err}");
    let err = refused(dir, &["chart", "set", &pmid(1), "country", "Peru", "--reviewer", "zed"]);
    assert!(err.contains("not on this review's roster"), "{err}");
    assert!(!dir.join("screening/bne.jsonl").exists() && !dir.join("screening/ANA.jsonl").exists());

    // One reviewer's decisions alone are not final: PRISMA screened 0.
    for n in 1..=3 {
        ok(dir, &["decide", &pmid(n), "include", "--reviewer", "ana"]);
    }
    for n in 4..=5 {
        ok(dir, &["decide", &pmid(n), "exclude", "--reason", "1", "--reviewer", "ana"]);
    }
    let (_, p) = scoper_json(dir, &["prisma"]);
    assert_eq!(p["records_screened"], 0, "{p}");
    assert_eq!(p["records_excluded"], 0, "{p}");
    assert_eq!(p["awaiting_second"]["title-abstract"], 5, "{p}");
    let shown = ok(dir, &["prisma"]);
    assert!(shown.contains("Method: two reviewers screened each record independently"), "{shown}");
    assert!(shown.contains("5 at title-abstract"), "{shown}");
    // The full-text stage holds only final includes.
    let err =
        refused(dir, &["decide", &pmid(1), "include", "--reviewer", "ana", "--stage", "full-text"]);
    assert!(err.contains("not at the full-text stage"), "{err}");
    assert_prisma_matches(dir);

    // ben agrees on 1, 2 and 4, disagrees on 3 and 5.
    for (n, d) in [(1, "include"), (2, "include"), (3, "exclude"), (4, "exclude"), (5, "maybe")] {
        let mut args =
            vec!["decide".to_string(), pmid(n), d.to_string(), "--reviewer".into(), "ben".into()];
        if d == "exclude" {
            args.extend(["--reason".into(), "not a learning health system".into()]);
        }
        ok(dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
    }
    let (_, p) = scoper_json(dir, &["prisma"]);
    assert_eq!(
        (p["records_screened"].as_u64(), p["records_excluded"].as_u64()),
        (Some(3), Some(1)),
        "{p}"
    );
    assert_eq!(p["conflicts"]["title-abstract"], 2, "{p}");
    assert_prisma_matches(dir);

    // Blind: nobody's decision on a record is shown to anyone else.
    let shown = ok(dir, &["show", &pmid(3)]);
    assert!(!shown.contains("by ana") && !shown.contains("by ben"), "{shown}");
    assert!(
        shown.contains("2 other reviewer decision(s) or note(s) hidden: screening is blind"),
        "{shown}"
    );
    let shown = ok(dir, &["show", &pmid(3), "--reviewer", "ana"]);
    assert!(
        shown.contains("title-abstract: include by ana") && !shown.contains("by ben"),
        "{shown}"
    );
    let (_, v) = scoper_json(dir, &["show", &pmid(3)]);
    assert_eq!(v["decisions"].as_array().unwrap().len(), 0, "{v}");
    let (_, c) = scoper_json(dir, &["conflicts", "--stage", "title-abstract"]);
    assert_eq!(c[0]["conflicts"].as_array().unwrap().len(), 0, "blind: none listed: {c}");
    assert_eq!(c[0]["in_conflict"], 2);
    assert_eq!(c[0]["agreement"][0]["records"], 5, "kappa is reported while blind: {c}");
    let shown = ok(dir, &["conflicts"]);
    assert!(shown.contains("screening is blind, so the disagreements are not listed"), "{shown}");
    let all = dir.join("all.csv");
    let out = scoper(dir, &["export", "csv", "--all", "--out", all.to_str().unwrap()]);
    assert!(text(&out.stderr).contains("screening is blind"), "{}", text(&out.stderr));
    let header = fs::read_to_string(&all).unwrap().lines().next().unwrap().to_string();
    assert_eq!(header, "pmid,database,year,title", "no decision columns while blind");
    // The screen refuses --unblind until blinding has ended.
    let err = refused(dir, &["screen", "--reviewer", "ana", "--unblind"]);
    assert!(err.contains("screening is blind"), "{err}");

    // Ending blinding is one recorded act, by someone on the roster.
    let err = refused(dir, &["unblind", "--reviewer", "caj"]);
    assert!(err.contains("did you mean cai?"), "{err}");
    let said = ok(dir, &["unblind", "--reviewer", "ana"]);
    assert!(said.contains("blinding ended by ana") && said.contains("2 disagreement(s)"), "{said}");
    assert!(ok(dir, &["unblind", "--reviewer", "ben"]).contains("already ended"));
    let (_, c) = scoper_json(dir, &["conflicts", "--stage", "title-abstract"]);
    let listed: Vec<&str> =
        c[0]["conflicts"].as_array().unwrap().iter().map(|x| x["pmid"].as_str().unwrap()).collect();
    assert_eq!(listed, [pmid(3), pmid(5)]);
    let shown = ok(dir, &["show", &pmid(3)]);
    assert!(shown.contains("include by ana") && shown.contains("exclude by ben"), "{shown}");

    // Only the protocol's settler settles, and a settler only settles.
    let err = refused(dir, &["decide", &pmid(3), "include", "--reviewer", "ana", "--settle"]);
    assert!(err.contains("may not settle"), "{err}");
    let err = refused(dir, &["decide", &pmid(3), "include", "--reviewer", "cai"]);
    assert!(err.contains("add --settle"), "{err}");
    ok(dir, &["decide", &pmid(3), "include", "--reviewer", "cai", "--settle"]);
    ok(dir, &["decide", &pmid(5), "exclude", "--reason", "3", "--reviewer", "cai", "--settle"]);
    let (_, p) = scoper_json(dir, &["prisma"]);
    assert_eq!(
        (p["records_screened"].as_u64(), p["records_excluded"].as_u64()),
        (Some(5), Some(2)),
        "{p}"
    );
    assert_eq!(p["dbr_sought_reports"], 3);
    assert_prisma_matches(dir);

    // Full text: two excludes with different reasons are a conflict; a
    // typo'd reason is refused with the protocol's.
    let ft = |who: &str, n: u32, d: &str, reason: Option<&str>| {
        let mut args =
            vec!["decide".to_string(), pmid(n), d.into(), "--reviewer".into(), who.into()];
        args.extend(["--stage".into(), "full-text".into()]);
        if let Some(r) = reason {
            args.extend(["--reason".into(), r.into()]);
        }
        scoper(dir, &args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let out = ft("ben", 1, "exclude", Some("no health-system seting"));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("did you mean \"no health-system setting\"?"), "{out:?}");
    assert!(ft("ana", 1, "exclude", Some("not a learning health system")).status.success());
    assert!(ft("ben", 1, "exclude", Some("No health-system setting")).status.success());
    assert!(ft("ana", 2, "include", None).status.success());
    assert!(ft("ben", 2, "include", None).status.success());
    let (_, c) = scoper_json(dir, &["conflicts", "--stage", "full-text"]);
    assert_eq!(c[0]["in_conflict"], 1, "a conflict on the reason: {c}");
    let (_, p) = scoper_json(dir, &["prisma"]);
    assert_eq!(p["dbr_excluded"], 0, "{p}");
    assert_eq!(p["total_studies"], 1, "{p}");
    assert_prisma_matches(dir);
    ok(
        dir,
        &[
            "decide",
            &pmid(1),
            "exclude",
            "--reason",
            "not a learning health system",
            "--reviewer",
            "cai",
            "--settle",
            "--stage",
            "full-text",
        ],
    );
    let (_, p) = scoper_json(dir, &["prisma"]);
    assert_eq!(p["dbr_excluded_reasons"][0][0], "not a learning health system", "{p}");
    assert_prisma_matches(dir);

    // A note decides nothing.
    ok(dir, &["decide", &pmid(6), "--note", "ask the librarian", "--reviewer", "ana"]);
    let (_, p2) = scoper_json(dir, &["prisma"]);
    assert_eq!(p2["records_screened"], p["records_screened"]);
    assert_eq!(p2["awaiting_second"], p["awaiting_second"]);
    let shown = ok(dir, &["show", &pmid(6)]);
    assert!(
        shown.contains("title-abstract: no decision yet by ana; note: ask the librarian"),
        "{shown}"
    );

    // A log of a name not on the roster (written by hand, or before the
    // roster) counts nowhere, and says so.
    fs::write(
        dir.join("screening/bne.jsonl"),
        format!("{{\"pmid\":\"{}\",\"stage\":\"title-abstract\",\"decision\":\"exclude\",\"reviewer\":\"bne\",\"time\":\"2026-12-01T00:00:00Z\"}}\n", pmid(7)),
    )
    .unwrap();
    let out = scoper(dir, &["prisma", "--json"]);
    assert!(
        text(&out.stderr).contains("screening/bne.jsonl (1 line(s)) is not counted"),
        "{}",
        text(&out.stderr)
    );
    let p3: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p3["records_screened"], p["records_screened"]);
    assert_eq!(p3["awaiting_second"], p["awaiting_second"]);
}

#[test]
fn a_single_reviewer_review_says_so_and_a_roster_is_needed_to_write() {
    let ws = common::demo_workspace();
    let dir = ws.path();
    set_screening(dir, "reviewers = []");
    let err = refused(dir, &["decide", &pmid(1), "include", "--reviewer", "ana"]);
    assert!(
        err.contains("scoper.toml names no reviewer") && err.contains("reviewers = [\"ana\"]"),
        "{err}"
    );
    set_screening(dir, "reviewers = [\"ana\"]");
    ok(dir, &["decide", &pmid(1), "include", "--reviewer", "ana"]);
    let (_, p) = scoper_json(dir, &["prisma"]);
    assert_eq!(p["records_screened"], 1, "one reviewer's word is final here: {p}");
    assert!(p["screening_method"].as_str().unwrap().starts_with("single-reviewer review"), "{p}");
    let out = ok(dir, &["report", "--out", dir.join("exports").to_str().unwrap()]);
    assert!(out.contains("report.html"));
    let html = fs::read_to_string(dir.join("exports/report.html")).unwrap();
    assert!(html.contains("single-reviewer review: one reviewer screened each record"), "report");
}

#[test]
fn the_pilot_comes_from_the_protocol_and_a_low_kappa_is_not_go_on() {
    let ws = common::demo_workspace();
    let dir = ws.path();
    set_screening(dir, "reviewers = [\"ana\", \"ben\"]\npilot = 5");
    let w = scoper::store::Workspace::open(dir).unwrap();
    let view = scoper::view::View::open(&w).unwrap();
    let opts = |who: &str, order| scoper::screen::Options {
        reviewer: who.into(),
        stage: scoper::screen::decisions::Stage::TitleAbstract,
        order,
        new_only: false,
        pilot: None,
        blind: true,
    };
    use scoper::screen::order::Order;
    let a = scoper::screen::open(&w, &view, &opts("ana", Order::Relevance)).unwrap();
    let b = scoper::screen::open(&w, &view, &opts("ben", Order::Random(4))).unwrap();
    assert_eq!(a.queue[..5], b.queue[..5], "the same pilot first, without a flag");
    assert_eq!(a.pilot.len(), 5);
    let pilot: Vec<String> = a.queue[..5].iter().map(|p| p.to_string()).collect();
    // Both exclude four; ana includes the fifth: 80% agreement, kappa 0.
    for (i, p) in pilot.iter().enumerate() {
        let (da, db) = if i == 4 { ("include", "exclude") } else { ("exclude", "exclude") };
        for (who, d) in [("ana", da), ("ben", db)] {
            let mut args = vec!["decide", p, d, "--reviewer", who];
            if d == "exclude" {
                args.extend(["--reason", "1"]);
            }
            ok(dir, &args);
        }
    }
    let shown = ok(dir, &["conflicts"]);
    assert!(
        shown.contains(
            "pilot (5 records; ana × ben screened 5 of them): 80.0% agreement, kappa 0.00"
        ),
        "{shown}"
    );
    assert!(shown.contains("kappa is under 0.4") && !shown.contains("go on"), "{shown}");
    // The pilot's rows are marked in the queue.
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 12)).unwrap();
    let keymap = scoper::screen::keys::Keymap::new(&Default::default()).unwrap();
    terminal.draw(|f| scoper::screen::view::render(f, &a, &keymap)).unwrap();
    let buf = terminal.backend().buffer().clone();
    let marked = (0..buf.area.height).filter(|&y| buf[(1, y)].symbol() == "p").count();
    assert!(marked >= 5, "pilot rows marked p");
}

#[test]
fn two_reviewers_chart_independently_and_a_difference_is_settled_not_overwritten() {
    let ws = common::demo_workspace();
    let dir = ws.path();
    set_screening(dir, "reviewers = [\"ana\", \"ben\"]\nsettlers = [\"cai\"]\nblind = false");
    common::set_chart_method(dir, "independent");
    for stage in ["title-abstract", "full-text"] {
        for who in ["ana", "ben"] {
            ok(dir, &["decide", &pmid(1), "include", "--reviewer", who, "--stage", stage]);
        }
    }
    let set = |who: &str, field: &str, value: &str| {
        ok(dir, &["chart", "set", &pmid(1), field, value, "--reviewer", who]);
    };
    set("ana", "country", "Sweden");
    set("ana", "sample_size", "100000");
    set("ana", "methods", "Registry study");
    // One reviewer's value is not final: the export leaves it out and says so.
    let wide = ok(dir, &["export", "csv"]);
    let mut r = csv::Reader::from_reader(wide.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let row = r.records().next().unwrap().unwrap();
    assert_eq!(&row[col("chart_country")], "");
    assert!(row[col("chart_unreconciled")].contains("country (awaiting a second reviewer)"));
    // The second reviewer: the same country in other case and spacing, an
    // other sample size.
    set("ben", "country", " sweden ");
    set("ben", "sample_size", "8800");
    set("ben", "methods", "Registry study");
    let (_, c) = scoper_json(dir, &["conflicts", "--stage", "charting"]);
    let differ = c["conflicts"].as_array().unwrap();
    assert_eq!(differ.len(), 1, "{c}");
    assert_eq!(differ[0]["field"], "sample_size");
    assert_eq!(differ[0]["values"]["ana"], "100000");
    assert_eq!(differ[0]["values"]["ben"], "8800");
    let shown = ok(dir, &["conflicts", "--stage", "charting"]);
    assert!(shown.contains("1 field(s) where reviewers differ"), "{shown}");
    let wide = ok(dir, &["export", "csv"]);
    let mut r = csv::Reader::from_reader(wide.as_bytes());
    let row = r.records().next().unwrap().unwrap();
    assert_eq!(&row[col("chart_country")], "Sweden", "agreed");
    assert_eq!(&row[col("chart_sample_size")], "", "not the later one: nobody's yet");
    assert!(row[col("chart_unreconciled")].contains("sample_size (reviewers differ)"));
    // Only the settler settles; then the value is final.
    let err = refused(
        dir,
        &["chart", "set", &pmid(1), "sample_size", "8800", "--reviewer", "ana", "--settle"],
    );
    assert!(err.contains("may not settle"), "{err}");
    ok(dir, &["chart", "set", &pmid(1), "sample_size", "8800", "--reviewer", "cai", "--settle"]);
    let wide = ok(dir, &["export", "csv"]);
    let mut r = csv::Reader::from_reader(wide.as_bytes());
    let row = r.records().next().unwrap().unwrap();
    assert_eq!(&row[col("chart_sample_size")], "8800");
    assert!(!row[col("chart_unreconciled")].contains("sample_size"));
    // The long shape keeps everyone's values, with a reviewer column.
    let long = ok(dir, &["export", "csv", "--long"]);
    let mut lr = csv::Reader::from_reader(long.as_bytes());
    assert_eq!(
        lr.headers().unwrap().iter().collect::<Vec<_>>(),
        ["pmid", "field", "value", "reviewer"]
    );
    let rows: Vec<Vec<String>> =
        lr.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    let of = |who: &str| {
        rows.iter()
            .find(|r| r[1] == "chart_sample_size" && r[3] == who)
            .map(|r| r[2].clone())
            .unwrap_or_else(|| panic!("no row by {who}: {rows:?}"))
    };
    assert_eq!(
        (of("final"), of("ana"), of("ben"), of("cai (settling)")),
        ("8800".into(), "100000".into(), "8800".into(), "8800".into())
    );
}

#[test]
fn the_demo_reviews_prisma_counts_match_a_second_reading_of_its_logs() {
    let ws = common::demo_workspace();
    let dir = ws.path();
    let repo = common::repo();
    fs::create_dir_all(dir.join("screening")).unwrap();
    for e in fs::read_dir(repo.join("screening")).unwrap() {
        let path = e.unwrap().path();
        fs::copy(&path, dir.join("screening").join(path.file_name().unwrap())).unwrap();
    }
    assert_prisma_matches_of(dir, ["reviewer-a", "reviewer-b"], "consensus");
    let (_, p) = scoper_json(dir, &["prisma"]);
    assert_eq!(p["records_screened"], 67, "{p}");
    assert!(p["screening_method"].as_str().unwrap().contains("blind until"), "{p}");
}
