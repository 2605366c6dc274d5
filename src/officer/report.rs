//! `carepages report`: one self-contained HTML page for council officers about one
//! council's directory: where provision is missing (kinds of help and groups of people by
//! town and postcode district, each cell the number of published listings, empty cells
//! marked as gaps in words), how the directory has grown (from the content's git history,
//! as an inline SVG chart with its numbers as a table), and the evidence that lapses in
//! the next 90 days. No scripts, no files from elsewhere; every value from the content is
//! escaped. Counts are made as the site's browse pages make theirs: a listing counts once
//! under each of its kinds of help and places, names compared without case.

use super::{contact_line, due_dates, long_date, Due};
use crate::standards::{Council, Directory, Listing, StandardsProfile};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How far ahead the report looks for lapsing evidence.
pub const LAPSING_DAYS: u32 = 90;

/// What the report is made from, besides the checked directory.
pub struct ReportInput<'a> {
    pub directory: &'a Directory,
    pub council: &'a Council,
    pub profile: &'a StandardsProfile,
    /// Every kind of help and group of people the schema allows, so that one no listing
    /// offers still has its row of gaps.
    pub support_types: Vec<String>,
    pub who_for: Vec<String>,
    /// The day each listing file first arrived in git, by file name; or why it is not known.
    pub history: Result<BTreeMap<String, time::Date>, String>,
    pub today: time::Date,
}

/// One published listing's terms, in lower case, each once.
struct Terms<'a> {
    support: Vec<String>,
    who_for: Vec<String>,
    towns: Vec<String>,
    districts: Vec<String>,
    new_clients: bool,
    listing: &'a Listing,
}

fn unique_lower(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        let key = i.to_lowercase();
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

impl<'a> Terms<'a> {
    fn of(l: &'a Listing) -> Terms<'a> {
        let f = &l.front;
        Terms {
            support: unique_lower(&f.support_types),
            who_for: unique_lower(&f.who_for),
            towns: unique_lower(&f.service_area.towns),
            districts: unique_lower(&f.service_area.postcode_districts),
            new_clients: f.availability.taking_new_clients.as_deref() == Some("yes"),
            listing: l,
        }
    }
}

/// A count of listings, and how many of them take new clients.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub listings: usize,
    pub new_clients: usize,
}

/// A grid of counts: rows (kinds of help or groups) by columns (places).
#[derive(Debug)]
pub struct Grid {
    /// Row keys with their labels.
    pub rows: Vec<(String, String)>,
    /// Column keys (lower case) with their labels.
    pub columns: Vec<(String, String)>,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<Cell>>,
    /// Listings under each row, in any place: the row's browse page count.
    pub row_totals: Vec<Cell>,
    /// Listings in each place, of any kind: the place's browse page count.
    pub column_totals: Vec<Cell>,
}

/// Keys (lower case for places) with the labels people read.
type Keyed = Vec<(String, String)>;

/// Which of a listing's terms a grid's rows or columns are.
type TermsOf = for<'t> fn(&'t Terms<'t>) -> &'t [String];

fn grid(
    terms: &[Terms],
    rows: &[(String, String)],
    columns: &[(String, String)],
    row_of: TermsOf,
    column_of: TermsOf,
) -> Grid {
    let mut cells = vec![vec![Cell::default(); columns.len()]; rows.len()];
    let mut row_totals = vec![Cell::default(); rows.len()];
    let mut column_totals = vec![Cell::default(); columns.len()];
    let add = |c: &mut Cell, t: &Terms| {
        c.listings += 1;
        c.new_clients += usize::from(t.new_clients);
    };
    for t in terms {
        let rs: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, (k, _))| row_of(t).contains(&k.to_lowercase()))
            .map(|(i, _)| i)
            .collect();
        let cs: Vec<usize> = columns
            .iter()
            .enumerate()
            .filter(|(_, (k, _))| column_of(t).contains(k))
            .map(|(i, _)| i)
            .collect();
        for &r in &rs {
            add(&mut row_totals[r], t);
            for &c in &cs {
                add(&mut cells[r][c], t);
            }
        }
        for &c in &cs {
            add(&mut column_totals[c], t);
        }
    }
    Grid {
        rows: rows.to_vec(),
        columns: columns.to_vec(),
        cells,
        row_totals,
        column_totals,
    }
}

