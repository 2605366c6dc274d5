//! structured: schema.org data for search engines and national finders, as JSON-LD in each
//! listing page. Every value comes from volunteers, so the JSON is escaped for the inside of
//! a `<script>` element: nothing in it can close the element or start markup.

use super::views::ListingView;
use crate::standards::Listing;
use serde_json::{json, Value};

/// The listing's page as a schema.org `WebPage` about a `Service` offered by a
/// `LocalBusiness`, ready to place
/// between `<script type="application/ld+json">` and `</script>`.
pub fn listing(listing: &Listing, view: &ListingView, canonical: &str) -> String {
    let contact = &view.contact;
    let mut provider = json!({
        "@type": "LocalBusiness",
        "name": view.name,
    });
    if let Some(phone) = &contact.phone {
        provider["telephone"] = json!(phone);
    }
    if let Some(email) = &contact.email {
        provider["email"] = json!(email);
    }
    if let Some(website) = contact.website.as_deref().and_then(super::web_link) {
        provider["url"] = json!(website);
    }
    let mut service = json!({
        "@type": "Service",
        "@id": format!("{canonical}#service"),
        "url": canonical,
        "name": view.name,
        "description": view.summary,
        "provider": provider,
        "serviceType": view.support_types.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(),
        "areaServed": view.towns.iter()
            .map(|t| json!({"@type": "City", "name": t.label}))
            .chain(view.postcode_districts.iter()
                .map(|d| json!({"@type": "AdministrativeArea", "name": d.label})))
            .collect::<Vec<_>>(),
        "audience": view.who_for.iter()
            .map(|t| json!({"@type": "Audience", "audienceType": t.label}))
            .collect::<Vec<_>>(),
    });
    let offers: Vec<Value> = listing
        .front
        .cost
        .iter()
        .filter(|c| c.amount.is_finite() && c.amount >= 0.0)
        .map(|c| {
            let mut spec = json!({
                "@type": "UnitPriceSpecification",
                "price": format!("{:.2}", c.amount),
                "priceCurrency": "GBP",
            });
            if c.unit != "fixed" {
                spec["unitText"] = json!(c.unit);
            }
            let mut offer = json!({"@type": "Offer", "priceSpecification": spec});
            if let Some(d) = &c.description {
                offer["description"] = json!(d);
            }
            offer
        })
        .collect();
    if !offers.is_empty() {
        service["offers"] = json!(offers);
    }
    if !view.days.is_empty() {
        service["hoursAvailable"] = json!({
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": view.days.iter().filter_map(|d| day_of_week(&d.key)).collect::<Vec<_>>(),
        });
    }
    // The page is what was last checked: schema.org allows `dateModified` on a page (a
    // CreativeWork), not on a Service.
    let mut page = json!({
        "@context": "https://schema.org",
        "@type": "WebPage",
        "@id": canonical,
        "url": canonical,
        "name": view.name,
        "mainEntity": service,
    });
    if let Some(date) = &view.last_checked_iso {
        page["dateModified"] = json!(date);
    }
    escape_for_script(&serde_json::to_string(&page).unwrap_or_default())
}

/// schema.org's name for a day key, whatever language the theme shows days in.
fn day_of_week(key: &str) -> Option<&'static str> {
    let days = [
        ("mon", "https://schema.org/Monday"),
        ("tue", "https://schema.org/Tuesday"),
        ("wed", "https://schema.org/Wednesday"),
        ("thu", "https://schema.org/Thursday"),
        ("fri", "https://schema.org/Friday"),
        ("sat", "https://schema.org/Saturday"),
        ("sun", "https://schema.org/Sunday"),
    ];
    days.iter().find(|(k, _)| *k == key).map(|(_, name)| *name)
}

/// Makes JSON safe inside a `<script>` element: `<`, `>` and `&` become `\u` escapes, as do
/// the two line separators some JavaScript parsers reject. The JSON means the same.
fn escape_for_script(json: &str) -> String {
    // 0xE2 starts both line separators (and other characters, which are kept as they are).
    if !json.bytes().any(|b| matches!(b, b'<' | b'>' | b'&' | 0xE2)) {
        return json.to_owned();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_can_close_the_script_element() {
        let hostile = r#"Nice</script><script>alert(1)</script><!-- & "quoted" "#;
        let text = escape_for_script(&json!({ "name": hostile }).to_string());
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back["name"], hostile);
    }

    #[test]
    fn line_separators_are_escaped() {
        let text = escape_for_script(&json!({ "a": "x\u{2028}y\u{2029}" }).to_string());
        assert!(text.contains("\\u2028") && text.contains("\\u2029"));
        let back: Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back["a"], "x\u{2028}y\u{2029}");
    }
}
