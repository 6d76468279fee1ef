//! Draws the screening state: the queue, the record, the footer, and the
//! overlays (help, criteria, reason picker). It only reads the state.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::decisions::Verdict;
use super::keys::{Keymap, BINDINGS};
use super::state::{Mode, ScreenState};
use crate::parse::Record;
use crate::tag::ConceptHit;

/// One colour per framework element, in order (and bold + underline
/// always, so a monochrome or `NO_COLOR` terminal still shows them).
const ELEMENT_COLORS: [Color; 6] =
    [Color::Magenta, Color::Cyan, Color::Green, Color::Yellow, Color::Blue, Color::Red];

/// The smallest screen that shows anything useful.
const MIN_WIDTH: u16 = 20;
const MIN_HEIGHT: u16 = 5;

/// Draws the whole screen.
pub fn render(frame: &mut Frame, state: &ScreenState, keys: &Keymap) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "{}×{}: too small; scoper needs {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let footer_height = match area.height {
        h if h >= 16 => footer_rows(state, keys, area.width, 6),
        h if h >= 10 => 2,
        _ => 1,
    };
    let [main, footer] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(footer_height)]).areas(area);
    if main.width >= 80 {
        let [list, detail] =
            Layout::horizontal([Constraint::Percentage(38), Constraint::Percentage(62)])
                .areas(main);
        render_list(frame, state, list);
        render_detail(frame, state, detail);
    } else if main.height >= 6 {
        // Too narrow for the list: the queue collapses to one line (where
        // the cursor is, what the queue shows), above the record.
        let [line, detail] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(main);
        render_queue_line(frame, state, line);
        render_detail(frame, state, detail);
    } else {
        render_detail(frame, state, main);
    }
    render_footer(frame, state, keys, footer);
    match &state.mode {
        Mode::Help => render_help(frame, state, keys, main),
        Mode::Criteria => render_criteria(frame, state, main),
        Mode::Reason { selected, typing } => {
            render_reasons(frame, state, *selected, typing.as_deref(), main)
        }
        _ => {}
    }
}

fn marker(state: &ScreenState, p: crate::parse::Pmid) -> (&'static str, Style) {
    match state.mine.get(&p).map(|d| d.decision) {
        Some(Verdict::Include) => ("+", Style::new().add_modifier(Modifier::BOLD)),
        Some(Verdict::Exclude) => ("-", Style::new().add_modifier(Modifier::DIM)),
        Some(Verdict::Maybe) => ("?", Style::new()),
        _ => (" ", Style::new()),
    }
}

/// The queue in one line: the place of the cursor, the filter, and the
/// decision mark of the record shown.
fn render_queue_line(frame: &mut Frame, state: &ScreenState, area: Rect) {
    let (mark, _) = state.current().map_or((" ", Style::new()), |p| marker(state, p));
    let pilot = state.current().is_some_and(|p| state.pilot.contains(&p));
    let text = format!(
        "{mark} {} of {} · {}{}",
        if state.visible.is_empty() { 0 } else { state.cursor + 1 },
        state.visible.len(),
        state.filter.label(),
        if pilot { " · pilot" } else { "" }
    );
    frame.render_widget(
        Paragraph::new(Line::styled(text, Style::new().add_modifier(Modifier::BOLD))),
        area,
    );
}

