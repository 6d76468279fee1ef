//! One file per subcommand. Each takes the validated inputs it needs and
//! returns the exit code.

mod export;
mod find;
mod import;
mod index;
mod init;
mod log;
mod run;
mod search;
mod show;
mod tag;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::store::Workspace;

/// Runs the command `cli` names.
pub fn dispatch(cli: Cli) -> Result<i32> {
    let json = cli.json;
    let root = cli.dir.unwrap_or_else(|| ".".into());
    match cli.command {
        Command::Init { path } => {
            // A relative DIR is taken from --dir, so `--dir X init .` is X.
            let target = path.map(|d| root.join(d)).unwrap_or_else(|| root.clone());
            init::run(&target, json)
        }
        Command::Run { offline } => {
            let setup = search::FetchSetup { eutils_url: cli.eutils_url, batch_size: None };
            run::run(&Workspace::open(&root)?, offline, &setup, json)
        }
        Command::Search { query, batch_size } => {
            let setup = search::FetchSetup { eutils_url: cli.eutils_url, batch_size };
            search::run_search(&Workspace::open(&root)?, &query, &setup, json)
        }
        Command::Update { batch_size } => {
            let setup = search::FetchSetup { eutils_url: cli.eutils_url, batch_size };
            search::run_update(&Workspace::open(&root)?, &setup, json)
        }
        Command::Log => log::run(&Workspace::open(&root)?, json),
        Command::Import { files } => import::run(&Workspace::open(&root)?, &files, json),
        Command::Index { rebuild } => index::run(&Workspace::open(&root)?, rebuild, json),
        Command::Find { query, limit } => {
            find::run(&Workspace::open(&root)?, &query.join(" "), limit, json)
        }
        Command::Show { pmid } => show::run(&Workspace::open(&root)?, &pmid, json),
        Command::Tag { framework, check, eval } => {
            let mode = match (check, eval) {
                (true, _) => tag::Mode::Check,
                (false, Some(gold)) => tag::Mode::Eval(gold),
                (false, None) => tag::Mode::Tag,
            };
            tag::run(&root, framework.as_deref(), mode, json)
        }
        Command::Export { format, out } => {
            export::run(&Workspace::open(&root)?, format, out.as_deref())
        }
    }
}

/// The framework the workspace names in scoper.toml, if any.
fn workspace_framework(ws: &Workspace) -> Result<Option<crate::tag::Framework>> {
    let protocol = crate::config::Protocol::load(&ws.protocol())?;
    match protocol.framework {
        Some(f) => Ok(Some(crate::tag::Framework::load(&ws.root().join(f.file))?)),
        None => Ok(None),
    }
}

/// The tags of the working set for reading: current ones when the
/// framework loads and compiles; else, with a warning, those of the last
/// successful run (a broken framework file hides nothing already tagged).
fn readable_tags(
    ws: &Workspace,
    index: &crate::store::CorpusIndex,
) -> Option<crate::tag::store::TagSet> {
    let current = workspace_framework(ws)
        .and_then(|f| f.map(|f| crate::tag::store::current_tags(ws, index, &f)).transpose());
    match current {
        Ok(tags) => tags,
        Err(e) => {
            eprintln!("warning: {e:#}\n(using the concepts of the last successful tagging run)");
            crate::tag::store::saved_tags(ws)
        }
    }
}

/// The index, brought up to date with corpus/ first; problems found in
/// corpus files on the way are printed as warnings.
fn current_index(ws: &Workspace) -> Result<crate::store::CorpusIndex> {
    let (index, report) = crate::store::sync::sync(ws, false)?;
    if !report.files.is_empty() {
        eprintln!(
            "note: indexed {} corpus file(s) that were not in the index yet",
            report.files.len()
        );
    }
    for f in &report.files {
        for e in &f.errors {
            eprintln!("warning: {e}");
        }
    }
    Ok(index)
}
