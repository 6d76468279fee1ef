//! Files the user names for an export (`--out`, `--csv`, `--svg`): written
//! atomically when they are (or will be) regular files, through a symbolic
//! link to its target, straight into a device, pipe or `>(cmd)`; never over
//! the workspace's primary data, and never into a folder that is not there.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::atomic::write_atomic_with;
use super::Workspace;

/// Writes what `fill` writes to `path`, a file the user named.
pub fn write_output(
    ws: &Workspace,
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    match fs::metadata(path) {
        // A device, a FIFO, a socket or `>(cmd)`: written into as it is
        // (a rename would replace it with a regular file).
        Ok(m) if !m.is_file() && !m.is_dir() => {
            let f = OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("could not open {} for writing", path.display()))?;
            let mut w = io::BufWriter::new(f);
            fill(&mut w)?;
            w.flush().with_context(|| format!("could not write {}", path.display()))?;
            return Ok(());
        }
        Ok(m) if m.is_dir() => bail!(
            "{} is a folder: name a file in it (hint: --out {})",
            path.display(),
            path.join("export.csv").display()
        ),
        _ => {}
    }
    // A link to a file: the file it points to is written, the link stays.
    let target = if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        fs::canonicalize(path).with_context(|| {
            format!("{} is a link to nothing that can be written", path.display())
        })?
    } else {
        path.to_path_buf()
    };
    guard(ws, &target)?;
    write_atomic_with(&target, fill)
        .with_context(|| format!("could not write {} (nothing was written there)", path.display()))
}

/// Refuses a path in a folder that does not exist, and one among the
/// workspace's primary data (corpus/, screening/, charting/, queries/,
/// dedup/, scoper.toml) or derived state (.scoper/).
fn guard(ws: &Workspace, path: &Path) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        bail!(
            "the folder {} does not exist, so {} cannot be written there (hint: `mkdir -p {}` \
             first, or name a file in an existing folder)",
            parent.display(),
            path.display(),
            parent.display()
        );
    }
    let (Ok(parent), Ok(root)) = (fs::canonicalize(&parent), fs::canonicalize(ws.root())) else {
        return Ok(());
    };
    let full = parent.join(path.file_name().unwrap_or_default());
    let Ok(inside) = full.strip_prefix(&root) else { return Ok(()) };
    let first = inside.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned());
    let protected =
        ["corpus", "screening", "charting", "queries", "dedup", ".scoper", "scoper.toml"];
    if let Some(first) = first.filter(|f| protected.contains(&f.as_str())) {
        bail!(
            "{} is in the workspace's {first}{}, which scoper keeps as the review's own data: an \
             export never goes there (hint: --out exports/{})",
            path.display(),
            if first.ends_with(".toml") { "" } else { "/" },
            path.file_name().unwrap_or_default().to_string_lossy()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(text: &'static str) -> impl FnOnce(&mut dyn Write) -> Result<()> {
        move |w| Ok(w.write_all(text.as_bytes())?)
    }

    #[test]
    fn links_devices_and_primary_data() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::at(dir.path());
        fs::create_dir_all(dir.path().join("corpus/demo")).unwrap();
        fs::create_dir_all(dir.path().join("exports")).unwrap();
        let demo = dir.path().join("corpus/demo/lhs-demo.xml");
        fs::write(&demo, "records").unwrap();
        // Primary data is refused, directly or through a link.
        let e = write_output(&ws, &demo, fill("x")).unwrap_err();
        assert!(format!("{e:#}").contains("the workspace's corpus/"), "{e:#}");
        let link = dir.path().join("exports/link.csv");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&demo, &link).unwrap();
            assert!(write_output(&ws, &link, fill("x")).is_err());
            assert_eq!(fs::read_to_string(&demo).unwrap(), "records");
            // A link to a file elsewhere: the target is written, the link stays.
            let target = dir.path().join("exports/target.csv");
            fs::write(&target, "old").unwrap();
            let link2 = dir.path().join("exports/link2.csv");
            std::os::unix::fs::symlink(&target, &link2).unwrap();
            write_output(&ws, &link2, fill("new")).unwrap();
            assert!(fs::symlink_metadata(&link2).unwrap().file_type().is_symlink());
            assert_eq!(fs::read_to_string(&target).unwrap(), "new");
            // A device is written into, not replaced.
            write_output(&ws, Path::new("/dev/null"), fill("gone")).unwrap();
            assert!(!fs::metadata("/dev/null").unwrap().is_file());
        }
        // A folder that is not there is not created.
        let e = write_output(&ws, &dir.path().join("no/such/out.csv"), fill("x")).unwrap_err();
        assert!(format!("{e:#}").contains("does not exist"), "{e:#}");
        assert!(!dir.path().join("no").exists());
        // A plain file is written atomically.
        write_output(&ws, &dir.path().join("exports/a.csv"), fill("a")).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("exports/a.csv")).unwrap(), "a");
    }
}