fn render_list(frame: &mut Frame, state: &ScreenState, area: Rect) {
    let title =
        format!(" {} of {} · {} ", state.visible.len(), state.queue.len(), state.filter.label());
    let block = Block::new()
        .borders(Borders::RIGHT)
        .title(Line::from(title).style(Style::new().add_modifier(Modifier::BOLD)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = inner.height as usize;
    if state.visible.is_empty() {
        frame.render_widget(Paragraph::new("no record here (f: another filter)"), inner);
        return;
    }
    let offset =
        state.cursor.saturating_sub(height / 2).min(state.visible.len().saturating_sub(height));
    let mut lines = Vec::with_capacity(height);
    for (i, &q) in state.visible.iter().enumerate().skip(offset).take(height) {
        let p = state.queue[q];
        let (mark, mark_style) = marker(state, p);
        let row = state.rows.get(&p);
        let year = row.and_then(|r| r.year).map(|y| y.to_string()).unwrap_or_else(|| "····".into());
        // One slot per element, so the badges line up: "CV PA P  O ".
        let has = state.elements_of.get(&p);
        let badges: String = state
            .elements
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let on = has.is_some_and(|es| es.contains(&i));
                format!(
                    "{:<w$} ",
                    if on { e.badge.as_str() } else { "" },
                    w = e.badge.chars().count()
                )
            })
            .collect();
        let title = row.map(|r| r.title.as_str()).unwrap_or("…");
        // A pilot record is marked "p", a record the last update brought "*".
        let new = if state.pilot.contains(&p) {
            "p"
        } else if state.new.contains(&p) {
            "*"
        } else {
            " "
        };
        let mut spans = vec![
            Span::styled(mark, mark_style),
            Span::raw(new),
            Span::raw(format!("{year} ")),
            Span::styled(badges, Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(title.to_string()),
        ];
        if i == state.cursor {
            spans = spans
                .into_iter()
                .map(|s| s.patch_style(Style::new().add_modifier(Modifier::REVERSED)))
                .collect();
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `text` with the character ranges of `marks` (start, end, element)
/// highlighted.
fn highlighted(
    text: &str,
    marks: &[(usize, usize, usize)],
    color: bool,
    base: Style,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut current = String::new();
    let mut current_style = base;
    let style_at = |i: usize| -> Style {
        match marks.iter().find(|(a, b, _)| *a <= i && i < *b) {
            Some((_, _, e)) => {
                let s = base.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
                if color {
                    s.fg(ELEMENT_COLORS[e % ELEMENT_COLORS.len()])
                } else {
                    s
                }
            }
            None => base,
        }
    };
    for (i, c) in text.chars().enumerate() {
        if c == '\n' {
            spans.push(Span::styled(std::mem::take(&mut current), current_style));
            lines.push(Line::from(std::mem::take(&mut spans)));
            continue;
        }
        let s = style_at(i);
        if s != current_style && !current.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut current), current_style));
        }
        current_style = s;
        current.push(c);
    }
    spans.push(Span::styled(current, current_style));
    lines.push(Line::from(spans));
    lines
}

fn marks(state: &ScreenState, hits: &[ConceptHit], field: &str) -> Vec<(usize, usize, usize)> {
    if !state.highlights {
        return Vec::new();
    }
    hits.iter()
        .filter(|h| h.field == field)
        .flat_map(|h| {
            let e = state.elements.iter().position(|e| e.id == h.element).unwrap_or(0);
            h.spans.iter().map(move |s| (s[0], s[1], e))
        })
        .collect()
}

fn record_text(state: &ScreenState, r: &Record, hits: &[ConceptHit]) -> Text<'static> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut head = r.label();
    if state.new.contains(&r.pmid) {
        head.push_str(" · new since the last update");
    }
    if r.retracted {
        head.push_str(" · RETRACTED");
    }
    lines.push(Line::styled(head, Style::new().add_modifier(Modifier::DIM)));
    lines.extend(highlighted(&r.title, &marks(state, hits, "title"), state.color, bold));
    let mut authors: Vec<String> =
        r.authors.iter().take(6).map(|a| a.display_name().to_string()).collect();
    if r.authors.len() > 6 {
        authors.push("et al.".into());
    }
    if !authors.is_empty() {
        lines.push(Line::raw(authors.join(", ")));
    }
    let source = [
        r.journal.clone(),
        r.year.map(|y| y.to_string()),
        r.doi.as_ref().map(|d| format!("doi:{d}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    if !source.is_empty() {
        lines.push(Line::styled(source, Style::new().add_modifier(Modifier::ITALIC)));
    }
    // Once blinding has ended (`screen --unblind`): the other reviewers'
    // decisions, before the abstract, where a reviewer settling reads them.
    for d in state.others.get(&r.pmid).into_iter().flatten() {
        let mut s = format!("{}: {}", d.reviewer, d.decision.name());
        if let Some(reason) = &d.reason {
            s.push_str(&format!(" ({reason})"));
        }
        if d.settles {
            s.push_str(", settling");
        }
        if let Some(n) = &d.note {
            s.push_str(&format!("; note: {n}"));
        }
        lines.push(Line::styled(s, Style::new().add_modifier(Modifier::BOLD)));
    }
    lines.push(Line::raw(""));
    let abstract_ = r.field_text("abstract").unwrap_or_default();
    if abstract_.trim().is_empty() {
        lines.push(Line::styled("(no abstract)", Style::new().add_modifier(Modifier::DIM)));
    } else {
        lines.extend(highlighted(
            &abstract_,
            &marks(state, hits, "abstract"),
            state.color,
            Style::new(),
        ));
    }
    for (field, label) in [("mesh", "MeSH"), ("keyword", "Keywords")] {
        let text = r.field_text(field).unwrap_or_default();
        if text.is_empty() {
            continue;
        }
        lines.push(Line::raw(""));
        let mut l = highlighted(&text, &marks(state, hits, field), state.color, Style::new());
        if let Some(first) = l.first_mut() {
            first.spans.insert(0, Span::styled(format!("{label}: "), bold));
        }
        lines.extend(l);
    }
    if !hits.is_empty() {
        lines.push(Line::raw(""));
        let mut concepts: Vec<&str> = hits.iter().map(|h| h.concept.as_str()).collect();
        concepts.dedup();
        lines.push(Line::from(vec![
            Span::styled("Concepts: ", bold),
            Span::raw(concepts.join(", ")),
        ]));
    }
    if let Some(d) = state.mine.get(&r.pmid) {
        lines.push(Line::raw(""));
        let mut s = format!("Your decision: {}", d.decision.name());
        if let Some(reason) = &d.reason {
            s.push_str(&format!(" ({reason})"));
        }
        lines.push(Line::styled(s, bold));
        if let Some(n) = &d.note {
            lines.push(Line::raw(format!("Note: {n}")));
        }
    } else if let Some(n) = state.notes.get(&r.pmid) {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Your decision: none yet", bold));
        lines.push(Line::raw(format!("Note: {n} (a note decides nothing)")));
    }
    Text::from(lines)
}

fn render_detail(frame: &mut Frame, state: &ScreenState, area: Rect) {
    let area = Rect { x: area.x + 1, width: area.width.saturating_sub(1), ..area };
    let text = match &state.detail {
        Some(d) => record_text(state, &d.record, &d.hits),
        None if state.visible.is_empty() => Text::raw(""),
        None => Text::raw("loading…"),
    };
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).scroll((state.scroll, 0)),
        area,
    );
}

