//! render: turns one council's checked listings into HTML pages and assets with the
//! council's theme. Pages are rendered in parallel and handed to a `Sink` as they are made;
//! this module never decides what is published and never touches `output/` directly.

mod minify;
pub mod photos;
mod statements;
mod structured;
mod theme;
mod views;

pub use crate::content::markdown::{to_plain_text, to_safe_html};
pub use minify::minify_template;
pub use theme::{error_chain, hashed_name, Theme, ThemeError, BASE_THEME};
pub use views::*;

use crate::standards::{Council, Listing};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// How many listings a browse page shows before it continues on the next page.
pub const PER_PAGE: usize = 20;

/// Where rendered files go; the publish stage supplies one that writes a staging folder.
pub trait Sink: Sync {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()>;

    /// [`write`](Self::write) for bytes the caller no longer needs: a sink that keeps files
    /// in memory takes them without a copy (the Open Referral `/services` page is 23 MB
    /// at 10,000 listings, and the preview writes it on every save).
    fn write_owned(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.write(path, &bytes)
    }

    /// Says that `path` is as the last build into this sink left it (the preview's
    /// re-render skipped it because nothing it shows changed). Only the preview's sink
    /// remembers an earlier build.
    fn keep(&self, path: &str) -> std::io::Result<()> {
        Err(std::io::Error::other(format!(
            "{path} was to be kept from an earlier build, but this output holds none"
        )))
    }

    /// [`keep`](Self::keep) for many paths at once.
    fn keep_all(&self, paths: &[&str]) -> std::io::Result<()> {
        paths.iter().try_for_each(|p| self.keep(p))
    }
}

/// A site's files held in memory, by site-relative path: for the preview server, the
/// fuzzer and the benchmarks. The preview builds into the same one after each save, in
/// rounds: what a round neither writes nor keeps is gone at its end, and the round tells
/// which files it changed.
#[derive(Default)]
pub struct MemorySite(std::sync::Mutex<SiteFiles>);

#[derive(Default)]
struct SiteFiles {
    files: FxHashMap<String, Kept>,
    /// Paths written with new bytes, made, or removed in this round.
    changed: Vec<String>,
}

/// A file in a [`MemorySite`], and whether this round wrote or kept it.
struct Kept {
    bytes: Arc<Vec<u8>>,
    touched: bool,
}

impl Sink for MemorySite {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.store(path, bytes, |b| b.to_vec())
    }

    fn write_owned(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.store(path, bytes, |b| b)
    }

    fn keep(&self, path: &str) -> std::io::Result<()> {
        self.keep_all(&[path])
    }

    fn keep_all(&self, paths: &[&str]) -> std::io::Result<()> {
        let mut site = self.lock()?;
        for path in paths {
            match site.files.get_mut(*path) {
                Some(old) => old.touched = true,
                None => {
                    return Err(std::io::Error::other(format!(
                        "{path} was to be kept from the last build, which did not make it"
                    )))
                }
            }
        }
        Ok(())
    }
}

impl MemorySite {
    /// Puts `bytes` at `path`, owned by `own` only when they differ from what is there.
    fn store<B: AsRef<[u8]>>(
        &self,
        path: &str,
        bytes: B,
        own: impl FnOnce(B) -> Vec<u8>,
    ) -> std::io::Result<()> {
        let mut site = self.lock()?;
        match site.files.get_mut(path) {
            Some(old) if old.bytes.as_slice() == bytes.as_ref() => old.touched = true,
            Some(old) => {
                *old = Kept {
                    bytes: Arc::new(own(bytes)),
                    touched: true,
                };
                site.changed.push(path.to_string());
            }
            None => {
                let kept = Kept {
                    bytes: Arc::new(own(bytes)),
                    touched: true,
                };
                site.files.insert(path.to_string(), kept);
                site.changed.push(path.to_string());
            }
        }
        Ok(())
    }

    /// Starts building into this site again: nothing is touched yet.
    pub fn begin_round(&self) -> std::io::Result<()> {
        let mut site = self.lock()?;
        site.changed.clear();
        for file in site.files.values_mut() {
            file.touched = false;
        }
        Ok(())
    }

    /// Ends a round: removes what it did not touch, and returns every path it made,
    /// changed or removed, sorted.
    pub fn end_round(&self) -> std::io::Result<Vec<String>> {
        let mut site = self.lock()?;
        let SiteFiles { files, changed } = &mut *site;
        files.retain(|path, file| {
            if !file.touched {
                changed.push(path.clone());
            }
            file.touched
        });
        let mut changed = std::mem::take(changed);
        changed.sort_unstable();
        changed.dedup();
        Ok(changed)
    }

    /// The file at `path`, if the site has one.
    pub fn get(&self, path: &str) -> Option<Arc<Vec<u8>>> {
        self.lock()
            .ok()?
            .files
            .get(path)
            .map(|f| Arc::clone(&f.bytes))
    }

