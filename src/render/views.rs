//! What templates see. Each view is built once from a checked listing or council, with
//! labels from the theme's translations, so templates never compute or look anything up.

use crate::content::markdown;
use crate::content::FrontMatter;
use crate::standards::{Council, Listing};
pub use crate::urls::*;
use serde::Serialize;
use serde_json::Value;

/// A value with its label and page, such as a support type or a town.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Term {
    pub label: String,
    pub key: String,
    /// Site-relative URL of the browse page, such as `support/home-help/`.
    pub url: String,
    pub count: usize,
}

pub use crate::content::LISTING_LANGUAGE;

/// The listing's own words in the site's language where it has them: a site in Welsh
/// (`languages: [cy]`) shows a listing's `welsh:` text, each part falling back to English.
struct ListingWords<'a> {
    lang: &'static str,
    untranslated: bool,
    name_lang: &'static str,
    name: String,
    summary: String,
    description: &'a str,
    description_lang: &'static str,
}

impl<'a> ListingWords<'a> {
    fn for_site(listing: &'a Listing, council: &Council) -> ListingWords<'a> {
        let f = &listing.front;
        let site = council.settings.site_language();
        let welsh = f.welsh.as_ref().filter(|_| site == "cy");
        match welsh.and_then(|w| w.summary.as_deref().map(|summary| (w, summary))) {
            Some((w, summary)) => ListingWords {
                lang: "cy",
                untranslated: false,
                name_lang: welsh_if(&w.name),
                name: w.name.clone().unwrap_or_else(|| f.name.clone()),
                summary: summary.to_string(),
                description: w.description.as_deref().unwrap_or(&listing.body),
                description_lang: welsh_if(&w.description),
            },
            None => ListingWords {
                lang: LISTING_LANGUAGE,
                untranslated: site != LISTING_LANGUAGE,
                name_lang: LISTING_LANGUAGE,
                name: f.name.clone(),
                summary: f.summary.clone(),
                description: &listing.body,
                description_lang: LISTING_LANGUAGE,
            },
        }
    }
}

/// Welsh where the listing gives that part in Welsh, else the language it was written in.
fn welsh_if(part: &Option<String>) -> &'static str {
    if part.is_some() {
        "cy"
    } else {
        LISTING_LANGUAGE
    }
}

/// A listing as a short card in lists.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct Card {
    /// The language of the name and summary shown: the site's, where the listing has them
    /// in it, else [`LISTING_LANGUAGE`].
    pub lang: &'static str,
    /// The language of the name shown: English unless the listing gives a Welsh name.
    pub name_lang: &'static str,
    pub name: String,
    pub url: String,
    pub summary: String,
    pub towns: String,
    pub new_clients: Option<Labelled>,
    pub status: Labelled,
    pub cost: Option<String>,
    pub phone: Option<String>,
    pub phone_href: Option<String>,
    pub email: Option<String>,
    /// When the council last checked the evidence, as "9 September 2026".
    pub last_checked: Option<String>,
}

#[derive(Debug, Clone, Serialize, Hash)]
pub struct Labelled {
    pub key: String,
    pub label: String,
}

/// Everything the listing page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ListingView {
    /// The language of the enterprise's own words as shown (see [`Card::lang`]).
    pub lang: &'static str,
    /// On a site in another language, the listing has no words in it yet.
    pub untranslated: bool,
    pub name_lang: &'static str,
    pub slug: String,
    pub id: String,
    pub url: String,
    pub name: String,
    pub summary: String,
    /// The language of the description shown.
    pub body_lang: &'static str,
    pub body_html: String,
    pub status: Labelled,
    pub support_types: Vec<Term>,
    pub who_for: Vec<Term>,
    pub towns: Vec<Term>,
    pub postcode_districts: Vec<Term>,
    pub contact: ContactView,
    pub costs: Vec<CostView>,
    pub payments: Vec<Labelled>,
    /// The languages the enterprise works in, named in the site's language.
    pub languages: Vec<Labelled>,
    pub new_clients: Option<Labelled>,
    pub days: Vec<Labelled>,
    pub last_checked: Option<String>,
    pub last_checked_iso: Option<String>,
    pub cqc: Option<CqcView>,
    /// What the council saw, kind by kind, for the "What the council checked" panel.
    pub checked: Vec<EvidenceView>,
    /// Where "Report a problem with this listing" goes: an email to the council with the
    /// listing named in the subject, or the council's own form.
    pub report_href: Option<String>,
    pub photo: Option<super::photos::PhotoView>,
    pub card: Card,
}

