//! The printable directory: an A4 booklet of every listing, by kind of help and then town,
//! with an index of towns, and the stylesheet that puts the site's address, the date and
//! page numbers in the printed margins. It is one large page laid out for paper rather than
//! the screen, made from an entry rendered once per listing.

use super::navigation::Nav;
use super::views::{url_segment, Labels, ListingView};
use super::{fingerprint, PageRenderer, RenderError};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Serialize)]
struct PrintGroup<'a> {
    key: String,
    label: &'a str,
    towns: Vec<PrintTown<'a>>,
}

#[derive(Serialize)]
struct PrintTown<'a> {
    label: &'a str,
    /// Each listing's rendered `print-entry.html`.
    listings: Vec<&'a str>,
}

/// Where the printable directory is published.
pub(super) const PRINT_PATH: &str = "print/index.html";

/// The printable directory: one section per kind of help, listings under their first town,
/// from each listing's rendered entry.
pub(super) fn print_page(
    renderer: &PageRenderer,
    labels: &Labels,
    views: &[Arc<ListingView>],
    nav: &Nav,
    today: time::Date,
    card_fps: &[u64],
    entries: &[Arc<str>],
) -> Result<String, RenderError> {
    let groups = print_groups(views, nav);
    let index = town_index(views, nav);
    let inputs = fingerprint(&(
        today,
        &index,
        groups
            .iter()
            .map(|(key, _, towns)| {
                let towns: Vec<(&str, Vec<u64>)> = towns
                    .iter()
                    .map(|(label, here)| (*label, here.iter().map(|&i| card_fps[i]).collect()))
                    .collect();
                (key, towns)
            })
            .collect::<Vec<_>>(),
    ));
    if renderer.unchanged(PRINT_PATH, inputs)? {
        return Ok(PRINT_PATH.to_string());
    }
    let groups: Vec<PrintGroup> = groups
        .into_iter()
        .map(|(key, label, towns)| PrintGroup {
            key,
            label,
            towns: towns
                .into_iter()
                .map(|(label, here)| PrintTown {
                    label,
                    listings: here.iter().map(|&i| &*entries[i]).collect(),
                })
                .collect(),
        })
        .collect();
    let today_long = labels.day_month_year(today);
    renderer.render_page(
        &mut renderer.base.clone(),
        PRINT_PATH,
        "print.html",
        |ctx| {
            ctx.insert("groups", &groups);
            ctx.insert("index", &index);
            ctx.insert("today_long", &today_long);
        },
    )
}

/// The booklet's index of towns: every town with the enterprises that serve it and the
/// section each is printed in, so a listing is found under every town, not only its first.
fn town_index<'a>(
    views: &'a [Arc<ListingView>],
    nav: &'a Nav,
) -> Vec<(&'a str, Vec<(&'a str, &'a str)>)> {
    nav.towns
        .iter()
        .chain(&nav.other_towns)
        .map(|town| {
            let key = town.key.to_ascii_lowercase();
            let serving = views
                .iter()
                .filter(|v| v.towns.iter().any(|t| t.key.to_ascii_lowercase() == key))
                .filter_map(|v| {
                    let first = v.support_types.first()?;
                    Some((v.name.as_str(), first.label.as_str()))
                })
                .collect();
            (town.label.as_str(), serving)
        })
        .collect()
}

/// The site's own lines for printed pages: its address and the day the copy is correct on
/// at the top of every page, the page number at the bottom. A stylesheet of its own because
/// page margins can only be filled from CSS.
pub(super) fn print_site_css(base_url: &str, correct_on: &str, page_word: &str) -> String {
    format!(
        "@page {{ @top-left {{ content: {}; font-size: 10pt; }} @top-right {{ content: {}; font-size: 10pt; }} @bottom-right {{ content: {} \" \" counter(page); font-size: 10pt; }} }}\n",
        css_string(base_url.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/')),
        css_string(correct_on),
        css_string(page_word),
    )
}

/// Text as a quoted CSS string that cannot end early or open anything.
fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' | '<' | '>' => out.push_str(&format!("\\{:x} ", c as u32)),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A section of the printable directory: its anchor, its heading, and its towns with the
/// positions of their listings.
type PrintSection<'a> = (String, &'a str, Vec<(&'a str, Vec<usize>)>);

/// The printable directory's sections: one per kind of help, listings under their first
/// town, in the order of the navigation. One pass files every listing under its kinds of
/// help and first town.
fn print_groups<'a>(views: &[Arc<ListingView>], nav: &'a Nav) -> Vec<PrintSection<'a>> {
    let mut filed: HashMap<(&str, String), Vec<usize>> = HashMap::new();
    for (i, v) in views.iter().enumerate() {
        let Some(town) = v.towns.first() else {
            continue;
        };
        let town = town.key.to_ascii_lowercase();
        let mut kinds: Vec<&str> = v.support_types.iter().map(|s| s.key.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        for kind in kinds {
            filed.entry((kind, town.clone())).or_default().push(i);
        }
    }
    nav.support
        .iter()
        .map(|term| {
            let towns = nav
                .towns
                .iter()
                .chain(&nav.other_towns)
                .filter_map(|town| {
                    let here = filed.get(&(term.key.as_str(), town.key.to_ascii_lowercase()))?;
                    Some((town.label.as_str(), here.clone()))
                })
                .collect();
            (
                format!("support-{}", url_segment(&term.key)),
                term.label.as_str(),
                towns,
            )
        })
        .collect()
}
