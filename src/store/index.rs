//! The tantivy index under `.scoper/index`: derived from `corpus/`, always
//! rebuildable. It holds the working set (one document per PMID, the latest
//! version) with every record stored as its JSON, so `show`, `find` and
//! `export` never read the corpus again.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, TantivyDocument, Term};

use crate::parse::{Pmid, Record};

/// Bumped when the schema changes: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 1;

/// Memory for tantivy's indexing arena. Large enough that a 30,000-record
/// baseline file is one or two segments; small enough for the 300 MB peak
/// RSS target of a baseline import.
const WRITER_MEMORY: usize = 96 * 1024 * 1024;

/// Indexing threads. Tokenising and building postings is the slowest stage
/// of an import; two threads keep both cores of a small machine busy while
/// the parser runs.
const INDEX_THREADS: usize = 2;

/// Analyzer for title, abstract, keywords and MeSH: words, lower case,
/// accents folded, English stemming (`centred`/`centered` still differ; the
/// framework's queries spell out both).
pub const TEXT_ANALYZER: &str = "scoper_text";
/// Analyzer for names (authors, journals): no stemming.
pub const NAME_ANALYZER: &str = "scoper_name";

/// The fields of the index. The names are what users type in a query:
/// `title:`, `abstract:`, `keyword:`, `mesh:`, `author:`, `journal:`,
/// `year:`, `pmid:`, `doi:`, `pubtype:`, `lang:`.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub pmid: Field,
    pub pmid_n: Field,
    pub version: Field,
    pub hash: Field,
    pub title: Field,
    pub abstract_: Field,
    pub keyword: Field,
    pub mesh: Field,
    pub author: Field,
    pub journal: Field,
    pub year: Field,
    pub doi: Field,
    pub pubtype: Field,
    pub lang: Field,
    pub record: Field,
}

/// The fields a query searches when it names none.
pub const DEFAULT_FIELDS: [&str; 4] = ["title", "abstract", "keyword", "mesh"];

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TEXT_ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let name = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(NAME_ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        pmid: b.add_text_field("pmid", STRING),
        pmid_n: b.add_u64_field("pmid_n", FAST),
        version: b.add_u64_field("version", FAST),
        hash: b.add_u64_field("hash", FAST),
        title: b.add_text_field("title", text.clone()),
        abstract_: b.add_text_field("abstract", text.clone()),
        keyword: b.add_text_field("keyword", text.clone()),
        mesh: b.add_text_field("mesh", text),
        author: b.add_text_field("author", name.clone()),
        journal: b.add_text_field("journal", name.clone()),
        year: b.add_i64_field("year", INDEXED | FAST),
        doi: b.add_text_field("doi", STRING),
        pubtype: b.add_text_field("pubtype", name.clone()),
        lang: b.add_text_field("lang", name),
        record: b.add_text_field("record", STORED),
    };
    (b.build(), fields)
}

fn register_analyzers(index: &Index) {
    let text = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(super::stem::CachedStemmer)
        .build();
    let name = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    index.tokenizers().register(TEXT_ANALYZER, text);
    index.tokenizers().register(NAME_ANALYZER, name);
}

/// The index of the working set.
pub struct CorpusIndex {
    index: Index,
    fields: Fields,
}

/// What applying one record did to the working set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    New,
    Updated,
    /// The same record (same version and content) was there already.
    Unchanged,
    /// A higher version of the PMID is in the working set; this one is not used.
    Superseded,
}

