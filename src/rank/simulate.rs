//! Replays a labeled review with the labels as the oracle, and scores the
//! screening order.
//!
//! The dataset is a CSV in ASReview's shape: `title`, `abstract` and a
//! label column (`label_included`, `included`, `final_included` or
//! `label`; 1 include, 0 exclude); `keywords` is used when present; other
//! columns are ignored. Rows are numbered from 0, the header not counted.
//!
//! The metrics are of the order after the priors (N records, R includes,
//! the priors not counted):
//! - RRF@10: the share of includes found after screening ⌈10% of N⌉;
//! - WSS@95: with n the records screened when ⌈0.95·R⌉ includes were
//!   found, (N − n)/N − 0.05 (work saved over sampling, Cohen 2006, at the
//!   point where 95% recall is first reached);
//! - ATD: the mean, over the includes, of the records screened when each
//!   was found (also as a share of N);
//! - Loss: (R·(N − (R−1)/2) − Σᵢ cᵢ) / (R·(N − R)), where cᵢ is the number
//!   of includes found in the first i records: 0 for the ideal order, 1 for
//!   the worst.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use super::features::Doc;
use super::{stop_hint, Model, StopHint};

/// A labeled review.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub docs: Vec<Doc>,
    /// By row; `None` for a row left out (see `skipped`).
    pub labels: Vec<Option<bool>>,
    /// Rows left out, with why.
    pub skipped: Vec<String>,
}

const LABEL_COLUMNS: [&str; 4] = ["label_included", "included", "final_included", "label"];

impl Dataset {
    pub fn read(path: &Path) -> Result<Dataset> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(path)
            .with_context(|| format!("could not read {}", path.display()))?;
        let headers = rdr
            .headers()
            .with_context(|| format!("{}: could not read the header line", path.display()))?
            .clone();
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
        };
        let (title, abstract_, keywords) = (col("title"), col("abstract"), col("keywords"));
        let label = LABEL_COLUMNS.iter().find_map(|c| col(c));
        let columns = headers.iter().collect::<Vec<_>>().join(", ");
        if title.is_none() && abstract_.is_none() {
            bail!(
                "{}: no `title` or `abstract` column (its columns: {columns})\n(hint: a labeled \
                 dataset in ASReview's shape has title, abstract and label_included)",
                path.display()
            );
        }
        let Some(label) = label else {
            bail!(
                "{}: no label column (its columns: {columns})\n(hint: name it label_included, with \
                 1 for an include and 0 for an exclude)",
                path.display()
            );
        };
        let mut ds = Dataset::default();
        for (row, rec) in rdr.records().enumerate() {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    ds.skipped.push(format!("row {row} (line {line}): {e}"));
                    ds.docs.push(Doc::default());
                    ds.labels.push(None);
                    continue;
                }
            };
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").trim();
            let text = [get(title), get(abstract_), get(keywords)].join("\n");
            let lab = match get(Some(label)) {
                "1" | "1.0" => Some(true),
                "0" | "0.0" => Some(false),
                other => {
                    ds.skipped.push(format!(
                        "row {row} (line {line}): label {other:?} is not 1 or 0; the row is left out"
                    ));
                    None
                }
            };
            ds.docs.push(Doc { text, tags: Vec::new() });
            ds.labels.push(lab);
        }
        if ds.labels.iter().flatten().all(|l| !l) {
            bail!("{}: no record is labeled an include (1): nothing to find", path.display());
        }
        if ds.labels.iter().flatten().all(|l| *l) {
            bail!("{}: every record is labeled an include: nothing to rank", path.display());
        }
        Ok(ds)
    }

    fn rows_with(&self, include: bool) -> Vec<usize> {
        (0..self.labels.len()).filter(|&i| self.labels[i] == Some(include)).collect()
    }

    /// One include and one exclude, picked with `seed`.
    pub fn random_priors(&self, seed: u64) -> Vec<usize> {
        let pick = |v: Vec<usize>, s: u64| {
            v[(crate::screen::order::splitmix(s) % v.len() as u64) as usize]
        };
        vec![pick(self.rows_with(true), seed), pick(self.rows_with(false), seed ^ 0x5EED)]
    }

    /// Checks priors named by row: in range, labeled, one of each label.
    pub fn check_priors(&self, priors: &[usize]) -> Result<()> {
        for &p in priors {
            match self.labels.get(p) {
                None => bail!("prior row {p} is past the last row ({})", self.labels.len() - 1),
                Some(None) => bail!("prior row {p} has no label (it was left out)"),
                Some(Some(_)) => {}
            }
        }
        let inc = priors.iter().filter(|&&p| self.labels[p] == Some(true)).count();
        if inc == 0 || inc == priors.len() {
            bail!(
                "the priors need at least one include and one exclude (rows {priors:?} have {inc} \
                 include(s))"
            );
        }
        Ok(())
    }
}

