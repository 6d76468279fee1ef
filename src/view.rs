//! `View`: the workspace as reading commands (`show`, `find`, `export`,
//! and the screening UI) see it. It never writes: no index update, no
//! tagging, no lock, not a byte on the terminal. What a reader should know
//! (the index is behind `corpus/`, the concepts are from an older framework)
//! comes back as [`View::notes`], for the caller to show or not.
//!
//! It holds one long-lived tantivy reader, which sees the commits a writer
//! (another scoper process) makes while it is open.

use anyhow::{bail, Context, Result};
use tantivy::{IndexReader, Searcher};

use crate::config::Protocol;
use crate::parse::{Pmid, Record};
use crate::store::corpus::corpus_files;
use crate::store::sync::{freshness, Freshness};
use crate::store::{CorpusIndex, Workspace};
use crate::tag::store::{saved_tags, TagSet};
use crate::tag::ConceptHit;

pub struct View {
    index: CorpusIndex,
    reader: IndexReader,
    tags: Option<TagSet>,
    /// Record → its group's primary, for the records that are not primary.
    secondary: std::collections::HashMap<crate::parse::Pmid, crate::parse::Pmid>,
    notes: Vec<String>,
}

impl View {
    /// Opens the workspace for reading.
    pub fn open(ws: &Workspace) -> Result<View> {
        let (indexed, mut notes) = Self::index_state(ws)?;
        let index = if indexed {
            CorpusIndex::open_read_only(&ws.index_dir())?
        } else {
            CorpusIndex::in_ram()
        };
        let reader = index.long_lived_reader()?;
        let tags = Self::tags(ws, &mut notes);
        let secondary = crate::dedup::Duplicates::load_secondary(ws);
        Ok(View { index, reader, tags, secondary, notes })
    }

    /// Whether there is an index to read, and the note when it is behind
    /// corpus/; an error when corpus/ has records and no index.
    fn index_state(ws: &Workspace) -> Result<(bool, Vec<String>)> {
        let fresh = freshness(ws)?;
        if fresh == Freshness::Missing {
            let files = corpus_files(ws).context("could not list corpus/")?.files;
            if !files.is_empty() {
                bail!(
                    "the records in corpus/ ({} file(s)) are not indexed yet\n(hint: run `scoper \
                     index`, or `scoper run`, once; reading commands never write to the workspace)",
                    files.len()
                );
            }
            return Ok((false, Vec::new()));
        }
        Ok((true, fresh.note().into_iter().collect()))
    }

    /// What a reader of data derived from the index (the duplicate groups)
    /// should be told, without opening the index: the note when it is
    /// behind corpus/, or the error when there is none.
    pub fn index_notes(ws: &Workspace) -> Result<Vec<String>> {
        Ok(Self::index_state(ws)?.1)
    }

    /// The saved tags, and a note when they are not those of the framework
    /// file and corpus of now.
    fn tags(ws: &Workspace, notes: &mut Vec<String>) -> Option<TagSet> {
        let framework = match Protocol::load(&ws.protocol()) {
            Ok(p) => p.framework.map(|f| ws.root().join(f.file)),
            Err(e) => {
                notes.push(format!("note: {e:#}"));
                None
            }
        };
        let saved = saved_tags(ws);
        let Some(path) = framework else { return saved };
        let fingerprint = std::fs::read(&path).map(|b| blake3::hash(&b).to_hex().to_string());
        match (&saved, fingerprint) {
            (None, _) => notes.push(
                "note: the records are not tagged with the framework yet; `scoper tag` tags them"
                    .into(),
            ),
            (Some(_), Err(e)) => notes.push(format!(
                "note: could not read the framework {} ({e}); the concepts shown are those of the \
                 last tagging run",
                ws.relative(&path)
            )),
            (Some(t), Ok(f)) if !t.is_current(ws, &f) => notes.push(
                "note: the concepts shown are those of the last tagging run; the framework file \
                 or the corpus changed since (`scoper tag` tags again, or says what is wrong)"
                    .into(),
            ),
            _ => {}
        }
        saved
    }

    /// What a reader should be told, one line each (nothing when all is
    /// current).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    pub fn index(&self) -> &CorpusIndex {
        &self.index
    }

    /// A searcher over the latest commit the reader has seen.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The number of records in the working set.
    pub fn len(&self) -> u64 {
        self.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One record by PMID.
    pub fn get(&self, pmid: Pmid) -> Result<Option<Record>> {
        self.index.get_in(&self.searcher(), pmid)
    }

    /// Every PMID of the working set, sorted, without loading a record.
    pub fn pmids(&self) -> Result<Vec<Pmid>> {
        Ok(self.index.addresses(&self.searcher())?.into_iter().map(|(p, _)| p).collect())
    }

    /// Every record, in PMID order, loaded one at a time.
    pub fn records(&self) -> Result<impl Iterator<Item = Result<Record>> + '_> {
        let searcher = self.searcher();
        let addrs = self.index.addresses(&searcher)?;
        Ok(addrs.into_iter().map(move |(_, a)| self.index.record_at(&searcher, a)))
    }

    /// Record → its group's primary, for the records that are duplicates of
    /// another (left out of screening, counted as removed).
    pub fn secondary(&self) -> &std::collections::HashMap<crate::parse::Pmid, crate::parse::Pmid> {
        &self.secondary
    }

    /// The tags of the last tagging run, if any.
    pub fn tag_set(&self) -> Option<&TagSet> {
        self.tags.as_ref()
    }

    /// The concept hits of one record, with their evidence spans.
    pub fn hits(&self, pmid: Pmid) -> &[ConceptHit] {
        self.tags.as_ref().map(|t| t.of(pmid)).unwrap_or(&[])
    }

    /// A query in the language of `find` (see [`crate::query_syntax`]):
    /// PubMed's field tags, `concept:ID` filters, tantivy's syntax.
    pub fn query(&self, text: &str) -> Result<Box<dyn tantivy::query::Query>> {
        use tantivy::query::{BooleanQuery, Occur, Query};
        let translated = crate::query_syntax::pubmed_tags(text)?;
        let (concepts, rest) = crate::query_syntax::split_concepts(&translated);
        if concepts.is_empty() {
            return self.index.parse_query(&translated);
        }
        let Some(tags) = self.tag_set() else {
            bail!(
                "concept:{} needs the records tagged with a framework, and they are not\n(hint: \
                 name the framework under [framework] in scoper.toml, then run `scoper tag`)",
                concepts[0]
            );
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for c in &concepts {
            let Some(sel) = tags.resolve(c) else {
                bail!(
                    "no concept or element {c:?} in {}\n(hint: one of {})",
                    tags.framework,
                    tags.ids().join(", ")
                );
            };
            clauses.push((Occur::Must, self.index.pmid_set_query(tags.pmids(&sel))));
        }
        if !rest.trim().is_empty() {
            clauses.push((Occur::Must, self.index.parse_query(&rest)?));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// The best `limit` matches of a query, and how many match in all.
    pub fn search(
        &self,
        query: &dyn tantivy::query::Query,
        limit: usize,
    ) -> Result<(usize, Vec<(f32, Record)>)> {
        self.index.search_in(&self.searcher(), query, limit)
    }
}