/// One kind of evidence as a resident reads it: "Public liability insurance", "valid until
/// February 2027". Never a certificate, policy or register number.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceView {
    pub label: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    pub first_name: Option<String>,
    pub phone: Option<String>,
    pub phone_href: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub website_label: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CostView {
    pub price: String,
    pub unit: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CqcView {
    /// `cqc`, or `ciw` for a council in Wales: the registration is named after it.
    pub regulator: String,
    pub registered: bool,
    pub location_id: Option<String>,
    /// The CQC's public page for the location, when its id has the CQC's shape.
    pub url: Option<String>,
    pub basis: Option<String>,
}

/// Looks up labels in the theme's translations, falling back to a readable form of the key
/// so a value added to the schema still shows sensibly before it is translated.
pub struct Labels<'a> {
    pub strings: &'a Value,
}

impl Labels<'_> {
    pub fn label(&self, group: &str, key: &str) -> String {
        self.strings
            .get(group)
            .and_then(|g| g.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| humanise(key))
    }

    pub fn labelled(&self, group: &str, key: &str) -> Labelled {
        Labelled {
            key: key.to_string(),
            label: self.label(group, key),
        }
    }

    /// "February 2027", with the theme's month names.
    pub fn month_year(&self, date: time::Date) -> String {
        let month = self
            .strings
            .get("months")
            .and_then(|m| m.get(usize::from(u8::from(date.month())) - 1))
            .and_then(Value::as_str)
            .map_or_else(|| date.month().to_string(), str::to_string);
        format!("{month} {}", date.year())
    }

    /// `2026-05-20` as "20 May 2026", with the theme's month names ("20 Mai 2026" in Welsh).
    pub fn long_date(&self, iso: &str) -> Option<String> {
        Some(self.day_month_year(iso_date(iso)?))
    }

    /// "25 November 2026", with the theme's month names.
    pub fn day_month_year(&self, date: time::Date) -> String {
        format!("{} {}", date.day(), self.month_year(date))
    }

    pub fn text(&self, key: &str) -> String {
        self.strings
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or(key)
            .to_string()
    }
}

