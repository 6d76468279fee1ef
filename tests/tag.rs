//! Tagging with the framework: the gold-set evaluation, framework errors,
//! evidence spans, concept filters, and tags that follow the framework and
//! the corpus.

mod common;

use std::fs;
use std::path::Path;

use common::{demo_workspace, scoper, scoper_json, text};

fn gold() -> String {
    common::repo().join("tests/gold/lhs-gold.toml").to_string_lossy().into_owned()
}

#[test]
fn the_framework_meets_the_gold_set_targets() {
    let ws = demo_workspace();
    let (code, v) = scoper_json(ws.path(), &["tag", "--eval", &gold()]);
    assert_eq!(code, 0, "{v}");
    assert!(v["records"].as_u64().unwrap() >= 40);
    let overall = &v["overall"];
    assert!(overall["recall"].as_f64().unwrap() >= 0.9, "{v}");
    assert!(overall["precision"].as_f64().unwrap() >= 0.8, "{v}");
    for e in v["elements"].as_array().unwrap() {
        assert!(e["recall"].as_f64().unwrap() >= 0.8, "{e}");
        assert!(e["precision"].as_f64().unwrap() >= 0.8, "{e}");
    }
    // The plain table names each element.
    let out = scoper(ws.path(), &["tag", "--eval", &gold()]);
    let table = text(&out.stdout);
    for name in ["Core values", "Pillars and accelerators", "Processes", "Outcomes", "overall"] {
        assert!(table.contains(name), "{table}");
    }
}

#[test]
fn gold_set_hard_negatives_get_no_concept() {
    let ws = demo_workspace();
    let (_, v) = scoper_json(ws.path(), &["tag", "--eval", &gold()]);
    for s in v["spurious"].as_array().unwrap() {
        let record = s["record"].as_str().unwrap();
        assert!(!record.starts_with('n'), "a hard negative was tagged: {s}");
    }
}

