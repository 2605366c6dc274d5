//! atom: an Atom feed per council of the listings most recently added or checked, so
//! newsletters, partners and feed readers hear about changes without visiting the site.
//! A listing's date in the feed is the council's last review of it (`review.last_checked`),
//! the only date the content records; withheld listings never reach this module.

use crate::render::ListingView;
use atom_syndication::{Category, Entry, Feed, FixedDateTime, Link, Person, Text};

/// Where the feed is written, relative to the council's site.
pub const FEED_PATH: &str = "feed.xml";
/// How many listings the feed carries: the newest first, as feed readers expect.
pub const MAX_ENTRIES: usize = 50;

/// The council's feed as XML. `site_name` and `base_url` come from the council's config;
/// `today` dates the feed when no listing has a review date.
pub fn feed(
    site_name: &str,
    base_url: &str,
    listings: &[std::sync::Arc<ListingView>],
    today: time::Date,
) -> String {
    let today = midnight(&today.to_string()).unwrap_or_default();
    let mut dated: Vec<(FixedDateTime, &ListingView)> = listings
        .iter()
        .map(|l| {
            let l: &ListingView = l;
            let date = l.last_checked_iso.as_deref().and_then(midnight);
            (date.unwrap_or(today), l)
        })
        .collect();
    // Newest first; the same date sorts by name then address so the feed is deterministic.
    // Only the newest are sorted: the feed carries MAX_ENTRIES of thousands.
    let newest_first = |(a, x): &(FixedDateTime, &ListingView),
                        (b, y): &(FixedDateTime, &ListingView)| {
        b.cmp(a).then(x.name.cmp(&y.name)).then(x.url.cmp(&y.url))
    };
    if dated.len() > MAX_ENTRIES {
        dated.select_nth_unstable_by(MAX_ENTRIES, newest_first);
        dated.truncate(MAX_ENTRIES);
    }
    dated.sort_by(newest_first);

    let updated = dated.first().map_or(today, |(d, _)| *d);
    let entries = dated
        .into_iter()
        .map(|(date, l)| Entry {
            id: format!("urn:uuid:{}", l.id),
            title: Text::plain(l.name.clone()),
            updated: date,
            links: vec![Link {
                href: format!("{base_url}{}", l.url),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Link::default()
            }],
            summary: Some(Text::plain(l.summary.clone())),
            categories: l
                .support_types
                .iter()
                .map(|t| Category {
                    term: t.key.clone(),
                    label: Some(t.label.clone()),
                    ..Category::default()
                })
                .collect(),
            ..Entry::default()
        })
        .collect();
    let feed = Feed {
        id: format!("{base_url}{FEED_PATH}"),
        title: Text::plain(format!("{site_name}: new and updated listings")),
        updated,
        authors: vec![Person {
            name: site_name.to_string(),
            uri: Some(base_url.to_string()),
            ..Person::default()
        }],
        links: vec![
            Link {
                href: format!("{base_url}{FEED_PATH}"),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Link::default()
            },
            Link {
                href: base_url.to_string(),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Link::default()
            },
        ],
        entries,
        ..Feed::default()
    };
    feed.to_string()
}

/// The start of a `YYYY-MM-DD` day in UTC, as Atom wants a full timestamp.
fn midnight(date: &str) -> Option<FixedDateTime> {
    FixedDateTime::parse_from_rfc3339(&format!("{date}T00:00:00Z")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_timestamps() {
        assert_eq!(
            midnight("2026-11-12").map(|d| d.to_rfc3339()),
            Some("2026-11-12T00:00:00+00:00".into())
        );
        assert_eq!(midnight("12/11/2026"), None);
    }
}
