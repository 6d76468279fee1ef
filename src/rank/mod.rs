//! Prioritised screening (active learning): rank the records not yet
//! screened by what the reviewer has decided so far, so that likely
//! includes come first.
//!
//! The model follows ASReview's default ("elas_u4"): TF-IDF over word
//! unigrams and bigrams ([`features`]), a linear SVM with the squared hinge
//! loss and C = 0.11 ([`svm`]), includes weighted up (balance ratio 9.8),
//! retrained after every decision, next record = highest decision value,
//! ties by record order. Records also carry their MeSH headings, keywords
//! and framework concepts as features where a workspace has them.
//!
//! - [`Model`]: features + classifier, retrained incrementally;
//! - [`stop_hint`]: when to consider stopping, and how sure that is;
//! - [`simulate`]: replays a labeled review and scores the order.

pub mod features;
pub mod simulate;
pub mod svm;

use features::{Doc, Features};
use svm::{Params, Svm};

/// How strongly includes are weighted up: excludes weigh n₁ / (ratio·n₀)
/// of an include (ASReview's "balanced" weights, ratio 9.8).
pub const BALANCE_RATIO: f32 = 9.8;

/// A ranking model over a fixed set of records.
pub struct Model {
    features: Features,
    svm: Svm,
    params: Params,
    seed: u64,
    /// Decisions the model was last trained on (0: not trained).
    pub trained_on: usize,
}

impl Model {
    /// The features of `docs` (this is the slow part: the text of every
    /// record is read once more).
    pub fn new(docs: &[Doc], seed: u64) -> Model {
        let features = Features::build(docs);
        let svm = Svm::new(features.dim, features.rows.len());
        Model { features, svm, params: Params::default(), seed, trained_on: 0 }
    }

    pub fn len(&self) -> usize {
        self.features.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.rows.is_empty()
    }

    /// Trains on `labels` (record, included?). False, and nothing
    /// changes, unless there is at least one include and one exclude.
    pub fn train(&mut self, labels: &[(usize, bool)]) -> bool {
        let n1 = labels.iter().filter(|l| l.1).count();
        let n0 = labels.len() - n1;
        if n1 == 0 || n0 == 0 {
            return false;
        }
        let w0 = n1 as f32 / (BALANCE_RATIO * n0 as f32);
        // Scaled so that the weights sum to the number of records.
        let scale = labels.len() as f32 / (n1 as f32 + w0 * n0 as f32);
        let train: Vec<(usize, f32, f32)> = labels
            .iter()
            .map(|&(i, inc)| if inc { (i, 1.0, scale) } else { (i, -1.0, w0 * scale) })
            .collect();
        self.svm.train(&self.features.rows, &train, self.params, self.seed);
        self.trained_on = labels.len();
        true
    }

    /// The decision value of record `i` (higher: more likely an include).
    pub fn score(&self, i: usize) -> f32 {
        self.svm.decision(&self.features.rows[i])
    }

    /// `candidates` best first; ties by record order.
    pub fn rank(&self, candidates: &[usize]) -> Vec<usize> {
        self.top(candidates, candidates.len())
    }

    /// The best `k` of `candidates`, best first (ties by record order),
    /// without sorting the rest.
    pub fn top(&self, candidates: &[usize], k: usize) -> Vec<usize> {
        let mut scored: Vec<(f32, usize)> =
            candidates.iter().map(|&i| (self.score(i), i)).collect();
        let better = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if scored.len() > k && k > 0 {
            scored.select_nth_unstable_by(k - 1, better);
            scored.truncate(k);
        }
        scored.sort_unstable_by(better);
        scored.into_iter().map(|s| s.1).collect()
    }

    /// The best of `candidates` (ties: the first in record order).
    pub fn best(&self, candidates: impl Iterator<Item = usize>) -> Option<usize> {
        let mut best: Option<(f32, usize)> = None;
        for i in candidates {
            let s = self.score(i);
            if best.is_none_or(|(bs, bi)| s > bs || (s == bs && i < bi)) {
                best = Some((s, i));
            }
        }
        best.map(|b| b.1)
    }
}

/// When to consider stopping: no include in the last `quiet` records
/// screened in the model's order, with `left` records still unscreened.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct StopHint {
    pub quiet: usize,
    pub left: usize,
    pub found: usize,
    /// At most this many includes are left (95% bound).
    pub left_includes_at_most: f64,
    /// So recall is at least this (0–1).
    pub recall_at_least: f64,
}

/// The stopping hint. The estimate: the records still unscreened rank
/// below the last `quiet` ones, so their share of includes is taken to be
/// no higher than in those; with 0 includes in `quiet` records, that share
/// is below 1 − 0.05^(1/quiet) with 95% confidence (about 3/quiet, the
/// "rule of three"). Then at most `left` times that share of includes are
/// left, and recall is at least found / (found + that). A bound, so it is
/// cautious; `simulate` reports how it fared on labeled reviews.
pub fn stop_hint(found: usize, quiet: usize, left: usize) -> Option<StopHint> {
    if found == 0 || quiet == 0 {
        return None;
    }
    let share = 1.0 - 0.05f64.powf(1.0 / quiet as f64);
    let most = (share * left as f64).min(left as f64);
    Some(StopHint {
        quiet,
        left,
        found,
        left_includes_at_most: most,
        recall_at_least: found as f64 / (found as f64 + most),
    })
}

impl StopHint {
    pub fn sentence(&self) -> String {
        format!(
            "no include in the last {} records; estimated recall ≥ {:.0}% (at most {:.0} of {} \
             unscreened are includes, 95% bound)",
            self.quiet,
            (self.recall_at_least * 100.0).floor(),
            self.left_includes_at_most.ceil(),
            self.left
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stop_hint_is_a_cautious_bound() {
        assert_eq!(stop_hint(0, 50, 100), None);
        let h = stop_hint(40, 100, 1000).unwrap();
        // 1 − 0.05^(1/100) ≈ 0.0295: at most ~30 left, recall ≥ 40/70.
        assert!((h.left_includes_at_most - 29.5).abs() < 0.2, "{h:?}");
        assert!((h.recall_at_least - 40.0 / 69.5).abs() < 0.01);
        assert!(h
            .sentence()
            .starts_with("no include in the last 100 records; estimated recall ≥ 57%"));
        // A longer quiet run, a tighter bound.
        assert!(stop_hint(40, 400, 1000).unwrap().recall_at_least > h.recall_at_least);
    }
}
