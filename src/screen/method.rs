//! The method a review team holds to, as the protocol states it: the
//! roster (who screens, who settles), how many reviewers screen each record
//! at each stage, whether screening is blind, the pilot, and the exclusion
//! reasons. Every command that writes a decision or a chart value checks
//! its reviewer here; every count of outcomes reads the rules from here.

use anyhow::{bail, Result};

use super::decisions::Stage;
use crate::config::{PerRecord, Protocol};

/// The method of a review.
#[derive(Debug, Clone)]
pub struct Method {
    /// Who screens and charts, as the protocol names them.
    pub roster: Vec<String>,
    /// Who may settle (a third reviewer, "consensus"); empty: any reviewer
    /// of the roster, recording the team's consensus.
    pub settlers: Vec<String>,
    /// Reviewers needed per record: [title-abstract, full-text].
    per_record: [usize; 2],
    /// The protocol asks for blind screening.
    pub blind: bool,
    /// Records every reviewer screens first, if any.
    pub pilot: Option<usize>,
    /// The protocol's exclusion reasons.
    pub reasons: Vec<String>,
}

impl Default for Method {
    /// No roster: everyone's log counts, one reviewer per record, not blind.
    fn default() -> Method {
        Method {
            roster: Vec::new(),
            settlers: Vec::new(),
            per_record: [1, 1],
            blind: false,
            pilot: None,
            reasons: Vec::new(),
        }
    }
}

impl Method {
    /// The method `protocol` states; an error names what is inconsistent.
    pub fn of(protocol: &Protocol) -> Result<Method> {
        let s = &protocol.screening;
        for name in s.reviewers.iter().chain(&s.settlers) {
            crate::store::lock::Scope::reviewer(name)?;
        }
        if let Some(both) = s.settlers.iter().find(|n| s.reviewers.contains(n)) {
            bail!(
                "scoper.toml: {both:?} is both in [screening] reviewers and in settlers; one person's \
                 log holds one decision per record, so a settler does not also screen (hint: a \
                 third name, such as \"consensus\", for the settling decisions)"
            );
        }
        let default = s.reviewers.len().clamp(1, 2);
        let mut per_record = [default; 2];
        match &s.reviewers_per_record {
            None => {}
            Some(PerRecord::All(n)) => per_record = [*n; 2],
            Some(PerRecord::ByStage(m)) => {
                for (stage, n) in m {
                    let i = match Stage::parse(stage)? {
                        Stage::TitleAbstract => 0,
                        Stage::FullText => 1,
                    };
                    per_record[i] = *n;
                }
            }
        }
        for n in per_record {
            if n == 0 {
                bail!(
                    "scoper.toml: reviewers_per_record is 0; a record needs at least one reviewer"
                );
            }
            if !s.reviewers.is_empty() && n > s.reviewers.len() {
                bail!(
                    "scoper.toml: reviewers_per_record is {n}, but the roster ([screening] \
                     reviewers) names {}: add reviewers or ask for fewer per record",
                    s.reviewers.len()
                );
            }
        }
        Ok(Method {
            roster: s.reviewers.clone(),
            settlers: s.settlers.clone(),
            per_record,
            blind: s.blind.unwrap_or(s.reviewers.len() >= 2),
            pilot: s.pilot.filter(|&n| n > 0),
            reasons: s.exclusion_reasons.clone(),
        })
    }

    /// The method in a sentence, for PRISMA and the report.
    pub fn describe(&self, unblinded: Option<&super::decisions::Unblinding>) -> String {
        let words = |n: usize| match n {
            1 => "one reviewer".to_string(),
            2 => "two reviewers".to_string(),
            3 => "three reviewers".to_string(),
            n => format!("{n} reviewers"),
        };
        if self.single_reviewer() {
            return format!(
                "single-reviewer review: one reviewer screened each record (roster: {})",
                if self.roster.is_empty() { "not stated".into() } else { self.roster.join(", ") }
            );
        }
        let mut s = if self.per_record[0] == self.per_record[1] {
            format!("{} screened each record independently", words(self.per_record[0]))
        } else {
            format!(
                "{} screened each record independently at title-abstract, {} at full text",
                words(self.per_record[0]),
                words(self.per_record[1])
            )
        };
        s.push_str(&format!(" (roster: {})", self.roster.join(", ")));
        match self.settlers.as_slice() {
            [] => s.push_str("; disagreements settled by the reviewers' consensus"),
            [one] if one == "consensus" => s.push_str("; disagreements settled by consensus"),
            names => s.push_str(&format!("; disagreements settled by {}", names.join(", "))),
        }
        if self.blind {
            match unblinded {
                Some(u) => s.push_str(&format!("; blind until {} (ended by {})", u.time, u.by)),
                None => s.push_str("; blind"),
            }
        }
        if let Some(n) = self.pilot {
            s.push_str(&format!("; a pilot of {n} records"));
        }
        s
    }

