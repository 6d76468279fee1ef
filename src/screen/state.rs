//! The screening UI as a state machine: `ScreenState::update(action)`
//! returns the effects for the shell to carry out (save a decision, load a
//! record, run a search, open a link, quit). No terminal, no I/O here; the
//! view only reads this state.

use std::collections::{HashMap, HashSet};

use super::decisions::{Decision, Stage, Verdict};
use crate::parse::{Pmid, Record};
use crate::tag::ConceptHit;

/// What the user asked for (from a key, see `keys`).
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Include,
    Exclude,
    Maybe,
    Undo,
    Next,
    Previous,
    NextUnscreened,
    PageDown,
    PageUp,
    First,
    Last,
    /// `/`: start typing a search.
    StartSearch,
    /// Cycle the filter: all, unscreened, include, exclude, maybe, new,
    /// conflicts (when not blind).
    CycleFilter,
    /// Filter by the next concept element (cycling through the elements).
    CycleConcept,
    StartNote,
    ToggleHighlights,
    ToggleCriteria,
    ToggleHelp,
    Open,
    ScrollDown,
    ScrollUp,
    Quit,
    /// Typing in a prompt.
    Char(char),
    Backspace,
    Enter,
    Escape,
    /// The terminal was resized.
    Resize,
}

/// What the shell must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append this decision to the reviewer's log, fsync, then call
    /// [`ScreenState::saved`] (or [`ScreenState::save_failed`]).
    Persist(Decision),
    /// Load this record for the detail pane ([`ScreenState::show`]).
    Load(Pmid),
    /// Run this query; answer with [`ScreenState::search_results`].
    Search(String),
    /// Open this link with the system's opener.
    Open(String),
    /// Retrain the model on the reviewer's decisions and rank the records
    /// not yet screened; answer with [`ScreenState::reranked`].
    Rerank(Rerank),
    Quit,
}

/// When the queue is reranked, which says where the cursor goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rerank {
    /// At opening: the screened records first, the cursor on the best
    /// unscreened one.
    Start,
    /// After a decision: the rest reordered, the cursor on the best.
    Decided,
    /// After an undo: the rest reordered, the cursor stays.
    Undone,
    /// A ranking that finished on a thread: the rest reordered, the cursor
    /// stays.
    Later,
}

/// Which records the queue shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    All,
    Unscreened,
    Decided(Verdict),
    /// Only what the last update brought.
    New,
    /// Records where reviewers disagree (not while blind).
    Conflicts,
    /// Records with a concept of this element (id, name).
    Element(String, String),
    /// Records matching a search.
    Search(String),
}

impl Filter {
    pub fn label(&self) -> String {
        match self {
            Filter::All => "all".into(),
            Filter::Unscreened => "unscreened".into(),
            Filter::Decided(v) => v.name().into(),
            Filter::New => "new since the last update".into(),
            Filter::Conflicts => "conflicts".into(),
            Filter::Element(_, name) => format!("concept: {name}"),
            Filter::Search(q) => format!("search: {q}"),
        }
    }
}

/// What a prompt or overlay is up.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Browse,
    /// Picking an exclusion reason: the cursor in the list, or typing a
    /// new one (the last entry).
    Reason {
        selected: usize,
        typing: Option<String>,
    },
    Search(String),
    Note(String),
    Help,
    Criteria,
}

/// One line of the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub pmid: Pmid,
    pub title: String,
    pub year: Option<i32>,
}

/// The record on screen.
#[derive(Debug, Clone)]
pub struct Detail {
    pub record: Record,
    pub hits: Vec<ConceptHit>,
}

/// The eligibility criteria, shown one key away.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Criteria {
    pub population: String,
    pub concept: String,
    pub context: String,
}

/// A framework element, for badges and the concept filter.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementInfo {
    pub id: String,
    pub name: String,
    /// One or two letters for the badge.
    pub badge: String,
}