/// What a replay did.
#[derive(Debug, Clone)]
pub struct Replay {
    pub priors: Vec<usize>,
    /// Every labeled row after the priors, in screening order: the model's
    /// picks until the last include, then the rest in the last model's
    /// order.
    pub order: Vec<usize>,
    /// Records screened (after the priors) when the last include was found.
    pub until_last: usize,
    pub retrains: usize,
}

impl PartialEq for Replay {
    fn eq(&self, other: &Self) -> bool {
        self.order == other.order && self.priors == other.priors
    }
}

/// Replays screening: train, screen the best record, learn its label, and
/// again, until every include is found.
pub fn replay(ds: &Dataset, priors: &[usize], seed: u64) -> Replay {
    let mut model = Model::new(&ds.docs, seed);
    let n = ds.labels.len();
    let mut labelled = vec![false; n];
    let mut labels: Vec<(usize, bool)> = Vec::new();
    for &p in priors {
        labelled[p] = true;
        labels.push((p, ds.labels[p] == Some(true)));
    }
    // Unlabeled rows (left out) are never screened.
    for (i, l) in ds.labels.iter().enumerate() {
        if l.is_none() {
            labelled[i] = true;
        }
    }
    let total = ds.labels.iter().filter(|l| **l == Some(true)).count();
    let mut found = labels.iter().filter(|l| l.1).count();
    let mut order = Vec::new();
    let mut retrains = 0;
    while found < total {
        model.train(&labels);
        retrains += 1;
        let Some(next) = model.best((0..n).filter(|&i| !labelled[i])) else { break };
        labelled[next] = true;
        let inc = ds.labels[next] == Some(true);
        found += inc as usize;
        labels.push((next, inc));
        order.push(next);
    }
    let until_last = order.len();
    model.train(&labels);
    let rest: Vec<usize> = (0..n).filter(|&i| !labelled[i]).collect();
    order.extend(model.rank(&rest));
    Replay { priors: priors.to_vec(), order, until_last, retrains }
}

/// The scores of a screening order.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Scores {
    /// Records and includes after the priors.
    pub records: usize,
    pub includes: usize,
    pub rrf_10: f64,
    pub wss_95: f64,
    pub atd_records: f64,
    pub atd_share: f64,
    pub loss: f64,
    /// Records screened when the last include was found.
    pub until_last: usize,
    /// When the stopping hint first said "estimated recall ≥ 95%", and the
    /// true recall then (none: it never did).
    pub hint_95: Option<HintCheck>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HintCheck {
    pub screened: usize,
    pub true_recall: f64,
    pub hint: StopHint,
}

