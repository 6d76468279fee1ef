//! Screening: the UI driven through its event loop on ratatui's
//! TestBackend (whole screens checked), `scoper decide` one by one and
//! from a CSV file, `scoper conflicts` with Cohen's kappa, the full-text
//! stage, and the rules that keep a decision from being lost. (The run in
//! a real terminal, with a kill -9, is scripts/screen-e2e.sh.)

mod common;

use std::fs;
use std::path::Path;

use common::{scoper, scoper_json, text};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use scoper::screen::decisions::{Decisions, Stage, Verdict};
use scoper::screen::keys::Keymap;
use scoper::screen::order::Order;
use scoper::screen::term::{event_loop, Events};
use scoper::screen::{open, Options};
use scoper::store::Workspace;
use scoper::view::View;

/// Key presses, then nothing more (the loop returns).
struct Script(Vec<Event>);

impl Events for Script {
    fn next(&mut self) -> anyhow::Result<Option<Event>> {
        Ok(if self.0.is_empty() { None } else { Some(self.0.remove(0)) })
    }
}

fn keys(s: &str) -> Vec<Event> {
    s.chars()
        .map(|c| {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\x1b' => KeyCode::Esc,
                c => KeyCode::Char(c),
            };
            Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
        })
        .collect()
}

fn options(reviewer: &str, order: Order) -> Options {
    Options {
        reviewer: reviewer.into(),
        stage: Stage::TitleAbstract,
        order,
        new_only: false,
        pilot: None,
        blind: true,
    }
}

