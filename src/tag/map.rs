//! `ConceptMap`: how many records each element and concept has, the records
//! with none, and which elements appear together: the review's concept map.

use std::collections::BTreeSet;
use std::io::{self, Write};

use serde::Serialize;

use super::store::TagSet;

#[derive(Debug, Serialize)]
pub struct ConceptMap {
    pub framework: String,
    pub records: usize,
    pub tagged: usize,
    pub untagged: usize,
    pub elements: Vec<ElementCount>,
    /// `cooccurrence[i][j]`: records with both element i and element j (the
    /// diagonal: records with element i).
    pub cooccurrence: Vec<Vec<usize>>,
}

#[derive(Debug, Serialize)]
pub struct ElementCount {
    pub id: String,
    pub name: String,
    pub records: usize,
    pub concepts: Vec<ConceptCount>,
}

#[derive(Debug, Serialize)]
pub struct ConceptCount {
    pub id: String,
    pub name: String,
    pub records: usize,
}

impl ConceptMap {
    pub fn of(tags: &TagSet) -> ConceptMap {
        let n = tags.elements.len();
        let mut co = vec![vec![0; n]; n];
        let mut elements: Vec<ElementCount> = tags
            .elements
            .iter()
            .map(|e| ElementCount {
                id: e.id.clone(),
                name: e.name.clone(),
                records: 0,
                concepts: e
                    .concepts
                    .iter()
                    .map(|(id, name)| ConceptCount {
                        id: id.clone(),
                        name: name.clone(),
                        records: 0,
                    })
                    .collect(),
            })
            .collect();
        for hits in tags.hits.values() {
            let present: BTreeSet<usize> = hits
                .iter()
                .filter_map(|h| tags.elements.iter().position(|e| e.id == h.element))
                .collect();
            for &i in &present {
                elements[i].records += 1;
                for &j in &present {
                    co[i][j] += 1;
                }
            }
            let concepts: BTreeSet<(&str, &str)> =
                hits.iter().map(|h| (h.element.as_str(), h.concept.as_str())).collect();
            for (e, c) in concepts {
                if let Some(el) = elements.iter_mut().find(|x| x.id == e) {
                    if let Some(cc) = el.concepts.iter_mut().find(|x| x.id == c) {
                        cc.records += 1;
                    }
                }
            }
        }
        ConceptMap {
            framework: tags.framework_name.clone(),
            records: tags.records,
            tagged: tags.hits.len(),
            untagged: tags.untagged.len(),
            elements,
            cooccurrence: co,
        }
    }

    pub fn print(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(
            w,
            "concept map ({}): {} of {} records have a concept; {} have none",
            self.framework, self.tagged, self.records, self.untagged
        )?;
        for e in &self.elements {
            writeln!(w, "  {:<72} {:>6}", e.name, e.records)?;
            for c in &e.concepts {
                writeln!(w, "    {:<70} {:>6}", c.name, c.records)?;
            }
        }
        writeln!(w, "elements together (records with both):")?;
        let short: Vec<String> = self.elements.iter().map(|e| abbreviation(&e.name)).collect();
        write!(w, "  {:<26}", "")?;
        for s in &short {
            write!(w, " {s:>6}")?;
        }
        writeln!(w)?;
        for (i, e) in self.elements.iter().enumerate() {
            write!(w, "  {:<26}", e.name)?;
            for n in &self.cooccurrence[i] {
                write!(w, " {n:>6}")?;
            }
            writeln!(w)?;
        }
        Ok(())
    }
}

/// "Pillars and accelerators" → "PA".
fn abbreviation(name: &str) -> String {
    name.split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase) || w.len() > 3)
        .filter_map(|w| w.chars().next())
        .map(|c| c.to_ascii_uppercase())
        .take(4)
        .collect()
}
