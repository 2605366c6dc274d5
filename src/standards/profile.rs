//! The standards profile: which evidence a listing must show and how long each kind stays
//! valid. The rules are data (`content/standards/<name>.yaml`); this module only applies
//! them to one listing on one day and says, in plain words, what keeps it off the site.

use crate::content::{FrontMatter, PathStep};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use time::Date;

/// The profile that ships with carepages, used when the content folder has none.
pub const DEFAULT_PROFILE: &str = include_str!("../../content/standards/doing-it-right.yaml");
pub const DEFAULT_PROFILE_NAME: &str = "doing-it-right";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardsProfile {
    pub name: String,
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(default)]
    pub required_when_offering: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub cqc_required_when_offering: Vec<String>,
    #[serde(default)]
    pub validity: BTreeMap<String, Validity>,
    pub review_max_months: Option<u32>,
    #[serde(default = "default_warn_days")]
    pub warn_days: i64,
    #[serde(default)]
    pub names: BTreeMap<String, String>,
}

fn default_warn_days() -> i64 {
    30
}

/// How long one kind of evidence stays valid.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validity {
    pub until_field: Option<String>,
    pub from_field: Option<String>,
    pub years: Option<i32>,
    pub no_expiry_when: Option<String>,
    /// How many years after today an `until_field` date may be before it is too far ahead
    /// to believe; [`MAX_YEARS_AHEAD`] when not given.
    pub max_years_ahead: Option<i32>,
}

/// The longest any evidence may be set to stay valid, and the longest between council
/// reviews.
const MAX_VALID_YEARS: i32 = 10;
const MAX_REVIEW_MONTHS: u32 = 60;

/// The largest standards profile read: a profile is a page of settings.
pub const MAX_PROFILE_BYTES: u64 = 256 * 1024;
/// An expiry date more than this many years after today withholds the listing as a typing
/// slip (or a date made up to keep the listing live). UK public liability insurance is
/// renewed every year, and a DBS check has no expiry date at all (the profile gives it a
/// lifetime from its issue date instead), so a real expiry date is rarely more than a year
/// or two ahead; five years leaves room for multi-year policies while still catching
/// 2099-12-31 and 9999-12-31. A profile can set `max_years_ahead` for one kind of evidence.
pub const MAX_YEARS_AHEAD: i32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The name cannot be a file in `content/standards/`.
    #[error("`{name}` cannot be the name of a standards profile")]
    BadName { name: String },
    #[error("{path} was not read: {why}")]
    Read {
        path: String,
        why: crate::content::files::TextRefusal,
    },
    #[error("{path} is not a valid standards profile: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}
/// One thing the standards found about a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// True when this keeps the listing off the site; false for a reminder.
    pub withholds: bool,
    pub code: &'static str,
    pub path: Vec<PathStep>,
    pub message: String,
    pub help: String,
}

impl StandardsProfile {
    /// Loads `content/standards/<name>.yaml`, or the built-in profile for the default name
    /// when the content folder does not have it. The file must be inside
    /// `content/standards/`, ordinary and small; a name with anything but letters, digits,
    /// hyphens and underscores is refused before any file is looked at.
    pub fn load(content_root: &Path, name: &str) -> Result<StandardsProfile, ProfileError> {
        let safe = !name.is_empty()
            && name.len() <= 100
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !safe {
            return Err(ProfileError::BadName {
                name: name.chars().take(100).collect(),
            });
        }
        let folder = content_root.join("standards");
        let path = folder.join(format!("{name}.yaml"));
        let shown = format!("standards/{name}.yaml");
        let exists = std::fs::symlink_metadata(&path).is_ok();
        let text = if !exists && name == DEFAULT_PROFILE_NAME {
            DEFAULT_PROFILE.to_string()
        } else {
            crate::content::files::read_text_inside(&folder, &path, MAX_PROFILE_BYTES).map_err(
                |why| ProfileError::Read {
                    path: shown.clone(),
                    why,
                },
            )?
        };
        Self::parse(&text, &shown)
    }

