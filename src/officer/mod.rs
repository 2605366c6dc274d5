//! officer: tools for the council officer who looks after a directory, at the end of the
//! pipeline. It reads what the standards stage decided (a [`Directory`] judged on a day)
//! and says what a change will publish ([`diff`]), when evidence runs out ([`calendar`],
//! [`export`]), and where provision is missing ([`report`]). Nothing it makes is part of a
//! public site: it never writes into `output/`, and no other stage depends on it.

pub mod calendar;
pub mod diff;
pub mod export;
mod git;
pub mod report;

use crate::content::FrontMatter;
use crate::diagnostic::Diagnostic;
use crate::standards::{Council, Directory, DueDate, Listing, StandardsProfile};
use std::collections::BTreeMap;
use std::path::Path;

/// Why an officer's tool stopped. Nothing has been written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum OfficerError {
    /// The content has errors: it could not be built, so there is nothing to compare.
    #[error("{} has {} problem(s) to fix first; run `carepages check --content {}` to see them", .content, .problems.iter().filter(|d| d.is_error()).count(), .content)]
    InvalidContent {
        content: String,
        problems: Vec<Diagnostic>,
    },
    /// The command was used wrongly (a council that does not exist).
    #[error("{0}")]
    Usage(String),
    /// What to compare with could not be read: a revision, an output folder.
    #[error("{0}")]
    Compare(String),
    #[error("{path} could not be written: {why}")]
    Write { path: String, why: String },
    #[error(transparent)]
    Rules(#[from] crate::standards::RulesError),
}

/// Reads and checks a content folder on `today`; content with errors is refused.
pub fn checked(content: &Path, today: time::Date) -> Result<Directory, OfficerError> {
    let directory = crate::check(content, today).map_err(|e| match e {
        crate::BuildError::Rules(r) => OfficerError::Rules(r),
        other => OfficerError::Usage(other.to_string()),
    })?;
    if directory.has_errors() {
        return Err(OfficerError::InvalidContent {
            content: content.display().to_string(),
            problems: directory.diagnostics,
        });
    }
    Ok(directory)
}

/// The council called `id`, or a message naming the councils there are.
pub fn council<'a>(directory: &'a Directory, id: &str) -> Result<&'a Council, OfficerError> {
    directory
        .councils
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| {
            let known: Vec<&str> = directory.councils.iter().map(|c| c.id.as_str()).collect();
            OfficerError::Usage(format!(
                "there is no council called \"{id}\" (councils: {})",
                known.join(", ")
            ))
        })
}

/// The standards profile a council judges its listings by.
pub fn profile(content: &Path, council: &Council) -> Result<StandardsProfile, OfficerError> {
    StandardsProfile::load(content, council.profile_name())
        .map_err(|e| OfficerError::Rules(crate::standards::RulesError::Profile(e)))
}

/// The listings that name a council, published or not, in name order.
pub fn listings_of<'a>(directory: &'a Directory, council: &str) -> Vec<&'a Listing> {
    let mut list: Vec<&Listing> = directory
        .listings
        .iter()
        .filter(|l| l.front.councils.iter().any(|c| c == council))
        .collect();
    crate::standards::in_name_order(&mut list);
    list
}

/// One listing's due date, with the listing it belongs to.
pub struct Due<'a> {
    pub listing: &'a Listing,
    pub due: DueDate,
}

/// Every due date of every listing naming `council`, soonest first.
pub fn due_dates<'a>(
    directory: &'a Directory,
    council: &Council,
    profile: &StandardsProfile,
) -> Vec<Due<'a>> {
    let mut all: Vec<Due> = listings_of(directory, &council.id)
        .into_iter()
        .flat_map(|listing| {
            profile
                .due_dates(&listing.front)
                .into_iter()
                .map(move |due| Due { listing, due })
        })
        .collect();
    all.sort_by(|a, b| {
        (
            a.due.date,
            &a.listing.name_key,
            &a.listing.slug,
            &a.due.field,
        )
            .cmp(&(
                b.due.date,
                &b.listing.name_key,
                &b.listing.slug,
                &b.due.field,
            ))
    });
    all
}

/// Whom to contact about a listing, in one line: "Sam, 07700 900123, sam@example".
pub fn contact_line(front: &FrontMatter) -> String {
    let c = &front.contact;
    [&c.first_name, &c.phone, &c.email, &c.website]
        .into_iter()
        .flatten()
        .map(|s| one_line(s))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Text on one line: line breaks and other control characters become spaces.
pub fn one_line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text with its first letter a capital: "Public liability insurance".
pub fn capital(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A date written out: "31 January 2027".
pub fn long_date(d: time::Date) -> String {
    format!("{} {} {}", d.day(), d.month(), d.year())
}

/// The day `days` after `today`, or the last date there is.
pub fn days_after(today: time::Date, days: u32) -> time::Date {
    today
        .checked_add(time::Duration::days(i64::from(days)))
        .unwrap_or(time::Date::MAX)
}

/// Writes `bytes` to `path`, replacing it whole: written beside it, then renamed.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OfficerError> {
    let fail = |e: std::io::Error| OfficerError::Write {
        path: path.display().to_string(),
        why: e.to_string(),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let partial = path.with_file_name(format!(".{name}.partial"));
    std::fs::write(&partial, bytes).map_err(fail)?;
    std::fs::rename(&partial, path).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        fail(e)
    })
}

/// Refuses to write a report into a council's public site: officers' files are not for
/// residents. `output` is the output folder (it need not exist).
pub fn refuse_public_path(path: &Path, output: &Path) -> Result<(), OfficerError> {
    let absolute = |p: &Path| {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        p.parent()
            .and_then(|parent| parent.canonicalize().ok())
            .map(|parent| parent.join(p.file_name().unwrap_or_default()))
            .unwrap_or(p)
    };
    let out = output.canonicalize().unwrap_or_else(|_| absolute(output));
    if absolute(path).starts_with(&out) {
        return Err(OfficerError::Usage(format!(
            "{} is inside the output folder {}, which is published; write officers' files somewhere else",
            path.display(),
            output.display()
        )));
    }
    Ok(())
}

/// Listings per council, by id: what a council's site shows.
pub type Published = BTreeMap<String, BTreeMap<String, crate::publish::manifest::PublishedListing>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_lines_stay_on_one_line() {
        assert_eq!(one_line("Sam\r\n  07700\t900123"), "Sam 07700 900123");
    }
}
