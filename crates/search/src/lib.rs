//! Search for a council's directory: one tantivy index of its published listings, built
//! natively when the site is built and queried by the very same code natively (the CLI) and in
//! the browser (the `carepages-search-wasm` engine).
//!
//! The flow is one way: the generator turns each published listing into a [`SearchDoc`],
//! [`build_index`] writes one packed index file, and a [`Searcher`] opened on those bytes
//! answers a [`Query`] with [`Results`]. This crate never reads content files or the network,
//! and it must keep building for `wasm32-unknown-unknown`: no threads, clock or file system on
//! the query path.
//!
//! ```
//! use carepages_search::{build_index, Query, SearchDoc, Searcher, Synonyms};
//!
//! let listing = SearchDoc {
//!     slug: "quantock-kindly-hands".into(),
//!     url: "enterprises/quantock-kindly-hands/".into(),
//!     name: "Quantock Kindly Hands".into(),
//!     summary: "Friendly help at home".into(),
//!     support_types: vec!["home_help".into()],
//!     towns: vec!["Williton".into()],
//!     postcode_districts: vec!["TA4".into()],
//!     taking_new_clients: "yes".into(),
//!     ..SearchDoc::default()
//! };
//! let bytes = build_index(&[listing], &Synonyms::standard())?;
//! let searcher = Searcher::open(&bytes)?;
//! let results = searcher.search(&Query { text: "cleaner TA4 2PQ".into(), ..Query::default() })?;
//! assert_eq!(results.hits[0].slug, "quantock-kindly-hands");
//! # Ok::<(), carepages_search::SearchError>(())
//! ```

mod analysis;
mod indexing;
mod pack;
mod query;
mod schema;
mod searcher;
mod synonyms;
mod understanding;
mod welsh;

#[cfg(test)]
mod fixtures;

use serde::{Deserialize, Serialize};

pub use indexing::{build_index, patch_index, sort_in_name_order};
pub use searcher::Searcher;
pub use synonyms::Synonyms;
pub use understanding::{Part, Understood, Vocabulary};

/// What the search index knows about one published listing.
///
/// The generator fills it from the listing's front matter and body; enumerations stay as the
/// content contract's keys (`home_help`, `older_people`, `mon`, `direct_payment`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchDoc {
    /// Unique within a council; the final tie-breaker in every ranking.
    pub slug: String,
    /// Relative to the site root, e.g. `enterprises/quantock-kindly-hands/`.
    pub url: String,
    pub name: String,
    pub summary: String,
    /// The listing's own words as plain text (Markdown already rendered and stripped).
    pub body: String,
    pub support_types: Vec<String>,
    pub who_for: Vec<String>,
    pub towns: Vec<String>,
    /// The towns' other names (Abergavenny for Y Fenni): searched, never shown.
    pub town_aliases: Vec<String>,
    /// Outward codes such as `TA4`.
    pub postcode_districts: Vec<String>,
    pub payment_accepted: Vec<String>,
    /// `yes`, `limited`, `no`, or empty when the listing does not say.
    pub taking_new_clients: String,
    /// `mon` ... `sun`.
    pub days: Vec<String>,
    /// The number to call, as the listing writes it; shown on the result, never searched.
    pub phone: String,
    /// `active`, `full` or `paused`, as the listing says; shown, never searched.
    pub status: String,
    /// When the council last checked the listing's evidence (YYYY-MM-DD); shown, never
    /// searched.
    pub checked: String,
    /// The language of `name` and `summary` where it is not the index's own (English words
    /// in a Welsh index: `en`), so the page marks them; empty when they are in the index's
    /// language.
    pub lang: String,
}

/// One search as a resident (or an officer at the CLI) asks it.
///
/// Every field is optional in JSON; an empty `text` lists every listing that passes the
/// filters, sorted by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Query {
    pub text: String,
    /// A `support_types` key, e.g. `home_help`.
    pub support_type: Option<String>,
    /// A `who_for` key, e.g. `dementia`.
    pub who_for: Option<String>,
    /// A day key, `mon` ... `sun`.
    pub day: Option<String>,
    /// Only listings taking new clients (`yes` or `limited`).
    pub taking_new_clients: bool,
    /// Only listings that accept direct payments.
    pub direct_payment: bool,
    /// How many hits to return; `total` still counts them all.
    pub limit: usize,
    /// Fill in each hit's keys (support types, who for, districts, payments, days), as the
    /// CLI shows them. The browser does not ask: reading them costs time when the index
    /// opens (about 100 ms at 10,000 listings).
    pub keys: bool,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            text: String::new(),
            support_type: None,
            who_for: None,
            day: None,
            taking_new_clients: false,
            direct_payment: false,
            limit: 20,
            keys: false,
        }
    }
}

/// The answer to a [`Query`], best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// How many listings matched, however many `hits` were asked for.
    pub total: usize,
    /// How many listings meet everything that was understood (and, when nothing was,
    /// every word): the real matches. `hits` holds only these, unless `relaxed`.
    pub exact: usize,
    pub hits: Vec<Hit>,
    /// True when no listing matched every word, so these hits match only some of them;
    /// the page should say so rather than pretend they are exact.
    pub relaxed: bool,
    /// Typed words that match nothing in this directory and were left out of the search,
    /// so the page can say "no listing mentions 'x'".
    pub ignored: Vec<String>,
    /// What the query was read as.
    pub understood: Understood,
    /// When nothing meets everything understood: what comes nearest, each group with the
    /// part it leaves out ("the same help in other places", "other help in that place").
    pub alternatives: Vec<Alternative>,
}

/// Listings that meet all but one understood part of a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    /// The kind of the part left out: `place`, `support`, `who_for`, `payment`, `open`, `day`.
    pub without: String,
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// One listing in [`Results`], with just what a result list shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub slug: String,
    pub url: String,
    pub name: String,
    pub summary: String,
    pub towns: Vec<String>,
    pub taking_new_clients: String,
    /// The number to call, as the listing writes it.
    pub phone: String,
    /// `active`, `full` or `paused`.
    pub status: String,
    /// When the council last checked the evidence (YYYY-MM-DD), or empty.
    #[serde(default)]
    pub checked: String,
    /// The language of `name` and `summary` when it is not the index's (see
    /// [`SearchDoc::lang`]); empty otherwise.
    #[serde(default)]
    pub lang: String,
    pub support_types: Vec<String>,
    pub who_for: Vec<String>,
    pub districts: Vec<String>,
    pub payments: Vec<String>,
    pub days: Vec<String>,
    /// The kinds of understood parts this listing meets (`support`, `place` ...).
    pub matches: Vec<String>,
    /// Relevance; 0 when the text was empty and hits are sorted by name.
    pub score: f32,
}

/// What can go wrong when building or opening an index; callers branch on the kind.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("two listings share the slug `{0}`: each listing in a council needs its own slug")]
    DuplicateSlug(String),
    #[error(
        "the listings did not fit in one index segment; \
         carepages-search supports up to about 50,000 listings per council"
    )]
    TooLarge,
    #[error("this is not a carepages search index, or it is damaged ({0}); rebuild the site")]
    Corrupt(String),
    #[error(
        "the search index has format version {found} but this engine reads version {expected}; \
         rebuild the site so the index and the engine match"
    )]
    Version { found: u32, expected: u32 },
    #[error("the search engine failed: {0}")]
    Engine(#[from] tantivy::TantivyError),
}
