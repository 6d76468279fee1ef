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
use crate::tag::{eval, stem_families, ConceptMap, Framework, Matcher};

pub enum Mode {
    Tag,
    Check,
    Eval(PathBuf),
    /// Against the reviewers' judgements of the pre-filled concepts.
    Charted,
    /// Why one record has its concepts.
    Explain(crate::parse::Pmid),
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
            let sentences: usize = framework.concepts().map(|(_, c)| c.sentences.len()).sum();
            let context = framework.context.as_ref().map_or(0, |c| c.queries.len());
            if json {
                let v = json!({"framework": framework.path, "ok": true,
                    "elements": framework.elements.len(), "concepts": concepts, "queries": queries,
                    "sentences": sentences, "context_queries": context});
                writeln!(w, "{v}")?;
            } else {
                let mut more = String::new();
                let plural = |n: usize, one: &str, many: &str| {
                    format!("{n} {}", if n == 1 { one } else { many })
                };
                if sentences > 0 {
                    more.push_str(&format!(
                        ", {}",
                        plural(sentences, "sentence entry", "sentence entries")
                    ));
                }
                if context > 0 {
                    more.push_str(&format!(
                        ", a context of {}",
                        plural(context, "query", "queries")
                    ));
                }
                writeln!(
                    w,
                    "{}: OK ({} elements, {concepts} concepts, {queries} queries{more})",
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
        Mode::Explain(pmid) => {
            let Some(ws) = ws else {
                bail!("{} is not a scoper workspace (hint: scoper init)", root.display());
            };
            return explain(&ws, &framework, pmid, json);
        }
        Mode::Charted => {
            let Some(ws) = ws else {
                bail!("{} is not a scoper workspace (hint: scoper init)", root.display());
            };
            return charted(&ws, &framework, json);
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

/// `tag --stems`: the stem family of each word in the working set, for
/// whoever writes a framework's queries (a query word finds every word of
/// its family: 'interpreters' finds 'interpreted').
pub fn stems(ws: &Workspace, words: &[String], json: bool) -> Result<i32> {
    let view = super::view(ws)?;
    let families = stem_families(view.index(), words, view.records()?)?;
    let mut w = out();
    if json {
        writeln!(w, "{}", serde_json::to_string_pretty(&families)?)?;
        w.flush()?;
        return Ok(0);
    }
    for f in &families {
        if f.forms.is_empty() {
            writeln!(w, "{}: stem {:?}, in no record of the working set", f.word, f.stem)?;
            continue;
        }
        let records =
            if f.records == 1 { "1 record".to_string() } else { format!("{} records", f.records) };
        writeln!(w, "{}: stem {:?}, in {records}; a query with it also finds", f.word, f.stem)?;
        let width = f.forms.iter().map(|x| x.form.chars().count()).max().unwrap_or(0);
        let word = crate::tag::fold_word(&f.word);
        for x in &f.forms {
            let mark = if x.form == word { "  (the word)" } else { "" };
            writeln!(w, "  {:<width$}  {:>7}{mark}", x.form, x.count)?;
        }
    }
    w.flush()?;
    Ok(0)
}

/// Precision and recall of the framework's concepts against what the
/// reviewers made of them while charting: a confirmed suggestion is a true
/// hit, a rejected one a false hit, an added concept a miss.
fn charted(ws: &Workspace, framework: &Framework, json: bool) -> Result<i32> {
    let charts = crate::chart::Charts::load(ws)?;
    for b in &charts.bad {
        eprintln!("warning: {b}");
    }
    let judged = charts.judgements();
    let records: std::collections::BTreeSet<_> =
        charts.latest.values().filter(|e| !e.judgements.is_empty()).map(|e| e.pmid).collect();
    if judged.is_empty() {
        bail!(
            "no reviewer has judged a pre-filled concept yet\n(hint: chart included records with \
             `scoper chart`, or `scoper chart set PMID ELEMENT CONCEPTS --reviewer NAME`)"
        );
    }
    let ratio =
        |a: usize, b: usize| if a + b == 0 { None } else { Some(a as f64 / (a + b) as f64) };
    let mut rows = Vec::new();
    for e in &framework.elements {
        let mut total = (0, 0, 0);
        let mut concepts = Vec::new();
        for c in &e.concepts {
            let (tp, fp, fn_) = judged.get(&c.id).copied().unwrap_or_default();
            total = (total.0 + tp, total.1 + fp, total.2 + fn_);
            if tp + fp + fn_ > 0 {
                concepts.push(json!({"concept": c.id, "name": c.name, "confirmed": tp,
                    "rejected": fp, "added": fn_, "precision": ratio(tp, fp), "recall": ratio(tp, fn_)}));
            }
        }
        rows.push(json!({"element": e.id, "name": e.name, "confirmed": total.0, "rejected": total.1,
            "added": total.2, "precision": ratio(total.0, total.1), "recall": ratio(total.0, total.2),
            "concepts": concepts}));
    }
    let mut w = out();
    if json {
        writeln!(
            w,
            "{}",
            serde_json::to_string_pretty(&json!({"records": records.len(), "elements": rows}))?
        )?;
        return Ok(0);
    }
    let f = |v: &serde_json::Value| {
        v.as_f64().map(|x| format!("{x:.2}")).unwrap_or_else(|| "   -".into())
    };
    writeln!(w, "the framework against the reviewers' charts ({} charted records)", records.len())?;
    writeln!(
        w,
        "{:<44} {:>9} {:>6} {:>9} {:>8} {:>5}",
        "element / concept", "precision", "recall", "confirmed", "rejected", "added"
    )?;
    for r in &rows {
        let n = |k: &str| r[k].as_u64().unwrap_or(0);
        writeln!(
            w,
            "{:<44} {:>9} {:>6} {:>9} {:>8} {:>5}",
            r["name"].as_str().unwrap_or(""),
            f(&r["precision"]),
            f(&r["recall"]),
            n("confirmed"),
            n("rejected"),
            n("added")
        )?;
        for c in r["concepts"].as_array().into_iter().flatten() {
            let n = |k: &str| c[k].as_u64().unwrap_or(0);
            writeln!(
                w,
                "  {:<42} {:>9} {:>6} {:>9} {:>8} {:>5}",
                crate::report::one_line(c["name"].as_str().unwrap_or(""), 42),
                f(&c["precision"]),
                f(&c["recall"]),
                n("confirmed"),
                n("rejected"),
                n("added")
            )?;
        }
    }
    writeln!(
        w,
        "rejected: the framework found the concept and the reviewers did not (its queries are too wide); \
         added: the reviewers found it and the framework did not (too narrow)"
    )?;
    Ok(0)
}

/// `scoper tag --explain PMID`: read-only, like `show`.
fn explain(
    ws: &Workspace,
    framework: &Framework,
    pmid: crate::parse::Pmid,
    json: bool,
) -> Result<i32> {
    let view = super::view(ws)?;
    let Some(record) = view.get(pmid)? else {
        bail!("PMID {pmid} is not in the working set (hint: `scoper find`)");
    };
    let matcher = Matcher::compile(framework, view.index())?;
    let explained = matcher.explain(view.index(), &view.searcher(), &record)?;
    let mut w = if json { out() } else { crate::report::out_human() };
    if json {
        writeln!(
            w,
            "{}",
            serde_json::to_string_pretty(&json!({"pmid": pmid, "concepts": explained}))?
        )?;
        return Ok(0);
    }
    writeln!(w, "PMID {pmid}: {}", crate::report::one_line(&record.title, 100))?;
    if explained.is_empty() {
        writeln!(w, "no query of {} matches this record", ws.relative(&framework.path))?;
        return Ok(0);
    }
    if explained.iter().any(|e| e.outside_context) {
        let name = framework.context.as_ref().map_or("", |c| c.name.as_str());
        writeln!(
            w,
            "NOT tagged with any concept: no word of the framework's context ({name}) in the \
             record; see [context] in {}",
            ws.relative(&framework.path)
        )?;
    }
    for e in &explained {
        let status =
            if e.evidence.is_empty() || e.outside_context { "NOT tagged" } else { "tagged" };
        writeln!(w, "{}/{}: {status}", e.element, e.concept)?;
        writeln!(
            w,
            "  matched by: {}",
            e.matched.iter().map(|m| format!("{m:?}")).collect::<Vec<_>>().join(", ")
        )?;
        for h in &e.evidence {
            let quotes: Vec<String> = h.quotes(&record).iter().map(|q| format!("{q:?}")).collect();
            writeln!(w, "  evidence ({}): {}", h.field, quotes.join(", "))?;
        }
        for (exclusion, field, words) in &e.excluded {
            writeln!(w, "  removed by the exclusion {exclusion:?} ({field}): {words:?}")?;
        }
        if e.evidence.is_empty() && e.excluded.is_empty() {
            if e.matched.iter().all(|m| m.starts_with("sentence: ")) {
                writeln!(w, "  the entry's words are in the record, but not a word of each part in one sentence, as written")?;
            } else {
                writeln!(w, "  the query's words are in the record, but not as it asks in the text shown (a near phrase's words in one sentence, within its slop; a section label; stemming)")?;
            }
        }
    }
    Ok(0)
}
