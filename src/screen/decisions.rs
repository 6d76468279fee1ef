//! Screening decisions: one append-only log per reviewer,
//! `screening/REVIEWER.jsonl`, one line per decision, fsynced before anyone
//! is told it is saved. For a record, a stage and a reviewer, the last line
//! wins (an undo is a line too, `undecided`). A torn last line (a crash
//! mid-write) is reported and skipped, then set aside by the next write.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::method::Method;
use crate::parse::Pmid;
use crate::store::log::{AppendLog, BadLine, Repaired};
use crate::store::Workspace;

/// A screening stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    TitleAbstract,
    FullText,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::TitleAbstract => "title-abstract",
            Stage::FullText => "full-text",
        }
    }

    pub fn parse(s: &str) -> Result<Stage> {
        match s.trim() {
            "title-abstract" | "ta" => Ok(Stage::TitleAbstract),
            "full-text" | "ft" => Ok(Stage::FullText),
            other => bail!("no screening stage {other:?} (hint: title-abstract or full-text)"),
        }
    }
}

/// What a reviewer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Include,
    Exclude,
    Maybe,
    /// A decision taken back (an undo): the record is unscreened again.
    Undecided,
}

impl Verdict {
    pub fn parse(s: &str) -> Result<Verdict> {
        match s.trim().to_ascii_lowercase().as_str() {
            "include" | "i" => Ok(Verdict::Include),
            "exclude" | "e" => Ok(Verdict::Exclude),
            "maybe" | "m" => Ok(Verdict::Maybe),
            other => bail!("no decision {other:?} (hint: include, exclude or maybe)"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Include => "include",
            Verdict::Exclude => "exclude",
            Verdict::Maybe => "maybe",
            Verdict::Undecided => "undecided",
        }
    }
}

/// One line of a decision log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub pmid: Pmid,
    pub stage: Stage,
    pub decision: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub reviewer: String,
    /// UTC, ISO 8601.
    pub time: String,
    /// True for a decision that settles a disagreement (a third reviewer's,
    /// or the team's consensus): it is the record's final decision.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub settles: bool,
}

/// The decision log of one reviewer.
pub fn log_of(ws: &Workspace, reviewer: &str) -> AppendLog<Decision> {
    let path = ws.screening().join(format!("{reviewer}.jsonl"));
    let shown = ws.relative(&path);
    AppendLog::new(path, shown)
}

/// Appends `d` to its reviewer's log, durably.
pub fn record(ws: &Workspace, d: &Decision) -> Result<Option<Repaired>> {
    let log = log_of(ws, &d.reviewer);
    log.append(d)
        .with_context(|| format!("could not save the decision in {}", log.path().display()))
}

/// Every reviewer's decisions, the last one for each record and stage, and
/// the method they are held to: the review model over the logs. A record's
/// state at a stage is a function of these (see [`Decisions::outcome`]).
#[derive(Debug, Default, Clone)]
pub struct Decisions {
    /// reviewer → (pmid, stage) → the decision in force (an `undecided`
    /// line may carry a note).
    pub by_reviewer: BTreeMap<String, HashMap<(Pmid, Stage), Decision>>,
    /// Lines that could not be read.
    pub bad: Vec<BadLine>,
    /// The protocol's method.
    pub method: Method,
    /// Logs in screening/ of names not on the roster, with their number of
    /// decisions: not counted anywhere.
    pub off_roster: Vec<(String, usize)>,
    /// When blinding was ended, and by whom (`scoper unblind`).
    pub unblinded: Option<Unblinding>,
}

/// The act that ends blinding: one line of `screening/blinding.log`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unblinding {
    pub act: String,
    pub by: String,
    /// UTC, ISO 8601.
    pub time: String,
}

/// The log of blinding acts (not a reviewer's log: it does not end in
/// `.jsonl`).
pub fn blinding_log(ws: &Workspace) -> AppendLog<Unblinding> {
    let path = ws.screening().join("blinding.log");
    let shown = ws.relative(&path);
    AppendLog::new(path, shown)
}