/// Excludes in a row before the footer shows the stopping hint.
const STOP_HINT_AFTER: usize = 25;

/// The footer's two texts: the progress line (what fits of it, whole
/// parts only) and the second line (a prompt, the status, or the keys).
fn footer_texts(state: &ScreenState, keys: &Keymap, width: usize) -> (String, String) {
    let (screened, total, i, e, m) = state.progress();
    let mut parts = vec![
        format!("{} · {}", state.reviewer, state.stage.name()),
        format!("{screened} of {total} screened"),
        format!("{i} include, {e} exclude, {m} maybe"),
    ];
    // What is on shows first: a filter or a search, the pilot.
    if state.filter != super::state::Filter::All {
        parts.push(format!("showing {}", state.filter.label()));
    }
    if state.pilot_left() > 0 {
        parts.push(format!("pilot: {} left", state.pilot_left()));
    }
    if let Some(h) = state.stop.filter(|h| h.quiet >= STOP_HINT_AFTER) {
        parts.push(format!(
            "no include in the last {}; estimated recall ≥ {:.0}%",
            h.quiet,
            (h.recall_at_least * 100.0).floor()
        ));
    }
    if let Some(note) = &state.ranking_note {
        parts.push(note.clone());
    }
    let progress = fit(&parts, " · ", width);
    let k = |n: &str| keys.shown.get(n).copied().unwrap_or('?');
    let full = format!(
        "{} include  {} exclude  {} maybe  {} undo  {}/{} move  {} search  {} filter  {} help  {} quit",
        k("include"),
        k("exclude"),
        k("maybe"),
        k("undo"),
        k("next"),
        k("previous"),
        k("search"),
        k("filter"),
        k("help"),
        k("quit")
    );
    let short = format!(
        "{}/{}/{} · {} undo · {} search · {} filter · {} help · {} quit",
        k("include"),
        k("exclude"),
        k("maybe"),
        k("undo"),
        k("search"),
        k("filter"),
        k("help"),
        k("quit")
    );
    let tiny = format!(
        "{}/{}/{} · {} help · {} quit",
        k("include"),
        k("exclude"),
        k("maybe"),
        k("help"),
        k("quit")
    );
    // The fullest form that fits (40 columns take only the last).
    let hint = [full, short].into_iter().find(|h| h.chars().count() <= width).unwrap_or(tiny);
    let prompt = match &state.mode {
        Mode::Search(t) => Some(format!("search: {t}▏ (Enter: search, Esc: cancel)")),
        Mode::Note(t) => Some(format!("note: {t}▏ (Enter: save, Esc: cancel)")),
        _ => None,
    };
    (progress, prompt.or_else(|| state.status.clone()).unwrap_or(hint))
}

