//! The charting form in the terminal: the included records on the left,
//! the form of the current record on the right (each field's value, or the
//! suggestion pre-filled from the record and its concept hits, with the
//! sentence that triggered it), the record below. A suggestion counts only
//! when the reviewer confirms or changes it; each value is appended to the
//! reviewer's chart log and fsynced before the screen says saved.
//!
//! Like the screening UI: a pure state (`FormState::update` → effects), a
//! view that only reads it, and a loop generic over backend and events.

use std::collections::HashMap;
use std::io::IsTerminal;

use anyhow::{bail, Context, Result};
use ratatui::backend::Backend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::{Frame, Terminal};
use serde_json::Value;

use super::{display, included, judge, suggest, Charts, Entry, Field, Form, Kind, Suggestion};
use crate::clock::{iso_utc, now_secs};
use crate::config::Protocol;
use crate::parse::{Pmid, Record};
use crate::screen::decisions::Decisions;
use crate::screen::term::Events;
use crate::store::Workspace;
use crate::tag::ConceptHit;
use crate::view::View;

#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Browse,
    /// Typing a text or a number.
    Edit(String),
    /// Picking from a list: the cursor, and what is ticked.
    Pick {
        at: usize,
        ticked: Vec<bool>,
    },
    /// The keys and what the form shows (`?`).
    Help,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Persist(Entry),
    Load(Pmid),
    Quit,
}

pub struct FormState {
    pub reviewer: String,
    pub records: Vec<Pmid>,
    pub record: usize,
    pub fields: Vec<Field>,
    /// The fields a record needs to count as charted.
    pub required: Vec<String>,
    pub field: usize,
    /// This reviewer's values.
    pub values: HashMap<(Pmid, String), Entry>,
    pub detail: Option<(Record, Vec<ConceptHit>)>,
    /// The included records' titles, for the list.
    pub titles: HashMap<Pmid, String>,
    /// How the review charts (for the help).
    pub method: String,
    pub mode: Mode,
    pub status: Option<String>,
    pub now: String,
}

impl FormState {
    pub fn current(&self) -> Option<Pmid> {
        self.records.get(self.record).copied()
    }

    fn key(&self, p: Pmid, f: &Field) -> (Pmid, String) {
        (p, f.id.clone())
    }

    /// Records this reviewer has given a value in every field the form
    /// requires (accepted suggestions alone do not chart a record).
    pub fn charted(&self) -> usize {
        self.records
            .iter()
            .filter(|p| {
                self.fields
                    .iter()
                    .filter(|f| self.required.contains(&f.id))
                    .all(|f| self.values.contains_key(&self.key(**p, f)))
            })
            .count()
    }

    pub fn suggestion(&self, f: &Field) -> Option<Suggestion> {
        let (r, hits) = self.detail.as_ref()?;
        suggest(f, r, hits)
    }

    fn focus(&mut self) -> Vec<Effect> {
        match self.current() {
            Some(p) if self.detail.as_ref().is_none_or(|(r, _)| r.pmid != p) => {
                vec![Effect::Load(p)]
            }
            _ => Vec::new(),
        }
    }

    pub fn start(&mut self) -> Vec<Effect> {
        self.focus()
    }

    pub fn show(&mut self, r: Record, hits: Vec<ConceptHit>) {
        if Some(r.pmid) == self.current() {
            self.detail = Some((r, hits));
        }
    }

    pub fn saved(&mut self, e: Entry) {
        self.status =
            Some(format!("saved: {} {} = {}", e.pmid.shown(), e.field, display(&e.value)));
        self.values.insert((e.pmid, e.field.clone()), e);
    }

    pub fn save_failed(&mut self, error: &str) {
        self.status = Some(format!("NOT SAVED: {error}"));
    }

