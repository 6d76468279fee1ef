//! Screening: decisions (an append-only log per reviewer), the order of the
//! queue, and the terminal UI.
//!
//! - [`decisions`]: `screening/REVIEWER.jsonl`, the outcome of a record
//!   (agreed, settled, in conflict), Cohen's kappa;
//! - [`order`]: which records come first (relevance to the eligibility
//!   criteria and the concept hits, PMID, year, seeded random);
//! - [`prioritise`]: the model's order (the default), retrained after each
//!   decision;
//! - [`state`] (pure: state + action → effects), [`keys`] (the keymap),
//!   [`view`] (draws the state), [`term`] (the only code that touches the
//!   terminal);
//! - [`open`]: builds the state of a reviewer's session from the workspace.

pub mod decisions;
pub mod keys;
pub mod method;
pub mod order;
pub mod prioritise;
pub mod state;
pub mod term;
pub mod view;

use std::collections::HashSet;

use anyhow::{bail, Result};

use crate::config::Protocol;
use crate::parse::Pmid;
use crate::store::Workspace;
use crate::view::View;
use decisions::{full_text_candidates, Decisions, Outcome, Stage};
use order::Order;
use state::{Criteria, ElementInfo, Filter, ScreenState};

/// How a session is asked for (`scoper screen` flags).
#[derive(Debug, Clone)]
pub struct Options {
    pub reviewer: String,
    pub stage: Stage,
    pub order: Order,
    /// Only what the last update brought.
    pub new_only: bool,
    /// Every reviewer screens the same seeded N records first (`None`: the
    /// protocol's pilot, if any).
    pub pilot: Option<usize>,
    /// Hide the other reviewers' decisions (the default).
    pub blind: bool,
}

/// The PMIDs the last `scoper update` brought in, and its date, from the
/// search log's runs.
pub fn last_update(log: &[crate::fetch::search::SearchRun]) -> (HashSet<Pmid>, Option<String>) {
    let updates = || log.iter().filter(|r| r.is_complete() && r.kind == "update");
    let Some(day) = updates().map(|r| &r.searched_on).max().cloned() else {
        return (HashSet::new(), None);
    };
    let new =
        updates().filter(|r| r.searched_on == day).flat_map(|r| r.new.iter().copied()).collect();
    (new, Some(day))
}

/// The records a reviewer screens at `stage`: every record at title and
/// abstract (a group of duplicates once); at full text, those included or
/// marked maybe at title and abstract.
pub fn stage_records(view: &View, decisions: &Decisions, stage: Stage) -> Result<Vec<Pmid>> {
    // A group of duplicates is screened once, as its primary record.
    let secondary = view.secondary();
    let mut all = view.pmids()?;
    all.retain(|p| !secondary.contains_key(p));
    Ok(match stage {
        Stage::TitleAbstract => all,
        Stage::FullText => {
            let wanted = full_text_candidates(decisions);
            all.into_iter().filter(|p| wanted.contains(p)).collect()
        }
    })
}

/// One or two capital letters for an element's badge: "Core values" → CV.
fn badge(name: &str) -> String {
    let letters: String = name
        .split_whitespace()
        .filter(|w| w.len() > 3 || w.chars().next().is_some_and(char::is_uppercase))
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase();
    if letters.is_empty() {
        name.chars().take(1).collect::<String>().to_uppercase()
    } else {
        letters
    }
}

