//! One file per subcommand. Each takes the validated inputs it needs and
//! returns the exit code.

mod chart;
mod conflicts;
mod decide;
mod duplicates;
mod export;
mod find;
mod import;
mod index;
mod init;
mod log;
mod prisma;
mod run;
mod screen;
mod search;
mod show;
mod simulate;
mod tag;

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::store::Workspace;

/// Runs the command `cli` names.
pub fn dispatch(cli: Cli) -> Result<i32> {
    let json = cli.json;
    // Like git: without --dir, the workspace is the current folder or the
    // nearest one above it with a scoper.toml (init creates it here).
    let root = match (cli.dir, &cli.command) {
        (Some(d), _) => d,
        (None, Command::Init { .. }) => ".".into(),
        (None, _) => find_workspace(Path::new(".")),
    };
    match cli.command {
        Command::Init { path } => {
            // A relative DIR is taken from --dir, so `--dir X init .` is X.
            let target = path.map(|d| root.join(d)).unwrap_or_else(|| root.clone());
            init::run(&target, json)
        }
        // Commands that write hold the workspace lock until they end.
        Command::Run { offline } => {
            let ws = Workspace::open(&root)?;
            let _lock = lock(&ws)?;
            let setup = search::FetchSetup { eutils_url: cli.eutils_url, batch_size: None };
            run::run(&ws, offline, &setup, json)
        }
        Command::Search { query, batch_size } => {
            let ws = Workspace::open(&root)?;
            let Some(query) = query else { return search::list_saved(&ws) };
            let _lock = lock(&ws)?;
            let setup = search::FetchSetup { eutils_url: cli.eutils_url, batch_size };
            search::run_search(&ws, &query, &setup, json)
        }
        Command::Update { batch_size } => {
            let ws = Workspace::open(&root)?;
            let _lock = lock(&ws)?;
            let setup = search::FetchSetup { eutils_url: cli.eutils_url, batch_size };
            search::run_update(&ws, &setup, json)
        }
        Command::Log => log::run(&Workspace::open(&root)?, json),
        Command::Import { files, map } => {
            let ws = Workspace::open(&root)?;
            let _lock = lock(&ws)?;
            import::run(&ws, &files, &map, json)
        }
        Command::Index { rebuild } => {
            let ws = Workspace::open(&root)?;
            let _lock = lock(&ws)?;
            index::run(&ws, rebuild, json)
        }
        Command::Find { query, limit } => {
            find::run(&Workspace::open(&root)?, &query.join(" "), limit, json)
        }
        Command::Show { pmids, reviewer } => {
            show::run(&Workspace::open(&root)?, &pmids, reviewer.as_deref(), json)
        }
        Command::Tag { framework, check, eval, charted, explain, stems } => {
            if !stems.is_empty() {
                return tag::stems(&Workspace::open(&root)?, &stems, json);
            }
            let mode = match (check, eval, charted) {
                _ if explain.is_some() => tag::Mode::Explain(explain.unwrap_or_default().parse()?),
                (true, _, _) => tag::Mode::Check,
                (false, Some(_), true) => tag::Mode::Charted,
                (false, Some(Some(gold)), false) => tag::Mode::Eval(gold),
                (false, Some(None), false) => anyhow::bail!(
                    "--eval needs a gold set (--eval tests/gold/lhs-gold.toml), or --charted to \
                     measure against the reviewers' charts"
                ),
                (false, None, _) => tag::Mode::Tag,
            };
            tag::run(&root, framework.as_deref(), mode, json)
        }
        Command::Screen { reviewer, stage, new, order, seed, pilot, unblind } => {
            let ws = Workspace::open(&root)?;
            let args = screen::Args { reviewer, stage, new, order, seed, pilot, unblind };
            screen::run(&ws, args)
        }
        Command::Decide { pmid, decision, reason, note, reviewer, stage, settle, from } => {
            let ws = Workspace::open(&root)?;
            let args = decide::Args { pmid, decision, reason, note, reviewer, stage, settle, from };
            decide::run(&ws, args, json)
        }
        Command::Conflicts { stage, pilot } => {
            conflicts::run(&Workspace::open(&root)?, stage.as_deref(), pilot, json)
        }
        Command::Unblind { reviewer } => {
            conflicts::unblind(&Workspace::open(&root)?, &reviewer, json)
        }
        Command::Export { format, out, all, long } => {
            export::run(&Workspace::open(&root)?, format, out.as_deref(), all, long)
        }
        Command::Chart { reviewer, set } => {
            let ws = Workspace::open(&root)?;
            let outer = reviewer.clone();
            match set {
                Some(crate::cli::ChartCommand::Set { pmid, field, value, reviewer, settle }) => {
                    chart::set(&ws, &pmid, &field, &value, reviewer.or(outer), settle, json)
                }
                None => chart::run(&ws, reviewer),
            }
        }
        Command::Prisma { csv, svg } => {
            prisma::run(&Workspace::open(&root)?, csv.as_deref(), svg.as_deref(), json)
        }
        Command::Simulate { file, priors, seed, order_out, score } => {
            simulate::run(&simulate::Args { file, priors, seed, order_out, score }, json)
        }
        Command::Duplicates { same, not, reviewer } => duplicates::run(
            &Workspace::open(&root)?,
            duplicates::Args { same, not, reviewer },
            json,
        ),
        Command::Report { out } => prisma::report(&Workspace::open(&root)?, &out),
    }
}

