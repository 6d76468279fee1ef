//! Duplicates across sources: the same study found in PubMed and exported
//! from Embase, Scopus or Web of Science. Records are matched by DOI, then
//! PMID, then normalised title with year and first author, then a fuzzy
//! title (same year, nearly the same words). Duplicates are grouped, never
//! deleted: one record of a group is its primary (the PubMed record where
//! there is one, else the one with the smallest id), and the others are counted as
//! duplicates removed (PRISMA) and left out of screening.
//!
//! Not duplicates, whatever their titles: records with two different DOIs,
//! an erratum or retraction notice and its article, records of different
//! kinds (a conference abstract and the journal article, a book and its
//! chapter), and records of different years by title alone (a commentary
//! series with one title).
//!
//! A reviewer confirms or splits a pair (`scoper duplicates --same A,B`,
//! `--not A,B`); the judgements are kept in `dedup/judgements.jsonl`
//! (append-only, last word wins). The groups are derived data, saved in
//! `.scoper/duplicates.json` when the corpus changes.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::parse::tagged::{identity_key, OWN_ID_BASE};
use crate::parse::{Pmid, Record};
use crate::store::log::AppendLog;
use crate::store::{CorpusIndex, Workspace};

/// How two records were matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub a: Pmid,
    pub b: Pmid,
    /// `doi`, `pmid`, `title, year and first author`, `fuzzy title (0.93)`,
    /// or `confirmed by NAME`.
    pub by: String,
}

/// One record of a group, as the listing shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: Pmid,
    pub database: String,
    pub title: String,
    pub year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doi: Option<String>,
}

/// Records that are one study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub primary: Pmid,
    pub members: Vec<Member>,
    pub links: Vec<Link>,
    /// True when a link is a fuzzy title match nobody has confirmed.
    pub unconfirmed: bool,
}

/// Every group of the working set.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Duplicates {
    pub records: usize,
    pub groups: Vec<Group>,
    /// What the groups were found from ([`fingerprint`]): the same, and
    /// they need not be found again.
    #[serde(default)]
    pub fingerprint: String,
}

/// A reviewer's word on a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    pub a: Pmid,
    pub b: Pmid,
    /// True: the same study; false: not.
    pub same: bool,
    pub reviewer: String,
    pub time: String,
}

pub fn judgements_log(ws: &Workspace) -> AppendLog<Judgement> {
    AppendLog::new(ws.root().join("dedup").join("judgements.jsonl"), "dedup/judgements.jsonl")
}

fn saved_path(ws: &Workspace) -> std::path::PathBuf {
    ws.derived().join("duplicates.json")
}

/// Words of a title: lower case, letters and digits.
fn words(title: &str) -> Vec<String> {
    crate::parse::text::words(&title.to_lowercase()).map(String::from).collect()
}

/// Title words numbered, so that a record keeps numbers, not strings.
#[derive(Default)]
pub struct Words(HashMap<Box<str>, u32>);

impl Words {
    fn id(&mut self, w: &str) -> u32 {
        if let Some(&i) = self.0.get(w) {
            return i;
        }
        let i = self.0.len() as u32;
        self.0.insert(w.into(), i);
        i
    }
}

/// What matching reads of one record, worked out once. Small on purpose:
/// the finder holds one for every record of the working set (100,000 in
/// the benchmark), and a block of similar titles is compared pairwise.
pub struct Entry {
    id: Pmid,
    /// A PubMed record (no `source`).
    pubmed: bool,
    database: Box<str>,
    title: Box<str>,
    year: Option<i32>,
    /// Normalised (lower case, no resolver prefix).
    doi: Option<Box<str>>,
    pmid: Option<u64>,
    kind: Option<&'static str>,
    notice: bool,
    /// Title, year and first author, normalised; `None` without a title.
    identity: Option<Box<str>>,
    /// The title's numbers ("part 1"), in order.
    numbers: Box<[u32]>,
    /// The title's distinct words, sorted.
    set: Box<[u32]>,
    /// The fuzzy block: the first two of the title's first three long
    /// words, sorted (titles of four words or more).
    block: Option<(u32, u32)>,
}