pub struct ScreenState {
    pub reviewer: String,
    pub stage: Stage,
    /// The queue, in screening order.
    pub queue: Vec<Pmid>,
    /// Positions in `queue` the filter lets through.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub cursor: usize,
    /// Titles and years of the rows seen so far (loaded by the shell).
    pub rows: HashMap<Pmid, Row>,
    /// This reviewer's decisions in force at this stage.
    pub mine: HashMap<Pmid, Decision>,
    /// This reviewer's notes on records not decided yet (a note decides
    /// nothing).
    pub notes: HashMap<Pmid, String>,
    /// The other reviewers' decisions at this stage, shown in the record
    /// pane once blinding has ended (empty while blind).
    pub others: HashMap<Pmid, Vec<Decision>>,
    /// The pilot's records (every reviewer screens them first).
    pub pilot: HashSet<Pmid>,
    /// The records of `mine` in the order they were decided, oldest first
    /// (in this session exactly; before it, by the log's times).
    pub sequence: Vec<Pmid>,
    /// Records where reviewers disagree (empty while blind).
    pub conflicts: HashSet<Pmid>,
    /// What the last update brought.
    pub new: HashSet<Pmid>,
    /// PMID → the elements it has a concept of.
    pub elements_of: HashMap<Pmid, Vec<usize>>,
    pub elements: Vec<ElementInfo>,
    pub detail: Option<Detail>,
    /// Lines scrolled in the detail pane.
    pub scroll: u16,
    /// Lines scrolled in the help or criteria overlay.
    pub overlay_scroll: u16,
    pub mode: Mode,
    pub filter: Filter,
    pub highlights: bool,
    /// Colours for the highlights (off with `NO_COLOR`; bold and underline
    /// stay).
    pub color: bool,
    pub blind: bool,
    pub reasons: Vec<String>,
    pub criteria: Criteria,
    /// Decisions made in this session, newest last, with what they
    /// replaced (for undo).
    undo: Vec<(Pmid, Option<Decision>)>,
    /// A line for the footer: saved, an error, a URL to copy.
    pub status: Option<String>,
    /// How the queue is ordered, for the help.
    pub order_label: String,
    /// The queue follows the model ([`Effect::Rerank`] after decisions).
    pub model_order: bool,
    /// What the model did last, for the footer ("model: retrained after 12
    /// decisions").
    pub ranking_note: Option<String>,
    /// When to consider stopping (model order only).
    pub stop: Option<crate::rank::StopHint>,
    /// Queue positions kept first whatever the order (the pilot records).
    pub pinned: usize,
    /// The model of this session (model order only; the shell drives it).
    pub prioritiser: Option<super::prioritise::Prioritiser>,
    /// Rows the list shows at a time (set by the view's size).
    pub page: usize,
    /// The clock, for decision times (the shell sets it; tests fix it).
    pub now: String,
}

impl ScreenState {
    pub fn new(reviewer: &str, stage: Stage, queue: Vec<Pmid>) -> ScreenState {
        let visible = (0..queue.len()).collect();
        ScreenState {
            reviewer: reviewer.to_string(),
            stage,
            queue,
            visible,
            cursor: 0,
            rows: HashMap::new(),
            mine: HashMap::new(),
            notes: HashMap::new(),
            others: HashMap::new(),
            pilot: HashSet::new(),
            sequence: Vec::new(),
            conflicts: HashSet::new(),
            new: HashSet::new(),
            elements_of: HashMap::new(),
            elements: Vec::new(),
            detail: None,
            scroll: 0,
            overlay_scroll: 0,
            mode: Mode::Browse,
            filter: Filter::All,
            highlights: true,
            color: true,
            blind: true,
            reasons: Vec::new(),
            criteria: Criteria::default(),
            undo: Vec::new(),
            status: None,
            order_label: String::new(),
            model_order: false,
            ranking_note: None,
            stop: None,
            pinned: 0,
            prioritiser: None,
            page: 20,
            now: String::new(),
        }
    }

    /// The PMID under the cursor.
    pub fn current(&self) -> Option<Pmid> {
        self.visible.get(self.cursor).map(|&i| self.queue[i])
    }

    /// (screened, total, includes, excludes, maybes) of the whole queue.
    pub fn progress(&self) -> (usize, usize, usize, usize, usize) {
        let count = |v| self.mine.values().filter(|d| d.decision == v).count();
        let (i, e, m) = (count(Verdict::Include), count(Verdict::Exclude), count(Verdict::Maybe));
        (i + e + m, self.queue.len(), i, e, m)
    }

    /// The effects to show what is under the cursor.
    fn focus(&mut self) -> Vec<Effect> {
        self.scroll = 0;
        match self.current() {
            Some(p) if self.detail.as_ref().is_none_or(|d| d.record.pmid != p) => {
                vec![Effect::Load(p)]
            }
            Some(_) => Vec::new(),
            None => {
                self.detail = None;
                Vec::new()
            }
        }
    }

    /// Shows a loaded record (the answer to [`Effect::Load`]).
    pub fn show(&mut self, record: Record, hits: Vec<ConceptHit>) {
        if Some(record.pmid) == self.current() {
            self.detail = Some(Detail { record, hits });
        }
    }

    /// The rows of the list around the cursor whose titles are not loaded.
    pub fn rows_wanted(&self) -> Vec<Pmid> {
        let start = self.cursor.saturating_sub(self.page);
        let end = (self.cursor + 2 * self.page).min(self.visible.len());
        self.visible[start..end]
            .iter()
            .map(|&i| self.queue[i])
            .filter(|p| !self.rows.contains_key(p))
            .collect()
    }

