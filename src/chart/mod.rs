//! Charting the included records: the form (from `scoper.toml`, or JBI's
//! default for scoping reviews plus one field per framework element), the
//! chart entries (one append-only log per reviewer, `charting/REVIEWER.jsonl`,
//! the decision log's rules), what is pre-filled from the record and its
//! concept hits, and which records are included.

pub mod form_ui;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::Protocol;
use crate::parse::{Pmid, Record};
use crate::screen::decisions::{Decisions, Outcome, Stage, Verdict};
use crate::store::log::{AppendLog, BadLine, Repaired};
use crate::store::Workspace;
use crate::tag::store::TagSet;
use crate::tag::ConceptHit;

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Text,
    Number,
    Choice,
    MultiChoice,
    YesNo,
}

/// One field of the charting form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub id: String,
    pub label: String,
    #[serde(rename = "type", default = "text")]
    pub kind: Kind,
    /// The choices of a choice or multi-choice field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// For a framework element's field: the element's id (its choices are
    /// the element's concepts, pre-filled from the concept hits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    /// The choices' names, where they differ from the ids (a framework's
    /// concepts: `safety-quality-institutes` is "Patient-safety and
    /// quality institutes"); empty otherwise.
    #[serde(skip)]
    pub labels: Vec<String>,
}

fn text() -> Kind {
    Kind::Text
}

/// The `[charting]` table of scoper.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartingConfig {
    /// The stage whose includes are charted: `full-text` (the default when
    /// the review has that stage) or `title-abstract`.
    #[serde(default)]
    pub stage: Option<String>,
    /// The form; JBI's default when empty.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// How the records are charted: `independent` (two reviewers each chart
    /// every record; the default with two or more on the roster),
    /// `verified` (one charts, a second checks each value) or `single`.
    #[serde(default)]
    pub method: Option<ChartMethod>,
    /// The fields a record needs a final value in to count as charted
    /// (default: every field of the form).
    #[serde(default)]
    pub required: Option<Vec<String>>,
}

/// How charting is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartMethod {
    /// Two reviewers chart each record independently; a value is final
    /// when they agree, or a settler fixes it.
    Independent,
    /// One reviewer charts, a second verifies each value (the same value
    /// is a verification, another is a disagreement).
    Verified,
    /// One reviewer's value is final.
    Single,
}

impl ChartMethod {
    pub fn name(self) -> &'static str {
        match self {
            ChartMethod::Independent => "charted by two reviewers independently",
            ChartMethod::Verified => "charted by one reviewer and verified by a second",
            ChartMethod::Single => "charted by one reviewer",
        }
    }
}

/// JBI's extraction items for a scoping review (Peters et al., JBI Manual
/// for Evidence Synthesis, chapter 11), as (id, label, type).
const JBI: [(&str, &str, Kind); 12] = [
    ("authors", "Authors", Kind::Text),
    ("year", "Year of publication", Kind::Number),
    ("country", "Country of origin", Kind::Text),
    ("aims", "Aims / purpose", Kind::Text),
    ("population", "Population", Kind::Text),
    ("sample_size", "Sample size", Kind::Number),
    ("methods", "Methodology / methods", Kind::Text),
    ("intervention", "Intervention / comparator", Kind::Text),
    ("study_outcomes", "Outcomes (and how measured)", Kind::Text),
    ("key_findings", "Key findings related to the review question", Kind::Text),
    ("concept", "Concept (PCC)", Kind::Text),
    ("context", "Context (PCC)", Kind::Text),
];

/// The charting form of a review.
#[derive(Debug, Clone)]
pub struct Form {
    pub fields: Vec<Field>,
    pub stage: Stage,
    /// The fields a record needs a final value in to count as charted.
    pub required: Vec<String>,
}