    /// Every file, by path (as one build made them).
    pub fn into_files(self) -> HashMap<String, Arc<Vec<u8>>> {
        let site = self.0.into_inner().unwrap_or_default();
        site.files
            .into_iter()
            .map(|(path, f)| (path, f.bytes))
            .collect()
    }

    fn lock(&self) -> std::io::Result<std::sync::MutexGuard<'_, SiteFiles>> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("a rendering thread failed"))
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
    #[error("{listing}: the photo in field photo.file could not be used: {message}. Save the photo again as a JPEG or PNG file (at most 20 MB and 40 million pixels), or remove the photo: lines")]
    Photo { listing: String, message: String },
    #[error("the search index could not be made: {0}")]
    SearchIndex(#[from] crate::search::SearchError),
}

/// Makes the site's search index. It runs alongside the listing pages, which do not need
/// it; only the search page, made after them, names the index file.
pub type MakeIndex<'a> = &'a (dyn Fn() -> Result<Vec<u8>, crate::search::SearchError> + Sync);

/// What was made for one council: its pages' paths (for the sitemap) and its listing views.
pub struct RenderedSite {
    pub pages: Vec<String>,
    pub listings: Vec<Arc<ListingView>>,
    /// How long each part took, for `--timings`. The listing pages and the search index
    /// are made at the same time, so their times overlap.
    pub timings: crate::Timings,
}

/// What the last render of one council's site was made from, kept by the preview between
/// saves so that only pages whose inputs changed are made again. Each page is remembered
/// with a fingerprint of what it shows; a page whose fingerprint is the same as last time
/// is kept as the sink has it. When the whole-site context changes (a count on the home
/// page, a new town in the navigation), every page is made again.
#[derive(Default)]
pub struct RenderMemo {
    site: Option<u64>,
    /// Listing views, with the fingerprints of their card and of their terms, by the
    /// fingerprint of the file each came from (its name and text).
    views: FxHashMap<u64, (Arc<ListingView>, u64, u64)>,
    /// The navigation's terms, by the fingerprint of every listing's terms in order.
    nav: Option<(u64, Nav)>,
    /// Rendered cards and printable entries by (template, depth, the card's fingerprint).
    fragments: FxHashMap<(&'static str, usize, u64), Arc<str>>,
    /// Every page's fingerprint by path, and whether this render has reached it yet.
    pages: FxHashMap<String, (u64, bool)>,
    /// The fingerprint of what the lists show, and their pages' paths.
    lists: Option<(u64, Vec<String>)>,
    /// The templates with the site's constants written in, for the site fingerprint.
    tera: Option<(u64, Arc<tera::Tera>)>,
}

/// A fingerprint of anything hashable; `DefaultHasher::new` has fixed keys, so the same
/// value gives the same fingerprint in every run.
fn fingerprint(value: &impl Hash) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The pages' fingerprints from the last render, brought up to date as pages are made.
type PageMemo = Mutex<FxHashMap<String, (u64, bool)>>;

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
    /// Listings taking new clients, and those with limited spaces, counted apart.
    taking_new_count: usize,
    limited_count: usize,
    /// Where "Report a problem with this website" goes.
    report_href: Option<String>,
    /// A town and postcode district of this council's own, for search examples.
    example_town: String,
    example_district: String,
    statements: statements::StatementsView,
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
    /// The council's own towns and districts, in its order: the "Where do you live?" lists.
    towns: Vec<Term>,
    districts: Vec<Term>,
    /// Places outside the council's areas that its listings also serve: they have pages
    /// (a listing links to them) but are not offered as where a resident lives.
    other_towns: Vec<Term>,
    other_districts: Vec<Term>,
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
    render_site_with(input, sink, None)
}

/// A fingerprint for comparing within one preview session only: FxHash is several times
/// faster than `fingerprint` on the thousands of values a save compares.
fn fast_fingerprint(value: &impl Hash) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
}

/// What a listing adds to the navigation and the browse pages: its terms.
fn terms_fingerprint(view: &ListingView) -> u64 {
    fingerprint(&(
        &view.support_types,
        &view.who_for,
        &view.towns,
        &view.postcode_districts,
    ))
}

