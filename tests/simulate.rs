//! `scoper simulate`: replays labeled reviews (the Cohen 2006 datasets in
//! ../shared/fixtures/screening/) and scores the order.

mod common;

use std::path::Path;

use common::{scoper, scoper_json, text};

fn rows_of(path: &Path) -> Vec<usize> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| l.parse().unwrap()).collect()
}

#[test]
fn a_real_review_is_replayed_scored_and_its_order_written() {
    let fixtures = fixtures_or_skip!();
    let data = fixtures.join("screening/Cohen_2006_Antihistamines.csv");
    let tmp = tempfile::tempdir().unwrap();
    let order = tmp.path().join("order.txt");
    let data_s = data.to_str().unwrap();
    let (code, v) = scoper_json(
        tmp.path(),
        &["simulate", data_s, "--seed", "3", "--order-out", order.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{v}");
    // The MANIFEST: 310 records, 16 includes.
    assert_eq!(v["records"], 310);
    assert_eq!(v["includes"], 16);
    let priors = v["priors"].as_array().unwrap();
    assert_eq!(priors.len(), 2);
    assert_eq!(priors.iter().filter(|p| p["included"] == true).count(), 1);
    let s = &v["scores"];
    assert_eq!(s["records"], 308);
    assert_eq!(s["includes"], 15);
    // Far better than screening in random order (Loss 0.5 on average).
    let loss = s["loss"].as_f64().unwrap();
    assert!(loss > 0.0 && loss < 0.35, "{s}");
    for k in ["rrf_10", "wss_95", "atd_share"] {
        let x = s[k].as_f64().unwrap();
        assert!((-0.05..=1.0).contains(&x), "{k}: {s}");
    }
    // The order: every row once, the priors first.
    let rows = rows_of(&order);
    assert_eq!(rows.len(), 310);
    let mut sorted = rows.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..310).collect::<Vec<_>>());
    let prior_rows: Vec<usize> =
        priors.iter().map(|p| p["row"].as_u64().unwrap() as usize).collect();
    assert_eq!(rows[..2], prior_rows[..]);

    // The same seed gives the same order.
    let again = tmp.path().join("again.txt");
    let out = scoper(
        tmp.path(),
        &["simulate", data_s, "--seed", "3", "--order-out", again.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(rows_of(&again), rows);

    // Scoring the written order gives the replay's own scores: one metric
    // code for scoper's orders and another tool's.
    let pri = format!("{},{}", prior_rows[0], prior_rows[1]);
    let (code, scored) = scoper_json(
        tmp.path(),
        &["simulate", data_s, "--priors", &pri, "--score", order.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{scored}");
    assert_eq!(scored["scores"], v["scores"]);

    // The ideal order (every include first) scores a Loss of 0.
    let csv_text = std::fs::read_to_string(&data).unwrap();
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let col = rdr.headers().unwrap().iter().position(|h| h == "label_included").unwrap();
    let labels: Vec<bool> = rdr.records().map(|r| &r.unwrap()[col] == "1").collect();
    let mut ideal: Vec<usize> = prior_rows.clone();
    ideal.extend((0..310).filter(|r| labels[*r] && !prior_rows.contains(r)));
    ideal.extend((0..310).filter(|r| !labels[*r] && !prior_rows.contains(r)));
    let ideal_file = tmp.path().join("ideal.txt");
    std::fs::write(&ideal_file, ideal.iter().map(|r| format!("{r}\n")).collect::<String>())
        .unwrap();
    let (_, best) = scoper_json(
        tmp.path(),
        &["simulate", data_s, "--priors", &pri, "--score", ideal_file.to_str().unwrap()],
    );
    assert_eq!(best["scores"]["loss"], 0.0);
    assert_eq!(best["scores"]["until_last"], 15);
}

#[test]
fn every_labeled_review_in_the_fixtures_reads() {
    let fixtures = fixtures_or_skip!();
    let dir = fixtures.join("screening");
    // From the MANIFEST: records, includes.
    let expected = [
        ("Cohen_2006_ADHD.csv", 851, 20),
        ("Cohen_2006_Antihistamines.csv", 310, 16),
        ("Cohen_2006_BetaBlockers.csv", 2072, 42),
        ("Cohen_2006_NSAIDS.csv", 393, 41),
        ("Cohen_2006_Triptans.csv", 671, 24),
        ("Cohen_2006_UrinaryIncontinence.csv", 327, 40),
    ];
    for (name, records, includes) in expected {
        let ds = scoper::rank::simulate::Dataset::read(&dir.join(name)).unwrap();
        assert_eq!(ds.labels.len(), records, "{name}");
        assert_eq!(ds.labels.iter().flatten().filter(|l| **l).count(), includes, "{name}");
        assert!(ds.skipped.is_empty(), "{name}: {:?}", ds.skipped);
    }
}

#[test]
fn text_output_names_the_metrics_and_their_definitions() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("tiny.csv");
    let mut body = String::from("title,abstract,label_included,notes\n");
    for i in 0..60 {
        if i % 6 == 0 {
            body.push_str(&format!(
                "Beta blockers after infarction {i},\"A randomised trial of beta blockers.\",1,x\n"
            ));
        } else {
            body.push_str(&format!(
                "Skin rash case {i},\"A case of rash in a child, topic {}.\",0,y\n",
                i % 7
            ));
        }
    }
    std::fs::write(&csv, body).unwrap();
    let out = scoper(tmp.path(), &["simulate", csv.to_str().unwrap(), "--priors", "0,1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for want in [
        "tiny.csv: 60 records, 10 includes",
        "priors: row 0 (include), row 1 (exclude)",
        "RRF@10",
        "WSS@95",
        "(N − n)/N − 0.05",
        "ATD",
        "Loss    0.000",
        "stopping hint",
    ] {
        assert!(s.contains(want), "{want:?} not in:\n{s}");
    }
}

#[test]
fn bad_input_says_what_and_where() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A row with a label that is not 0 or 1 is left out and named; the
    // rest runs.
    let csv = dir.join("labels.csv");
    std::fs::write(
        &csv,
        "title,abstract,label_included\na trial,of a drug,1\nanother,\"two\nlines\",maybe\nrash,a case,0\nrash two,a case,0\n",
    )
    .unwrap();
    let out = scoper(dir, &["simulate", csv.to_str().unwrap(), "--priors", "0,2"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("row 1 (line 3)") && err.contains("\"maybe\""), "{err}");

    // No label column: the columns it has, and what to call it.
    let csv = dir.join("nolabel.csv");
    std::fs::write(&csv, "Title,Abstract,Decision\na,b,1\n").unwrap();
    let out = scoper(dir, &["simulate", csv.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("no label column") && err.contains("Title, Abstract, Decision"), "{err}");
    assert!(err.contains("label_included"), "{err}");

    // Priors of one label only.
    let csv = dir.join("labels.csv");
    let out = scoper(dir, &["simulate", csv.to_str().unwrap(), "--priors", "2,3"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("at least one include and one exclude"),
        "{}",
        text(&out.stderr)
    );
    let out = scoper(dir, &["simulate", csv.to_str().unwrap(), "--priors", "0,9"]);
    assert!(
        text(&out.stderr).contains("prior row 9 is past the last row (3)"),
        "{}",
        text(&out.stderr)
    );

    // An order file that is not one.
    let bad = dir.join("bad.txt");
    std::fs::write(&bad, "0\n2\nthree\n").unwrap();
    let out = scoper(
        dir,
        &["simulate", csv.to_str().unwrap(), "--priors", "0,2", "--score", bad.to_str().unwrap()],
    );
    assert!(
        text(&out.stderr).contains("bad.txt:3: \"three\" is not a row number"),
        "{}",
        text(&out.stderr)
    );
}