fn humanise(key: &str) -> String {
    let words = key.replace(['_', '-'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Builds the view of one listing for one council's site.
pub fn listing_view(
    listing: &Listing,
    labels: &Labels,
    council: &Council,
    today: time::Date,
) -> ListingView {
    let f = &listing.front;
    let url = listing_url(&listing.slug);
    let term = |group: &str, key: &str, url: String| Term {
        label: labels.label(group, key),
        key: key.to_string(),
        url,
        count: 0,
    };
    let towns: Vec<Term> = f
        .service_area
        .towns
        .iter()
        .map(|t| {
            // A town the council names, however the listing wrote it (in either language),
            // is one page, named in the site's language.
            let key = council
                .settings
                .area(t)
                .map_or(t.as_str(), |a| a.town.as_str());
            Term {
                label: council.settings.town_name(t),
                key: key.to_string(),
                url: area_url(key),
                count: 0,
            }
        })
        .collect();
    // A listing's cost wording in Welsh, on a Welsh page.
    let welsh_cost = f
        .welsh
        .as_ref()
        .and_then(|w| w.cost.clone())
        .filter(|_| council.settings.site_language() == "cy");
    let costs: Vec<CostView> = f
        .cost
        .iter()
        .map(|c| {
            // A free group is "Free", not "£0 a session".
            let free = (c.amount * 100.0).round() == 0.0;
            CostView {
                price: if free {
                    labels.text("free")
                } else {
                    money(c.amount)
                },
                unit: if free {
                    String::new()
                } else {
                    labels.label("units", &c.unit)
                },
                description: welsh_cost.clone().or_else(|| c.description.clone()),
            }
        })
        .collect();
    let new_clients = f
        .availability
        .taking_new_clients
        .as_deref()
        .map(|k| labels.labelled("new_clients", k));
    let status = labels.labelled("status", &f.status);
    let words = ListingWords::for_site(listing, council);
    let card = Card {
        lang: words.lang,
        name_lang: words.name_lang,
        name: words.name.clone(),
        url: url.clone(),
        summary: words.summary.clone(),
        towns: towns
            .iter()
            .map(|t| t.label.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        new_clients: new_clients.clone(),
        status: status.clone(),
        cost: costs
            .first()
            .map(|c| format!("{} {}", c.price, c.unit).trim_end().to_string()),
        phone: f.contact.phone.clone(),
        phone_href: f.contact.phone.as_deref().map(tel_href),
        email: f.contact.email.clone(),
        last_checked: f
            .review
            .last_checked
            .as_deref()
            .and_then(|d| labels.long_date(d)),
    };
    ListingView {
        lang: words.lang,
        untranslated: words.untranslated,
        name_lang: words.name_lang,
        slug: listing.slug.clone(),
        id: listing.id.clone(),
        url,
        name: words.name,
        summary: words.summary,
        body_lang: words.description_lang,
        body_html: markdown::to_safe_html(words.description),
        status,
        support_types: f
            .support_types
            .iter()
            .map(|k| term("support_types", k, support_url(k)))
            .collect(),
        who_for: f
            .who_for
            .iter()
            .map(|k| term("who_for", k, who_for_url(k)))
            .collect(),
        towns,
        postcode_districts: f
            .service_area
            .postcode_districts
            .iter()
            .map(|d| Term {
                label: d.clone(),
                key: d.clone(),
                url: district_url(d),
                count: 0,
            })
            .collect(),
        contact: contact_view(f),
        costs,
        payments: f
            .payment_accepted
            .iter()
            .map(|k| labels.labelled("payments", k))
            .collect(),
        languages: f
            .languages
            .iter()
            .map(|k| labels.labelled("languages", k))
            .collect(),
        new_clients,
        days: f
            .availability
            .days
            .iter()
            .map(|k| labels.labelled("days", k))
            .collect(),
        last_checked: f
            .review
            .last_checked
            .as_deref()
            .and_then(|d| labels.long_date(d)),
        last_checked_iso: f.review.last_checked.clone(),
        cqc: f.standards.cqc.as_ref().map(|c| CqcView {
            regulator: council
                .settings
                .regulator
                .clone()
                .unwrap_or_else(|| "cqc".into()),
            registered: c.registered,
            location_id: c.location_id.clone(),
            // Only the CQC's pages have an address made from the registration.
            url: c
                .location_id
                .as_deref()
                .and_then(cqc_url)
                .filter(|_| council.settings.regulator.as_deref() != Some("ciw")),
            basis: c.basis.clone(),
        }),
        checked: evidence_views(f, labels, today),
        report_href: report_href(
            council,
            &labels
                .text("report_subject")
                .replace("{name}", &f.name)
                .replace("{id}", &listing.id),
        ),
        photo: None,
        card,
    }
}

/// The evidence a listing holds, in the order written, each with the date that matters
/// to a resident. Insurance that has run out is left off: it no longer counts.
fn evidence_views(f: &FrontMatter, labels: &Labels, today: time::Date) -> Vec<EvidenceView> {
    let month = |date: &Option<String>| date.as_deref().and_then(iso_date);
    f.standards
        .evidence
        .iter()
        .filter(|e| month(&e.expires).is_none_or(|d| d >= today))
        .map(|e| {
            let dated = |key: &str, date: time::Date| {
                format!("{} {}", labels.text(key), labels.month_year(date))
            };
            let mut detail = match (
                month(&e.expires),
                month(&e.completed),
                month(&e.issued),
                month(&e.signed),
                month(&e.registered),
            ) {
                (Some(d), ..) => dated("valid_until", d),
                (_, Some(d), ..) => dated("completed", d),
                (_, _, Some(d), ..) => dated("issued", d),
                (_, _, _, Some(d), _) => dated("signed", d),
                (.., Some(d)) => dated("registered", d),
                _ => String::new(),
            };
            if e.update_service {
                if !detail.is_empty() {
                    detail.push_str(", ");
                }
                detail.push_str(&labels.text("dbs_update_service"));
            }
            EvidenceView {
                label: labels.label("evidence", &e.kind),
                detail,
            }
        })
        .collect()
}

fn iso_date(iso: &str) -> Option<time::Date> {
    time::Date::parse(iso, &time::format_description::well_known::Iso8601::DATE).ok()
}

/// The CQC's public page for a location id such as `1-123456789`; none for anything else,
/// so a listing cannot send residents elsewhere.
fn cqc_url(id: &str) -> Option<String> {
    let digits = id.strip_prefix("1-")?;
    ((5..=12).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("https://www.cqc.org.uk/location/{id}"))
}

/// Where a report of a problem goes: the council's form if it has one, else an email to
/// the council with `subject` filled in. None when the council gave neither.
pub fn report_href(council: &Council, subject: &str) -> Option<String> {
    let contact = &council.settings.contact;
    if let Some(form) = contact.report_form.as_deref().and_then(web_link) {
        return Some(form);
    }
    let email = contact.email.as_deref()?;
    // Everything but letters, digits and `-._~` is encoded (RFC 3986 unreserved), so the
    // subject cannot add headers or end the address.
    const SUBJECT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let subject = percent_encoding::utf8_percent_encode(subject, SUBJECT);
    Some(format!("mailto:{email}?subject={subject}"))
}

fn contact_view(f: &FrontMatter) -> ContactView {
    let c = &f.contact;
    ContactView {
        first_name: c.first_name.clone(),
        phone: c.phone.clone(),
        phone_href: c.phone.as_deref().map(tel_href),
        email: c.email.clone(),
        website: c.website.as_deref().and_then(web_link),
        website_label: c.website.as_deref().and_then(web_link).map(|w| {
            w.trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string()
        }),
    }
}

/// Pounds as people write them: £20 or £19.50.
pub fn money(amount: f64) -> String {
    let pence = (amount * 100.0).round() as i64;
    if pence % 100 == 0 {
        format!("£{}", pence / 100)
    } else {
        format!("£{}.{:02}", pence / 100, pence % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_like_a_price_list() {
        assert_eq!(money(20.0), "£20");
        assert_eq!(money(19.5), "£19.50");
        assert_eq!(money(0.45), "£0.45");
    }

    #[test]
    fn phone_links_dial_the_digits() {
        assert_eq!(tel_href("07700 900123"), "tel:07700900123");
        assert_eq!(tel_href("+44 (0)1823 555012"), "tel:+4401823555012");
    }

    #[test]
    fn dates_are_written_out_in_the_sites_language() {
        let english =
            serde_json::json!({"months": ["January", "February", "March", "April", "May"]});
        let labels = Labels { strings: &english };
        assert_eq!(
            labels.long_date("2026-05-20").as_deref(),
            Some("20 May 2026")
        );
        let welsh =
            serde_json::json!({"months": ["Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai"]});
        let labels = Labels { strings: &welsh };
        assert_eq!(
            labels.long_date("2026-02-01").as_deref(),
            Some("1 Chwefror 2026")
        );
    }

    #[test]
    fn untranslated_keys_still_read_well() {
        let strings = serde_json::json!({"support_types": {"home_help": "Help at home"}});
        let labels = Labels { strings: &strings };
        assert_eq!(labels.label("support_types", "home_help"), "Help at home");
        assert_eq!(
            labels.label("support_types", "digital_help"),
            "Digital help"
        );
    }
}
