//! What a review hands over: the charted data as CSV (wide, long, or the
//! audit trail), the included records as RIS, the PRISMA flow (counts, the
//! template's CSV, an SVG diagram), the concept map, and one HTML report.
//! Everything is read through the read-only view and written atomically.

pub mod csv_out;
pub mod figures;
pub mod prisma;
pub mod report;
pub mod ris;

use std::collections::BTreeMap;

use anyhow::Result;

use crate::chart::{self, Charts, Form};
use crate::config::Protocol;
use crate::fetch::search::SearchRun;
use crate::parse::Pmid;
use crate::screen::decisions::{Decision, Decisions, Outcome, Stage, Verdict};
use crate::store::Workspace;
use crate::view::View;

/// Everything an export reads, read once.
pub struct Review {
    pub protocol: Protocol,
    pub view: View,
    pub decisions: Decisions,
    pub charts: Charts,
    pub form: Form,
    pub searches: Vec<SearchRun>,
    /// The stages the review screens at, in order.
    pub stages: Vec<Stage>,
}

impl Review {
    pub fn load(ws: &Workspace, view: View) -> Result<Review> {
        // The protocol is read once; the logs are read under its method.
        let protocol = Protocol::load(&ws.protocol())?;
        let method = crate::screen::method::Method::of(&protocol)?;
        let decisions = Decisions::read(ws, method.clone())?;
        let charts = Charts::read(ws, &protocol, method)?;
        let form = Form::of(&protocol, view.tag_set())?;
        let searches = crate::fetch::search::read_log(ws)?.entries;
        let stages = if protocol.screening.stages.iter().any(|s| s == "full-text")
            || protocol.screening.stages.is_empty()
        {
            vec![Stage::TitleAbstract, Stage::FullText]
        } else {
            vec![Stage::TitleAbstract]
        };
        Ok(Review { protocol, view, decisions, charts, form, searches, stages })
    }

    /// Lines that could not be read in screening/ and charting/.
    pub fn problems(&self) -> Vec<String> {
        let mut out = self.decisions.warnings();
        out.extend(self.charts.warnings());
        out
    }

    /// The included records: final include at the last stage.
    pub fn included(&self) -> Vec<Pmid> {
        chart::included(&self.decisions, *self.stages.last().unwrap_or(&Stage::TitleAbstract))
    }

    /// The final decision at a stage and who made it: ("include", "ana; ben")
    /// or ("include", "cy (settled)"), ("conflict", ...) or ("", "").
    pub fn final_at(&self, pmid: Pmid, stage: Stage) -> (String, String) {
        let on = self.decisions.on(pmid, stage);
        let who = |ds: &[&Decision]| {
            ds.iter().map(|d| d.reviewer.as_str()).collect::<Vec<_>>().join("; ")
        };
        match self.decisions.outcome(pmid, stage) {
            Outcome::Open => (String::new(), String::new()),
            Outcome::Awaiting(_) => ("awaiting a second reviewer".into(), who(&on)),
            Outcome::Conflict => ("conflict".into(), who(&on)),
            Outcome::Final(v) => match self.decisions.settled(pmid, stage) {
                Some(s) => (v.name().into(), format!("{} (settled)", s.reviewer)),
                None => (v.name().into(), who(&on)),
            },
        }
    }

    /// The reason of a final exclusion at `stage`, as the protocol words
    /// it (a reviewer's own reads `other: …`): the settling decision's, else
    /// the one the reviewers agree on (at title-abstract, the first given).
    pub fn exclusion_reason(&self, pmid: Pmid, stage: Stage) -> Option<String> {
        if self.decisions.outcome(pmid, stage) != Outcome::Final(Verdict::Exclude) {
            return None;
        }
        let reason = match self.decisions.settled(pmid, stage) {
            Some(s) => s.reason.clone(),
            None => self.decisions.on(pmid, stage).iter().find_map(|d| d.reason.clone()),
        };
        Some(reason.map_or("no reason given".into(), |r| self.decisions.method.reason(&r)))
    }

    /// The concepts a record shows: from its chart where a reviewer charted
    /// the element, else from the concept hits; by element id.
    pub fn concepts_of(&self, pmid: Pmid) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in self.form.fields.iter().filter(|f| f.element.is_some()) {
            let element = f.element.clone().unwrap_or_default();
            let concepts = match self.charts.value(pmid, &f.id) {
                Some(e) => e
                    .value
                    .as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default(),
                None => {
                    let mut cs: Vec<String> = self
                        .view
                        .hits(pmid)
                        .iter()
                        .filter(|h| h.element == element)
                        .map(|h| h.concept.clone())
                        .collect();
                    cs.dedup();
                    cs
                }
            };
            out.insert(element, concepts);
        }
        out
    }
}

/// `s` escaped for HTML and SVG text and attributes.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Neutralises a spreadsheet formula: a text cell that begins with `=`,
/// `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's
/// advice); a number stays a number.
pub fn safe_cell(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && s.trim().parse::<f64>().map_or(true, |n| !n.is_finite()) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        use super::safe_cell;
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("+1+2"), "'+1+2");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("\tx"), "'\tx");
        assert_eq!(safe_cell("-3.5"), "-3.5");
        assert_eq!(safe_cell("+12"), "+12");
        assert_eq!(safe_cell("-inf"), "'-inf");
        assert_eq!(safe_cell("plain"), "plain");
    }
}