impl Form {
    /// The form of `protocol`, with one multi-choice field per element of
    /// the framework the records were tagged with.
    pub fn of(protocol: &Protocol, tags: Option<&TagSet>) -> Result<Form> {
        let config = protocol.charting.clone().unwrap_or_default();
        let mut fields = if config.fields.is_empty() {
            JBI.iter()
                .map(|(id, label, kind)| Field {
                    id: id.to_string(),
                    label: label.to_string(),
                    kind: *kind,
                    choices: Vec::new(),
                    element: None,
                    labels: Vec::new(),
                })
                .collect()
        } else {
            config.fields.clone()
        };
        for f in &fields {
            if matches!(f.kind, Kind::Choice | Kind::MultiChoice)
                && f.choices.is_empty()
                && f.element.is_none()
            {
                bail!(
                    "scoper.toml, [[charting.fields]] {:?}: a {} field needs choices (hint: choices = \
                     [\"qualitative\", \"quantitative\", \"mixed\"])",
                    f.id,
                    if f.kind == Kind::Choice { "choice" } else { "multi-choice" }
                );
            }
        }
        if let Some(tags) = tags {
            for e in &tags.elements {
                if fields.iter().any(|f| f.id == e.id) {
                    bail!(
                        "scoper.toml, [[charting.fields]] {:?}: the framework's element has that id, \
                         and gets a field of its own (hint: name the field otherwise)",
                        e.id
                    );
                }
                fields.push(Field {
                    id: e.id.clone(),
                    label: format!("{} (framework)", e.name),
                    kind: Kind::MultiChoice,
                    choices: e.concepts.iter().map(|(id, _)| id.clone()).collect(),
                    labels: e.concepts.iter().map(|(_, name)| name.clone()).collect(),
                    element: Some(e.id.clone()),
                });
            }
        }
        let mut seen = BTreeSet::new();
        for f in &fields {
            if !seen.insert(f.id.as_str()) {
                bail!(
                    "scoper.toml, [charting]: two fields are named {:?} (hint: rename one)",
                    f.id
                );
            }
        }
        let stage = match config.stage.as_deref() {
            Some(s) => Stage::parse(s)?,
            None if protocol.screening.stages.is_empty()
                || protocol.screening.stages.iter().any(|s| s == "full-text") =>
            {
                Stage::FullText
            }
            None => Stage::TitleAbstract,
        };
        let required = match &config.required {
            Some(r) => {
                for id in r {
                    if !fields.iter().any(|f| &f.id == id) {
                        bail!(
                            "scoper.toml, [charting] required: the form has no field {id:?} (hint: \
                             one of {})",
                            fields.iter().map(|f| f.id.as_str()).collect::<Vec<_>>().join(", ")
                        );
                    }
                }
                r.clone()
            }
            None => fields.iter().map(|f| f.id.clone()).collect(),
        };
        Ok(Form { fields, stage, required })
    }

    pub fn field(&self, id: &str) -> Result<&Field> {
        self.fields.iter().find(|f| f.id == id).with_context(|| {
            format!(
                "the charting form has no field {id:?} (hint: one of {})",
                self.fields.iter().map(|f| f.id.as_str()).collect::<Vec<_>>().join(", ")
            )
        })
    }
}

impl Field {
    /// Reads `text` as a value of this field: a clear error when it does
    /// not fit (a number, a choice from the list, yes or no).
    pub fn parse(&self, text: &str) -> Result<Value> {
        let t = text.trim();
        Ok(match self.kind {
            Kind::Text => Value::String(t.to_string()),
            Kind::Number => {
                let n: f64 = t.parse().ok().filter(|n: &f64| n.is_finite()).with_context(|| {
                    format!("{:?} ({}) takes a number, not {t:?}", self.id, self.label)
                })?;
                serde_json::json!(n)
            }
            Kind::YesNo => match t.to_ascii_lowercase().as_str() {
                "yes" | "y" | "true" => Value::Bool(true),
                "no" | "n" | "false" => Value::Bool(false),
                _ => bail!("{:?} ({}) takes yes or no, not {t:?}", self.id, self.label),
            },
            Kind::Choice => Value::String(self.choice(t)?),
            Kind::MultiChoice => {
                let items: Vec<&str> =
                    t.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
                let ids = items.iter().map(|i| self.choice(i)).collect::<Result<Vec<_>>>()?;
                Value::Array(ids.into_iter().map(Value::String).collect())
            }
        })
    }

