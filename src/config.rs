//! The protocol, `scoper.toml`: what the review is and how it is run.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

/// The parts of `scoper.toml` that scoper reads. Other tables are kept for
/// the people who read the protocol.
#[derive(Debug, Default, Deserialize)]
pub struct Protocol {
    #[serde(default)]
    pub review: Review,
    #[serde(default)]
    pub eligibility: Eligibility,
    #[serde(default)]
    pub screening: Screening,
    /// `[framework] file = "queries/lhs-framework.toml"`.
    #[serde(default)]
    pub framework: Option<FrameworkRef>,
    #[serde(default)]
    pub ncbi: Ncbi,
    /// `[charting]`: the form the included records are charted with.
    #[serde(default)]
    pub charting: Option<crate::chart::ChartingConfig>,
}

/// How scoper identifies itself to NCBI.
#[derive(Debug, Default, Deserialize)]
pub struct Ncbi {
    /// The contact address E-utilities asks for (NCBI_EMAIL overrides it).
    #[serde(default)]
    pub email: String,
    /// PMIDs per efetch request (default 500).
    #[serde(default)]
    pub batch_size: Option<usize>,
}

/// Which framework the review charts against.
#[derive(Debug, Default, Deserialize)]
pub struct FrameworkRef {
    pub file: std::path::PathBuf,
}

#[derive(Debug, Default, Deserialize)]
pub struct Review {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub question: String,
}

/// Population / Concept / Context (the PCC framework of a scoping review).
#[derive(Debug, Default, Deserialize)]
pub struct Eligibility {
    #[serde(default)]
    pub population: String,
    #[serde(default)]
    pub concept: String,
    #[serde(default)]
    pub context: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Screening {
    #[serde(default)]
    pub stages: Vec<String>,
    #[serde(default)]
    pub exclusion_reasons: Vec<String>,
    /// The roster: who screens (and charts). Names are exact.
    #[serde(default)]
    pub reviewers: Vec<String>,
    /// Who may settle a disagreement: a third reviewer, or "consensus"
    /// (the team together). Empty: any reviewer of the roster, recording
    /// the team's consensus.
    #[serde(default)]
    pub settlers: Vec<String>,
    /// How many reviewers screen each record: one number for every stage,
    /// or a table by stage (`{ title-abstract = 2, full-text = 2 }`).
    /// Default: two when the roster has two or more, else one.
    #[serde(default)]
    pub reviewers_per_record: Option<PerRecord>,
    /// Whether reviewers screen blind to each other's decisions. Default:
    /// blind when the roster has two or more. `scoper unblind` ends it.
    #[serde(default)]
    pub blind: Option<bool>,
    /// The pilot: every reviewer screens the same N seeded records first
    /// (JBI suggests 25).
    #[serde(default)]
    pub pilot: Option<usize>,
    /// Remapped keys of the screening UI: action name → key.
    #[serde(default)]
    pub keys: std::collections::HashMap<String, String>,
}

/// `reviewers_per_record`: one number, or one per stage.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum PerRecord {
    All(usize),
    ByStage(std::collections::BTreeMap<String, usize>),
}

impl Protocol {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<Protocol> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("could not read {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("{} is not a valid protocol", path.display()))
    }

    /// Parses the text of a protocol.
    pub fn parse(text: &str) -> Result<Protocol> {
        let p: Protocol = toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_protocol_parses() {
        let p = Protocol::parse(include_str!("../scoper.toml")).unwrap();
        assert!(p.review.title.contains("learning health"));
        assert!(!p.screening.exclusion_reasons.is_empty());
        assert!(!p.eligibility.population.is_empty());
        assert!(p.framework.unwrap().file.ends_with("lhs-framework.toml"));
    }

    #[test]
    fn a_bad_protocol_names_the_line() {
        let err = Protocol::parse("[review]\ntitle = \"x\"\nstages = [\n").unwrap_err();
        assert!(format!("{err:#}").contains("line"), "{err:#}");
    }
}
