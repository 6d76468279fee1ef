//! Charting and the exports, end to end: screen (`scoper decide`), chart
//! (`scoper chart set`, and the form driven on TestBackend), export, and
//! read the files back: the CSV with a CSV reader (values, the formula
//! guard), RIS, the PRISMA counts adding up, the report.

mod common;

use std::fs;
use std::path::Path;

use common::{scoper, scoper_json, text};

/// Key presses for the form, then nothing more (the loop returns).
struct Script(Vec<ratatui::crossterm::event::Event>);

impl scoper::screen::term::Events for Script {
    fn next(&mut self) -> anyhow::Result<Option<ratatui::crossterm::event::Event>> {
        Ok(if self.0.is_empty() { None } else { Some(self.0.remove(0)) })
    }
}

fn ok(ws: &Path, args: &[&str]) -> String {
    let out = scoper(ws, args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Two reviewers screen ten demo records at both stages: 1–6 included,
/// 7–8 excluded at title-abstract, 9–10 excluded at full text.
fn screened() -> tempfile::TempDir {
    let ws = common::team_workspace();
    // One reviewer's chart is final here (tests/method.rs reconciles two).
    common::set_chart_method(ws.path(), "single");
    let csv = ws.path().join("decisions.csv");
    let mut ta = String::from("pmid,decision,reason\n");
    for n in 1..=10 {
        let (d, r) = if n == 7 || n == 8 {
            ("exclude", "not a learning health system")
        } else {
            ("include", "")
        };
        ta.push_str(&format!("9900000{n:02},{d},{r}\n"));
    }
    fs::write(&csv, ta).unwrap();
    for who in ["ana", "ben"] {
        ok(ws.path(), &["decide", "--from", csv.to_str().unwrap(), "--reviewer", who]);
    }
    let mut ft = String::from("pmid,decision,reason\n");
    for n in [1, 2, 3, 4, 5, 6, 9, 10] {
        let (d, r) = if n >= 9 { ("exclude", "no health-system setting") } else { ("include", "") };
        ft.push_str(&format!("9900000{n:02},{d},{r}\n"));
    }
    fs::write(&csv, ft).unwrap();
    for who in ["ana", "ben"] {
        ok(
            ws.path(),
            &["decide", "--from", csv.to_str().unwrap(), "--reviewer", who, "--stage", "full-text"],
        );
    }
    ws
}

#[test]
fn chart_then_export_csv_read_back_with_a_csv_reader() {
    let ws = screened();
    let p = ws.path();
    ok(p, &["chart", "set", "990000001", "country", "United States", "--reviewer", "ana"]);
    ok(p, &["chart", "set", "990000001", "sample_size", "-3", "--reviewer", "ana"]);
    ok(
        p,
        &[
            "chart",
            "set",
            "990000002",
            "aims",
            "=HYPERLINK(\"http://evil\",\"x\")",
            "--reviewer",
            "ana",
        ],
    );
    ok(
        p,
        &[
            "chart",
            "set",
            "990000002",
            "key_findings",
            "Lines, \"quotes\"\nand a new line",
            "--reviewer",
            "ana",
        ],
    );
    // The framework's field: equity confirmed, inclusiveness added; the
    // other suggestions of record 1 rejected.
    let (_, v) = scoper_json(
        p,
        &["chart", "set", "990000001", "core-values", "equity,inclusiveness", "--reviewer", "ana"],
    );
    assert_eq!(v["judgements"]["equity"], "confirmed", "{v}");
    assert_eq!(v["judgements"]["shared-accountability"], "rejected", "{v}");
    // The framework measured against that judgement.
    let (code, ev) = scoper_json(p, &["tag", "--eval", "--charted"]);
    assert_eq!(code, 0, "{ev}");
    let cv =
        ev["elements"].as_array().unwrap().iter().find(|e| e["element"] == "core-values").unwrap();
    let n = |k: &str| cv[k].as_u64().unwrap();
    assert_eq!((n("confirmed"), n("rejected"), n("added")), (2, 1, 0), "{cv}");
    assert!((cv["precision"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    let out = p.join("out/charted.csv");
    fs::create_dir(p.join("out")).unwrap();
    let stderr = text(&scoper(p, &["export", "csv", "--out", out.to_str().unwrap()]).stderr);
    assert!(stderr.contains("wrote 6 records"), "{stderr}");
    let mut r = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| {
        header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}: {header:?}"))
    };
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    let pmids: Vec<&str> = rows.iter().map(|r| &r[col("pmid")]).collect();
    assert_eq!(
        pmids,
        ["990000001", "990000002", "990000003", "990000004", "990000005", "990000006"]
    );
    let one = &rows[0];
    assert_eq!(&one[col("chart_country")], "United States");
    assert_eq!(&one[col("chart_sample_size")], "-3", "a number stays a number");
    assert_eq!(&one[col("ta_decision")], "include");
    assert_eq!(&one[col("ft_decided_by")], "ana; ben");
    assert_eq!(&one[col("chart_core-values")], "equity; inclusiveness");
    assert_eq!(&one[col("concept_equity")], "1");
    assert_eq!(&one[col("concept_shared-accountability")], "0", "the chart overrides the tags");
    assert_eq!(&one[col("element_core-values")], "2");
    assert!(
        one[col("evidence")].contains("equity: Equity as a design principle"),
        "{}",
        &one[col("evidence")]
    );
    let two = &rows[1];
    assert_eq!(
        &two[col("chart_aims")],
        "'=HYPERLINK(\"http://evil\",\"x\")",
        "the formula is neutralised"
    );
    assert_eq!(&two[col("chart_key_findings")], "Lines, \"quotes\"\nand a new line");
    // The long shape and the audit trail.
    let long = ok(p, &["export", "csv", "--long"]);
    let mut lr = csv::Reader::from_reader(long.as_bytes());
    let lrows: Vec<csv::StringRecord> = lr.records().map(Result::unwrap).collect();
    assert!(lrows
        .iter()
        .any(|r| &r[0] == "990000001" && &r[1] == "chart_country" && &r[2] == "United States"));
    let all = ok(p, &["export", "csv", "--all"]);
    let mut ar = csv::Reader::from_reader(all.as_bytes());
    let aheader: Vec<String> = ar.headers().unwrap().iter().map(String::from).collect();
    assert!(aheader.contains(&"title-abstract: ben: reason".to_string()), "{aheader:?}");
    assert_eq!(ar.records().count(), 67, "every record");
}

#[test]
fn ris_prisma_and_the_report() {
    let ws = screened();
    let p = ws.path();
    let ris = ok(p, &["export", "ris"]);
    assert_eq!(ris.matches("ER  - ").count(), 6);
    assert!(ris.contains("TY  - JOUR\r\nTI  - Equity as a design principle"), "{ris}");
    assert!(ris.contains("AU  - Okafor, A") || ris.contains("AU  - Okafor"), "{ris}");
    assert!(ris.contains("AN  - 990000001\r\n"));
    let (_, c) = scoper_json(p, &["prisma"]);
    let n = |k: &str| c[k].as_u64().unwrap_or_else(|| panic!("{k}: {c}"));
    // The numbers add up at each stage.
    assert_eq!(n("records_screened"), n("records_excluded") + n("dbr_sought_reports"), "{c}");
    assert_eq!(n("dbr_assessed"), n("dbr_excluded") + n("total_studies"), "{c}");
    assert_eq!((n("records_screened"), n("records_excluded"), n("dbr_sought_reports")), (10, 2, 8));
    assert_eq!((n("dbr_assessed"), n("dbr_excluded"), n("total_studies")), (8, 2, 6));
    assert_eq!(n("awaiting_screening"), 57);
    assert_eq!(c["dbr_excluded_reasons"][0][0], "no health-system setting");
    let csv_path = p.join("prisma.csv");
    let svg_path = p.join("prisma.svg");
    ok(p, &["prisma", "--csv", csv_path.to_str().unwrap(), "--svg", svg_path.to_str().unwrap()]);
    let mut r = csv::Reader::from_path(&csv_path).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    );
    let rows: Vec<(String, String)> = r
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[7].to_string())
        })
        .collect();
    assert!(rows.contains(&("records_screened".into(), "10".into())));
    assert!(rows.contains(&("dbr_excluded".into(), "no health-system setting, 2".into())));
    let svg = fs::read_to_string(&svg_path).unwrap();
    assert!(
        svg.starts_with("<svg")
            && svg.contains("Records screened (n = 10)")
            && svg.contains("Studies included in the review (n = 6)")
    );
    let out = ok(p, &["report", "--out", "site"]);
    assert!(out.contains("report.html"));
    let html = fs::read_to_string(p.join("site/report.html")).unwrap();
    assert!(
        html.contains("<svg")
            && html.contains("Included records")
            && html.contains("class=\"sortable\"")
    );
    assert!(!html.contains("<script src") && !html.contains("<link"), "self-contained");
    // run writes every export.
    let shown = ok(p, &["run", "--offline"]);
    assert!(shown.contains("exports: exports/charted.csv"), "{shown}");
    for f in
        ["charted.csv", "prisma.json", "prisma.csv", "prisma.svg", "concept-map.svg", "report.html"]
    {
        assert!(p.join("exports").join(f).is_file(), "{f}");
    }
}