    /// The choice `t` names: its id, or its name in any case.
    fn choice(&self, t: &str) -> Result<String> {
        if let Some(c) = self.choices.iter().find(|c| *c == t) {
            return Ok(c.clone());
        }
        let lower = t.to_lowercase();
        // "Accelerator: patient-safety and quality institutes" is also
        // "patient-safety and quality institutes".
        let by_name = self.choices.iter().zip(&self.labels).find(|(c, l)| {
            let l = l.to_lowercase();
            c.to_lowercase() == lower || l == lower || l.rsplit(": ").next() == Some(&lower)
        });
        match by_name {
            Some((c, _)) => Ok(c.clone()),
            None => bail!(
                "{t:?} is not a choice of {:?} ({}) (hint: one of {})",
                self.id,
                self.label,
                (0..self.choices.len()).map(|i| self.choice_name(i)).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    /// A choice as a reader sees it: its name, with its id where they
    /// differ.
    pub fn choice_name(&self, i: usize) -> String {
        match (self.choices.get(i), self.labels.get(i)) {
            (Some(id), Some(name)) if name != id => format!("{name} ({id})"),
            (Some(id), _) => id.clone(),
            _ => String::new(),
        }
    }

    /// A value of this field as a reader sees it: a framework's concepts
    /// by name.
    pub fn shown(&self, v: &Value) -> String {
        if self.labels.is_empty() {
            return display(v);
        }
        let name = |id: &str| {
            self.choices.iter().position(|c| c == id).and_then(|i| self.labels.get(i)).cloned()
        };
        match v {
            Value::Array(items) => items
                .iter()
                .map(|x| x.as_str().and_then(name).unwrap_or_else(|| display(x)))
                .collect::<Vec<_>>()
                .join("; "),
            Value::String(s) => name(s).unwrap_or_else(|| s.clone()),
            other => display(other),
        }
    }
}

/// A value as one line of text (a list joined by "; ").
pub fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", f as i64)
            } else {
                n.to_string()
            }
        }
        Value::Array(a) => a.iter().map(display).collect::<Vec<_>>().join("; "),
        Value::Null => String::new(),
        Value::Object(_) => v.to_string(),
    }
}

/// What the reviewer said of a pre-filled concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Judgement {
    /// Suggested from the concept hits, and kept.
    Confirmed,
    /// Suggested, and taken out: the framework found it, the reviewer did
    /// not.
    Rejected,
    /// Not suggested, and added: the framework missed it.
    Added,
}

/// One line of a chart log: a field's value for a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub pmid: Pmid,
    pub field: String,
    pub value: Value,
    /// For a framework element's field: each concept suggested or chosen,
    /// and what the reviewer made of it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub judgements: BTreeMap<String, Judgement>,
    pub reviewer: String,
    pub time: String,
    /// A settler's value: it fixes the field's final value when reviewers
    /// disagree.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub settles: bool,
}

