//! render: turns one council's checked listings into HTML pages and assets with the
//! council's theme. Pages are rendered in parallel and handed to a `Sink` as they are made;
//! this module never decides what is published and never touches `output/` directly.

mod markdown;
pub mod photos;
mod structured;
mod theme;
mod views;

pub use markdown::{to_plain_text, to_safe_html};
pub use theme::{error_chain, hashed_name, minify_template, Theme, ThemeError, BASE_THEME};
pub use views::*;

use crate::standards::{Council, Listing};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::Path;

/// How many listings a browse page shows before it continues on the next page.
pub const PER_PAGE: usize = 20;

/// Where rendered files go; the publish stage supplies one that writes a staging folder.
pub trait Sink: Sync {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()>;
}

/// A site's files held in memory, by site-relative path: for the preview server, the
/// fuzzer and the benchmarks.
#[derive(Default)]
pub struct MemorySite(std::sync::Mutex<HashMap<String, Vec<u8>>>);

impl Sink for MemorySite {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("a rendering thread failed"))?
            .insert(path.to_string(), bytes.to_vec());
        Ok(())
    }
}

impl MemorySite {
    pub fn into_files(self) -> HashMap<String, Vec<u8>> {
        self.0.into_inner().unwrap_or_default()
    }
}

/// A rendering failure, named by page and template.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the page {page} could not be made with template {template}: {message}")]
    Template {
        page: String,
        template: String,
        message: String,
    },
    #[error("{path} could not be written: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("the photo {path} could not be used: {message}")]
    Photo { path: String, message: String },
    #[error("the council's logo {path} could not be read: {source}")]
    Logo {
        path: String,
        source: std::io::Error,
    },
    #[error("the search index could not be made: {0}")]
    SearchIndex(#[from] crate::search::SearchError),
}

/// Makes the site's search index. It runs alongside the listing pages, which do not need
/// it; only the search page, made after them, names the index file.
pub type MakeIndex<'a> = &'a (dyn Fn() -> Result<Vec<u8>, crate::search::SearchError> + Sync);

/// What was made for one council: its pages' paths (for the sitemap) and its listing views.
pub struct RenderedSite {
    pub pages: Vec<String>,
    pub listings: Vec<ListingView>,
    /// How long each part took, for `--timings`. The listing pages and the search index
    /// are made at the same time, so their times overlap.
    pub timings: crate::Timings,
}

#[derive(Serialize)]
struct SiteView<'a> {
    id: &'a str,
    name: &'a str,
    base_url: &'a str,
    lang: &'a str,
    contact: SiteContact,
    logo: Option<String>,
    intro_html: Option<String>,
    listing_count: usize,
    taking_new_count: usize,
}

#[derive(Serialize)]
struct SiteContact {
    email: Option<String>,
    phone: Option<String>,
    phone_href: Option<String>,
    website: Option<String>,
}

#[derive(Serialize, Default)]
struct Nav {
    support: Vec<Term>,
    who_for: Vec<Term>,
    towns: Vec<Term>,
    districts: Vec<Term>,
}

#[derive(Serialize)]
struct Pagination {
    current: usize,
    total: usize,
    prev_url: Option<String>,
    next_url: Option<String>,
    pages: Vec<PageLink>,
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
    current: bool,
    /// Pages were skipped before this one (shown as an ellipsis).
    gap_before: bool,
}

/// The page numbers a paginated list links to: the first, the last, and two either side of
/// the current one. Linking every page would make each page's size grow with the list.
fn page_window(current: usize, total: usize) -> Vec<usize> {
    let mut numbers: Vec<usize> = [1, total]
        .into_iter()
        .chain(current.saturating_sub(2).max(1)..=(current + 2).min(total))
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// Everything one council's site is made from.
#[derive(Clone, Copy)]
pub struct SiteInput<'a> {
    pub council: &'a Council,
    /// The council's published listings, in name order.
    pub listings: &'a [&'a Listing],
    pub theme: &'a Theme,
    pub content_root: &'a Path,
    /// Files made elsewhere (the search engine), published with hashed names.
    pub extra_assets: &'a [(&'a str, &'a [u8])],
    /// The day of the build, shown on the printable directory.
    pub today: time::Date,
    /// Makes the search index (published as `search-index.wasm`); `None` for a site
    /// without search.
    pub search_index: Option<MakeIndex<'a>>,
}

