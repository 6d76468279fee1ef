//! `Matcher`: a framework's queries, compiled against the index, and the
//! tagging run that turns them into `ConceptHit`s with their evidence.
//!
//! Retrieval is the index's: each concept's queries run as one tantivy
//! query, so the cost grows with the records that match, not with the
//! corpus. Evidence is then found in the matched records only: the fields
//! are tokenised with the index's own analyzer and the query's words and
//! phrases located, giving character spans into the text `scoper show`
//! prints. A match inside an `exclude` phrase is not evidence; a record
//! with no evidence left is not tagged.

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::Field;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{DocAddress, Term};

use super::framework::{Framework, Located, Sentence};
use crate::parse::{Pmid, Record};
use crate::store::CorpusIndex;

/// The fields concept queries search, and that spans point into.
pub const TAG_FIELDS: [&str; 4] = ["title", "abstract", "keyword", "mesh"];

/// One concept found in one field of one record, with the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConceptHit {
    pub element: String,
    pub concept: String,
    pub field: String,
    /// `[start, end)` character offsets into the field's text as `show`
    /// prints it.
    pub spans: Vec<[usize; 2]>,
    /// How strong the evidence is: each span counts 1, in a title 2, in the
    /// keywords or MeSH 1.5. It depends on the record and the framework only
    /// (not on the rest of the corpus), so a rebuilt index gives the same.
    pub score: f32,
}

impl ConceptHit {
    /// The words of each span, as the record's field shows them.
    pub fn quotes(&self, record: &Record) -> Vec<String> {
        let text: Vec<char> = record.field_text(&self.field).unwrap_or_default().chars().collect();
        self.spans
            .iter()
            .map(|[a, b]| text[(*a).min(text.len())..(*b).min(text.len())].iter().collect())
            .collect()
    }
}

/// A word or phrase to locate: the analysed terms, in order.
#[derive(Debug, Clone, PartialEq)]
struct Pattern {
    field: usize,
    terms: Vec<String>,
    /// For a `words` entry: the word as written (lower case, accents
    /// folded), which the token must be, not only share its stem.
    exact: Option<String>,
    /// For a phrase written `"a b"~N`: the words may be N apart, in either
    /// order (0: consecutive, in order).
    slop: u32,
    /// `terms` as numbers of the matcher's vocabulary (set once compiled).
    ids: Vec<u32>,
}

impl Pattern {
    /// One analysed word in one field.
    fn word(field: usize, text: &str) -> Pattern {
        Pattern { field, terms: vec![text.to_string()], exact: None, slop: 0, ids: Vec::new() }
    }
}

/// A `sentences` entry: each part's alternatives (a word, or a phrase's
/// words), all to be found in one sentence of any tag field, as written.
#[derive(Debug, Clone)]
struct SentencePattern {
    /// Each alternative's words: analysed (stemmed, what the index holds)
    /// and as written (lower case, accents folded), which the text's words
    /// must be: 'responsible' does not find "response".
    parts: Vec<Vec<Vec<(String, String)>>>,
    /// `parts` as numbers of the matcher's vocabulary (set once compiled).
    ids: Vec<Vec<Vec<u32>>>,
}

struct CompiledConcept {
    element: String,
    id: String,
    /// The concept's queries and words, as one query.
    query: Box<dyn Query>,
    /// Its sentence entries, as one query: a record it finds has each
    /// entry's words somewhere, and only the sentence entries are looked for
    /// in it (not the queries' words, which the record may have without a
    /// query matching).
    sentence_query: Box<dyn Query>,
    /// The words and phrases of the queries whose every occurrence is a
    /// match (a word, a phrase, alternatives of those).
    patterns: Vec<Pattern>,
    /// The queries that combine words with AND (or NOT): their words are
    /// evidence only in a record the whole query matches.
    compound: Vec<(Box<dyn Query>, Vec<Pattern>)>,
    sentences: Vec<SentencePattern>,
    exclusions: Vec<Pattern>,
    /// Each query as written, with its compiled form (for `--explain`).
    sources: Vec<(String, Box<dyn Query>)>,
    /// Each exclusion as written, with its patterns.
    exclusion_sources: Vec<(String, Vec<Pattern>)>,
}

impl CompiledConcept {
    /// The patterns that count in a record: those of the simple queries
    /// (when one matches it), and those of the compound queries that match
    /// it.
    fn patterns_for<'a>(&'a self, found: &'a Candidate) -> impl Iterator<Item = &'a Pattern> {
        let simple = if found.by_queries { &self.patterns[..] } else { &[] };
        simple.iter().chain(found.compound.iter().flat_map(|&k| &self.compound[k].1))
    }
}

/// A concept a record may have: what of the concept matched the record.
struct Candidate {
    concept: usize,
    /// The compound queries (by number) that match the record.
    compound: Vec<usize>,
    /// Whether one of the concept's queries or words matches the record
    /// (else only its sentence entries do).
    by_queries: bool,
}

/// Why a record has (or has not) a concept: `scoper tag --explain`.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub element: String,
    pub concept: String,
    /// The concept's queries (and `words`) that match the record.
    pub matched: Vec<String>,
    /// The evidence kept: as `show` gives it.
    pub evidence: Vec<ConceptHit>,
    /// Matches an exclusion removed: (the exclusion, the field, the words).
    pub excluded: Vec<(String, String, String)>,
    /// The record matches none of the framework's `[context]` queries, so
    /// no concept is tagged, whatever the evidence.
    pub outside_context: bool,
}