/// Where a record's field stands.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldState<'a> {
    /// Nobody charted it.
    Empty,
    /// One reviewer charted it; the method asks for a second.
    Awaiting(&'a Entry),
    /// Reviewers gave different values and nobody settled it.
    Conflict(Vec<&'a Entry>),
    /// The value in force: agreed, settled, or the one reviewer's.
    Final(&'a Entry),
}

/// Two values the same for reconciling: text alike but for case and
/// spaces, lists alike as sets.
pub fn same_value(a: &Value, b: &Value) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    match (a, b) {
        (Value::String(x), Value::String(y)) => norm(x) == norm(y),
        (Value::Array(x), Value::Array(y)) => {
            let set = |v: &Vec<Value>| -> BTreeSet<String> {
                v.iter().map(|e| norm(&display(e))).collect()
            };
            set(x) == set(y)
        }
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// A reviewer's chart log.
pub fn log_of(ws: &Workspace, reviewer: &str) -> AppendLog<Entry> {
    let path = ws.charting().join(format!("{reviewer}.jsonl"));
    let shown = ws.relative(&path);
    AppendLog::new(path, shown)
}

/// Appends entries to their reviewer's log, durably.
pub fn record(ws: &Workspace, reviewer: &str, entries: &[Entry]) -> Result<Option<Repaired>> {
    let log = log_of(ws, reviewer);
    log.append_all(entries)
        .with_context(|| format!("could not save the chart entry in {}", log.path().display()))
}

/// The judgements of a framework field's value against the suggestion.
pub fn judge(suggested: &[String], chosen: &[String]) -> BTreeMap<String, Judgement> {
    let mut out = BTreeMap::new();
    for s in suggested {
        let j = if chosen.contains(s) { Judgement::Confirmed } else { Judgement::Rejected };
        out.insert(s.clone(), j);
    }
    for c in chosen {
        out.entry(c.clone()).or_insert(Judgement::Added);
    }
    out
}

/// Every reviewer's chart entries, the last one for each record and field,
/// and how they reconcile under the protocol's method.
#[derive(Debug, Clone)]
pub struct Charts {
    /// (pmid, field) → the latest entry, whoever made it.
    pub latest: HashMap<(Pmid, String), Entry>,
    /// reviewer → (pmid, field) → their latest entry.
    pub by_reviewer: BTreeMap<String, HashMap<(Pmid, String), Entry>>,
    pub bad: Vec<BadLine>,
    /// How charting is done.
    pub method: ChartMethod,
    /// The screening method's roster and settlers (who may settle a
    /// field).
    pub team: crate::screen::method::Method,
    /// Chart logs of names not on the roster: not counted.
    pub off_roster: Vec<String>,
}

impl Default for Charts {
    fn default() -> Charts {
        Charts {
            latest: HashMap::new(),
            by_reviewer: BTreeMap::new(),
            bad: Vec::new(),
            method: ChartMethod::Single,
            team: Default::default(),
            off_roster: Vec::new(),
        }
    }
}

impl Charts {
    pub fn load(ws: &Workspace) -> Result<Charts> {
        let protocol = Protocol::load(&ws.protocol())?;
        let team = crate::screen::method::Method::of(&protocol)?;
        Self::read(ws, &protocol, team)
    }

    /// [`Charts::load`] with the protocol and its screening method already
    /// read.
    pub fn read(
        ws: &Workspace,
        protocol: &Protocol,
        team: crate::screen::method::Method,
    ) -> Result<Charts> {
        let method = protocol.charting.as_ref().and_then(|c| c.method).unwrap_or(
            if team.roster.len() >= 2 { ChartMethod::Independent } else { ChartMethod::Single },
        );
        let mut out = Charts { method, team, ..Charts::default() };
        let dir = ws.charting();
        let names = crate::store::log::names_in(&dir)
            .with_context(|| format!("could not read {}", dir.display()))?;
        let mut all = Vec::new();
        for name in names {
            let read = log_of(ws, &name).read()?;
            out.bad.extend(read.bad);
            if !out.team.counts(&name) {
                out.off_roster.push(name);
                continue;
            }
            let mine = out.by_reviewer.entry(name).or_default();
            for e in read.entries {
                mine.insert((e.pmid, e.field.clone()), e.clone());
                all.push(e);
            }
        }
        // The latest across reviewers: by time, then by log order.
        all.sort_by(|a, b| a.time.cmp(&b.time));
        for e in all {
            out.latest.insert((e.pmid, e.field.clone()), e);
        }
        Ok(out)
    }

    /// The final value of a record's field (agreed, settled, or the one
    /// reviewer's), if it has one.
    pub fn value(&self, pmid: Pmid, field: &str) -> Option<&Entry> {
        match self.state(pmid, field) {
            FieldState::Final(e) => Some(e),
            _ => None,
        }
    }

    /// Every reviewer's value of a record's field (settling ones too).
    pub fn values(&self, pmid: Pmid, field: &str) -> Vec<&Entry> {
        let key = (pmid, field.to_string());
        self.by_reviewer.values().filter_map(|m| m.get(&key)).collect()
    }

    /// Where a record's field stands under the charting method.
    pub fn state(&self, pmid: Pmid, field: &str) -> FieldState<'_> {
        let all = self.values(pmid, field);
        if let Some(s) = all
            .iter()
            .filter(|e| e.settles && self.team.may_settle(&e.reviewer))
            .max_by(|a, b| a.time.cmp(&b.time))
        {
            return FieldState::Final(s);
        }
        let given: Vec<&Entry> = all.into_iter().filter(|e| !e.settles).collect();
        if self.method == ChartMethod::Single {
            return match self.latest.get(&(pmid, field.to_string())) {
                Some(e) if !e.settles => FieldState::Final(e),
                _ => given
                    .into_iter()
                    .max_by(|a, b| a.time.cmp(&b.time))
                    .map_or(FieldState::Empty, FieldState::Final),
            };
        }
        match given.as_slice() {
            [] => FieldState::Empty,
            [one] => FieldState::Awaiting(one),
            [first, rest @ ..] => {
                if rest.iter().all(|e| same_value(&e.value, &first.value)) {
                    FieldState::Final(first)
                } else {
                    FieldState::Conflict(given)
                }
            }
        }
    }

    /// A record is charted when every required field has a final value.
    pub fn is_charted(&self, pmid: Pmid, form: &Form) -> bool {
        form.required.iter().all(|f| self.value(pmid, f).is_some())
    }

    /// The fields of `pmid` not reconciled yet: (field, what stands).
    pub fn unreconciled(&self, pmid: Pmid, form: &Form) -> Vec<(String, &'static str)> {
        form.fields
            .iter()
            .filter_map(|f| match self.state(pmid, &f.id) {
                FieldState::Awaiting(_) => Some((f.id.clone(), "awaiting a second reviewer")),
                FieldState::Conflict(_) => Some((f.id.clone(), "reviewers differ")),
                _ => None,
            })
            .collect()
    }

    /// What to say of the chart logs set aside, one line each.
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = self.bad.iter().map(|b| b.to_string()).collect();
        for name in &self.off_roster {
            out.push(format!(
                "charting/{name}.jsonl is not counted: {name:?} is not on the roster in \
                 scoper.toml (hint: add the name to [screening] reviewers if it is a reviewer of \
                 this review)"
            ));
        }
        out
    }

    /// Every judgement of a pre-filled concept, by concept: (confirmed,
    /// rejected, added), over the latest entries.
    pub fn judgements(&self) -> BTreeMap<String, (usize, usize, usize)> {
        let mut out: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
        for e in self.latest.values() {
            for (c, j) in &e.judgements {
                let t = out.entry(c.clone()).or_default();
                match j {
                    Judgement::Confirmed => t.0 += 1,
                    Judgement::Rejected => t.1 += 1,
                    Judgement::Added => t.2 += 1,
                }
            }
        }
        out
    }
}

/// The records included at `stage` (agreed or settled), in PMID order.
pub fn included(decisions: &Decisions, stage: Stage) -> Vec<Pmid> {
    decisions
        .pmids(stage)
        .into_iter()
        .filter(|p| decisions.outcome(*p, stage) == Outcome::Final(Verdict::Include))
        .collect()
}

/// A suggestion for a field, from the record and its concept hits: the
/// value, and for a framework field the sentence each concept came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub value: Value,
    pub evidence: Vec<(String, String)>,
}

