//! search: a council's search index, built from its published listings only, with the
//! synonyms kept in the content folder. The index and the query code come from the
//! `carepages-search` crate, the same code the browser engine runs, so `carepages search`
//! at the command line finds what a resident finds on the site.

use crate::diagnostic::Diagnostic;
use crate::standards::{Council, Listing};
pub use carepages_search::{
    build_index as build_documents, patch_index, sort_in_name_order, Alternative, Hit, Part, Query,
    Results, SearchDoc, SearchError, Searcher, Synonyms, Understood, Vocabulary,
};
use std::path::{Path, PathBuf};

/// The search engine the browser runs, built by `scripts/build-engine.sh` and committed, so a
/// fresh clone builds sites without the wasm toolchain.
pub const ENGINE: &[u8] = include_bytes!("../../crates/search-wasm/dist/carepages-search.wasm");
/// Its brotli and gzip copies, made by the same script (compressing it at best quality
/// takes seconds, too long for every build).
pub const ENGINE_BR: &[u8] =
    include_bytes!("../../crates/search-wasm/dist/carepages-search.wasm.br");
pub const ENGINE_GZ: &[u8] =
    include_bytes!("../../crates/search-wasm/dist/carepages-search.wasm.gz");

/// The file name (before hashing) of the index in a site's `assets/`. It is a valid empty
/// WebAssembly module carrying the index, so hosts that compress `.wasm` compress it too.
pub const INDEX_NAME: &str = "search-index.wasm";
pub const ENGINE_NAME: &str = "search-engine.wasm";

/// The largest synonym list read: a few hundred groups of words.
pub const MAX_SYNONYMS_BYTES: u64 = 256 * 1024;

/// The synonym groups for one council: `content/search/synonyms.yaml` (or the built-in
/// list when the content folder has none) plus the council's own `synonyms:`.
pub fn synonyms(content_root: &Path, council: &Council) -> Result<Synonyms, Diagnostic> {
    let file = Path::new("search").join("synonyms.yaml");
    let path = content_root.join(&file);
    let mut groups = if std::fs::symlink_metadata(&path).is_ok() {
        let text = crate::content::files::read_text_inside(
            &content_root.join("search"),
            &path,
            MAX_SYNONYMS_BYTES,
        )
        .map_err(|why| {
            Diagnostic::error(
                &file,
                "unreadable",
                format!("This file was not read: {why}."),
            )
            .help("Keep the synonym list as an ordinary UTF-8 file of at most 256 KB inside content/search/, not a link to a file elsewhere.")
        })?;
        serde_yaml::from_str::<Vec<Vec<String>>>(&text).map_err(|e| {
            let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            Diagnostic::error(
                &file,
                "synonyms",
                format!("The synonym list could not be read: {e}."),
            )
            .at(line, col)
            .help(
                "Write one group per line, such as - [\"cleaner\", \"home help\", \"housework\"].",
            )
        })?
    } else {
        Synonyms::standard().groups().to_vec()
    };
    if council.settings.publishes_in("cy") {
        groups.extend(Synonyms::welsh_groups());
    }
    groups.extend(council.settings.synonyms.iter().cloned());
    // The council's own places are read as places in a query even where no listing
    // serves them yet, so "shopping in Dulverton" can be answered honestly; a town with a
    // Welsh name is found by either.
    let towns = council
        .settings
        .areas
        .iter()
        .flat_map(|a| std::iter::once(a.town.clone()).chain(a.welsh.clone()))
        .collect();
    let districts = council
        .settings
        .areas
        .iter()
        .flat_map(|a| a.postcode_districts.iter().cloned())
        .collect();
    Ok(Synonyms::new(groups).with_places(towns, districts))
}

/// The language a council's indexes read: Welsh (mutations, stop words, Welsh names) for
/// every language of a council with Welsh pages, so a Welsh query finds listings on its
/// English pages too; English otherwise.
pub fn analysis_language(council: &Council) -> &'static str {
    if council.settings.publishes_in("cy") {
        "cy"
    } else {
        "en"
    }
}

