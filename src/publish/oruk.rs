//! oruk: one council's directory as an Open Referral UK feed (the UK profile of HSDS 3.0,
//! `HSDS-UK-3.0`) made of static JSON files, so that other council systems and national
//! finders can read it without a server.
//!
//! It owns the mapping from a [`Listing`] to an ORUK `service` with its `organization`. It
//! never decides what is published (the caller hands it the council's published listings),
//! never reads the clock (dates come from the content and the build's `today`), and never
//! writes files: it returns each document with the path it belongs at.
//!
//! # Files and how `/services/{id}` maps to them
//!
//! | ORUK endpoint      | file (site-relative)          |
//! |--------------------|-------------------------------|
//! | `GET /`            | `oruk/index.json`             |
//! | `GET /services`    | `oruk/services/index.json`    |
//! | `GET /services/ID` | `oruk/services/ID.json`       |
//! | `GET /taxonomies`, `/taxonomy_terms`, `/service_at_locations` | `oruk/<name>/index.json` |
//! | each with `/ID`    | `oruk/<name>/ID.json`         |
//!
//! One file per service at `services/<uuid>.json` was chosen over
//! `services/<uuid>/index.json`. The extension makes every static host (GitHub Pages and
//! object storage included, which cannot be configured) send `application/json` for it, and
//! the file can be fetched directly by its name. No common static host serves `index.json` as
//! a folder's index by default, so the folder layout would not have made `/services/<uuid>`
//! work without configuration either; where the host can rewrite (nginx `try_files`, a
//! Netlify or Cloudflare Pages `_redirects` rule), one rule maps `/services/<uuid>` to
//! `<uuid>.json`. `docs/hosting.md` gives the rules for each host.
//!
//! # One service id per council
//!
//! An enterprise listed by two councils appears in both feeds, and each council vouches for
//! it separately: its own checks, its own page (`url`), its own `assured_date`. An aggregator
//! that merges feeds by service id would mix up which council vouched for what if both used
//! one id, so each council's record has its own id, derived from the listing's UUID and the
//! council (`uuid5(listing, "service/<council>")`), stable from build to build. The
//! organization, which is the same business wherever it is listed, keeps one id everywhere
//! (`uuid5(listing, "organization/")`), so aggregators can still tell the two records are the
//! same enterprise.
//!
//! # Where the UK profile has no field
//!
//! The UK profile removes `phones` from `contact` and `service`, and `currency` from
//! `cost_option`. The phone number is how most residents reach a micro-enterprise, so each
//! contact carries HSDS 3.0's `phones` (each entry shaped as the profile's `phone` object)
//! and each cost option HSDS 3.0's `currency: "GBP"`. The profile's `language` keeps only
//! its ids, which would say nothing, so each language also carries HSDS 3.0's `name` and
//! `code` (ISO 639-1, or ISO 639-3 `bfi` for British Sign Language). The official schemas
//! allow extra fields, so the documents still validate; a strict UK consumer ignores them.

use crate::content::FrontMatter;
use crate::standards::{Council, Listing};
use serde_json::{json, Value};
use uuid::Uuid;

/// What `GET /` reports as the standard this feed follows.
pub const VERSION: &str = "HSDS-UK-3.0";
/// The UK profile's own description, for the root document's `profile`.
pub const PROFILE_URL: &str =
    "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md";
/// The UK profile's OpenAPI description, for the root document's `openapi_url`.
pub const OPENAPI_URL: &str =
    "https://raw.githubusercontent.com/OpenReferralUK/uk-profile/main/schema/openapi.json";
/// Where `GET /` is written, relative to the council's site.
pub const ROOT_PATH: &str = "oruk/index.json";
/// Where `GET /services` (the only page: a static host cannot read `?page=`) is written.
pub const SERVICES_PATH: &str = "oruk/services/index.json";

/// The namespace of ids that are the same on every council's feed: our own taxonomies and
/// their terms. Ids belonging to one listing are derived from the listing's service id.
const NAMESPACE: Uuid = Uuid::from_u128(0x5a1e_c0de_6361_7265_7061_6765_7300_0002);

/// Where `GET /services/{id}` is written for a service id.
pub fn service_path(id: &str) -> String {
    format!("oruk/services/{id}.json")
}

/// The feed's `/services` entries from the last build into the same sink, with the path of
/// each service's document, by the fingerprint of the listing each came from: the preview
/// writes again only the documents of listings that changed.
#[derive(Default)]
pub struct Memo(rustc_hash::FxHashMap<u64, (std::sync::Arc<str>, std::sync::Arc<str>)>);

/// Writes every document of one council's ORUK feed into `sink`: one per service, then the
/// root document and the `/services` page. Services are made and serialized in parallel and
/// only their short list entries are kept, as text: a full document for each of thousands
/// of listings held at once was most of a large build's peak memory, and serializing the
/// whole `/services` page on one thread was the slowest part of the feed. With a memo (the
/// preview), a listing whose file did not change keeps its documents.
///
/// `listings` are the council's published listings; one not published on this council's
/// site is left out rather than exposed, as a second line of defence.
pub fn write_documents(
    council: &Council,
    listings: &[&Listing],
    today: time::Date,
    sink: &dyn crate::render::Sink,
    memo: Option<&mut Memo>,
) -> Result<(), super::PublishError> {
    use rayon::prelude::*;
    use std::sync::Arc;
    let io = |path: &str| {
        let path = path.to_string();
        move |source| super::PublishError::Io { path, source }
    };
    let remember = memo.is_some();
    let mut memo = memo;
    let before = memo.as_deref_mut().map(std::mem::take).unwrap_or_default();
    // Unchanged listings keep their documents, all with one word to the sink.
    let shown = shown(council, listings);
    let made: Vec<(u64, Arc<str>, Arc<str>, bool)> = shown
        .par_iter()
        .map(|l| {
            if let Some((path, entry)) = before.0.get(&l.fingerprint) {
                return Ok((l.fingerprint, Arc::clone(path), Arc::clone(entry), true));
            }
            let id = service_id(council, l);
            let path = service_path(&id.to_string());
            let parts = ServiceParts::of(&id, council, l);
            let doc = service(&parts, &id, council, l, today);
            let text = serde_json::to_vec(&doc).map_err(|e| io(&path)(e.into()))?;
            sink.write(&path, &text).map_err(io(&path))?;
            let copy = folder_copy_path(&path);
            sink.write_owned(&copy, folder_copy(&text))
                .map_err(io(&copy))?;
            let entry =
                serde_json::to_string(&doc.into_list_entry()).map_err(|e| io(&path)(e.into()))?;
            Ok((l.fingerprint, Arc::from(path), Arc::from(entry), false))
        })
        .collect::<Result<_, super::PublishError>>()?;
    let copies: Vec<String> = made
        .iter()
        .filter(|(_, _, _, kept)| *kept)
        .map(|(_, path, _, _)| folder_copy_path(path))
        .collect();
    let kept: Vec<&str> = made
        .iter()
        .filter(|(_, _, _, kept)| *kept)
        .map(|(_, path, _, _)| &**path)
        .chain(copies.iter().map(String::as_str))
        .collect();
    sink.keep_all(&kept)
        .map_err(io(kept.first().copied().unwrap_or(SERVICES_PATH)))?;
    let page = services_page(made.iter().map(|(_, _, entry, _)| &**entry));
    let mut documents = vec![
        (ROOT_PATH.to_string(), root().to_string()),
        (SERVICES_PATH.to_string(), page),
    ];
    documents.extend(vocabulary_documents(council, &shown));
    for (path, text) in documents {
        let copy = folder_copy_path(&path);
        sink.write_owned(&copy, folder_copy(text.as_bytes()))
            .map_err(io(&copy))?;
        sink.write_owned(&path, text.into_bytes())
            .map_err(io(&path))?;
    }
    if let (true, Some(memo)) = (remember, memo) {
        *memo = Memo(
            made.into_iter()
                .map(|(fp, path, entry, _)| (fp, (path, entry)))
                .collect(),
        );
    }
    Ok(())
}

/// The listings the feed shows, in its stable order (by name, then file name). A listing
/// that is not published on this council's site is left out, as a second line of defence.
fn shown<'a>(council: &Council, listings: &[&'a Listing]) -> Vec<&'a Listing> {
    let mut shown: Vec<&Listing> = listings
        .iter()
        .copied()
        .filter(|l| l.is_published_on(&council.id))
        .collect();
    crate::standards::in_name_order(&mut shown);
    shown
}

