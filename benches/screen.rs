//! Timing probe of the screening UI for `benches/screen.sh` (run with
//! `cargo bench --bench screen -- WORKSPACE`): how long the screen takes to
//! open on the workspace, and how long a key press takes to be handled and
//! the frame drawn (the state + render path, on ratatui's TestBackend at
//! 200×50, the decisions written and fsynced to a throwaway reviewer's log).
//!
//! Prints one JSON line: records, open seconds (median of 5), and for
//! moving keys and deciding keys the median, p99 and max milliseconds, and
//! the peak RSS.
//!
//! With `-- WORKSPACE model`, the queue is in the model's order: every
//! decision retrains the model and reranks the queue, and a third of the
//! decisions are excludes (`e` then a reason). The features of every
//! record are built on a thread from the opening. Up to 20,000 records the
//! first decision that trains waits for them: it is reported apart
//! (`model_build_ms`: about the whole build, as the probe's first decision
//! comes a few milliseconds after the opening), and the deciding figures
//! are of the decisions after it. Above that, retraining runs on a thread
//! and no key waits for it (`background`); `rankings_applied` counts the
//! rankings that reached the queue during the run.

mod common;

use std::time::Instant;

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use scoper::screen::decisions::Stage;
use scoper::screen::keys::Keymap;
use scoper::screen::order::Order;
use scoper::screen::state::Effect;
use scoper::screen::term::{apply_background, carry_out};
use scoper::screen::view::render;
use scoper::screen::{open, Options};
use scoper::store::Workspace;
use scoper::view::View;

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: cargo bench --bench screen -- WORKSPACE");
        return;
    };
    let ws = Workspace::open(std::path::Path::new(dir)).expect("a workspace");
    let reviewer = format!("bench-{}", std::process::id());
    let model = args.get(1).is_some_and(|a| a == "model");
    let opts = Options {
        reviewer: reviewer.clone(),
        stage: Stage::TitleAbstract,
        order: if model { Order::Model(1) } else { Order::Relevance },
        new_only: false,
        pilot: None,
        blind: true,
    };
    let keys = Keymap::new(&Default::default()).unwrap();
    // Opening: the read-only view, the decisions, the ranking, the first
    // record, the first frame.
    let mut opens = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let t = Instant::now();
        let view = View::open(&ws).unwrap();
        let mut state = open(&ws, &view, &opts).unwrap();
        let first = state.start();
        carry_out(first, &ws, &view, &mut state);
        let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
        terminal.draw(|f| render(f, &state, &keys)).unwrap();
        opens.push(t.elapsed().as_secs_f64());
        last = Some((view, state, terminal));
    }
    let (view, mut state, mut terminal) = last.unwrap();
    let records = state.queue.len();
    let press = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    let mut moving = Vec::new();
    let mut deciding = Vec::new();
    // 2,000 moves (down, down, up, a page, a filter...) and 300 decisions.
    let moves = ['j', 'j', 'k', 'j', 'f', 'j', 'j', 'f', 'f', 'f', 'f', 'f', 'f'];
    let mut build_ms = None;
    let background = state.prioritiser.as_ref().is_some_and(|p| p.in_background());
    if background {
        // The features are built on a thread while the screen answers; a
        // reviewer reads the first record meanwhile. Wait for them here,
        // and report how long they took.
        let t = Instant::now();
        while !state.prioritiser.as_ref().unwrap().features_ready() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        build_ms = Some(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (mut applied, mut last_note) = (0usize, None::<String>);
    for i in 0..2300 {
        let (key, into) = if i % 23 == 22 {
            (['i', 'm', 'e'][(i / 23) % 3], &mut deciding)
        } else {
            (moves[i % moves.len()], &mut moving)
        };
        let t = Instant::now();
        apply_background(&ws, &view, &mut state);
        let built = state.prioritiser.as_ref().is_some_and(|p| p.is_built());
        state.page = 46;
        for p in state.rows_wanted() {
            if let Ok(Some(r)) = view.get(p) {
                state.rows.insert(
                    p,
                    scoper::screen::state::Row { pmid: p, title: r.title, year: r.year },
                );
            }
        }
        let action = keys.action(press(key), &state.mode).unwrap();
        let effects = state.update(action);
        assert!(!effects.contains(&Effect::Quit));
        carry_out(effects, &ws, &view, &mut state);
        if matches!(state.mode, scoper::screen::state::Mode::Reason { .. }) {
            // The reason picker is up: the first reason.
            let action = keys.action(press('1'), &state.mode).unwrap();
            let effects = state.update(action);
            carry_out(effects, &ws, &view, &mut state);
        }
        terminal.draw(|f| render(f, &state, &keys)).unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if !background && !built && state.prioritiser.as_ref().is_some_and(|p| p.is_built()) {
            build_ms = Some(ms);
        } else {
            into.push(ms);
        }
        if let Some(n) = state.ranking_note.as_deref() {
            if n.starts_with("model retrained") && last_note.as_deref() != Some(n) {
                applied += 1;
                last_note = Some(n.to_string());
            }
        }
    }
    if background {
        // The last retraining, if one is still running.
        while state.prioritiser.as_ref().unwrap().is_busy() {
            std::thread::sleep(std::time::Duration::from_millis(5));
            apply_background(&ws, &view, &mut state);
        }
        if state.ranking_note.as_deref().is_some_and(|n| n.starts_with("model retrained"))
            && last_note != state.ranking_note
        {
            applied += 1;
        }
    }
    if model {
        assert!(applied > 0, "the model never ranked the queue");
    }
    let _ = std::fs::remove_file(scoper::screen::decisions::log_of(&ws, &reviewer).path());
    let (m50, m99, mmax) =
        (percentile(&mut moving, 0.5), percentile(&mut moving, 0.99), percentile(&mut moving, 1.0));
    let (d50, d99, dmax) = (
        percentile(&mut deciding, 0.5),
        percentile(&mut deciding, 0.99),
        percentile(&mut deciding, 1.0),
    );
    println!(
        "{{\"records\":{records},\"open_s\":{:.3},\"move_ms\":[{m50:.2},{m99:.2},{mmax:.2}],\
         \"decide_ms\":[{d50:.2},{d99:.2},{dmax:.2}],\"moves\":{},\"decisions\":{},\"peak_rss_kb\":{},\
         \"order\":\"{}\",\"model_build_ms\":{},\"background\":{background},\"rankings_applied\":{applied}}}",
        percentile(&mut opens, 0.5),
        moving.len(),
        deciding.len(),
        common::peak_rss_kb(),
        if model { "model" } else { "relevance" },
        build_ms.map_or("null".to_string(), |b| format!("{b:.0}"))
    );
}