/// As [`render_site`]; with a memo of the last render into the same `sink` (the preview),
/// only pages whose inputs changed are made again, and the memo is brought up to date. After
/// a failure the memo is empty, so the next render makes everything.
pub fn render_site_with(
    input: &SiteInput,
    sink: &dyn Sink,
    memo: Option<&mut RenderMemo>,
) -> Result<RenderedSite, RenderError> {
    let remember = memo.is_some();
    let mut memo = memo;
    let mut before = memo.as_deref_mut().map(std::mem::take).unwrap_or_default();
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
    {
        let correct_on = format!(
            "{} {} {}",
            labels.text("print_date"),
            today.day(),
            labels.month_year(today)
        );
        let css = print_site_css(
            &council.settings.base_url,
            &correct_on,
            &labels.text("page"),
        );
        let name = format!("assets/{}", hashed_name("print-site.css", css.as_bytes()));
        write(sink, &name, css.as_bytes())?;
        assets.insert("print-site.css".into(), name);
    }
    if let Some(css) = brand_css(council) {
        let name = format!("assets/{}", hashed_name("brand.css", css.as_bytes()));
        write(sink, &name, css.as_bytes())?;
        assets.insert("brand.css".into(), name);
    }
    // Read and made safe by the standards stage; published under a name of carepages' own.
    let logo = match &council.logo {
        Some(logo) => {
            let name = format!(
                "assets/{}",
                hashed_name(&format!("logo.{}", logo.extension), &logo.bytes)
            );
            write(sink, &name, &logo.bytes)?;
            Some(name)
        }
        None => None,
    };

    let mut timings = crate::Timings::default();
    let started = std::time::Instant::now();
    // Each view with the fingerprints of its card and of its terms.
    type Made = (Arc<ListingView>, (u64, u64));
    let made: Result<Vec<Made>, RenderError> = listings
        .par_iter()
        .map(|l| {
            let photo = l.front.photo.as_ref().filter(|p| p.people_consented);
            // A view with a photo is made again: making it publishes the photo's files.
            if let Some((view, card_fp, terms_fp)) =
                before.views.get(&l.fingerprint).filter(|_| photo.is_none())
            {
                return Ok((Arc::clone(view), (*card_fp, *terms_fp)));
            }
            let mut view = listing_view(l, &labels, council, today);
            if let Some(photo) = photo {
                let folder = content_root.join(l.file.parent().unwrap_or(Path::new("")));
                let made = photos::publish(&folder.join(&photo.file), &l.slug, &photo.alt, sink)
                    .map_err(|e| match e {
                        RenderError::Photo { message, .. } => RenderError::Photo {
                            listing: l.file.display().to_string(),
                            message,
                        },
                        other => other,
                    })?;
                view.photo = Some(made);
            }
            let card_fp = fingerprint(&view.card);
            // Only the preview compares terms from one render to the next.
            let terms_fp = if remember {
                terms_fingerprint(&view)
            } else {
                0
            };
            Ok((Arc::new(view), (card_fp, terms_fp)))
        })
        .collect();
    let (views, fps): (Vec<Arc<ListingView>>, Vec<(u64, u64)>) = made?.into_iter().unzip();
    let (card_fps, terms_fps): (Vec<u64>, Vec<u64>) = fps.into_iter().unzip();
    timings.push("listing views (Markdown, photos)", started.elapsed());
    // The navigation counts every listing's terms: the preview keeps it while no
    // listing's terms changed.
    let all_terms_fp = remember.then(|| {
        let towns: Vec<&str> = council
            .settings
            .areas
            .iter()
            .map(|a| a.town.as_str())
            .collect();
        fast_fingerprint(&(&terms_fps, towns))
    });
    let nav = match (all_terms_fp, before.nav.take()) {
        (Some(fp), Some((was, nav))) if fp == was => nav,
        _ => navigation(&views, council),
    };
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
            website: s.contact.website.as_deref().and_then(web_link),
        },
        logo,
        intro_html: s
            .intro
            .as_deref()
            .map(|intro| call_links(&to_safe_html(intro), s.contact.phone.as_deref())),
        listing_count: views.len(),
        taking_new_count: taking(&views, "yes"),
        limited_count: taking(&views, "limited"),
        report_href: views::report_href(
            council,
            &labels
                .text("report_subject_site")
                .replace("{site}", &s.name),
        ),
        statements: statements::StatementsView::new(s, &labels),
        example_town: s.areas.first().map(|a| a.town.clone()).unwrap_or_default(),
        example_district: s
            .areas
            .iter()
            .find_map(|a| a.postcode_districts.first().cloned())
            .unwrap_or_default(),
    };
    let has_search = search_index.is_some();
    let constants = serde_json::json!({
        "site": &site,
        "t": &theme.strings,
        "assets": &assets,
        "nav": &nav,
        "search": has_search,
    });
    let site_fp = fingerprint(&constants.to_string());
    if before.site != Some(site_fp) {
        before.pages.clear();
        before.fragments.clear();
    }
    for (_, seen) in before.pages.values_mut() {
        *seen = false;
    }
    let page_memo: PageMemo = Mutex::new(std::mem::take(&mut before.pages));
    let tera = match before.tera.take() {
        Some((fp, tera)) if fp == site_fp => tera,
        _ => {
            let mut tera = theme
                .for_site(&constants)
                .map_err(|e| RenderError::Template {
                    page: "index.html".to_string(),
                    template: format!("themes/{}/templates", theme.name),
                    message: e.to_string(),
                })?;
            // The whole-site values every page shows are given to the templates once, not
            // copied into each page's own context.
            if let serde_json::Value::Object(constants) = &constants {
                for (name, value) in constants {
                    tera.global_context().insert(name.clone(), value);
                }
            }
            Arc::new(tera)
        }
    };
    // Each page's own values; the site's are the templates' global context.
    let base = tera::Context::new();
    let renderer = PageRenderer {
        theme,
        tera: &tera,
        base: &base,
        sink,
        base_url: &s.base_url,
        memo: remember.then_some(&page_memo),
    };
    let mut pages = Vec::new();

    pages.push(renderer.page("index.html", "home.html", 0, &[])?);
    pages.push(renderer.page("404.html", "404.html", 0, &[])?);
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
        let inputs = fingerprint(&assets[crate::search::INDEX_NAME]);
        pages.push(renderer.page_in(
            &mut ctx,
            "search/index.html",
            "search.html",
            inputs,
            |_| {},
        )?);
    }

    let mut fragments = Fragments {
        made: std::mem::take(&mut before.fragments),
        card_fps: &card_fps,
        remember,
    };
    // The lists (browse pages and the printable directory) show only cards, grouped by
    // terms: when no card and no listing's terms changed, none of them did.
    let lists_fp = all_terms_fp.map(|terms| fast_fingerprint(&(site_fp, terms, &card_fps)));
    let kept_lists = match (lists_fp, before.lists.take()) {
        (Some(fp), Some((was, paths))) if fp == was => Some(paths),
        _ => None,
    };
    let list_pages = match kept_lists {
        Some(paths) => {
            renderer.keep_pages(&paths)?;
            timings.push("cards", std::time::Duration::ZERO);
            timings.push("browse pages (kept)", started.elapsed());
            paths
        }
        None => {
            let made = list_pages(&renderer, &labels, &nav, &views, &mut fragments, today)?;
            timings.push("cards", made.cards_took);
            timings.push("browse pages", made.browse_took);
            timings.push("printable directory (alongside)", made.print_took);
            made.paths
        }
    };
    pages.extend(list_pages.iter().cloned());
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
        pages.push(renderer.page(&format!("{dir}index.html"), "terms.html", 0, &extra)?);
    }
    pages.extend(statements::pages(&renderer)?);
    timings.push("term lists and statements", started.elapsed());
    pages.sort();
    if let Some(memo) = memo {
        // Only what this render used is remembered.
        let mut views_memo = std::mem::take(&mut before.views);
        let files: FxHashSet<u64> = listings.iter().map(|l| l.fingerprint).collect();
        views_memo.retain(|fp, _| files.contains(fp));
        for (((l, v), card_fp), terms_fp) in
            listings.iter().zip(&views).zip(&card_fps).zip(&terms_fps)
        {
            views_memo
                .entry(l.fingerprint)
                .or_insert_with(|| (Arc::clone(v), *card_fp, *terms_fp));
        }
        let cards: FxHashSet<u64> = card_fps.iter().copied().collect();
        let mut fragments_memo = fragments.made;
        fragments_memo.retain(|(_, _, fp), _| cards.contains(fp));
        let mut pages_memo = page_memo.into_inner().unwrap_or_default();
        pages_memo.retain(|_, (_, seen)| *seen);
        *memo = RenderMemo {
            site: Some(site_fp),
            views: views_memo,
            nav: all_terms_fp.map(|fp| (fp, nav)),
            fragments: fragments_memo,
            pages: pages_memo,
            lists: lists_fp.map(|fp| (fp, list_pages)),
            tera: Some((site_fp, Arc::clone(&tera))),
        };
    }
    Ok(RenderedSite {
        pages,
        listings: views,
        timings,
    })
}