/// Where a document's copy for hosts that cannot rewrite is written: the folder an
/// Open Referral client asks for, with the document as its `index.html`
/// (`oruk/services/index.json` → `oruk/services/index.html`, `oruk/services/ID.json` →
/// `oruk/services/ID/index.html`). GitHub Pages and plain static servers answer a folder
/// with its `index.html`, so `/oruk/`, `/oruk/services` and `/oruk/services/ID` all work
/// there, if sent as HTML and after a redirect to the folder's `/`.
pub fn folder_copy_path(json_path: &str) -> String {
    let stem = json_path.strip_suffix(".json").unwrap_or(json_path);
    match stem.strip_suffix("/index") {
        Some(folder) => format!("{folder}/index.html"),
        None => format!("{stem}/index.html"),
    }
}

/// The document for a folder copy: the same JSON, with `<`, `>` and `&` written as `\u`
/// escapes (the same values to a JSON reader), so a browser that opens the copy as a page
/// finds no markup in it, whatever a listing says.
fn folder_copy(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() + 16);
    for &b in json {
        match b {
            b'<' => out.extend_from_slice(b"\\u003c"),
            b'>' => out.extend_from_slice(b"\\u003e"),
            b'&' => out.extend_from_slice(b"\\u0026"),
            other => out.push(other),
        }
    }
    out
}

/// Where `GET /taxonomies`, `GET /taxonomy_terms` and `GET /service_at_locations` are
/// written; each `{id}` form is `<folder>/<id>.json` beside its list.
pub const TAXONOMIES_PATH: &str = "oruk/taxonomies/index.json";
pub const TAXONOMY_TERMS_PATH: &str = "oruk/taxonomy_terms/index.json";
pub const SERVICE_AT_LOCATIONS_PATH: &str = "oruk/service_at_locations/index.json";

/// A taxonomy the feed's terms belong to (`GET /taxonomies/{id}`).
#[derive(serde::Serialize)]
struct Taxonomy {
    description: &'static str,
    id: String,
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<&'static str>,
}

/// The UK profile's other endpoints that a static site can answer, from what the services
/// already carry: every taxonomy term the published services use, the taxonomies they
/// belong to, and `service_at_locations`, which is empty: micro-enterprises work in
/// people's homes and publish no premises. Each list is one page, then one document per id.
fn vocabulary_documents(council: &Council, shown: &[&Listing]) -> Vec<(String, String)> {
    let mut terms: std::collections::BTreeMap<String, std::sync::Arc<TaxonomyTerm>> =
        Default::default();
    for l in shown {
        for a in attributes(&service_id(council, l), &l.front) {
            terms.entry(a.taxonomy_term_id).or_insert(a.taxonomy_term);
        }
    }
    let mut taxonomies: std::collections::BTreeMap<String, Taxonomy> = Default::default();
    for term in terms.values() {
        let (name, description, uri) = match term.taxonomy {
            t if t == SUPPORT_TYPES.taxonomy => (t, SUPPORT_TYPES.what, None),
            t if t == WHO_FOR.taxonomy => (t, WHO_FOR.what, None),
            LGA_SERVICES_LIST => (
                "LGA Services list",
                "The Local Government Association's list of the services councils provide (LG Inform Plus).",
                Some(LGA_SERVICES_LIST),
            ),
            LGA_NEEDS_LIST => (
                "LGA Needs list",
                "The Local Government Association's list of needs a service meets (LG Inform Plus).",
                Some(LGA_NEEDS_LIST),
            ),
            other => (other, "A list of terms.", None),
        };
        taxonomies
            .entry(term.taxonomy_id.clone())
            .or_insert_with(|| Taxonomy {
                description,
                id: term.taxonomy_id.clone(),
                name,
                uri,
            });
    }
    let mut out = Vec::new();
    let mut listed = |list_path: &str, folder: &str, items: Vec<(String, String)>| {
        out.push((
            list_path.to_string(),
            services_page(items.iter().map(|(_, text)| text.as_str())),
        ));
        out.extend(
            items
                .into_iter()
                .map(|(id, text)| (format!("oruk/{folder}/{id}.json"), text)),
        );
    };
    listed(
        TAXONOMIES_PATH,
        "taxonomies",
        taxonomies
            .values()
            .map(|t| (t.id.clone(), serde_json::to_string(t).unwrap_or_default()))
            .collect(),
    );
    listed(
        TAXONOMY_TERMS_PATH,
        "taxonomy_terms",
        terms
            .iter()
            .map(|(id, t)| (id.clone(), serde_json::to_string(&**t).unwrap_or_default()))
            .collect(),
    );
    listed(
        SERVICE_AT_LOCATIONS_PATH,
        "service_at_locations",
        Vec::new(),
    );
    out
}

/// `GET /`: which standard the feed follows and where it is described.
fn root() -> Value {
    json!({
        "version": VERSION,
        "profile": PROFILE_URL,
        "openapi_url": OPENAPI_URL,
    })
}

/// `GET /services`: one page holding every service, from the entries' JSON text. The
/// same text as serializing the whole page at once: the envelope's keys are sorted, so
/// `contents` comes first.
fn services_page<'a>(entries: impl ExactSizeIterator<Item = &'a str> + Clone) -> String {
    let count = entries.len();
    let envelope = json!({
        "total_items": count,
        "total_pages": 1,
        "page_number": 1,
        "size": count,
        "first_page": true,
        "last_page": true,
        "empty": count == 0,
        "contents": [],
    })
    .to_string();
    let rest = envelope
        .strip_prefix("{\"contents\":[]")
        .unwrap_or_default();
    let size = entries.clone().map(|e| e.len() + 1).sum::<usize>();
    let mut page = String::with_capacity(size + envelope.len());
    page.push_str("{\"contents\":[");
    for (i, entry) in entries.enumerate() {
        if i > 0 {
            page.push(',');
        }
        page.push_str(entry);
    }
    page.push(']');
    page.push_str(rest);
    page
}

/// The listing's service id: its `id` when that is a UUID (it always is when the built-in
/// listing schema checked it), otherwise a UUID made from whatever the id is.
fn service_id(council: &Council, listing: &Listing) -> Uuid {
    Uuid::new_v5(
        &listing_id(listing),
        format!("service/{}", council.id).as_bytes(),
    )
}

/// The listing's own id: the UUID in its file, or one made from it.
fn listing_id(listing: &Listing) -> Uuid {
    Uuid::parse_str(&listing.id).unwrap_or_else(|_| Uuid::new_v5(&NAMESPACE, listing.id.as_bytes()))
}

/// An id for something that belongs to one service, the same on every build.
fn child_id(service: &Uuid, kind: &str, key: &str) -> Uuid {
    Uuid::new_v5(service, format!("{kind}/{key}").as_bytes())
}

/// Whether a text is left out of a document: the feed writes no empty fields.
fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// [`blank`] for an optional text.
fn absent<T: AsRef<str>>(text: &Option<T>) -> bool {
    text.as_ref().is_none_or(|t| blank(t.as_ref()))
}

/// `GET /services/{id}`. Fields are in alphabetical order, as every object in the feed
/// is (the order it had when it was built as a JSON map), and empty ones are left out.
/// The related records are borrowed, so the `/services` list's shape is the same struct
/// without them.
#[derive(serde::Serialize)]
struct Service<'a> {
    #[serde(skip_serializing_if = "blank")]
    accreditations: String,
    #[serde(skip_serializing_if = "absent")]
    alert: Option<&'static str>,
    #[serde(skip_serializing_if = "absent")]
    assured_date: Option<String>,
    #[serde(skip_serializing_if = "absent")]
    assurer_email: Option<String>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    attributes: &'a [Attribute],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    contacts: &'a [Contact],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    cost_options: &'a [CostOption],
    #[serde(skip_serializing_if = "blank")]
    description: String,
    #[serde(skip_serializing_if = "absent")]
    email: Option<String>,
    id: String,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    languages: &'a [Language],
    last_modified: String,
    #[serde(skip_serializing_if = "blank")]
    name: &'a str,
    organization: Organization<'a>,
    organization_id: String,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    schedules: &'a [Schedule],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    service_areas: &'a [ServiceArea],
    status: &'static str,
    #[serde(skip_serializing_if = "absent")]
    url: Option<String>,
}