/// What the index of one language of `council`'s site knows about one listing. A Welsh
/// index shows the listing's Welsh name and summary where it has them, and searches its
/// English words too, so an English query on the Welsh pages still finds it; the English
/// index of a council with Welsh pages searches the Welsh words likewise. Towns are
/// searched by both their names.
pub fn document(listing: &Listing, council: &Council) -> SearchDoc {
    let f = &listing.front;
    let welsh = f
        .welsh
        .as_ref()
        .filter(|_| council.settings.site_language() == "cy");
    let (name, summary, body, lang) = match welsh.and_then(|w| Some((w, w.summary.as_deref()?))) {
        Some((w, summary)) => {
            let description = w
                .description
                .as_deref()
                .map(crate::content::markdown::to_plain_text)
                .unwrap_or_default();
            let body = [
                description.as_str(),
                w.cost.as_deref().unwrap_or_default(),
                &f.name,
                &f.summary,
                listing.body_text(),
            ]
            .join("\n");
            let name = w.name.clone().unwrap_or_else(|| f.name.clone());
            (name, summary.to_owned(), body, String::new())
        }
        None => {
            // English words on a page in another language are marked as English.
            let lang = if council.settings.site_language() == "en" {
                String::new()
            } else {
                crate::content::LISTING_LANGUAGE.to_owned()
            };
            let mut body = listing.body_text().to_owned();
            if let Some(w) = f
                .welsh
                .as_ref()
                .filter(|_| analysis_language(council) == "cy")
            {
                let description = w
                    .description
                    .as_deref()
                    .map(crate::content::markdown::to_plain_text);
                let parts = [
                    w.name.as_deref(),
                    w.summary.as_deref(),
                    description.as_deref(),
                    w.cost.as_deref(),
                ];
                for part in parts.into_iter().flatten() {
                    body.push('\n');
                    body.push_str(part);
                }
            }
            (f.name.clone(), f.summary.clone(), body, lang)
        }
    };
    // Each town as the site's pages name it, and its other names too.
    let mut towns: Vec<String> = Vec::new();
    let mut town_aliases: Vec<String> = Vec::new();
    for town in &f.service_area.towns {
        let shown = council.settings.town_name(town);
        if let Some(area) = council.settings.area(town) {
            for name in std::iter::once(&area.town).chain(&area.welsh) {
                if *name != shown && !town_aliases.contains(name) {
                    town_aliases.push(name.clone());
                }
            }
        }
        if !towns.contains(&shown) {
            towns.push(shown);
        }
    }
    SearchDoc {
        slug: listing.slug.clone(),
        url: crate::urls::listing_url(&listing.slug),
        name,
        summary,
        body,
        lang,
        support_types: f.support_types.clone(),
        who_for: f.who_for.clone(),
        towns,
        town_aliases,
        postcode_districts: f.service_area.postcode_districts.clone(),
        payment_accepted: f.payment_accepted.clone(),
        taking_new_clients: f
            .availability
            .taking_new_clients
            .clone()
            .unwrap_or_default(),
        days: f.availability.days.clone(),
        phone: f.contact.phone.clone().unwrap_or_default(),
        status: f.status.clone(),
        checked: f.review.last_checked.clone().unwrap_or_default(),
    }
}

/// Builds the packed index of `listings`, which must be the council's published ones, for
/// its site's first language.
pub fn build_index(
    listings: &[&Listing],
    council: &Council,
    synonyms: &Synonyms,
) -> Result<Vec<u8>, SearchError> {
    let docs: Vec<SearchDoc> = listings.iter().map(|l| document(l, council)).collect();
    let synonyms = synonyms.clone().in_language(analysis_language(council));
    carepages_search::build_index(&docs, &synonyms)
}

/// A problem answering a search from the command line.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("there is no built site for \"{council}\" in {output}: run `carepages build` first")]
    NoSite { council: String, output: String },
    #[error("{path} could not be read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the site of \"{council}\" has no pages in the language \"{language}\": give one of the codes in its settings' languages:, such as cy or en")]
    NoLanguage { council: String, language: String },
    #[error("the search index {path} could not be used: {source}")]
    Index { path: String, source: SearchError },
}

/// The index file of a built site: `output/<council>/assets/search-index.<hash>.wasm`, or
/// in a language's folder (`output/<council>/en/assets/...`) when `language` has one.
pub fn index_file(
    output: &Path,
    council: &str,
    language: Option<&str>,
) -> Result<PathBuf, LookupError> {
    let site = output.join(council);
    let in_folder = language
        .map(|lang| site.join(lang))
        .filter(|folder| folder.join("assets").is_dir());
    let assets = in_folder.unwrap_or(site).join("assets");
    let (stem, ext) = INDEX_NAME.rsplit_once('.').unwrap_or((INDEX_NAME, ""));
    let found = std::fs::read_dir(&assets).ok().and_then(|rd| {
        rd.filter_map(Result::ok).map(|e| e.path()).find(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(&format!("{stem}.")) && n.ends_with(&format!(".{ext}"))
            })
        })
    });
    found.ok_or_else(|| LookupError::NoSite {
        council: council.to_string(),
        output: output.display().to_string(),
    })
}

/// Runs one query on a built site's index, exactly as the browser would: the pages in
/// `language`, or in the site's first language.
pub fn search_site(
    output: &Path,
    council: &str,
    language: Option<&str>,
    query: &Query,
) -> Result<Results, LookupError> {
    let path = index_file(output, council, language)?;
    let bytes = std::fs::read(&path).map_err(|source| LookupError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let index = |source| LookupError::Index {
        path: path.display().to_string(),
        source,
    };
    if let Some(wanted) = language {
        // The index's folder holds the pages of one language: the one its home page is in.
        let home = path
            .parent()
            .and_then(Path::parent)
            .map(|site| site.join("index.html"));
        let html = home.and_then(|p| std::fs::read_to_string(p).ok());
        let page_lang = html
            .as_deref()
            .and_then(|h| h.split("<html lang=\"").nth(1))
            .and_then(|rest| rest.split('"').next());
        if page_lang != Some(wanted) {
            return Err(LookupError::NoLanguage {
                council: council.to_string(),
                language: wanted.to_string(),
            });
        }
    }
    let searcher = Searcher::open(&bytes).map_err(index)?;
    searcher.search(query).map_err(index)
}