/// How many listings say `key` ("yes" or "limited") about taking new clients. Paused and
/// full listings are not counted, whatever they say.
fn taking(views: &[Arc<ListingView>], key: &str) -> usize {
    views
        .iter()
        .filter(|v| v.status.key == "active")
        .filter(|v| v.new_clients.as_ref().is_some_and(|n| n.key == key))
        .count()
}

/// Makes the council's phone number a tap-to-call link wherever its intro shows it, as
/// written in `contact.phone`. `html` is already safe, and so is the number once escaped.
fn call_links(html: &str, phone: Option<&str>) -> String {
    // Only a number written with digits, spaces, brackets, + and - is looked for: it reads
    // the same escaped or not.
    let plain = |p: &&str| {
        p.chars().filter(char::is_ascii_digit).count() >= 6
            && p.chars().all(|c| c.is_ascii_digit() || " ()+-".contains(c))
    };
    let Some(shown) = phone.filter(plain) else {
        return html.to_string();
    };
    let link = format!("<a href=\"{}\">{shown}</a>", tel_href(shown));
    // Text inside an existing link is left alone.
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(shown) {
        let before = &rest[..at];
        out.push_str(before);
        let open = out
            .rfind("<a ")
            .is_some_and(|a| out.rfind("</a>").is_none_or(|c| c < a));
        out.push_str(if open { shown } else { &link });
        rest = &rest[at + shown.len()..];
    }
    out.push_str(rest);
    out
}