    fn passes(&self, p: Pmid) -> bool {
        match &self.filter {
            Filter::All | Filter::Search(_) => true,
            Filter::Unscreened => !self.mine.contains_key(&p),
            Filter::Decided(v) => self.mine.get(&p).is_some_and(|d| d.decision == *v),
            Filter::New => self.new.contains(&p),
            Filter::Conflicts => self.conflicts.contains(&p),
            Filter::Element(id, _) => self.elements_of.get(&p).is_some_and(|es| {
                es.iter().any(|&e| self.elements.get(e).is_some_and(|el| &el.id == id))
            }),
        }
    }

    /// Applies the filter, keeping the cursor on the same record when it
    /// stays visible.
    fn refilter(&mut self, search: Option<&HashSet<Pmid>>) -> Vec<Effect> {
        let keep = self.current();
        self.visible = (0..self.queue.len())
            .filter(|&i| {
                let p = self.queue[i];
                search.is_none_or(|s| s.contains(&p)) && self.passes(p)
            })
            .collect();
        self.cursor =
            keep.and_then(|k| self.visible.iter().position(|&i| self.queue[i] == k)).unwrap_or(0);
        self.focus()
    }

    /// The answer to [`Effect::Search`]: the matching PMIDs, or an error
    /// to show.
    pub fn search_results(
        &mut self,
        query: &str,
        result: Result<HashSet<Pmid>, String>,
    ) -> Vec<Effect> {
        match result {
            Ok(hits) => {
                self.filter = Filter::Search(query.to_string());
                self.status =
                    Some(format!("{} records match {query:?} (Esc: all records)", hits.len()));
                self.refilter(Some(&hits))
            }
            Err(e) => {
                self.status = Some(format!("search: {e}"));
                Vec::new()
            }
        }
    }

    /// The decision was saved (fsynced): it counts now.
    pub fn saved(&mut self, d: Decision) {
        let what = match &d.reason {
            Some(r) => format!("{} ({r})", d.decision.name()),
            None => d.decision.name().to_string(),
        };
        self.status = Some(if d.decision == Verdict::Undecided && d.note.is_some() {
            format!("saved: a note on {}, no decision (a note decides nothing)", d.pmid.shown())
        } else {
            format!("saved: {} {what}", d.pmid.shown())
        });
        let pilot_before = self.pilot_left();
        self.sequence.retain(|p| *p != d.pmid);
        if d.decision != Verdict::Undecided {
            self.sequence.push(d.pmid);
        }
        if d.decision == Verdict::Undecided {
            self.mine.remove(&d.pmid);
            match &d.note {
                Some(n) => self.notes.insert(d.pmid, n.clone()),
                None => self.notes.remove(&d.pmid),
            };
        } else {
            self.notes.remove(&d.pmid);
            self.mine.insert(d.pmid, d);
        }
        if pilot_before > 0 && self.pilot_left() == 0 {
            self.status = Some(format!(
                "pilot done: you screened all {} pilot records; `scoper conflicts` reports the \
                 team's agreement on them when everyone has",
                self.pilot.len()
            ));
        }
    }

    /// The decision could not be saved: nothing changed.
    pub fn save_failed(&mut self, pmid: Pmid, error: &str) {
        if let Some(pos) = self.undo.iter().rposition(|(p, _)| *p == pmid) {
            self.undo.remove(pos);
        }
        self.status = Some(format!("NOT SAVED: {}: {error}", pmid.shown()));
    }

    /// Pilot records this reviewer has not screened yet.
    pub fn pilot_left(&self) -> usize {
        self.pilot.iter().filter(|p| !self.mine.contains_key(p)).count()
    }

    /// The reviewer's note on a record, with or without a decision.
    pub fn note_on(&self, p: Pmid) -> Option<&str> {
        self.mine.get(&p).and_then(|d| d.note.as_deref()).or(self.notes.get(&p).map(String::as_str))
    }

    /// What an undo of the next change to `p` brings back: the decision in
    /// force, or a note without one.
    fn before(&self, p: Pmid) -> Option<Decision> {
        self.mine.get(&p).cloned().or_else(|| {
            self.notes.get(&p).map(|n| Decision {
                pmid: p,
                stage: self.stage,
                decision: Verdict::Undecided,
                reason: None,
                note: Some(n.clone()),
                reviewer: self.reviewer.clone(),
                time: String::new(),
                settles: false,
            })
        })
    }