impl Entry {
    /// The entry of `r`, its words numbered in `vocab`.
    pub fn of(r: &Record, vocab: &mut Words) -> Entry {
        let t = words(&r.title);
        let ids: Vec<u32> = t.iter().map(|w| vocab.id(w)).collect();
        let mut set = ids.clone();
        set.sort_unstable();
        set.dedup();
        let block = (t.len() >= 4).then(|| {
            let mut head: Vec<&String> = t.iter().filter(|w| w.len() > 3).take(3).collect();
            head.sort();
            let mut id = |k: usize| head.get(k).map_or(u32::MAX, |w| vocab.id(w));
            (id(0), id(1))
        });
        Entry {
            id: r.pmid,
            pubmed: r.source.is_none(),
            database: r.database().into(),
            title: r.title.as_str().into(),
            year: r.year,
            doi: r.doi.as_deref().map(|d| norm_doi(d).into()),
            pmid: pmid_of(r),
            kind: kind(r),
            notice: is_notice(&r.title),
            identity: (!r.title.trim().is_empty())
                .then(|| identity_key(&r.title, r.year, r.authors.first()).into()),
            numbers: t
                .iter()
                .zip(&ids)
                .filter(|(w, _)| w.chars().all(|c| c.is_ascii_digit()))
                .map(|(_, &i)| i)
                .collect(),
            set: set.into(),
            block,
        }
    }
}

/// An erratum, correction or retraction notice (never the article's
/// duplicate).
fn is_notice(title: &str) -> bool {
    let t = title.trim_start_matches(['[', '(']).to_lowercase();
    ["erratum", "correction", "corrigendum", "retraction", "retracted:", "expression of concern"]
        .iter()
        .any(|p| t.starts_with(p))
}

/// The kind of a record, where the export says: conference, book, chapter,
/// or article.
fn kind(r: &Record) -> Option<&'static str> {
    let k = r.source.as_ref().and_then(|s| s.kind.clone()).unwrap_or_default().to_uppercase();
    let types = r.publication_types.join(" ").to_lowercase();
    if k.starts_with("CONF") || k == "CPAPER" || k == "ABST" || types.contains("conference") {
        Some("conference")
    } else if k == "CHAP" || types.contains("chapter") {
        Some("chapter")
    } else if k == "BOOK" || k == "EBOOK" || r.book && !types.contains("chapter") {
        Some("book")
    } else if k == "JOUR" || k == "J" || k.is_empty() && r.source.is_none() {
        Some("article")
    } else {
        None
    }
}

fn norm_doi(d: &str) -> String {
    d.trim().trim_start_matches("https://doi.org/").trim_start_matches("doi:").to_lowercase()
}