/// Every listing's own page, with its schema.org data, in parallel. In the preview, one
/// look at the memo first finds the few that changed.
fn listing_pages(
    renderer: &PageRenderer,
    base: &tera::Context,
    views: &[Arc<ListingView>],
    listings: &[&Listing],
    base_url: &str,
) -> Result<Vec<String>, RenderError> {
    let paths: Vec<String> = views
        .iter()
        .map(|v| format!("{}index.html", v.url))
        .collect();
    let inputs: Vec<(&str, u64)> = paths
        .iter()
        .zip(listings)
        .map(|(path, l)| (path.as_str(), l.fingerprint))
        .collect();
    let unchanged = renderer.unchanged_all(&inputs)?;
    let to_make: Vec<usize> = (0..views.len()).filter(|&i| !unchanged[i]).collect();
    to_make
        .par_iter()
        .map_init(
            || base.clone(),
            |ctx, &i| {
                let (v, l) = (&views[i], listings[i]);
                renderer.render_page(ctx, &paths[i], "listing.html", |ctx| {
                    let canonical = format!("{base_url}{}", v.url);
                    ctx.insert("json_ld", &structured::listing(l, v, &canonical));
                    ctx.insert("listing", &**v);
                })
            },
        )
        .collect::<Result<Vec<String>, RenderError>>()?;
    Ok(paths)
}

/// The browse pages and the printable directory, and how long their parts took.
struct ListPages {
    paths: Vec<String>,
    cards_took: std::time::Duration,
    browse_took: std::time::Duration,
    print_took: std::time::Duration,
}

/// Renders each listing's card and printable entry (or takes them from the memo), then the
/// browse pages with the printable directory alongside.
fn list_pages(
    renderer: &PageRenderer,
    labels: &Labels,
    nav: &Nav,
    views: &[Arc<ListingView>],
    fragments: &mut Fragments,
    today: time::Date,
) -> Result<ListPages, RenderError> {
    let started = std::time::Instant::now();
    // Browse pages are at two depths below their list's folder: the first page, and
    // `page/N/` after it.
    let mut browse_depths = vec![depth("enterprises/"), depth("enterprises/page/2/")];
    for term in nav
        .support
        .iter()
        .chain(&nav.who_for)
        .chain(&nav.towns)
        .chain(&nav.districts)
        .chain(&nav.other_towns)
        .chain(&nav.other_districts)
    {
        browse_depths.extend([depth(&term.url), depth(&format!("{}page/2/", term.url))]);
    }
    browse_depths.sort_unstable();
    browse_depths.dedup();
    let card_html = CardHtml::render(renderer, views, browse_depths, fragments)?;
    let print_entries =
        fragments.render(renderer, views, "print-entry.html", "l", depth(PRINT_PATH))?;
    let cards_took = started.elapsed();
    let started = std::time::Instant::now();
    // The printable directory is one large page: it is made while the browse pages are,
    // from entries rendered once per listing.
    let (browse, (print, print_took)) = rayon::join(
        || browse_pages(renderer, labels, nav, views, &card_html),
        || {
            crate::Timings::timed(|| {
                print_page(renderer, views, nav, today, card_html.fps, &print_entries)
            })
        },
    );
    let mut paths = browse?;
    paths.push(print?);
    Ok(ListPages {
        paths,
        cards_took,
        browse_took: started.elapsed(),
        print_took,
    })
}

