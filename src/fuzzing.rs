//! One listing, council settings file or standards profile through the whole pipeline in
//! memory, for the fuzzers and property tests: parse, check against the schema and
//! standards, and render every page of a one-listing site. It must never panic, whatever
//! the bytes.

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

/// A listing that every standards profile shipped with carepages publishes.
pub const LISTING: &str = "---\nname: Fuzz Friends\nsummary: Friendly company at home for older people.\ncouncils: [fuzzshire]\nsupport_types: [companionship]\nwho_for: [older_people]\nservice_area: {towns: [Anytown], postcode_districts: [TA4]}\ncontact: {first_name: Sam, phone: \"07700 900123\"}\nstandards:\n  evidence:\n    - {type: public_liability, expires: 2027-01-31}\n    - {type: dbs_enhanced, issued: 2025-10-15}\n    - {type: safeguarding_training, completed: 2025-09-20}\nreview: {last_checked: 2026-05-20}\nconsent: {publish: true}\n---\nWe visit for a chat and a cup of tea.\n";

/// Runs `bytes` as `enterprises/fuzz.md` on a one-council site. Returns the rendered HTML
/// pages when the listing is valid and published, and nothing otherwise.
pub fn listing(bytes: &[u8]) -> Vec<(String, String)> {
    let mut files = site(COUNCIL.as_bytes(), bytes);
    files.retain(|(p, _)| p.ends_with(".html"));
    files
}

/// Runs `bytes` as a council's settings (`councils/fuzzshire.yaml`) with one listing.
/// Returns every file of the site when the settings are valid, and nothing otherwise.
pub fn council(bytes: &[u8]) -> Vec<(String, String)> {
    site(bytes, LISTING.as_bytes())
}

/// Reads `bytes` as a standards profile and judges the fixed listing by it. Returns
/// whether the listing would be published.
pub fn profile(bytes: &[u8]) -> Option<bool> {
    let text = std::str::from_utf8(bytes).ok()?;
    let profile = standards::StandardsProfile::parse(text, "standards/fuzz.yaml").ok()?;
    let file = content::parse_listing(Path::new("enterprises/fuzz.md"), LISTING.as_bytes()).ok()?;
    let front: content::FrontMatter = serde_json::from_value(file.data).ok()?;
    let findings = profile.assess(&front, time::macros::date!(2026 - 11 - 25));
    Some(!findings.iter().any(|f| f.withholds))
}

fn site(council: &[u8], listing: &[u8]) -> Vec<(String, String)> {
    let council = match content::parse_council(Path::new("councils/fuzzshire.yaml"), council) {
        Ok(c) => c,
        Err(_) => return Vec::new(),
    };
    let mut loaded = Content {
        root: "/nonexistent-content".into(),
        councils: vec![council],
        ..Content::default()
    };
    match content::parse_listing(Path::new("enterprises/fuzz.md"), listing) {
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
    let make_index =
        || crate::search::build_index(&listings, council, &crate::search::Synonyms::standard());
    let assets: [(&str, &[u8]); 1] = [(crate::search::ENGINE_NAME, crate::search::ENGINE)];
    let input = crate::render::SiteInput {
        council,
        listings: &listings,
        theme: &THEME,
        content_root: Path::new("/nonexistent-content"),
        extra_assets: &assets,
        search_index: Some(&make_index),
        alternates: &[],
        today: time::macros::date!(2026 - 11 - 25),
    };
    if crate::render::render_site(&input, &sink).is_err() {
        return Vec::new();
    }
    sink.into_files()
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".wasm") && !p.starts_with("assets/photos/"))
        .map(|(p, b)| (p, String::from_utf8_lossy(&b).into_owned()))
        .collect()
}

/// The first script element in `html` the site did not write itself, for the fuzzers. The
/// site writes two: the search page's script and a listing's JSON-LD, whose text may hold no
/// `<` (it is escaped, so nothing in it can end the element).
pub fn foreign_script(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("<script") {
        let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
        let tag = &rest[at..end];
        let json_ld = tag == "<script type=application/ld+json>";
        let search = tag.starts_with("<script src=\"")
            && tag.contains("assets/search.")
            && tag.ends_with(".js\" defer>");
        if !json_ld && !search {
            return Some(tag.to_owned());
        }
        let after = &rest[end..];
        let close = after.find("</script>").unwrap_or(after.len());
        if json_ld && after[..close].contains('<') {
            return Some(format!("JSON-LD holding markup: {}", &after[..close]));
        }
        rest = after[close..]
            .strip_prefix("</script>")
            .unwrap_or(&after[close..]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sites_own_scripts_are_allowed() {
        let own = "<script type=application/ld+json>{\"a\":\"\\u003c\"}</script><script src=\"../assets/search.1a2b.js\" defer></script>";
        assert_eq!(foreign_script(own), None);
        assert!(foreign_script("<p><SCRIPT>alert(1)</script>").is_some());
        assert!(
            foreign_script("<script type=application/ld+json>{}</script><script>x</script>")
                .is_some()
        );
        assert!(foreign_script("<script type=application/ld+json><b>x</b></script>").is_some());
        assert!(
            foreign_script("<script src=\"https://evil.example/x.js\" defer></script>").is_some()
        );
    }
}