/// The parts that fit in `width`, joined: whole parts only, in order (the
/// first always, cut only if it alone is too long).
fn fit(parts: &[String], sep: &str, width: usize) -> String {
    let mut out = String::new();
    for p in parts {
        let extra = if out.is_empty() { 0 } else { sep.chars().count() };
        if !out.is_empty() && out.chars().count() + extra + p.chars().count() > width {
            continue;
        }
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(p);
    }
    out
}

/// Rows the footer needs at `width`: the progress line, and the second
/// line wrapped (a long search error is read whole), at most `max`.
fn footer_rows(state: &ScreenState, keys: &Keymap, width: u16, max: u16) -> u16 {
    let (_, second) = footer_texts(state, keys, width as usize);
    // Word by word, as the paragraph wraps it.
    let (mut rows, mut at) = (1u16, 0usize);
    for word in second.split_whitespace() {
        let n = word.chars().count();
        if at > 0 && at + 1 + n > width as usize {
            rows += 1;
            at = 0;
        }
        at += if at > 0 { 1 + n } else { n };
    }
    (1 + rows).min(max)
}

fn render_footer(frame: &mut Frame, state: &ScreenState, keys: &Keymap, area: Rect) {
    let (progress, second) = footer_texts(state, keys, area.width as usize);
    if area.height >= 2 {
        let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        frame.render_widget(
            Paragraph::new(Line::styled(progress, Style::new().add_modifier(Modifier::REVERSED))),
            top,
        );
        frame.render_widget(Paragraph::new(second).wrap(Wrap { trim: true }), rest);
    } else {
        let one = if matches!(state.mode, Mode::Browse) && state.status.is_none() {
            progress
        } else {
            second
        };
        frame.render_widget(Paragraph::new(one), area);
    }
}

/// How a popup's text moves: wrapped and scrolled by so many rows, or
/// neither (the caller picks the lines that fit, as the reason list does).
enum Scroll {
    Rows(u16),
    Fixed,
}

/// A popup's width on `area`: the terminal less 4 columns, at most 78.
fn popup_width(area: Rect) -> u16 {
    area.width.saturating_sub(4).clamp(1, 78)
}

/// A box in the middle of `area`, cleared.
fn popup(frame: &mut Frame, area: Rect, title: &str, text: Text<'static>, scroll: Scroll) {
    let w = popup_width(area);
    // Rows the text takes: wrapped to the box unless it scrolls.
    let inner_w = (w as usize).saturating_sub(2).max(1);
    // Wrapped here, word by word, so the rows are known and a scroll stops
    // at the last one.
    let text = match scroll {
        Scroll::Fixed => text,
        Scroll::Rows(_) => Text::from(
            text.lines
                .into_iter()
                .flat_map(|l| {
                    if l.width() <= inner_w {
                        return vec![l];
                    }
                    let style = l.spans.first().map(|s| s.style).unwrap_or_default().patch(l.style);
                    let content: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                    crate::report::wrapped(&content, inner_w)
                        .into_iter()
                        .map(move |w| Line::styled(w, style))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>(),
        ),
    };
    let rows = text.height();
    let h = (rows as u16 + 2).min(area.height);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, r);
    let block = Block::bordered().title(format!(" {title} "));
    let p = Paragraph::new(text).block(block);
    let p = match scroll {
        Scroll::Fixed => p,
        Scroll::Rows(n) => {
            // Never past the last row.
            let most = (rows as u16).saturating_sub(h.saturating_sub(2));
            p.scroll((n.min(most), 0))
        }
    };
    frame.render_widget(p, r);
}

fn render_help(frame: &mut Frame, state: &ScreenState, keys: &Keymap, area: Rect) {
    if (area.height as usize) < BINDINGS.len() + 5 {
        // A small terminal: every key in a few lines, by its short name.
        let all: Vec<String> = BINDINGS
            .iter()
            .map(|b| format!("{} {}", keys.shown[b.name], b.name.replace('_', " ")))
            .collect();
        let mut text = vec![Line::raw(all.join(" · "))];
        text.extend(legend(state));
        text.push(Line::raw("j/k scroll this; any other key closes it"));
        let text = Text::from(text);
        popup(frame, area, "keys", text, Scroll::Rows(state.overlay_scroll));
        return;
    }
    let mut lines: Vec<Line<'static>> = BINDINGS
        .iter()
        .map(|b| Line::raw(format!("{:>3}  {}", keys.shown[b.name], b.help)))
        .collect();
    lines.push(Line::raw("  ↑↓  move · PgUp/PgDn  a page · Space/b  scroll the record"));
    lines.extend(legend(state));
    if !state.order_label.is_empty() {
        lines.push(Line::raw(format!("the queue's order: {} (--order)", state.order_label)));
    }
    lines.push(Line::raw(
        "j/k scroll this; any other key closes it; keys are remapped under [screening.keys]",
    ));
    popup(frame, area, "keys", Text::from(lines), Scroll::Rows(state.overlay_scroll));
}

/// What the queue's marks and the element badges mean, each badge in its
/// element's colour (as the highlights in the record).
fn legend(state: &ScreenState) -> Vec<Line<'static>> {
    let mut lines = vec![Line::raw(
        "queue: + include  - exclude  ? maybe  * new since the last update  p pilot",
    )];
    if !state.elements.is_empty() {
        let mut spans = vec![Span::raw("elements: ")];
        for (i, e) in state.elements.iter().enumerate() {
            let mut style = Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
            if state.color {
                style = style.fg(ELEMENT_COLORS[i % ELEMENT_COLORS.len()]);
            }
            spans.push(Span::styled(e.badge.clone(), style));
            spans.push(Span::raw(format!(" {}  ", e.name)));
        }
        lines.push(Line::from(spans));
    }
    lines
}