impl CorpusIndex {
    /// Creates an empty index in `dir`, replacing whatever was there.
    pub fn create(dir: &Path) -> Result<CorpusIndex> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("could not clear the old index in {}", dir.display()))?;
        }
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create {}", dir.display()))?;
        let (schema, fields) = schema();
        let index = Index::create_in_dir(dir, schema)
            .with_context(|| format!("could not create the index in {}", dir.display()))?;
        register_analyzers(&index);
        Ok(CorpusIndex { index, fields })
    }

    /// An empty index in memory, with the same schema and analyzers (for
    /// checking queries, and for the tagging evaluation).
    pub fn in_ram() -> CorpusIndex {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        register_analyzers(&index);
        CorpusIndex { index, fields }
    }

    /// The tantivy index.
    pub fn tantivy(&self) -> &Index {
        &self.index
    }

    /// A searcher over the committed state.
    pub fn searcher(&self) -> Result<tantivy::Searcher> {
        Ok(self.reader()?.searcher())
    }

    /// The analyzer of the text fields (title, abstract, keyword, mesh).
    pub fn text_analyzer(&self) -> TextAnalyzer {
        self.index.tokenizers().get(TEXT_ANALYZER).expect("registered analyzer")
    }

    /// A query parser over `fields` (names), all words required.
    pub fn query_parser(&self, fields: &[&str]) -> QueryParser {
        let fields = fields
            .iter()
            .map(|n| self.index.schema().get_field(n).expect("field in schema"))
            .collect();
        let mut parser = QueryParser::for_index(&self.index, fields);
        parser.set_conjunction_by_default();
        parser
    }

    /// Opens the index in `dir` for reading only: nothing in `dir` is
    /// written, so a read-only workspace (a shared folder, a colleague's
    /// copy) can be searched. See [`ReadOnly`].
    pub fn open_read_only(dir: &Path) -> Result<CorpusIndex> {
        let mmap = tantivy::directory::MmapDirectory::open(dir)
            .with_context(|| format!("could not open the index in {}", dir.display()))?;
        let index = Index::open(ReadOnly(mmap))
            .with_context(|| format!("could not open the index in {}", dir.display()))?;
        let (_, fields) = schema();
        register_analyzers(&index);
        Ok(CorpusIndex { index, fields })
    }

    /// A reader to keep: it sees each commit made by a writer (another
    /// process) shortly after it is made.
    pub fn long_lived_reader(&self) -> Result<IndexReader> {
        Ok(self.index.reader()?)
    }

    /// Opens the index in `dir`.
    pub fn open(dir: &Path) -> Result<CorpusIndex> {
        let index = Index::open_in_dir(dir)
            .with_context(|| format!("could not open the index in {}", dir.display()))?;
        let (_, fields) = schema();
        register_analyzers(&index);
        Ok(CorpusIndex { index, fields })
    }

    pub fn fields(&self) -> Fields {
        self.fields
    }

    fn reader(&self) -> Result<IndexReader> {
        Ok(self.index.reader()?)
    }

    /// A writer for adding records, with the versions now in the index.
    pub fn writer(&self) -> Result<Applier> {
        let writer =
            self.index.writer_with_num_threads(INDEX_THREADS, WRITER_MEMORY).map_err(|e| {
                anyhow::anyhow!(
                "could not open the index for writing: {e}\n(hint: is another scoper running in \
                 this workspace? If not, run `scoper index --rebuild`)"
            )
            })?;
        Ok(Applier { writer, fields: self.fields, versions: self.versions()? })
    }

    /// PMID → (version, content hash) of every record in the index.
    fn versions(&self) -> Result<HashMap<u64, (u32, u64)>> {
        let searcher = self.reader()?.searcher();
        let mut map = HashMap::new();
        for seg in searcher.segment_readers() {
            let ff = seg.fast_fields();
            let (p, v, h) = (ff.u64("pmid_n")?, ff.u64("version")?, ff.u64("hash")?);
            for doc in seg.doc_ids_alive() {
                if let (Some(p), Some(v), Some(h)) = (p.first(doc), v.first(doc), h.first(doc)) {
                    map.insert(p, (v as u32, h));
                }
            }
        }
        Ok(map)
    }

    /// The number of records in the working set.
    pub fn len(&self) -> Result<u64> {
        Ok(self.reader()?.searcher().num_docs())
    }

    /// True when the working set is empty.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// One record by PMID.
    pub fn get(&self, pmid: Pmid) -> Result<Option<Record>> {
        self.get_in(&self.reader()?.searcher(), pmid)
    }

    /// One record by PMID, from `searcher`.
    pub fn get_in(&self, searcher: &tantivy::Searcher, pmid: Pmid) -> Result<Option<Record>> {
        let term = Term::from_field_text(self.fields.pmid, &pmid.to_string());
        let query = tantivy::query::TermQuery::new(term, IndexRecordOption::Basic);
        let hits = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match hits.first() {
            Some((_, addr)) => Ok(Some(self.record_at(searcher, *addr)?)),
            None => Ok(None),
        }
    }

    /// The record stored at `addr`.
    pub fn record_at(&self, searcher: &tantivy::Searcher, addr: DocAddress) -> Result<Record> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let json = doc.get_first(self.fields.record).and_then(|v| v.as_str()).unwrap_or("{}");
        serde_json::from_str(json).context("a record stored in the index is unreadable")
    }

    /// Parses a query in tantivy syntax over the default fields; all words
    /// must match unless the query says `OR`.
    pub fn parse_query(&self, query: &str) -> Result<Box<dyn tantivy::query::Query>> {
        self.query_parser(&DEFAULT_FIELDS).parse_query(query).map_err(|e| {
            anyhow::anyhow!(
                "could not read the query {query:?}: {e}\n(hint: words, \"a phrase\", field:word \
                 with the fields title, abstract, keyword, mesh, author, journal, year, pmid, doi, \
                 pubtype, lang; AND, OR, NOT, year:[2015 TO 2020])"
            )
        })
    }

    /// The best `limit` matches of `query`, and how many records match in all.
    pub fn search(&self, query: &str, limit: usize) -> Result<(usize, Vec<(f32, Record)>)> {
        let searcher = self.reader()?.searcher();
        self.search_in(&searcher, self.parse_query(query)?.as_ref(), limit)
    }

    /// The best `limit` matches of a query already built, from `searcher`.
    /// A `limit` larger than the working set means all of it.
    pub fn search_in(
        &self,
        searcher: &tantivy::Searcher,
        q: &dyn tantivy::query::Query,
        limit: usize,
    ) -> Result<(usize, Vec<(f32, Record)>)> {
        let limit = limit.min(searcher.num_docs() as usize);
        let (top, count) =
            searcher.search(q, &(TopDocs::with_limit(limit.max(1)).order_by_score(), Count))?;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top.into_iter().take(limit) {
            out.push((score, self.record_at(searcher, addr)?));
        }
        Ok((count, out))
    }

    /// A query matching exactly the records with these PMIDs.
    pub fn pmid_set_query(
        &self,
        pmids: impl IntoIterator<Item = Pmid>,
    ) -> Box<dyn tantivy::query::Query> {
        let terms =
            pmids.into_iter().map(|p| Term::from_field_text(self.fields.pmid, &p.to_string()));
        Box::new(tantivy::query::TermSetQuery::new(terms))
    }

    /// Calls `f` with the PMID of every record of the working set.
    pub fn for_each_pmid(&self, mut f: impl FnMut(Pmid)) -> Result<()> {
        for (p, _) in self.addresses(&self.reader()?.searcher())? {
            f(p);
        }
        Ok(())
    }

    /// Every record's PMID and address in `searcher`, in PMID order,
    /// without loading a record.
    pub fn addresses(&self, searcher: &tantivy::Searcher) -> Result<Vec<(Pmid, DocAddress)>> {
        let mut addrs = Vec::with_capacity(searcher.num_docs() as usize);
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let pmids = seg.fast_fields().u64("pmid_n")?;
            for doc in seg.doc_ids_alive() {
                if let Some(p) = pmids.first(doc).and_then(Pmid::new) {
                    addrs.push((p, DocAddress::new(ord as u32, doc)));
                }
            }
        }
        addrs.sort_unstable_by_key(|(p, _)| *p);
        Ok(addrs)
    }

    /// Calls `f` with every record of the working set, read as `T` (only
    /// the fields `T` has), in the order of the index's store: each block of
    /// the store is decompressed once.
    pub fn for_each_stored<T: serde::de::DeserializeOwned>(
        &self,
        mut f: impl FnMut(T) -> Result<()>,
    ) -> Result<()> {
        let searcher = self.reader()?.searcher();
        for seg in searcher.segment_readers() {
            let store = seg.get_store_reader(64)?;
            for doc in seg.doc_ids_alive() {
                let d: TantivyDocument = store.get(doc)?;
                let json = d.get_first(self.fields.record).and_then(|v| v.as_str()).unwrap_or("{}");
                f(serde_json::from_str(json)
                    .context("a record stored in the index is unreadable")?)?;
            }
        }
        Ok(())
    }

    /// Calls `f` with every record of the working set, in PMID order.
    pub fn for_each_record(&self, mut f: impl FnMut(Record) -> Result<()>) -> Result<()> {
        let searcher = self.reader()?.searcher();
        for (_, addr) in self.addresses(&searcher)? {
            f(self.record_at(&searcher, addr)?)?;
        }
        Ok(())
    }
}

