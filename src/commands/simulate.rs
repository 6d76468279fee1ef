//! `scoper simulate FILE.csv`: replays a labeled review with prioritised
//! screening, and scores the order.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use serde_json::json;

use crate::rank::simulate::{read_order, replay, score, Dataset, Scores};
use crate::store::atomic::write_atomic;

pub struct Args {
    pub file: PathBuf,
    pub priors: Option<Vec<usize>>,
    pub seed: u64,
    pub order_out: Option<PathBuf>,
    pub score: Option<PathBuf>,
}

pub fn run(args: &Args, json: bool) -> Result<i32> {
    let started = Instant::now();
    let ds = Dataset::read(&args.file)?;
    for s in &ds.skipped {
        eprintln!("warning: {}: {s}", args.file.display());
    }
    let priors = match &args.priors {
        Some(p) => p.clone(),
        None => ds.random_priors(args.seed),
    };
    ds.check_priors(&priors)?;
    let (order, retrains) = match &args.score {
        Some(path) => (read_order(path, &ds, &priors)?, None),
        None => {
            let r = replay(&ds, &priors, args.seed);
            (r.order, Some(r.retrains))
        }
    };
    let scores = score(&ds, &order);
    let seconds = started.elapsed().as_secs_f64();
    if let Some(out) = &args.order_out {
        let mut text = String::new();
        for r in priors.iter().chain(&order) {
            text.push_str(&format!("{r}\n"));
        }
        write_atomic(out, text.as_bytes())
            .with_context(|| format!("could not write {}", out.display()))?;
    }
    let labeled = ds.labels.iter().flatten().count();
    let includes = ds.labels.iter().flatten().filter(|l| **l).count();
    let prior_rows: Vec<_> =
        priors.iter().map(|&p| json!({"row": p, "included": ds.labels[p] == Some(true)})).collect();
    let mut w = std::io::stdout().lock();
    if json {
        let v = json!({
            "file": args.file.display().to_string(),
            "records": labeled,
            "includes": includes,
            "left_out": ds.skipped,
            "priors": prior_rows,
            "seed": args.seed,
            "scored": args.score.as_ref().map(|p| p.display().to_string()),
            "retrains": retrains,
            "scores": scores,
            "seconds": seconds,
        });
        writeln!(w, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(0);
    }
    let name = args.file.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let what = |p: &usize| {
        format!("row {p} ({})", if ds.labels[*p] == Some(true) { "include" } else { "exclude" })
    };
    writeln!(w, "{name}: {labeled} records, {includes} includes")?;
    writeln!(
        w,
        "priors: {}{}",
        priors.iter().map(what).collect::<Vec<_>>().join(", "),
        if args.priors.is_none() {
            format!(" (picked with seed {})", args.seed)
        } else {
            String::new()
        }
    )?;
    match &args.score {
        Some(p) => writeln!(w, "order: {} (scored, not replayed)", p.display())?,
        None => writeln!(
            w,
            "order: prioritised (TF-IDF + linear SVM), retrained {} times: after every decision up to \
             the last include",
            retrains.unwrap_or(0)
        )?,
    }
    print_scores(&mut w, &scores)?;
    if let Some(out) = &args.order_out {
        writeln!(w, "wrote the order to {}", out.display())?;
    }
    writeln!(w, "in {seconds:.2} s")?;
    Ok(0)
}

fn print_scores(w: &mut impl Write, s: &Scores) -> Result<()> {
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    writeln!(
        w,
        "after the priors: {} records, {} includes; the last include was record {} ({} of the records)",
        s.records,
        s.includes,
        s.until_last,
        pct(s.until_last as f64 / s.records as f64)
    )?;
    writeln!(w, "  RRF@10  {:.3}  recall after screening 10% of the records", s.rrf_10)?;
    writeln!(
        w,
        "  WSS@95  {:.3}  (N − n)/N − 0.05, n = records screened when 95% of the includes were found",
        s.wss_95
    )?;
    writeln!(
        w,
        "  ATD     {:.1}  records screened, on average, when an include was found ({})",
        s.atd_records,
        pct(s.atd_share)
    )?;
    writeln!(w, "  Loss    {:.3}  0 = every include first, 1 = every include last", s.loss)?;
    match &s.hint_95 {
        Some(h) => writeln!(
            w,
            "stopping hint: after {} records it said \"{}\"; true recall then {}",
            h.screened,
            h.hint.sentence(),
            pct(h.true_recall)
        )?,
        None => writeln!(w, "stopping hint: never reached an estimated recall of 95%")?,
    }
    Ok(())
}