    /// Reads a profile's text; `shown` names it in messages.
    pub fn parse(text: &str, shown: &str) -> Result<StandardsProfile, ProfileError> {
        let profile: StandardsProfile = serde_yaml::from_str(text).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            ProfileError::Invalid {
                path: shown.to_string(),
                line,
                column,
                message: e
                    .to_string()
                    .split(" at line ")
                    .next()
                    .unwrap_or("")
                    .to_string(),
            }
        })?;
        profile.check_ranges(shown)?;
        Ok(profile)
    }

    /// Refuses numbers no real standard would use (evidence valid for a thousand years, a
    /// review every million months), which would keep listings live for ever.
    fn check_ranges(&self, shown: &str) -> Result<(), ProfileError> {
        let invalid = |message: String| ProfileError::Invalid {
            path: shown.to_string(),
            line: 1,
            column: 1,
            message,
        };
        for (kind, rule) in &self.validity {
            if rule
                .max_years_ahead
                .is_some_and(|y| !(0..=MAX_VALID_YEARS).contains(&y))
            {
                return Err(invalid(format!(
                    "`max_years_ahead` for {kind} must be between 0 and {MAX_VALID_YEARS}"
                )));
            }
            if rule
                .years
                .is_some_and(|y| !(0..=MAX_VALID_YEARS).contains(&y))
            {
                return Err(invalid(format!(
                    "`years` for {kind} must be between 0 and {MAX_VALID_YEARS}"
                )));
            }
        }
        if self
            .review_max_months
            .is_some_and(|m| m > MAX_REVIEW_MONTHS)
        {
            return Err(invalid(format!(
                "`review_max_months` must be at most {MAX_REVIEW_MONTHS}"
            )));
        }
        if !(0..=365).contains(&self.warn_days) {
            return Err(invalid("`warn_days` must be between 0 and 365".into()));
        }
        Ok(())
    }

    fn name_of(&self, kind: &str) -> String {
        self.names
            .get(kind)
            .cloned()
            .unwrap_or_else(|| kind.replace('_', " "))
    }

    /// Everything that keeps `front` off the site on `today`, and what lapses soon.
    pub fn assess(&self, front: &FrontMatter, today: Date) -> Vec<Finding> {
        let mut findings = Vec::new();
        if !front.consent.given() {
            // `yes`, `"true"` or `Y` look like agreement but are not the word that counts.
            let written = match &front.consent.publish {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Null | serde_json::Value::Bool(false) => None,
                other => Some(other.to_string()),
            };
            let message = match written {
                Some(w) => {
                    format!("`publish: {w}` does not count as consent: only `publish: true` does.")
                }
                None => "The enterprise has not given consent to publish this listing.".into(),
            };
            findings.push(withhold(
                "no-consent",
                vec![key("consent"), key("publish")],
                message,
                "When the enterprise agrees to be listed, write `publish: true` under `consent:` (the word true, without quotes)."
                    .into(),
            ));
        }
        if front.status == "closed" {
            findings.push(withhold(
                "closed",
                vec![key("status")],
                "The enterprise is marked as closed.".into(),
                "If it has reopened, set `status: active`; otherwise the listing can be deleted."
                    .into(),
            ));
        }
        for kind in self.required_for(front) {
            self.check_evidence(front, &kind, today, &mut findings);
        }
        // Evidence that is not required still gets a reminder when it lapses.
        for (i, e) in front.standards.evidence.iter().enumerate() {
            if !self.required_for(front).contains(&e.kind) {
                if let Some(f) = self.lapse_finding(front, i, today, false) {
                    findings.push(f);
                }
            }
        }
        self.check_cqc(front, &mut findings);
        self.check_review(front, today, &mut findings);
        findings
    }

    fn required_for(&self, front: &FrontMatter) -> Vec<String> {
        let mut kinds = self.required.clone();
        for s in &front.support_types {
            if let Some(extra) = self.required_when_offering.get(s) {
                kinds.extend(extra.iter().cloned());
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        kinds.retain(|k| seen.insert(k.clone()));
        kinds
    }

    fn check_evidence(&self, front: &FrontMatter, kind: &str, today: Date, out: &mut Vec<Finding>) {
        let items: Vec<usize> = front
            .standards
            .evidence
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == kind)
            .map(|(i, _)| i)
            .collect();
        if items.is_empty() {
            let date_field = self
                .validity
                .get(kind)
                .and_then(|v| v.until_field.clone().or(v.from_field.clone()));
            let example = match date_field {
                Some(f) => format!("- {{type: {kind}, {f}: YYYY-MM-DD}}"),
                None => format!("- {{type: {kind}}}"),
            };
            out.push(withhold(
                "evidence-missing",
                vec![key("standards"), key("evidence")],
                format!("There is no {} in the evidence.", self.name_of(kind)),
                format!(
                    "Ask the enterprise for it, then add `{example}` under `standards: evidence:`."
                ),
            ));
            return;
        }
        // A date that cannot be right always withholds, even beside good evidence of the
        // same kind: the council should look at the whole record again.
        let mut findings: Vec<Option<Finding>> = Vec::new();
        for i in items {
            match self.lapse_finding(front, i, today, true) {
                Some(f) if IMPLAUSIBLE.contains(&f.code) => out.push(f),
                other => findings.push(other),
            }
        }
        // With several of one kind (an old and a renewed certificate), the newest counts.
        if findings
            .iter()
            .any(|f| f.as_ref().is_none_or(|f| !f.withholds))
        {
            out.extend(findings.into_iter().flatten().filter(|f| !f.withholds));
        } else {
            out.extend(findings.into_iter().flatten().last());
        }
    }

    /// A finding when evidence `i` has lapsed (withholding if `required`), lapses soon, or
    /// has a date that cannot be right: issued or completed after today, or an expiry more
    /// than [`MAX_YEARS_AHEAD`] years away (withholding if `required`, see [`IMPLAUSIBLE`]).
    fn lapse_finding(
        &self,
        front: &FrontMatter,
        i: usize,
        today: Date,
        required: bool,
    ) -> Option<Finding> {
        let e = &front.standards.evidence[i];
        let rule = self.validity.get(&e.kind)?;
        let name = self.name_of(&e.kind);
        let field_value = |f: &str| e.date(f);
        let path = |f: &str| {
            vec![
                key("standards"),
                key("evidence"),
                PathStep::Index(i),
                key(f),
            ]
        };
        // A date that cannot be right is reported even for a DBS check on the update
        // service: the date is wrong either way.
        let until = rule
            .until_field
            .as_deref()
            .and_then(|f| Some((f, parse(field_value(f)?)?)));
        let from = rule
            .from_field
            .as_deref()
            .and_then(|f| Some((f, parse(field_value(f)?)?)));
        if let Some((f, from)) = from {
            if from > today {
                return Some(Finding {
                    withholds: required,
                    code: "future-date",
                    path: path(f),
                    message: format!(
                        "The {name} is dated {}, which is after today ({}). Evidence cannot be dated in the future, so it cannot be relied on.",
                        long(from),
                        long(today)
                    ),
                    help: format!(
                        "Check the date on the certificate, then write the day the check or training happened as YYYY-MM-DD in `{f}`."
                    ),
                });
            }
        }
        if let Some((f, until)) = until {
            let years = rule.max_years_ahead.unwrap_or(MAX_YEARS_AHEAD);
            if add_years(today, years).is_some_and(|limit| until > limit) {
                return Some(Finding {
                    withholds: required,
                    code: "expiry-too-far-ahead",
                    path: path(f),
                    message: format!(
                        "The {name} is valid until {}, more than {years} years after today ({}). That is too far ahead to be believable.",
                        long(until),
                        long(today)
                    ),
                    help: format!(
                        "Check the date on the certificate and correct `{f}`; if it really is valid that long, ask the council to confirm it and to allow it in the standards profile (`max_years_ahead`)."
                    ),
                });
            }
        }
        if rule.no_expiry_when.as_deref() == Some("update_service") && e.update_service {
            return None;
        }
        let (field, lapses) = match (until, from) {
            (Some((f, until)), _) => (f, until),
            (None, Some((f, from))) if rule.until_field.is_none() => {
                (f, add_years(from, rule.years.unwrap_or(0))?)
            }
            _ => return None,
        };
        let days_left = (lapses - today).whole_days();
        if days_left < 0 {
            Some(Finding {
                withholds: required,
                code: "evidence-lapsed",
                path: path(field),
                message: format!("The {name} lapsed on {}.", long(lapses)),
                help: format!("Ask the enterprise for its renewed {name}, then update `{field}` with the new date."),
            })
        } else if days_left <= self.warn_days {
            Some(Finding {
                withholds: false,
                code: "evidence-lapsing",
                path: path(field),
                message: format!(
                    "The {name} lapses on {}, {}.",
                    long(lapses),
                    when(days_left)
                ),
                help: format!(
                    "Remind the enterprise to renew it; the listing will be withheld after {}.",
                    long(lapses)
                ),
            })
        } else {
            None
        }
    }

    /// Every date on which something a listing relies on runs out: each piece of evidence
    /// that has a lapse date under this profile, and the council's next review. The
    /// listing stays valid on the date itself and is withheld from the day after (for
    /// required evidence). Dates that cannot be read, and DBS checks on the update
    /// service, have none.
    pub fn due_dates(&self, front: &FrontMatter) -> Vec<DueDate> {
        let required = self.required_for(front);
        let mut out = Vec::new();
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, e) in front.standards.evidence.iter().enumerate() {
            let nth = seen.entry(e.kind.as_str()).or_insert(0);
            *nth += 1;
            let Some((field, date)) = self.lapse_date(front, i) else {
                continue;
            };
            out.push(DueDate {
                kind: e.kind.clone(),
                name: self.name_of(&e.kind),
                field: format!("standards.evidence[{i}].{field}"),
                date,
                nth: *nth,
                required: required.contains(&e.kind),
            });
        }
        if let (Some(months), Some(checked)) = (
            self.review_max_months,
            front.review.last_checked.as_deref().and_then(parse),
        ) {
            out.push(DueDate {
                kind: "review".into(),
                name: "council's review".into(),
                field: "review.last_checked".into(),
                date: add_months(checked, months),
                nth: 1,
                required: true,
            });
        }
        out
    }

    /// The last day evidence `i` counts, and the field that date comes from.
    fn lapse_date(&self, front: &FrontMatter, i: usize) -> Option<(String, Date)> {
        let e = front.standards.evidence.get(i)?;
        let rule = self.validity.get(&e.kind)?;
        if rule.no_expiry_when.as_deref() == Some("update_service") && e.update_service {
            return None;
        }
        let value = |f: &str| e.date(f);
        if let Some(f) = rule.until_field.as_deref() {
            return Some((f.to_string(), parse(value(f)?)?));
        }
        let f = rule.from_field.as_deref()?;
        Some((
            f.to_string(),
            add_years(parse(value(f)?)?, rule.years.unwrap_or(0))?,
        ))
    }

    fn check_cqc(&self, front: &FrontMatter, out: &mut Vec<Finding>) {
        let needs = front
            .support_types
            .iter()
            .any(|s| self.cqc_required_when_offering.contains(s));
        if needs && front.standards.cqc.is_none() {
            out.push(withhold(
                "cqc-missing",
                vec![key("standards")],
                "This listing offers personal care but does not say whether the enterprise is registered with the CQC.".into(),
                "Add `cqc: {registered: true, location_id: \"1-123456789\"}` under `standards:`, or `cqc: {registered: false, basis: \"...\"}` giving the reason no registration is needed (for example, a sole trader directed by the client).".into(),
            ));
        }
    }

    fn check_review(&self, front: &FrontMatter, today: Date, out: &mut Vec<Finding>) {
        let Some(months) = self.review_max_months else {
            return;
        };
        let Some(checked) = front.review.last_checked.as_deref().and_then(parse) else {
            out.push(withhold(
                "review-missing",
                vec![key("review")],
                "The council has not recorded when it last checked this enterprise's evidence.".into(),
                "After checking the evidence, add `review: {last_checked: YYYY-MM-DD}` with the date of the check.".into(),
            ));
            return;
        };
        let path = vec![key("review"), key("last_checked")];
        if checked > today {
            // A review dated ahead would otherwise count as current for that much longer.
            out.push(withhold(
                "future-date",
                path,
                format!("The council's review is dated {}, which is after today ({}). A review cannot be dated in the future, so it cannot be relied on.", long(checked), long(today)),
                "Check the date of the council's last check of the evidence, then write it as YYYY-MM-DD in `last_checked`.".into(),
            ));
            return;
        }
        let due = add_months(checked, months);
        let days_left = (due - today).whole_days();
        if days_left < 0 {
            out.push(withhold(
                "review-overdue",
                path,
                format!("The council last checked this enterprise on {}, more than {months} months ago.", long(checked)),
                "Check the enterprise's evidence again, then update `last_checked` with the date of the check.".into(),
            ));
        } else if days_left <= self.warn_days {
            out.push(Finding {
                withholds: false,
                code: "review-due",
                path,
                message: format!(
                    "The council's review is due by {}, {}.",
                    long(due),
                    when(days_left)
                ),
                help: "Plan the next check of this enterprise's evidence.".into(),
            });
        }
    }
}

