//! `scoper tag`: tag the working set with a framework's concepts (or check a
//! framework file, or evaluate it on a gold set).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use serde_json::json;

use super::{current_index, lock, workspace_framework};
use crate::report::out;
use crate::store::{CorpusIndex, Workspace};
use crate::tag::store::retag;
use crate::tag::{eval, ConceptMap, Framework, Matcher};

pub enum Mode {
    Tag,
    Check,
    Eval(PathBuf),
}

pub fn run(root: &Path, framework: Option<&Path>, mode: Mode, json: bool) -> Result<i32> {
    // --check and --eval work on a framework file alone, in or out of a
    // workspace.
    let (ws, framework) = match framework {
        Some(f) => (Workspace::open(root).ok(), Framework::load(f)?),
        None => {
            let ws = Workspace::open(root)?;
            let Some(f) = workspace_framework(&ws)? else {
                bail!(
                    "no framework: scoper.toml has no [framework] file\n(hint: add [framework] \
                     file = \"queries/lhs-framework.toml\", or pass --framework FILE)"
                );
            };
            (Some(ws), f)
        }
    };
    let mut w = out();
    match mode {
        Mode::Check => {
            Matcher::compile(&framework, &CorpusIndex::in_ram())?;
            let concepts = framework.concepts().count();
            let queries: usize = framework.concepts().map(|(_, c)| c.queries.len()).sum();
            if json {
                let v = json!({"framework": framework.path, "ok": true,
                    "elements": framework.elements.len(), "concepts": concepts, "queries": queries});
                writeln!(w, "{v}")?;
            } else {
                writeln!(
                    w,
                    "{}: OK ({} elements, {concepts} concepts, {queries} queries)",
                    framework.path.display(),
                    framework.elements.len()
                )?;
            }
        }
        Mode::Eval(gold) => {
            let e = eval::evaluate(&framework, &gold)?;
            if json {
                writeln!(w, "{}", serde_json::to_string_pretty(&e)?)?;
            } else {
                e.print(&mut w)?;
            }
        }
        Mode::Tag => {
            let Some(ws) = ws else {
                bail!("{} is not a scoper workspace (hint: scoper init)", root.display());
            };
            let _lock = lock(&ws)?;
            let index = current_index(&ws)?;
            let tags = retag(&ws, &index, &framework)?;
            let map = ConceptMap::of(&tags);
            if json {
                let v = json!({"map": map, "untagged": tags.untagged});
                writeln!(w, "{}", serde_json::to_string_pretty(&v)?)?;
            } else {
                map.print(&mut w)?;
            }
        }
    }
    w.flush()?;
    Ok(0)
}