/// Renders every page of one council's site into `sink`.
pub fn render_site(input: &SiteInput, sink: &dyn Sink) -> Result<RenderedSite, RenderError> {
    let SiteInput {
        council,
        listings,
        theme,
        content_root,
        extra_assets,
        today,
        search_index,
    } = *input;
    let labels = Labels {
        strings: &theme.strings,
    };
    let mut assets = write_assets(theme, sink)?;
    for (name, bytes) in extra_assets {
        let hashed = format!("assets/{}", hashed_name(name, bytes));
        write(sink, &hashed, bytes)?;
        assets.insert((*name).to_string(), hashed);
    }
    if let Some(css) = brand_css(council) {
        let name = format!("assets/{}", hashed_name("brand.css", css.as_bytes()));
        write(sink, &name, css.as_bytes())?;
        assets.insert("brand.css".into(), name);
    }
    let logo = match &council.settings.brand.logo {
        Some(file) => {
            let path = content_root.join("councils").join(file);
            let bytes = std::fs::read(&path).map_err(|source| RenderError::Logo {
                path: path.display().to_string(),
                source,
            })?;
            let name = format!("assets/{}", hashed_name(file, &bytes));
            write(sink, &name, &bytes)?;
            Some(name)
        }
        None => None,
    };

    let mut timings = crate::Timings::default();
    let started = std::time::Instant::now();
    let views: Result<Vec<ListingView>, RenderError> = listings
        .par_iter()
        .map(|l| {
            let mut view = listing_view(l, &labels, council);
            if let Some(photo) = l.front.photo.as_ref().filter(|p| p.people_consented) {
                let folder = content_root.join(l.file.parent().unwrap_or(Path::new("")));
                let made = photos::publish(&folder.join(&photo.file), &l.slug, &photo.alt, sink)?;
                view.photo = Some(made);
            }
            Ok(view)
        })
        .collect();
    let views = views?;
    timings.push("listing views (Markdown, photos)", started.elapsed());
    let nav = navigation(&views, council);
    let s = &council.settings;
    let site = SiteView {
        id: &council.id,
        name: &s.name,
        base_url: &s.base_url,
        lang: s.languages.first().map(String::as_str).unwrap_or("en"),
        contact: SiteContact {
            email: s.contact.email.clone(),
            phone: s.contact.phone.clone(),
            phone_href: s.contact.phone.as_deref().map(tel_href),
            website: s.contact.website.clone(),
        },
        logo,
        intro_html: s.intro.as_deref().map(to_safe_html),
        listing_count: views.len(),
        taking_new_count: views
            .iter()
            .filter(|v| v.new_clients.as_ref().is_some_and(|n| n.key != "no"))
            .count(),
    };
    let mut base = tera::Context::new();
    base.insert("site", &site);
    base.insert("t", &theme.strings);
    base.insert("assets", &assets);
    base.insert("nav", &nav);
    let has_search = search_index.is_some();
    base.insert("search", &has_search);

    let renderer = PageRenderer {
        theme,
        base: &base,
        sink,
        base_url: &s.base_url,
    };
    let mut pages = Vec::new();

    pages.push(renderer.page("index.html", "home.html", &[])?);
    pages.push(renderer.page("404.html", "404.html", &[])?);
    if has_search {
        renderer.xml("opensearch.xml", "opensearch.xml")?;
    }

    let ((index, index_took), (listing_pages, pages_took)) = rayon::join(
        || crate::Timings::timed(|| search_index.map(|make| make()).transpose()),
        || crate::Timings::timed(|| listing_pages(&renderer, &base, &views, listings, &s.base_url)),
    );
    timings.push("listing pages", pages_took);
    timings.push("search index (alongside)", index_took);
    pages.extend(listing_pages?);
    let started = std::time::Instant::now();
    if let Some(index) = index? {
        let hashed = format!("assets/{}", hashed_name(crate::search::INDEX_NAME, &index));
        write(sink, &hashed, &index)?;
        assets.insert(crate::search::INDEX_NAME.to_string(), hashed);
        let mut ctx = base.clone();
        ctx.insert("assets", &assets);
        pages.push(renderer.page_in(&mut ctx, "search/index.html", "search.html", |_| {})?);
    }

    // Browse pages are at two depths below their list's folder: the first page, and
    // `page/N/` after it.
    let mut browse_depths = vec![depth("enterprises/"), depth("enterprises/page/2/")];
    for term in nav
        .support
        .iter()
        .chain(&nav.who_for)
        .chain(&nav.towns)
        .chain(&nav.districts)
    {
        browse_depths.extend([depth(&term.url), depth(&format!("{}page/2/", term.url))]);
    }
    browse_depths.sort_unstable();
    browse_depths.dedup();
    let card_html = CardHtml::render(&renderer, &views, browse_depths)?;
    timings.push("cards", started.elapsed());
    let started = std::time::Instant::now();

    // The printable directory is one large page: it is made while the browse pages are,
    // from entries rendered once per listing.
    let (browse, print) = rayon::join(
        || browse_pages(&renderer, &labels, &nav, &views, &card_html),
        || crate::Timings::timed(|| print_page(&renderer, &views, &nav, today)),
    );
    pages.extend(browse?);
    timings.push("browse pages", started.elapsed());
    let (print, print_took) = print;
    pages.push(print?);
    timings.push("printable directory (alongside)", print_took);
    let started = std::time::Instant::now();
    for (dir, kind, title_key) in [
        ("support/", "support", "browse_support"),
        ("for/", "who_for", "browse_who_for"),
        ("areas/", "areas", "browse_areas"),
    ] {
        let extra = [
            ("kind", serde_json::json!(kind)),
            ("title", serde_json::json!(labels.text(title_key))),
        ];
        pages.push(renderer.page(&format!("{dir}index.html"), "terms.html", &extra)?);
    }
    timings.push("term lists", started.elapsed());
    pages.sort();
    Ok(RenderedSite {
        pages,
        listings: views,
        timings,
    })
}

