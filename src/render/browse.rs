//! The browse pages: every listing, then each kind of help, group of people, town and
//! postcode district, as cards split into numbered pages. A listing's card shows on about
//! ten of them, so each card is rendered once per depth of page and shared (and kept by the
//! preview between saves); the printable directory is made alongside, from entries rendered
//! the same way.

use super::navigation::{lower_case, Nav};
use super::print::{print_page, PRINT_PATH};
use super::views::{Card, Labelled, Labels, ListingView, Term};
use super::{PageRenderer, RenderError};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// How many listings a browse page shows before it continues on the next page.
pub const PER_PAGE: usize = 20;

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

/// The browse pages and the printable directory, and how long their parts took.
pub(super) struct ListPages {
    pub(super) paths: Vec<String>,
    pub(super) cards_took: std::time::Duration,
    pub(super) browse_took: std::time::Duration,
    pub(super) print_took: std::time::Duration,
}

/// Renders each listing's card and printable entry (or takes them from the memo), then the
/// browse pages with the printable directory alongside.
pub(super) fn list_pages(
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
                print_page(
                    renderer,
                    labels,
                    views,
                    nav,
                    today,
                    card_html.fps,
                    &print_entries,
                )
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

impl PageRenderer<'_> {
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

/// How many folders deep a page is: its links to the rest of the site start with that
/// many `../`.
fn depth(path: &str) -> usize {
    path.matches('/').count()
}

/// Rendered cards and printable entries, kept by the preview from one render to the next:
/// a listing's fragment is made again only when its card changed.
pub(super) struct Fragments<'a> {
    pub(super) made: FxHashMap<(&'static str, usize, u64), Arc<str>>,
    pub(super) card_fps: &'a [u64],
    /// Whether to keep what is made for the next render (the preview).
    pub(super) remember: bool,
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
    /// (see [`Theme::prints_root_plainly`](super::Theme::prints_root_plainly)), each
    /// fragment is rendered once, with [`ROOT_MARKER`] for `root`, and the marker is
    /// replaced by each depth's climb: at 10,000 listings that is 10,000 renders of a card
    /// instead of 40,000.
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
}