#[test]
fn bad_input_is_refused_and_nothing_is_half_written() {
    let ws = screened();
    let p = ws.path();
    let log = p.join("charting/ana.jsonl");
    ok(p, &["chart", "set", "990000001", "country", "Kenya", "--reviewer", "ana"]);
    let before = fs::read(&log).unwrap();
    for (args, says) in [
        (
            vec!["chart", "set", "990000007", "country", "x", "--reviewer", "ana"],
            "not included at full-text",
        ),
        (
            vec!["chart", "set", "990000009", "country", "x", "--reviewer", "ana"],
            "not included at full-text",
        ),
        (
            vec!["chart", "set", "990000001", "colour", "x", "--reviewer", "ana"],
            "no field \"colour\"",
        ),
        (
            vec!["chart", "set", "990000001", "sample_size", "many", "--reviewer", "ana"],
            "takes a number",
        ),
        (
            vec![
                "chart",
                "set",
                "990000001",
                "core-values",
                "equity,kindness",
                "--reviewer",
                "ana",
            ],
            "\"kindness\" is not a choice",
        ),
    ] {
        let out = scoper(p, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(text(&out.stderr).contains(says), "{args:?}: {}", text(&out.stderr));
    }
    assert_eq!(fs::read(&log).unwrap(), before, "the log is untouched");
    // An export path that cannot be written: a clear error, nothing there.
    let out = scoper(p, &["export", "csv", "--out", p.join("charting").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("is a folder"), "{}", text(&out.stderr));
    let blocked = p.join("a-file");
    fs::write(&blocked, "x").unwrap();
    let out = scoper(p, &["export", "ris", "--out", blocked.join("x.ris").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(fs::read(&log).unwrap(), before);
    let leftovers: Vec<_> = fs::read_dir(p)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left");
}

#[test]
fn the_form_in_the_terminal_accepts_suggestions_and_saves_them() {
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use scoper::chart::form_ui::{event_loop, open, render};
    let key = |c: KeyCode| Event::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let ws = screened();
    let w = scoper::store::Workspace::open(ws.path()).unwrap();
    let view = scoper::view::View::open(&w).unwrap();
    let state = open(&w, &view, "ana").unwrap();
    assert_eq!(state.records.len(), 6);
    // A: accept every suggestion of record 1; then country: type it.
    let mut typed = vec![
        key(KeyCode::Char('A')),
        key(KeyCode::Char('j')),
        key(KeyCode::Char('j')),
        key(KeyCode::Enter),
    ];
    typed.extend("Chile".chars().map(|c| key(KeyCode::Char(c))));
    typed.push(key(KeyCode::Enter));
    let mut terminal = ratatui::Terminal::new(TestBackend::new(120, 40)).unwrap();
    let done = event_loop(&mut terminal, &mut Script(typed), &w, &view, state).unwrap();
    terminal.draw(|f| render(f, &done)).unwrap();
    let buf = terminal.backend().buffer().clone();
    let screen: String = (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>() + "\n"
        })
        .collect();
    // Accepted suggestions and a country do not chart a record: the
    // protocol requires methods and population too.
    assert!(screen.contains("0 of 6 included records charted"), "{screen}");
    assert!(screen.contains("Chile"), "{screen}");
    let charts = scoper::chart::Charts::load(&w).unwrap();
    let p1 = scoper::parse::Pmid::new(990000001).unwrap();
    assert_eq!(charts.value(p1, "country").unwrap().value, "Chile");
    let cv = charts.value(p1, "core-values").unwrap();
    assert!(cv.judgements.values().all(|j| *j == scoper::chart::Judgement::Confirmed), "{cv:?}");
    assert_eq!(charts.value(p1, "year").unwrap().value, serde_json::json!(2021.0));
}

#[test]
fn the_form_for_people_titles_help_names_and_keys_in_view() {
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use scoper::chart::form_ui::{event_loop, open, render};
    let key = |c: KeyCode| Event::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let ws = screened();
    let p = ws.path();
    // chart set takes a framework concept by its name or its id.
    let (_, v) = scoper_json(
        p,
        &[
            "chart",
            "set",
            "990000001",
            "pillars-accelerators",
            "Patient-safety and quality institutes, it-systems",
            "--reviewer",
            "ana",
        ],
    );
    assert_eq!(v["value"], serde_json::json!(["safety-quality-institutes", "it-systems"]), "{v}");
    let w = scoper::store::Workspace::open(p).unwrap();
    let view = scoper::view::View::open(&w).unwrap();
    let screen = |typed: Vec<Event>, h: u16| {
        let state = open(&w, &view, "ana").unwrap();
        let mut terminal = ratatui::Terminal::new(TestBackend::new(120, h)).unwrap();
        let done = event_loop(&mut terminal, &mut Script(typed), &w, &view, state).unwrap();
        terminal.draw(|f| render(f, &done)).unwrap();
        let buf = terminal.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>()
            })
            .collect::<Vec<_>>()
    };
    // Titles in the list; the framework's names in the form.
    let rows = screen(Vec::new(), 40);
    let all = rows.join("\n");
    assert!(all.contains("Equity as a design principle"), "{all}");
    assert!(all.contains("Accelerator: patient-safety and quality"), "{all}");
    // ? explains the keys and the method.
    let help = screen(vec![key(KeyCode::Char('?'))], 40).join("\n");
    assert!(help.contains("charting keys") && help.contains("charted by one reviewer"), "{help}");
    // A long choice list on a small screen: the keys stay in the footer.
    let fields = scoper::chart::Form::of(
        &scoper::config::Protocol::load(&w.protocol()).unwrap(),
        view.tag_set(),
    )
    .unwrap()
    .fields;
    let at = fields.iter().position(|f| f.id == "pillars-accelerators").unwrap();
    let mut typed = (0..at).map(|_| key(KeyCode::Char('j'))).collect::<Vec<_>>();
    typed.push(key(KeyCode::Enter));
    typed.extend((0..14).map(|_| key(KeyCode::Char('j'))));
    let rows = screen(typed, 24);
    assert!(rows.last().unwrap().contains("j/k move · Space tick · Enter save"), "{rows:?}");
    assert!(rows.iter().any(|r| r.contains("[ ] ") || r.contains("[x] ")), "{rows:?}");
}
