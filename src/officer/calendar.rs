//! `carepages calendar`: every evidence expiry and review date of one council's listings as
//! an iCalendar file (RFC 5545) for the officer's own calendar. Each event is a whole day,
//! the last day the evidence counts, with whom to contact. The same content and day give
//! the same bytes: event ids come from the listing and the evidence, and the time stamp
//! from the day given.

use super::{capital, contact_line, due_dates, long_date, Due, OfficerError};
use crate::standards::{Council, Directory, StandardsProfile};
use std::fmt::Write as _;

/// The iCalendar file of a council's due dates, judged on `today` (its time stamp).
pub fn calendar(
    directory: &Directory,
    council: &Council,
    profile: &StandardsProfile,
    today: time::Date,
) -> String {
    let mut out = String::new();
    let mut line = |text: String| out.push_str(&fold(&text));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line(format!(
        "PRODID:-//carepages//carepages {}//EN",
        env!("CARGO_PKG_VERSION")
    ));
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!(
        "X-WR-CALNAME:{}",
        text(&format!("{}: evidence and reviews", council.settings.name))
    ));
    let stamp = format!("{}T000000Z", basic(today));
    for due in due_dates(directory, council, profile) {
        for l in event(&due, council, &stamp) {
            line(l);
        }
    }
    line("END:VCALENDAR".into());
    out
}

fn event(d: &Due, council: &Council, stamp: &str) -> Vec<String> {
    let listing = d.listing;
    let what = if d.due.kind == "review" {
        format!("Review due: {}", listing.front.name)
    } else {
        format!("{} expires: {}", capital(&d.due.name), listing.front.name)
    };
    let mut description = if d.due.kind == "review" {
        format!(
            "The council's review of {} is due by {}.",
            listing.front.name,
            long_date(d.due.date)
        )
    } else {
        format!(
            "The {} of {} counts until {}.",
            d.due.name,
            listing.front.name,
            long_date(d.due.date)
        )
    };
    if d.due.required {
        description.push_str(" From the day after, the listing is withheld unless it is renewed.");
    }
    let contact = contact_line(&listing.front);
    if !contact.is_empty() {
        let _ = write!(description, "\nContact: {contact}");
    }
    let _ = write!(description, "\nFile: {}", listing.file.display());
    let next = d
        .due
        .date
        .next_day()
        .map(basic)
        .unwrap_or_else(|| basic(d.due.date));
    vec![
        "BEGIN:VEVENT".into(),
        format!(
            "UID:{}-{}-{}@{}.carepages",
            listing.id,
            uid_part(&d.due.kind),
            d.due.nth,
            uid_part(&council.id)
        ),
        format!("DTSTAMP:{stamp}"),
        format!("DTSTART;VALUE=DATE:{}", basic(d.due.date)),
        format!("DTEND;VALUE=DATE:{next}"),
        format!("SUMMARY:{}", text(&what)),
        format!("DESCRIPTION:{}", text(&description)),
        format!(
            "CATEGORIES:{}",
            if d.due.kind == "review" {
                "Review"
            } else {
                "Evidence"
            }
        ),
        "TRANSP:TRANSPARENT".into(),
        "END:VEVENT".into(),
    ]
}

/// A date as iCalendar writes it: 20270131.
fn basic(d: time::Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Keeps only letters, digits, `-` and `_` of a part of an event's UID.
fn uid_part(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

/// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks
/// as `\n`, other control characters left out.
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let value = value.replace("\r\n", "\n").replace('\r', "\n");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded (RFC 5545 §3.1): no line longer than 75 octets, continuation
/// lines start with a space, never splitting a UTF-8 character; ends with CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
    out
}

/// Writes the calendar to `path`, or returns it to print when `path` is `None`.
pub fn write(path: Option<&std::path::Path>, ics: &str) -> Result<Option<String>, OfficerError> {
    match path {
        Some(p) => super::write_file(p, ics.as_bytes()).map(|()| None),
        None => Ok(Some(ics.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_escape_what_ical_gives_a_meaning() {
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        assert_eq!(text("x\r\ny\u{7}"), "x\\ny");
        // An injected property stays inside the value.
        assert_eq!(
            text("Sam\r\nBEGIN:VEVENT"),
            "Sam\\nBEGIN:VEVENT",
            "a line break cannot start a new line"
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "é".repeat(100));
        let folded = fold(&line);
        assert!(folded.ends_with("\r\n"));
        for (i, part) in folded.trim_end_matches("\r\n").split("\r\n").enumerate() {
            assert!(part.len() <= 75, "{}: {}", i, part.len());
            if i > 0 {
                assert!(part.starts_with(' '));
            }
        }
        let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
        assert_eq!(fold("SHORT:1"), "SHORT:1\r\n");
        assert_eq!(fold(&"x".repeat(75)).len(), 77, "75 octets fit on one line");
    }
}