/// What the form can pre-fill for `field` from the record.
pub fn suggest(field: &Field, r: &Record, hits: &[ConceptHit]) -> Option<Suggestion> {
    let plain = |v: Value| Some(Suggestion { value: v, evidence: Vec::new() });
    match (field.element.as_deref(), field.id.as_str()) {
        (Some(element), _) => {
            let mut concepts: Vec<String> = Vec::new();
            let mut evidence = Vec::new();
            for h in hits.iter().filter(|h| h.element == element) {
                if !concepts.contains(&h.concept) {
                    concepts.push(h.concept.clone());
                    evidence.push((h.concept.clone(), sentence_of(r, h)));
                }
            }
            (!concepts.is_empty()).then(|| Suggestion {
                value: Value::Array(concepts.into_iter().map(Value::String).collect()),
                evidence,
            })
        }
        (None, "authors") if !r.authors.is_empty() => plain(Value::String(
            r.authors.iter().map(|a| a.display_name().to_string()).collect::<Vec<_>>().join(", "),
        )),
        (None, "year") => r.year.and_then(|y| plain(serde_json::json!(y as f64))),
        _ => None,
    }
}

/// The sentence (or keyword list, or title) where a hit's first span is.
pub fn sentence_of(r: &Record, h: &ConceptHit) -> String {
    let text: Vec<char> = r.field_text(&h.field).unwrap_or_default().chars().collect();
    let Some([a, b]) = h.spans.first().copied() else { return String::new() };
    let (a, b) = (a.min(text.len()), b.min(text.len()));
    let is_end = |c: char| matches!(c, '.' | '?' | '!' | '\n' | ';');
    let start = text[..a].iter().rposition(|&c| is_end(c)).map_or(0, |i| i + 1);
    let end = text[b..].iter().position(|&c| is_end(c)).map_or(text.len(), |i| b + i + 1);
    let s: String = text[start..end].iter().collect();
    let s = crate::parse::normalize_ws(&s);
    // An abstract's section label ("CONCLUSIONS: ") is not the study's words.
    match s.split_once(": ") {
        Some((label, rest))
            if h.field == "abstract"
                && r.abstract_sections.iter().any(|sec| sec.label.as_deref() == Some(label)) =>
        {
            rest.to_string()
        }
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_by_type_and_judgements_compare_to_the_suggestion() {
        let f = |kind, choices: &[&str]| Field {
            id: "x".into(),
            label: "X".into(),
            kind,
            choices: choices.iter().map(|s| s.to_string()).collect(),
            element: None,
            labels: Vec::new(),
        };
        assert_eq!(f(Kind::Number, &[]).parse("12").unwrap(), serde_json::json!(12.0));
        assert!(f(Kind::Number, &[]).parse("twelve").is_err());
        assert_eq!(f(Kind::YesNo, &[]).parse("Yes").unwrap(), Value::Bool(true));
        assert!(f(Kind::Choice, &["a", "b"])
            .parse("c")
            .unwrap_err()
            .to_string()
            .contains("one of a, b"));
        assert_eq!(
            f(Kind::MultiChoice, &["a", "b"]).parse("a, b").unwrap(),
            serde_json::json!(["a", "b"])
        );
        let j = judge(&["equity".into(), "trust".into()], &["equity".into(), "privacy".into()]);
        assert_eq!(j["equity"], Judgement::Confirmed);
        assert_eq!(j["trust"], Judgement::Rejected);
        assert_eq!(j["privacy"], Judgement::Added);
        assert_eq!(display(&serde_json::json!(2019.0)), "2019");
        assert_eq!(display(&serde_json::json!(["a", "b"])), "a; b");
    }
}