    /// An entry for the current field with `value`.
    fn entry(&self, f: &Field, value: Value) -> Option<Entry> {
        let p = self.current()?;
        let judgements = if f.element.is_some() {
            let strings = |v: &Value| -> Vec<String> {
                v.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            };
            let suggested = self.suggestion(f).map(|s| strings(&s.value)).unwrap_or_default();
            judge(&suggested, &strings(&value))
        } else {
            Default::default()
        };
        Some(Entry {
            pmid: p,
            field: f.id.clone(),
            value,
            judgements,
            reviewer: self.reviewer.clone(),
            time: self.now.clone(),
            settles: false,
        })
    }

    /// The value shown for a field: the reviewer's, else none.
    pub fn value(&self, f: &Field) -> Option<&Entry> {
        self.current().and_then(|p| self.values.get(&self.key(p, f)))
    }

    fn begin_edit(&mut self) {
        let Some(f) = self.fields.get(self.field).cloned() else { return };
        let current = self
            .value(&f)
            .map(|e| e.value.clone())
            .or_else(|| self.suggestion(&f).map(|s| s.value));
        self.mode = match f.kind {
            Kind::Text | Kind::Number => {
                Mode::Edit(current.as_ref().map(display).unwrap_or_default())
            }
            Kind::YesNo => Mode::Pick { at: 0, ticked: vec![false, false] },
            Kind::Choice | Kind::MultiChoice => {
                let chosen: Vec<String> = match &current {
                    Some(Value::Array(a)) => {
                        a.iter().filter_map(Value::as_str).map(str::to_owned).collect()
                    }
                    Some(Value::String(s)) => vec![s.clone()],
                    _ => Vec::new(),
                };
                Mode::Pick { at: 0, ticked: f.choices.iter().map(|c| chosen.contains(c)).collect() }
            }
        };
    }

    fn choices(f: &Field) -> Vec<String> {
        match f.kind {
            Kind::YesNo => vec!["yes".into(), "no".into()],
            _ => f.choices.clone(),
        }
    }

    pub fn update(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return vec![Effect::Quit];
        }
        let Some(f) = self.fields.get(self.field).cloned() else { return vec![Effect::Quit] };
        match self.mode.clone() {
            Mode::Help => self.mode = Mode::Browse,
            Mode::Edit(text) => match key.code {
                KeyCode::Char(c) => self.mode = Mode::Edit(format!("{text}{c}")),
                KeyCode::Backspace => {
                    let mut t = text;
                    t.pop();
                    self.mode = Mode::Edit(t);
                }
                KeyCode::Esc => self.mode = Mode::Browse,
                KeyCode::Enter => match f.parse(&text) {
                    Ok(v) => {
                        self.mode = Mode::Browse;
                        return self.entry(&f, v).map(Effect::Persist).into_iter().collect();
                    }
                    Err(e) => self.status = Some(format!("{e:#}")),
                },
                _ => {}
            },
            Mode::Pick { at, mut ticked } => {
                let choices = Self::choices(&f);
                let single = f.kind != Kind::MultiChoice;
                match key.code {
                    KeyCode::Char('j') | KeyCode::Down => {
                        self.mode =
                            Mode::Pick { at: (at + 1).min(choices.len().saturating_sub(1)), ticked }
                    }
                    KeyCode::Char('k') | KeyCode::Up => {
                        self.mode = Mode::Pick { at: at.saturating_sub(1), ticked }
                    }
                    KeyCode::Char(' ') if !single => {
                        if let Some(t) = ticked.get_mut(at) {
                            *t = !*t;
                        }
                        self.mode = Mode::Pick { at, ticked };
                    }
                    KeyCode::Esc => self.mode = Mode::Browse,
                    KeyCode::Enter => {
                        self.mode = Mode::Browse;
                        let text = if single {
                            choices.get(at).cloned().unwrap_or_default()
                        } else {
                            choices
                                .iter()
                                .zip(&ticked)
                                .filter(|(_, t)| **t)
                                .map(|(c, _)| c.clone())
                                .collect::<Vec<_>>()
                                .join(",")
                        };
                        return match f.parse(&text) {
                            Ok(v) => self.entry(&f, v).map(Effect::Persist).into_iter().collect(),
                            Err(e) => {
                                self.status = Some(format!("{e:#}"));
                                Vec::new()
                            }
                        };
                    }
                    _ => {}
                }
            }
            Mode::Browse => {
                self.status = None;
                match key.code {
                    KeyCode::Char('j') | KeyCode::Down | KeyCode::Tab => {
                        self.field = (self.field + 1).min(self.fields.len() - 1)
                    }
                    KeyCode::Char('k') | KeyCode::Up | KeyCode::BackTab => {
                        self.field = self.field.saturating_sub(1)
                    }
                    KeyCode::Char('n') | KeyCode::PageDown
                        if self.record + 1 < self.records.len() =>
                    {
                        self.record += 1;
                        self.field = 0;
                        return self.focus();
                    }
                    KeyCode::Char('p') | KeyCode::PageUp if self.record > 0 => {
                        self.record -= 1;
                        self.field = 0;
                        return self.focus();
                    }
                    KeyCode::Enter | KeyCode::Char('e') if self.current().is_some() => {
                        self.begin_edit()
                    }
                    KeyCode::Char('a') => {
                        return match self.suggestion(&f) {
                            Some(s) => {
                                self.entry(&f, s.value).map(Effect::Persist).into_iter().collect()
                            }
                            None => {
                                self.status = Some("no suggestion for this field".into());
                                Vec::new()
                            }
                        };
                    }
                    KeyCode::Char('A') => {
                        let fields = self.fields.clone();
                        return fields
                            .iter()
                            .filter(|f| self.value(f).is_none())
                            .filter_map(|f| self.suggestion(f).and_then(|s| self.entry(f, s.value)))
                            .map(Effect::Persist)
                            .collect();
                    }
                    KeyCode::Char('?') => self.mode = Mode::Help,
                    KeyCode::Char('q') => return vec![Effect::Quit],
                    _ => {}
                }
            }
        }
        Vec::new()
    }
}