/// The nearest folder from `start` upwards that holds a scoper.toml, or
/// `start` itself when none does (the error then says what to do).
fn find_workspace(start: &Path) -> PathBuf {
    let Ok(abs) = start.canonicalize() else { return start.to_path_buf() };
    for dir in abs.ancestors() {
        if dir.join("scoper.toml").is_file() {
            return if dir == abs { start.to_path_buf() } else { dir.to_path_buf() };
        }
    }
    start.to_path_buf()
}

/// The framework the workspace names in scoper.toml, if any.
fn workspace_framework(ws: &Workspace) -> Result<Option<crate::tag::Framework>> {
    let protocol = crate::config::Protocol::load(&ws.protocol())?;
    match protocol.framework {
        Some(f) => Ok(Some(crate::tag::Framework::load(&ws.root().join(f.file))?)),
        None => Ok(None),
    }
}

/// Takes the workspace lock for a writing command.
fn lock(ws: &Workspace) -> Result<crate::store::lock::Lock> {
    lock_scope(ws, &crate::store::lock::Scope::Workspace)
}

/// Takes the lock of `scope`, naming the command as the user typed it (for
/// the message another process shows).
fn lock_scope(
    ws: &Workspace,
    scope: &crate::store::lock::Scope,
) -> Result<crate::store::lock::Lock> {
    // args_os: an argument that is not UTF-8 is shown lossily, not a panic.
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let command = format!("scoper {}", args.join(" "));
    crate::store::lock::acquire(ws, scope, command.trim())
}

/// The index, brought up to date with corpus/ first (the caller holds the
/// lock); problems found in corpus files on the way are printed as warnings.
fn current_index(ws: &Workspace) -> Result<crate::store::CorpusIndex> {
    let (index, report) = crate::store::sync::sync(ws, false)?;
    if !report.files.is_empty() {
        eprintln!(
            "note: indexed {} corpus file(s) that were not in the index yet",
            report.files.len()
        );
    }
    for e in report.errors() {
        eprintln!("warning: {e}");
    }
    Ok(index)
}

/// After the corpus changed, tags the records again with the workspace's
/// framework, so reads show current concepts. A framework that does not
/// load or compile is a warning here (the last tags stay); `scoper tag`
/// says everything that is wrong with it.
fn retag_quietly(ws: &Workspace, index: &crate::store::CorpusIndex) {
    // Two independent reads of the index: the duplicate groups are found on
    // a thread while the records are tagged (on 100,000 records each takes
    // seconds).
    let (dedup, result) = std::thread::scope(|s| {
        let dedup = s.spawn(|| crate::dedup::refresh(ws, index));
        let result = workspace_framework(ws)
            .and_then(|f| f.map(|f| crate::tag::store::current_tags(ws, index, &f)).transpose());
        (dedup.join(), result)
    });
    match dedup {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => eprintln!("warning: the duplicate groups were not found again: {e:#}"),
        Err(_) => eprintln!("warning: the duplicate groups were not found again (it panicked)"),
    }
    if let Err(e) = result {
        eprintln!(
            "warning: the records were not tagged again: {e:#}\n(the concepts shown stay those \
             of the last tagging run; `scoper tag` lists what is wrong)"
        );
    }
}

/// The protocol's method (roster, reviewers per record, blinding), read
/// without the logs: for a command that checks a name before its lock.
fn method(ws: &Workspace) -> Result<crate::screen::method::Method> {
    crate::screen::method::Method::of(&crate::config::Protocol::load(&ws.protocol())?)
}

/// Takes reviewer `name`'s lock (their decision and chart logs), checking
/// the name.
fn reviewer_lock(ws: &Workspace, name: &str) -> Result<crate::store::lock::Lock> {
    lock_scope(ws, &crate::store::lock::Scope::reviewer(name)?)
}

/// Opens the read-only view and prints its notes (one line each) to stderr.
fn view(ws: &Workspace) -> Result<crate::view::View> {
    let view = crate::view::View::open(ws)?;
    for n in view.notes() {
        eprintln!("{n}");
    }
    Ok(view)
}
