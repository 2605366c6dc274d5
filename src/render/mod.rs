//! render: turns one council's checked listings into HTML pages and assets with the
//! council's theme. Pages are rendered in parallel and handed to a `Sink` as they are made;
//! this module never decides what is published and never touches `output/` directly.

mod brand;
mod browse;
mod listing;
mod minify;
mod navigation;
pub mod photos;
mod print;
mod statements;
mod structured;
mod theme;
mod views;

pub use crate::content::markdown::{to_plain_text, to_safe_html};
pub use brand::contrast_with_white;
pub use browse::PER_PAGE;
pub use minify::minify_template;
pub use theme::{error_chain, hashed_name, Theme, ThemeError, BASE_THEME};
pub use views::*;

use crate::standards::{Council, Listing};
use brand::brand_css;
use browse::{list_pages, Fragments};
use listing::listing_pages;
use navigation::{navigation, Nav};
use print::print_site_css;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex};

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
    /// Every language of the site (none for a site in one): hreflang links and the switch.
    alternates: &'a [Alternate],
    /// From this language's top folder up to the site's own, where the Open Referral feed
    /// is: "" for the first language, "../" for the others.
    site_root: &'a str,
}

#[derive(Serialize)]
struct SiteContact {
    email: Option<String>,
    phone: Option<String>,
    phone_href: Option<String>,
    website: Option<String>,
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
    /// The site's languages, this one among them: every page links to its twin in each.
    /// Empty or one: a site in one language.
    pub alternates: &'a [Alternate],
}

/// A language of the site, as a page links to its twin in it.
#[derive(Debug, Clone, Serialize)]
pub struct Alternate {
    pub lang: String,
    /// The language's name in itself ("Cymraeg", "English"), for the language switch.
    pub name: String,
    /// Where that language's pages are published.
    pub base_url: String,
    /// From this language's top folder to that one's: "en/", "../", or "" for this one.
    pub from_here: String,
    /// Its top folder from the host's root ("/en/"), for the 404 page, which is served at
    /// any address.
    pub path: String,
    pub current: bool,
}

/// A language's name in itself, as a switch between languages shows it.
pub fn language_name(lang: &str) -> &str {
    match lang {
        "cy" => "Cymraeg",
        "en" => "English",
        other => other,
    }
}

/// A sink for one language's pages: each path goes into `folder` ("en/") of the site.
pub struct InFolder<'a> {
    pub sink: &'a dyn Sink,
    pub folder: &'a str,
}

impl InFolder<'_> {
    fn path(&self, path: &str) -> String {
        format!("{}{path}", self.folder)
    }
}

impl Sink for InFolder<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.sink.write(&self.path(path), bytes)
    }

    fn write_owned(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.sink.write_owned(&self.path(path), bytes)
    }

    fn keep(&self, path: &str) -> std::io::Result<()> {
        self.sink.keep(&self.path(path))
    }

    fn keep_all(&self, paths: &[&str]) -> std::io::Result<()> {
        let inside: Vec<String> = paths.iter().map(|p| self.path(p)).collect();
        let inside: Vec<&str> = inside.iter().map(String::as_str).collect();
        self.sink.keep_all(&inside)
    }
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
        alternates,
    } = *input;
    let labels = Labels {
        strings: &theme.strings,
    };
    let mut assets = write_assets(theme, sink)?;
    for (name, bytes) in extra_assets {
        // A pre-compressed copy (`search-engine.wasm.br`) follows its asset and is
        // published beside it under the same hashed name.
        let copy_of = [".br", ".gz"].iter().find_map(|ext| {
            let base = name.strip_suffix(ext)?;
            Some((assets.get(base)?.clone(), ext))
        });
        if let Some((hashed, ext)) = copy_of {
            write(sink, &format!("{hashed}{ext}"), bytes)?;
            continue;
        }
        let hashed = format!("assets/{}", hashed_name(name, bytes));
        write(sink, &hashed, bytes)?;
        let has_gzip = extra_assets
            .iter()
            .any(|(other, _)| other.strip_suffix(".gz") == Some(*name));
        if !has_gzip {
            write_gzip(sink, &hashed, bytes)?;
        }
        assets.insert((*name).to_string(), hashed);
    }
    {
        let correct_on = format!(
            "{} {}",
            labels.text("print_date"),
            labels.day_month_year(today)
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
        lang: s.site_language(),
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
        example_town: s
            .areas
            .first()
            .map(|a| council.settings.town_name(&a.town))
            .unwrap_or_default(),
        alternates: if alternates.len() > 1 {
            alternates
        } else {
            &[]
        },
        site_root: if alternates.first().is_some_and(|a| !a.current) {
            "../"
        } else {
            ""
        },
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
        // The index's gzip copy is made alongside too, while the pages render.
        || {
            crate::Timings::timed(|| {
                search_index
                    .map(|make| make().map(|index| (gzip(&index), index)))
                    .transpose()
            })
        },
        || crate::Timings::timed(|| listing_pages(&renderer, &base, &views, listings, &s.base_url)),
    );
    timings.push("listing pages", pages_took);
    timings.push("search index (alongside)", index_took);
    pages.extend(listing_pages?);
    let started = std::time::Instant::now();
    if let Some((gz, index)) = index? {
        let hashed = format!("assets/{}", hashed_name(crate::search::INDEX_NAME, &index));
        write(sink, &hashed, &index)?;
        let gz_path = format!("{hashed}.gz");
        sink.write_owned(&gz_path, gz)
            .map_err(|source| RenderError::Write {
                path: gz_path.clone(),
                source,
            })?;
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
}

/// The path part of a base URL: `https://x.example/care/` gives `/care/`.
pub fn site_path(base_url: &str) -> String {
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
        write_gzip(sink, &hashed, bytes)?;
        names.insert(name.clone(), hashed);
    }
    Ok(names)
}

/// Text-like files hosts would compress on the fly: their `.gz` copies are written beside
/// them for hosts that serve pre-compressed files (nginx `gzip_static`, see
/// docs/hosting.md). Images, already compressed, are left alone.
const COMPRESSIBLE: [&str; 5] = [".css", ".js", ".svg", ".wasm", ".xml"];

/// Writes `path.gz`, a gzip copy of `bytes` with no name or time in its header, so the
/// same bytes always give the same copy. Files under 1 KB gain nothing.
fn write_gzip(sink: &dyn Sink, path: &str, bytes: &[u8]) -> Result<(), RenderError> {
    if !COMPRESSIBLE.iter().any(|ext| path.ends_with(ext)) || bytes.len() < 1024 {
        return Ok(());
    }
    let gz_path = format!("{path}.gz");
    sink.write_owned(&gz_path, gzip(bytes))
        .map_err(|source| RenderError::Write {
            path: gz_path.clone(),
            source,
        })
}

/// `bytes` gzipped at the usual level (6: within 1% of level 9's size at a third of its
/// time), with no name or time in the header.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::GzBuilder::new().mtime(0).write(
        Vec::with_capacity(bytes.len() / 3 + 64),
        flate2::Compression::default(),
    );
    // Writing into memory cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_404_page_links_from_the_sites_own_path() {
        assert_eq!(site_path("https://care.westmoor.example/"), "/");
        assert_eq!(site_path("https://council.github.io/care/"), "/care/");
    }
}