fn render_criteria(frame: &mut Frame, state: &ScreenState, area: Rect) {
    let c = &state.criteria;
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines = Vec::new();
    for (label, text) in
        [("Population", &c.population), ("Concept", &c.concept), ("Context", &c.context)]
    {
        lines.push(Line::styled(label.to_string(), bold));
        lines.push(Line::raw(if text.trim().is_empty() {
            "(not set in scoper.toml)".to_string()
        } else {
            crate::parse::normalize_ws(text)
        }));
        lines.push(Line::raw(""));
    }
    lines.push(Line::raw("j/k scroll this; any other key closes it"));
    popup(
        frame,
        area,
        "eligibility (scoper.toml)",
        Text::from(lines),
        Scroll::Rows(state.overlay_scroll),
    );
}

fn render_reasons(
    frame: &mut Frame,
    state: &ScreenState,
    selected: usize,
    typing: Option<&str>,
    area: Rect,
) {
    let n = state.reasons.len();
    // Rows inside the box. On a small terminal the instructions go to the
    // title, and the reasons scroll above "another reason…", which stays.
    let inner = area.height.saturating_sub(2) as usize;
    let roomy = n + 2 <= inner;
    let room = if roomy { n } else { inner.saturating_sub(1).max(1) };
    let first =
        if selected < n { selected.saturating_sub(room - 1) } else { n.saturating_sub(room) };
    let mut lines: Vec<Line<'static>> = state
        .reasons
        .iter()
        .enumerate()
        .skip(first)
        .take(room)
        .map(|(i, r)| {
            let l = Line::raw(format!(
                "{} {r}",
                if i < 9 { format!("{}.", i + 1) } else { "  ".into() }
            ));
            if i == selected {
                l.style(Style::new().add_modifier(Modifier::REVERSED))
            } else {
                l
            }
        })
        .collect();
    let other = match typing {
        Some(t) => {
            // The end of what is typed stays in view, inside the popup's
            // borders.
            let room = (popup_width(area) as usize)
                .saturating_sub(2 + "   another reason: ▏".chars().count());
            let n = t.chars().count();
            let shown: String = if n > room && room > 1 {
                std::iter::once('…').chain(t.chars().skip(n - (room - 1))).collect()
            } else {
                t.to_string()
            };
            format!("   another reason: {shown}▏")
        }
        None => "   another reason…".to_string(),
    };
    let other = Line::raw(other);
    lines.push(if selected == n {
        other.style(Style::new().add_modifier(Modifier::REVERSED))
    } else {
        other
    });
    let title = if roomy {
        lines.push(Line::raw("number or Enter: exclude for that reason · Esc: cancel"));
        "exclude: why?".to_string()
    } else {
        format!("why? 1-{} or Enter · Esc", n.min(9))
    };
    popup(frame, area, &title, Text::from(lines), Scroll::Fixed);
}