    fn decide(&mut self, verdict: Verdict, reason: Option<String>) -> Vec<Effect> {
        let Some(p) = self.current() else { return Vec::new() };
        let note = self.note_on(p).map(str::to_owned);
        let d = Decision {
            pmid: p,
            stage: self.stage,
            decision: verdict,
            reason,
            note,
            reviewer: self.reviewer.clone(),
            time: self.now.clone(),
            settles: false,
        };
        self.undo.push((p, self.before(p)));
        let mut effects = vec![Effect::Persist(d)];
        if self.model_order {
            // The model learns the decision, then picks the next record.
            effects.push(Effect::Rerank(Rerank::Decided));
        } else {
            // On to the next record the reviewer has not screened.
            effects.extend(self.step_to_unscreened());
        }
        effects
    }

    /// The place in `visible` of the first record not screened yet (0 when
    /// all are).
    fn first_unscreened(&self) -> usize {
        self.visible.iter().position(|&i| !self.mine.contains_key(&self.queue[i])).unwrap_or(0)
    }

    /// The answer to [`Effect::Rerank`]: the model's order of the
    /// unscreened records (`None`: no model yet, the order stays). The
    /// records up to the current one (and the pinned ones) keep their
    /// places; the unscreened ones after it follow the model.
    pub fn reranked(
        &mut self,
        ranked: Option<super::prioritise::Ranked>,
        when: Rerank,
    ) -> Vec<Effect> {
        let Some(r) = ranked else {
            if self.model_order && self.ranking_note.is_none() {
                self.ranking_note =
                    Some("relevance order until there is an include and an exclude".into());
            }
            return match when {
                Rerank::Decided => self.step_to_unscreened(),
                Rerank::Start => {
                    // A returning reviewer starts at their first record
                    // not screened yet.
                    self.cursor = self.first_unscreened();
                    self.focus()
                }
                Rerank::Undone | Rerank::Later => self.focus(),
            };
        };
        let current = self.current();
        // Built only when a filter hides some records (a set of 100,000
        // costs milliseconds).
        let shown: Option<HashSet<Pmid>> = (self.visible.len() != self.queue.len())
            .then(|| self.visible.iter().map(|&i| self.queue[i]).collect());
        let pinned = self.pinned.min(self.queue.len());
        let cut = match when {
            Rerank::Start => pinned,
            Rerank::Decided | Rerank::Undone | Rerank::Later => current
                .and_then(|c| self.queue.iter().position(|&p| p == c))
                .map_or(pinned, |i| (i + 1).max(pinned)),
        };
        let start = when == Rerank::Start;
        let mut queue = Vec::with_capacity(self.queue.len());
        queue.extend_from_slice(&self.queue[..cut]);
        if start {
            // The records screened before come first, in their order.
            queue.extend(self.queue[cut..].iter().filter(|p| self.mine.contains_key(p)));
        }
        let ranked: HashSet<Pmid> = r.order.iter().copied().collect();
        let placed: HashSet<Pmid> = queue.iter().filter(|p| ranked.contains(p)).copied().collect();
        queue.extend(r.order.iter().filter(|p| !placed.contains(p)));
        queue.extend(
            self.queue[cut..]
                .iter()
                .filter(|p| !(ranked.contains(p) || (start && self.mine.contains_key(p)))),
        );
        debug_assert_eq!(queue.len(), self.queue.len());
        self.queue = queue;
        self.visible = match &shown {
            None => (0..self.queue.len()).collect(),
            Some(set) => (0..self.queue.len()).filter(|&i| set.contains(&self.queue[i])).collect(),
        };
        self.ranking_note = Some(format!("model retrained after {} decisions", r.trained_on));
        self.stop = r.hint;
        match when {
            Rerank::Start => {
                self.cursor = self.first_unscreened();
                self.focus()
            }
            Rerank::Decided | Rerank::Undone | Rerank::Later => {
                self.cursor = current
                    .and_then(|c| self.visible.iter().position(|&i| self.queue[i] == c))
                    .unwrap_or(0);
                if when == Rerank::Decided {
                    self.step_to_unscreened()
                } else {
                    self.focus()
                }
            }
        }
    }

    fn step_to_unscreened(&mut self) -> Vec<Effect> {
        let from = self.cursor + 1;
        let current = self.current();
        if let Some(off) = self.visible[from.min(self.visible.len())..].iter().position(|&i| {
            let p = self.queue[i];
            !self.mine.contains_key(&p) && Some(p) != current
        }) {
            self.cursor = from + off;
        } else if self.cursor + 1 < self.visible.len() {
            self.cursor += 1;
        }
        self.focus()
    }