/// A framework ready to run against an index.
pub struct Matcher {
    concepts: Vec<CompiledConcept>,
    /// The framework's `[context]`: a record must match it to be tagged.
    context: Option<Box<dyn Query>>,
    /// Every word of every pattern, numbered: a field's words are looked up
    /// once, and a pattern is ruled out by its numbers.
    vocab: HashMap<String, u32>,
}

/// Everything a tagging run found.
#[derive(Debug, Default)]
pub struct Tagged {
    /// PMID → hits, for the records with at least one concept.
    pub hits: BTreeMap<Pmid, Vec<ConceptHit>>,
    /// Records in the working set.
    pub records: usize,
    /// PMIDs of the records with no concept.
    pub untagged: Vec<Pmid>,
}

impl Matcher {
    /// Checks and compiles every query of `framework` against `index`'s
    /// schema. An error names the file, line, concept and query.
    pub fn compile(framework: &Framework, index: &CorpusIndex) -> Result<Matcher> {
        let parser = index.query_parser(&TAG_FIELDS);
        let schema = index.tantivy().schema();
        let fields: Vec<Field> =
            TAG_FIELDS.iter().map(|n| schema.get_field(n).expect("tag field")).collect();
        let shown = framework.path.display();
        let parse = |concept: &str, q: &Located| -> Result<Box<dyn Query>> {
            let parsed = parser.parse_query(&q.query).map_err(|e| {
                anyhow::anyhow!(
                    "{shown}, line {}: concept {concept:?}: the query {:?} cannot be read: {e}\n\
                     (hint: fields are {}; quote phrases; AND, OR, NOT)",
                    q.line,
                    q.text,
                    TAG_FIELDS.join(", ")
                )
            })?;
            let mut bad = None;
            parsed.query_terms(&mut |term, _| {
                if !fields.contains(&term.field()) {
                    bad = Some(schema.get_field_name(term.field()).to_string());
                }
            });
            if let Some(f) = bad {
                bail!(
                    "{shown}, line {}: concept {concept:?}: the query {:?} searches the field \
                     {f:?}; concept queries search {} only",
                    q.line,
                    q.text,
                    TAG_FIELDS.join(", ")
                );
            }
            Ok(parsed)
        };
        // Every problem is collected, so one run of `tag --check` lists
        // them all.
        let mut problems: Vec<String> = Vec::new();
        let mut concepts = Vec::new();
        for (element, concept) in framework.concepts() {
            let mut clauses = Vec::new();
            let mut patterns = Vec::new();
            let mut compound = Vec::new();
            let mut sources = Vec::new();
            let mut analyzer = index.text_analyzer();
            let slops = phrase_slops(
                &mut analyzer,
                concept.queries.iter().chain(&concept.exclude).map(|q| q.query.as_str()),
            );
            for q in &concept.queries {
                match parse(&concept.id, q) {
                    Ok(parsed) => {
                        // The evidence finder reads the phrases as written;
                        // the index is asked a query that finds at least
                        // every record the finder would (see `retrieval`).
                        let found = retrieval(parsed.as_ref(), &slops);
                        if is_compound(parsed.as_ref()) {
                            let mut own = Vec::new();
                            collect_patterns(parsed.as_ref(), &fields, &slops, &mut own);
                            compound.push((found.box_clone(), own));
                        } else {
                            collect_patterns(parsed.as_ref(), &fields, &slops, &mut patterns);
                        }
                        sources.push((q.text.clone(), found.box_clone()));
                        clauses.push((Occur::Should, found));
                    }
                    Err(e) => problems.push(format!("{e:#}")),
                }
            }
            for word in &concept.words {
                let surface = fold(&word.text);
                if surface.is_empty() || surface.contains(char::is_whitespace) {
                    problems.push(format!(
                        "{shown}, line {}: concept {:?}: {:?} in words is not one word \
                         (hint: put phrases in queries)",
                        word.line, concept.id, word.text
                    ));
                    continue;
                }
                // Found through its stem in every tag field, kept when the
                // token is the word itself.
                let stem =
                    tokenize(&mut analyzer, &surface).pop().map(|t| t.text).unwrap_or_default();
                let mut word_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for (f, field) in fields.iter().enumerate() {
                    let term = tantivy::Term::from_field_text(*field, &stem);
                    let tq: Box<dyn Query> = Box::new(TermQuery::new(
                        term,
                        tantivy::schema::IndexRecordOption::WithFreqs,
                    ));
                    word_clauses.push((Occur::Should, tq.box_clone()));
                    clauses.push((Occur::Should, tq));
                    patterns.push(Pattern {
                        field: f,
                        terms: vec![stem.clone()],
                        exact: Some(surface.clone()),
                        slop: 0,
                        ids: Vec::new(),
                    });
                }
                sources.push((
                    format!("words: {}", word.text),
                    Box::new(BooleanQuery::new(word_clauses)),
                ));
            }
            let mut sentences = Vec::new();
            let mut sentence_clauses = Vec::new();
            for sentence in &concept.sentences {
                let (query, own) = compile_sentence(sentence, &fields, &mut analyzer);
                sentences.push(own);
                sources.push((format!("sentence: {}", sentence.text), query.box_clone()));
                sentence_clauses.push((Occur::Should, query));
            }
            let mut exclusions = Vec::new();
            let mut exclusion_sources = Vec::new();
            for q in &concept.exclude {
                match parse(&concept.id, q) {
                    Ok(parsed) => {
                        let mut own = Vec::new();
                        collect_patterns(parsed.as_ref(), &fields, &slops, &mut own);
                        exclusions.extend(own.iter().cloned());
                        exclusion_sources.push((q.text.clone(), own));
                    }
                    Err(e) => problems.push(format!("{e:#}")),
                }
            }
            patterns.dedup();
            concepts.push(CompiledConcept {
                element: element.id.clone(),
                id: concept.id.clone(),
                query: Box::new(BooleanQuery::new(clauses)),
                sentence_query: Box::new(BooleanQuery::new(sentence_clauses)),
                patterns,
                compound,
                sentences,
                exclusions,
                sources,
                exclusion_sources,
            });
        }
        let mut context = None;
        if let Some(ctx) = &framework.context {
            let mut clauses = Vec::new();
            let slops = phrase_slops(
                &mut index.text_analyzer(),
                ctx.queries.iter().map(|q| q.query.as_str()),
            );
            for q in &ctx.queries {
                match parse("[context]", q) {
                    // The context is decided by the index alone: a sloppy
                    // phrase of three or more words is its pairs there too,
                    // so that it holds whatever else the corpus holds.
                    Ok(parsed) => clauses.push((Occur::Should, retrieval(parsed.as_ref(), &slops))),
                    Err(e) => problems.push(format!("{e:#}")),
                }
            }
            context = Some(Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>);
        }
        let mut vocab: HashMap<String, u32> = HashMap::new();
        let mut number = |t: &String| {
            let next = vocab.len() as u32;
            *vocab.entry(t.clone()).or_insert(next)
        };
        for c in &mut concepts {
            let own = c.exclusion_sources.iter_mut().flat_map(|(_, ps)| ps.iter_mut());
            let compound = c.compound.iter_mut().flat_map(|(_, ps)| ps.iter_mut());
            for p in c.patterns.iter_mut().chain(c.exclusions.iter_mut()).chain(own).chain(compound)
            {
                p.ids = p.terms.iter().map(&mut number).collect();
            }
            for s in &mut c.sentences {
                s.ids = s
                    .parts
                    .iter()
                    .map(|alts| {
                        alts.iter()
                            .map(|a| a.iter().map(|(stem, _)| number(stem)).collect())
                            .collect()
                    })
                    .collect();
            }
        }
        match problems.len() {
            0 => Ok(Matcher { concepts, context, vocab }),
            1 => bail!("{}", problems[0]),
            n => bail!("{n} problems in {shown}:\n{}", problems.join("\n")),
        }
    }