/// The PMID a record stands for: its own (a PubMed record), or the one its
/// export gives.
fn pmid_of(r: &Record) -> Option<u64> {
    match &r.source {
        None => (r.pmid.get() < OWN_ID_BASE).then_some(r.pmid.get()),
        Some(s) => s.pmid,
    }
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, i: usize) -> usize {
        let mut r = i;
        while self.0[r] != r {
            r = self.0[r];
        }
        let mut j = i;
        while self.0[j] != r {
            let next = self.0[j];
            self.0[j] = r;
            j = next;
        }
        r
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// The share of words two titles have in common (Jaccard of their word
/// sets, each sorted and without repeats).
fn similarity(a: &[u32], b: &[u32]) -> f64 {
    let (mut i, mut j, mut inter) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// Both known, and not the same.
fn differ<T: PartialEq>(x: &Option<T>, y: &Option<T>) -> bool {
    matches!((x, y), (Some(x), Some(y)) if x != y)
}

/// Titles at least this alike (and of the same year) are a fuzzy match.
pub const FUZZY: f64 = 0.85;

/// Finds the groups among `records`, with the reviewers' `judgements`.
pub fn find(records: &[Record], judgements: &[Judgement]) -> Duplicates {
    let mut vocab = Words::default();
    let entries: Vec<Entry> = records.iter().map(|r| Entry::of(r, &mut vocab)).collect();
    group(&entries, judgements)
}

/// Finds the groups among `records` (the primary of a group without a
/// PubMed record is the first of its members here), with the reviewers'
/// `judgements`.
pub fn group(records: &[Entry], judgements: &[Judgement]) -> Duplicates {
    let n = records.len();
    let index: HashMap<Pmid, usize> = records.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    // The last word on each pair.
    let mut said: HashMap<(Pmid, Pmid), (bool, String)> = HashMap::new();
    for j in judgements {
        let key = if j.a < j.b { (j.a, j.b) } else { (j.b, j.a) };
        said.insert(key, (j.same, j.reviewer.clone()));
    }
    let split = |a: Pmid, b: Pmid| {
        let key = if a < b { (a, b) } else { (b, a) };
        said.get(&key).is_some_and(|(same, _)| !same)
    };
    let mut uf = UnionFind((0..n).collect());
    let mut links: Vec<(usize, usize, String)> = Vec::new();
    let link = |uf: &mut UnionFind,
                links: &mut Vec<(usize, usize, String)>,
                a: usize,
                b: usize,
                by: String| {
        if !split(records[a].id, records[b].id) {
            if uf.find(a) != uf.find(b) {
                links.push((a, b, by));
            }
            uf.union(a, b);
        }
    };
    let compatible = |a: usize, b: usize| {
        let (ta, tb) = (&records[a], &records[b]);
        // Two different DOIs; a conference abstract and an article, a book
        // and its chapter; two PubMed records (PubMed has one record a
        // study), or two different PMIDs; "part 1" and "part 2"; a notice
        // and its article: never one study.
        !differ(&ta.doi, &tb.doi)
            && !differ(&ta.kind, &tb.kind)
            && !differ(&ta.pmid, &tb.pmid)
            && ta.numbers == tb.numbers
            && ta.notice == tb.notice
    };
    // By DOI, by PMID, by title + year + first author: equal keys.
    let by_key = |key_of: &dyn for<'e> Fn(&'e Entry) -> Option<Cow<'e, str>>,
                  by: &str,
                  check: bool,
                  uf: &mut UnionFind,
                  links: &mut Vec<(usize, usize, String)>| {
        let mut first: HashMap<Cow<str>, usize> = HashMap::new();
        for (i, r) in records.iter().enumerate() {
            let Some(k) = key_of(r) else { continue };
            match first.get(&k) {
                // Two PubMed records are two studies, even with one DOI.
                Some(&j) if records[i].pubmed && records[j].pubmed => {}
                Some(&j) if !check || compatible(i, j) => link(uf, links, j, i, by.to_string()),
                Some(_) => {}
                None => {
                    first.insert(k, i);
                }
            }
        }
    };
    by_key(&|r| r.doi.as_deref().map(Cow::Borrowed), "doi", false, &mut uf, &mut links);
    by_key(&|r| r.pmid.map(|p| Cow::Owned(p.to_string())), "pmid", false, &mut uf, &mut links);
    by_key(
        &|r| r.identity.as_deref().map(Cow::Borrowed),
        "title, year and first author",
        true,
        &mut uf,
        &mut links,
    );
    // Fuzzy: the same year and nearly the same words, within blocks of
    // records that share their title's first two words (sorted), so the
    // comparisons stay few.
    let mut blocks: BTreeMap<(Option<i32>, u32, u32), Vec<usize>> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Some((b0, b1)) = r.block {
            blocks.entry((r.year, b0, b1)).or_default().push(i);
        }
    }
    for members in blocks.values() {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if uf.find(a) == uf.find(b) || !compatible(a, b) {
                    continue;
                }
                let s = similarity(&records[a].set, &records[b].set);
                if s >= FUZZY {
                    link(&mut uf, &mut links, a, b, format!("fuzzy title ({s:.2})"));
                }
            }
        }
    }
    // Confirmed pairs.
    for ((a, b), (same, who)) in &said {
        if let (true, Some(&i), Some(&j)) = (*same, index.get(a), index.get(b)) {
            if uf.find(i) != uf.find(j) {
                links.push((i, j, format!("confirmed by {who}")));
                uf.union(i, j);
            }
        }
    }
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        members.entry(uf.find(i)).or_default().push(i);
    }
    // Each link under its group's root, once (not a scan of every link for
    // every group: 30,000 groups and 60,000 links on 100,000 records).
    let mut links_of: HashMap<usize, Vec<(usize, usize, String)>> = HashMap::new();
    for (a, b, by) in links {
        links_of.entry(uf.find(a)).or_default().push((a, b, by));
    }
    let mut groups = Vec::new();
    for (_, ms) in members.into_iter().filter(|(_, m)| m.len() > 1) {
        // The PubMed record, else the smallest id (records are sorted by id).
        let primary = ms.iter().copied().find(|&i| records[i].pubmed).unwrap_or(ms[0]);
        let root = uf.find(ms[0]);
        let glinks: Vec<Link> = links_of
            .remove(&root)
            .unwrap_or_default()
            .into_iter()
            .map(|(a, b, by)| Link { a: records[a].id, b: records[b].id, by })
            .collect();
        let unconfirmed = glinks.iter().any(|l| {
            l.by.starts_with("fuzzy") && {
                let key = if l.a < l.b { (l.a, l.b) } else { (l.b, l.a) };
                !said.contains_key(&key)
            }
        });
        groups.push(Group {
            primary: records[primary].id,
            members: ms
                .iter()
                .map(|&i| {
                    let r = &records[i];
                    Member {
                        id: r.id,
                        database: r.database.to_string(),
                        title: r.title.to_string(),
                        year: r.year,
                        doi: r.doi.as_deref().map(String::from),
                    }
                })
                .collect(),
            links: glinks,
            unconfirmed,
        });
    }
    Duplicates { records: n, groups, fingerprint: String::new() }
}