/// The form state of `reviewer`'s session.
pub fn open(ws: &Workspace, view: &View, reviewer: &str) -> Result<FormState> {
    let protocol = Protocol::load(&ws.protocol())?;
    let form = Form::of(&protocol, view.tag_set())?;
    let records = included(&Decisions::load(ws)?, form.stage);
    let charts = Charts::load(ws)?;
    let mut titles = HashMap::new();
    for p in &records {
        if let Some(r) = view.get(*p)? {
            titles.insert(*p, r.title);
        }
    }
    let values = charts.by_reviewer.get(reviewer).cloned().unwrap_or_default();
    Ok(FormState {
        reviewer: reviewer.into(),
        records,
        record: 0,
        fields: form.fields,
        required: form.required,
        field: 0,
        values,
        detail: None,
        titles,
        method: charts.method.name().to_string(),
        mode: Mode::Browse,
        status: if charts.bad.is_empty() {
            None
        } else {
            Some(format!("skipped: {}", charts.bad[0]))
        },
        now: String::new(),
    })
}

/// Draws the form.
pub fn render(frame: &mut Frame, s: &FormState) {
    let area = frame.area();
    if area.width < 20 || area.height < 5 {
        frame.render_widget(Paragraph::new("too small"), area);
        return;
    }
    let [main, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(area);
    let (list, right) = if main.width >= 80 {
        let [l, r] = Layout::horizontal([Constraint::Length(34), Constraint::Min(1)]).areas(main);
        (Some(l), r)
    } else {
        (None, main)
    };
    if let Some(l) = list {
        let lines: Vec<Line> = s
            .records
            .iter()
            .enumerate()
            .skip(s.record.saturating_sub(l.height as usize / 2))
            .map(|(i, p)| {
                let n =
                    s.fields.iter().filter(|f| s.values.contains_key(&(*p, f.id.clone()))).count();
                let title = s.titles.get(p).map(String::as_str).unwrap_or("…");
                let room = (l.width as usize).saturating_sub(7);
                let line = Line::raw(format!(
                    "{n:>2}/{:<2} {}",
                    s.fields.len(),
                    crate::report::one_line(title, room)
                ));
                if i == s.record {
                    line.style(Style::new().add_modifier(Modifier::REVERSED))
                } else {
                    line
                }
            })
            .collect();
        let block =
            Block::new().borders(Borders::RIGHT).title(format!(" {} included ", s.records.len()));
        frame.render_widget(Paragraph::new(lines).block(block), l);
    }
    let right = Rect { x: right.x + 1, width: right.width.saturating_sub(1), ..right };
    let mut lines: Vec<Line> = Vec::new();
    match &s.detail {
        Some((r, _)) => {
            lines.push(Line::styled(
                format!("{} · {}", r.label(), r.year.map(|y| y.to_string()).unwrap_or_default()),
                Style::new().add_modifier(Modifier::DIM),
            ));
            lines.push(Line::styled(r.title.clone(), Style::new().add_modifier(Modifier::BOLD)));
        }
        None if s.records.is_empty() => {
            lines.push(Line::raw("no included record to chart yet (screen first)"))
        }
        None => lines.push(Line::raw("loading…")),
    }
    lines.push(Line::raw(""));
    let mut field_line = 0;
    for (i, f) in s.fields.iter().enumerate() {
        if i == s.field {
            field_line = lines.len();
        }
        let (value, style) = match (s.value(f), s.suggestion(f)) {
            (Some(e), _) => (f.shown(&e.value), Style::new()),
            (None, Some(sg)) => (
                format!("suggested: {} (a: accept)", f.shown(&sg.value)),
                Style::new().add_modifier(Modifier::DIM | Modifier::ITALIC),
            ),
            (None, None) => ("—".into(), Style::new().add_modifier(Modifier::DIM)),
        };
        let mut spans = vec![
            Span::styled(format!("{:<28} ", f.label), Style::new().add_modifier(Modifier::BOLD)),
            Span::styled(value, style),
        ];
        if i == s.field {
            spans = spans
                .into_iter()
                .map(|sp| sp.patch_style(Style::new().add_modifier(Modifier::REVERSED)))
                .collect();
        }
        lines.push(Line::from(spans));
        if i == s.field {
            if let Some(sg) = s.suggestion(f) {
                for (c, sentence) in sg.evidence {
                    let c = f.shown(&Value::String(c));
                    lines.push(Line::styled(
                        format!("    {c}: “{sentence}”"),
                        Style::new().add_modifier(Modifier::ITALIC),
                    ));
                }
            }
            match &s.mode {
                Mode::Edit(t) => lines.push(Line::raw(format!("    > {t}▏"))),
                Mode::Pick { at, ticked } => {
                    let shown: Vec<String> = match f.kind {
                        Kind::YesNo => FormState::choices(f),
                        _ => (0..f.choices.len()).map(|j| f.choice_name(j)).collect(),
                    };
                    for (j, c) in shown.iter().enumerate() {
                        if j == *at {
                            field_line = lines.len();
                        }
                        let mark = if f.kind == Kind::MultiChoice {
                            if ticked.get(j).copied().unwrap_or(false) {
                                "[x] "
                            } else {
                                "[ ] "
                            }
                        } else {
                            ""
                        };
                        let l = Line::raw(format!("    {mark}{c}"));
                        lines.push(if j == *at {
                            l.style(Style::new().add_modifier(Modifier::REVERSED))
                        } else {
                            l
                        });
                    }
                }
                Mode::Browse | Mode::Help => {}
            }
        }
    }
    if let Some((r, _)) = &s.detail {
        lines.push(Line::raw(""));
        lines.extend(Text::raw(r.field_text("abstract").unwrap_or_default()).lines);
    }
    // Keep the field being charted in view (its suggestions and choices
    // below it).
    let room = right.height as usize;
    let scroll = if field_line + 12 > room { field_line.saturating_sub(room / 3) } else { 0 };
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((scroll as u16, 0)),
        right,
    );
    let progress = format!(
        "{} · charting · {} of {} included records charted",
        s.reviewer,
        s.charted(),
        s.records.len()
    );
    // The keys of what is being done, always in view (a long choice list
    // scrolls above them).
    let hint = s.status.clone().unwrap_or_else(|| match &s.mode {
        Mode::Edit(_) => "type the value · Enter save · Esc cancel".into(),
        Mode::Pick { .. } => "j/k move · Space tick · Enter save · Esc cancel".into(),
        _ => "j/k field  Enter edit  a accept  A accept all  n/p record  ? help  q quit".into(),
    });
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled(progress, Style::new().add_modifier(Modifier::REVERSED)),
            Line::raw(hint),
        ]),
        footer,
    );
    if s.mode == Mode::Help {
        let text = vec![
            Line::styled("charting keys", Style::new().add_modifier(Modifier::BOLD)),
            Line::raw("j/k or ↑↓   the next or previous field"),
            Line::raw("Enter or e  edit the field: type a value, or pick from a list"),
            Line::raw(
                "a           accept the field's suggestion; A every suggestion of the record",
            ),
            Line::raw("n/p         the next or previous record"),
            Line::raw("q           quit (every value is saved as it is entered)"),
            Line::raw(""),
            Line::raw("A suggestion (dim) is the record's own data or the framework's concepts"),
            Line::raw("with the sentence they were found in; it counts only once accepted."),
            Line::raw("The list: fields you have filled of the form's, and the title."),
            Line::raw(format!("This review is {}.", s.method)),
            Line::raw("any key closes this"),
        ];
        let w = area.width.saturating_sub(4).min(80);
        let h = (text.len() as u16 + 2).min(area.height);
        let r = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height - h) / 2,
            width: w,
            height: h,
        };
        frame.render_widget(ratatui::widgets::Clear, r);
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(" help ")),
            r,
        );
    }
}