/// Adds records to the index, keeping one document per PMID: the highest
/// version, and among equal versions the one read last.
pub struct Applier {
    writer: IndexWriter,
    fields: Fields,
    versions: HashMap<u64, (u32, u64)>,
}

impl Applier {
    /// Applies one record.
    pub fn add(&mut self, record: &Record) -> Result<Applied> {
        let pmid_n = record.pmid.get();
        let json = serde_json::to_string(record)?;
        let hash = content_hash(json.as_bytes());
        let outcome = match self.versions.get(&pmid_n) {
            None => Applied::New,
            Some(&(v, _)) if v > record.version => return Ok(Applied::Superseded),
            Some(&(v, h)) if v == record.version && h == hash => return Ok(Applied::Unchanged),
            Some(_) => Applied::Updated,
        };
        if outcome == Applied::Updated {
            self.writer
                .delete_term(Term::from_field_text(self.fields.pmid, &record.pmid.to_string()));
        }
        self.versions.insert(pmid_n, (record.version, hash));
        self.writer.add_document(self.document(record, pmid_n, hash, json))?;
        Ok(outcome)
    }

    /// Removes PMIDs from the working set; returns how many were in it.
    pub fn delete(&mut self, pmids: &[Pmid]) -> usize {
        let mut removed = 0;
        for p in pmids {
            if self.versions.remove(&p.get()).is_some() {
                self.writer.delete_term(Term::from_field_text(self.fields.pmid, &p.to_string()));
                removed += 1;
            }
        }
        removed
    }