impl Duplicates {
    /// Records counted as duplicates removed: every member but the primary.
    pub fn removed(&self) -> usize {
        self.groups.iter().map(|g| g.members.len() - 1).sum()
    }

    /// Record → its group's primary, for the records that are not primary,
    /// read from the saved groups without their titles and links (what every
    /// read command needs; 30,000 groups on 100,000 records).
    pub fn load_secondary(ws: &Workspace) -> HashMap<Pmid, Pmid> {
        #[derive(Deserialize)]
        struct Id {
            id: Pmid,
        }
        #[derive(Deserialize)]
        struct Slim {
            primary: Pmid,
            members: Vec<Id>,
        }
        #[derive(Deserialize)]
        struct Saved {
            groups: Vec<Slim>,
        }
        let Some(saved) = std::fs::read(saved_path(ws))
            .ok()
            .and_then(|b| serde_json::from_slice::<Saved>(&b).ok())
        else {
            return HashMap::new();
        };
        saved
            .groups
            .into_iter()
            .flat_map(|g| {
                g.members
                    .into_iter()
                    .filter(move |m| m.id != g.primary)
                    .map(move |m| (m.id, g.primary))
            })
            .collect()
    }

    /// The saved groups (empty when there are none saved).
    pub fn load(ws: &Workspace) -> Duplicates {
        std::fs::read(saved_path(ws))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }
}

/// Finds the groups of the working set in `index` and saves them (after
/// the corpus or the judgements changed).
pub fn refresh(ws: &Workspace, index: &CorpusIndex) -> Result<()> {
    // The corpus and the judgements as they were when the groups were
    // saved: nothing to do (`run` after `import`, `index` with nothing new).
    let fingerprint = fingerprint(ws);
    if saved_fingerprint(ws).as_deref() == Some(fingerprint.as_str()) {
        return Ok(());
    }
    // Only PubMed XML in the corpus: PubMed has one record a study, so there
    // is nothing to group (and nothing to read).
    let listing = crate::store::corpus::corpus_files(ws).context("could not list corpus/")?;
    let only_pubmed = listing.files.iter().all(|f| {
        let name = f.path.to_ascii_lowercase();
        name.ends_with(".xml") || name.ends_with(".xml.gz")
    });
    if only_pubmed {
        let found = Duplicates {
            records: index.searcher()?.num_docs() as usize,
            groups: Vec::new(),
            fingerprint,
        };
        return save(ws, &found);
    }
    // Only what matching reads is read (no abstract, MeSH...): on 100,000
    // records the whole records would take seconds and hundreds of MB.
    #[derive(Deserialize)]
    struct Slim {
        pmid: Pmid,
        title: String,
        year: Option<i32>,
        doi: Option<String>,
        #[serde(default)]
        authors: Vec<crate::parse::Author>,
        #[serde(default)]
        publication_types: Vec<String>,
        #[serde(default)]
        book: bool,
        #[serde(default)]
        source: Option<crate::parse::tagged::Source>,
    }
    let mut vocab = Words::default();
    let mut records = Vec::new();
    index.for_each_stored(|r: Slim| {
        let record = Record {
            pmid: r.pmid,
            title: r.title,
            year: r.year,
            doi: r.doi,
            authors: r.authors.into_iter().take(1).collect(),
            publication_types: r.publication_types,
            book: r.book,
            source: r.source,
            ..Record::default()
        };
        records.push(Entry::of(&record, &mut vocab));
        Ok(())
    })?;
    // The same order on every machine: by id (the PubMed records, whose ids
    // are PMIDs, come first).
    records.sort_by_key(|r| r.id);
    drop(vocab);
    let judged =
        judgements_log(ws).read().context("could not read dedup/judgements.jsonl")?.entries;
    save(ws, &Duplicates { fingerprint, ..group(&records, &judged) })
}

