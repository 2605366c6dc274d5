//! One listing through the whole pipeline in memory, for the fuzzer and property tests:
//! parse, check against the schema and standards, and render every page of a one-listing
//! site. It must never panic, whatever the bytes.

use crate::content::{self, Content};
use crate::render::{MemorySite, Theme};
use crate::standards;
use std::path::Path;
use std::sync::LazyLock;

const COUNCIL: &str = "name: Fuzzshire Council\nbase_url: https://fuzz.example/\ntheme: default\n";

static RULES: LazyLock<standards::Rules> = LazyLock::new(|| {
    standards::Rules::load(
        Path::new("/nonexistent-content"),
        time::macros::date!(2026 - 11 - 25),
    )
    .expect("built-in rules load")
});

static THEME: LazyLock<Theme> = LazyLock::new(|| {
    Theme::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes"),
        "default",
        "en",
    )
    .expect("default theme loads")
});

/// Runs `bytes` as `enterprises/fuzz.md` on a one-council site. Returns the rendered HTML
/// pages when the listing is valid and published, and nothing otherwise.
pub fn listing(bytes: &[u8]) -> Vec<(String, String)> {
    let council =
        match content::parse_council(Path::new("councils/fuzzshire.yaml"), COUNCIL.as_bytes()) {
            Ok(c) => c,
            Err(_) => return Vec::new(),
        };
    let mut loaded = Content {
        root: "/nonexistent-content".into(),
        councils: vec![council],
        ..Content::default()
    };
    match content::parse_listing(Path::new("enterprises/fuzz.md"), bytes) {
        Ok(l) => loaded.listings.push(l),
        Err(_) => return Vec::new(),
    }
    let Ok(directory) = standards::validate(loaded, &RULES) else {
        return Vec::new();
    };
    if directory.has_errors() {
        return Vec::new();
    }
    let Some(council) = directory.councils.first() else {
        return Vec::new();
    };
    let listings = directory.published_for(&council.id);
    let sink = MemorySite::default();
    let make_index = || crate::search::build_index(&listings, &crate::search::Synonyms::standard());
    let assets: [(&str, &[u8]); 1] = [(crate::search::ENGINE_NAME, crate::search::ENGINE)];
    let input = crate::render::SiteInput {
        council,
        listings: &listings,
        theme: &THEME,
        content_root: Path::new("/nonexistent-content"),
        extra_assets: &assets,
        search_index: Some(&make_index),
        today: time::macros::date!(2026 - 11 - 25),
    };
    if crate::render::render_site(&input, &sink).is_err() {
        return Vec::new();
    }
    sink.into_files()
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8_lossy(&b).into_owned()))
        .collect()
}