/// Every listing's own page, with its schema.org data, in parallel.
fn listing_pages(
    renderer: &PageRenderer,
    base: &tera::Context,
    views: &[ListingView],
    listings: &[&Listing],
    base_url: &str,
) -> Result<Vec<String>, RenderError> {
    views
        .par_iter()
        .zip(listings.par_iter())
        .map_init(
            || base.clone(),
            |ctx, (v, l)| {
                let canonical = format!("{base_url}{}", v.url);
                let json_ld = structured::listing(l, v, &canonical);
                renderer.page_in(
                    ctx,
                    &format!("{}index.html", v.url),
                    "listing.html",
                    |ctx| {
                        ctx.insert("listing", v);
                        ctx.insert("json_ld", &json_ld);
                    },
                )
            },
        )
        .collect()
}

/// Every browse page: all listings, then each kind of help, group of people, town and
/// postcode district.
fn browse_pages(
    renderer: &PageRenderer,
    labels: &Labels,
    nav: &Nav,
    views: &[ListingView],
    card_html: &CardHtml,
) -> Result<Vec<String>, RenderError> {
    let all: Vec<usize> = (0..views.len()).collect();
    let mut pages = renderer.browse(
        "enterprises/",
        &labels.text("all_listings"),
        "all",
        None,
        &all,
        card_html,
    )?;
    type KeysOf = fn(&ListingView) -> Vec<&str>;
    let facets: [(&str, &Vec<Term>, KeysOf); 4] = [
        ("support", &nav.support, |v| {
            v.support_types.iter().map(|t| t.key.as_str()).collect()
        }),
        ("who_for", &nav.who_for, |v| {
            v.who_for.iter().map(|t| t.key.as_str()).collect()
        }),
        ("town", &nav.towns, |v| {
            v.towns.iter().map(|t| t.key.as_str()).collect()
        }),
        ("district", &nav.districts, |v| {
            v.postcode_districts
                .iter()
                .map(|t| t.key.as_str())
                .collect()
        }),
    ];
    for (kind, terms, keys_of) in &facets {
        // One pass over the listings files every card under its terms, in listing order.
        let mut by_term: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, v) in views.iter().enumerate() {
            let mut keys: Vec<String> = keys_of(v).iter().map(|k| k.to_ascii_lowercase()).collect();
            keys.sort_unstable();
            keys.dedup();
            for key in keys {
                by_term.entry(key).or_default().push(i);
            }
        }
        let made: Result<Vec<Vec<String>>, RenderError> = terms
            .par_iter()
            .map(|term| {
                let cards = by_term
                    .get(&term.key.to_ascii_lowercase())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                renderer.browse(&term.url, &term.label, kind, Some(term), cards, card_html)
            })
            .collect();
        pages.extend(made?.into_iter().flatten());
    }
    Ok(pages)
}

struct PageRenderer<'a> {
    theme: &'a Theme,
    base: &'a tera::Context,
    sink: &'a dyn Sink,
    base_url: &'a str,
}

