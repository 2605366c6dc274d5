//! The site's address scheme and the links it will make, below every stage: content
//! checks, the search index, the pages and the Open Referral feed all name a listing's or
//! a term's page the same way, and no stage has to reach up into another to do it.

/// URL path segment for a key or a name: `home_help` becomes `home-help`.
pub fn url_segment(text: &str) -> String {
    let segment = crate::content::slugify(text);
    if segment.is_empty() {
        // Text with no letters or digits ("!!!") still needs a page of its own, never the
        // list it belongs to.
        use std::hash::{Hash, Hasher};
        let mut hasher = rustc_hash::FxHasher::default();
        text.hash(&mut hasher);
        return format!("x-{:08x}", hasher.finish() as u32);
    }
    segment
}

pub fn support_url(key: &str) -> String {
    format!("support/{}/", url_segment(key))
}

pub fn who_for_url(key: &str) -> String {
    format!("for/{}/", url_segment(key))
}

/// The browse page of a town. A town whose name reads like a postcode district (a town
/// called "TA4") gets a page of its own, so it never shares a district's page.
pub fn area_url(name: &str) -> String {
    let segment = url_segment(name);
    if looks_like_district(&segment) {
        return format!("areas/town-{segment}/");
    }
    format!("areas/{segment}/")
}

/// The browse page of a postcode district, such as `areas/ta4/`.
pub fn district_url(district: &str) -> String {
    format!("areas/{}/", url_segment(district))
}

/// Whether a URL segment has the shape of a postcode district: one or two letters, a
/// digit, and perhaps one more letter or digit.
fn looks_like_district(segment: &str) -> bool {
    let letters = segment.bytes().take_while(u8::is_ascii_lowercase).count();
    let rest = &segment.as_bytes()[letters..];
    (1..=2).contains(&letters)
        && rest.first().is_some_and(u8::is_ascii_digit)
        && rest.len() <= 2
        && rest.iter().all(u8::is_ascii_alphanumeric)
}

pub fn listing_url(slug: &str) -> String {
    format!("enterprises/{slug}/")
}

/// A web address safe to link to, whatever the schema allowed: `http` or `https` with a
/// host, and no spaces, control or invisible characters. Anything else (`javascript:`,
/// `data:`, a bare word) is not linked at all.
pub fn web_link(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return None;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let clean = url
        .chars()
        .all(|c| !c.is_whitespace() && !c.is_control() && !crate::content::is_unwanted_char(c));
    (clean && !host.is_empty() && url.len() <= 2048).then(|| url.to_string())
}

/// `tel:` link for a phone number: digits only, with a leading + kept.
pub fn tel_href(phone: &str) -> String {
    let plus = if phone.trim_start().starts_with('+') {
        "+"
    } else {
        ""
    };
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    format!("tel:{plus}{digits}")
}
