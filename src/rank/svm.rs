//! A linear support vector machine: L2-regularised, squared hinge loss,
//! trained by dual coordinate descent (Hsieh et al. 2008, the solver of
//! LIBLINEAR and so of scikit-learn's `LinearSVC`), with a bias column as
//! LIBLINEAR has it (intercept scaling 1, regularised).
//!
//! Why not a crate: linfa-svm solves kernel SVMs by SMO over dense
//! matrices, and smartcore's SVC likewise; neither takes sparse rows or a
//! warm start. This solver is small, and warm-startable: after one more
//! decision, the previous dual solution (plus a zero for the new record)
//! is a feasible start, so a retrain takes a few sweeps.
//!
//! Per-record weights (ASReview's "balanced" weights) scale C for that
//! record: D_ii = 1 / (2 C_i).

use super::features::Row;
use crate::screen::order::SplitMix;

/// How to train.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// The regularisation constant.
    pub c: f32,
    /// Stop when the projected gradient's spread is below this.
    pub tol: f32,
    pub max_sweeps: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params { c: 0.11, tol: 1e-3, max_sweeps: 1000 }
    }
}

/// A trained (or untrained) model, and the dual variables that warm-start
/// the next training.
#[derive(Debug, Clone, Default)]
pub struct Svm {
    /// Weights of the shared columns.
    pub w: Vec<f32>,
    pub bias: f32,
    /// Dual variables, by record (0 for a record not in training).
    alpha: Vec<f32>,
    /// Sweeps the last training took.
    pub sweeps: usize,
}

impl Svm {
    pub fn new(dim: usize, records: usize) -> Svm {
        Svm { w: vec![0.0; dim], bias: 0.0, alpha: vec![0.0; records], sweeps: 0 }
    }

    /// The decision value of a row (higher: more likely an include).
    pub fn decision(&self, row: &Row) -> f32 {
        row.dot(&self.w) + self.bias
    }

    /// Trains on `train`: (record, +1 include / −1 exclude, weight). The
    /// dual variables of records trained before are kept (a warm start);
    /// those of records no longer in `train` are dropped.
    pub fn train(&mut self, rows: &[Row], train: &[(usize, f32, f32)], p: Params, seed: u64) {
        let mut keep = vec![false; self.alpha.len()];
        for &(i, _, _) in train {
            keep[i] = true;
        }
        for (a, k) in self.alpha.iter_mut().zip(&keep) {
            if !k {
                *a = 0.0;
            }
        }
        // w from the kept duals.
        self.w.iter_mut().for_each(|x| *x = 0.0);
        self.bias = 0.0;
        for &(i, y, _) in train {
            let a = self.alpha[i];
            if a != 0.0 {
                axpy(&mut self.w, a * y, &rows[i]);
                self.bias += a * y;
            }
        }
        let diag: Vec<f32> = train.iter().map(|&(_, _, wt)| 0.5 / (p.c * wt)).collect();
        let qd: Vec<f32> =
            train.iter().zip(&diag).map(|(&(i, _, _), d)| rows[i].norm2() + 1.0 + d).collect();
        let mut order: Vec<usize> = (0..train.len()).collect();
        // The sweep order, reshuffled every sweep (seeded: the same model
        // on every machine).
        let mut rng = SplitMix(seed);
        self.sweeps = 0;
        for sweep in 0..p.max_sweeps {
            self.sweeps = sweep + 1;
            rng.shuffle(&mut order);
            let (mut pg_max, mut pg_min) = (f32::NEG_INFINITY, f32::INFINITY);
            for &k in &order {
                let (i, y, _) = train[k];
                let row = &rows[i];
                let a = self.alpha[i];
                // The record's own terms add a·y·private to w·x.
                let g = y * (row.dot(&self.w) + self.bias) + a * row.private - 1.0 + diag[k] * a;
                let pg = if a == 0.0 { g.min(0.0) } else { g };
                pg_max = pg_max.max(pg);
                pg_min = pg_min.min(pg);
                if pg.abs() > 1e-12 {
                    let new = (a - g / qd[k]).max(0.0);
                    let d = (new - a) * y;
                    self.alpha[i] = new;
                    axpy(&mut self.w, d, row);
                    self.bias += d;
                }
            }
            if pg_max - pg_min <= p.tol {
                break;
            }
        }
    }
}

fn axpy(w: &mut [f32], a: f32, row: &Row) {
    for (&i, &v) in row.idx.iter().zip(&row.val) {
        w[i as usize] += a * v;
    }
}

#[cfg(test)]
mod tests {
    use super::super::features::{Doc, Features};
    use super::*;

    fn docs(texts: &[&str]) -> Features {
        Features::build(
            &texts.iter().map(|t| Doc { text: t.to_string(), tags: vec![] }).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn it_separates_what_it_was_shown_and_generalises_by_shared_words() {
        let f = docs(&[
            "beta blockers after myocardial infarction",
            "beta blockers in heart failure",
            "asthma inhaler technique",
            "inhaler use in asthma clinics",
            "beta blockers and mortality",
            "asthma control in schools",
        ]);
        let mut m = Svm::new(f.dim, f.rows.len());
        let train = [(0, 1.0, 1.0), (1, 1.0, 1.0), (2, -1.0, 1.0), (3, -1.0, 1.0)];
        m.train(&f.rows, &train, Params { c: 1.0, ..Params::default() }, 1);
        assert!(m.decision(&f.rows[0]) > 0.0 && m.decision(&f.rows[2]) < 0.0);
        assert!(m.decision(&f.rows[4]) > m.decision(&f.rows[5]));
    }

    #[test]
    fn a_warm_start_reaches_the_same_model_as_a_cold_one() {
        let texts: Vec<String> = (0..60usize)
            .map(|i| {
                if i.is_multiple_of(3) {
                    format!("trial of drug{} for pain relief r{i}", i % 5)
                } else {
                    format!("survey of clinic{} staff views r{i}", i % 7)
                }
            })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let f = docs(&refs);
        let label = |i: usize| if i.is_multiple_of(3) { 1.0 } else { -1.0 };
        let p = Params { c: 0.5, tol: 1e-5, max_sweeps: 5000 };
        let first: Vec<_> = (0..30).map(|i| (i, label(i), 1.0)).collect();
        let all: Vec<_> = (0..40).map(|i| (i, label(i), 1.0)).collect();
        let mut warm = Svm::new(f.dim, 60);
        warm.train(&f.rows, &first, p, 3);
        warm.train(&f.rows, &all, p, 3);
        let mut cold = Svm::new(f.dim, 60);
        cold.train(&f.rows, &all, p, 3);
        for r in &f.rows[40..] {
            assert!((warm.decision(r) - cold.decision(r)).abs() < 1e-2);
        }
    }
}
