//! The tags of the working set, kept in `.scoper/tags.json`: derived data,
//! written atomically after a tagging run succeeds (so the previous tags stay
//! until then), and reused while neither the framework file nor the corpus
//! has changed.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::framework::Framework;
use super::matcher::{ConceptHit, Matcher};
use crate::parse::Pmid;
use crate::store::atomic::write_atomic;
use crate::store::{CorpusIndex, Workspace};

/// Bumped when the file's shape changes.
const TAGS_SCHEMA: u32 = 1;

/// A framework's element and concept names, kept with the tags.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ElementNames {
    pub id: String,
    pub name: String,
    pub concepts: Vec<(String, String)>,
}

/// The result of tagging the working set with one framework.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TagSet {
    schema: u32,
    pub framework: String,
    pub framework_name: String,
    framework_fingerprint: String,
    corpus_fingerprint: String,
    pub elements: Vec<ElementNames>,
    /// Records in the working set when tagged.
    pub records: usize,
    pub untagged: Vec<Pmid>,
    pub hits: BTreeMap<Pmid, Vec<ConceptHit>>,
}

impl TagSet {
    /// The hits of one record (none when it has no concept).
    pub fn of(&self, pmid: Pmid) -> &[ConceptHit] {
        self.hits.get(&pmid).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The element id and names for a concept or element id.
    pub fn resolve(&self, id: &str) -> Option<Selector> {
        for e in &self.elements {
            if e.id == id {
                return Some(Selector::Element(e.id.clone()));
            }
            if e.concepts.iter().any(|(c, _)| c == id) {
                return Some(Selector::Concept(id.to_string()));
            }
        }
        None
    }

    /// PMIDs of the records tagged with what `sel` names.
    pub fn pmids(&self, sel: &Selector) -> Vec<Pmid> {
        self.hits
            .iter()
            .filter(|(_, hits)| hits.iter().any(|h| sel.matches(h)))
            .map(|(p, _)| *p)
            .collect()
    }

    /// True when these tags were made with the framework of this
    /// fingerprint, on the corpus the index holds now.
    pub fn is_current(&self, ws: &Workspace, framework_fingerprint: &str) -> bool {
        self.framework_fingerprint == framework_fingerprint
            && self.corpus_fingerprint == corpus_fingerprint(ws)
    }

    /// Every concept and element id, for messages.
    pub fn ids(&self) -> Vec<&str> {
        self.elements
            .iter()
            .flat_map(|e| {
                std::iter::once(e.id.as_str()).chain(e.concepts.iter().map(|c| c.0.as_str()))
            })
            .collect()
    }
}

/// A concept or a whole element.
#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    Element(String),
    Concept(String),
}

impl Selector {
    pub fn matches(&self, hit: &ConceptHit) -> bool {
        match self {
            Selector::Element(e) => hit.element == *e,
            Selector::Concept(c) => hit.concept == *c,
        }
    }
}

/// A fingerprint of the corpus the index holds.
fn corpus_fingerprint(ws: &Workspace) -> String {
    let state = std::fs::read(ws.index_state()).unwrap_or_default();
    blake3::hash(&state).to_hex().to_string()
}

/// The tags of the last successful run, current or not.
pub fn saved_tags(ws: &Workspace) -> Option<TagSet> {
    load(ws)
}

fn load(ws: &Workspace) -> Option<TagSet> {
    let bytes = std::fs::read(ws.tags()).ok()?;
    let set: TagSet = serde_json::from_slice(&bytes).ok()?;
    (set.schema == TAGS_SCHEMA).then_some(set)
}

/// Tags the working set with `framework` and saves the result.
pub fn retag(ws: &Workspace, index: &CorpusIndex, framework: &Framework) -> Result<TagSet> {
    let matcher = Matcher::compile(framework, index)?;
    let tagged = matcher.tag(index)?;
    let set = TagSet {
        schema: TAGS_SCHEMA,
        framework: ws.relative(&framework.path),
        framework_name: framework.name.clone(),
        framework_fingerprint: framework.fingerprint.clone(),
        corpus_fingerprint: corpus_fingerprint(ws),
        elements: framework
            .elements
            .iter()
            .map(|e| ElementNames {
                id: e.id.clone(),
                name: e.name.clone(),
                concepts: e.concepts.iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
            })
            .collect(),
        records: tagged.records,
        untagged: tagged.untagged,
        hits: tagged.hits,
    };
    write_atomic(&ws.tags(), &serde_json::to_vec(&set)?)
        .context("could not save the tags in .scoper/")?;
    Ok(set)
}

/// The saved tags when they are current for `framework` and the corpus;
/// otherwise tags again.
pub fn current_tags(ws: &Workspace, index: &CorpusIndex, framework: &Framework) -> Result<TagSet> {
    if let Some(set) = load(ws) {
        if set.is_current(ws, &framework.fingerprint) {
            return Ok(set);
        }
    }
    retag(ws, index, framework)
}