impl PageRenderer<'_> {
    /// Renders `template` to `path` with the site context plus `extra`. Templates were
    /// minified when the theme was loaded.
    fn page(
        &self,
        path: &str,
        template: &str,
        extra: &[(&str, serde_json::Value)],
    ) -> Result<String, RenderError> {
        self.page_in(&mut self.base.clone(), path, template, |ctx| {
            for (k, v) in extra {
                ctx.insert(*k, v);
            }
        })
    }

    /// As [`page`](Self::page), reusing `ctx` (a copy of the site context) so that a run of
    /// pages of one kind copies the whole-site data once, not once per page. `fill` adds the
    /// page's own data, straight from its typed values (one conversion, not two). Every page
    /// of a kind sets the same keys, so nothing from the previous page is left behind.
    fn page_in(
        &self,
        ctx: &mut tera::Context,
        path: &str,
        template: &str,
        fill: impl FnOnce(&mut tera::Context),
    ) -> Result<String, RenderError> {
        ctx.insert("root", &self.root_of(path));
        let page_url = path.strip_suffix("index.html").unwrap_or(path);
        ctx.insert("page_url", page_url);
        ctx.insert("canonical", &format!("{}{}", self.base_url, page_url));
        fill(ctx);
        let html = self.fragment(ctx, path, template)?;
        write(self.sink, path, html.as_bytes())?;
        Ok(path.to_string())
    }

    /// How a page links to the top of the site. Links are relative so a site works from any
    /// folder, except on the 404 page, which hosts serve at whatever address was missing: it
    /// links from the site's own path.
    fn root_of(&self, path: &str) -> String {
        if path == "404.html" {
            site_path(self.base_url)
        } else {
            "../".repeat(path.matches('/').count())
        }
    }

    /// Renders `template` with `ctx` into a string, naming `page` if it fails.
    fn fragment(
        &self,
        ctx: &tera::Context,
        page: &str,
        template: &str,
    ) -> Result<String, RenderError> {
        self.theme
            .tera
            .render(template, ctx)
            .map_err(|e| RenderError::Template {
                page: page.to_string(),
                template: format!(
                    "themes/{}/templates/{template} (or the default theme's)",
                    self.theme.name
                ),
                message: error_chain(&e),
            })
    }

    /// A non-HTML file from a template, such as the OpenSearch description.
    fn xml(&self, path: &str, template: &str) -> Result<(), RenderError> {
        let mut ctx = self.base.clone();
        ctx.insert("root", "");
        let text = self
            .theme
            .tera
            .render(template, &ctx)
            .map_err(|e| RenderError::Template {
                page: path.to_string(),
                template: template.to_string(),
                message: error_chain(&e),
            })?;
        write(self.sink, path, text.as_bytes())
    }

    /// A browse page of cards, split into pages of `PER_PAGE`. `cards` are positions in
    /// `card_html`, each card already rendered once for every depth of page that shows it.
    fn browse(
        &self,
        url: &str,
        title: &str,
        kind: &str,
        term: Option<&Term>,
        cards: &[usize],
        card_html: &CardHtml,
    ) -> Result<Vec<String>, RenderError> {
        let chunks: Vec<&[usize]> = if cards.is_empty() {
            vec![&[][..]]
        } else {
            cards.chunks(PER_PAGE).collect()
        };
        let total = chunks.len();
        let page_url = |n: usize| {
            if n == 1 {
                url.to_string()
            } else {
                format!("{url}page/{n}/")
            }
        };
        let mut made = Vec::with_capacity(total);
        let mut ctx = self.base.clone();
        for (i, chunk) in chunks.iter().enumerate() {
            let n = i + 1;
            let pagination = Pagination {
                current: n,
                total,
                prev_url: (n > 1).then(|| page_url(n - 1)),
                next_url: (n < total).then(|| page_url(n + 1)),
                pages: {
                    let mut previous = 0;
                    page_window(n, total)
                        .into_iter()
                        .map(|p| {
                            let link = PageLink {
                                number: p,
                                url: page_url(p),
                                current: p == n,
                                gap_before: p > previous + 1,
                            };
                            previous = p;
                            link
                        })
                        .collect()
                },
            };
            let path = format!("{}index.html", page_url(n));
            let rendered = card_html.at_depth(depth(&path));
            let html: Vec<&str> = chunk.iter().map(|&c| rendered[c].as_str()).collect();
            made.push(self.page_in(&mut ctx, &path, "browse.html", |ctx| {
                ctx.insert("title", title);
                ctx.insert("kind", kind);
                ctx.insert("term", &term);
                ctx.insert("cards", &html);
                ctx.insert("count", &cards.len());
                ctx.insert("first_number", &(i * PER_PAGE + 1));
                ctx.insert("last_number", &(i * PER_PAGE + chunk.len()));
                ctx.insert("pagination", &pagination);
            })?);
        }
        Ok(made)
    }
}

