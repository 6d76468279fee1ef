//! The order of the screening queue.
//!
//! By default, the model's ([`super::prioritise`]), which starts from
//! relevance: how well a record's title, abstract, keywords and
//! MeSH match the words of the eligibility criteria (Population / Concept /
//! Context in scoper.toml; BM25, through the index), plus a bonus for each
//! framework element the record has a concept of. Likely includes come
//! first. Also by PMID, by year (newest first), or seeded random (for
//! pilots and for checking that order does not sway reviewers).

use std::collections::{HashMap, HashSet};

use anyhow::{bail, Result};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;

use crate::config::Protocol;
use crate::parse::Pmid;
use crate::view::View;

/// Points a record gains for each framework element it shows.
const ELEMENT_BONUS: f32 = 2.0;

#[derive(Debug, Clone, PartialEq)]
pub enum Order {
    /// Prioritised: a model retrained after each decision (relevance
    /// until there is an include and an exclude).
    Model(u64),
    Relevance,
    Pmid,
    Year,
    Random(u64),
}

impl Order {
    /// `model`, `relevance`, `pmid`, `year` or `random` (with `seed`).
    pub fn parse(s: &str, seed: u64) -> Result<Order> {
        Ok(match s {
            "model" => Order::Model(seed),
            "relevance" => Order::Relevance,
            "pmid" => Order::Pmid,
            "year" => Order::Year,
            "random" => Order::Random(seed),
            other => bail!("no order {other:?} (hint: model, relevance, pmid, year or random)"),
        })
    }

    pub fn label(&self) -> String {
        match self {
            Order::Model(_) => "the model's (TF-IDF + linear SVM, retrained after each decision; \
                                relevance until there is an include and an exclude)"
                .into(),
            Order::Relevance => "relevance to the eligibility criteria and the concepts".into(),
            Order::Pmid => "PMID".into(),
            Order::Year => "year, newest first".into(),
            Order::Random(s) => format!("random, seed {s}"),
        }
    }
}

/// A small, seeded generator (splitmix64): the same seed gives the same
/// order on every machine.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn draw(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Shuffles `items` in place (Fisher–Yates), drawing from this
    /// generator.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.draw() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// One draw of the generator seeded with `seed`.
pub fn splitmix(seed: u64) -> u64 {
    SplitMix(seed).draw()
}

/// `items` shuffled with `seed` (Fisher–Yates).
pub fn shuffled<T>(mut items: Vec<T>, seed: u64) -> Vec<T> {
    SplitMix(seed).shuffle(&mut items);
    items
}

/// The pilot set: the same `n` records for every reviewer (seeded by the
/// records themselves, so it does not depend on who asks).
pub fn pilot(records: &[Pmid], n: usize) -> Vec<Pmid> {
    let mut sorted = records.to_vec();
    sorted.sort_unstable();
    let mut picked = shuffled(sorted, 25);
    picked.truncate(n);
    picked
}

/// The words of the eligibility criteria, as one query of alternatives.
fn criteria_query(protocol: &Protocol) -> String {
    let e = &protocol.eligibility;
    let text = format!("{} {} {}", e.population, e.concept, e.context);
    let mut seen = HashSet::new();
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 3 && !STOP.contains(&w.to_lowercase().as_str()))
        .map(|w| w.to_lowercase())
        .filter(|w| seen.insert(w.clone()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words of criteria prose that say nothing about a record.
const STOP: [&str; 12] = [
    "with",
    "from",
    "that",
    "this",
    "their",
    "them",
    "they",
    "onwards",
    "including",
    "into",
    "only",
    "which",
];

/// `records` in `order`.
pub fn rank(
    view: &View,
    protocol: &Protocol,
    records: &[Pmid],
    order: &Order,
) -> Result<Vec<Pmid>> {
    let mut out = records.to_vec();
    match order {
        Order::Pmid => out.sort_unstable(),
        Order::Random(seed) => {
            out.sort_unstable();
            out = shuffled(out, *seed);
        }
        Order::Year => {
            let years = years(view)?;
            out.sort_by_key(|p| (std::cmp::Reverse(years.get(p).copied().unwrap_or(i64::MIN)), *p));
        }
        Order::Relevance | Order::Model(_) => {
            let mut score: HashMap<Pmid, f32> = HashMap::new();
            let words = criteria_query(protocol);
            if !words.is_empty() {
                let searcher = view.searcher();
                let index = view.index();
                let fields = crate::store::index::DEFAULT_FIELDS
                    .iter()
                    .map(|f| index.tantivy().schema().get_field(f).expect("field"))
                    .collect();
                let parser = QueryParser::for_index(index.tantivy(), fields);
                let (query, _) = parser.parse_query_lenient(&words);
                let n = (searcher.num_docs() as usize).max(1);
                let by_addr: HashMap<_, _> =
                    index.addresses(&searcher)?.into_iter().map(|(p, a)| (a, p)).collect();
                for (s, addr) in
                    searcher.search(&query, &TopDocs::with_limit(n).order_by_score())?
                {
                    if let Some(p) = by_addr.get(&addr) {
                        score.insert(*p, s);
                    }
                }
            }
            if let Some(tags) = view.tag_set() {
                for (p, hits) in &tags.hits {
                    let elements: HashSet<&str> = hits.iter().map(|h| h.element.as_str()).collect();
                    *score.entry(*p).or_default() += ELEMENT_BONUS * elements.len() as f32;
                }
            }
            out.sort_by(|a, b| {
                let (sa, sb) =
                    (score.get(a).copied().unwrap_or(0.0), score.get(b).copied().unwrap_or(0.0));
                sb.total_cmp(&sa).then(a.cmp(b))
            });
        }
    }
    Ok(out)
}

/// Every record's year, from the index's fast field (no record is loaded).
fn years(view: &View) -> Result<HashMap<Pmid, i64>> {
    let searcher = view.searcher();
    let mut out = HashMap::new();
    for seg in searcher.segment_readers() {
        let ff = seg.fast_fields();
        let (pmids, years) = (ff.u64("pmid_n")?, ff.i64("year")?);
        for doc in seg.doc_ids_alive() {
            if let (Some(p), Some(y)) = (pmids.first(doc).and_then(Pmid::new), years.first(doc)) {
                out.insert(p, y);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_one_order_and_the_pilot_is_everyones() {
        let v: Vec<u32> = (0..50).collect();
        assert_eq!(shuffled(v.clone(), 7), shuffled(v.clone(), 7));
        assert_ne!(shuffled(v.clone(), 7), shuffled(v.clone(), 8));
        let mut s = shuffled(v.clone(), 7);
        s.sort();
        assert_eq!(s, v);
        let recs: Vec<Pmid> = (1..=100).map(|n| Pmid::new(n).unwrap()).collect();
        let mut reversed = recs.clone();
        reversed.reverse();
        assert_eq!(pilot(&recs, 10), pilot(&reversed, 10));
        assert_eq!(pilot(&recs, 10).len(), 10);
    }
}
