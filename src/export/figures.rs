//! The concept map: how many included records show each concept of the
//! framework, grouped by element, as an SVG bar chart.

use std::collections::BTreeMap;

use super::{esc, Review};

/// Element → [(concept name, included records showing it)], in the
/// framework's order.
pub fn concept_counts(review: &Review) -> Vec<(String, Vec<(String, usize)>)> {
    let Some(tags) = review.view.tag_set() else { return Vec::new() };
    let mut per: BTreeMap<(String, String), usize> = BTreeMap::new();
    for p in review.included() {
        for (element, concepts) in review.concepts_of(p) {
            for c in concepts {
                *per.entry((element.clone(), c)).or_default() += 1;
            }
        }
    }
    tags.elements
        .iter()
        .map(|e| {
            let rows = e
                .concepts
                .iter()
                .map(|(id, name)| {
                    (name.clone(), per.get(&(e.id.clone(), id.clone())).copied().unwrap_or(0))
                })
                .collect();
            (e.name.clone(), rows)
        })
        .collect()
}

/// The concept map as SVG.
pub fn concept_map_svg(review: &Review) -> String {
    let groups = concept_counts(review);
    let included = review.included().len();
    let max = groups.iter().flat_map(|(_, r)| r.iter().map(|x| x.1)).max().unwrap_or(0).max(1);
    let colors = ["#8e4585", "#2a7f9e", "#3d8b37", "#b7791f", "#3b5ba5", "#b33a3a"];
    let (label_w, bar_w, row_h) = (440.0, 360.0, 20.0);
    let mut body = String::new();
    let mut y = 50.0;
    for (gi, (element, rows)) in groups.iter().enumerate() {
        let color = colors[gi % colors.len()];
        body.push_str(&format!(
            "<text x=\"20\" y=\"{}\" font-weight=\"bold\" fill=\"{color}\">{}</text>\n",
            y + 4.0,
            esc(element)
        ));
        y += row_h;
        for (name, n) in rows {
            let w = bar_w * *n as f32 / max as f32;
            body.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n<rect x=\"{}\" y=\"{}\" width=\"{w:.1}\" height=\"13\" fill=\"{color}\"/>\n<text x=\"{}\" y=\"{}\">{n}</text>\n",
                label_w,
                y + 4.0,
                esc(name),
                label_w + 10.0,
                y - 7.0,
                label_w + 16.0 + w,
                y + 4.0
            ));
            y += row_h;
        }
        y += 10.0;
    }
    let height = y + 10.0;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"880\" height=\"{height}\" viewBox=\"0 0 880 {height}\" \
         font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n<title>Concept map</title>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n\
         <text x=\"20\" y=\"24\" font-size=\"15\" font-weight=\"bold\">Framework concepts in the {included} included records</text>\n{body}</svg>\n"
    )
}