/// A date on which a listing's evidence or the council's review runs out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDate {
    /// The evidence's type (`public_liability`), or `review`.
    pub kind: String,
    /// What it is called in messages: "public liability insurance".
    pub name: String,
    /// Where its date is written in the listing, such as `standards.evidence[0].expires`.
    pub field: String,
    /// The last day it counts.
    pub date: Date,
    /// Which of the listing's evidence of this kind it is (1 for the first).
    pub nth: usize,
    /// Whether the listing is withheld once it has run out.
    pub required: bool,
}

/// Codes for evidence dates that cannot be right. They keep a listing off the site because
/// otherwise a date typed years ahead would keep it published for years without evidence.
const IMPLAUSIBLE: [&str; 2] = ["future-date", "expiry-too-far-ahead"];

fn withhold(code: &'static str, path: Vec<PathStep>, message: String, help: String) -> Finding {
    Finding {
        withholds: true,
        code,
        path,
        message,
        help,
    }
}

fn key(k: &str) -> PathStep {
    PathStep::Key(k.to_string())
}

fn parse(s: &str) -> Option<Date> {
    Date::parse(s, &time::format_description::well_known::Iso8601::DATE).ok()
}

fn long(d: Date) -> String {
    format!("{} {} {}", d.day(), d.month(), d.year())
}