/// Screens `typed` in a `w`×`h` TestBackend; returns the last screen.
fn screen_keys(ws: &Path, opts: &Options, typed: Vec<Event>, w: u16, h: u16) -> String {
    let workspace = Workspace::open(ws).unwrap();
    let view = View::open(&workspace).unwrap();
    let state = open(&workspace, &view, opts).unwrap();
    let keymap = Keymap::new(&Default::default()).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut events = Script(typed);
    let state = event_loop(&mut terminal, &mut events, &workspace, &view, state, &keymap).unwrap();
    terminal.draw(|f| scoper::screen::view::render(f, &state, &keymap)).unwrap();
    let buf = terminal.backend().buffer().clone();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn screening_in_the_ui_writes_every_decision_to_the_log_and_the_screen_shows_it() {
    let ws = common::team_workspace();
    let opts = options("ana", Order::Pmid);
    // include, exclude (reason 1), maybe, then undo the maybe, then a note.
    let mut typed = keys("ie1mu");
    typed.extend(keys("N"));
    typed.extend(keys("read the full text\n"));
    let screen = screen_keys(ws.path(), &opts, typed, 120, 30);
    let d = Decisions::load(&Workspace::open(ws.path()).unwrap()).unwrap();
    let p = |n: u64| scoper::parse::Pmid::new(n).unwrap();
    let of = |n| d.of("ana", p(n), Stage::TitleAbstract).map(|d| (d.decision, d.reason.clone()));
    assert_eq!(of(990000001), Some((Verdict::Include, None)));
    assert_eq!(
        of(990000002),
        Some((Verdict::Exclude, Some("not a learning health system".into())))
    );
    // A note decides nothing: the record stays unscreened, the note is kept.
    assert_eq!(of(990000003), None, "a note is not a decision");
    assert_eq!(d.note_of("ana", p(990000003), Stage::TitleAbstract), Some("read the full text"));
    let log = fs::read_to_string(ws.path().join("screening/ana.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 5, "include, exclude, maybe, undo, note: {log}");
    // The screen: the list with markers, the record, the footer.
    assert!(screen.contains("67 of 67 · all"), "{screen}");
    assert!(screen.contains("+ 2"), "the include marker: {screen}");
    assert!(
        screen.contains("ana · title-abstract · 2 of 67 screened · 1 include, 1 exclude, 0 maybe"),
        "{screen}"
    );
    assert!(screen.contains("Your decision: none yet"), "{screen}");
    assert!(screen.contains("Note: read the full text (a note decides nothing)"), "{screen}");
    assert!(screen.contains("saved: a note on PMID 990000003, no decision"), "{screen}");
    // PRISMA and kappa know nothing of the note.
    let (_, prisma) = scoper_json(ws.path(), &["prisma"]);
    assert_eq!(prisma["awaiting_second"]["title-abstract"], 2, "{prisma}");
    // A second session sees the same decisions and the note.
    let again = screen_keys(ws.path(), &opts, keys("k"), 120, 30);
    assert!(again.contains("2 of 67 screened"), "{again}");
    let ben = screen_keys(ws.path(), &options("ben", Order::Pmid), Vec::new(), 120, 30);
    assert!(ben.contains("0 of 67 screened"), "blind: ben sees none of ana's: {ben}");
    assert!(!ben.contains("Your decision") && !ben.contains("ana: include"), "{ben}");
    // Unblinded (this team's protocol is not blind): ben sees ana's decision.
    let mut unblind = options("ben", Order::Pmid);
    unblind.blind = false;
    let ben = screen_keys(ws.path(), &unblind, Vec::new(), 120, 30);
    assert!(ben.contains("ana: include"), "{ben}");
}

#[test]
fn overlays_filters_and_search_on_whole_screens() {
    let ws = common::team_workspace();
    let opts = options("ana", Order::Pmid);
    let help = screen_keys(ws.path(), &opts, keys("?"), 100, 30);
    assert!(help.contains("keys") && help.contains("next unscreened record"), "{help}");
    assert!(help.contains("the queue's order: PMID (--order)"), "{help}");
    // On a 40×10 terminal the criteria scroll with j.
    let small = screen_keys(ws.path(), &opts, keys("p"), 40, 10);
    assert!(small.contains("Population") && !small.contains("Context"), "{small}");
    let scrolled = screen_keys(ws.path(), &opts, keys(&format!("p{}", "j".repeat(30))), 40, 10);
    assert!(
        scrolled.contains("health-system learning cycle") && scrolled.contains("j/k scroll this"),
        "{scrolled}"
    );
    let criteria = screen_keys(ws.path(), &opts, keys("p"), 100, 30);
    assert!(criteria.contains("Population") && criteria.contains("Context"), "{criteria}");
    // On a 40×10 terminal the reasons scroll above "another reason…",
    // which stays in view, and the title says which keys pick.
    let small = screen_keys(ws.path(), &opts, keys("e"), 40, 10);
    for line in ["why? 1-6 or Enter", "1. not a learning", "another reason…"] {
        assert!(small.contains(line), "{line}: {small}");
    }
    let down = screen_keys(ws.path(), &opts, keys("ejjjjj"), 40, 10);
    assert!(down.contains("6. not in English") && down.contains("another reason…"), "{down}");
    // A long reason being typed shows its end, where the cursor is.
    let typing =
        screen_keys(ws.path(), &opts, keys("ejjjjjj\nduplicate of an included study"), 40, 10);
    assert!(typing.contains("another reason: …") && typing.contains("study▏"), "{typing}");
    let reasons = screen_keys(ws.path(), &opts, keys("e"), 100, 30);
    assert!(
        reasons.contains("exclude: why?") && reasons.contains("1. not a learning health system"),
        "{reasons}"
    );
    let searched = screen_keys(ws.path(), &opts, keys("/asthma\n"), 120, 30);
    assert!(searched.contains("1 of 67 · search: asthma"), "{searched}");
    assert!(searched.contains("990000037"), "{searched}");
    let filtered = screen_keys(ws.path(), &opts, keys("iff"), 120, 30);
    assert!(filtered.contains("1 of 67 · include"), "{filtered}");
    let concept = screen_keys(ws.path(), &opts, keys("c"), 120, 30);
    assert!(concept.contains("· concept: Core values"), "{concept}");
    // The legend of the marks and the element badges, in the help.
    assert!(
        help.contains("+ include  - exclude  ? maybe") && help.contains("CV Core values"),
        "{help}"
    );
}

#[test]
fn the_search_takes_finds_language_and_every_terminal_size_shows_where_you_are() {
    let ws = common::team_workspace();
    let opts = options("ana", Order::Pmid);
    // PubMed field tags, short and long, as `find` takes them.
    let tagged = screen_keys(ws.path(), &opts, keys("/asthma[tiab]\n"), 120, 30);
    assert!(tagged.contains("records match \"asthma[tiab]\""), "{tagged}");
    assert!(tagged.contains("990000037"), "{tagged}");
    let long = screen_keys(ws.path(), &opts, keys("/asthma[Title/Abstract]\n"), 120, 30);
    assert!(long.contains("1 of 67 · search: asthma[Title/Abstract]"), "{long}");
    let concept = screen_keys(ws.path(), &opts, keys("/concept:equity\n"), 120, 30);
    assert!(concept.contains("records match \"concept:equity\""), "{concept}");
    // A long error is read whole: it wraps in the footer, not cut.
    let bad = screen_keys(ws.path(), &opts, keys("/x[sb]\n"), 80, 24);
    let flat = bad.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("has no counterpart here") && flat.contains("pubtype:, lang:)"), "{bad}");
    // 60×20: the queue is one line, and the filter shows.
    let narrow = screen_keys(ws.path(), &opts, keys("f"), 60, 20);
    assert!(narrow.contains("of 67 · unscreened"), "{narrow}");
    assert!(narrow.contains("showing unscreened"), "{narrow}");
    // 120×40: the footer's parts are whole or left out, never cut mid-word.
    let model = options("ana", Order::Model(1));
    let wide = screen_keys(ws.path(), &model, Vec::new(), 120, 40);
    let footer: Vec<&str> = wide.lines().rev().take(2).collect();
    assert!(footer[1].trim_end().ends_with("0 maybe"), "{footer:?}");
    assert!(footer[0].contains("i include  e exclude"), "{footer:?}");
    let at60 = screen_keys(ws.path(), &model, Vec::new(), 60, 20);
    assert!(at60.contains("i/e/m · u undo · / search · f filter · ? help · q quit"), "{at60}");
    let at40 = screen_keys(ws.path(), &model, Vec::new(), 40, 10);
    assert!(at40.lines().last().unwrap().trim_end().ends_with("i/e/m · ? help · q quit"), "{at40}");
}

#[test]
fn small_odd_and_empty_never_panic() {
    let ws = common::team_workspace();
    // A record with no abstract, one with a 10,000-word abstract, Chinese
    // and Cyrillic text.
    let long = "word ".repeat(10_000);
    let xml = format!(
        "<PubmedArticleSet>\
         <PubmedArticle><MedlineCitation><PMID Version=\"1\">990000801</PMID><Article><ArticleTitle>\
         学习型卫生系统：一项范围综述</ArticleTitle></Article></MedlineCitation></PubmedArticle>\
         <PubmedArticle><MedlineCitation><PMID Version=\"1\">990000802</PMID><Article><ArticleTitle>\
         Обучающаяся система здравоохранения</ArticleTitle><Abstract><AbstractText>{long}\
         </AbstractText></Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    );
    let f = ws.path().join("odd.xml");
    fs::write(&f, xml).unwrap();
    assert!(scoper(ws.path(), &["import", f.to_str().unwrap()]).status.success());
    let opts = options("ana", Order::Pmid);
    for (w, h) in [(40, 10), (20, 5), (10, 3), (1, 1), (200, 60)] {
        let screen = screen_keys(ws.path(), &opts, keys("GjjjkkkiN\x1b?x"), w, h);
        assert!(!screen.is_empty());
    }
    let end = screen_keys(
        ws.path(),
        &options("ben", Order::Pmid),
        vec![Event::Key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE)), Event::Resize(40, 10)],
        100,
        30,
    );
    assert!(end.contains("Обучающаяся"), "{end}");
    let zh = screen_keys(
        ws.path(),
        &options("ben", Order::Pmid),
        vec![
            Event::Key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE)),
            Event::Key(KeyEvent::new(KeyCode::Up, KeyModifiers::NONE)),
        ],
        100,
        30,
    );
    assert!(zh.contains("(no abstract)"), "{zh}");
    // An empty workspace opens, says so, and quits.
    let empty = common::workspace();
    let screen = screen_keys(empty.path(), &opts, keys("ijq"), 80, 20);
    assert!(screen.contains("0 of 0"), "{screen}");
}

