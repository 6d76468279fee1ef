//! `scoper report`: one self-contained HTML page for co-authors and
//! stakeholders: the protocol, the search log (PRISMA-S), the PRISMA flow
//! diagram, the concept map and a sortable table of the included records
//! with their charted fields and evidence. Inline CSS, JS and SVG: nothing
//! is fetched when it is viewed.

use super::prisma::{self, Counts};
use super::{esc, figures, Review};
use crate::chart::display;

const STYLE: &str = "body{font-family:Helvetica,Arial,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc;padding-bottom:.2em}\
table{border-collapse:collapse;width:100%;font-size:.88em}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}\
th{background:#eef3f8;cursor:pointer;position:sticky;top:0}th.sorted-asc::after{content:' \\25B2'}th.sorted-desc::after{content:' \\25BC'}\
code{font-size:.85em;word-break:break-word}.pcc dt{font-weight:bold;margin-top:.6em}.muted{color:#666}\
figure{margin:1em 0}figure svg{max-width:100%;height:auto}.evidence{color:#555;font-size:.9em;min-width:30em}\
.wide{overflow-x:auto}td.title{min-width:16em}";

/// Sorts a table by the clicked header (numbers as numbers).
const SCRIPT: &str = "document.querySelectorAll('table.sortable').forEach(function(t){\
var hs=t.querySelectorAll('th');hs.forEach(function(h,i){h.addEventListener('click',function(){\
var asc=!h.classList.contains('sorted-asc');hs.forEach(function(x){x.classList.remove('sorted-asc','sorted-desc')});\
h.classList.add(asc?'sorted-asc':'sorted-desc');var b=t.tBodies[0];var rows=Array.prototype.slice.call(b.rows);\
rows.sort(function(r1,r2){var a=r1.cells[i].textContent.trim(),c=r2.cells[i].textContent.trim();\
var x=parseFloat(a),y=parseFloat(c);var k=(!isNaN(x)&&!isNaN(y))?x-y:a.localeCompare(c);return asc?k:-k});\
rows.forEach(function(r){b.appendChild(r)})})})});document.body.setAttribute('data-ready','yes');";

/// The whole page.
pub fn html(review: &Review, counts: &Counts) -> String {
    let p = &review.protocol;
    let mut h = String::new();
    let title = if p.review.title.is_empty() { "A scoping review" } else { &p.review.title };
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{STYLE}</style></head><body>\n",
        esc(title)
    ));
    h.push_str(&format!("<h1>{}</h1>\n", esc(title)));
    h.push_str(&format!(
        "<p class=\"muted\">A report of scoper {} from the review workspace: {} included records of {} screened.</p>\n",
        env!("CARGO_PKG_VERSION"),
        counts.total_studies,
        counts.records_screened
    ));
    h.push_str("<h2>Protocol</h2>\n");
    if !p.review.question.is_empty() {
        h.push_str(&format!(
            "<p><strong>Question.</strong> {}</p>\n",
            esc(&crate::parse::normalize_ws(&p.review.question))
        ));
    }
    h.push_str("<dl class=\"pcc\">");
    for (k, v) in [
        ("Population", &p.eligibility.population),
        ("Concept", &p.eligibility.concept),
        ("Context", &p.eligibility.context),
    ] {
        h.push_str(&format!("<dt>{k}</dt><dd>{}</dd>", esc(&crate::parse::normalize_ws(v))));
    }
    h.push_str("</dl>\n");
    if !p.screening.exclusion_reasons.is_empty() {
        h.push_str("<p><strong>Exclusion reasons.</strong> ");
        h.push_str(&esc(&p.screening.exclusion_reasons.join("; ")));
        h.push_str("</p>\n");
    }

    h.push_str(&format!(
        "<p><strong>Screening.</strong> {}.</p>\n<p><strong>Charting.</strong> {}; a value \
         is reported when it is final.</p>\n",
        esc(&crate::parse::normalize_ws(&counts.screening_method)),
        esc(review.charts.method.name())
    ));

    h.push_str("<h2>Searches (PRISMA-S)</h2>\n");
    let runs: Vec<_> = review.searches.iter().filter(|r| r.is_complete()).collect();
    if runs.is_empty() {
        h.push_str("<p class=\"muted\">No search has been run from this workspace; the records were imported from files (below).</p>\n");
    } else {
        h.push_str("<table><thead><tr><th>#</th><th>Database</th><th>Date</th><th>Strategy</th><th>Limits</th><th>Found</th><th>New</th></tr></thead><tbody>\n");
        for (i, r) in runs.iter().enumerate() {
            let limits = r.limits_text();
            h.push_str(&format!(
                "<tr><td>{}</td><td>{} ({})</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                i + 1,
                esc(&r.database),
                esc(&r.platform),
                esc(&r.searched_on),
                esc(&r.term),
                esc(&limits),
                r.count,
                r.new.len()
            ));
        }
        h.push_str("</tbody></table>\n");
    }

    if !counts.imported_files.is_empty() {
        h.push_str("<h3>Files imported (PRISMA-S)</h3>\n<table><thead><tr><th>Database</th><th>File</th><th>Imported</th><th>Records</th></tr></thead><tbody>\n");
        for f in &counts.imported_files {
            h.push_str(&format!(
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                esc(&f.database),
                esc(&f.file),
                esc(if f.imported_on.is_empty() { "placed by hand" } else { &f.imported_on }),
                f.records
            ));
        }
        h.push_str("</tbody></table>\n");
    }

    h.push_str("<h2>Flow of records (PRISMA 2020)</h2>\n<figure>");
    h.push_str(&prisma::svg(counts));
    h.push_str("</figure>\n");
    h.push_str("<h2>Concept map</h2>\n<figure>");
    h.push_str(&figures::concept_map_svg(review));
    h.push_str("</figure>\n");

    h.push_str("<h2>Included records</h2>\n<p class=\"muted\">Click a column's header to sort by it.</p>\n");
    // The charted fields that hold a value for some included record.
    let included = review.included();
    let fields: Vec<_> = review
        .form
        .fields
        .iter()
        .filter(|f| included.iter().any(|p| review.charts.value(*p, &f.id).is_some()))
        .collect();
    h.push_str("<div class=\"wide\"><table class=\"sortable\"><thead><tr><th>PMID</th><th>Year</th><th>Title</th><th>Journal</th>");
    for f in &fields {
        h.push_str(&format!("<th>{}</th>", esc(&f.label)));
    }
    h.push_str("<th>Evidence</th></tr></thead><tbody>\n");
    for pmid in included {
        let Ok(Some(r)) = review.view.get(pmid) else { continue };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"title\">{}</td><td>{}</td>",
            r.pmid,
            r.year.map(|y| y.to_string()).unwrap_or_default(),
            esc(&r.title),
            esc(r.journal.as_deref().unwrap_or(""))
        ));
        for f in &fields {
            let v = review.charts.value(pmid, &f.id).map(|e| display(&e.value)).unwrap_or_default();
            h.push_str(&format!("<td>{}</td>", esc(&v)));
        }
        let evidence: Vec<String> = review
            .view
            .hits(pmid)
            .iter()
            .map(|hit| {
                format!(
                    "<b>{}</b>: {}",
                    esc(&hit.concept),
                    esc(&crate::chart::sentence_of(&r, hit))
                )
            })
            .collect();
        h.push_str(&format!("<td class=\"evidence\">{}</td></tr>\n", evidence.join("<br>")));
    }
    h.push_str("</tbody></table></div>\n");
    h.push_str(&format!("<script>{SCRIPT}</script>\n</body></html>\n"));
    h
}