/// Every browse page: all listings, then each kind of help, group of people, town and
/// postcode district.
fn browse_pages(
    renderer: &PageRenderer,
    labels: &Labels,
    nav: &Nav,
    views: &[Arc<ListingView>],
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
    type TermsOf = fn(&ListingView) -> &[Term];
    let facets: [(&str, &Vec<Term>, TermsOf); 6] = [
        ("support", &nav.support, |v| &v.support_types),
        ("who_for", &nav.who_for, |v| &v.who_for),
        ("town", &nav.towns, |v| &v.towns),
        ("district", &nav.districts, |v| &v.postcode_districts),
        ("town", &nav.other_towns, |v| &v.towns),
        ("district", &nav.other_districts, |v| &v.postcode_districts),
    ];
    for (kind, terms, terms_of) in &facets {
        // One pass over the listings files every card under its terms, in listing order
        // (a term a listing names twice, once).
        let mut by_term: FxHashMap<std::borrow::Cow<str>, Vec<usize>> = FxHashMap::default();
        for (i, v) in views.iter().enumerate() {
            let own = terms_of(v.as_ref());
            for (j, t) in own.iter().enumerate() {
                let key = lower_case(&t.key);
                if own[..j]
                    .iter()
                    .any(|earlier| lower_case(&earlier.key) == key)
                {
                    continue;
                }
                by_term.entry(key).or_default().push(i);
            }
        }
        let made: Result<Vec<Vec<String>>, RenderError> = terms
            .par_iter()
            .map(|term| {
                let cards = by_term
                    .get(&lower_case(&term.key))
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
    /// The theme's templates with this site's constants written in.
    tera: &'a tera::Tera,
    base: &'a tera::Context,
    sink: &'a dyn Sink,
    base_url: &'a str,
    /// Set in the preview: pages whose inputs did not change are kept, not made again.
    memo: Option<&'a PageMemo>,
}

impl PageRenderer<'_> {
    /// Renders `template` to `path` with the site context plus `extra`. Templates were
    /// minified when the theme was loaded.
    fn page(
        &self,
        path: &str,
        template: &str,
        inputs: u64,
        extra: &[(&str, serde_json::Value)],
    ) -> Result<String, RenderError> {
        self.page_in(&mut self.base.clone(), path, template, inputs, |ctx| {
            for (k, v) in extra {
                ctx.insert(k.to_string(), v);
            }
        })
    }

    /// As [`page`](Self::page), reusing `ctx` (a copy of the site context) so that a run of
    /// pages of one kind copies the whole-site data once, not once per page. `fill` adds the
    /// page's own data, straight from its typed values (one conversion, not two). Every page
    /// of a kind sets the same keys, so nothing from the previous page is left behind.
    /// `inputs` is a fingerprint of what the page shows beyond the whole-site context: in
    /// the preview, a page whose inputs are as they were last time is kept as it is.
    fn page_in(
        &self,
        ctx: &mut tera::Context,
        path: &str,
        template: &str,
        inputs: u64,
        fill: impl FnOnce(&mut tera::Context),
    ) -> Result<String, RenderError> {
        if self.unchanged(path, inputs)? {
            return Ok(path.to_string());
        }
        self.render_page(ctx, path, template, fill)
    }

    /// Renders a page into the sink, whatever the memo says.
    fn render_page(
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

    /// Keeps pages the memo says are as they were, without looking at their inputs.
    fn keep_pages(&self, paths: &[String]) -> Result<(), RenderError> {
        let missing = |path: &str| RenderError::Write {
            path: path.to_string(),
            source: std::io::Error::other("the preview's memo has no such page"),
        };
        if let Some(memo) = self.memo {
            let mut memo = memo.lock().map_err(|_| missing("(memo)"))?;
            for path in paths {
                memo.get_mut(path).ok_or_else(|| missing(path))?.1 = true;
            }
        }
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        self.sink
            .keep_all(&paths)
            .map_err(|source| RenderError::Write {
                path: paths.first().map(|p| p.to_string()).unwrap_or_default(),
                source,
            })
    }

    /// Whether `path` can stay as the last render made it; records its inputs either way.
    fn unchanged(&self, path: &str, inputs: u64) -> Result<bool, RenderError> {
        Ok(self.unchanged_all(&[(path, inputs)])?[0])
    }

    /// [`unchanged`](Self::unchanged) for a run of pages, with one look at the memo and
    /// one at the sink.
    fn unchanged_all(&self, pages: &[(&str, u64)]) -> Result<Vec<bool>, RenderError> {
        let Some(memo) = self.memo else {
            return Ok(vec![false; pages.len()]);
        };
        let same: Vec<bool> = match memo.lock() {
            Ok(mut memo) => pages
                .iter()
                .map(|(path, inputs)| match memo.get_mut(*path) {
                    Some(entry) => {
                        let same = entry.0 == *inputs;
                        *entry = (*inputs, true);
                        same
                    }
                    None => {
                        memo.insert(path.to_string(), (*inputs, true));
                        false
                    }
                })
                .collect(),
            Err(_) => vec![false; pages.len()],
        };
        let kept: Vec<&str> = pages
            .iter()
            .zip(&same)
            .filter(|(_, same)| **same)
            .map(|((path, _), _)| *path)
            .collect();
        self.sink
            .keep_all(&kept)
            .map_err(|source| RenderError::Write {
                path: kept.first().map(|p| p.to_string()).unwrap_or_default(),
                source,
            })?;
        Ok(same)
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
        self.tera
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
        let card_fps = card_html.fps;
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
        let paths: Vec<String> = (1..=total)
            .map(|n| format!("{}index.html", page_url(n)))
            .collect();
        let inputs: Vec<(&str, u64)> = chunks
            .iter()
            .zip(&paths)
            .enumerate()
            .map(|(i, (chunk, path))| {
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                (title, kind, term, cards.len(), i, total).hash(&mut hasher);
                for &c in chunk.iter() {
                    card_fps[c].hash(&mut hasher);
                }
                (path.as_str(), hasher.finish())
            })
            .collect();
        let unchanged = self.unchanged_all(&inputs)?;
        // Copied from the site context only when a page is made (in the preview, most are
        // kept as they were).
        let mut ctx: Option<tera::Context> = None;
        for (i, chunk) in chunks.iter().enumerate() {
            let n = i + 1;
            let path = &paths[i];
            if unchanged[i] {
                continue;
            }
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
            let rendered = card_html.at_depth(depth(path));
            let html: Vec<&str> = chunk.iter().map(|&c| &*rendered[c]).collect();
            let ctx = ctx.get_or_insert_with(|| self.base.clone());
            self.render_page(ctx, path, "browse.html", |ctx| {
                ctx.insert("title", title);
                ctx.insert("kind", kind);
                ctx.insert("term", &term);
                ctx.insert("cards", &html);
                ctx.insert("count", &cards.len());
                ctx.insert("first_number", &(i * PER_PAGE + 1));
                ctx.insert("last_number", &(i * PER_PAGE + chunk.len()));
                ctx.insert("pagination", &pagination);
            })?;
        }
        Ok(paths)
    }
}

/// A term's key in lower case, borrowed when it already is (most keys are).
fn lower_case(key: &str) -> std::borrow::Cow<'_, str> {
    if key.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(key.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(key)
    }
}

/// A term's key as `str::to_lowercase` makes it, borrowed when that would not change it
/// (plain ASCII keys in lower case, as most are).
fn lower_key(key: &str) -> std::borrow::Cow<'_, str> {
    if key.is_ascii() && !key.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Borrowed(key)
    } else {
        std::borrow::Cow::Owned(key.to_lowercase())
    }
}