#[test]
fn the_screen_command_refuses_what_it_cannot_do_safely() {
    let ws = common::team_workspace();
    // Not a terminal: a clear message, nothing written.
    let out = scoper(ws.path(), &["screen", "--reviewer", "ana"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("needs a terminal"), "{}", text(&out.stderr));
    // A second session of the same reviewer: refused, with who holds it.
    let w = Workspace::open(ws.path()).unwrap();
    let scope = scoper::store::lock::Scope::reviewer("ana").unwrap();
    let _held = scoper::store::lock::acquire(&w, &scope, "scoper screen --reviewer ana").unwrap();
    let out = scoper(ws.path(), &["screen", "--reviewer", "ana"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("`scoper screen --reviewer ana`") && err.contains("reviewer \"ana\""),
        "{err}"
    );
    // The same reviewer's scripted decisions wait for the session too.
    let out = scoper(ws.path(), &["decide", "990000001", "include", "--reviewer", "ana"]);
    assert_eq!(out.status.code(), Some(1));
    // Another reviewer is not held up.
    let out = scoper(ws.path(), &["decide", "990000001", "include", "--reviewer", "ben"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A name that cannot name a file.
    let out = scoper(ws.path(), &["screen", "--reviewer", "../ana"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("letters, digits"), "{}", text(&out.stderr));
}

#[test]
fn decide_one_or_a_csv_file_all_or_nothing() {
    let ws = common::team_workspace();
    let out = scoper(
        ws.path(),
        &[
            "decide",
            "990000004",
            "exclude",
            "--reason",
            "no health-system setting",
            "--reviewer",
            "ana",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "PMID 990000004: exclude (no health-system setting) at title-abstract by ana"
    );
    for (args, says) in [
        (
            vec!["decide", "123", "include", "--reviewer", "ana"],
            "PMID 123 is not in the working set",
        ),
        (vec!["decide", "990000004", "perhaps", "--reviewer", "ana"], "no decision \"perhaps\""),
        (
            vec!["decide", "990000004", "include", "--reason", "x", "--reviewer", "ana"],
            "a reason goes with an exclusion",
        ),
        (
            vec!["decide", "990000004", "include", "--reviewer", "ana", "--stage", "abstract"],
            "no screening stage",
        ),
    ] {
        let out = scoper(ws.path(), &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(text(&out.stderr).contains(says), "{args:?}: {}", text(&out.stderr));
    }
    // A CSV with one bad row records nothing and names the line.
    let csv = ws.path().join("first-pass.csv");
    fs::write(&csv, "pmid,decision,reason,note\n990000001,include,,\n990000002,exclude,\"not a study, a comment\",\n999,include,,\n990000003,maybe,,\"ask, then decide\"\n").unwrap();
    let out = scoper(ws.path(), &["decide", "--from", csv.to_str().unwrap(), "--reviewer", "ben"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("first-pass.csv, line 4: PMID 999 is not in the working set"), "{err}");
    assert!(err.contains("no row of this file was recorded"), "{err}");
    assert!(!ws.path().join("screening/ben.jsonl").exists());
    fs::write(&csv, "pmid,decision,reason,note\n990000001,include,,\n990000002,exclude,\"other: not a study, a comment\",\n990000003,maybe,,\"ask, then decide\"\n").unwrap();
    let (code, v) =
        scoper_json(ws.path(), &["decide", "--from", csv.to_str().unwrap(), "--reviewer", "ben"]);
    assert_eq!(code, 0);
    assert_eq!(v["recorded"], 3);
    let out = scoper(ws.path(), &["show", "990000002"]);
    assert!(
        text(&out.stdout)
            .contains("title-abstract: exclude by ben (other: not a study, a comment)"),
        "{}",
        text(&out.stdout)
    );
    let (_, shown) = scoper_json(ws.path(), &["show", "990000003"]);
    assert_eq!(shown["decisions"][0]["note"], "ask, then decide");
    let d = Decisions::load(&Workspace::open(ws.path()).unwrap()).unwrap();
    let p2 = scoper::parse::Pmid::new(990000002).unwrap();
    assert_eq!(
        d.of("ben", p2, Stage::TitleAbstract).unwrap().reason.as_deref(),
        Some("other: not a study, a comment")
    );
}

#[test]
fn conflicts_kappa_settling_and_the_full_text_stage() {
    let ws = common::team_workspace();
    let d = |args: &[&str]| {
        let out = scoper(ws.path(), args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    };
    // Ten records: ana and ben agree on eight.
    for n in 1..=10 {
        let pmid = format!("9900000{n:02}");
        let a = if n <= 5 { "include" } else { "exclude" };
        let b = if n <= 4 || n == 6 { "include" } else { "exclude" };
        d(&["decide", &pmid, a, "--reviewer", "ana"]);
        d(&["decide", &pmid, b, "--reviewer", "ben"]);
    }
    let (_, v) = scoper_json(ws.path(), &["conflicts", "--stage", "title-abstract"]);
    let ta = &v[0];
    let pmids: Vec<&str> =
        ta["conflicts"].as_array().unwrap().iter().map(|c| c["pmid"].as_str().unwrap()).collect();
    assert_eq!(pmids, ["990000005", "990000006"]);
    // 8 of 10 agree; each reviewer included 5: chance 0.5, kappa 0.6.
    let a = &ta["agreement"][0];
    assert_eq!(a["records"], 10);
    assert!((a["observed"].as_f64().unwrap() - 0.8).abs() < 1e-9);
    assert!((a["kappa"].as_f64().unwrap() - 0.6).abs() < 1e-9, "{a}");
    let out = scoper(ws.path(), &["conflicts"]);
    let shown = text(&out.stdout);
    assert!(
        shown.contains(
            "title-abstract: 2 conflict(s), 0 awaiting a second reviewer; reviewers: ana, ben"
        ),
        "{shown}"
    );
    assert!(shown.contains("80.0% on 10 records both screened, Cohen's kappa 0.60"), "{shown}");
    // A third reviewer settles one; the other stays a conflict.
    d(&["decide", "990000005", "include", "--reviewer", "cy", "--settle"]);
    let (_, v) = scoper_json(ws.path(), &["conflicts", "--stage", "title-abstract"]);
    assert_eq!(v[0]["conflicts"].as_array().unwrap().len(), 1);
    // Full text: records 1–5 (agreed or settled includes); 6 is in conflict.
    let out = scoper(
        ws.path(),
        &["decide", "990000006", "include", "--reviewer", "ana", "--stage", "full-text"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not at the full-text stage"), "{}", text(&out.stderr));
    let out = scoper(
        ws.path(),
        &["decide", "990000005", "exclude", "--reviewer", "ana", "--stage", "full-text"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("needs a reason"), "{}", text(&out.stderr));
    d(&[
        "decide",
        "990000005",
        "exclude",
        "--reason",
        "no health-system setting",
        "--reviewer",
        "ana",
        "--stage",
        "full-text",
    ]);
    let mut opts = options("ana", Order::Pmid);
    opts.stage = Stage::FullText;
    let screen = screen_keys(ws.path(), &opts, Vec::new(), 120, 30);
    assert!(
        screen.contains("5 of 5 · all") && screen.contains("full-text · 1 of 5 screened"),
        "{screen}"
    );
    // What awaits each reviewer, at the end of `run`.
    let out = scoper(ws.path(), &["run", "--offline"]);
    let shown = text(&out.stdout);
    assert!(shown.contains("ana: 57 records to screen, 4 at full text"), "{shown}");
    assert!(shown.contains("ben: 57 records to screen, 5 at full text"), "{shown}");
    assert!(shown.contains("cy: 1 disagreement(s) to settle"), "{shown}");
}

#[test]
fn a_pilot_puts_the_same_records_first_for_everyone_and_conflicts_reports_it() {
    let ws = common::team_workspace();
    let mut a = options("ana", Order::Relevance);
    a.pilot = Some(5);
    let mut b = options("ben", Order::Random(9));
    b.pilot = Some(5);
    let w = Workspace::open(ws.path()).unwrap();
    let view = View::open(&w).unwrap();
    let qa = open(&w, &view, &a).unwrap().queue;
    let qb = open(&w, &view, &b).unwrap().queue;
    assert_eq!(qa[..5], qb[..5]);
    assert_ne!(qa[5..], qb[5..]);
    for p in &qa[..5] {
        let pmid = p.to_string();
        for r in ["ana", "ben"] {
            assert!(scoper(ws.path(), &["decide", &pmid, "include", "--reviewer", r])
                .status
                .success());
        }
    }
    let out = scoper(ws.path(), &["conflicts", "--pilot", "5"]);
    let shown = text(&out.stdout);
    assert!(
        shown.contains("pilot (5 records; ana × ben screened 5 of them): 100.0% agreement"),
        "{shown}"
    );
    assert!(shown.contains("go on"), "{shown}");
}

/// A workspace of 10 records on one topic and 50 on another, written here
/// (PMIDs from 990100001), indexed.
fn two_topics() -> tempfile::TempDir {
    let ws = common::workspace();
    let titles: Vec<(String, u32, String)> = (0..60)
        .map(|i| {
            let title = if i % 6 == 0 {
                format!("Beta blockers after myocardial infarction: randomised trial {i}")
            } else {
                format!("Skin rash in children seen in clinic {}: case series {i}", i % 7)
            };
            (format!("{}", 990_100_001 + i), 1, title)
        })
        .collect();
    let refs: Vec<(&str, u32, &str)> =
        titles.iter().map(|(p, v, t)| (p.as_str(), *v, t.as_str())).collect();
    fs::write(ws.path().join("corpus/topics.xml"), common::pubmed_xml(&refs, &[])).unwrap();
    common::set_screening(ws.path(), "reviewers = [\"mo\", \"bg\"]\nreviewers_per_record = 1");
    let out = scoper(ws.path(), &["index"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    ws
}

#[test]
fn the_model_puts_what_the_reviewer_includes_first_and_says_when_to_stop() {
    let ws = two_topics();
    let dir = ws.path();
    let opts = options("mo", Order::Model(1));
    // A new reviewer: relevance order, and the footer says so.
    let screen = screen_keys(dir, &opts, Vec::new(), 200, 30);
    assert!(
        screen.contains("relevance order until there is an include and an exclude"),
        "{screen}"
    );

    // One include and one exclude, from a script.
    for (pmid, d) in [("990100001", "include"), ("990100002", "exclude")] {
        let out = scoper(dir, &["decide", pmid, d, "--reviewer", "mo"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    // Now the model orders the queue: the other 9 beta-blocker trials come
    // first (included one by one), then 30 excludes in a row.
    let mut typed = keys("iiiiiiiii");
    for _ in 0..30 {
        typed.extend(keys("e1"));
    }
    let screen = screen_keys(dir, &opts, typed, 200, 30);
    let log = fs::read_to_string(dir.join("screening/mo.jsonl")).unwrap();
    let decided: Vec<(u64, String)> = log
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let pmid = v["pmid"].as_u64().or_else(|| v["pmid"].as_str()?.parse().ok()).unwrap();
            (pmid, v["decision"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(decided.len(), 2 + 9 + 30, "{log}");
    for (pmid, d) in &decided[2..11] {
        assert_eq!(d, "include");
        assert_eq!((pmid - 990_100_001) % 6, 0, "PMID {pmid} is not a beta-blocker trial:\n{log}");
    }
    let mut pmids: Vec<u64> = decided.iter().map(|d| d.0).collect();
    pmids.sort_unstable();
    pmids.dedup();
    assert_eq!(pmids.len(), 41, "a record was shown twice");
    assert!(screen.contains("model retrained after 41 decisions"), "{screen}");
    assert!(screen.contains("no include in the last 30; estimated recall ≥"), "{screen}");

    // The help says which order this is.
    let help = screen_keys(dir, &opts, keys("?"), 200, 40);
    assert!(help.contains("the model's (TF-IDF + linear SVM"), "{help}");
}

#[test]
fn a_maybe_does_not_reorder_the_queue() {
    let ws = two_topics();
    let dir = ws.path();
    let opts = options("mo", Order::Model(1));
    // The queue the model makes: after the session's start, unscreened only.
    let queue = || {
        let w = Workspace::open(dir).unwrap();
        let view = View::open(&w).unwrap();
        let state = open(&w, &view, &opts).unwrap();
        let keymap = Keymap::new(&Default::default()).unwrap();
        let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
        let state =
            event_loop(&mut terminal, &mut Script(Vec::new()), &w, &view, state, &keymap).unwrap();
        state.queue.iter().filter(|p| !state.mine.contains_key(p)).copied().collect::<Vec<_>>()
    };
    for (pmid, d) in [("990100001", "include"), ("990100002", "exclude")] {
        assert!(scoper(dir, &["decide", pmid, d, "--reviewer", "mo"]).status.success());
    }
    let before = queue();
    // A maybe on a skin-rash case series: it teaches the model nothing.
    assert!(scoper(dir, &["decide", "990100004", "maybe", "--reviewer", "mo"]).status.success());
    let after = queue();
    let p4 = scoper::parse::Pmid::new(990100004).unwrap();
    let expected: Vec<_> = before.iter().copied().filter(|p| *p != p4).collect();
    assert_eq!(after, expected, "one maybe reordered the queue");
}

#[test]
fn on_a_large_workspace_the_model_ranks_on_a_thread_and_the_queue_follows_when_it_is_done() {
    let ws = two_topics();
    let dir = ws.path();
    for (pmid, d) in [("990100001", "include"), ("990100002", "exclude")] {
        assert!(scoper(dir, &["decide", pmid, d, "--reviewer", "bg"]).status.success());
    }
    let workspace = Workspace::open(dir).unwrap();
    let view = View::open(&workspace).unwrap();
    let mut state = open(&workspace, &view, &options("bg", Order::Model(1))).unwrap();
    // As if the workspace were larger than the limit.
    state.prioritiser.as_mut().unwrap().set_sync_limit(0);
    let keymap = Keymap::new(&Default::default()).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(160, 30)).unwrap();
    // The opening asks for a ranking and does not wait for it.
    let mut state =
        event_loop(&mut terminal, &mut Script(Vec::new()), &workspace, &view, state, &keymap)
            .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !state.ranking_note.as_deref().unwrap_or("").starts_with("model retrained after 2") {
        assert!(
            std::time::Instant::now() < deadline,
            "no ranking arrived: {:?}",
            state.ranking_note
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        scoper::screen::term::apply_background(&workspace, &view, &mut state);
    }
    // After the record on screen (it stays), every beta-blocker trial not
    // yet screened comes before any other record.
    let at = state.queue.iter().position(|p| Some(*p) == state.current()).unwrap();
    let beta = |p: &scoper::parse::Pmid| (p.get() - 990_100_001).is_multiple_of(6);
    let rest: Vec<_> =
        state.queue[at + 1..].iter().filter(|p| !state.mine.contains_key(p)).collect();
    let betas = rest.iter().filter(|p| beta(p)).count();
    assert!(betas >= 8, "{rest:?}");
    assert!(rest[..betas].iter().all(|p| beta(p)), "{rest:?}");
    // A decision does not wait: the note says the model is retraining.
    let mut state =
        event_loop(&mut terminal, &mut Script(keys("i")), &workspace, &view, state, &keymap)
            .unwrap();
    let note = state.ranking_note.clone().unwrap_or_default();
    assert!(note.contains("retraining") || note.starts_with("model retrained after 3"), "{note}");
    while !state.ranking_note.as_deref().unwrap_or("").starts_with("model retrained after 3") {
        assert!(std::time::Instant::now() < deadline, "{:?}", state.ranking_note);
        std::thread::sleep(std::time::Duration::from_millis(20));
        scoper::screen::term::apply_background(&workspace, &view, &mut state);
    }
}