    fn undo(&mut self) -> Vec<Effect> {
        let Some((p, before)) = self.undo.pop() else {
            self.status = Some("nothing to undo in this session".into());
            return Vec::new();
        };
        let d = match before {
            Some(mut d) => {
                d.time = self.now.clone();
                d
            }
            None => Decision {
                pmid: p,
                stage: self.stage,
                decision: Verdict::Undecided,
                reason: None,
                note: None,
                reviewer: self.reviewer.clone(),
                time: self.now.clone(),
                settles: false,
            },
        };
        if let Some(pos) = self.visible.iter().position(|&i| self.queue[i] == p) {
            self.cursor = pos;
        }
        let mut effects = vec![Effect::Persist(d)];
        if self.model_order {
            effects.push(Effect::Rerank(Rerank::Undone));
        } else {
            effects.extend(self.focus());
        }
        effects
    }

    fn move_to(&mut self, cursor: usize) -> Vec<Effect> {
        if self.visible.is_empty() {
            return Vec::new();
        }
        self.cursor = cursor.min(self.visible.len() - 1);
        self.focus()
    }

    /// Handles one action.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        if action == Action::Resize {
            return Vec::new();
        }
        match self.mode.clone() {
            Mode::Browse => self.browse(action),
            Mode::Help | Mode::Criteria => match action {
                // A small terminal shows part of an overlay: j/k scroll it.
                Action::Next | Action::ScrollDown => {
                    self.overlay_scroll = self.overlay_scroll.saturating_add(1);
                    Vec::new()
                }
                Action::Previous | Action::ScrollUp => {
                    self.overlay_scroll = self.overlay_scroll.saturating_sub(1);
                    Vec::new()
                }
                action => {
                    self.mode = Mode::Browse;
                    self.overlay_scroll = 0;
                    if action == Action::Quit {
                        vec![Effect::Quit]
                    } else {
                        Vec::new()
                    }
                }
            },
            Mode::Reason { selected, typing } => self.reason(action, selected, typing),
            Mode::Search(text) => {
                if let Some(t) = edited(&text, &action) {
                    self.mode = Mode::Search(t);
                    return Vec::new();
                }
                match action {
                    Action::Enter | Action::Escape => self.mode = Mode::Browse,
                    _ => return Vec::new(),
                }
                match action {
                    Action::Enter if text.trim().is_empty() => {
                        self.filter = Filter::All;
                        self.refilter(None)
                    }
                    Action::Enter => vec![Effect::Search(text)],
                    _ => Vec::new(),
                }
            }
            Mode::Note(text) => {
                if let Some(t) = edited(&text, &action) {
                    self.mode = Mode::Note(t);
                    return Vec::new();
                }
                match action {
                    Action::Enter => {
                        self.mode = Mode::Browse;
                        self.note(text)
                    }
                    Action::Escape => {
                        self.mode = Mode::Browse;
                        Vec::new()
                    }
                    _ => Vec::new(),
                }
            }
        }
    }

    /// A note on the current record: kept with its decision, or, on a
    /// record not decided yet, alone (a note decides nothing: the record
    /// stays unscreened, and the decision made later keeps the note).
    fn note(&mut self, text: String) -> Vec<Effect> {
        let Some(p) = self.current() else { return Vec::new() };
        let text = text.trim().to_string();
        let mut d = self.before(p).unwrap_or(Decision {
            pmid: p,
            stage: self.stage,
            decision: Verdict::Undecided,
            reason: None,
            note: None,
            reviewer: self.reviewer.clone(),
            time: String::new(),
            settles: false,
        });
        self.undo.push((p, self.before(p)));
        d.note = (!text.is_empty()).then_some(text);
        d.time = self.now.clone();
        vec![Effect::Persist(d)]
    }

    fn reason(&mut self, action: Action, selected: usize, typing: Option<String>) -> Vec<Effect> {
        let n = self.reasons.len();
        if let Some(text) = typing {
            if let Some(t) = edited(&text, &action) {
                self.mode = Mode::Reason { selected, typing: Some(t) };
                return Vec::new();
            }
            match action {
                Action::Enter if !text.trim().is_empty() => {
                    self.mode = Mode::Browse;
                    let reason = text.trim().to_string();
                    if !self.reasons.contains(&reason) {
                        self.reasons.push(reason.clone());
                    }
                    return self.decide(Verdict::Exclude, Some(reason));
                }
                Action::Escape => self.mode = Mode::Reason { selected, typing: None },
                _ => {}
            }
            return Vec::new();
        }
        match action {
            // n reasons, then "another reason...".
            Action::Next | Action::ScrollDown => {
                self.mode = Mode::Reason { selected: (selected + 1).min(n), typing: None }
            }
            Action::Previous | Action::ScrollUp => {
                self.mode = Mode::Reason { selected: selected.saturating_sub(1), typing: None }
            }
            Action::Char(c) if c.is_ascii_digit() && c != '0' => {
                let i = c as usize - '1' as usize;
                if i < n {
                    self.mode = Mode::Browse;
                    return self.decide(Verdict::Exclude, Some(self.reasons[i].clone()));
                }
            }
            Action::Enter if selected < n => {
                self.mode = Mode::Browse;
                return self.decide(Verdict::Exclude, Some(self.reasons[selected].clone()));
            }
            Action::Enter => self.mode = Mode::Reason { selected, typing: Some(String::new()) },
            Action::Escape | Action::Quit => self.mode = Mode::Browse,
            _ => {}
        }
        Vec::new()
    }

    fn browse(&mut self, action: Action) -> Vec<Effect> {
        self.status = None;
        match action {
            Action::Include => self.decide(Verdict::Include, None),
            Action::Maybe => self.decide(Verdict::Maybe, None),
            Action::Exclude => {
                if self.current().is_some() {
                    self.mode = Mode::Reason { selected: 0, typing: None };
                }
                Vec::new()
            }
            Action::Undo => self.undo(),
            Action::Next => self.move_to(self.cursor + 1),
            Action::Previous => self.move_to(self.cursor.saturating_sub(1)),
            Action::PageDown => self.move_to(self.cursor + self.page.max(1)),
            Action::PageUp => self.move_to(self.cursor.saturating_sub(self.page.max(1))),
            Action::First => self.move_to(0),
            Action::Last => self.move_to(self.visible.len().saturating_sub(1)),
            Action::NextUnscreened => {
                let before = self.cursor;
                let effects = self.step_to_unscreened();
                if self.cursor == before
                    || self.current().is_some_and(|p| self.mine.contains_key(&p))
                {
                    self.status = Some("no unscreened record after this one".into());
                }
                effects
            }
            Action::StartSearch => {
                self.mode = Mode::Search(String::new());
                Vec::new()
            }
            Action::StartNote => {
                if let Some(p) = self.current() {
                    let note = self.note_on(p).unwrap_or_default().to_string();
                    self.mode = Mode::Note(note);
                }
                Vec::new()
            }
            Action::CycleFilter => {
                let mut order = vec![
                    Filter::All,
                    Filter::Unscreened,
                    Filter::Decided(Verdict::Include),
                    Filter::Decided(Verdict::Exclude),
                    Filter::Decided(Verdict::Maybe),
                    Filter::New,
                ];
                if !self.blind {
                    order.push(Filter::Conflicts);
                }
                let at = order.iter().position(|f| *f == self.filter).map_or(0, |i| i + 1);
                self.filter = order[at % order.len()].clone();
                self.status = Some(format!("showing: {}", self.filter.label()));
                self.refilter(None)
            }
            Action::CycleConcept => {
                if self.elements.is_empty() {
                    self.status = Some("no framework concepts in this workspace".into());
                    return Vec::new();
                }
                let next = match &self.filter {
                    Filter::Element(id, _) => {
                        self.elements.iter().position(|e| &e.id == id).map_or(0, |i| i + 1)
                    }
                    _ => 0,
                };
                self.filter = match self.elements.get(next) {
                    Some(e) => Filter::Element(e.id.clone(), e.name.clone()),
                    None => Filter::All,
                };
                self.status = Some(format!("showing: {}", self.filter.label()));
                self.refilter(None)
            }
            Action::ToggleHighlights => {
                self.highlights = !self.highlights;
                Vec::new()
            }
            Action::ToggleCriteria => {
                self.mode = Mode::Criteria;
                Vec::new()
            }
            Action::ToggleHelp => {
                self.mode = Mode::Help;
                Vec::new()
            }
            Action::Open => match self.detail.as_ref().map(|d| link(&d.record)) {
                Some(url) => vec![Effect::Open(url)],
                None => Vec::new(),
            },
            Action::ScrollDown => {
                self.scroll = self.scroll.saturating_add(3);
                Vec::new()
            }
            Action::ScrollUp => {
                self.scroll = self.scroll.saturating_sub(3);
                Vec::new()
            }
            Action::Escape if matches!(self.filter, Filter::Search(_)) => {
                self.filter = Filter::All;
                self.refilter(None)
            }
            Action::Quit => vec![Effect::Quit],
            _ => Vec::new(),
        }
    }

    /// The effects to show the first record (call once, after set-up).
    pub fn start(&mut self) -> Vec<Effect> {
        if self.model_order {
            return vec![Effect::Rerank(Rerank::Start)];
        }
        self.focus()
    }
}