/// How many folders deep a page is: its links to the rest of the site start with that
/// many `../`.
fn depth(path: &str) -> usize {
    path.matches('/').count()
}

/// Every listing's card (`card.html`), rendered once for each depth of browse page: a
/// listing appears on about ten browse pages, and its card is the same on all of them but
/// for how its link climbs to the top of the site.
struct CardHtml(BTreeMap<usize, Vec<String>>);

impl CardHtml {
    fn render(
        renderer: &PageRenderer,
        views: &[ListingView],
        depths: impl IntoIterator<Item = usize>,
    ) -> Result<CardHtml, RenderError> {
        let mut by_depth = BTreeMap::new();
        for d in depths {
            let root = "../".repeat(d);
            let made: Result<Vec<String>, RenderError> = views
                .par_iter()
                .map_init(
                    || {
                        let mut ctx = tera::Context::new();
                        ctx.insert("t", &renderer.theme.strings);
                        ctx.insert("root", &root);
                        ctx
                    },
                    |ctx, v| {
                        ctx.insert("card", &v.card);
                        renderer.fragment(ctx, &v.url, "card.html")
                    },
                )
                .collect();
            by_depth.insert(d, made?);
        }
        Ok(CardHtml(by_depth))
    }

    fn at_depth(&self, depth: usize) -> &[String] {
        self.0.get(&depth).map(Vec::as_slice).unwrap_or_default()
    }
}

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

/// The printable directory: one section per kind of help, listings under their first town.
fn print_page(
    renderer: &PageRenderer,
    views: &[ListingView],
    nav: &Nav,
    today: time::Date,
) -> Result<String, RenderError> {
    let entries: Result<Vec<String>, RenderError> = views
        .par_iter()
        .map_init(
            || {
                let mut ctx = tera::Context::new();
                ctx.insert("t", &renderer.theme.strings);
                ctx
            },
            |ctx, v| {
                ctx.insert("l", &v.card);
                renderer.fragment(ctx, "print/index.html", "print-entry.html")
            },
        )
        .collect();
    let entries = entries?;
    let groups = print_groups(views, &entries, nav);
    let today_long = format!("{} {} {}", today.day(), today.month(), today.year());
    renderer.page_in(
        &mut renderer.base.clone(),
        "print/index.html",
        "print.html",
        |ctx| {
            ctx.insert("groups", &groups);
            ctx.insert("today_long", &today_long);
        },
    )
}

/// The printable directory's sections: one per kind of help, listings under their first
/// town, in the order of the navigation.
fn print_groups<'a>(
    views: &[ListingView],
    entries: &'a [String],
    nav: &'a Nav,
) -> Vec<PrintGroup<'a>> {
    nav.support
        .iter()
        .map(|term| {
            let mut towns: Vec<PrintTown> = Vec::new();
            for town in &nav.towns {
                let here: Vec<&str> = views
                    .iter()
                    .zip(entries)
                    .filter(|(v, _)| v.support_types.iter().any(|s| s.key == term.key))
                    .filter(|(v, _)| {
                        v.towns
                            .first()
                            .is_some_and(|t| t.key.eq_ignore_ascii_case(&town.key))
                    })
                    .map(|(_, entry)| entry.as_str())
                    .collect();
                if !here.is_empty() {
                    towns.push(PrintTown {
                        label: &town.label,
                        listings: here,
                    });
                }
            }
            PrintGroup {
                key: format!("support-{}", url_segment(&term.key)),
                label: &term.label,
                towns,
            }
        })
        .collect()
}

/// The path part of a base URL: `https://x.example/care/` gives `/care/`.
fn site_path(base_url: &str) -> String {
    let after_scheme = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].to_string(),
        None => "/".to_string(),
    }
}

fn write(sink: &dyn Sink, path: &str, bytes: &[u8]) -> Result<(), RenderError> {
    sink.write(path, bytes)
        .map_err(|source| RenderError::Write {
            path: path.to_string(),
            source,
        })
}