    /// Tags every record of `index`.
    pub fn tag(&self, index: &CorpusIndex) -> Result<Tagged> {
        let searcher = index.searcher()?;
        let total = searcher.num_docs() as usize;
        // Record → the concepts whose queries or sentence entries it
        // matches, with the compound queries that match it.
        let mut matched: BTreeMap<DocAddress, Vec<Candidate>> = BTreeMap::new();
        if total > 0 {
            for (i, c) in self.concepts.iter().enumerate() {
                let by_queries = searcher.search(&c.query, &DocSetCollector)?;
                for addr in &by_queries {
                    matched.entry(*addr).or_default().push(Candidate {
                        concept: i,
                        compound: Vec::new(),
                        by_queries: true,
                    });
                }
                for (k, (q, _)) in c.compound.iter().enumerate() {
                    for addr in searcher.search(q.as_ref(), &DocSetCollector)? {
                        let last = matched.get_mut(&addr).and_then(|v| v.last_mut());
                        if let Some(found) = last.filter(|f| f.concept == i) {
                            found.compound.push(k);
                        }
                    }
                }
                if c.sentences.is_empty() {
                    continue;
                }
                for addr in searcher.search(c.sentence_query.as_ref(), &DocSetCollector)? {
                    if !by_queries.contains(&addr) {
                        matched.entry(addr).or_default().push(Candidate {
                            concept: i,
                            compound: Vec::new(),
                            by_queries: false,
                        });
                    }
                }
            }
        }
        if let (Some(ctx), false) = (&self.context, matched.is_empty()) {
            let inside = searcher.search(ctx.as_ref(), &DocSetCollector)?;
            matched.retain(|addr, _| inside.contains(addr));
        }
        let mut analyzer = index.text_analyzer();
        let mut tagged = Tagged { records: total, ..Tagged::default() };
        for (addr, concepts) in matched {
            let record = index.record_at(&searcher, addr)?;
            let hits = self.evidence(&record, &concepts, &mut analyzer);
            if !hits.is_empty() {
                tagged.hits.insert(record.pmid, hits);
            }
        }
        index.for_each_pmid(|pmid| {
            if !tagged.hits.contains_key(&pmid) {
                tagged.untagged.push(pmid);
            }
        })?;
        tagged.untagged.sort_unstable();
        Ok(tagged)
    }

