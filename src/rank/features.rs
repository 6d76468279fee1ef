//! TF-IDF features of records: word unigrams and bigrams of the title,
//! abstract and keywords, plus whole-token tags (MeSH headings, the
//! framework's concepts), each row L2-normalised.
//!
//! The weighting is scikit-learn's `TfidfVectorizer(ngram_range=(1, 2),
//! sublinear_tf=True, max_df=0.95)` (the features of ASReview's default
//! model): tokens are runs of two or more word characters, lowercased;
//! tf = 1 + ln(count); idf = ln((1 + n) / (1 + df)) + 1; a term in more
//! than 95% of the records is dropped.
//!
//! A term that only one record has cannot move the ranking of any other
//! record, but it does count in that record's norm and in how the
//! classifier fits it. Such terms are not given a column: their squared
//! weights are kept as one number per row ([`Row::private`]), which the
//! classifier uses exactly as it would use the columns. This keeps the
//! vocabulary (and memory) to the shared terms.

use std::collections::HashMap;

/// One record's text, as the features see it.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// Title, abstract, keywords: tokenised into unigrams and bigrams.
    pub text: String,
    /// Whole-token features (a MeSH heading, a concept id): one term each.
    pub tags: Vec<String>,
}

/// A sparse, L2-normalised row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    /// Column indices, increasing.
    pub idx: Vec<u32>,
    pub val: Vec<f32>,
    /// The squared weight of this record's own terms (in no other record).
    pub private: f32,
}

impl Row {
    /// Σ w[i]·x[i] over the shared columns.
    pub fn dot(&self, w: &[f32]) -> f32 {
        self.idx.iter().zip(&self.val).map(|(&i, &v)| w[i as usize] * v).sum()
    }

    /// The squared norm, own terms included (1 for a row with any term).
    pub fn norm2(&self) -> f32 {
        self.val.iter().map(|v| v * v).sum::<f32>() + self.private
    }
}

/// The rows of a set of records, in their order.
#[derive(Debug, Clone)]
pub struct Features {
    pub rows: Vec<Row>,
    /// The number of shared columns.
    pub dim: usize,
}

/// Share of the records above which a term is dropped (`max_df`).
const MAX_DF: f64 = 0.95;

/// FNV-1a over bytes, continuing from `h`: stable across runs and
/// machines, so the same records give the same columns.
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// The terms of a record, as hashes (repeats kept: they are the counts).
fn terms(doc: &Doc, out: &mut Vec<u64>) {
    out.clear();
    let lower = doc.text.to_lowercase();
    let mut prev: Option<u64> = None;
    for tok in lower.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        if tok.chars().nth(1).is_none() {
            // Not a token (fewer than two characters): it breaks no
            // bigram in scikit-learn either, as it is never seen.
            continue;
        }
        let h = fnv(FNV_START, tok.as_bytes());
        out.push(h);
        if let Some(p) = prev {
            // A bigram: the two words' hashes, mixed (order matters).
            out.push(fnv(fnv(FNV_START, &p.to_le_bytes()), &h.to_le_bytes()));
        }
        prev = Some(h);
    }
    for tag in &doc.tags {
        out.push(fnv(fnv(FNV_START, b"\x01"), tag.to_lowercase().as_bytes()));
    }
}

impl Features {
    /// The features of `docs` (two passes over the text: document
    /// frequencies, then rows).
    pub fn build(docs: &[Doc]) -> Features {
        let n = docs.len();
        let mut df: HashMap<u64, u32> = HashMap::new();
        let mut buf = Vec::new();
        for d in docs {
            terms(d, &mut buf);
            buf.sort_unstable();
            buf.dedup();
            for &t in &buf {
                *df.entry(t).or_default() += 1;
            }
        }
        let max_df = (MAX_DF * n as f64).floor() as u32;
        let idf = |df: u32| (((1 + n) as f64 / (1 + df) as f64).ln() + 1.0) as f32;
        // Columns for the shared terms, numbered in order of first sight
        // (deterministic: the documents' order).
        let mut column: HashMap<u64, u32> = HashMap::new();
        let mut rows = Vec::with_capacity(n);
        for d in docs {
            terms(d, &mut buf);
            buf.sort_unstable();
            let mut row = Row::default();
            let mut cells: Vec<(u32, f32)> = Vec::new();
            let mut i = 0;
            while i < buf.len() {
                let t = buf[i];
                let mut count = 0;
                while i < buf.len() && buf[i] == t {
                    count += 1;
                    i += 1;
                }
                let f = df[&t];
                if f > max_df {
                    continue;
                }
                let w = (1.0 + (count as f32).ln()) * idf(f);
                if f == 1 {
                    row.private += w * w;
                } else {
                    let next = column.len() as u32;
                    cells.push((*column.entry(t).or_insert(next), w));
                }
            }
            cells.sort_unstable_by_key(|c| c.0);
            let norm = (cells.iter().map(|c| c.1 * c.1).sum::<f32>() + row.private).sqrt();
            if norm > 0.0 {
                row.private /= norm * norm;
                row.idx = cells.iter().map(|c| c.0).collect();
                row.val = cells.iter().map(|c| c.1 / norm).collect();
            }
            rows.push(row);
        }
        Features { rows, dim: column.len() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(t: &str) -> Doc {
        Doc { text: t.into(), tags: Vec::new() }
    }

    #[test]
    fn rows_are_unit_length_and_shared_terms_get_columns() {
        let f = Features::build(&[
            doc("Asthma in children: a trial"),
            doc("asthma in adults"),
            doc("A cohort of smokers"),
        ]);
        for r in &f.rows {
            assert!((r.norm2() - 1.0).abs() < 1e-5, "{r:?}");
        }
        // "asthma", "in" and "asthma in" are shared by two records of
        // three (under 95%): three columns; everything else is own.
        assert_eq!(f.dim, 3);
        assert_eq!(f.rows[0].idx, vec![0, 1, 2]);
        assert!(f.rows[2].idx.is_empty() && f.rows[2].private > 0.99);
        // The same terms weigh the same, whatever the case.
        assert_eq!(f.rows[0].idx, f.rows[1].idx);
    }

    #[test]
    fn a_term_in_nearly_every_record_is_dropped() {
        let docs: Vec<Doc> = (0..40).map(|i| doc(&format!("study w{i} w{}", i % 2))).collect();
        let f = Features::build(&docs);
        // "study" (40 of 40) is dropped; w0 and w1 (20 each) are kept.
        assert_eq!(f.dim, 2);
    }

    #[test]
    fn tags_are_whole_terms() {
        let mut a = doc("x");
        a.tags = vec!["Health Equity".into()];
        let mut b = doc("y");
        b.tags = vec!["health equity".into()];
        let f = Features::build(&[a, b, doc("zz")]);
        assert_eq!(f.dim, 1);
        assert_eq!(f.rows[0].idx, f.rows[1].idx);
    }
}