fn write_assets(theme: &Theme, sink: &dyn Sink) -> Result<BTreeMap<String, String>, RenderError> {
    let mut names = BTreeMap::new();
    for (name, bytes) in &theme.files {
        let hashed = format!("assets/{}", hashed_name(name, bytes));
        write(sink, &hashed, bytes)?;
        names.insert(name.clone(), hashed);
    }
    Ok(names)
}

/// Counts of listings per support type, group and area, for navigation and browse pages.
fn navigation(views: &[ListingView], council: &Council) -> Nav {
    fn count(into: &mut BTreeMap<String, Term>, terms: &[Term]) {
        for t in terms {
            into.entry(t.key.to_lowercase())
                .or_insert_with(|| Term {
                    count: 0,
                    ..t.clone()
                })
                .count += 1;
        }
    }
    let (mut support, mut who_for, mut towns, mut districts) = Default::default();
    for v in views {
        count(&mut support, &v.support_types);
        count(&mut who_for, &v.who_for);
        count(&mut towns, &v.towns);
        count(&mut districts, &v.postcode_districts);
    }
    let by_label = |m: BTreeMap<String, Term>| {
        let mut list: Vec<Term> = m.into_values().collect();
        list.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.key.cmp(&b.key)));
        list
    };
    // Towns keep the council's order of areas where it has one; others follow by name.
    let mut town_list = by_label(towns);
    let order: Vec<String> = council
        .settings
        .areas
        .iter()
        .map(|a| a.town.to_lowercase())
        .collect();
    town_list.sort_by_key(|t| {
        (
            order
                .iter()
                .position(|o| *o == t.key.to_lowercase())
                .unwrap_or(usize::MAX),
            t.label.clone(),
        )
    });
    Nav {
        support: by_label(support),
        who_for: by_label(who_for),
        towns: town_list,
        districts: by_label(districts),
    }
}

/// The council's brand colour as CSS custom properties, darkened until white text on it
/// meets WCAG AA (4.5:1), so a pale brand colour can never make the header unreadable.
fn brand_css(council: &Council) -> Option<String> {
    let hex = council.settings.brand.colour.as_deref()?;
    let (r, g, b) = parse_hex(hex)?;
    let (r, g, b) = readable_on_white_text(r, g, b);
    let (dr, dg, db) = darken(r, g, b, 0.8);
    Some(format!(
        ":root{{--brand:#{r:02x}{g:02x}{b:02x};--brand-dark:#{dr:02x}{dg:02x}{db:02x}}}\n"
    ))
}

fn parse_hex(hex: &str) -> Option<(u8, u8, u8)> {
    let hex = hex.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some((c(0)?, c(2)?, c(4)?))
}

fn luminance(r: u8, g: u8, b: u8) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// Contrast ratio of white on the colour.
pub fn contrast_with_white(r: u8, g: u8, b: u8) -> f64 {
    1.05 / (luminance(r, g, b) + 0.05)
}

fn darken(r: u8, g: u8, b: u8, factor: f64) -> (u8, u8, u8) {
    let d = |c: u8| (f64::from(c) * factor).round() as u8;
    (d(r), d(g), d(b))
}

fn readable_on_white_text(mut r: u8, mut g: u8, mut b: u8) -> (u8, u8, u8) {
    while contrast_with_white(r, g, b) < 4.5 {
        (r, g, b) = darken(r, g, b, 0.92);
    }
    (r, g, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_links_a_window_not_every_page() {
        assert_eq!(page_window(1, 1), [1]);
        assert_eq!(page_window(1, 3), [1, 2, 3]);
        assert_eq!(page_window(1, 500), [1, 2, 3, 500]);
        assert_eq!(page_window(250, 500), [1, 248, 249, 250, 251, 252, 500]);
        assert_eq!(page_window(500, 500), [1, 498, 499, 500]);
    }

    #[test]
    fn the_404_page_links_from_the_sites_own_path() {
        assert_eq!(site_path("https://care.westmoor.example/"), "/");
        assert_eq!(site_path("https://council.github.io/care/"), "/care/");
    }

    #[test]
    fn pale_brand_colours_are_darkened_until_readable() {
        let (r, g, b) = readable_on_white_text(0xff, 0xdd, 0x00);
        assert!(contrast_with_white(r, g, b) >= 4.5);
        assert_eq!(readable_on_white_text(0x1d, 0x5c, 0x4d), (0x1d, 0x5c, 0x4d));
    }
}