impl Service<'_> {
    /// The service as the `/services` list shows it: its one-to-one fields and its
    /// organization, without the arrays of related records (the API reference's "list"
    /// shape), so the list stays small for a council with a thousand listings.
    fn into_list_entry(self) -> Self {
        Service {
            attributes: &[],
            contacts: &[],
            cost_options: &[],
            languages: &[],
            schedules: &[],
            service_areas: &[],
            ..self
        }
    }
}

/// A service's related records, which [`Service`] borrows.
struct ServiceParts {
    attributes: Vec<Attribute>,
    contacts: Vec<Contact>,
    cost_options: Vec<CostOption>,
    languages: Vec<Language>,
    schedules: Vec<Schedule>,
    service_areas: Vec<ServiceArea>,
}

impl ServiceParts {
    fn of(id: &Uuid, council: &Council, listing: &Listing) -> ServiceParts {
        let f = &listing.front;
        ServiceParts {
            attributes: attributes(id, f),
            contacts: contacts(id, f),
            cost_options: cost_options(id, f),
            languages: languages(id, f),
            schedules: schedules(id, f),
            service_areas: service_areas(id, council, f),
        }
    }
}

/// The full service, as `GET /services/{id}` returns it.
fn service<'a>(
    parts: &'a ServiceParts,
    id: &Uuid,
    council: &Council,
    listing: &'a Listing,
    today: time::Date,
) -> Service<'a> {
    let f = &listing.front;
    let checked = last_checked(f, today);
    let page = format!(
        "{}{}",
        council.settings.base_url,
        crate::render::listing_url(&listing.slug)
    );
    let organization = organization(&listing_id(listing), f);
    Service {
        id: id.to_string(),
        organization_id: organization.id.clone(),
        name: f.name.trim(),
        description: description(listing),
        url: web_address(&page),
        email: f.contact.email.as_deref().and_then(email_address),
        status: status(&f.status),
        alert: alert(f),
        accreditations: accreditations(council, f),
        assured_date: checked.map(|d| d.to_string()),
        assurer_email: council
            .settings
            .contact
            .email
            .as_deref()
            .and_then(email_address),
        last_modified: format!("{}T00:00:00.000Z", checked.unwrap_or(today)),
        organization,
        schedules: &parts.schedules,
        service_areas: &parts.service_areas,
        cost_options: &parts.cost_options,
        languages: &parts.languages,
        contacts: &parts.contacts,
        attributes: &parts.attributes,
    }
}

#[derive(serde::Serialize)]
struct Organization<'a> {
    #[serde(skip_serializing_if = "blank")]
    description: &'a str,
    #[serde(skip_serializing_if = "absent")]
    email: Option<String>,
    id: String,
    #[serde(skip_serializing_if = "blank")]
    name: &'a str,
    #[serde(skip_serializing_if = "absent")]
    website: Option<String>,
}

/// One enterprise is one organization, named as the service is, with the same id on every
/// council's feed: the enterprise is the same wherever it is listed.
fn organization<'a>(service: &Uuid, f: &'a FrontMatter) -> Organization<'a> {
    Organization {
        id: child_id(service, "organization", "").to_string(),
        name: f.name.trim(),
        description: f.summary.trim(),
        email: f.contact.email.as_deref().and_then(email_address),
        website: f.contact.website.as_deref().and_then(web_address),
    }
}

/// The summary, then the enterprise's own words without markup.
fn description(listing: &Listing) -> String {
    let summary = listing.front.summary.trim();
    let body = listing.body_text();
    if body.trim().is_empty() {
        summary.to_string()
    } else {
        format!("{summary}\n\n{}", body.trim())
    }
}

/// Our statuses in ORUK's words. `closed` listings are withheld before they get here; an
/// unknown status that a council's own schema allows is published, so it reads as active.
fn status(status: &str) -> &'static str {
    match status {
        "paused" => "temporarily closed",
        "closed" => "inactive",
        _ => "active",
    }
}

/// Short-term news for someone about to get in touch.
fn alert(f: &FrontMatter) -> Option<&'static str> {
    match (
        f.status.as_str(),
        f.availability.taking_new_clients.as_deref(),
    ) {
        ("paused", _) => Some("Paused: not offering support at the moment."),
        ("full", _) | (_, Some("no")) => Some("Not taking new clients at the moment."),
        (_, Some("limited")) => Some("Taking a limited number of new clients."),
        _ => None,
    }
}

/// What the council's listing vouches for, and the basis for any CQC registration.
fn accreditations(council: &Council, f: &FrontMatter) -> String {
    let mut text = format!(
        "Meets {}'s standards for community micro-enterprises. A listing is not a recommendation.",
        council.settings.name.trim()
    );
    if let Some(cqc) = &f.standards.cqc {
        match (cqc.registered, &cqc.location_id, &cqc.basis) {
            (true, Some(location), _) => text.push_str(&format!(
                " Registered with the Care Quality Commission (location {}).",
                location.trim()
            )),
            (true, None, _) => text.push_str(" Registered with the Care Quality Commission."),
            (false, _, Some(basis)) => text.push_str(&format!(
                " Not registered with the Care Quality Commission: {}",
                sentence(basis)
            )),
            (false, _, None) => {}
        }
    }
    text
}

fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '!', '?']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// When the council last checked the listing's evidence, never later than `today` (a date
/// in the future withholds the listing at the standards stage, so this is only a safeguard).
fn last_checked(f: &FrontMatter, today: time::Date) -> Option<time::Date> {
    let text = f.review.last_checked.as_deref()?;
    let date =
        time::Date::parse(text, &time::format_description::well_known::Iso8601::DATE).ok()?;
    Some(date.min(today))
}

#[derive(serde::Serialize)]
struct Schedule {
    byday: String,
    #[serde(skip_serializing_if = "blank")]
    description: String,
    freq: &'static str,
    id: String,
    interval: u32,
}

