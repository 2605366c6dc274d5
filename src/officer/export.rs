//! `carepages export`: one council's listings with their evidence dates as CSV (RFC 4180)
//! for the officer's spreadsheet, one row a listing, published or not. Cells are quoted
//! where needed, and a cell a spreadsheet would run as a formula (starting with `=`, `+`,
//! `-`, `@`, a tab or a carriage return) is kept as text with a leading apostrophe.

use super::{contact_line, listings_of};
use crate::standards::{Council, Decision, Directory, StandardsProfile};
use std::collections::BTreeMap;

/// The CSV of every listing naming `council`, with its due dates as judged by `profile`.
pub fn csv(directory: &Directory, council: &Council, profile: &StandardsProfile) -> String {
    let listings = listings_of(directory, &council.id);
    let dues: Vec<_> = listings
        .iter()
        .map(|l| profile.due_dates(&l.front))
        .collect();
    // One column for each kind of evidence any listing has a date for, in a fixed order.
    let mut kinds: BTreeMap<String, String> = BTreeMap::new();
    for d in dues.iter().flatten().filter(|d| d.kind != "review") {
        kinds.insert(d.kind.clone(), d.name.clone());
    }
    let mut header: Vec<String> = [
        "Name",
        "File",
        "Status",
        "On the site",
        "Why withheld",
        "Contact",
        "Towns",
        "Review last checked",
        "Review due",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(
        kinds
            .values()
            .map(|name| format!("{} lapses", super::capital(name))),
    );
    header.push("Next date".into());
    let mut out = row(&header);
    for (listing, dues) in listings.iter().zip(&dues) {
        let f = &listing.front;
        let (on_site, why) = match listing.decisions.get(&council.id) {
            Some(Decision::Published) => ("published", String::new()),
            Some(Decision::Withheld(reasons)) => ("withheld", reasons.join(" ")),
            None => ("withheld", String::new()),
        };
        let latest = |kind: &str| {
            dues.iter()
                .filter(|d| d.kind == kind)
                .map(|d| d.date)
                .max()
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        let mut cells = vec![
            f.name.clone(),
            listing.file.display().to_string(),
            f.status.clone(),
            on_site.to_string(),
            why,
            contact_line(f),
            f.service_area.towns.join(", "),
            f.review.last_checked.clone().unwrap_or_default(),
            latest("review"),
        ];
        cells.extend(kinds.keys().map(|k| latest(k)));
        // The soonest date the listing relies on (the newest of each kind counts).
        let mut newest: BTreeMap<&str, time::Date> = BTreeMap::new();
        for d in dues {
            let e = newest.entry(d.kind.as_str()).or_insert(d.date);
            *e = (*e).max(d.date);
        }
        cells.push(
            newest
                .values()
                .min()
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        out.push_str(&row(&cells));
    }
    out
}

fn row(cells: &[String]) -> String {
    let mut line = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// One CSV cell: kept as text when a spreadsheet would run it, quoted when it holds a
/// comma, quote or line break.
pub fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_and_formulas_are_kept_as_text() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+44 7700 900123"), "'+44 7700 900123");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\t=1"), "'\t=1");
    }
}