/// How soon something happens, as people say it: "today", "tomorrow", "in 5 days".
fn when(days: i64) -> String {
    match days {
        0 => "today".into(),
        1 => "tomorrow".into(),
        n => format!("in {n} days"),
    }
}

/// The same day `years` later; 29 February becomes 28 February in a year without it.
fn add_years(d: Date, years: i32) -> Option<Date> {
    let year = d.year().checked_add(years)?;
    Date::from_calendar_date(year, d.month(), d.day())
        .or_else(|_| Date::from_calendar_date(year, d.month(), d.day() - 1))
        .ok()
}

/// The same day `months` later, or the month's last day when it is shorter.
/// Past the last date there is, the last date.
fn add_months(d: Date, months: u32) -> Date {
    let total = i64::from(u8::from(d.month()) - 1) + i64::from(months);
    let Ok(year) = i32::try_from(i64::from(d.year()) + total / 12) else {
        return Date::MAX;
    };
    let month = time::Month::try_from((total % 12 + 1) as u8).unwrap_or(time::Month::December);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, d.day().min(last)).unwrap_or(Date::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn profile() -> StandardsProfile {
        serde_yaml::from_str(DEFAULT_PROFILE).expect("default profile")
    }

    fn listing(extra: &str) -> FrontMatter {
        let yaml = format!(
            "name: A\nsummary: Help at home for older people.\ncouncils: [c]\nsupport_types: [companionship]\nwho_for: [older_people]\nservice_area: {{towns: [X]}}\ncontact: {{phone: \"07700 900123\"}}\nconsent: {{publish: true}}\nreview: {{last_checked: 2026-05-20}}\n{extra}"
        );
        serde_yaml::from_str(&yaml).expect("front matter")
    }

    const EVIDENCE: &str = "standards:\n  evidence:\n    - {type: public_liability, expires: 2027-01-31}\n    - {type: dbs_enhanced, issued: 2025-10-15}\n    - {type: safeguarding_training, completed: 2025-09-20}\n";

    fn codes(f: &[Finding]) -> Vec<(&'static str, bool)> {
        f.iter().map(|f| (f.code, f.withholds)).collect()
    }

    #[test]
    fn a_complete_listing_is_published() {
        assert_eq!(
            profile().assess(&listing(EVIDENCE), date!(2026 - 11 - 25)),
            vec![]
        );
    }

    #[test]
    fn lapsed_insurance_withholds_and_lapsing_insurance_warns() {
        let p = profile();
        let l = listing(EVIDENCE);
        assert_eq!(
            codes(&p.assess(&l, date!(2027 - 02 - 01))),
            vec![("evidence-lapsed", true)]
        );
        assert_eq!(
            codes(&p.assess(&l, date!(2027 - 01 - 10))),
            vec![("evidence-lapsing", false)]
        );
        assert_eq!(
            codes(&p.assess(&l, date!(2027 - 01 - 31))),
            vec![("evidence-lapsing", false)],
            "valid on its expiry day"
        );
    }

    #[test]
    fn dbs_lapses_after_three_years_unless_on_the_update_service() {
        let p = profile();
        let old = EVIDENCE.replace("issued: 2025-10-15", "issued: 2023-06-01");
        let f = p.assess(&listing(&old), date!(2026 - 11 - 25));
        assert_eq!(codes(&f), vec![("evidence-lapsed", true)]);
        assert!(
            f[0].message
                .contains("enhanced DBS check lapsed on 1 June 2026"),
            "{}",
            f[0].message
        );
        let updated = EVIDENCE.replace(
            "issued: 2025-10-15}",
            "issued: 2023-06-01, update_service: true}",
        );
        assert_eq!(p.assess(&listing(&updated), date!(2026 - 11 - 25)), vec![]);
    }

    #[test]
    fn missing_evidence_consent_and_closed_status_withhold() {
        let p = profile();
        let f = p.assess(&listing(""), date!(2026 - 11 - 25));
        assert_eq!(f.iter().filter(|f| f.code == "evidence-missing").count(), 3);
        let mut l = listing(EVIDENCE);
        l.consent.publish = serde_json::json!("yes");
        l.status = "closed".into();
        assert_eq!(
            codes(&p.assess(&l, date!(2026 - 11 - 25))),
            vec![("no-consent", true), ("closed", true)]
        );
    }

    #[test]
    fn meals_need_food_hygiene_and_personal_care_needs_cqc() {
        let p = profile();
        let mut l = listing(EVIDENCE);
        l.support_types = vec!["meals".into(), "personal_care".into()];
        let f = p.assess(&l, date!(2026 - 11 - 25));
        assert_eq!(
            codes(&f),
            vec![("evidence-missing", true), ("cqc-missing", true)]
        );
        assert!(f[0].message.contains("food hygiene"));
    }

    #[test]
    fn a_renewed_certificate_beside_an_old_one_counts() {
        let both = format!("{EVIDENCE}    - {{type: public_liability, expires: 2026-01-31}}\n");
        assert_eq!(
            profile().assess(&listing(&both), date!(2026 - 11 - 25)),
            vec![]
        );
    }

    fn paths(f: &[Finding]) -> Vec<String> {
        f.iter().map(|f| crate::content::dotted(&f.path)).collect()
    }

    #[test]
    fn evidence_dated_after_today_withholds_the_listing() {
        let p = profile();
        let future = EVIDENCE.replace("completed: 2025-09-20", "completed: 2062-09-20");
        let f = p.assess(&listing(&future), date!(2026 - 11 - 25));
        assert_eq!(codes(&f), vec![("future-date", true)]);
        assert_eq!(paths(&f), vec!["standards.evidence[2].completed"]);
        assert!(
            f[0].message
                .contains("dated 20 September 2062, which is after today"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].help.contains("date on the certificate"),
            "{}",
            f[0].help
        );
        // The day itself is not in the future.
        let today = EVIDENCE.replace("completed: 2025-09-20", "completed: 2026-11-25");
        assert_eq!(p.assess(&listing(&today), date!(2026 - 11 - 25)), vec![]);
    }

    #[test]
    fn a_dbs_check_dated_ahead_withholds_even_on_the_update_service() {
        let dbs = EVIDENCE.replace(
            "issued: 2025-10-15}",
            "issued: 2099-01-01, update_service: true}",
        );
        let f = profile().assess(&listing(&dbs), date!(2026 - 11 - 25));
        assert_eq!(codes(&f), vec![("future-date", true)]);
        assert_eq!(paths(&f), vec!["standards.evidence[1].issued"]);
    }

    #[test]
    fn a_date_ahead_withholds_even_beside_a_good_certificate_of_the_same_kind() {
        let both = format!("{EVIDENCE}    - {{type: dbs_enhanced, issued: 2099-01-01}}\n");
        let f = profile().assess(&listing(&both), date!(2026 - 11 - 25));
        assert_eq!(codes(&f), vec![("future-date", true)]);
        assert_eq!(paths(&f), vec!["standards.evidence[3].issued"]);
    }

    #[test]
    fn optional_evidence_dated_ahead_is_only_a_reminder() {
        let extra = format!("{EVIDENCE}    - {{type: first_aid, completed: 2099-01-01}}\n");
        let f = profile().assess(&listing(&extra), date!(2026 - 11 - 25));
        assert_eq!(codes(&f), vec![("future-date", false)]);
    }

    #[test]
    fn an_expiry_more_than_five_years_ahead_withholds_the_listing() {
        let p = profile();
        let at = |expires: &str| {
            let e = EVIDENCE.replace("expires: 2027-01-31", &format!("expires: {expires}"));
            p.assess(&listing(&e), date!(2026 - 11 - 25))
        };
        let f = at("9999-12-31");
        assert_eq!(codes(&f), vec![("expiry-too-far-ahead", true)]);
        assert_eq!(paths(&f), vec!["standards.evidence[0].expires"]);
        assert!(
            f[0].message.contains("more than 5 years after today"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].help.contains("ask the council to confirm"),
            "{}",
            f[0].help
        );
        assert_eq!(at("2031-11-25"), vec![], "five years to the day is allowed");
        assert_eq!(
            codes(&at("2031-11-26")),
            vec![("expiry-too-far-ahead", true)]
        );
    }

    #[test]
    fn a_profile_can_allow_longer_expiry_dates_for_one_kind() {
        let mut p = profile();
        let e = EVIDENCE.replace("expires: 2027-01-31", "expires: 2035-01-31");
        assert_eq!(
            codes(&p.assess(&listing(&e), date!(2026 - 11 - 25))),
            vec![("expiry-too-far-ahead", true)]
        );
        p.validity
            .get_mut("public_liability")
            .expect("rule")
            .max_years_ahead = Some(10);
        assert_eq!(p.assess(&listing(&e), date!(2026 - 11 - 25)), vec![]);
    }

    #[test]
    fn a_review_dated_after_today_withholds_the_listing() {
        let f = profile().assess(&listing(EVIDENCE), date!(2026 - 01 - 01));
        assert_eq!(codes(&f), vec![("future-date", true)]);
        assert_eq!(paths(&f), vec!["review.last_checked"]);
    }

    #[test]
    fn max_years_ahead_is_read_from_a_profile() {
        let p: StandardsProfile = serde_yaml::from_str(
            "name: T\nvalidity:\n  public_liability: {until_field: expires, max_years_ahead: 8}\n",
        )
        .expect("profile");
        assert_eq!(p.validity["public_liability"].max_years_ahead, Some(8));
    }

    #[test]
    fn due_dates_name_every_expiry_and_the_next_review() {
        let dues = profile().due_dates(&listing(EVIDENCE));
        let seen: Vec<(&str, Date, bool)> = dues
            .iter()
            .map(|d| (d.kind.as_str(), d.date, d.required))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("public_liability", date!(2027 - 01 - 31), true),
                ("dbs_enhanced", date!(2028 - 10 - 15), true),
                ("safeguarding_training", date!(2028 - 09 - 20), true),
                ("review", date!(2027 - 05 - 20), true),
            ]
        );
        // The day after the expiry, assess withholds: the two agree.
        let after = profile().assess(&listing(EVIDENCE), date!(2027 - 02 - 01));
        assert_eq!(codes(&after), vec![("evidence-lapsed", true)]);
    }

    #[test]
    fn month_arithmetic_keeps_to_real_days() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2026 - 05 - 20), 12), date!(2027 - 05 - 20));
        assert_eq!(
            add_years(date!(2024 - 02 - 29), 3),
            Some(date!(2027 - 02 - 28))
        );
    }

    #[test]
    fn a_profile_with_numbers_no_standard_would_use_is_refused() {
        let base = "name: x\nrequired: [dbs_enhanced]\n";
        let with = |extra: &str| StandardsProfile::parse(&format!("{base}{extra}"), "p.yaml");
        assert!(with("validity: {dbs_enhanced: {from_field: issued, years: 3}}\n").is_ok());
        for silly in [
            "validity: {dbs_enhanced: {from_field: issued, years: 2147483647}}\n",
            "validity: {dbs_enhanced: {from_field: issued, years: -5}}\n",
            "review_max_months: 4294967295\n",
            "warn_days: -9223372036854775808\n",
        ] {
            assert!(
                matches!(with(silly), Err(ProfileError::Invalid { .. })),
                "{silly}"
            );
        }
        assert_eq!(add_months(date!(2026 - 05 - 20), u32::MAX), Date::MAX);
        assert_eq!(add_years(Date::MAX, i32::MAX), None);
    }
}
