//! Keys → actions, with the keymap kept as data so that `scoper.toml` can
//! remap it (`[screening.keys] include = "y"`).

use std::collections::HashMap;

use anyhow::{bail, Result};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::{Action, Mode};

/// A remappable key.
pub struct Binding {
    /// Its name in `[screening.keys]`.
    pub name: &'static str,
    pub key: char,
    pub action: fn() -> Action,
    /// What it does, for the help screen.
    pub help: &'static str,
}

const fn b(name: &'static str, key: char, action: fn() -> Action, help: &'static str) -> Binding {
    Binding { name, key, action, help }
}

/// The remappable keys, with their defaults.
pub const BINDINGS: [Binding; 16] = [
    b("include", 'i', || Action::Include, "include"),
    b("exclude", 'e', || Action::Exclude, "exclude (then pick a reason)"),
    b("maybe", 'm', || Action::Maybe, "maybe"),
    b("undo", 'u', || Action::Undo, "undo the last decision of this session"),
    b("next", 'j', || Action::Next, "next record (also ↓)"),
    b("previous", 'k', || Action::Previous, "previous record (also ↑)"),
    b("next_unscreened", 'n', || Action::NextUnscreened, "next unscreened record"),
    b("search", '/', || Action::StartSearch, "search (tantivy syntax; Esc: all records)"),
    b(
        "filter",
        'f',
        || Action::CycleFilter,
        "filter: all, unscreened, include, exclude, maybe, new",
    ),
    b("concept", 'c', || Action::CycleConcept, "filter by a framework element, in turn"),
    b("note", 'N', || Action::StartNote, "a note on the record"),
    b("highlights", 'h', || Action::ToggleHighlights, "concept highlights on/off"),
    b("criteria", 'p', || Action::ToggleCriteria, "the eligibility criteria (PCC)"),
    b("help", '?', || Action::ToggleHelp, "all keys"),
    b("open", 'o', || Action::Open, "open the DOI or PubMed page"),
    b("quit", 'q', || Action::Quit, "quit (every decision is already saved)"),
];

/// The keys of browse mode.
#[derive(Debug, Clone)]
pub struct Keymap {
    keys: HashMap<char, usize>,
    /// name → key, for the footer and help.
    pub shown: HashMap<&'static str, char>,
}

impl Keymap {
    /// The default keys, with `remap` (name → key) applied; a remapping
    /// that names no action, is not one character, or takes a key another
    /// action keeps is an error.
    pub fn new(remap: &HashMap<String, String>) -> Result<Keymap> {
        let mut shown: HashMap<&'static str, char> =
            BINDINGS.iter().map(|b| (b.name, b.key)).collect();
        for (name, key) in remap {
            let Some(n) = BINDINGS.iter().map(|b| b.name).find(|n| n == name) else {
                bail!(
                    "[screening.keys] {name} is no action (hint: one of {})",
                    BINDINGS.iter().map(|b| b.name).collect::<Vec<_>>().join(", ")
                );
            };
            let mut chars = key.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                bail!("[screening.keys] {name} = {key:?}: a key is one character (hint: \"y\")");
            };
            shown.insert(n, c);
        }
        let mut keys = HashMap::new();
        for (i, n) in BINDINGS.iter().map(|b| b.name).enumerate() {
            let c = shown[n];
            if let Some(other) = keys.insert(c, i) {
                bail!(
                    "[screening.keys]: {c:?} is the key of both {} and {n} (hint: give one of them \
                     another key)",
                    BINDINGS[other].name
                );
            }
        }
        Ok(Keymap { keys, shown })
    }

    /// The action of a key press in `mode`.
    pub fn action(&self, key: KeyEvent, mode: &Mode) -> Option<Action> {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return Some(Action::Quit);
        }
        let typing = matches!(mode, Mode::Search(_) | Mode::Note(_))
            || matches!(mode, Mode::Reason { typing: Some(_), .. });
        match key.code {
            KeyCode::Enter => Some(Action::Enter),
            KeyCode::Esc => Some(Action::Escape),
            KeyCode::Backspace => Some(Action::Backspace),
            KeyCode::Down => Some(Action::Next),
            KeyCode::Up => Some(Action::Previous),
            KeyCode::PageDown => Some(Action::PageDown),
            KeyCode::PageUp => Some(Action::PageUp),
            KeyCode::Home => Some(Action::First),
            KeyCode::End => Some(Action::Last),
            KeyCode::Char(c) if typing => Some(Action::Char(c)),
            KeyCode::Char(c) if matches!(mode, Mode::Reason { .. }) => Some(match c {
                c if c == self.shown["next"] => Action::Next,
                c if c == self.shown["previous"] => Action::Previous,
                c if c == self.shown["quit"] => Action::Escape,
                c => Action::Char(c),
            }),
            // An overlay: j/k (and the arrows, above) scroll it; any other
            // key closes it, as it says.
            KeyCode::Char(c) if matches!(mode, Mode::Help | Mode::Criteria) => Some(match c {
                c if c == self.shown["next"] => Action::Next,
                c if c == self.shown["previous"] => Action::Previous,
                c if c == self.shown["quit"] => Action::Quit,
                _ => Action::Escape,
            }),
            KeyCode::Char(' ') => Some(Action::ScrollDown),
            KeyCode::Char('b') if !self.keys.contains_key(&'b') => Some(Action::ScrollUp),
            KeyCode::Char(c) => self.keys.get(&c).map(|&i| (BINDINGS[i].action)()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn defaults_remaps_and_clashes() {
        let k = Keymap::new(&HashMap::new()).unwrap();
        assert_eq!(k.action(key('i'), &Mode::Browse), Some(Action::Include));
        assert_eq!(k.action(key('i'), &Mode::Search(String::new())), Some(Action::Char('i')));
        // Any key closes an overlay, bound or not.
        assert_eq!(k.action(key('x'), &Mode::Help), Some(Action::Escape));
        assert_eq!(k.action(key('j'), &Mode::Criteria), Some(Action::Next));
        let remap = [("include".to_string(), "y".to_string())].into_iter().collect();
        let k = Keymap::new(&remap).unwrap();
        assert_eq!(k.action(key('y'), &Mode::Browse), Some(Action::Include));
        assert_eq!(k.action(key('i'), &Mode::Browse), None);
        let clash = [("include".to_string(), "e".to_string())].into_iter().collect();
        let err = Keymap::new(&clash).unwrap_err().to_string();
        assert!(
            err.contains("both exclude and include") || err.contains("both include and exclude"),
            "{err}"
        );
        let unknown = [("accept".to_string(), "a".to_string())].into_iter().collect();
        assert!(Keymap::new(&unknown).unwrap_err().to_string().contains("no action"));
    }
}