/// A key as people read it: `home_help` becomes "Home help".
fn label(key: &str) -> String {
    let spaced = key.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The report's grids, for the page and for tests that compare them with the site.
pub struct Grids {
    pub support_by_town: Grid,
    pub support_by_district: Grid,
    pub who_for_by_town: Grid,
}

/// Rows from the schema's list, then any key a listing uses that the list lacks.
fn rows_for(choices: &[String], used: impl Iterator<Item = String>) -> Vec<(String, String)> {
    let mut keys: Vec<String> = choices.to_vec();
    let mut extra: Vec<String> = used
        .filter(|k| !keys.iter().any(|c| c.to_lowercase() == *k))
        .collect();
    extra.sort();
    extra.dedup();
    keys.extend(extra);
    keys.into_iter()
        .map(|k| {
            let l = label(&k);
            (k, l)
        })
        .collect()
}

/// The council's towns and districts in its own order; the places listings name when it
/// has none.
fn places(council: &Council, terms: &[Terms]) -> (Keyed, Keyed) {
    let mut towns: Vec<(String, String)> = Vec::new();
    let mut districts: Vec<(String, String)> = Vec::new();
    let push = |list: &mut Vec<(String, String)>, name: &str| {
        let key = name.to_lowercase();
        if !list.iter().any(|(k, _)| *k == key) {
            list.push((key, name.to_string()));
        }
    };
    for area in &council.settings.areas {
        push(&mut towns, &area.town);
        for d in &area.postcode_districts {
            push(&mut districts, &d.to_uppercase());
        }
    }
    if council.settings.areas.is_empty() {
        let mut named: Vec<&String> = terms
            .iter()
            .flat_map(|t| &t.listing.front.service_area.towns)
            .collect();
        named.sort();
        for t in named {
            push(&mut towns, t);
        }
        let mut named: Vec<String> = terms
            .iter()
            .flat_map(|t| &t.listing.front.service_area.postcode_districts)
            .map(|d| d.to_uppercase())
            .collect();
        named.sort();
        for d in named {
            push(&mut districts, &d);
        }
    }
    (towns, districts)
}

/// Counts the published listings of the council by kind of help, group and place.
pub fn grids(input: &ReportInput) -> Grids {
    let published = input.directory.published_for(&input.council.id);
    let terms: Vec<Terms> = published.iter().map(|l| Terms::of(l)).collect();
    let (towns, districts) = places(input.council, &terms);
    let support = rows_for(
        &input.support_types,
        terms.iter().flat_map(|t| t.support.clone()),
    );
    let who_for = rows_for(&input.who_for, terms.iter().flat_map(|t| t.who_for.clone()));
    Grids {
        support_by_town: grid(&terms, &support, &towns, |t| &t.support, |t| &t.towns),
        support_by_district: grid(
            &terms,
            &support,
            &districts,
            |t| &t.support,
            |t| &t.districts,
        ),
        who_for_by_town: grid(&terms, &who_for, &towns, |t| &t.who_for, |t| &t.towns),
    }
}

/// Reads and checks the content on `today` and makes the report of `council`.
pub fn make(
    content: &std::path::Path,
    council: &str,
    today: time::Date,
) -> Result<String, super::OfficerError> {
    let directory = super::checked(content, today)?;
    let council = super::council(&directory, council)?;
    let profile = super::profile(content, council)?;
    let schema = crate::standards::Schema::load(
        content,
        "enterprise.schema.json",
        crate::standards::DEFAULT_LISTING_SCHEMA,
        "a listing",
    )
    .map_err(|e| super::OfficerError::Rules(e.into()))?;
    let input = ReportInput {
        directory: &directory,
        council,
        profile: &profile,
        support_types: schema.list_choices("support_types"),
        who_for: schema.list_choices("who_for"),
        history: super::git::first_added(content),
        today,
    };
    Ok(html(&input))
}

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:#1b1b1b;background:#fff;margin:0 auto;padding:1rem 1.5rem 3rem;max-width:80rem;line-height:1.45}
h1{font-size:1.8rem;margin-bottom:.25rem}h2{margin-top:2.5rem;border-bottom:2px solid #1d5c4d;padding-bottom:.2rem}h3{margin-top:1.75rem}
.scroll{overflow-x:auto;max-width:100%}.scroll:focus{outline:3px solid #1d5c4d;outline-offset:2px}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.95rem}caption{text-align:left;font-weight:600;padding:.3rem 0;caption-side:top}
th,td{border:1px solid #6b6b6b;padding:.3rem .5rem;text-align:left;vertical-align:top}thead th{background:#e8efed}
td.n{text-align:right;white-space:nowrap}td.gap{background:#fbe3e0;color:#6e1209;font-weight:600;text-align:center}
.total{font-weight:600;background:#f2f2f2}.muted{color:#4a4a4a}.note{background:#f4f4f4;border-left:4px solid #1d5c4d;padding:.5rem .75rem}
svg text{font-size:12px;fill:#1b1b1b}
@media print{body{max-width:none;padding:0}.scroll{overflow:visible}h2{break-before:auto}table,svg{break-inside:avoid}td.gap{background:none;border:2px solid #000}}";

/// The report as one HTML page.
pub fn html(input: &ReportInput) -> String {
    let council = input.council;
    let name = &council.settings.name;
    let published = input.directory.published_for(&council.id);
    let all = super::listings_of(input.directory, &council.id);
    let grids = grids(input);
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n<title>{} provision report, {}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<main>\n<h1>{}: where provision is missing</h1>\n<p class=\"muted\">A report for council officers, made by carepages {} from the content as judged on {}. It is not part of the public site.</p>\n",
        esc(name),
        input.today,
        esc(name),
        env!("CARGO_PKG_VERSION"),
        long_date(input.today)
    );
    summary(&mut page, input, &grids, published.len(), all.len());
    page.push_str("<h2 id=\"gaps\">Kinds of help by place</h2>\n<p>Each cell is the number of listings on the site offering that kind of help there, then how many of them take new clients. A cell marked <strong>gap</strong> has no listing at all. The totals are the counts on the site's browse pages.</p>\n");
    grid_table(
        &mut page,
        "support-town",
        "Kinds of help by town",
        "Kind of help",
        &grids.support_by_town,
    );
    grid_table(
        &mut page,
        "support-district",
        "Kinds of help by postcode district",
        "Kind of help",
        &grids.support_by_district,
    );
    page.push_str("<h2 id=\"groups\">Who it is for, by town</h2>\n");
    grid_table(
        &mut page,
        "who-town",
        "Groups of people by town",
        "Who it is for",
        &grids.who_for_by_town,
    );
    growth(&mut page, input, &published);
    lapsing(&mut page, input);
    page.push_str("</main>\n</body>\n</html>\n");
    page
}

fn summary(page: &mut String, input: &ReportInput, grids: &Grids, shown: usize, all: usize) {
    let g = &grids.support_by_town;
    let empty_places: Vec<String> = g
        .columns
        .iter()
        .zip(&g.column_totals)
        .filter(|(_, c)| c.listings == 0)
        .map(|((_, l), _)| esc(l))
        .collect();
    let nowhere: Vec<String> = g
        .rows
        .iter()
        .zip(&g.row_totals)
        .filter(|(_, c)| c.listings == 0)
        .map(|((_, l), _)| esc(l))
        .collect();
    let gaps: usize = g.cells.iter().flatten().filter(|c| c.listings == 0).count();
    let _ = write!(
        page,
        "<h2 id=\"summary\">In short</h2>\n<ul>\n<li>{shown} listing{} on the site; {} withheld.</li>\n<li>{gaps} of {} kinds of help by town have no listing.</li>\n<li>Towns with no listing at all: {}.</li>\n<li>Kinds of help no listing offers: {}.</li>\n</ul>\n",
        if shown == 1 { "" } else { "s" },
        all.saturating_sub(shown),
        g.rows.len() * g.columns.len(),
        if empty_places.is_empty() { "none".to_string() } else { empty_places.join(", ") },
        if nowhere.is_empty() { "none".to_string() } else { nowhere.join(", ") },
    );
    let _ = input;
}

fn grid_table(page: &mut String, id: &str, caption: &str, row_heading: &str, g: &Grid) {
    if g.columns.is_empty() {
        let _ = writeln!(
            page,
            "<h3>{caption}</h3>\n<p>The council's settings name no places, and no listing names one.</p>"
        );
        return;
    }
    let _ = write!(
        page,
        "<h3 id=\"{id}\">{caption}</h3>\n<div class=\"scroll\" role=\"region\" aria-labelledby=\"{id}-caption\" tabindex=\"0\">\n<table>\n<caption id=\"{id}-caption\">{caption}: listings (taking new clients)</caption>\n<thead>\n<tr><th scope=\"col\">{row_heading}</th>"
    );
    for (_, label) in &g.columns {
        let _ = write!(page, "<th scope=\"col\">{}</th>", esc(label));
    }
    page.push_str("<th scope=\"col\">All places</th></tr>\n</thead>\n<tbody>\n");
    for (r, (_, label)) in g.rows.iter().enumerate() {
        let _ = write!(page, "<tr><th scope=\"row\">{}</th>", esc(label));
        for cell in &g.cells[r] {
            page.push_str(&cell_html(*cell, ""));
        }
        page.push_str(&cell_html(g.row_totals[r], " total"));
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody>\n<tfoot>\n<tr><th scope=\"row\">All listings</th>");
    for total in &g.column_totals {
        page.push_str(&cell_html(*total, " total"));
    }
    page.push_str("<td class=\"n total\"></td></tr>\n</tfoot>\n</table>\n</div>\n");
}

fn cell_html(c: Cell, class: &str) -> String {
    if c.listings == 0 {
        format!("<td class=\"gap{class}\">gap</td>")
    } else {
        format!(
            "<td class=\"n{class}\">{} <span class=\"muted\">({} new)</span></td>",
            c.listings, c.new_clients
        )
    }
}

fn growth(page: &mut String, input: &ReportInput, published: &[&Listing]) {
    page.push_str("<h2 id=\"growth\">Growth of the directory</h2>\n");
    let history = match &input.history {
        Ok(h) => h,
        Err(why) => {
            let _ = writeln!(
                page,
                "<p class=\"note\">Growth over time cannot be shown: {}.</p>",
                esc(why)
            );
            return;
        }
    };
    let mut by_month: BTreeMap<(i32, u8), usize> = BTreeMap::new();
    let mut unknown = 0;
    for l in published {
        let file = l
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match history.get(&file) {
            Some(d) => *by_month.entry((d.year(), u8::from(d.month()))).or_default() += 1,
            None => unknown += 1,
        }
    }
    let Some((&first, _)) = by_month.iter().next() else {
        page.push_str("<p class=\"note\">No listing on the site has been committed to git yet, so there is no history to show.</p>\n");
        return;
    };
    let last = by_month
        .keys()
        .next_back()
        .copied()
        .unwrap_or(first)
        .max((input.today.year(), u8::from(input.today.month())));
    let mut months = Vec::new();
    let (mut y, mut m) = first;
    let mut total = 0;
    while (y, m) <= last && months.len() < 600 {
        let added = by_month.get(&(y, m)).copied().unwrap_or(0);
        total += added;
        months.push((format!("{y:04}-{m:02}"), added, total));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    let _ = writeln!(
        page,
        "<p>Listings on the site now, by the month their file was first committed to the content's git history.{}</p>",
        if unknown > 0 {
            format!(" {unknown} listing(s) not yet committed are left out.")
        } else {
            String::new()
        }
    );
    chart(page, &months, total);
    page.push_str("<div class=\"scroll\" role=\"region\" aria-labelledby=\"growth-caption\" tabindex=\"0\">\n<table>\n<caption id=\"growth-caption\">Listings published per month</caption>\n<thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Added</th><th scope=\"col\">On the site by the end of the month</th></tr></thead>\n<tbody>\n");
    for (month, added, total) in &months {
        let _ = writeln!(
            page,
            "<tr><th scope=\"row\">{month}</th><td class=\"n\">{added}</td><td class=\"n\">{total}</td></tr>"
        );
    }
    page.push_str("</tbody>\n</table>\n</div>\n");
}

/// A bar chart of the listings on the site by the end of each month.
fn chart(page: &mut String, months: &[(String, usize, usize)], most: usize) {
    let bar = 24usize;
    let gap = 8usize;
    let (left, top, height, bottom) = (40usize, 12usize, 180usize, 56usize);
    let width = left + months.len() * (bar + gap) + gap;
    let most = most.max(1);
    let _ = write!(
        page,
        "<figure>\n<svg role=\"img\" aria-labelledby=\"growth-title growth-desc\" viewBox=\"0 0 {width} {}\" width=\"{width}\" height=\"{}\">\n<title id=\"growth-title\">Listings on the site by month</title>\n<desc id=\"growth-desc\">A bar for each month from {} to {}, rising to {most} listings. The same numbers are in the table below.</desc>\n",
        top + height + bottom,
        top + height + bottom,
        months.first().map(|m| m.0.as_str()).unwrap_or(""),
        months.last().map(|m| m.0.as_str()).unwrap_or("")
    );
    let base = top + height;
    let _ = writeln!(
        page,
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{width}\" y2=\"{base}\" stroke=\"#1b1b1b\"/>\n<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{most}</text>\n<text x=\"{}\" y=\"{base}\" text-anchor=\"end\">0</text>",
        left - 4,
        top + 10,
        left - 4
    );
    for (i, (month, _, total)) in months.iter().enumerate() {
        let x = left + gap + i * (bar + gap);
        let h = total * height / most;
        let _ = writeln!(
            page,
            "<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{h}\" fill=\"#1d5c4d\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{total}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\" transform=\"rotate(-45 {} {})\">{month}</text>",
            base - h,
            x + bar / 2,
            (base - h).saturating_sub(3).max(10),
            x + bar / 2,
            base + 14,
            x + bar / 2,
            base + 14
        );
    }
    page.push_str("</svg>\n<figcaption>Listings on the site by the end of each month (from git history).</figcaption>\n</figure>\n");
}

fn lapsing(page: &mut String, input: &ReportInput) {
    let until = super::days_after(input.today, LAPSING_DAYS);
    let dues: Vec<Due> = due_dates(input.directory, input.council, input.profile)
        .into_iter()
        .filter(|d| d.due.date >= input.today && d.due.date <= until)
        .collect();
    let _ = writeln!(
        page,
        "<h2 id=\"lapsing\">Evidence that lapses in the next {LAPSING_DAYS} days</h2>\n<p>From {} to {}: {} date{}. A listing is withheld from the day after its required evidence or review runs out, unless it is renewed.</p>",
        long_date(input.today),
        long_date(until),
        dues.len(),
        if dues.len() == 1 { "" } else { "s" }
    );
    if dues.is_empty() {
        return;
    }
    page.push_str("<div class=\"scroll\" role=\"region\" aria-labelledby=\"lapsing-caption\" tabindex=\"0\">\n<table>\n<caption id=\"lapsing-caption\">Evidence and reviews that run out soon, soonest first</caption>\n<thead><tr><th scope=\"col\">Last day</th><th scope=\"col\">Listing</th><th scope=\"col\">What</th><th scope=\"col\">Withheld after</th><th scope=\"col\">Contact</th></tr></thead>\n<tbody>\n");
    for d in &dues {
        let _ = writeln!(
            page,
            "<tr><td>{}</td><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            d.due.date,
            esc(&d.listing.front.name),
            esc(&d.due.name),
            if d.due.required { "yes" } else { "no" },
            esc(&contact_line(&d.listing.front))
        );
    }
    page.push_str("</tbody>\n</table>\n</div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            esc("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn keys_read_as_words() {
        assert_eq!(label("home_help"), "Home help");
    }
}