/// Scores `order` (the rows after the priors) against the labels.
pub fn score(ds: &Dataset, order: &[usize]) -> Scores {
    let inc: Vec<bool> = order.iter().map(|&i| ds.labels[i] == Some(true)).collect();
    let n = inc.len();
    let r = inc.iter().filter(|&&b| b).count();
    let (nf, rf) = (n as f64, r as f64);
    let mut found = 0usize;
    let mut cum = 0f64;
    let mut positions = Vec::new();
    let mut quiet = 0usize;
    let mut hint_95 = None;
    for (k, &b) in inc.iter().enumerate() {
        if b {
            found += 1;
            positions.push(k + 1);
            quiet = 0;
        } else {
            quiet += 1;
        }
        cum += found as f64;
        if hint_95.is_none() {
            if let Some(h) = stop_hint(found, quiet, n - k - 1) {
                if h.recall_at_least >= 0.95 {
                    hint_95 = Some(HintCheck {
                        screened: k + 1,
                        true_recall: found as f64 / rf,
                        hint: h,
                    });
                }
            }
        }
    }
    let n10 = (0.10 * nf).ceil() as usize;
    let found_10 = inc.iter().take(n10).filter(|&&b| b).count();
    let target = (0.95 * rf).ceil() as usize;
    let n95 = if target == 0 { 0 } else { positions[target - 1] };
    let atd = positions.iter().sum::<usize>() as f64 / rf.max(1.0);
    let loss = if r == 0 || r == n {
        0.0
    } else {
        (rf * (nf - (rf - 1.0) / 2.0) - cum) / (rf * (nf - rf))
    };
    Scores {
        records: n,
        includes: r,
        rrf_10: if r == 0 { 0.0 } else { found_10 as f64 / rf },
        wss_95: (nf - n95 as f64) / nf - 0.05,
        atd_records: atd,
        atd_share: atd / nf,
        loss,
        until_last: positions.last().copied().unwrap_or(0),
        hint_95,
    }
}

/// Reads an order written by another tool (one row number a line, the
/// priors first) and returns the rows after the priors.
pub fn read_order(path: &Path, ds: &Dataset, priors: &[usize]) -> Result<Vec<usize>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let row: usize = line.parse().with_context(|| {
            format!("{}:{}: {line:?} is not a row number", path.display(), n + 1)
        })?;
        if row >= ds.labels.len() {
            bail!("{}:{}: row {row} is past the dataset's last row", path.display(), n + 1);
        }
        rows.push(row);
    }
    if rows.len() < priors.len() || rows[..priors.len()] != *priors {
        bail!(
            "{}: the order does not start with the priors {priors:?} (hint: --priors names the \
             rows the other tool started from)",
            path.display()
        );
    }
    let mut seen = vec![false; ds.labels.len()];
    let mut out = Vec::new();
    for &r in &rows[priors.len()..] {
        if !seen[r] && !priors.contains(&r) && ds.labels[r].is_some() {
            seen[r] = true;
            out.push(r);
        }
    }
    // Rows the tool never reached come last, in row order (the worst case
    // for the includes among them).
    out.extend(
        (0..ds.labels.len())
            .filter(|&r| !seen[r] && !priors.contains(&r) && ds.labels[r].is_some()),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(labels: &[bool]) -> Dataset {
        Dataset {
            docs: labels.iter().map(|_| Doc::default()).collect(),
            labels: labels.iter().map(|&l| Some(l)).collect(),
            skipped: Vec::new(),
        }
    }

    #[test]
    fn the_ideal_order_scores_best_and_the_worst_worst() {
        // 2 includes in 10.
        let d = ds(&[true, true, false, false, false, false, false, false, false, false]);
        let best = score(&d, &(0..10).collect::<Vec<_>>());
        assert_eq!(best.loss, 0.0);
        assert_eq!(best.rrf_10, 0.5); // 1 record screened: 1 of 2
                                      // 95% of 2 is 2: found after 2 records; (10 − 2)/10 − 0.05.
        assert!((best.wss_95 - 0.75).abs() < 1e-9);
        assert_eq!(best.atd_records, 1.5);
        let worst = score(&d, &(0..10).rev().collect::<Vec<_>>());
        assert_eq!(worst.loss, 1.0);
        assert_eq!(worst.rrf_10, 0.0);
        assert!((worst.wss_95 - -0.05).abs() < 1e-9);
        assert_eq!(worst.until_last, 10);
    }

    #[test]
    fn a_simple_review_is_learned() {
        let mut d = Dataset::default();
        for i in 0..200 {
            let inc = i % 10 == 0;
            let text = if inc {
                format!("randomised trial of beta blockers w{i}")
            } else {
                format!("case report of a rare rash w{i} topic{}", i % 13)
            };
            d.docs.push(Doc { text, tags: vec![] });
            d.labels.push(Some(inc));
        }
        let r = replay(&d, &[0, 1], 7);
        // Every include is found before any exclude.
        assert_eq!(r.until_last, 19);
        let s = score(&d, &r.order);
        assert_eq!(s.loss, 0.0);
        assert_eq!(r, replay(&d, &[0, 1], 7), "deterministic");
    }
}