/// Carries out effects; true to quit.
pub fn carry_out(effects: Vec<Effect>, ws: &Workspace, view: &View, s: &mut FormState) -> bool {
    for e in effects {
        match e {
            Effect::Persist(entry) => {
                match super::record(ws, &s.reviewer, std::slice::from_ref(&entry)) {
                    Ok(_) => s.saved(entry),
                    Err(err) => s.save_failed(&format!("{err:#}")),
                }
            }
            Effect::Load(p) => {
                if let Ok(Some(r)) = view.get(p) {
                    let hits = view.hits(p).to_vec();
                    s.show(r, hits);
                }
            }
            Effect::Quit => return true,
        }
    }
    false
}

pub fn event_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    events: &mut dyn Events,
    ws: &Workspace,
    view: &View,
    mut s: FormState,
) -> Result<FormState>
where
    B::Error: Send + Sync + 'static,
{
    let start = s.start();
    if carry_out(start, ws, view, &mut s) {
        return Ok(s);
    }
    loop {
        terminal.draw(|f| render(f, &s))?;
        let Some(ev) = events.next()? else { return Ok(s) };
        let Event::Key(k) = ev else { continue };
        if k.kind == KeyEventKind::Release {
            continue;
        }
        s.now = iso_utc(now_secs());
        let effects = s.update(k);
        if carry_out(effects, ws, view, &mut s) {
            return Ok(s);
        }
    }
}

pub fn run_in_terminal(ws: &Workspace, view: &View, s: FormState) -> Result<FormState> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        bail!(
            "scoper chart needs a terminal (its standard input and output are not one)\n(hint: from \
             a script, use `scoper chart set PMID FIELD VALUE --reviewer NAME`)"
        );
    }
    let mut terminal = ratatui::try_init().context("could not set up the terminal")?;
    let result = event_loop(&mut terminal, &mut crate::screen::term::Crossterm, ws, view, s);
    ratatui::restore();
    result
}