    fn document(&self, r: &Record, pmid_n: u64, hash: u64, json: String) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.pmid, r.pmid.to_string());
        d.add_u64(f.pmid_n, pmid_n);
        d.add_u64(f.version, r.version as u64);
        d.add_u64(f.hash, hash);
        d.add_text(f.title, &r.title);
        if let Some(v) = &r.vernacular_title {
            d.add_text(f.title, v);
        }
        for s in &r.abstract_sections {
            d.add_text(f.abstract_, &s.text);
        }
        for k in &r.keywords {
            d.add_text(f.keyword, k);
        }
        for m in &r.mesh_headings {
            d.add_text(f.mesh, &m.descriptor);
            for q in &m.qualifiers {
                d.add_text(f.mesh, q);
            }
        }
        for a in &r.authors {
            d.add_text(f.author, a.display_name());
        }
        if let Some(j) = &r.journal {
            d.add_text(f.journal, j);
        }
        if let Some(j) = &r.journal_abbrev {
            d.add_text(f.journal, j);
        }
        if let Some(y) = r.year {
            d.add_i64(f.year, y as i64);
        }
        if let Some(doi) = &r.doi {
            d.add_text(f.doi, doi.to_ascii_lowercase());
        }
        for t in &r.publication_types {
            d.add_text(f.pubtype, t);
        }
        for l in &r.languages {
            d.add_text(f.lang, l);
        }
        d.add_text(f.record, json);
        d
    }

    /// Makes what was applied durable and visible.
    pub fn commit(&mut self) -> Result<()> {
        self.writer.commit().context("could not commit the index")?;
        Ok(())
    }

    /// Waits for background merges, so the index on disk is tidy.
    pub fn finish(self) -> Result<()> {
        self.writer.wait_merging_threads().context("could not finish merging the index")?;
        Ok(())
    }
}

fn content_hash(bytes: &[u8]) -> u64 {
    let h = blake3::hash(bytes);
    u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"))
}

/// A directory that tantivy reads and never writes: the read-only view's.
/// The meta lock (which keeps a writer's clean-up from deleting files while
/// a reader opens them) is taken when the folder lets it be created, and
/// done without where it cannot be (a read-only folder has no writer to
/// fear).
#[derive(Debug, Clone)]
struct ReadOnly(tantivy::directory::MmapDirectory);

fn refused(path: &Path) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        format!("{} was opened read-only", path.display()),
    )
}

impl tantivy::Directory for ReadOnly {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> Result<
        std::sync::Arc<dyn tantivy::directory::FileHandle>,
        tantivy::directory::error::OpenReadError,
    > {
        self.0.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), tantivy::directory::error::DeleteError> {
        Err(tantivy::directory::error::DeleteError::IoError {
            io_error: std::sync::Arc::new(refused(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, tantivy::directory::error::OpenReadError> {
        self.0.exists(path)
    }

    fn open_write(
        &self,
        path: &Path,
    ) -> Result<tantivy::directory::WritePtr, tantivy::directory::error::OpenWriteError> {
        Err(tantivy::directory::error::OpenWriteError::IoError {
            io_error: std::sync::Arc::new(refused(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn atomic_read(
        &self,
        path: &Path,
    ) -> Result<Vec<u8>, tantivy::directory::error::OpenReadError> {
        self.0.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> std::io::Result<()> {
        Err(refused(path))
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        Ok(())
    }

    fn acquire_lock(
        &self,
        lock: &tantivy::directory::Lock,
    ) -> Result<tantivy::directory::DirectoryLock, tantivy::directory::error::LockError> {
        use tantivy::directory::error::LockError;
        match self.0.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
                ) =>
            {
                Ok(tantivy::directory::DirectoryLock::from(Box::new(())))
            }
            other => other,
        }
    }

    fn watch(
        &self,
        watch_callback: tantivy::directory::WatchCallback,
    ) -> tantivy::Result<tantivy::directory::WatchHandle> {
        self.0.watch(watch_callback)
    }
}