/// The days the enterprise usually works, as one weekly RFC 5545 rule.
fn schedules(service: &Uuid, f: &FrontMatter) -> Vec<Schedule> {
    const DAYS: [(&str, &str, &str); 7] = [
        ("mon", "MO", "Monday"),
        ("tue", "TU", "Tuesday"),
        ("wed", "WE", "Wednesday"),
        ("thu", "TH", "Thursday"),
        ("fri", "FR", "Friday"),
        ("sat", "SA", "Saturday"),
        ("sun", "SU", "Sunday"),
    ];
    let days: Vec<&(&str, &str, &str)> = DAYS
        .iter()
        .filter(|(key, _, _)| f.availability.days.iter().any(|d| d == key))
        .collect();
    if days.is_empty() {
        return Vec::new();
    }
    let byday: Vec<&str> = days.iter().map(|d| d.1).collect();
    let names: Vec<&str> = days.iter().map(|d| d.2).collect();
    vec![Schedule {
        id: child_id(service, "schedule", "weekly").to_string(),
        freq: "WEEKLY",
        interval: 1,
        byday: byday.join(","),
        description: format!("Usually available on {}.", and_list(&names)),
    }]
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[derive(serde::Serialize)]
struct ServiceArea {
    #[serde(skip_serializing_if = "absent")]
    extent: Option<String>,
    #[serde(skip_serializing_if = "absent")]
    extent_type: Option<&'static str>,
    id: String,
    #[serde(skip_serializing_if = "blank")]
    name: String,
}

/// Towns and postcode districts, never an address: many enterprises work from home.
fn service_areas(service: &Uuid, council: &Council, f: &FrontMatter) -> Vec<ServiceArea> {
    let towns = f.service_area.towns.iter().map(|town| {
        let name = council
            .settings
            .areas
            .iter()
            .find(|a| a.town.eq_ignore_ascii_case(town))
            .map(|a| a.town.trim())
            .unwrap_or(town.trim());
        ServiceArea {
            id: child_id(service, "service_area/town", &name.to_lowercase()).to_string(),
            name: name.to_string(),
            extent: None,
            extent_type: None,
        }
    });
    let districts = f.service_area.postcode_districts.iter().map(|d| {
        let district = d.trim().to_uppercase();
        ServiceArea {
            id: child_id(service, "service_area/postcode_district", &district).to_string(),
            name: format!("{district} postcode district"),
            extent: Some(district),
            extent_type: Some("text"),
        }
    });
    towns.chain(districts).collect()
}

#[derive(serde::Serialize)]
struct CostOption {
    amount: f64,
    #[serde(skip_serializing_if = "blank")]
    amount_description: String,
    currency: &'static str,
    id: String,
    #[serde(skip_serializing_if = "absent")]
    option: Option<String>,
}

/// Prices in pounds, with what each one is for.
fn cost_options(service: &Uuid, f: &FrontMatter) -> Vec<CostOption> {
    f.cost
        .iter()
        .enumerate()
        .filter(|(_, c)| c.amount.is_finite() && c.amount >= 0.0)
        .map(|(i, c)| CostOption {
            id: child_id(service, "cost_option", &i.to_string()).to_string(),
            amount: (c.amount * 100.0).round() / 100.0,
            amount_description: per_unit(&c.unit),
            option: c.description.as_deref().map(|d| d.trim().to_string()),
            currency: "GBP",
        })
        .collect()
}

/// A language the service is offered in (HSDS 3.0 `language`: the code is ISO 639-1, or
/// ISO 639-3 where there is no two-letter code, as for British Sign Language).
#[derive(serde::Serialize)]
struct Language {
    code: &'static str,
    id: String,
    name: &'static str,
    service_id: String,
}

/// The languages the listing says it works in, in the order it gives them. A code the
/// schema does not know is left out (`check` has already reported it).
fn languages(service: &Uuid, f: &FrontMatter) -> Vec<Language> {
    f.languages
        .iter()
        .filter_map(|code| {
            crate::content::LANGUAGES
                .iter()
                .find(|(known, _)| known == code)
        })
        .map(|&(code, name)| Language {
            code,
            id: child_id(service, "language", code).to_string(),
            name,
            service_id: service.to_string(),
        })
        .collect()
}

fn per_unit(unit: &str) -> String {
    match unit {
        "fixed" => "fixed price".to_string(),
        other => format!("per {}", other.replace('_', " ")),
    }
}

#[derive(serde::Serialize)]
struct Contact {
    id: String,
    #[serde(skip_serializing_if = "absent")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    phones: Vec<Phone>,
}

#[derive(serde::Serialize)]
struct Phone {
    id: String,
    #[serde(skip_serializing_if = "blank")]
    number: String,
}

/// The contact person by first name only, with the phone number.
fn contacts(service: &Uuid, f: &FrontMatter) -> Vec<Contact> {
    let c = &f.contact;
    let name = c
        .first_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let phone = c.phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
    if name.is_none() && phone.is_none() {
        return Vec::new();
    }
    let phones: Vec<Phone> = phone
        .map(|number| Phone {
            id: child_id(service, "phone", "contact").to_string(),
            number: number.to_string(),
        })
        .into_iter()
        .collect();
    vec![Contact {
        id: child_id(service, "contact", "").to_string(),
        name: name.map(str::to_string),
        phones,
    }]
}

/// A term in one of our own vocabularies (`carepages:support_types`, `carepages:who_for`).
struct OwnVocabulary {
    taxonomy: &'static str,
    link_type: &'static str,
    what: &'static str,
}

const SUPPORT_TYPES: OwnVocabulary = OwnVocabulary {
    taxonomy: "carepages:support_types",
    link_type: "service_type",
    what: "Kind of support offered",
};

const WHO_FOR: OwnVocabulary = OwnVocabulary {
    taxonomy: "carepages:who_for",
    link_type: "intended_audience",
    what: "Who the support is for",
};

/// The LGA's lists (LG Inform Plus "esd" standards), which ORUK directories use for
/// service types and needs.
const LGA_SERVICES_LIST: &str = "http://id.esd.org.uk/list/services";
const LGA_NEEDS_LIST: &str = "http://id.esd.org.uk/list/needs";

/// Support types that match a term in the LGA Services list: (our key, LGA id, LGA label).
///
/// Kept small and honest: only terms whose LGA definition describes the same support. Ids
/// and labels are from the LGA Services list (version 4 labels, as published with the
/// `ckanext-esdstandards` data in 2015); 242 is also quoted in Open Referral UK's "Use of
/// Taxonomies" guidance. Companionship, shopping and errands, transport and escort,
/// handyperson, pet care, wellbeing therapies and life skills have no LGA term that means
/// the same (community transport, for example, is defined as non-profit transport), so
/// they carry only our own term.
const LGA_SERVICES: &[(&str, &str, &str)] = &[
    ("home_help", "242", "Care at home"),
    ("personal_care", "242", "Care at home"),
    ("meals", "315", "Mobile meals"),
    ("day_opportunities", "296", "Community and day centres"),
    (
        "activities_hobbies",
        "241",
        "Leisure and social activities inclusion",
    ),
    ("short_breaks", "227", "Respite care for adults"),
    ("sitting_service", "227", "Respite care for adults"),
    ("gardening", "147", "Assisted garden maintenance"),
    (
        "work_support",
        "239",
        "Disabled people - employment and training schemes",
    ),
    ("carer_support", "225", "Adult carers"),
];

/// Support types that meet a need in the LGA Needs list: (our key, LGA id, LGA label), from
/// Open Referral UK's "Use of Taxonomies" guidance. `who_for` values describe people's
/// circumstances, not needs; the LGA circumstances list is not mapped here.
const LGA_NEEDS: &[(&str, &str, &str)] = &[("companionship", "69", "Social inclusion")];

#[derive(serde::Serialize)]
struct Attribute {
    id: String,
    link_id: String,
    link_type: &'static str,
    #[serde(serialize_with = "shared_term")]
    taxonomy_term: std::sync::Arc<TaxonomyTerm>,
    taxonomy_term_id: String,
}

fn shared_term<S: serde::Serializer>(
    term: &std::sync::Arc<TaxonomyTerm>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&**term, serializer)
}

/// A term in a taxonomy: ours, or one of the LGA's lists.
#[derive(serde::Serialize)]
struct TaxonomyTerm {
    #[serde(skip_serializing_if = "blank")]
    description: String,
    id: String,
    #[serde(skip_serializing_if = "blank")]
    name: String,
    #[serde(skip_serializing_if = "blank")]
    taxonomy: &'static str,
    taxonomy_id: String,
    #[serde(skip_serializing_if = "blank")]
    term: String,
    #[serde(skip_serializing_if = "absent")]
    term_uri: Option<String>,
}

