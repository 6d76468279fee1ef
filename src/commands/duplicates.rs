//! `scoper duplicates`: the groups of records that are one study across
//! sources, how each was matched, and a reviewer's word on a pair.

use std::io::Write;

use anyhow::{bail, Context, Result};

use super::{lock, view};
use crate::clock::{iso_utc, now_secs};
use crate::dedup::{judgements_log, Judgement};
use crate::parse::Pmid;
use crate::report::out;
use crate::store::Workspace;

pub struct Args {
    pub same: Option<Vec<String>>,
    pub not: Option<Vec<String>>,
    pub reviewer: Option<String>,
}

fn pair(ids: &[String], flag: &str) -> Result<(Pmid, Pmid)> {
    let parse = |s: &String| {
        s.trim().parse::<u64>().ok().and_then(Pmid::new).with_context(|| {
            format!("--{flag}: {s:?} is not a record id (the ids `scoper duplicates` lists)")
        })
    };
    match ids {
        [a, b] => {
            let (a, b) = (parse(a)?, parse(b)?);
            if a == b {
                bail!("--{flag} names record {a} twice: a judgement is on two records");
            }
            Ok((a, b))
        }
        _ => bail!("--{flag} takes two record ids, as in --{flag} 1234567890123,31415926"),
    }
}

pub fn run(ws: &Workspace, args: Args, json: bool) -> Result<i32> {
    let judged = match (&args.same, &args.not) {
        (Some(ids), None) => Some((pair(ids, "same")?, true)),
        (None, Some(ids)) => Some((pair(ids, "not")?, false)),
        _ => None,
    };
    if let Some(((a, b), same)) = judged {
        let reviewer = super::screen::reviewer_name(args.reviewer)?;
        // A name, checked as every reviewer's is (it was written as given:
        // '../../etc/x', or empty).
        crate::store::lock::Scope::reviewer(&reviewer)?;
        let method = super::method(ws)?;
        if !method.roster.is_empty() {
            method.check_member(&reviewer)?;
        }
        let _lock = lock(ws)?;
        let v = view(ws)?;
        for p in [a, b] {
            if v.get(p)?.is_none() {
                bail!("record {p} is not in the working set (hint: `scoper duplicates` lists the ids)");
            }
        }
        judgements_log(ws)
            .append(&Judgement {
                a,
                b,
                same,
                reviewer: reviewer.clone(),
                time: iso_utc(now_secs()),
            })
            .context("could not save the judgement in dedup/judgements.jsonl")?;
        let (index, _) = crate::store::sync::sync(ws, false)?;
        crate::dedup::refresh(ws, &index)?;
        let found = crate::dedup::Duplicates::load(ws);
        writeln!(
            crate::report::out(),
            "{a} and {b}: {} (by {reviewer}); {} groups, {} records counted as duplicates",
            if same { "the same study" } else { "not the same study" },
            found.groups.len(),
            found.removed()
        )?;
        return Ok(0);
    }
    // The groups as saved, with a note when the index they were found from
    // is behind corpus/ (the index itself is not opened).
    for n in crate::view::View::index_notes(ws)? {
        eprintln!("{n}");
    }
    let d = &crate::dedup::Duplicates::load(ws);
    let mut w = out();
    if json {
        // Written as it is serialised: 30,000 groups are not copied first.
        #[derive(serde::Serialize)]
        struct Listing<'a> {
            records: usize,
            groups: &'a [crate::dedup::Group],
            duplicates_removed: usize,
        }
        let listing =
            Listing { records: d.records, groups: &d.groups, duplicates_removed: d.removed() };
        serde_json::to_writer_pretty(&mut w, &listing)?;
        writeln!(w)?;
        return Ok(0);
    }
    writeln!(
        w,
        "{} records; {} groups of duplicates; {} records counted as duplicates (PRISMA: removed)",
        d.records,
        d.groups.len(),
        d.removed()
    )?;
    for (i, g) in d.groups.iter().enumerate() {
        let how: Vec<String> = g.links.iter().map(|l| l.by.clone()).collect();
        writeln!(
            w,
            "\ngroup {} ({}){}",
            i + 1,
            how.join(", "),
            if g.unconfirmed {
                " — fuzzy: confirm with --same A,B or split with --not A,B"
            } else {
                ""
            }
        )?;
        for m in &g.members {
            let t: String = m.title.chars().take(90).collect();
            writeln!(
                w,
                "  {} {:<13} {:<22} {} {t}",
                if m.id == g.primary { "*" } else { " " },
                m.id,
                m.database.chars().take(22).collect::<String>(),
                m.year.map(|y| y.to_string()).unwrap_or_else(|| "----".into()),
            )?;
        }
    }
    if !d.groups.is_empty() {
        writeln!(
            w,
            "\n* the group's primary record: the one screened; the others are counted as removed"
        )?;
    }
    Ok(0)
}
