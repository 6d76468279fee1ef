//! `scoper screen`: the screening UI.

use std::io::Write;

use anyhow::Result;

use super::{reviewer_lock, view};
use crate::config::Protocol;
use crate::screen::decisions::{Decisions, Stage};
use crate::screen::keys::Keymap;
use crate::screen::method::Method;
use crate::screen::order::Order;
use crate::screen::{open, term, Options};
use crate::store::Workspace;

pub struct Args {
    pub reviewer: Option<String>,
    pub stage: String,
    pub new: bool,
    pub order: String,
    pub seed: u64,
    pub pilot: Option<usize>,
    pub unblind: bool,
}

/// The reviewer: the flag, else the user's login name.
pub fn reviewer_name(flag: Option<String>) -> Result<String> {
    match flag.or_else(|| std::env::var("USER").ok()).or_else(|| std::env::var("USERNAME").ok()) {
        Some(n) => Ok(n),
        None => anyhow::bail!("who is screening? (hint: --reviewer NAME)"),
    }
}

pub fn run(ws: &Workspace, args: Args) -> Result<i32> {
    let reviewer = reviewer_name(args.reviewer)?;
    let protocol = Protocol::load(&ws.protocol())?;
    // The name and blinding are checked from the protocol and the blinding
    // log; the decision logs are read once, by `open`.
    let method = Method::of(&protocol)?;
    method.check_reviewer(&reviewer, false)?;
    if args.unblind && method.blind && Decisions::unblinding(ws)?.is_none() {
        anyhow::bail!(
            "screening is blind in this review, so the other reviewers' decisions are not shown \
             (hint: when every reviewer has screened, `scoper unblind --reviewer NAME` ends \
             blinding, once and recorded; then `screen --unblind` shows them)"
        );
    }
    // One session per reviewer: a second one is refused, with who holds it.
    let _lock = reviewer_lock(ws, &reviewer)?;
    let keys = Keymap::new(&protocol.screening.keys)?;
    let stage = Stage::parse(&args.stage)?;
    let opts = Options {
        reviewer: reviewer.clone(),
        stage,
        order: Order::parse(&args.order, args.seed)?,
        new_only: args.new,
        pilot: args.pilot,
        blind: !args.unblind,
    };
    // Notes (an index behind corpus/...) are said before the screen opens.
    let view = view(ws)?;
    let state = open(ws, &view, &opts)?;
    let done = term::run_in_terminal(ws, &view, state, &keys)?;
    let (screened, total, i, e, m) = done.progress();
    writeln!(
        crate::report::out(),
        "{reviewer}, {}: {screened} of {total} screened ({i} include, {e} exclude, {m} maybe); every \
         decision is in {}",
        opts.stage.name(),
        ws.relative(crate::screen::decisions::log_of(ws, &reviewer).path())
    )?;
    Ok(0)
}