    /// Why `record` has each concept, or not: the queries that match it,
    /// the evidence kept, and the matches an exclusion removed. Only the
    /// concepts with a matching query are listed.
    pub fn explain(
        &self,
        index: &CorpusIndex,
        searcher: &tantivy::Searcher,
        record: &Record,
    ) -> Result<Vec<Explanation>> {
        let pmid_term =
            tantivy::Term::from_field_text(index.fields().pmid, &record.pmid.to_string());
        let mut analyzer = index.text_analyzer();
        let matches = |q: &dyn Query| -> Result<bool> {
            let only: Box<dyn Query> = Box::new(TermQuery::new(
                pmid_term.clone(),
                tantivy::schema::IndexRecordOption::Basic,
            ));
            let both = BooleanQuery::new(vec![(Occur::Must, only), (Occur::Must, q.box_clone())]);
            Ok(searcher.search(&both, &tantivy::collector::Count)? > 0)
        };
        let outside_context = match &self.context {
            Some(ctx) => !matches(ctx.as_ref())?,
            None => false,
        };
        let mut out = Vec::new();
        for (i, c) in self.concepts.iter().enumerate() {
            let mut matched = Vec::new();
            for (text, q) in &c.sources {
                if matches(q.as_ref())? {
                    matched.push(text.clone());
                }
            }
            if matched.is_empty() {
                continue;
            }
            let mut compound = Vec::new();
            for (k, (q, _)) in c.compound.iter().enumerate() {
                if matches(q.as_ref())? {
                    compound.push(k);
                }
            }
            let found = Candidate { concept: i, compound, by_queries: matches(c.query.as_ref())? };
            let evidence = self.evidence(record, std::slice::from_ref(&found), &mut analyzer);
            let mut excluded = Vec::new();
            for (f, name) in TAG_FIELDS.iter().enumerate() {
                let text = record.field_text(name).unwrap_or_default();
                let chars: Vec<char> = text.chars().collect();
                let mut toks = tokenize(&mut analyzer, &text);
                self.number(&mut toks);
                let spans: Vec<[usize; 2]> = c
                    .patterns_for(&found)
                    .filter(|p| p.field == f)
                    .flat_map(|p| occurrences(&toks, p))
                    .chain(c.sentences.iter().flat_map(|s| sentence_occurrences(&toks, s)))
                    .collect();
                for (source, pats) in &c.exclusion_sources {
                    for x in
                        pats.iter().filter(|p| p.field == f).flat_map(|p| occurrences(&toks, p))
                    {
                        if spans.iter().any(|s| s[0] < x[1] && x[0] < s[1]) {
                            let words: String = chars[x[0].min(chars.len())..x[1].min(chars.len())]
                                .iter()
                                .collect();
                            excluded.push((source.clone(), name.to_string(), words));
                        }
                    }
                }
            }
            out.push(Explanation {
                element: c.element.clone(),
                concept: c.id.clone(),
                matched,
                evidence,
                excluded,
                outside_context,
            });
        }
        Ok(out)
    }

    /// Gives each token the number of its word in the vocabulary.
    fn number(&self, toks: &mut [Tok]) {
        for t in toks {
            t.id = self.vocab.get(&t.text).copied().unwrap_or(NO_WORD);
        }
    }

    /// The hits of one record for the concepts its fields matched.
    fn evidence(
        &self,
        record: &Record,
        concepts: &[Candidate],
        analyzer: &mut TextAnalyzer,
    ) -> Vec<ConceptHit> {
        // Each field's tokens, and the set of its words: a pattern with a
        // word the field lacks cannot occur there, and most of a concept's
        // patterns (hundreds, with `a|b` words) are ruled out that way.
        let mut tokens: HashMap<usize, (Vec<Tok>, Vec<bool>)> = HashMap::new();
        // Each field's text in lower case, if it is ASCII (else None).
        let mut lowered: HashMap<usize, Option<String>> = HashMap::new();
        let mut hits = Vec::new();
        for found in concepts {
            let c = &self.concepts[found.concept];
            let patterns: Vec<&Pattern> = c.patterns_for(found).collect();
            // Found by its sentence entries only: the index matched their
            // words' stems anywhere in the record, which is much more often
            // than the words as written in one field. A field without the
            // words as letters (lower case) cannot have them as words, and
            // that is checked without analysing the field.
            if patterns.is_empty() {
                let possible = TAG_FIELDS.iter().enumerate().any(|(f, name)| {
                    let low = lowered.entry(f).or_insert_with(|| {
                        let text = record.field_text(name).unwrap_or_default();
                        text.is_ascii().then(|| text.to_ascii_lowercase())
                    });
                    let Some(low) = low else { return true };
                    c.sentences.iter().any(|s| {
                        s.parts.iter().all(|alts| {
                            alts.iter().any(|a| a.iter().all(|(_, w)| low.contains(w.as_str())))
                        })
                    })
                });
                if !possible {
                    continue;
                }
            }
            for (f, name) in TAG_FIELDS.iter().enumerate() {
                if !patterns.iter().any(|p| p.field == f) && c.sentences.is_empty() {
                    continue;
                }
                let (toks, words) = tokens.entry(f).or_insert_with(|| {
                    let mut toks = tokenize(analyzer, &record.field_text(name).unwrap_or_default());
                    if *name == "abstract" {
                        // A section label ("METHODS:") is the journal's
                        // heading, not the study's words: never evidence.
                        let labels = label_spans(record);
                        toks.retain(|t| !labels.iter().any(|l| t.start < l[1] && l[0] < t.end));
                    }
                    // Which words of the vocabulary the field has.
                    let mut words = vec![false; self.vocab.len()];
                    self.number(&mut toks);
                    for t in &toks {
                        if t.id != NO_WORD {
                            words[t.id as usize] = true;
                        }
                    }
                    (toks, words)
                });
                let here =
                    |p: &&Pattern| p.field == f && p.ids.iter().all(|&id| words[id as usize]);
                let excluded: Vec<[usize; 2]> =
                    c.exclusions.iter().filter(here).flat_map(|p| occurrences(toks, p)).collect();
                // A sentence entry can occur only if each part has a word
                // (all the words of one of its alternatives) in the field.
                let in_field = |s: &&SentencePattern| {
                    s.ids
                        .iter()
                        .all(|alts| alts.iter().any(|a| a.iter().all(|&id| words[id as usize])))
                };
                let spans: Vec<[usize; 2]> = patterns
                    .iter()
                    .copied()
                    .filter(here)
                    .flat_map(|p| occurrences(toks, p))
                    .chain(
                        c.sentences
                            .iter()
                            .filter(in_field)
                            .flat_map(|s| sentence_occurrences(toks, s)),
                    )
                    .filter(|s| !excluded.iter().any(|x| s[0] < x[1] && x[0] < s[1]))
                    .collect();
                if spans.is_empty() {
                    continue;
                }
                let spans = merge(spans);
                let weight = match *name {
                    "title" => 2.0,
                    "keyword" | "mesh" => 1.5,
                    _ => 1.0,
                };
                let score = spans.len() as f32 * weight;
                hits.push(ConceptHit {
                    element: c.element.clone(),
                    concept: c.id.clone(),
                    field: name.to_string(),
                    spans,
                    score,
                });
            }
        }
        hits
    }
}