    /// How many reviewers must agree on a record at `stage` for its
    /// outcome to be final (without a settling decision).
    pub fn required(&self, stage: Stage) -> usize {
        match stage {
            Stage::TitleAbstract => self.per_record[0],
            Stage::FullText => self.per_record[1],
        }
    }

    /// One reviewer screens each record at every stage.
    pub fn single_reviewer(&self) -> bool {
        self.per_record == [1, 1]
    }

    /// Whether `name`'s log counts: everyone's when the protocol names no
    /// roster (an older workspace), else the roster's and the settlers'.
    pub fn counts(&self, name: &str) -> bool {
        self.roster.is_empty() || self.roster.iter().chain(&self.settlers).any(|n| n == name)
    }

    /// Whether `name` may record a settling decision.
    pub fn may_settle(&self, name: &str) -> bool {
        if self.roster.is_empty() {
            true
        } else if self.settlers.is_empty() {
            self.roster.iter().any(|n| n == name)
        } else {
            self.settlers.iter().any(|n| n == name)
        }
    }

    /// Checks that `name` may write as a reviewer (`settle`: a settling
    /// decision): on the roster, exactly; a settler only settles.
    pub fn check_reviewer(&self, name: &str, settle: bool) -> Result<()> {
        self.check_member(name)?;
        let settler = self.settlers.iter().any(|n| n == name);
        if settle && !self.may_settle(name) {
            bail!(
                "{name} may not settle disagreements: the protocol names {} for that (hint: \
                 `--reviewer {} --settle`)",
                self.settlers.join(", "),
                self.settlers.first().map(String::as_str).unwrap_or("NAME")
            );
        }
        if !settle && settler {
            bail!(
                "{name} settles disagreements in this review and does not screen (hint: add \
                 --settle to record a settling decision)"
            );
        }
        Ok(())
    }

    /// Checks that `name` is on the roster, as a reviewer or a settler
    /// (who may chart, or end blinding).
    pub fn check_member(&self, name: &str) -> Result<()> {
        crate::store::lock::Scope::reviewer(name)?;
        if self.roster.is_empty() {
            bail!(
                "scoper.toml names no reviewer, so {name:?} cannot be checked against a roster\n\
                 (hint: under [screening] write reviewers = [\"{name}\"] with every reviewer of the \
                 team, and settlers = [\"...\"] for who settles disagreements)"
            );
        }
        if !self.roster.iter().chain(&self.settlers).any(|n| n == name) {
            let known: Vec<&String> = self.roster.iter().chain(&self.settlers).collect();
            let guess =
                closest(name, &known).map(|g| format!(": did you mean {g}?")).unwrap_or_default();
            bail!(
                "{name:?} is not on this review's roster ({}){guess}\n(hint: names are exact; a \
                 new reviewer is added to [screening] reviewers in scoper.toml, a settler to \
                 settlers)",
                known.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            );
        }
        Ok(())
    }

    /// A reason as PRISMA reports it: the protocol's own wording when it
    /// names one of its reasons (by text, any case, or by its number),
    /// else `other: TEXT`.
    pub fn reason(&self, given: &str) -> String {
        let given = given.trim();
        if let Some(rest) = given.strip_prefix("other:") {
            return format!("other: {}", rest.trim());
        }
        if let Ok(n) = given.parse::<usize>() {
            if let Some(r) = n.checked_sub(1).and_then(|i| self.reasons.get(i)) {
                return r.clone();
            }
        }
        let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        match self.reasons.iter().find(|r| norm(r) == norm(given)) {
            Some(r) => r.clone(),
            None if self.reasons.is_empty() => given.to_string(),
            None => format!("other: {given}"),
        }
    }
}