/// Where reviewers stand on one record at one stage.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nobody decided.
    Open,
    /// Fewer reviewers than the protocol asks for decided, and they agree
    /// so far: `decided` of them.
    Awaiting(usize),
    /// As many reviewers as the protocol asks for agree, or one settled it.
    Final(Verdict),
    /// Reviewers disagree (on the decision, or at full text on the reason
    /// for an exclusion) and nobody settled it.
    Conflict,
}

impl Decisions {
    /// Reads every `screening/*.jsonl` and the protocol's method; the logs
    /// of names not on the roster are set aside ([`Decisions::off_roster`]).
    pub fn load(ws: &Workspace) -> Result<Decisions> {
        let protocol = crate::config::Protocol::load(&ws.protocol())?;
        Self::read(ws, Method::of(&protocol)?)
    }

    /// [`Decisions::load`] under a method already read from the protocol.
    pub fn read(ws: &Workspace, method: Method) -> Result<Decisions> {
        let mut out = Decisions { method, ..Decisions::default() };
        let dir = ws.screening();
        let names = crate::store::log::names_in(&dir)
            .with_context(|| format!("could not read {}", dir.display()))?;
        for name in names {
            let read = log_of(ws, &name).read()?;
            out.bad.extend(read.bad);
            if !out.method.counts(&name) {
                out.off_roster.push((name, read.entries.len()));
                continue;
            }
            let mine = out.by_reviewer.entry(name).or_default();
            for d in read.entries {
                mine.insert((d.pmid, d.stage), d);
            }
        }
        let acts = blinding_log(ws).read()?;
        out.bad.extend(acts.bad);
        out.unblinded = acts.entries.into_iter().rfind(|a| a.act == "unblind");
        Ok(out)
    }

    /// The act that ended blinding, if any, without reading the decision
    /// logs (for a command that only needs to know).
    pub fn unblinding(ws: &Workspace) -> Result<Option<Unblinding>> {
        Ok(blinding_log(ws).read()?.entries.into_iter().rfind(|a| a.act == "unblind"))
    }

    /// Whether screening is blind now: the protocol asks for it and nobody
    /// ended it.
    pub fn blind(&self) -> bool {
        self.method.blind && self.unblinded.is_none()
    }

    /// What to say of the logs set aside, one line each.
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = self.bad.iter().map(|b| b.to_string()).collect();
        for (name, n) in &self.off_roster {
            out.push(format!(
                "screening/{name}.jsonl ({n} line(s)) is not counted: {name:?} is not on the \
                 roster in scoper.toml (hint: add the name to [screening] reviewers if it is a \
                 reviewer of this review)"
            ));
        }
        out
    }

    /// A reviewer's decision in force (not an undone one).
    pub fn of(&self, reviewer: &str, pmid: Pmid, stage: Stage) -> Option<&Decision> {
        self.by_reviewer
            .get(reviewer)?
            .get(&(pmid, stage))
            .filter(|d| d.decision != Verdict::Undecided)
    }

    /// A reviewer's note on a record at a stage, with or without a
    /// decision.
    pub fn note_of(&self, reviewer: &str, pmid: Pmid, stage: Stage) -> Option<&str> {
        self.by_reviewer.get(reviewer)?.get(&(pmid, stage))?.note.as_deref()
    }

    /// Every decision in force on a record at a stage, by reviewer.
    pub fn on(&self, pmid: Pmid, stage: Stage) -> Vec<&Decision> {
        self.by_reviewer
            .values()
            .filter_map(|m| m.get(&(pmid, stage)))
            .filter(|d| d.decision != Verdict::Undecided)
            .collect()
    }

    /// The settling decision in force on a record at a stage, if any: the
    /// latest of those the protocol lets settle.
    pub fn settled(&self, pmid: Pmid, stage: Stage) -> Option<&Decision> {
        self.on(pmid, stage)
            .into_iter()
            .filter(|d| d.settles && self.method.may_settle(&d.reviewer))
            .max_by(|a, b| a.time.cmp(&b.time))
    }

    /// Where the reviewers stand on a record at a stage, under the
    /// protocol's method: final only when as many reviewers as it asks for
    /// agree, or a settling decision exists.
    pub fn outcome(&self, pmid: Pmid, stage: Stage) -> Outcome {
        if let Some(s) = self.settled(pmid, stage) {
            return Outcome::Final(s.decision);
        }
        let on: Vec<&Decision> = self.on(pmid, stage).into_iter().filter(|d| !d.settles).collect();
        let Some(first) = on.first() else { return Outcome::Open };
        if on.iter().any(|d| d.decision != first.decision) {
            return Outcome::Conflict;
        }
        if stage == Stage::FullText && first.decision == Verdict::Exclude {
            let reasons: BTreeSet<String> = on
                .iter()
                .map(|d| self.method.reason(d.reason.as_deref().unwrap_or("")).to_lowercase())
                .collect();
            if reasons.len() > 1 {
                return Outcome::Conflict;
            }
        }
        if on.len() < self.method.required(stage) {
            Outcome::Awaiting(on.len())
        } else {
            Outcome::Final(first.decision)
        }
    }

    /// The records in conflict at `stage`, not settled.
    pub fn in_conflict(&self, stage: Stage) -> Vec<Pmid> {
        self.pmids(stage)
            .into_iter()
            .filter(|p| self.outcome(*p, stage) == Outcome::Conflict)
            .collect()
    }

    /// Every PMID some reviewer decided at `stage`.
    pub fn pmids(&self, stage: Stage) -> BTreeSet<Pmid> {
        self.by_reviewer
            .values()
            .flat_map(|m| m.values())
            .filter(|d| d.stage == stage && d.decision != Verdict::Undecided)
            .map(|d| d.pmid)
            .collect()
    }

    /// The reviewers with at least one decision at `stage` (settling ones
    /// aside).
    pub fn reviewers(&self, stage: Stage) -> Vec<&str> {
        self.by_reviewer
            .iter()
            .filter(|(_, m)| {
                m.values()
                    .any(|d| d.stage == stage && !d.settles && d.decision != Verdict::Undecided)
            })
            .map(|(r, _)| r.as_str())
            .collect()
    }
}