/// A token of a field's text: its analysed form, the word as written
/// (folded), and character offsets.
struct Tok {
    text: String,
    surface: String,
    position: usize,
    start: usize,
    end: usize,
    /// The number of the sentence the token is in (0 for the first).
    sentence: usize,
    /// The number of `text` in the matcher's vocabulary ([`NO_WORD`] if it
    /// is none of its words; set by the matcher).
    id: u32,
}

/// A token's `id` when its word is in no pattern.
const NO_WORD: u32 = u32::MAX;

fn tokenize(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    // Byte offsets → character offsets, walking forward once.
    let mut chars = 0;
    let mut byte = 0;
    let mut to_chars = |b: usize| {
        chars += text[byte..b].chars().count();
        byte = b;
        chars
    };
    let mut sentence = 0;
    let mut last_end = 0;
    while stream.advance() {
        let t = stream.token();
        if t.offset_from >= last_end
            && ends_sentence(&text[last_end..t.offset_from], text[t.offset_from..].chars().next())
        {
            sentence += 1;
        }
        last_end = last_end.max(t.offset_to);
        let surface = fold(&text[t.offset_from..t.offset_to]);
        let start = to_chars(t.offset_from);
        let end = to_chars(t.offset_to);
        out.push(Tok {
            text: t.text.clone(),
            surface,
            position: t.position,
            start,
            end,
            sentence,
            id: NO_WORD,
        });
    }
    out
}