impl Method {
    /// The reason a reviewer gives, checked: one of the protocol's (as
    /// [`Method::reason`] reads it), or one of their own written as
    /// `other: TEXT`; a near miss of a listed reason is refused with it.
    pub fn check_reason(&self, given: &str) -> Result<String> {
        let reason = self.reason(given);
        let typed = given.trim();
        if reason.starts_with("other: ") && !typed.starts_with("other:") {
            let listed: Vec<&String> = self.reasons.iter().collect();
            let guess = closest_reason(typed, &listed)
                .map(|g| format!(": did you mean {g:?}?"))
                .unwrap_or_default();
            bail!(
                "{typed:?} is not one of the protocol's exclusion reasons{guess}\n(hint: one of \
                 {}, or its number; a reason of your own as --reason \"other: {typed}\")",
                self.reasons.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>().join(", ")
            );
        }
        Ok(reason)
    }
}

/// The listed reason closest to `given`: a few edits apart for its length.
fn closest_reason<'a>(given: &str, listed: &[&'a String]) -> Option<&'a str> {
    let lower = given.to_lowercase();
    listed
        .iter()
        .map(|k| (edits(&lower, &k.to_lowercase()), k.as_str()))
        .filter(|(d, k)| *d <= (k.chars().count() / 5).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The name of `known` closest to `name` (any case, or at most two
/// edits), for "did you mean".
pub fn closest<'a>(name: &str, known: &[&'a String]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    known
        .iter()
        .map(|k| (edits(&lower, &k.to_lowercase()), k.as_str()))
        .filter(|(d, k)| *d <= 2.min(k.chars().count().saturating_sub(1)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, a transposition counting one.
fn edits(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method(extra: &str) -> Method {
        let p = Protocol::parse(&format!(
            "[screening]\nreviewers = [\"ana\", \"ben\"]\nsettlers = [\"cai\"]\n\
             exclusion_reasons = [\"wrong concept\", \"wrong context\"]\n{extra}"
        ))
        .unwrap();
        Method::of(&p).unwrap()
    }

    #[test]
    fn names_are_exact_and_a_typo_gets_the_closest_name() {
        let m = method("");
        assert!(m.check_reviewer("ana", false).is_ok());
        let e = format!("{:#}", m.check_reviewer("bne", false).unwrap_err());
        assert!(e.contains("did you mean ben?"), "{e}");
        let e = format!("{:#}", m.check_reviewer("ANA", false).unwrap_err());
        assert!(e.contains("did you mean ana?"), "{e}");
        assert!(m.check_reviewer("zoltan", false).is_err());
        assert!(m.check_reviewer("cai", true).is_ok());
        assert!(m.check_reviewer("cai", false).is_err(), "a settler only settles");
        assert!(m.check_reviewer("ana", true).is_err(), "only cai settles");
    }

    #[test]
    fn two_reviewers_per_record_by_default_and_reasons_from_the_protocol() {
        let m = method("");
        assert_eq!(m.required(Stage::TitleAbstract), 2);
        assert!(m.blind);
        let m = method("reviewers_per_record = { full-text = 1 }\nblind = false");
        assert_eq!((m.required(Stage::TitleAbstract), m.required(Stage::FullText)), (2, 1));
        assert!(!m.blind);
        assert_eq!(m.reason("Wrong  Concept"), "wrong concept");
        assert_eq!(m.reason("2"), "wrong context");
        assert_eq!(m.reason("wrong conecpt"), "other: wrong conecpt");
        let e = format!("{:#}", m.check_reason("wrong conecpt").unwrap_err());
        assert!(e.contains("did you mean \"wrong concept\"?"), "{e}");
        assert_eq!(m.check_reason("other: a letter").unwrap(), "other: a letter");
        let p = Protocol::parse("[screening]\nreviewers = [\"ana\"]\nreviewers_per_record = 2")
            .unwrap();
        assert!(Method::of(&p).is_err(), "two per record with one on the roster");
    }
}