/// How many folders deep a page is: its links to the rest of the site start with that
/// many `../`.
fn depth(path: &str) -> usize {
    path.matches('/').count()
}

/// Rendered cards and printable entries, kept by the preview from one render to the next:
/// a listing's fragment is made again only when its card changed.
struct Fragments<'a> {
    made: FxHashMap<(&'static str, usize, u64), Arc<str>>,
    card_fps: &'a [u64],
    /// Whether to keep what is made for the next render (the preview).
    remember: bool,
}

impl Fragments<'_> {
    /// Each listing's `template` rendered with `key` set to its card, linking from a page
    /// `depth` folders deep, in parallel.
    fn render(
        &mut self,
        renderer: &PageRenderer,
        views: &[Arc<ListingView>],
        template: &'static str,
        key: &str,
        depth: usize,
    ) -> Result<Vec<Arc<str>>, RenderError> {
        let root = "../".repeat(depth);
        // Only fragments the last render did not make are rendered; after a save that is
        // one listing's, or none.
        let missing: Vec<usize> = (0..views.len())
            .filter(|&i| !self.made.contains_key(&(template, depth, self.card_fps[i])))
            .collect();
        let rendered: Result<Vec<Arc<str>>, RenderError> = missing
            .par_iter()
            .map_init(
                || {
                    let mut ctx = tera::Context::new();
                    ctx.insert("root", &root);
                    ctx
                },
                |ctx, &i| {
                    ctx.insert(key.to_string(), &views[i].card);
                    Ok(Arc::from(renderer.fragment(
                        ctx,
                        &views[i].url,
                        template,
                    )?))
                },
            )
            .collect();
        if !self.remember {
            return rendered;
        }
        for (i, html) in missing.into_iter().zip(rendered?) {
            self.made.insert((template, depth, self.card_fps[i]), html);
        }
        Ok(self
            .card_fps
            .iter()
            .filter_map(|fp| self.made.get(&(template, depth, *fp)).cloned())
            .collect())
    }
}

/// What a fragment is rendered with in place of `root` when it is rendered once for
/// several depths: a Unicode noncharacter, which no escaping changes. A listing or
/// theme string that holds it is rendered once per depth instead.
const ROOT_MARKER: &str = "\u{FDD0}";

/// Whether any text of `card` holds `marker`.
fn card_holds(card: &Card, marker: &str) -> bool {
    let labelled = |l: &Labelled| l.key.contains(marker) || l.label.contains(marker);
    [&card.name, &card.url, &card.summary, &card.towns]
        .into_iter()
        .chain([&card.cost, &card.phone, &card.email].into_iter().flatten())
        .any(|text| text.contains(marker))
        || labelled(&card.status)
        || card.new_clients.as_ref().is_some_and(labelled)
}

/// Whether any string in `value` holds `marker`.
fn json_holds(value: &serde_json::Value, marker: &str) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains(marker),
        serde_json::Value::Array(items) => items.iter().any(|v| json_holds(v, marker)),
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains(marker) || json_holds(v, marker)),
        _ => false,
    }
}