/// Whether the text between two words ends a sentence: a full stop, `?` or
/// `!` (before a space, or before the next word when it starts with a
/// letter: "training.This"), a semicolon (between keywords, MeSH headings
/// and clauses), or a line break (between abstract sections). The point of
/// a number ("9.6", "P < .05") ends nothing: `next` is the first letter of
/// the word after the gap.
fn ends_sentence(gap: &str, next: Option<char>) -> bool {
    let mut chars = gap.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ';' | '\n' => return true,
            '.' | '?' | '!' => {
                let after = chars.peek().copied().or(next);
                if after.is_none_or(|n| !n.is_ascii_digit()) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// A `sentences` entry compiled: the query that finds the records with a
/// word of each part (in any tag field), and the entry in each field, for
/// the evidence.
fn compile_sentence(
    sentence: &Sentence,
    fields: &[Field],
    analyzer: &mut TextAnalyzer,
) -> (Box<dyn Query>, SentencePattern) {
    let parts: Vec<Vec<Vec<(String, String)>>> = sentence
        .parts
        .iter()
        .map(|alts| {
            alts.iter()
                .map(|a| {
                    tokenize(analyzer, a)
                        .into_iter()
                        .map(|t| (t.text, t.surface))
                        .collect::<Vec<_>>()
                })
                .filter(|terms| !terms.is_empty())
                .collect()
        })
        .collect();
    let must = parts
        .iter()
        .map(|alts| {
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for field in fields {
                for terms in alts {
                    let terms: Vec<tantivy::Term> = terms
                        .iter()
                        .map(|(stem, _)| tantivy::Term::from_field_text(*field, stem))
                        .collect();
                    let q: Box<dyn Query> = if terms.len() == 1 {
                        Box::new(TermQuery::new(
                            terms[0].clone(),
                            tantivy::schema::IndexRecordOption::WithFreqs,
                        ))
                    } else {
                        Box::new(PhraseQuery::new(terms))
                    };
                    any.push((Occur::Should, q));
                }
            }
            (Occur::Must, Box::new(BooleanQuery::new(any)) as Box<dyn Query>)
        })
        .collect();
    (Box::new(BooleanQuery::new(must)), SentencePattern { parts, ids: Vec::new() })
}

/// Where a `sentences` entry occurs: for each sentence with a word (or
/// phrase) of every part, the span from the first of those words to the
/// last.
fn sentence_occurrences(toks: &[Tok], s: &SentencePattern) -> Vec<[usize; 2]> {
    let mut out = Vec::new();
    let mut from = 0;
    while from < toks.len() {
        let n = toks[from].sentence;
        let to = from + toks[from..].iter().take_while(|t| t.sentence == n).count();
        let sentence = &toks[from..to];
        let mut span: Option<[usize; 2]> = None;
        let mut all = true;
        // Words already taken by a part: each part needs words of its own
        // ("hospitalisations" is not also the "hospital" of another part).
        let mut used = vec![false; sentence.len()];
        for (alts, alt_ids) in s.parts.iter().zip(&s.ids) {
            // The first place in the sentence where one of the part's
            // alternatives occurs: the same words (by number), as written.
            let first = (0..sentence.len()).find_map(|i| {
                alts.iter().zip(alt_ids).find_map(|(terms, ids)| {
                    let run = sentence.get(i..i + terms.len())?;
                    if run.iter().zip(ids).any(|(t, id)| t.id != *id)
                        || used[i..i + terms.len()].iter().any(|u| *u)
                    {
                        return None;
                    }
                    run.iter()
                        .zip(terms)
                        .all(|(t, (_, word))| t.surface == *word)
                        .then_some((i, terms.len()))
                })
            });
            match first {
                Some((i, n)) => {
                    used[i..i + n].iter_mut().for_each(|u| *u = true);
                    let at = [sentence[i].start, sentence[i + n - 1].end];
                    span = Some(span.map_or(at, |s| [s[0].min(at[0]), s[1].max(at[1])]));
                }
                None => {
                    all = false;
                    break;
                }
            }
        }
        if let (true, Some(span)) = (all, span) {
            out.push(span);
        }
        from = to;
    }
    out
}

/// The words of the records that share a stem with one asked-for word, and
/// how often each occurs: what the word finds when written in a query.
#[derive(Debug, Serialize)]
pub struct StemFamily {
    /// The word as asked for.
    pub word: String,
    /// Its stem, which a query searches for.
    pub stem: String,
    /// Each word of the records with that stem, most frequent first.
    pub forms: Vec<StemForm>,
    /// Records where the stem occurs.
    pub records: usize,
}

/// One word of a stem family, and its occurrences in the records.
#[derive(Debug, Clone, Serialize)]
pub struct StemForm {
    pub form: String,
    pub count: usize,
}

/// The stem family of each of `words` in `records`' tag fields (title,
/// abstract, keywords, MeSH), stemmed as the tagger stems them.
pub fn stem_families(
    index: &CorpusIndex,
    words: &[String],
    records: impl Iterator<Item = Result<Record>>,
) -> Result<Vec<StemFamily>> {
    let mut analyzer = index.text_analyzer();
    let mut families: Vec<StemFamily> = Vec::new();
    for w in words {
        let folded = fold(w);
        let toks = tokenize(&mut analyzer, &folded);
        match toks.len() {
            1 => {}
            0 => bail!(
                "{w:?} has no word the index keeps: it leaves out punctuation (hint: give \
                 a word of letters or digits)"
            ),
            _ => bail!("{w:?} is not one word (hint: --stems takes words, one at a time)"),
        }
        let stem = toks[0].text.clone();
        families.push(StemFamily { word: w.clone(), stem, forms: Vec::new(), records: 0 });
    }
    // Stem → the first family asked for with it (the others copy it below).
    let mut stems: HashMap<String, usize> = HashMap::new();
    for (i, f) in families.iter().enumerate() {
        stems.entry(f.stem.clone()).or_insert(i);
    }
    let mut counts: Vec<HashMap<String, usize>> = vec![HashMap::new(); families.len()];
    for record in records {
        let record = record?;
        let mut seen = HashSet::new();
        for name in TAG_FIELDS {
            let text = record.field_text(name).unwrap_or_default();
            for t in tokenize(&mut analyzer, &text) {
                if let Some(&i) = stems.get(&t.text) {
                    *counts[i].entry(t.surface).or_default() += 1;
                    seen.insert(i);
                }
            }
        }
        for i in seen {
            families[i].records += 1;
        }
    }
    for (f, c) in families.iter_mut().zip(counts) {
        f.forms = c.into_iter().map(|(form, count)| StemForm { form, count }).collect();
        f.forms.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.form.cmp(&b.form)));
    }
    // Two words asked for with one stem: the second shares the first's counts.
    for i in 0..families.len() {
        if let Some(j) = (0..i).find(|&j| families[j].stem == families[i].stem) {
            families[i].forms = families[j].forms.clone();
            families[i].records = families[j].records;
        }
    }
    Ok(families)
}