/// A prompt's text after a typing action (a character, a backspace);
/// `None` for any other action.
fn edited(text: &str, action: &Action) -> Option<String> {
    match action {
        Action::Char(c) => Some(format!("{text}{c}")),
        Action::Backspace => {
            let mut t = text.to_string();
            t.pop();
            Some(t)
        }
        _ => None,
    }
}

/// The record's page: its DOI, else its PubMed page, else a PubMed search
/// for its title (a record from another database with neither).
pub fn link(r: &Record) -> String {
    match (&r.doi, r.pubmed_id()) {
        (Some(doi), _) => format!("https://doi.org/{doi}"),
        (None, Some(p)) => format!("https://pubmed.ncbi.nlm.nih.gov/{p}/"),
        (None, None) => {
            let term = crate::parse::text::words(&r.title).collect::<Vec<_>>().join("+");
            format!("https://pubmed.ncbi.nlm.nih.gov/?term={term}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(n: u64) -> Pmid {
        Pmid::new(n).unwrap()
    }

    fn record(n: u64) -> Record {
        Record { pmid: p(n), title: format!("Record {n}"), ..Record::default() }
    }

    /// Runs the effects as the shell would, with every save succeeding.
    fn run(s: &mut ScreenState, action: Action, log: &mut Vec<Decision>) {
        for e in s.update(action) {
            match e {
                Effect::Persist(d) => {
                    log.push(d.clone());
                    s.saved(d);
                }
                Effect::Load(n) => s.show(record(n.get()), Vec::new()),
                _ => {}
            }
        }
    }

    fn state() -> ScreenState {
        let mut s = ScreenState::new("ana", Stage::TitleAbstract, (1..=5).map(p).collect());
        s.reasons = vec!["wrong population".into(), "not a study".into()];
        s.now = "2026-11-30T00:00:00Z".into();
        let effects = s.start();
        assert_eq!(effects, [Effect::Load(p(1))]);
        s.show(record(1), Vec::new());
        s
    }

    #[test]
    fn the_model_reorders_what_comes_after_and_keeps_the_pilot_first() {
        use super::super::prioritise::Ranked;
        let mut s = ScreenState::new("ana", Stage::TitleAbstract, (1..=8).map(p).collect());
        s.model_order = true;
        s.pinned = 2;
        s.now = "t".into();
        assert_eq!(s.start(), [Effect::Rerank(Rerank::Start)]);
        // No model yet: the order stays, and the footer says why.
        assert_eq!(s.reranked(None, Rerank::Start), [Effect::Load(p(1))]);
        assert!(s.ranking_note.as_deref().unwrap().starts_with("relevance order until"));
        // Decide record 1: the model is asked to rank, then the best
        // unscreened record after the pilot's comes next.
        let effects = s.update(Action::Include);
        assert!(matches!(effects[..], [Effect::Persist(_), Effect::Rerank(Rerank::Decided)]));
        let Effect::Persist(d) = effects[0].clone() else { unreachable!() };
        s.saved(d);
        let ranked =
            Ranked { order: [8, 7, 2, 6, 5, 4, 3].map(p).to_vec(), trained_on: 2, hint: None };
        assert_eq!(s.reranked(Some(ranked), Rerank::Decided), [Effect::Load(p(2))]);
        // Records 1 and 2 are the pilot: they stay first.
        assert_eq!(s.queue, [1, 2, 8, 7, 6, 5, 4, 3].map(p));
        assert_eq!(s.ranking_note.as_deref(), Some("model retrained after 2 decisions"));
        let Effect::Persist(d) = s.update(Action::Include)[0].clone() else { unreachable!() };
        s.saved(d);
        let ranked =
            Ranked { order: [3, 4, 5, 6, 7, 8].map(p).to_vec(), trained_on: 2, hint: None };
        assert_eq!(s.reranked(Some(ranked), Rerank::Decided), [Effect::Load(p(3))]);
        assert_eq!(s.queue, [1, 2, 3, 4, 5, 6, 7, 8].map(p));
        assert_eq!(s.sequence, [p(1), p(2)]);
    }

    #[test]
    fn deciding_saves_and_moves_on_and_undo_takes_it_back() {
        let mut s = state();
        let mut log = Vec::new();
        run(&mut s, Action::Include, &mut log);
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].decision, Verdict::Include);
        assert_eq!(s.current(), Some(p(2)));
        // Exclude asks for a reason; 2 picks the second.
        run(&mut s, Action::Exclude, &mut log);
        assert!(matches!(s.mode, Mode::Reason { .. }));
        assert_eq!(log.len(), 1, "nothing saved before the reason");
        run(&mut s, Action::Char('2'), &mut log);
        assert_eq!(log[1].reason.as_deref(), Some("not a study"));
        assert_eq!(s.current(), Some(p(3)));
        assert_eq!(s.progress(), (2, 5, 1, 1, 0));
        // Undo: the exclusion is taken back, in the log too.
        run(&mut s, Action::Undo, &mut log);
        assert_eq!(log[2].pmid, p(2));
        assert_eq!(log[2].decision, Verdict::Undecided);
        assert_eq!(s.current(), Some(p(2)));
        assert_eq!(s.progress(), (1, 5, 1, 0, 0));
        // A new reason typed in.
        run(&mut s, Action::Exclude, &mut log);
        run(&mut s, Action::Next, &mut log);
        run(&mut s, Action::Next, &mut log);
        run(&mut s, Action::Enter, &mut log);
        for c in "duplicate".chars() {
            run(&mut s, Action::Char(c), &mut log);
        }
        run(&mut s, Action::Enter, &mut log);
        assert_eq!(log[3].reason.as_deref(), Some("duplicate"));
        assert!(s.reasons.contains(&"duplicate".to_string()));
    }

    #[test]
    fn a_failed_save_changes_nothing_and_says_so() {
        let mut s = state();
        let effects = s.update(Action::Include);
        let Some(Effect::Persist(d)) = effects.first().cloned() else { panic!("{effects:?}") };
        s.save_failed(d.pmid, "disk full");
        assert_eq!(s.progress().0, 0);
        assert!(s.status.as_deref().unwrap().contains("NOT SAVED"));
    }

    #[test]
    fn filters_and_next_unscreened() {
        let mut s = state();
        let mut log = Vec::new();
        run(&mut s, Action::Include, &mut log); // 1
        run(&mut s, Action::Maybe, &mut log); // 2
        run(&mut s, Action::CycleFilter, &mut log); // unscreened
        assert_eq!(s.filter, Filter::Unscreened);
        assert_eq!(s.visible.len(), 3);
        run(&mut s, Action::CycleFilter, &mut log); // include
        assert_eq!(s.visible.len(), 1);
        assert_eq!(s.current(), Some(p(1)));
        run(&mut s, Action::CycleFilter, &mut log); // exclude: none
        assert!(s.visible.is_empty());
        assert_eq!(s.current(), None);
        run(&mut s, Action::Include, &mut log); // nothing to decide: no effect
        assert_eq!(log.len(), 2);
        for _ in 0..3 {
            run(&mut s, Action::CycleFilter, &mut log); // maybe, new, all
        }
        assert_eq!(s.filter, Filter::All, "blind: no conflicts filter");
        run(&mut s, Action::First, &mut log);
        run(&mut s, Action::NextUnscreened, &mut log);
        assert_eq!(s.current(), Some(p(3)));
        // Search results come back from the shell.
        let effects = s.update(Action::StartSearch);
        assert!(effects.is_empty());
        for c in "asthma".chars() {
            s.update(Action::Char(c));
        }
        assert_eq!(s.update(Action::Enter), [Effect::Search("asthma".into())]);
        s.search_results("asthma", Ok([p(4), p(5)].into_iter().collect()));
        assert_eq!(s.visible.len(), 2);
        run(&mut s, Action::Escape, &mut log);
        assert_eq!(s.visible.len(), 5);
    }

    #[test]
    fn a_note_decides_nothing_and_is_kept_with_the_decision_made_later() {
        let mut s = state();
        let mut log = Vec::new();
        let first = s.current().unwrap();
        run(&mut s, Action::StartNote, &mut log);
        for c in "check the full text".chars() {
            run(&mut s, Action::Char(c), &mut log);
        }
        run(&mut s, Action::Enter, &mut log);
        assert_eq!(log[0].note.as_deref(), Some("check the full text"));
        assert_eq!(log[0].decision, Verdict::Undecided, "a note is not a decision");
        assert!(!s.mine.contains_key(&first), "the record stays unscreened");
        assert_eq!(s.progress().0, 0);
        assert!(s.status.as_deref().unwrap().contains("a note decides nothing"));
        run(&mut s, Action::Include, &mut log);
        assert_eq!(log[1].decision, Verdict::Include);
        assert_eq!(log[1].note.as_deref(), Some("check the full text"), "the note stays");
        // Undoing the include brings back the note alone.
        run(&mut s, Action::Undo, &mut log);
        assert_eq!(log[2].decision, Verdict::Undecided);
        assert_eq!(log[2].note.as_deref(), Some("check the full text"));
        assert_eq!(s.notes.get(&first).map(String::as_str), Some("check the full text"));
    }

    #[test]
    fn an_empty_queue_does_nothing() {
        let mut s = ScreenState::new("ana", Stage::TitleAbstract, Vec::new());
        assert!(s.start().is_empty());
        for a in [Action::Include, Action::Next, Action::Undo, Action::NextUnscreened, Action::Open]
        {
            let effects = s.update(a.clone());
            assert!(effects.iter().all(|e| !matches!(e, Effect::Persist(_))), "{a:?}");
        }
        assert_eq!(s.update(Action::Quit), [Effect::Quit]);
    }
}
