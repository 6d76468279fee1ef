//! `scoper init [DIR]`: a new review workspace.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::report::out;
use crate::store::atomic::write_atomic;

/// The protocol a new workspace starts from.
const PROTOCOL_TEMPLATE: &str = include_str!("../templates/scoper.toml");
/// An example saved search.
const QUERY_TEMPLATE: &str = include_str!("../templates/query.toml");
/// The default framework: the learning-health-system framework.
const FRAMEWORK: &str = include_str!("../../queries/lhs-framework.toml");

pub fn run(dir: &Path, json: bool) -> Result<i32> {
    let protocol = dir.join("scoper.toml");
    if protocol.exists() {
        bail!(
            "{} already exists: {} is a workspace already (nothing was changed)",
            protocol.display(),
            dir.display()
        );
    }
    let ws = crate::store::Workspace::at(dir);
    for sub in [dir.join("queries"), ws.corpus(), ws.screening(), ws.charting()] {
        std::fs::create_dir_all(&sub)
            .with_context(|| format!("could not create {}", sub.display()))?;
    }
    let example = dir.join("queries").join("example.toml");
    if !example.exists() {
        write_atomic(&example, QUERY_TEMPLATE.as_bytes())?;
    }
    let framework = dir.join("queries").join("lhs-framework.toml");
    if !framework.exists() {
        write_atomic(&framework, FRAMEWORK.as_bytes())?;
    }
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        write_atomic(&ignore, b"# derived state: rebuilt with `scoper index`\n.scoper/\n")?;
    }
    write_atomic(&protocol, PROTOCOL_TEMPLATE.as_bytes())?;
    let mut w = out();
    if json {
        writeln!(w, "{}", serde_json::json!({"workspace": dir, "protocol": protocol}))?;
    } else {
        writeln!(w, "created a review workspace in {}", dir.display())?;
        writeln!(w, "next: edit scoper.toml (the protocol), then `scoper import FILE.xml`")?;
    }
    Ok(0)
}