/// The character spans of the section labels ("METHODS: ") in the
/// abstract's text as [`Record::field_text`] gives it.
fn label_spans(record: &Record) -> Vec<[usize; 2]> {
    let mut out = Vec::new();
    let mut at = 0;
    for (i, s) in record.abstract_sections.iter().enumerate() {
        if i > 0 {
            at += 1; // the newline between sections
        }
        if let Some(l) = s.label.as_deref().filter(|l| !l.is_empty()) {
            let n = l.chars().count() + 2; // "LABEL: "
            out.push([at, at + n]);
            at += n;
        }
        at += s.text.chars().count();
    }
    out
}

/// The slop of each phrase written `"..."~N` in `queries`, by its
/// analysed terms (tantivy's parsed query does not give it back).
fn phrase_slops<'a>(
    analyzer: &mut TextAnalyzer,
    queries: impl Iterator<Item = &'a str>,
) -> HashMap<Vec<String>, u32> {
    let mut out = HashMap::new();
    for q in queries {
        let mut rest = q;
        while let Some(open) = rest.find('"') {
            let Some(len) = rest[open + 1..].find('"') else { break };
            let phrase = &rest[open + 1..open + 1 + len];
            rest = &rest[open + len + 2..];
            if let Some(n) = rest.strip_prefix('~') {
                let digits: String = n.chars().take_while(char::is_ascii_digit).collect();
                if let Ok(slop) = digits.parse::<u32>() {
                    let terms = tokenize(analyzer, phrase).into_iter().map(|t| t.text).collect();
                    out.insert(terms, slop);
                }
            }
        }
    }
    out
}

/// Where `p` occurs, as character spans: its words consecutive and in
/// order in one sentence, or for a phrase with a slop, its words in one
/// sentence with no more than `slop` moves between them and the phrase as
/// written (a word between two of the phrase's costs one, two words swapped
/// cost two: the slop of Lucene and tantivy). The index's phrase query knows
/// no sentences ("training. This study" and "communities; engage" are found
/// there, and dropped here).
fn occurrences(toks: &[Tok], p: &Pattern) -> Vec<[usize; 2]> {
    let terms = &p.terms;
    if terms.is_empty() || toks.len() < terms.len() {
        return Vec::new();
    }
    if p.slop > 0 && terms.len() > 1 {
        let slop = p.slop as i64;
        let mut out = Vec::new();
        // A match is a position for each word such that the positions less
        // each word's place in the phrase lie within `slop` of one another.
        // Each occurrence of a word is tried as the lowest of those values.
        for t in toks {
            let Some(k) = terms.iter().position(|w| *w == t.text) else { continue };
            let low = t.position as i64 - k as i64;
            let mut used: Vec<usize> = Vec::with_capacity(terms.len());
            let mut span = [usize::MAX, 0];
            let all = terms.iter().enumerate().all(|(i, w)| {
                let from = low + i as i64;
                // Tokens are in the order of their positions.
                let start = toks.partition_point(|u| (u.position as i64) < from);
                toks.iter()
                    .enumerate()
                    .skip(start)
                    .take_while(|(_, u)| u.position as i64 <= from + slop)
                    .find(|(j, u)| u.text == *w && u.sentence == t.sentence && !used.contains(j))
                    .map(|(j, u)| {
                        used.push(j);
                        span = [span[0].min(u.start), span[1].max(u.end)];
                    })
                    .is_some()
            });
            if all {
                out.push(span);
            }
        }
        return out;
    }
    let mut out = Vec::new();
    for i in 0..=toks.len() - terms.len() {
        let run = &toks[i..i + terms.len()];
        let consecutive = run
            .windows(2)
            .all(|w| w[1].position == w[0].position + 1 && w[1].sentence == w[0].sentence);
        let exact = p.exact.as_ref().is_none_or(|x| run.len() == 1 && run[0].surface == *x);
        if consecutive && exact && run.iter().zip(terms).all(|(t, w)| t.text == *w) {
            out.push([run[0].start, run[terms.len() - 1].end]);
        }
    }
    out
}

/// Sorts spans and merges those that overlap.
fn merge(mut spans: Vec<[usize; 2]>) -> Vec<[usize; 2]> {
    spans.sort_unstable();
    let mut out: Vec<[usize; 2]> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s[0] < last[1] => last[1] = last[1].max(s[1]),
            _ => out.push(s),
        }
    }
    out
}

/// Lower case with accents folded, as the analyzers see words.
pub(crate) fn fold(word: &str) -> String {
    // Most words are ASCII: lower-casing is all the folding they need (and
    // building an analyzer for each word of each field is slow).
    let trimmed = word.trim();
    if trimmed.is_ascii() {
        return trimmed.to_ascii_lowercase();
    }
    let mut analyzer =
        tantivy::tokenizer::TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
            .filter(tantivy::tokenizer::LowerCaser)
            .filter(tantivy::tokenizer::AsciiFoldingFilter)
            .build();
    let mut stream = analyzer.token_stream(word.trim());
    let mut out = String::new();
    while stream.advance() {
        out.push_str(&stream.token().text);
    }
    out
}