/// The records that enter the full-text stage: included or marked maybe
/// at title-abstract, finally: by as many reviewers as the protocol asks
/// for, or by the decision that settled a disagreement.
pub fn full_text_candidates(d: &Decisions) -> BTreeSet<Pmid> {
    d.pmids(Stage::TitleAbstract)
        .into_iter()
        .filter(|p| {
            matches!(
                d.outcome(*p, Stage::TitleAbstract),
                Outcome::Final(Verdict::Include | Verdict::Maybe)
            )
        })
        .collect()
}

/// Cohen's kappa of two reviewers over the records both decided: (observed
/// agreement − chance agreement) ÷ (1 − chance agreement), over the
/// categories include, exclude and maybe. `None` with no record in common.
pub fn cohen_kappa(pairs: &[(Verdict, Verdict)]) -> Option<(f64, f64)> {
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    let cats = [Verdict::Include, Verdict::Exclude, Verdict::Maybe];
    let observed = pairs.iter().filter(|(a, b)| a == b).count() as f64 / n;
    let chance: f64 = cats
        .iter()
        .map(|c| {
            let a = pairs.iter().filter(|(x, _)| x == c).count() as f64 / n;
            let b = pairs.iter().filter(|(_, y)| y == c).count() as f64 / n;
            a * b
        })
        .sum();
    let kappa =
        if (1.0 - chance).abs() < 1e-12 { 1.0 } else { (observed - chance) / (1.0 - chance) };
    Some((kappa, observed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::*;

    #[test]
    fn kappa_is_cohens() {
        // A textbook case: 50 records, agreement 0.7, chance 0.5 → 0.4.
        let mut pairs = vec![(Include, Include); 20];
        pairs.extend(vec![(Include, Exclude); 5]);
        pairs.extend(vec![(Exclude, Include); 10]);
        pairs.extend(vec![(Exclude, Exclude); 15]);
        let (k, agree) = cohen_kappa(&pairs).unwrap();
        assert!((agree - 0.7).abs() < 1e-9);
        assert!((k - 0.4).abs() < 1e-9, "{k}");
        assert_eq!(cohen_kappa(&[(Include, Include)]).unwrap().0, 1.0);
        assert!(cohen_kappa(&[]).is_none());
    }
}