/// What the groups of the working set are found from: the corpus the index
/// holds (its state file) and the reviewers' judgements.
fn fingerprint(ws: &Workspace) -> String {
    let mut h = blake3::Hasher::new();
    h.update(b"scoper duplicates 1\0");
    h.update(&std::fs::read(ws.index_state()).unwrap_or_default());
    h.update(b"\0");
    h.update(&std::fs::read(judgements_log(ws).path()).unwrap_or_default());
    h.finalize().to_hex().to_string()
}

/// The fingerprint of the saved groups (the rest of the file is skipped,
/// not kept).
fn saved_fingerprint(ws: &Workspace) -> Option<String> {
    #[derive(Deserialize)]
    struct Saved {
        #[serde(default)]
        fingerprint: String,
    }
    let bytes = std::fs::read(saved_path(ws)).ok()?;
    serde_json::from_slice::<Saved>(&bytes).ok().map(|s| s.fingerprint)
}

/// Saves the groups in `.scoper/` (derived data), atomically.
fn save(ws: &Workspace, found: &Duplicates) -> Result<()> {
    crate::store::atomic::write_atomic(&saved_path(ws), &serde_json::to_vec(found)?)
        .context("could not save the duplicate groups")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::tagged::Source;

    fn rec(id: u64, title: &str, year: i32, doi: Option<&str>, db: Option<&str>) -> Record {
        Record {
            pmid: Pmid::new(id).unwrap(),
            title: title.into(),
            year: Some(year),
            doi: doi.map(String::from),
            source: db.map(|d| Source {
                database: d.into(),
                kind: Some("JOUR".into()),
                ..Source::default()
            }),
            ..Record::default()
        }
    }

    #[test]
    fn matched_by_doi_title_and_fuzzy_title_and_the_traps_kept_apart() {
        let long = "Gambling harms among young adults in Finland: a population cohort study";
        let records = vec![
            rec(11, "Gambling harms in young adults", 2020, Some("10.1/a"), None),
            rec(
                OWN_ID_BASE + 1,
                "Gambling Harms in Young Adults.",
                2020,
                Some("https://doi.org/10.1/A"),
                Some("Scopus"),
            ),
            rec(OWN_ID_BASE + 2, long, 2021, None, Some("Embase")),
            rec(OWN_ID_BASE + 7, &long.replace(": a ", ": "), 2021, None, Some("Scopus")),
            rec(
                OWN_ID_BASE + 3,
                "Erratum: Gambling harms in young adults",
                2020,
                None,
                Some("Embase"),
            ),
            rec(OWN_ID_BASE + 4, "Notes from the field", 2019, None, Some("Scopus")),
            rec(OWN_ID_BASE + 5, "Notes from the field", 2020, None, Some("Scopus")),
            rec(
                OWN_ID_BASE + 6,
                "Gambling harms in young adults",
                2020,
                Some("10.1/other"),
                Some("Lens"),
            ),
            // A series in parts, and two PubMed records with one title.
            rec(
                OWN_ID_BASE + 8,
                "Screening for gambling harm, part 1: methods",
                2022,
                None,
                Some("X"),
            ),
            rec(
                OWN_ID_BASE + 9,
                "Screening for gambling harm, part 2: methods",
                2022,
                None,
                Some("X"),
            ),
            rec(21, "Gambling harm in older adults: a national survey", 2019, None, None),
            rec(22, "Gambling harm in older adults: a national survey.", 2019, None, None),
        ];
        let d = find(&records, &[]);
        assert_eq!(d.groups.len(), 2, "{:#?}", d.groups);
        let g = &d.groups[0];
        assert_eq!(g.primary.get(), 11, "the PubMed record is primary");
        let ids: Vec<u64> = g.members.iter().map(|m| m.id.get()).collect();
        assert_eq!(ids, [11, OWN_ID_BASE + 1]);
        assert_eq!(g.links[0].by, "doi");
        assert!(!g.unconfirmed);
        let f = &d.groups[1];
        assert!(f.links[0].by.starts_with("fuzzy title"), "{f:?}");
        assert!(f.unconfirmed);
        assert_eq!(f.primary.get(), OWN_ID_BASE + 2, "the smallest id");
        assert_eq!(d.removed(), 2);
        // A reviewer splits the fuzzy pair: no group left there.
        let j = Judgement {
            a: Pmid::new(OWN_ID_BASE + 7).unwrap(),
            b: Pmid::new(OWN_ID_BASE + 2).unwrap(),
            same: false,
            reviewer: "ana".into(),
            time: "t".into(),
        };
        let d = find(&records, &[j]);
        assert_eq!(d.groups.len(), 1);
    }
}