/// Taxonomy links: our own support types and who-it-is-for terms, and the LGA terms that
/// match (each once, even when two support types share one).
fn attributes(service: &Uuid, f: &FrontMatter) -> Vec<Attribute> {
    let mut terms: Vec<(&'static str, std::sync::Arc<TaxonomyTerm>)> = Vec::new();
    for key in &f.support_types {
        terms.push((SUPPORT_TYPES.link_type, own_term(&SUPPORT_TYPES, key)));
    }
    // Grouped by list (all LGA services, then all LGA needs) so the order reads well.
    for key in &f.support_types {
        for (_, id, label) in LGA_SERVICES.iter().filter(|(k, _, _)| k == key) {
            let term = lga_term(LGA_SERVICES_LIST, "Services", "service", id, label);
            terms.push(("service_type", term));
        }
    }
    for key in &f.support_types {
        for (_, id, label) in LGA_NEEDS.iter().filter(|(k, _, _)| k == key) {
            terms.push(("need", lga_term(LGA_NEEDS_LIST, "Needs", "need", id, label)));
        }
    }
    for key in &f.who_for {
        terms.push((WHO_FOR.link_type, own_term(&WHO_FOR, key)));
    }
    let mut seen = std::collections::BTreeSet::new();
    let link_id = service.to_string();
    terms
        .into_iter()
        .filter(|(_, term)| seen.insert(term.id.clone()))
        .map(|(link_type, term)| Attribute {
            id: child_id(service, "attribute", &term.id).to_string(),
            link_id: link_id.clone(),
            link_type,
            taxonomy_term_id: term.id.clone(),
            taxonomy_term: term,
        })
        .collect()
}

/// A taxonomy term is the same in every listing that uses it: each is made once per
/// thread and shared after that (making one hashes two UUIDs).
fn remembered_term(
    taxonomy: &'static str,
    key: &str,
    make: impl FnOnce() -> TaxonomyTerm,
) -> std::sync::Arc<TaxonomyTerm> {
    type Terms = rustc_hash::FxHashMap<
        &'static str,
        rustc_hash::FxHashMap<String, std::sync::Arc<TaxonomyTerm>>,
    >;
    thread_local! {
        static TERMS: std::cell::RefCell<Terms> = Default::default();
    }
    TERMS.with(|terms| {
        let mut terms = terms.borrow_mut();
        let of_taxonomy = terms.entry(taxonomy).or_default();
        match of_taxonomy.get(key) {
            Some(term) => std::sync::Arc::clone(term),
            None => {
                let term = std::sync::Arc::new(make());
                of_taxonomy.insert(key.to_string(), std::sync::Arc::clone(&term));
                term
            }
        }
    })
}

fn own_term(vocabulary: &OwnVocabulary, key: &str) -> std::sync::Arc<TaxonomyTerm> {
    remembered_term(vocabulary.taxonomy, key, || make_own_term(vocabulary, key))
}

fn make_own_term(vocabulary: &OwnVocabulary, key: &str) -> TaxonomyTerm {
    let name = label(key);
    TaxonomyTerm {
        id: Uuid::new_v5(
            &NAMESPACE,
            format!("{}/{key}", vocabulary.taxonomy).as_bytes(),
        )
        .to_string(),
        description: format!("{}: {}.", vocabulary.what, name.to_lowercase()),
        name,
        term: key.to_string(),
        taxonomy: vocabulary.taxonomy,
        taxonomy_id: Uuid::new_v5(&NAMESPACE, vocabulary.taxonomy.as_bytes()).to_string(),
        term_uri: None,
    }
}

fn lga_term(
    list: &'static str,
    list_name: &str,
    kind: &str,
    id: &str,
    label: &str,
) -> std::sync::Arc<TaxonomyTerm> {
    remembered_term(list, id, || make_lga_term(list, list_name, kind, id, label))
}

fn make_lga_term(
    list: &'static str,
    list_name: &str,
    kind: &str,
    id: &str,
    label: &str,
) -> TaxonomyTerm {
    let uri = format!("http://id.esd.org.uk/{kind}/{id}");
    TaxonomyTerm {
        id: Uuid::new_v5(&Uuid::NAMESPACE_URL, uri.as_bytes()).to_string(),
        name: label.to_string(),
        term: id.to_string(),
        description: format!("LGA {list_name} list, term {id}: {label}."),
        taxonomy: list,
        taxonomy_id: Uuid::new_v5(&Uuid::NAMESPACE_URL, list.as_bytes()).to_string(),
        term_uri: Some(uri),
    }
}

/// A readable label for an enumeration key (`home_help` → `Home help`). The feed is not
/// themed, so it does not use a theme's translations.
pub(crate) fn label(key: &str) -> String {
    let words = key.trim().replace(['_', '-'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// An `http(s)` address written so that it is a valid URI: characters a URI may not hold
/// are percent-encoded. `None` when the host is not a plain host name (a URI could not be
/// made from it without guessing).
pub(crate) fn web_address(text: &str) -> Option<String> {
    let text = text.trim();
    let scheme_end = text.find("://")?;
    let scheme = text[..scheme_end].to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let rest = &text[scheme_end + 3..];
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(host_end);
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !host_ok || !port_ok {
        return None;
    }
    let mut out = format!("{scheme}://{}", authority.to_ascii_lowercase());
    let mut seen_fragment = false;
    let bytes = tail.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let keep = match b {
            b'%' => {
                bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
            }
            b'#' if !seen_fragment => {
                seen_fragment = true;
                true
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => true,
            b'-' | b'.' | b'_' | b'~' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' => true,
            b'+' | b',' | b';' | b'=' | b':' | b'@' | b'/' | b'?' => true,
            _ => false,
        };
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Some(out)
}

/// The address when it is a plain `local@domain.tld` one, `None` otherwise. Stricter than
/// the listing schema's `email` format, so whatever it lets through is a valid `email`.
pub(crate) fn email_address(text: &str) -> Option<String> {
    let text = text.trim();
    let (local, domain) = text.rsplit_once('@')?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&b))
        });
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    (local_ok && domain_ok).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Cost, Cqc};
    use crate::standards::{Decision, Directory};
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use time::macros::date;

    const TODAY: time::Date = date!(2026 - 06 - 01);

    /// Every document of the feed in reading order: the root, the `/services` page, then
    /// each service in the order the page lists them.
    fn documents(
        council: &Council,
        listings: &[&Listing],
        today: time::Date,
    ) -> Vec<(String, Value)> {
        let sink = crate::render::MemorySite::default();
        write_documents(council, listings, today, &sink, None).expect("the documents are made");
        let mut files: BTreeMap<String, Value> = sink
            .into_files()
            .into_iter()
            .map(|(path, bytes)| (path, serde_json::from_slice(&bytes).expect("JSON")))
            .collect();
        let mut docs = Vec::new();
        for first in [ROOT_PATH, SERVICES_PATH] {
            docs.extend(files.remove_entry(first));
        }
        let ids: Vec<String> = docs[1].1["contents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["id"].as_str().map(str::to_string))
            .collect();
        for id in ids {
            docs.extend(files.remove_entry(&service_path(&id)));
        }
        // The folder copies and the taxonomy and location endpoints are checked by their
        // own tests.
        files.retain(|path, _| !path.ends_with(".html"));
        files.retain(|path, _| {
            ![
                "oruk/taxonomies/",
                "oruk/taxonomy_terms/",
                "oruk/service_at_locations/",
            ]
            .iter()
            .any(|folder| path.starts_with(folder))
        });
        assert!(
            files.is_empty(),
            "documents missing from the list: {files:?}"
        );
        docs
    }

    fn fixture() -> Directory {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        crate::check(&root, TODAY).expect("the basic fixture checks")
    }

    fn council(dir: &Directory) -> &Council {
        dir.councils
            .iter()
            .find(|c| c.id == "testshire")
            .expect("testshire")
    }

    fn published(dir: &Directory) -> Vec<&Listing> {
        dir.published_for("testshire")
    }

    /// A published listing made from a fixture one, changed by `change`.
    fn variant(base: &Listing, slug: &str, change: impl FnOnce(&mut Listing)) -> Listing {
        let mut l = base.clone();
        l.slug = slug.to_string();
        l.id = crate::standards::id_from_slug(slug);
        l.decisions = BTreeMap::from([("testshire".to_string(), Decision::Published)]);
        change(&mut l);
        l
    }

    /// Listings that reach every branch of the mapping.
    fn varied(dir: &Directory) -> Vec<Listing> {
        let kindly = dir
            .listings
            .iter()
            .find(|l| l.slug == "kindly-hands")
            .expect("kindly-hands");
        vec![
            variant(kindly, "paused-care", |l| {
                l.front.name = "Paused Care".into();
                l.front.status = "paused".into();
                l.front.languages = vec!["cy".into(), "bfi".into(), "en".into()];
                l.front.support_types =
                    vec!["personal_care".into(), "home_help".into(), "meals".into()];
                l.front.standards.cqc = Some(Cqc {
                    registered: false,
                    basis: Some("Self-employed; care directed by the client".into()),
                    location_id: None,
                });
                l.front.cost = vec![
                    Cost {
                        amount: 18.0,
                        unit: "hour".into(),
                        description: None,
                    },
                    Cost {
                        amount: 0.45,
                        unit: "mile".into(),
                        description: Some("Travel with the client".into()),
                    },
                    Cost {
                        amount: 40.0,
                        unit: "fixed".into(),
                        description: Some("Garden tidy".into()),
                    },
                ];
                l.front.availability.days =
                    vec!["sun".into(), "mon".into(), "sat".into(), "mon".into()];
            }),
            variant(kindly, "full-house", |l| {
                l.front.name = "Full House <Help> & \"Care\"".into();
                l.front.status = "full".into();
                l.front.contact.first_name = None;
                l.front.contact.phone = None;
                l.front.contact.website = Some("https://full.example/a path/ünï?q=<x>#a#b".into());
                l.front.support_types = vec!["companionship".into(), "carer_support".into()];
                l.front.who_for = vec!["carers".into()];
                l.front.review.last_checked = Some("2030-01-01".into());
                l.front.standards.cqc = Some(Cqc {
                    registered: true,
                    location_id: Some("1-123456789".into()),
                    basis: None,
                });
                l.body = String::new();
            }),
            variant(kindly, "odd-web", |l| {
                l.front.name = "Odd Web".into();
                l.front.contact.website = Some("https://exa_mple[1]/".into());
                l.front.contact.email = Some("not an email".into());
                l.front.availability.days.clear();
                l.front.review.last_checked = None;
                l.front.service_area.towns = vec!["williton".into()];
                l.front.service_area.postcode_districts = vec!["ta4".into()];
            }),
        ]
    }

    /// The official ORUK 3.0 schemas, copied unchanged into `tests/oruk-3.0`,
    /// with a validator for each kind of document compiled once.
    struct OrukSchemas {
        files: BTreeMap<String, Value>,
        root: jsonschema::Validator,
        page: jsonschema::Validator,
        service: jsonschema::Validator,
        phone: jsonschema::Validator,
        taxonomy: jsonschema::Validator,
        taxonomy_term: jsonschema::Validator,
        service_at_location: jsonschema::Validator,
    }

    const BASE: &str = "https://oruk.schemas.invalid/";

    impl OrukSchemas {
        fn load() -> OrukSchemas {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oruk-3.0");
            let mut files: BTreeMap<String, Value> = BTreeMap::new();
            let entries = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("the ORUK schemas in {}: {e}", dir.display()));
            for entry in entries {
                let path: PathBuf = entry.expect("a directory entry").path();
                if path.extension().and_then(|e| e.to_str()) != Some("json") {
                    continue;
                }
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .expect("a file name")
                    .to_string();
                let text = std::fs::read_to_string(&path).expect("a readable schema");
                files.insert(name, serde_json::from_str(&text).expect("schema JSON"));
            }
            assert!(
                files.contains_key("service.json"),
                "no service.json in {}",
                dir.display()
            );
            let registry = jsonschema::Registry::new()
                .draft(jsonschema::Draft::Draft202012)
                .extend(files.iter().map(|(n, s)| (format!("{BASE}{n}"), s.clone())))
                .expect("schema URIs")
                .prepare()
                .expect("the ORUK schemas resolve");
            // Schemas refer to each other by file name, resolved against BASE.
            let compile = |schema: Value| {
                jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .with_base_uri(format!("{BASE}document.json"))
                    .with_registry(&registry)
                    .should_validate_formats(true)
                    .build(&schema)
                    .expect("the schema compiles")
            };
            OrukSchemas {
                taxonomy: compile(json!({"$ref": "taxonomy.json"})),
                taxonomy_term: compile(json!({"$ref": "taxonomy_term.json"})),
                service_at_location: compile(json!({"$ref": "service_at_location.json"})),
                root: compile(root_schema()),
                page: compile(page_schema()),
                service: compile(service_schema()),
                phone: compile(json!({"$ref": "phone.json"})),
                files,
            }
        }

        /// Every property written is one the official schema declares, apart from the
        /// HSDS 3.0 fields the UK profile leaves out (see the module notes).
        fn undeclared(&self, file: &str, instance: &Value, at: &str, out: &mut Vec<String>) {
            const ALLOWED_EXTRAS: [(&str, &str); 4] = [
                ("contact.json", "phones"),
                ("cost_option.json", "currency"),
                ("language.json", "name"),
                ("language.json", "code"),
            ];
            let Some(schema) = self.files.get(file) else {
                return out.push(format!("{at}: no schema {file}"));
            };
            let Some(object) = instance.as_object() else {
                return;
            };
            for (key, value) in object {
                let here = format!("{at}/{key}");
                if ALLOWED_EXTRAS.contains(&(file, key.as_str())) {
                    if key == "phones" {
                        for (i, phone) in value.as_array().into_iter().flatten().enumerate() {
                            self.undeclared("phone.json", phone, &format!("{here}/{i}"), out);
                        }
                    }
                    continue;
                }
                let Some(property) = schema["properties"].get(key) else {
                    out.push(format!("{here} is not in {file}"));
                    continue;
                };
                let target = property
                    .get("$ref")
                    .or_else(|| property.pointer("/items/$ref"))
                    .and_then(Value::as_str);
                match (target, value) {
                    (Some(next), Value::Array(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            self.undeclared(next, item, &format!("{here}/{i}"), out);
                        }
                    }
                    (Some(next), item) => self.undeclared(next, item, &here, out),
                    (None, _) => {}
                }
            }
        }
    }

    /// `GET /` as the UK profile's OpenAPI description defines it.
    fn root_schema() -> Value {
        json!({
            "type": "object",
            "required": ["version", "profile", "openapi_url"],
            "properties": {
                "version": {"const": "HSDS-UK-3.0"},
                "profile": {"type": "string", "format": "uri"},
                "openapi_url": {"type": "string", "format": "uri"},
            },
        })
    }

    /// `GET /services`: the OpenAPI description's `Page` with `contents` of services.
    fn page_schema() -> Value {
        json!({
            "type": "object",
            "required": ["total_items", "total_pages", "page_number", "size",
                         "first_page", "last_page", "empty", "contents"],
            "properties": {
                "total_items": {"type": "integer"},
                "total_pages": {"type": "integer"},
                "page_number": {"type": "integer"},
                "size": {"type": "integer"},
                "first_page": {"type": "boolean"},
                "last_page": {"type": "boolean"},
                "empty": {"type": "boolean"},
                "contents": {"type": "array", "items": {"$ref": "service.json"}},
            },
        })
    }

    fn service_schema() -> Value {
        json!({"$ref": "service.json", "required": ["url", "organization_id"]})
    }

    fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
        validator
            .iter_errors(instance)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect()
    }

    /// Validates every document; returns the problems, each naming its file.
    fn problems(schemas: &OrukSchemas, docs: &[(String, Value)]) -> Vec<String> {
        let mut out = Vec::new();
        for (path, doc) in docs {
            let (schema, found) = match path.as_str() {
                ROOT_PATH => (&schemas.root, Vec::new()),
                SERVICES_PATH => {
                    let mut found = Vec::new();
                    for (i, entry) in doc["contents"].as_array().into_iter().flatten().enumerate() {
                        schemas.undeclared(
                            "service.json",
                            entry,
                            &format!("/contents/{i}"),
                            &mut found,
                        );
                    }
                    (&schemas.page, found)
                }
                _ => {
                    let mut found = Vec::new();
                    schemas.undeclared("service.json", doc, "", &mut found);
                    for (i, contact) in doc["contacts"].as_array().into_iter().flatten().enumerate()
                    {
                        for phone in contact["phones"].as_array().into_iter().flatten() {
                            found.extend(
                                errors(&schemas.phone, phone)
                                    .into_iter()
                                    .map(|e| format!("/contacts/{i}/phones: {e}")),
                            );
                        }
                    }
                    (&schemas.service, found)
                }
            };
            out.extend(found.into_iter().map(|p| format!("{path}: {p}")));
            out.extend(
                errors(schema, doc)
                    .into_iter()
                    .map(|e| format!("{path}: {e}")),
            );
        }
        out
    }

    #[test]
    fn the_services_page_is_the_same_text_as_serializing_it_whole() {
        let entries = [
            json!({"id": "b", "name": "Café \"Two\""}),
            json!({"id": "a"}),
        ];
        let text: Vec<String> = entries.iter().map(Value::to_string).collect();
        let whole = json!({
            "total_items": 2, "total_pages": 1, "page_number": 1, "size": 2,
            "first_page": true, "last_page": true, "empty": false,
            "contents": entries,
        });
        assert_eq!(
            services_page(text.iter().map(String::as_str)),
            whole.to_string()
        );
        let empty = json!({
            "total_items": 0, "total_pages": 1, "page_number": 1, "size": 0,
            "first_page": true, "last_page": true, "empty": true, "contents": [],
        });
        assert_eq!(services_page(std::iter::empty()), empty.to_string());
    }

    #[test]
    fn every_document_validates_against_the_official_schemas() {
        let dir = fixture();
        let schemas = OrukSchemas::load();
        let extra = varied(&dir);
        let mut listings = published(&dir);
        listings.extend(extra.iter());
        let docs = documents(council(&dir), &listings, TODAY);
        assert_eq!(docs.len(), 2 + listings.len());
        let found = problems(&schemas, &docs);
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    #[test]
    fn a_service_records_the_languages_it_is_offered_in() {
        let dir = fixture();
        let extra = varied(&dir);
        let listings: Vec<&Listing> = extra.iter().collect();
        let docs = documents(council(&dir), &listings, TODAY);
        let paused = extra
            .iter()
            .find(|l| l.slug == "paused-care")
            .expect("paused-care");
        let s = doc_for(&docs, &paused.id);
        let langs = s["languages"].as_array().expect("languages");
        let codes: Vec<&str> = langs.iter().filter_map(|l| l["code"].as_str()).collect();
        assert_eq!(codes, ["cy", "bfi", "en"], "in the listing's order");
        assert_eq!(langs[0]["name"], "Welsh");
        assert_eq!(langs[1]["name"], "British Sign Language");
        assert_eq!(langs[0]["service_id"], s["id"]);
        assert_ne!(langs[0]["id"], langs[1]["id"]);
    }

    #[test]
    fn the_schema_offers_exactly_the_languages_the_feed_can_name() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("content/schema/enterprise.schema.json");
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("json");
        let offered: Vec<&str> = schema["properties"]["languages"]["items"]["enum"]
            .as_array()
            .expect("languages enum")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let named: Vec<&str> = crate::content::LANGUAGES.iter().map(|(c, _)| *c).collect();
        assert_eq!(offered, named);
    }

    #[test]
    fn the_taxonomy_and_location_endpoints_validate_and_cover_every_term_used() {
        let dir = fixture();
        let schemas = OrukSchemas::load();
        let listings = published(&dir);
        let sink = crate::render::MemorySite::default();
        write_documents(council(&dir), &listings, TODAY, &sink, None).expect("documents");
        let files: BTreeMap<String, Value> = sink
            .into_files()
            .into_iter()
            .map(|(path, bytes)| (path, serde_json::from_slice(&bytes).expect("JSON")))
            .collect();
        let (taxonomy, term, at_location) = (
            &schemas.taxonomy,
            &schemas.taxonomy_term,
            &schemas.service_at_location,
        );
        let mut problems = Vec::new();
        let mut used = std::collections::BTreeSet::new();
        for (path, doc) in &files {
            if path.starts_with("oruk/services/") && path != SERVICES_PATH {
                for a in doc["attributes"].as_array().into_iter().flatten() {
                    used.insert(a["taxonomy_term_id"].as_str().unwrap_or("").to_string());
                }
            }
        }
        for (list, folder, validator) in [
            (TAXONOMIES_PATH, "oruk/taxonomies/", taxonomy),
            (TAXONOMY_TERMS_PATH, "oruk/taxonomy_terms/", term),
            (
                SERVICE_AT_LOCATIONS_PATH,
                "oruk/service_at_locations/",
                at_location,
            ),
        ] {
            let page = &files[list];
            for key in [
                "total_items",
                "total_pages",
                "page_number",
                "size",
                "contents",
            ] {
                if page.get(key).is_none() {
                    problems.push(format!("{list}: no {key}"));
                }
            }
            for item in page["contents"].as_array().into_iter().flatten() {
                problems.extend(
                    errors(validator, item)
                        .into_iter()
                        .map(|e| format!("{list}: {e}")),
                );
                let id = item["id"].as_str().unwrap_or("");
                match files.get(&format!("{folder}{id}.json")) {
                    Some(doc) if doc == item => {}
                    _ => problems.push(format!("{folder}{id}.json is missing or differs")),
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        let listed: std::collections::BTreeSet<String> = files[TAXONOMY_TERMS_PATH]["contents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["id"].as_str().map(str::to_string))
            .collect();
        assert!(!used.is_empty());
        assert_eq!(
            listed, used,
            "/taxonomy_terms lists exactly the terms services use"
        );
        let taxonomies: std::collections::BTreeSet<&str> = files[TAXONOMIES_PATH]["contents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["id"].as_str())
            .collect();
        for t in files[TAXONOMY_TERMS_PATH]["contents"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(taxonomies.contains(t["taxonomy_id"].as_str().unwrap_or("")));
        }
        assert_eq!(files[SERVICE_AT_LOCATIONS_PATH]["total_items"], 0);
    }

    #[test]
    fn every_document_has_a_folder_copy_that_reads_the_same_and_holds_no_markup() {
        assert_eq!(folder_copy_path(ROOT_PATH), "oruk/index.html");
        assert_eq!(folder_copy_path(SERVICES_PATH), "oruk/services/index.html");
        assert_eq!(
            folder_copy_path("oruk/services/abc.json"),
            "oruk/services/abc/index.html"
        );
        let dir = fixture();
        let extra = varied(&dir);
        let mut listings = published(&dir);
        listings.extend(extra.iter());
        let sink = crate::render::MemorySite::default();
        write_documents(council(&dir), &listings, TODAY, &sink, None).expect("documents");
        let files: BTreeMap<String, std::sync::Arc<Vec<u8>>> =
            sink.into_files().into_iter().collect();
        let mut copies = 0;
        for (path, bytes) in &files {
            if !path.ends_with(".json") {
                continue;
            }
            let copy = &files[&folder_copy_path(path)];
            copies += 1;
            assert!(
                !copy.iter().any(|b| matches!(b, b'<' | b'>' | b'&')),
                "{path}"
            );
            let a: Value = serde_json::from_slice(bytes).expect("JSON");
            let b: Value = serde_json::from_slice(copy).expect("copy JSON");
            assert_eq!(a, b, "{path}");
        }
        assert_eq!(copies * 2, files.len());
        let hostile = json!({"name": "<script>alert(1)</script> & co"}).to_string();
        let copy = String::from_utf8(folder_copy(hostile.as_bytes())).expect("text");
        assert!(!copy.contains('<'));
        assert_eq!(
            serde_json::from_str::<Value>(&copy).expect("JSON")["name"],
            "<script>alert(1)</script> & co"
        );
    }

    #[test]
    fn an_empty_directory_is_a_valid_empty_feed() {
        let dir = fixture();
        let docs = documents(council(&dir), &[], TODAY);
        assert_eq!(docs.len(), 2);
        let page = &docs[1].1;
        assert_eq!(page["total_items"], 0);
        assert_eq!(page["empty"], true);
        assert_eq!(page["contents"], json!([]));
        let found = problems(&OrukSchemas::load(), &docs);
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    #[test]
    fn the_schema_check_catches_a_broken_service() {
        let schemas = OrukSchemas::load();
        let broken = json!({"id": "not-a-uuid", "name": "X", "status": "open",
                            "contacts": [{"name": "Sam"}], "nickname": "x"});
        let found = problems(&schemas, &[("oruk/services/x.json".into(), broken)]);
        let all = found.join("\n");
        for expected in [
            "not-a-uuid",
            "open",
            "\"id\" is a required property",
            "nickname",
            "url",
        ] {
            assert!(all.contains(expected), "missing {expected} in:\n{all}");
        }
    }

    #[test]
    fn root_and_list_envelope_describe_the_feed() {
        let dir = fixture();
        let listings = published(&dir);
        let docs = documents(council(&dir), &listings, TODAY);
        assert_eq!(docs[0].0, "oruk/index.json");
        assert_eq!(docs[0].1["version"], "HSDS-UK-3.0");
        assert_eq!(docs[1].0, "oruk/services/index.json");
        let page = &docs[1].1;
        assert_eq!(page["total_items"], listings.len());
        assert_eq!(page["size"], listings.len());
        assert_eq!(
            page["contents"].as_array().map(Vec::len),
            Some(listings.len())
        );
        assert_eq!(
            (&page["total_pages"], &page["page_number"]),
            (&json!(1), &json!(1))
        );
        assert_eq!(page["empty"], false);
        for entry in page["contents"].as_array().into_iter().flatten() {
            assert!(
                entry.get("contacts").is_none(),
                "lists carry no arrays: {entry}"
            );
            assert!(entry["organization"]["id"].is_string());
        }
        let ids: Vec<&str> = page["contents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["id"].as_str())
            .collect();
        let files: Vec<String> = docs[2..].iter().map(|(p, _)| p.clone()).collect();
        let expected: Vec<String> = ids.iter().map(|id| service_path(id)).collect();
        assert_eq!(files, expected);
    }

    #[test]
    fn withheld_listings_never_appear() {
        let dir = fixture();
        let withheld = dir
            .listings
            .iter()
            .find(|l| l.slug == "quiet-withheld")
            .expect("the withheld fixture");
        assert!(!withheld.is_published_on("testshire"));
        let mut listings = published(&dir);
        let shown = listings.len();
        listings.push(withheld);
        let docs = documents(council(&dir), &listings, TODAY);
        let text = serde_json::to_string(&docs).expect("json");
        assert!(!text.contains("Quiet Company"));
        assert!(!text.contains(&withheld.id));
        assert_eq!(docs[1].1["total_items"], shown);
    }

    #[test]
    fn ids_are_stable_across_runs_and_distinct() {
        let dir = fixture();
        let extra = varied(&dir);
        let mut listings = published(&dir);
        listings.extend(extra.iter());
        let first = documents(council(&dir), &listings, TODAY);
        listings.reverse();
        let again = documents(council(&dir), &listings, TODAY);
        assert_eq!(
            first, again,
            "same feed whatever order the listings come in"
        );
        let kindly = dir
            .listings
            .iter()
            .find(|l| l.slug == "kindly-hands")
            .expect("kindly-hands");
        let path = service_path(&testshire_id(&kindly.id));
        let doc = &first
            .iter()
            .find(|(p, _)| *p == path)
            .expect("kindly's file")
            .1;
        // Each council's record has its own service id; the organization's is the same on
        // every council's feed.
        assert_eq!(doc["id"], testshire_id(&kindly.id));
        assert_ne!(doc["id"], kindly.id.as_str());
        let org = Uuid::new_v5(
            &Uuid::parse_str(&kindly.id).expect("uuid"),
            b"organization/",
        );
        assert_eq!(doc["organization"]["id"], org.to_string());
        assert_eq!(doc["organization_id"], org.to_string());

        let mut ids = Vec::new();
        for (_, d) in &first[2..] {
            collect_ids(d, &mut ids);
        }
        let mut own: Vec<&String> = ids
            .iter()
            .filter(|(k, _)| k != "term")
            .map(|(_, v)| v)
            .collect();
        let before = own.len();
        own.sort();
        own.dedup();
        assert_eq!(
            own.len(),
            before,
            "ids of services and their parts are unique"
        );
    }

    /// Every `id` in a document, tagged `term` when it is a shared taxonomy term's.
    fn collect_ids(value: &Value, out: &mut Vec<(String, String)>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    if k == "id" {
                        if let Some(id) = v.as_str() {
                            out.push(("own".into(), id.to_string()));
                        }
                    } else if k == "taxonomy_term" {
                        if let Some(id) = v["id"].as_str() {
                            out.push(("term".into(), id.to_string()));
                        }
                    } else {
                        collect_ids(v, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect_ids(v, out)),
            _ => {}
        }
    }

    /// Testshire's service id for a listing id.
    fn testshire_id(listing_id: &str) -> String {
        let listing = Uuid::parse_str(listing_id)
            .unwrap_or_else(|_| Uuid::new_v5(&NAMESPACE, listing_id.as_bytes()));
        Uuid::new_v5(&listing, b"service/testshire").to_string()
    }

    fn doc_for<'a>(docs: &'a [(String, Value)], listing_id: &str) -> &'a Value {
        let path = service_path(&testshire_id(listing_id));
        &docs
            .iter()
            .find(|(p, _)| *p == path)
            .expect("a service file")
            .1
    }

    #[test]
    fn a_listing_maps_field_by_field() {
        let dir = fixture();
        let listings = published(&dir);
        let docs = documents(council(&dir), &listings, TODAY);
        let kindly = listings
            .iter()
            .find(|l| l.slug == "kindly-hands")
            .expect("kindly-hands");
        let s = doc_for(&docs, &kindly.id);
        assert_eq!(s["name"], "Kindly Hands");
        assert_eq!(
            s["url"],
            "https://care.testshire.example/enterprises/kindly-hands/"
        );
        assert_eq!(s["email"], "hello@kindlyhands.example");
        assert_eq!(s["status"], "active");
        assert_eq!(s["assured_date"], "2026-05-20");
        assert_eq!(s["last_modified"], "2026-05-20T00:00:00.000Z");
        assert_eq!(s["assurer_email"], "care@testshire.example");
        let description = s["description"].as_str().expect("description");
        assert!(description.starts_with("Friendly help at home"));
        assert!(description.contains("What I offer"));
        assert!(!description.contains("##"));
        assert_eq!(s["organization"]["website"], "https://kindlyhands.example");
        assert_eq!(s["contacts"][0]["name"], "Sam");
        assert_eq!(s["contacts"][0]["phones"][0]["number"], "07700 900123");
        assert_eq!(s["cost_options"][0]["amount"], 19.5);
        assert_eq!(s["cost_options"][0]["amount_description"], "per hour");
        assert_eq!(s["cost_options"][0]["option"], "Minimum one hour");
        assert_eq!(s["cost_options"][0]["currency"], "GBP");
        assert_eq!(s["schedules"][0]["freq"], "WEEKLY");
        assert_eq!(s["schedules"][0]["byday"], "MO,TU,WE");
        let areas: Vec<&str> = s["service_areas"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["name"].as_str())
            .collect();
        assert_eq!(areas, ["Williton", "TA4 postcode district"]);
        let terms: Vec<(&str, &str)> = s["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                (
                    a["taxonomy_term"]["taxonomy"].as_str().unwrap_or(""),
                    a["taxonomy_term"]["name"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            terms,
            [
                ("carepages:support_types", "Companionship"),
                ("carepages:support_types", "Home help"),
                (LGA_SERVICES_LIST, "Care at home"),
                (LGA_NEEDS_LIST, "Social inclusion"),
                ("carepages:who_for", "Older people"),
                ("carepages:who_for", "Dementia"),
            ]
        );
        let lga = &s["attributes"][2]["taxonomy_term"];
        assert_eq!(lga["term_uri"], "http://id.esd.org.uk/service/242");
        assert!(s.get("alert").is_none());
        // Omitted, not null or empty.
        let text = serde_json::to_string(&docs).expect("json");
        assert!(!text.contains("null") && !text.contains("\"\"") && !text.contains("[]"));
    }

    #[test]
    fn statuses_days_costs_and_odd_values_map_safely() {
        let dir = fixture();
        let extra = varied(&dir);
        let listings: Vec<&Listing> = extra.iter().collect();
        let docs = documents(council(&dir), &listings, TODAY);

        let paused = doc_for(&docs, &extra[0].id);
        assert_eq!(paused["status"], "temporarily closed");
        assert_eq!(paused["schedules"][0]["byday"], "MO,SA,SU");
        assert_eq!(
            paused["schedules"][0]["description"],
            "Usually available on Monday, Saturday and Sunday."
        );
        let costs: Vec<(&Value, &Value)> = paused["cost_options"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| (&c["amount"], &c["amount_description"]))
            .collect();
        assert_eq!(
            costs,
            [
                (&json!(18.0), &json!("per hour")),
                (&json!(0.45), &json!("per mile")),
                (&json!(40.0), &json!("fixed price"))
            ]
        );
        let care_at_home = paused["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["taxonomy_term"]["name"] == "Care at home")
            .count();
        assert_eq!(
            care_at_home, 1,
            "one LGA term even when two support types match it"
        );
        assert!(paused["accreditations"]
            .as_str()
            .is_some_and(|a| a.ends_with("Self-employed; care directed by the client.")));

        let full = doc_for(&docs, &extra[1].id);
        assert_eq!(full["status"], "active");
        assert_eq!(full["alert"], "Not taking new clients at the moment.");
        assert_eq!(full["name"], "Full House <Help> & \"Care\"");
        assert!(
            full.get("contacts").is_none(),
            "no name and no phone: no contact"
        );
        assert_eq!(
            full["organization"]["website"],
            "https://full.example/a%20path/%C3%BCn%C3%AF?q=%3Cx%3E#a%23b"
        );
        assert_eq!(
            full["assured_date"], "2026-06-01",
            "a future check date is capped"
        );
        assert!(full["accreditations"]
            .as_str()
            .is_some_and(|a| a.contains("(location 1-123456789)")));

        let odd = doc_for(&docs, &extra[2].id);
        assert!(odd["organization"].get("website").is_none());
        assert!(odd.get("email").is_none());
        assert!(odd.get("schedules").is_none());
        assert!(odd.get("assured_date").is_none());
        assert_eq!(odd["last_modified"], "2026-06-01T00:00:00.000Z");
        assert_eq!(odd["service_areas"][0]["name"], "Williton");
        assert_eq!(odd["service_areas"][1]["extent"], "TA4");
    }

    #[test]
    fn web_addresses_and_emails_are_checked() {
        assert_eq!(
            web_address("HTTPS://Care.Example:8080/a b?x=1%2"),
            Some("https://care.example:8080/a%20b?x=1%252".into())
        );
        assert_eq!(
            web_address("https://x.example"),
            Some("https://x.example".into())
        );
        assert_eq!(web_address("ftp://x.example/"), None);
        assert_eq!(web_address("https://user@x.example/"), None);
        assert_eq!(web_address("https://x.example:80a/"), None);
        assert_eq!(
            email_address(" a.b@x.example "),
            Some("a.b@x.example".into())
        );
        assert_eq!(email_address("a@localhost"), None);
        assert_eq!(email_address("a..b@x.example"), None);
        assert_eq!(email_address("a b@x.example"), None);
    }
}