/// The query that finds the records for `q`'s evidence: `q`, with each
/// phrase of three or more words and a slop replaced by its pairs of words,
/// each pair a two-word phrase at its distance in the phrase, with the same
/// slop (which every occurrence of the whole phrase has). tantivy's own
/// slop matching of three or more words depends on the order in which it
/// intersects their postings, which follows how many records have each
/// word; so a record could be found in one build of the index and not in
/// another (PMID 404137 of the 1979-80 baseline file was). Two-word
/// phrases are matched by distance alone, the same in every build, and the
/// evidence finder (`occurrences`) decides from the words themselves.
///
/// The phrases one `a|b` phrase stands for (alternatives of the same
/// field, length and slop, side by side in one OR) are asked together: for
/// each pair of places, any pair of their words. That is a few dozen
/// two-word phrases where the phrases' own pairs would be hundreds, and it
/// finds no more records than tantivy's own phrases did (85,131 candidate
/// record-concept pairs against 85,751 on the 100,000-record RIS bench).
fn retrieval(q: &dyn Query, slops: &HashMap<Vec<String>, u32>) -> Box<dyn Query> {
    let sloppy = |q: &dyn Query| -> Option<(Vec<Term>, u32, Field)> {
        let p = q.downcast_ref::<PhraseQuery>()?;
        let terms = p.phrase_terms();
        let words: Vec<String> =
            terms.iter().filter_map(|t| t.value().as_str().map(String::from)).collect();
        let slop = slops.get(&words).copied().unwrap_or(0);
        (slop > 0 && terms.len() > 2).then_some((terms, slop, p.field()))
    };
    if let Some(b) = q.downcast_ref::<BooleanQuery>() {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // The words at each place of the sloppy phrases in this OR, by the
        // phrases' field, length and slop.
        let mut groups: Vec<(PhraseShape, Vec<Vec<Term>>)> = Vec::new();
        for (occur, sub) in b.clauses() {
            match (occur, sloppy(sub.as_ref())) {
                (Occur::Should, Some((terms, slop, field))) => {
                    let key = (field, terms.len(), slop);
                    let k = match groups.iter().position(|(g, _)| *g == key) {
                        Some(k) => k,
                        None => {
                            groups.push((key, vec![Vec::new(); terms.len()]));
                            groups.len() - 1
                        }
                    };
                    for (place, term) in groups[k].1.iter_mut().zip(terms) {
                        if !place.contains(&term) {
                            place.push(term);
                        }
                    }
                }
                _ => clauses.push((*occur, retrieval(sub.as_ref(), slops))),
            }
        }
        for ((_, _, slop), places) in groups {
            clauses.push((Occur::Should, pairs_within(&places, slop)));
        }
        return Box::new(BooleanQuery::new(clauses));
    }
    match sloppy(q) {
        Some((terms, slop, _)) => {
            let places: Vec<Vec<Term>> = terms.into_iter().map(|t| vec![t]).collect();
            pairs_within(&places, slop)
        }
        None => q.box_clone(),
    }
}

/// A sloppy phrase's field, number of words and slop.
type PhraseShape = (Field, usize, u32);

/// Records where every two places of a phrase have a word each within
/// `slop` of their distance in the phrase (see [`retrieval`]).
fn pairs_within(places: &[Vec<Term>], slop: u32) -> Box<dyn Query> {
    let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for i in 0..places.len() {
        for j in i + 1..places.len() {
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for a in &places[i] {
                for b in &places[j] {
                    let pair = PhraseQuery::new_with_offset_and_slop(
                        vec![(0, a.clone()), (j - i, b.clone())],
                        slop,
                    );
                    any.push((Occur::Should, Box::new(pair)));
                }
            }
            all.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
    }
    Box::new(BooleanQuery::new(all))
}

/// Whether a parsed query requires more than one thing (AND, or NOT): its
/// words are then evidence only where the whole query matches.
fn is_compound(q: &dyn Query) -> bool {
    q.downcast_ref::<BooleanQuery>().is_some_and(|b| {
        b.clauses().iter().any(|(occur, sub)| *occur != Occur::Should || is_compound(sub.as_ref()))
    })
}

/// The words and phrases of a parsed query that count as evidence (not
/// those under NOT).
fn collect_patterns(
    q: &dyn Query,
    fields: &[Field],
    slops: &HashMap<Vec<String>, u32>,
    out: &mut Vec<Pattern>,
) {
    let field_index = |f: Field| fields.iter().position(|x| *x == f);
    if let Some(b) = q.downcast_ref::<BooleanQuery>() {
        for (occur, sub) in b.clauses() {
            if *occur != Occur::MustNot {
                collect_patterns(sub.as_ref(), fields, slops, out);
            }
        }
    } else if let Some(p) = q.downcast_ref::<PhraseQuery>() {
        if let Some(field) = field_index(p.field()) {
            let terms: Vec<String> = p
                .phrase_terms()
                .iter()
                .filter_map(|t| t.value().as_str().map(String::from))
                .collect();
            let slop = slops.get(&terms).copied().unwrap_or(0);
            out.push(Pattern { field, terms, exact: None, slop, ids: Vec::new() });
        }
    } else if let Some(t) = q.downcast_ref::<TermQuery>() {
        if let (Some(field), Some(text)) =
            (field_index(t.term().field()), t.term().value().as_str())
        {
            out.push(Pattern::word(field, text));
        }
    } else {
        // Other query kinds (boosts, ranges...): their terms, one at a time.
        q.query_terms(&mut |term, _| {
            if let (Some(field), Some(text)) = (field_index(term.field()), term.value().as_str()) {
                out.push(Pattern::word(field, text));
            }
        });
    }
}