impl Fragments<'_> {
    /// [`render`](Self::render) at each of `depths`. When the template only prints `root`
    /// (see [`Theme::prints_root_plainly`]), each fragment is rendered once, with
    /// [`ROOT_MARKER`] for `root`, and the marker is replaced by each depth's climb: at
    /// 10,000 listings that is 10,000 renders of a card instead of 40,000.
    fn render_at_depths(
        &mut self,
        renderer: &PageRenderer,
        views: &[Arc<ListingView>],
        template: &'static str,
        key: &str,
        depths: &[usize],
    ) -> Result<BTreeMap<usize, Vec<Arc<str>>>, RenderError> {
        let once = depths.len() > 1
            && renderer.theme.prints_root_plainly(template)
            && !json_holds(&renderer.theme.strings, ROOT_MARKER);
        if !once {
            return depths
                .iter()
                .map(|&d| Ok((d, self.render(renderer, views, template, key, d)?)))
                .collect();
        }
        let missing: Vec<usize> = (0..views.len())
            .filter(|&i| {
                depths
                    .iter()
                    .any(|&d| !self.made.contains_key(&(template, d, self.card_fps[i])))
            })
            .collect();
        let climbs: Vec<String> = depths.iter().map(|&d| "../".repeat(d)).collect();
        let rendered: Result<Vec<Vec<Arc<str>>>, RenderError> = missing
            .par_iter()
            .map_init(tera::Context::new, |ctx, &i| {
                let view = &views[i];
                ctx.insert(key.to_string(), &view.card);
                if card_holds(&view.card, ROOT_MARKER) {
                    return climbs
                        .iter()
                        .map(|climb| {
                            ctx.insert("root", climb);
                            Ok(Arc::from(renderer.fragment(ctx, &view.url, template)?))
                        })
                        .collect();
                }
                ctx.insert("root", ROOT_MARKER);
                let html = renderer.fragment(ctx, &view.url, template)?;
                Ok(climbs
                    .iter()
                    .map(|climb| Arc::from(html.replace(ROOT_MARKER, climb)))
                    .collect())
            })
            .collect();
        let rendered = rendered?;
        if !self.remember {
            // Nothing was kept, so every fragment was made, in listing order.
            let mut by_depth: BTreeMap<usize, Vec<Arc<str>>> = depths
                .iter()
                .map(|&d| (d, Vec::with_capacity(views.len())))
                .collect();
            for made in rendered {
                for (d, html) in depths.iter().zip(made) {
                    by_depth.entry(*d).or_default().push(html);
                }
            }
            return Ok(by_depth);
        }
        for (i, made) in missing.into_iter().zip(rendered) {
            for (&d, html) in depths.iter().zip(made) {
                self.made.insert((template, d, self.card_fps[i]), html);
            }
        }
        Ok(depths
            .iter()
            .map(|&d| {
                let at_depth = self
                    .card_fps
                    .iter()
                    .filter_map(|fp| self.made.get(&(template, d, *fp)).cloned())
                    .collect();
                (d, at_depth)
            })
            .collect())
    }
}

/// Every listing's card (`card.html`) for each depth of browse page: a listing appears on
/// about ten browse pages, and its card is the same on all of them but for how its link
/// climbs to the top of the site.
struct CardHtml<'a> {
    by_depth: BTreeMap<usize, Vec<Arc<str>>>,
    /// Each card's fingerprint, in listing order.
    fps: &'a [u64],
}

impl<'a> CardHtml<'a> {
    fn render(
        renderer: &PageRenderer,
        views: &[Arc<ListingView>],
        depths: impl IntoIterator<Item = usize>,
        fragments: &mut Fragments<'a>,
    ) -> Result<CardHtml<'a>, RenderError> {
        let depths: Vec<usize> = depths.into_iter().collect();
        let by_depth = fragments.render_at_depths(renderer, views, "card.html", "card", &depths)?;
        Ok(CardHtml {
            by_depth,
            fps: fragments.card_fps,
        })
    }

    fn at_depth(&self, depth: usize) -> &[Arc<str>] {
        self.by_depth
            .get(&depth)
            .map(Vec::as_slice)
            .unwrap_or_default()
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

/// Where the printable directory is published.
const PRINT_PATH: &str = "print/index.html";

/// The printable directory: one section per kind of help, listings under their first town,
/// from each listing's rendered entry.
fn print_page(
    renderer: &PageRenderer,
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
    let today_long = format!("{} {} {}", today.day(), today.month(), today.year());
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
fn print_site_css(base_url: &str, correct_on: &str, page_word: &str) -> String {
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
fn navigation(views: &[Arc<ListingView>], council: &Council) -> Nav {
    fn count<'a>(into: &mut BTreeMap<std::borrow::Cow<'a, str>, Term>, terms: &'a [Term]) {
        for t in terms {
            into.entry(lower_key(&t.key))
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
    let by_label = |m: BTreeMap<std::borrow::Cow<str>, Term>| {
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
    let own_districts: Vec<String> = council
        .settings
        .areas
        .iter()
        .flat_map(|a| &a.postcode_districts)
        .map(|d| d.to_lowercase())
        .collect();
    let mut district_list = by_label(districts);
    district_list.sort_by_cached_key(|d| district_order(&d.label));
    // A council with no areas set calls every place its own.
    let (towns, other_towns) = if order.is_empty() {
        (town_list, Vec::new())
    } else {
        town_list
            .into_iter()
            .partition(|t| order.contains(&t.key.to_lowercase()))
    };
    let (districts, other_districts) = if own_districts.is_empty() {
        (district_list, Vec::new())
    } else {
        district_list
            .into_iter()
            .partition(|d| own_districts.contains(&d.key.to_lowercase()))
    };
    Nav {
        support: by_label(support),
        who_for: by_label(who_for),
        towns,
        districts,
        other_towns,
        other_districts,
    }
}

/// Postcode districts in the order people expect: TA1, TA2, TA3 ... TA21, not TA1, TA21,
/// TA3. Letters first, then the number, then anything after it.
fn district_order(district: &str) -> (String, u32, String) {
    let upper = district.to_uppercase();
    let letters: String = upper
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    let rest = &upper[letters.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let number = digits.parse().unwrap_or(u32::MAX);
    (letters, number, rest[digits.len()..].to_string())
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
    // Checked by the standards stage too, but slicing must not depend on it.
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
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