/// The state of a reviewer's session, from the workspace (read-only).
pub fn open(ws: &Workspace, view: &View, opts: &Options) -> Result<ScreenState> {
    let protocol = Protocol::load(&ws.protocol())?;
    if opts.stage == Stage::FullText
        && !protocol.screening.stages.is_empty()
        && !protocol.screening.stages.iter().any(|s| s == "full-text")
    {
        bail!(
            "this review has no full-text stage: scoper.toml's [screening] stages are {:?} (hint: \
             add \"full-text\" to stages)",
            protocol.screening.stages
        );
    }
    let decisions = Decisions::load(ws)?;
    let records = stage_records(view, &decisions, opts.stage)?;
    let mut queue = order::rank(view, &protocol, &records, &opts.order)?;
    // The pilot: the size asked for, else the protocol's (at title-abstract).
    let pilot_n =
        opts.pilot.or(decisions.method.pilot.filter(|_| opts.stage == Stage::TitleAbstract));
    if let Some(n) = pilot_n {
        let pilot = order::pilot(&records, n);
        let set: HashSet<Pmid> = pilot.iter().copied().collect();
        queue.retain(|p| !set.contains(p));
        queue.splice(0..0, pilot);
    }
    let pinned = pilot_n.map_or(0, |n| n.min(queue.len()));
    let pilot: HashSet<Pmid> = queue[..pinned].iter().copied().collect();
    let mut state = ScreenState::new(&opts.reviewer, opts.stage, queue);
    state.order_label = opts.order.label();
    state.pinned = pinned;
    state.pilot = pilot;
    if let Order::Model(seed) = opts.order {
        state.model_order = true;
        state.prioritiser = Some(prioritise::Prioritiser::start(ws, &records, seed));
    }
    state.blind = opts.blind;
    state.reasons = protocol.screening.exclusion_reasons.clone();
    state.criteria = Criteria {
        population: protocol.eligibility.population.clone(),
        concept: protocol.eligibility.concept.clone(),
        context: protocol.eligibility.context.clone(),
    };
    state.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    for ((p, stage), d) in decisions.by_reviewer.get(&opts.reviewer).into_iter().flatten() {
        if *stage != opts.stage {
            continue;
        }
        if d.decision != decisions::Verdict::Undecided {
            state.mine.insert(*p, d.clone());
        } else if let Some(n) = &d.note {
            state.notes.insert(*p, n.clone());
        }
    }
    if !opts.blind {
        for (name, m) in &decisions.by_reviewer {
            if *name == opts.reviewer {
                continue;
            }
            for ((p, stage), d) in m {
                if *stage == opts.stage && d.decision != decisions::Verdict::Undecided {
                    state.others.entry(*p).or_default().push(d.clone());
                }
            }
        }
    }
    let mut seq: Vec<&decisions::Decision> = state.mine.values().collect();
    seq.sort_by(|a, b| a.time.cmp(&b.time).then(a.pmid.cmp(&b.pmid)));
    state.sequence = seq.into_iter().map(|d| d.pmid).collect();
    if !opts.blind {
        state.conflicts = decisions
            .pmids(opts.stage)
            .into_iter()
            .filter(|p| decisions.outcome(*p, opts.stage) == Outcome::Conflict)
            .collect();
    }
    state.new = last_update(&crate::fetch::search::read_log(ws)?.entries).0;
    if let Some(tags) = view.tag_set() {
        state.elements = tags
            .elements
            .iter()
            .map(|e| ElementInfo { id: e.id.clone(), name: e.name.clone(), badge: badge(&e.name) })
            .collect();
        for (p, hits) in &tags.hits {
            let mut es: Vec<usize> = hits
                .iter()
                .filter_map(|h| state.elements.iter().position(|e| e.id == h.element))
                .collect();
            es.sort_unstable();
            es.dedup();
            state.elements_of.insert(*p, es);
        }
    }
    if opts.new_only {
        state.filter = Filter::New;
        let new = state.new.clone();
        state.visible = (0..state.queue.len()).filter(|&i| new.contains(&state.queue[i])).collect();
    }
    if !decisions.bad.is_empty() {
        state.status = Some(format!(
            "{} unreadable line(s) in screening/ were skipped: {}",
            decisions.bad.len(),
            decisions.bad[0]
        ));
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    #[test]
    fn badges_are_initials() {
        assert_eq!(super::badge("Core values"), "CV");
        assert_eq!(super::badge("Pillars and accelerators"), "PA");
        assert_eq!(super::badge("Processes"), "P");
        assert_eq!(super::badge("Outcomes"), "O");
    }
}