#[test]
fn an_independent_gold_set_is_scored_per_element_and_concept_with_every_disagreement() {
    let fixtures = fixtures_or_skip!();
    let dev = fixtures.join("gold/lhs-dev.toml");
    let ws = demo_workspace();
    let (code, v) = scoper_json(ws.path(), &["tag", "--eval", dev.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    // The MANIFEST: 72 records; core values 30, pillars and accelerators
    // 43, processes 27, outcomes 34 (tp + fn of each element).
    assert_eq!(v["records"], 72);
    let want = [30, 43, 27, 34];
    for (e, n) in v["elements"].as_array().unwrap().iter().zip(want) {
        assert_eq!(e["tp"].as_u64().unwrap() + e["fn_"].as_u64().unwrap(), n, "{e}");
    }
    // Concepts named by the paper's names ("IT systems", "person focused")
    // are scored one by one; ours it never names are listed.
    let concepts: Vec<&str> =
        v["concepts"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(
        concepts.contains(&"it-systems") && concepts.contains(&"person-focused"),
        "{concepts:?}"
    );
    assert!(v["unscored_concepts"].as_array().unwrap().iter().any(|c| c == "value"));
    // Every miss and false hit is listed; a false hit with its evidence.
    let fn_total: u64 =
        v["elements"].as_array().unwrap().iter().map(|e| e["fn_"].as_u64().unwrap()).sum();
    let missed = v["missed"].as_array().unwrap();
    assert_eq!(missed.iter().filter(|m| m["level"] == "element").count() as u64, fn_total);
    for s in v["spurious"].as_array().unwrap() {
        assert!(!s["evidence"].as_array().unwrap().is_empty(), "{s}");
    }
    // The plain text says the same.
    let out = scoper(ws.path(), &["tag", "--eval", dev.to_str().unwrap()]);
    let t = text(&out.stdout);
    assert!(t.contains("72 gold records") && t.contains("missed:   d0"), "{t}");
}

fn check_error(framework: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("framework.toml");
    fs::write(&f, framework).unwrap();
    let out = scoper(dir.path(), &["tag", "--check", "--framework", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    text(&out.stderr)
}

const GOOD: &str = "name = \"F\"\n[elements.values]\nname = \"Values\"\n\
                    [concepts.equity]\nelement = \"values\"\nname = \"Equity\"\n\
                    queries = ['equity', '\"health disparities\"']\n";

#[test]
fn check_accepts_a_good_framework_and_names_what_is_wrong_in_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("framework.toml");
    fs::write(&f, GOOD).unwrap();
    let out = scoper(dir.path(), &["tag", "--check", "--framework", f.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("OK (1 elements, 1 concepts, 2 queries)"));

    let e = check_error(&GOOD.replace("'equity'", "'author:smith'"));
    assert!(e.contains("line 7") && e.contains("\"equity\"") && e.contains("author:smith"), "{e}");
    assert!(e.contains("searches the field \"author\""), "{e}");
    let e = check_error(&GOOD.replace("'equity'", "'nosuchfield:x'"));
    assert!(
        e.contains("line 7: concept \"equity\": the query \"nosuchfield:x\" cannot be read"),
        "{e}"
    );
    let e = check_error(&GOOD.replace("'equity', '\"health disparities\"'", ""));
    assert!(e.contains("line 4: concept \"equity\" has no query"), "{e}");
    let e = check_error(&format!(
        "{GOOD}[concepts.equity]\nelement = \"values\"\nname = \"E2\"\nqueries = ['x']\n"
    ));
    assert!(e.contains("duplicate") && e.contains("line 8"), "{e}");
    let e = check_error("{ this is not toml");
    assert!(
        e.contains("framework.toml is not a valid framework file") && e.contains("line 1"),
        "{e}"
    );
    let e = check_error(&GOOD.replace("'\"health disparities\"'", "'\"unclosed'"));
    assert!(e.contains("line 7") && e.contains("cannot be read"), "{e}");
    // Sentence entries and a context are counted.
    let with = format!(
        "{GOOD}sentences = ['gap|gaps + care']\n[context]\nname = \"health\"\nqueries = ['health']\n"
    );
    fs::write(&f, with).unwrap();
    let out = scoper(dir.path(), &["tag", "--check", "--framework", f.to_str().unwrap()]);
    assert!(
        text(&out.stdout).contains("2 queries, 1 sentence entry, a context of 1 query)"),
        "{}",
        text(&out.stdout)
    );
    // A sentence entry of one part, or with query syntax, is refused.
    let e = check_error(&format!("{GOOD}sentences = ['deaths|mortality']\n"));
    assert!(e.contains("line 8") && e.contains("has one part only"), "{e}");
    let e = check_error(&format!("{GOOD}sentences = ['\"gap care\"~3 + groups']\n"));
    assert!(e.contains("line 8") && e.contains("~N"), "{e}");
    // A context with no query, or one that cannot be read.
    let e = check_error(&format!("{GOOD}[context]\nname = \"health\"\nqueries = []\n"));
    assert!(e.contains("[context] has no query"), "{e}");
    let e = check_error(&format!("{GOOD}[context]\nname = \"health\"\nqueries = ['author:x']\n"));
    assert!(e.contains("line 10") && e.contains("[context]"), "{e}");
}

/// Terms as `show` prints them: joined by "; ".
fn join(terms: &serde_json::Value) -> String {
    let terms: Vec<&str> = terms.as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    terms.join("; ")
}

fn span_text(record: &serde_json::Value, field: &str, span: &serde_json::Value) -> String {
    let text: String = match field {
        "title" => record["title"].as_str().unwrap().to_string(),
        "abstract" => record["abstract"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| match s["label"].as_str() {
                Some(l) => format!("{l}: {}", s["text"].as_str().unwrap()),
                None => s["text"].as_str().unwrap().to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        "keyword" => join(&record["keywords"]),
        "mesh" => join(&record["mesh"]),
        other => panic!("unexpected field {other}"),
    };
    let chars: Vec<char> = text.chars().collect();
    let (a, b) = (span[0].as_u64().unwrap() as usize, span[1].as_u64().unwrap() as usize);
    chars[a..b].iter().collect()
}

#[test]
fn tag_prints_the_concept_map_and_show_cites_the_evidence() {
    let ws = demo_workspace();
    let (code, v) = scoper_json(ws.path(), &["tag"]);
    assert_eq!(code, 0, "{v}");
    let map = &v["map"];
    assert_eq!(map["records"], 67);
    assert_eq!(map["tagged"].as_u64().unwrap() + map["untagged"].as_u64().unwrap(), 67, "{map}");
    let elements = map["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 4);
    for e in elements {
        assert!(e["records"].as_u64().unwrap() > 0, "every element appears in the demo: {e}");
    }
    // Co-occurrence is symmetric with the element counts on the diagonal.
    let co = map["cooccurrence"].as_array().unwrap();
    for (i, row) in co.iter().enumerate() {
        assert_eq!(row[i], elements[i]["records"]);
        for (j, n) in row.as_array().unwrap().iter().enumerate() {
            assert_eq!(*n, co[j][i]);
        }
    }
    // The machine-learning methods paper is not a learning cycle.
    let untagged: Vec<&str> =
        v["untagged"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(untagged.contains(&"990000056"), "reinforcement learning paper: {untagged:?}");

    let (_, r) = scoper_json(ws.path(), &["show", "990000002"]);
    let concepts = r["concepts"].as_array().unwrap();
    let person = concepts
        .iter()
        .find(|c| c["concept"] == "person-focused" && c["field"] == "title")
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(person["element"], "core-values");
    assert_eq!(span_text(&r, "title", &person["spans"][0]), "Person-centred");
    assert!(person["score"].as_f64().unwrap() > 0.0);
    // Every span of every hit points at real text.
    for c in concepts {
        for s in c["spans"].as_array().unwrap() {
            assert!(!span_text(&r, c["field"].as_str().unwrap(), s).trim().is_empty());
        }
    }
    let (_, r) = scoper_json(ws.path(), &["show", "990000001"]);
    let equity = r["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["concept"] == "equity" && c["field"] == "abstract")
        .unwrap()
        .clone();
    let words: Vec<String> = equity["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| span_text(&r, "abstract", s).to_lowercase())
        .collect();
    assert!(words.iter().any(|w| w == "equity"), "{words:?}");
    // The export carries the same concepts.
    let out = scoper(ws.path(), &["export", "jsonl"]);
    let line = text(&out.stdout).lines().find(|l| l.contains("\"990000002\"")).unwrap().to_string();
    let exported: serde_json::Value = serde_json::from_str(&line).unwrap();
    let (_, shown) = scoper_json(ws.path(), &["show", "990000002"]);
    assert_eq!(exported["concepts"], shown["concepts"]);
    assert!(!exported["concepts"].as_array().unwrap().is_empty());
    // The plain view quotes the evidence.
    let out = scoper(ws.path(), &["show", "990000002"]);
    assert!(
        text(&out.stdout).contains("core-values/person-focused (title): \"Person-centred\""),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn find_filters_by_concept_and_element() {
    let ws = demo_workspace();
    let (code, v) = scoper_json(ws.path(), &["find", "concept:equity"]);
    assert_eq!(code, 0, "{v}");
    let pmids: Vec<&str> =
        v["hits"].as_array().unwrap().iter().map(|h| h["pmid"].as_str().unwrap()).collect();
    assert!(pmids.contains(&"990000001"), "{pmids:?}");
    let (_, both) = scoper_json(ws.path(), &["find", "concept:outcomes", "asthma"]);
    assert_eq!(both["total"], 1);
    assert_eq!(both["hits"][0]["pmid"], "990000037");
    let (_, all) = scoper_json(ws.path(), &["find", "concept:processes", "--limit", "1000"]);
    assert!(all["total"].as_u64().unwrap() > 10);
    let out = scoper(ws.path(), &["find", "concept:nonsense"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no concept or element \"nonsense\""),
        "{}",
        text(&out.stderr)
    );
}

fn concept_ids(ws: &Path, pmid: &str) -> Vec<String> {
    let (_, r) = scoper_json(ws, &["show", pmid]);
    r["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["concept"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn tags_follow_the_framework_and_survive_a_broken_one() {
    let ws = demo_workspace();
    assert_eq!(scoper_json(ws.path(), &["tag"]).0, 0);
    let tags_file = ws.path().join(".scoper/tags.json");
    let saved = fs::read(&tags_file).unwrap();
    assert!(!concept_ids(ws.path(), "990000055").contains(&"ml".to_string()));

    // A new concept in the framework: show says its concepts are those of
    // the last tagging run (it never tags), and `scoper tag` brings it in.
    let fw = ws.path().join("queries/lhs-framework.toml");
    let original = fs::read_to_string(&fw).unwrap();
    fs::write(
        &fw,
        format!("{original}\n[concepts.ml]\nelement = \"processes\"\nname = \"Machine learning\"\nqueries = ['\"gradient boosting\"']\n"),
    )
    .unwrap();
    let out = scoper(ws.path(), &["show", "990000055"]);
    assert!(text(&out.stderr).contains("last tagging run"), "{}", text(&out.stderr));
    assert_eq!(fs::read(&tags_file).unwrap(), saved, "show does not tag");
    assert!(!concept_ids(ws.path(), "990000055").contains(&"ml".to_string()));
    assert_eq!(scoper_json(ws.path(), &["tag"]).0, 0);
    assert!(concept_ids(ws.path(), "990000055").contains(&"ml".to_string()));

    // A broken framework: tag fails, the last tags stay on disk and in show.
    fs::write(&fw, format!("{original}\n[concepts.broken]\nelement = \"processes\"\nname = \"B\"\nqueries = ['title:(']\n")).unwrap();
    let before = fs::read(&tags_file).unwrap();
    assert_ne!(before, saved, "the ml concept was tagged");
    let out = scoper(ws.path(), &["tag"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("concept \"broken\""), "{}", text(&out.stderr));
    assert_eq!(fs::read(&tags_file).unwrap(), before, "tags unchanged by a failed run");
    let out = scoper(ws.path(), &["show", "990000055", "--json"]);
    assert!(out.status.success());
    assert!(text(&out.stderr).contains("last tagging run"));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r["concepts"].as_array().unwrap().iter().any(|c| c["concept"] == "ml"));
    // The one rule: reads go on with the last tags; run fails, naming it.
    let out = scoper(ws.path(), &["run", "--offline"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("concept \"broken\""), "{}", text(&out.stderr));
    let out = scoper(ws.path(), &["export", "jsonl"]);
    assert!(out.status.success(), "the export does not stop at a broken framework");
    assert!(text(&out.stderr).contains("last tagging run"));
    assert!(text(&out.stdout).contains("\"concept\":\"ml\""));
}

#[test]
fn tags_follow_the_corpus() {
    let ws = demo_workspace();
    assert_eq!(scoper_json(ws.path(), &["tag"]).0, 0);
    let inputs = tempfile::tempdir().unwrap();
    let f = inputs.path().join("new.xml");
    fs::write(
        &f,
        "<PubmedArticleSet><PubmedArticle><MedlineCitation Status=\"MEDLINE\"><PMID Version=\"1\">\
         990000500</PMID><Article><ArticleTitle>Solidarity in a regional health network.</ArticleTitle>\
         </Article></MedlineCitation></PubmedArticle></PubmedArticleSet>",
    )
    .unwrap();
    assert_eq!(scoper_json(ws.path(), &["import", f.to_str().unwrap()]).0, 0);
    let (_, v) = scoper_json(ws.path(), &["find", "concept:solidarity"]);
    let pmids: Vec<&str> =
        v["hits"].as_array().unwrap().iter().map(|h| h["pmid"].as_str().unwrap()).collect();
    assert!(pmids.contains(&"990000500"), "{pmids:?}");
}

#[test]
fn explain_says_which_query_matched_and_what_an_exclusion_removed() {
    let ws = demo_workspace();
    let inputs = tempfile::tempdir().unwrap();
    let f = inputs.path().join("pe.xml");
    fs::write(
        &f,
        "<PubmedArticleSet><PubmedArticle><MedlineCitation Status=\"MEDLINE\"><PMID Version=\"1\">\
         990000601</PMID><Article><ArticleTitle>Private equity ownership of hospitals and equity \
         of access.</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>",
    )
    .unwrap();
    assert!(scoper(ws.path(), &["import", f.to_str().unwrap()]).status.success());
    let out = scoper(ws.path(), &["tag", "--explain", "990000601"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("core-values/equity: tagged"), "{shown}");
    // "equity" is one of the concept's `words` (matched as written).
    assert!(shown.contains("matched by: \"words: equity\""), "{shown}");
    assert!(
        shown.contains(
            "removed by the exclusion \"\\\"private equity\\\"\" (title): \"Private equity\""
        ),
        "{shown}"
    );
    let (_, v) = scoper_json(ws.path(), &["tag", "--explain", "990000601"]);
    let equity =
        v["concepts"].as_array().unwrap().iter().find(|c| c["concept"] == "equity").unwrap();
    assert_eq!(
        equity["evidence"][0]["spans"].as_array().unwrap().len(),
        1,
        "only the second equity: {equity}"
    );
    // --eval alone asks for a gold set or --charted.
    let out = scoper(ws.path(), &["tag", "--eval"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--charted"), "{}", text(&out.stderr));
}

#[test]
fn a_single_word_counts_only_in_its_health_system_sense() {
    // The false hits the issue found in the 1979-80 baseline file, and
    // plain-words positives with the words apart ("near" queries).
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("sense.toml");
    fs::write(
        &gold,
        r#"
[[record]]
id = "n1"
title = "Learning tasks of widely disparate difficulty in rats"
abstract = "Stability is facilitated by close linkage and inequality between gene effects."
concepts = []

[[record]]
id = "n2"
title = "An electron-transparent collar in the sperm midpiece"
abstract = "The method is not readily adaptable to total automation. A values based approach to staining."
concepts = []

[[record]]
id = "n3"
title = "Minor differences in enzyme kinetics; the present paper reports the practical method"
abstract = "Patients represented in group A. Effects were measured weekly. Feed-back inhibition by cortisol. Publication rates of clinical psychologists. Oxygen uptake increased."
concepts = []

[[record]]
id = "p1"
title = "Disparities in access to primary care between income groups"
abstract = "Low-income residents waited longer."
concepts = ["equity"]

[[record]]
id = "p2"
title = "Solidarity in a regional health network"
abstract = ""
concepts = ["solidarity", "multi-stakeholder networks and learning communities"]
"#,
    )
    .unwrap();
    let ws = demo_workspace();
    let (code, v) = scoper_json(ws.path(), &["tag", "--eval", gold.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    let spurious = v["spurious"].as_array().unwrap();
    assert!(spurious.is_empty(), "false hits: {spurious:?}");
    let missed = v["missed"].as_array().unwrap();
    assert!(missed.is_empty(), "misses: {missed:?}");
    // p1: core values; p2: core values and pillars.
    assert_eq!(v["overall"]["tp"], 3, "{v}");
}

#[test]
fn a_query_word_with_alternatives_matches_any_and_explain_shows_it_as_written() {
    let ws = demo_workspace();
    let inputs = tempfile::tempdir().unwrap();
    let f = inputs.path().join("deaths.xml");
    fs::write(
        &f,
        "<PubmedArticleSet><PubmedArticle><MedlineCitation Status=\"MEDLINE\"><PMID Version=\"1\">\
         990000602</PMID><Article><ArticleTitle>A regional sepsis programme</ArticleTitle>\
         <Abstract><AbstractText>In the programme's hospitals, sepsis deaths declined from 17% \
         to 12% in two years.</AbstractText></Abstract></Article></MedlineCitation>\
         </PubmedArticle></PubmedArticleSet>",
    )
    .unwrap();
    assert!(scoper(ws.path(), &["import", f.to_str().unwrap()]).status.success());
    let shown = text(&scoper(ws.path(), &["tag", "--explain", "990000602"]).stdout);
    assert!(shown.contains("outcomes/population-health: tagged"), "{shown}");
    // The line of the framework that matched, as the file has it.
    assert!(shown.contains("mortality|deaths|admissions"), "{shown}");
    assert!(shown.contains("evidence (abstract): \"deaths declined\""), "{shown}");
}

#[test]
fn stems_lists_the_words_a_query_word_also_finds() {
    // 'publicly' is stemmed to 'public', so a query with it also finds
    // "publication" (a false hit the rework of issue 12 had to remove).
    let ws = demo_workspace();
    let (code, v) =
        scoper_json(ws.path(), &["tag", "--stems", "publicly", "equity", "zyzzyva", "public"]);
    assert_eq!(code, 0, "{v}");
    let families = v.as_array().unwrap();
    assert_eq!(families.len(), 4);
    // Two words with one stem: one family, counted once, shown for both.
    assert_eq!(families[3]["stem"], "public");
    assert_eq!(families[3]["forms"], families[0]["forms"]);
    assert_eq!(families[3]["records"], families[0]["records"]);
    assert_eq!(families[0]["stem"], "public");
    let forms: Vec<&str> = families[0]["forms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["form"].as_str().unwrap())
        .collect();
    assert!(forms.contains(&"publication") && forms.contains(&"public"), "{forms:?}");
    assert!(families[0]["records"].as_u64().unwrap() > 0);
    // Counted in the records: every form's count is at least 1, most first.
    let counts: Vec<u64> = families[0]["forms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["count"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]) && counts.iter().all(|&n| n > 0), "{counts:?}");
    // A word no record has is said so, not an error.
    assert!(families[2]["forms"].as_array().unwrap().is_empty());
    assert_eq!(families[2]["records"], 0);

    // Text: the asked-for word is marked; a phrase is refused with a hint.
    let out = scoper(ws.path(), &["tag", "--stems", "equity"]);
    let shown = text(&out.stdout);
    assert!(shown.contains("equity: stem") && shown.contains("(the word)"), "{shown}");
    let out = scoper(ws.path(), &["tag", "--stems", "league table"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("is not one word"), "{}", text(&out.stderr));
}

#[test]
fn the_framework_keeps_its_measured_accuracy_on_the_tuning_sets() {
    // Floors well below the figures in BENCHMARKS.md (precision 0.95, 0.91,
    // 0.92 and 0.93, recall 0.83, 0.85, 0.93 and 0.95): an edit that breaks
    // queries (an `a|b` alternative written with a space, a stem family that
    // floods, a sentence entry that floods) fails here. The held-out sets
    // (lhs-heldout-b.toml, lhs-heldout-d.toml, lhs-heldout-e.toml) are left
    // out on purpose.
    let ws = demo_workspace();
    for set in [
        "tests/gold/lhs-heldout.toml",
        "tests/gold/lhs-heldout-c.toml",
        "tests/gold/lhs-tuning-d.toml",
        "tests/gold/lhs-tuning-e.toml",
    ] {
        let path = common::repo().join(set);
        let (code, v) = scoper_json(ws.path(), &["tag", "--eval", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{v}");
        let overall = &v["overall"];
        let (p, r) = (overall["precision"].as_f64().unwrap(), overall["recall"].as_f64().unwrap());
        assert!(p >= 0.85 && r >= 0.75, "{set}: precision {p:.2}, recall {r:.2}");
    }
}

/// A framework of one element for the tests below, in a directory of its
/// own (kept while the first value lives): `concepts` is the text of its
/// [concepts.*] tables, `extra` any other table.
fn small_framework(concepts: &str, extra: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("small.toml");
    fs::write(
        &f,
        format!("name = \"Small\"\n[elements.o]\nname = \"Outcomes\"\n{extra}\n{concepts}"),
    )
    .unwrap();
    let path = f.to_string_lossy().into_owned();
    (dir, path)
}

/// `scoper tag --framework FRAMEWORK --eval` on a gold set with `records`
/// (TOML), in the demo workspace; its JSON.
fn eval_gold(framework: &str, records: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("g.toml");
    fs::write(&gold, records).unwrap();
    let ws = demo_workspace();
    let (code, v) = scoper_json(
        ws.path(),
        &["tag", "--framework", framework, "--eval", gold.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{v}");
    v
}

/// Like [`eval_gold`], for a gold set the framework must get exactly right:
/// no miss and no false hit.
fn assert_gold_agrees(framework: &str, records: &str) {
    let v = eval_gold(framework, records);
    assert!(v["missed"].as_array().unwrap().is_empty(), "{v}");
    assert!(v["spurious"].as_array().unwrap().is_empty(), "{v}");
}

/// Imports one PubMed record (`abstract_` may be empty) into `ws`.
fn import_one(ws: &Path, pmid: &str, title: &str, abstract_: &str) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("one.xml");
    let abstract_ = if abstract_.is_empty() {
        String::new()
    } else {
        format!("<Abstract><AbstractText>{abstract_}</AbstractText></Abstract>")
    };
    fs::write(
        &f,
        format!(
            "<PubmedArticleSet><PubmedArticle><MedlineCitation Status=\"MEDLINE\">\
             <PMID Version=\"1\">{pmid}</PMID><Article><ArticleTitle>{title}</ArticleTitle>\
             {abstract_}</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
        ),
    )
    .unwrap();
    let out = scoper(ws, &["import", f.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_sentence_entry_finds_a_concept_in_a_studys_own_words() {
    let (_dir, framework) = small_framework(
        r#"[concepts.pop]
element = "o"
name = "Population health"
sentences = ['''deaths|admissions + fell|declined +
    county|residents''']
[concepts.acc]
element = "o"
name = "Accountability"
sentences = ['jointly + responsible|answerable']
"#,
        "",
    );
    let v = eval_gold(
        &framework,
        r#"
[[record]]
id = "p1"
title = "A county sepsis programme"
abstract = "Deaths from sepsis among the county's inpatients fell by a third. Staff were jointly answerable for it."
concepts = ["pop", "acc"]

[[record]]
id = "n1"
title = "Deaths in a trial"
abstract = "Deaths were recorded in each arm. Admissions of county residents fell. The two drugs' responses were jointly modelled. Neither drug was jointly responsible, the authors said."
note = "The first sentence has one part of the entry only; the second has all three"
concepts = ["pop"]

[[record]]
id = "n2"
title = "Residents' admissions"
abstract = "Admissions of residents were counted; none fell."
note = "A semicolon ends a sentence: the entry's words are in two"
concepts = []
"#,
    );
    let missed = v["missed"].as_array().unwrap();
    assert!(missed.is_empty(), "{missed:?}");
    // n1's third sentence has "responses", which shares the stem of
    // "responsible" but is not the word; its last has "jointly" and
    // "responsible": the entry cannot tell their sense, and it is the only
    // false hit, quoted from the entry's first word to its last.
    let spurious = v["spurious"].as_array().unwrap();
    assert_eq!(spurious.len(), 1, "{spurious:?}");
    assert_eq!(spurious[0]["record"], "n1");
    assert_eq!(spurious[0]["id"], "acc");
    assert_eq!(spurious[0]["evidence"][0], "jointly responsible");
}

#[test]
fn a_sentence_entry_needs_a_word_of_each_part_in_one_sentence_as_written() {
    let (_dir, framework) = small_framework(
        r#"[concepts.pop]
element = "o"
name = "Population health"
sentences = ['hospitalisations + fell + hospital|wards']
"#,
        "",
    );
    let ws = demo_workspace();
    // "hospitalisations" cannot also be the third part's "hospital" (they
    // share a stem); "hospitalisation" is not "hospitalisations".
    import_one(ws.path(), "990000701", "Hospitalisations fell in the trial", "");
    import_one(ws.path(), "990000702", "Hospitalisation fell on the wards", "");
    import_one(ws.path(), "990000703", "On the wards, hospitalisations fell", "");
    // The point of a number ends no sentence.
    import_one(ws.path(), "990000704", "Hospitalisations fell from 9.6 to 5.9 on the wards", "");
    let explain = |pmid: &str| {
        text(&scoper(ws.path(), &["tag", "--framework", &framework, "--explain", pmid]).stdout)
    };
    let shown = explain("990000703");
    assert!(shown.contains("o/pop: tagged"), "{shown}");
    assert!(shown.contains("matched by: \"sentence: hospitalisations + fell + hospital|wards\""));
    assert!(shown.contains("evidence (title): \"wards, hospitalisations fell\""), "{shown}");
    let shown = explain("990000704");
    assert!(
        shown.contains("evidence (title): \"Hospitalisations fell from 9.6 to 5.9 on the wards\""),
        "{shown}"
    );
    for pmid in ["990000701", "990000702"] {
        let shown = explain(pmid);
        assert!(!shown.contains("o/pop: tagged"), "{pmid}: {shown}");
    }
    // The record has the entry's stems, so it is looked at, and the
    // explanation says why it is not tagged.
    let shown = explain("990000702");
    assert!(shown.contains("o/pop: NOT tagged"), "{shown}");
    assert!(shown.contains("not a word of each part in one sentence, as written"), "{shown}");
}

#[test]
fn a_record_outside_the_frameworks_context_gets_no_concept() {
    let (_dir, framework) = small_framework(
        "[concepts.eng]\nelement = \"o\"\nname = \"Engagement\"\n\
         queries = ['\"stakeholder engagement\"']\n",
        "[context]\nname = \"health or care\"\nqueries = ['health|patients', '\"public health\"']\n",
    );
    assert_gold_agrees(
        &framework,
        r#"
[[record]]
id = "p1"
title = "Stakeholder engagement in a health board"
concepts = ["eng"]

[[record]]
id = "n1"
title = "Stakeholder engagement in the closure of a mine"
concepts = []
"#,
    );

    // `--explain` says why a record outside the context has no concept.
    let ws = demo_workspace();
    let title = "Stakeholder engagement in the closure of a mine";
    import_one(ws.path(), "990000711", title, "");
    let out = scoper(ws.path(), &["tag", "--framework", &framework, "--explain", "990000711"]);
    let shown = text(&out.stdout);
    assert!(shown.contains("no word of the framework's context (health or care)"), "{shown}");
    assert!(shown.contains("o/eng: NOT tagged"), "{shown}");
    let (_, v) =
        scoper_json(ws.path(), &["tag", "--framework", &framework, "--explain", "990000711"]);
    assert_eq!(v["concepts"][0]["outside_context"], true, "{v}");
    // The shipped framework has a context too: a mining paper gets nothing.
    let shown = text(&scoper(ws.path(), &["tag", "--explain", "990000711"]).stdout);
    assert!(shown.contains("NOT tagged with any concept"), "{shown}");
}

#[test]
fn the_words_of_an_and_query_are_evidence_only_where_the_whole_query_matches() {
    let (_dir, framework) = small_framework(
        "[concepts.c]\nelement = \"o\"\nname = \"Costs\"\n\
         queries = ['\"cost savings\"', 'spending AND (fell OR lower)']\n",
        "",
    );
    let ws = demo_workspace();
    import_one(
        ws.path(),
        "990000721",
        "Cost savings of a programme",
        "Spending on drugs was not measured.",
    );
    // Found by "cost savings"; "Spending" is a word of the other query,
    // which does not match the record, so it is not quoted as evidence.
    let (_, v) =
        scoper_json(ws.path(), &["tag", "--framework", &framework, "--explain", "990000721"]);
    let evidence = v["concepts"][0]["evidence"].as_array().unwrap();
    let fields: Vec<&str> = evidence.iter().map(|h| h["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title"], "{v}");
}

#[test]
fn a_phrase_near_or_exact_is_evidence_only_within_one_sentence() {
    let (_dir, framework) = small_framework(
        "[concepts.eq]\nelement = \"o\"\nname = \"Equity\"\nqueries = ['\"disparities care\"~4']\n\
         [concepts.se]\nelement = \"o\"\nname = \"Engagement\"\nqueries = ['\"community engagement\"']\n",
        "",
    );
    assert_gold_agrees(
        &framework,
        r#"
[[record]]
id = "p1"
title = "Disparities in access to care"
concepts = ["eq"]

[[record]]
id = "p2"
title = "Disparities (1.5) in care"
note = "The point of a number ends no sentence"
concepts = ["eq"]

[[record]]
id = "n1"
title = "Nurses measured the quality of care. Disparities in gene expression were not studied."
note = "The words are 2 apart, but in two sentences"
concepts = []

[[record]]
id = "n2"
title = "Nurses noted disparities.The care of patients was good."
note = "A full stop with no space after it still ends a sentence"
concepts = []

[[record]]
id = "p3"
title = "Community engagement in planning a clinic"
concepts = ["se"]

[[record]]
id = "n3"
title = "Vaccine uptake"
abstract = "Efforts should prioritise access in low-income communities; engage trusted leaders to share information."
note = "A real abstract's wording: the words are consecutive, but a semicolon ends a sentence"
concepts = []

[[record]]
id = "n4"
title = "Health of rural communities. Engagement of staff was high."
note = "An exact phrase across a full stop"
concepts = []
"#,
    );
}

#[test]
fn a_near_phrase_of_three_words_tags_the_same_records_whatever_else_the_corpus_holds() {
    // tantivy's slop matching of three or more words intersects their
    // postings in the order of how many records have each word, so which
    // records it finds changed with the rest of the corpus.
    let (_dir, framework) = small_framework(
        "[concepts.c]\nelement = \"o\"\nname = \"C\"\nqueries = ['\"alpha beta gamma\"~3']\n",
        "",
    );
    let mut targets = Vec::new();
    let words = ["alpha", "beta", "gamma"];
    for order in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
        for (gap1, gap2) in [(0, 0), (0, 1), (1, 1), (0, 2), (2, 2), (1, 0)] {
            let mut title = vec![words[order[0]]];
            title.extend(std::iter::repeat_n("x", gap1));
            title.push(words[order[1]]);
            title.extend(std::iter::repeat_n("y", gap2));
            title.push(words[order[2]]);
            targets.push((990_002_000 + targets.len(), title.join(" ")));
        }
    }
    // The same phrase as the framework's context, with a word for the
    // concept: the context is decided by the index alone.
    let (_dir2, in_context) = small_framework(
        "[concepts.c]\nelement = \"o\"\nname = \"C\"\nqueries = ['alpha']\n",
        "[context]\nname = \"greek\"\nqueries = ['\"alpha beta gamma\"~3']\n",
    );
    let tagged = |framework: &str, filler: &str| {
        let ws = demo_workspace();
        let records = targets
            .iter()
            .cloned()
            .chain((0..20).map(|i| (990_003_000 + i, format!("{filler} filler"))))
            .map(|(pmid, title)| {
                format!(
                    "<PubmedArticle><MedlineCitation Status=\"MEDLINE\"><PMID Version=\"1\">{pmid}\
                     </PMID><Article><ArticleTitle>{title}</ArticleTitle></Article>\
                     </MedlineCitation></PubmedArticle>"
                )
            })
            .collect::<String>();
        let f = ws.path().join("more.xml");
        fs::write(&f, format!("<PubmedArticleSet>{records}</PubmedArticleSet>")).unwrap();
        assert!(scoper(ws.path(), &["import", f.to_str().unwrap()]).status.success());
        assert!(scoper(ws.path(), &["tag", "--framework", framework]).status.success());
        let (_, v) = scoper_json(ws.path(), &["find", "concept:c", "--limit", "1000"]);
        let mut titles: Vec<String> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["title"].as_str().unwrap().to_string())
            .collect();
        titles.sort();
        titles
    };
    // Many records with "alpha", or many with "gamma": the same tags.
    let one = tagged(&framework, "alpha");
    assert_eq!(one, tagged(&framework, "gamma"));
    let context = tagged(&in_context, "alpha");
    assert_eq!(context, tagged(&in_context, "gamma"));
    assert_eq!(context, one);
    // The slop is the number of moves from the phrase as written: a word
    // between costs one, two words swapped cost two.
    for found in ["alpha beta gamma", "alpha x beta y gamma", "beta alpha gamma"] {
        assert!(one.contains(&found.to_string()), "{found}: {one:?}");
    }
    for not in ["alpha x x beta y y gamma", "gamma beta alpha"] {
        assert!(!one.contains(&not.to_string()), "{not}: {one:?}");
    }
}
