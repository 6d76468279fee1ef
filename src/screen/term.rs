//! The only code that touches the terminal: the event loop, generic over
//! the backend and the source of events, so tests drive it with ratatui's
//! `TestBackend` and a list of keys.

use std::collections::HashSet;
use std::io::IsTerminal;

use anyhow::{bail, Context, Result};
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::Terminal;

use super::decisions;
use super::keys::Keymap;
use super::prioritise::Reply;
use super::state::{Action, Effect, Rerank, Row, ScreenState};
use super::view::render;
use crate::clock::{iso_utc, now_secs};
use crate::parse::Pmid;
use crate::store::Workspace;
use crate::view::View;

/// What the loop reads: terminal events (a real terminal), or a script.
pub trait Events {
    /// The next event; `None` when there are no more (a script ran out).
    fn next(&mut self) -> Result<Option<Event>>;
}

/// The real terminal's events.
pub struct Crossterm;

impl Events for Crossterm {
    fn next(&mut self) -> Result<Option<Event>> {
        // Wakes up now and then without a key, so that a ranking finished
        // on a thread shows without waiting for the next key.
        if !event::poll(std::time::Duration::from_millis(250))
            .context("could not read the keyboard")?
        {
            return Ok(Some(Event::FocusGained));
        }
        Ok(Some(event::read().context("could not read the keyboard")?))
    }
}

/// Runs the screening UI in the real terminal until the reviewer quits.
/// The terminal is restored however it ends, a panic included.
pub fn run_in_terminal(
    ws: &Workspace,
    view: &View,
    state: ScreenState,
    keys: &Keymap,
) -> Result<ScreenState> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        bail!(
            "scoper screen needs a terminal (its standard input and output are not one)\n(hint: \
             run it in a terminal; from a script, record decisions with `scoper decide`)"
        );
    }
    let mut terminal = ratatui::try_init().context("could not set up the terminal")?;
    let result = event_loop(&mut terminal, &mut Crossterm, ws, view, state, keys);
    ratatui::restore();
    result
}

/// Draws, reads an event, updates, carries out the effects; until quit or
/// the events run out.
pub fn event_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    events: &mut dyn Events,
    ws: &Workspace,
    view: &View,
    mut state: ScreenState,
    keys: &Keymap,
) -> Result<ScreenState>
where
    B::Error: Send + Sync + 'static,
{
    let start = state.start();
    if carry_out(start, ws, view, &mut state) {
        return Ok(state);
    }
    loop {
        if apply_background(ws, view, &mut state) {
            return Ok(state);
        }
        let size = terminal.size()?;
        // The list's rows: the screen less the footer and the list's title.
        state.page = (size.height as usize).saturating_sub(4).max(1);
        load_rows(view, &mut state);
        terminal.draw(|f| render(f, &state, keys))?;
        let Some(ev) = events.next()? else { return Ok(state) };
        let action = match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => keys.action(k, &state.mode),
            Event::Resize(..) => Some(Action::Resize),
            _ => None,
        };
        let Some(action) = action else { continue };
        state.now = iso_utc(now_secs());
        let effects = state.update(action);
        if carry_out(effects, ws, view, &mut state) {
            return Ok(state);
        }
    }
}

/// Applies a ranking that finished on a thread (more than
/// [`super::prioritise::SYNC_LIMIT`] records); true when the UI should quit.
pub fn apply_background(ws: &Workspace, view: &View, state: &mut ScreenState) -> bool {
    let Some(done) = state.prioritiser.as_mut().and_then(|p| p.poll()) else { return false };
    let effects = match done {
        Ok(ranked) => {
            let effects = state.reranked(Some(ranked), Rerank::Later);
            if state.prioritiser.as_ref().is_some_and(|p| p.is_busy()) {
                if let Some(n) = state.ranking_note.as_mut() {
                    n.push_str("; retraining…");
                }
            }
            effects
        }
        Err(e) => {
            state.status = Some(format!("the model could not rank: {e:#}"));
            Vec::new()
        }
    };
    carry_out(effects, ws, view, state)
}

/// Titles and years of the rows about to be shown.
fn load_rows(view: &View, state: &mut ScreenState) {
    for p in state.rows_wanted() {
        if let Ok(Some(r)) = view.get(p) {
            state.rows.insert(p, Row { pmid: p, title: r.title, year: r.year });
        }
    }
}

/// Carries out `effects`; true when the UI should quit.
pub fn carry_out(
    effects: Vec<Effect>,
    ws: &Workspace,
    view: &View,
    state: &mut ScreenState,
) -> bool {
    let mut queue = std::collections::VecDeque::from(effects);
    while let Some(effect) = queue.pop_front() {
        match effect {
            Effect::Persist(d) => match decisions::record(ws, &d) {
                // On disk (fsynced) before the screen says saved.
                Ok(_) => state.saved(d),
                Err(e) => state.save_failed(d.pmid, &format!("{e:#}")),
            },
            Effect::Load(p) => match view.get(p) {
                Ok(Some(r)) => {
                    let hits = view.hits(p).to_vec();
                    state.show(r, hits);
                }
                Ok(None) => {
                    state.status = Some(format!("{} is no longer in the working set", p.shown()))
                }
                Err(e) => state.status = Some(format!("could not read {}: {e:#}", p.shown())),
            },
            Effect::Search(q) => {
                let result = search(view, &q);
                queue.extend(state.search_results(&q, result));
            }
            Effect::Open(url) => state.status = Some(open(&url)),
            Effect::Rerank(when) => {
                let reply = match state.prioritiser.as_mut() {
                    Some(p) => p.request(&state.mine, &state.sequence).unwrap_or_else(|e| {
                        state.status = Some(format!("the model could not rank: {e:#}"));
                        Reply::Now(None)
                    }),
                    None => Reply::Now(None),
                };
                match reply {
                    Reply::Now(ranked) => queue.extend(state.reranked(ranked, when)),
                    Reply::Later => {
                        // The queue moves on in the order it has; the new
                        // one comes when the thread is done.
                        state.ranking_note = Some(format!(
                            "model retraining on {} decisions…",
                            state.sequence.len()
                        ));
                        queue.extend(state.reranked(None, when));
                    }
                }
            }
            Effect::Quit => return true,
        }
    }
    false
}

/// The PMIDs matching a query, from the index's PMID column: no record
/// is loaded, so a broad query on a large workspace stays quick.
fn search(view: &View, q: &str) -> Result<HashSet<Pmid>, String> {
    // The whole message, its lines joined: the footer wraps it.
    let said = |e: anyhow::Error| format!("{e:#}").lines().collect::<Vec<_>>().join(" ");
    let query = view.query(q).map_err(said)?;
    let searcher = view.searcher();
    let docs = searcher
        .search(query.as_ref(), &tantivy::collector::DocSetCollector)
        .map_err(|e| e.to_string())?;
    let mut out = HashSet::with_capacity(docs.len());
    for addr in docs {
        let seg = searcher.segment_reader(addr.segment_ord);
        let pmids = seg.fast_fields().u64("pmid_n").map_err(|e| e.to_string())?;
        if let Some(p) = pmids.first(addr.doc_id).and_then(Pmid::new) {
            out.insert(p);
        }
    }
    Ok(out)
}
/// Opens `url` with the system's opener, without waiting; says what to do
/// where there is none.
fn open(url: &str) -> String {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        Ok(_) => format!("opened {url}"),
        Err(_) => format!("no program to open links here; copy it: {url}"),
    }
}
