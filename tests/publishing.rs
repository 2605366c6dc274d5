//! End-to-end: what other systems read from a built site. The Open Referral UK feed must
//! pass the official ORUK 3.0 schemas and hold exactly the published listings; the Atom feed
//! and each listing's schema.org data must agree with the pages residents see.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// The demo content (two councils, three listings withheld) built into a temporary folder.
fn demo_site() -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("tempdir");
    let content = repo().join("content");
    let themes = repo().join("themes");
    let built = run(
        &["build", "--today", TODAY],
        &[
            ("--content", &content),
            ("--themes", &themes),
            ("--output", out.path()),
        ],
    );
    assert!(built.status.success(), "{}", stderr(&built));
    out
}

/// The names on a council's published listing pages, as residents see them.
fn listing_names(site: &Path) -> BTreeSet<String> {
    std::fs::read_dir(site.join("enterprises"))
        .expect("enterprises folder")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.path().join("index.html"))
        .filter(|p| p.is_file())
        .flat_map(|p| texts(&read(&p), "h1"))
        .collect()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A validator for one ORUK object, with every official schema loaded so `$ref`s resolve.
fn oruk_validator(object: &str) -> jsonschema::Validator {
    const BASE: &str = "https://oruk.schemas.invalid/";
    let dir = repo().join("tests/oruk-3.0");
    let mut schemas = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/oruk-3.0") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let name = path.file_name().and_then(|n| n.to_str()).expect("name");
            schemas.push((format!("{BASE}{name}"), json(&path)));
        }
    }
    let registry = jsonschema::Registry::new()
        .draft(jsonschema::Draft::Draft202012)
        .extend(schemas)
        .expect("schema URIs")
        .prepare()
        .expect("the official schemas resolve");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .with_base_uri(format!("{BASE}document.json"))
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&serde_json::json!({ "$ref": format!("{object}.json") }))
        .expect("the schema compiles")
}

fn problems(validator: &jsonschema::Validator, doc: &Value, file: &str) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{file}: {e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn the_open_referral_feed_passes_the_official_schemas_and_lists_exactly_the_published() {
    let out = demo_site();
    let service = oruk_validator("service");
    for council in ["westmoor", "eastbrook"] {
        let site = out.path().join(council);
        let root = json(&site.join("oruk/index.json"));
        assert_eq!(root["version"], "HSDS-UK-3.0");

        let page = json(&site.join("oruk/services/index.json"));
        let contents = page["contents"].as_array().expect("contents");
        assert_eq!(page["total_items"], contents.len());

        let mut bad = Vec::new();
        let mut names = BTreeSet::new();
        for entry in contents {
            bad.extend(problems(&service, entry, "services/index.json"));
            let id = entry["id"].as_str().expect("service id");
            let file = format!("oruk/services/{id}.json");
            let doc = json(&site.join(&file));
            bad.extend(problems(&service, &doc, &file));
            assert_eq!(doc["name"], entry["name"], "{file}");
            assert_eq!(doc["organization"]["name"], doc["name"], "{file}");
            // The service links to its page on this council's site.
            let url = doc["url"].as_str().expect("url");
            let page = url
                .strip_prefix(if council == "westmoor" {
                    "https://care.westmoor.example/"
                } else {
                    "https://directory.eastbrook.example/"
                })
                .unwrap_or_else(|| panic!("{file}: url {url} is not on the council's site"));
            assert!(
                site.join(page).join("index.html").is_file(),
                "{file}: {url}"
            );
            names.insert(doc["name"].as_str().expect("name").to_string());
        }
        assert!(bad.is_empty(), "{council}: {bad:#?}");

        // Exactly the listings residents can see, none withheld.
        assert_eq!(names, listing_names(&site), "{council}");
        // Each document once as a file, and once as its folder's index.html for hosts
        // that cannot rewrite (the page's copy is oruk/services/index.html).
        let entries: Vec<std::path::PathBuf> = std::fs::read_dir(site.join("oruk/services"))
            .expect("services")
            .map(|e| e.expect("entry").path())
            .collect();
        let files = entries.iter().filter(|p| p.is_file()).count();
        let folders = entries.iter().filter(|p| p.is_dir()).count();
        assert_eq!(files, contents.len() + 2, "{council}: stray service files");
        assert_eq!(folders, contents.len(), "{council}: stray service folders");
        for withheld in [
            "Dunkery Drivers",
            "Wellington Friendly Faces",
            "Old Mill Lunch Club",
        ] {
            assert!(
                !names.contains(withheld),
                "{council}: {withheld} is withheld"
            );
        }
    }
}

#[test]
fn withheld_and_hostile_listings_stay_out_of_the_feeds() {
    let ws = Workspace::from_fixture("hostile");
    let built = ws.build(&[]);
    let ws_basic = Workspace::from_fixture("basic");
    let basic = ws_basic.build(&[]);
    assert!(basic.status.success(), "{}", stderr(&basic));
    let site = ws_basic.output().join("testshire");
    let feed = read(&site.join("feed.xml"));
    assert!(
        feed.contains("Kindly Hands") && !feed.contains("Quiet"),
        "{feed}"
    );
    for entry in walkdir::WalkDir::new(site.join("oruk")) {
        let entry = entry.expect("entry");
        if !entry.file_type().is_file() {
            continue;
        }
        let text = read(entry.path());
        assert!(
            !text.contains("Quiet"),
            "a withheld listing is in the feed: {text}"
        );
    }

    // Whatever a volunteer types, it stays data inside the JSON-LD element.
    assert!(built.status.success(), "{}", stderr(&built));
    let mut checked = 0;
    {
        for site in std::fs::read_dir(ws.output()).expect("output") {
            let site = site.expect("site").path();
            for page in std::fs::read_dir(site.join("enterprises"))
                .into_iter()
                .flatten()
            {
                let page = page.expect("page").path().join("index.html");
                if !page.is_file() {
                    continue;
                }
                let html = read(&page);
                for data in json_ld(&html) {
                    checked += 1;
                    assert!(!data.contains('<'), "markup inside JSON-LD: {data}");
                    serde_json::from_str::<Value>(&data).expect("JSON-LD parses");
                }
            }
        }
    }
    assert!(checked > 0, "no JSON-LD on the hostile listing pages");
}

/// The text of each `<script type="application/ld+json">` element, as a browser reads it.
fn json_ld(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(r#"script[type="application/ld+json"]"#).expect("selector");
    doc.select(&sel).map(|s| s.text().collect()).collect()
}

#[test]
fn each_listing_page_describes_itself_in_schema_org() {
    let out = demo_site();
    let site = out.path().join("westmoor");
    let html = read(&site.join("enterprises/barle-valley-breaks/index.html"));
    let data = json_ld(&html);
    assert_eq!(data.len(), 1, "one JSON-LD block");
    let page: Value = serde_json::from_str(&data[0]).expect("JSON");
    assert_eq!(page["@type"], "WebPage");
    assert_eq!(page["dateModified"], "2026-11-12");
    let ld = &page["mainEntity"];
    assert_eq!(ld["@type"], "Service");
    assert_eq!(ld["name"], "Barle Valley Breaks");
    assert_eq!(
        ld["url"],
        "https://care.westmoor.example/enterprises/barle-valley-breaks/"
    );
    assert_eq!(
        attrs(&html, "link[rel=canonical]", "href"),
        [ld["url"].as_str().unwrap_or("")]
    );
    assert_eq!(page["url"], ld["url"]);
    assert_eq!(ld["provider"]["telephone"], "07700 900276");
    assert_eq!(ld["offers"][0]["priceSpecification"]["price"], "20.00");
    assert_eq!(
        ld["offers"][0]["priceSpecification"]["priceCurrency"],
        "GBP"
    );
    assert!(ld["areaServed"].to_string().contains("Dulverton"));
    assert_eq!(
        attrs(&html, "meta[property='og:title']", "content"),
        ["Barle Valley Breaks"]
    );
}

#[test]
fn the_atom_feed_lists_published_listings_newest_first() {
    let out = demo_site();
    let site = out.path().join("westmoor");
    let text = read(&site.join("feed.xml"));
    let feed: atom_syndication::Feed = text.parse().expect("a valid Atom feed");
    let published = listing_names(&site);
    assert!(!feed.entries().is_empty());
    assert_eq!(feed.entries().len(), published.len().min(50));
    let mut last = None;
    for entry in feed.entries() {
        assert!(
            published.contains(entry.title().as_str()),
            "{}",
            entry.title().as_str()
        );
        let href = &entry.links()[0].href;
        let page = href
            .strip_prefix("https://care.westmoor.example/")
            .expect("a link into the site");
        assert!(site.join(page).join("index.html").is_file(), "{href}");
        if let Some(previous) = last {
            assert!(entry.updated() <= &previous, "entries are newest first");
        }
        last = Some(*entry.updated());
    }
    assert_eq!(feed.entries()[0].title().as_str(), "Barle Valley Breaks");
    // Every page tells feed readers where the feed is.
    let home = read(&site.join("index.html"));
    assert_eq!(
        attrs(&home, "link[type='application/atom+xml']", "href"),
        ["feed.xml"]
    );
}

/// The properties schema.org defines for each type the pages use (from schema.org's own
/// vocabulary, https://schema.org/<Type>, including those each type inherits). A property
/// outside its type's list is ignored by search engines and flagged by validators.
const SCHEMA_ORG: &[(&str, &[&str])] = &[
    (
        "WebPage",
        &[
            "@context",
            "@type",
            "@id",
            "url",
            "name",
            "mainEntity",
            "dateModified",
            "description",
        ],
    ),
    (
        "Service",
        &[
            "@type",
            "@id",
            "url",
            "name",
            "description",
            "provider",
            "serviceType",
            "areaServed",
            "audience",
            "offers",
            "hoursAvailable",
        ],
    ),
    (
        "LocalBusiness",
        &["@type", "name", "telephone", "email", "url"],
    ),
    ("City", &["@type", "name"]),
    ("AdministrativeArea", &["@type", "name"]),
    ("Audience", &["@type", "audienceType"]),
    ("Offer", &["@type", "priceSpecification", "description"]),
    (
        "UnitPriceSpecification",
        &["@type", "price", "priceCurrency", "unitText"],
    ),
    ("OpeningHoursSpecification", &["@type", "dayOfWeek"]),
];

fn check_schema_org(value: &Value, at: &str, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(kind) = map.get("@type").and_then(Value::as_str) {
                match SCHEMA_ORG.iter().find(|(t, _)| *t == kind) {
                    Some((_, allowed)) => {
                        for key in map.keys() {
                            if !allowed.contains(&key.as_str()) {
                                problems.push(format!("{at}: {kind} has no property {key}"));
                            }
                        }
                    }
                    None => problems.push(format!("{at}: unexpected type {kind}")),
                }
            }
            for (key, inner) in map {
                check_schema_org(inner, &format!("{at}.{key}"), problems);
            }
        }
        Value::Array(items) => {
            for item in items {
                check_schema_org(item, at, problems);
            }
        }
        _ => {}
    }
}

#[test]
fn every_listing_page_uses_only_properties_schema_org_allows_on_each_type() {
    let out = demo_site();
    let mut problems = Vec::new();
    let mut pages = 0;
    for site in ["westmoor", "eastbrook"] {
        for entry in std::fs::read_dir(out.path().join(site).join("enterprises")).expect("dir") {
            let page = entry.expect("entry").path().join("index.html");
            if !page.is_file() {
                continue;
            }
            for data in json_ld(&read(&page)) {
                pages += 1;
                let value: Value = serde_json::from_str(&data).expect("JSON-LD");
                check_schema_org(&value, &page.display().to_string(), &mut problems);
            }
        }
    }
    assert!(pages > 30, "{pages} listing pages");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_listing_on_two_councils_has_a_record_of_each_with_one_organization() {
    let out = demo_site();
    let record = |council: &str| -> Value {
        let site = out.path().join(council);
        let page = json(&site.join("oruk/services/index.json"));
        let entry = page["contents"]
            .as_array()
            .expect("contents")
            .iter()
            .find(|e| e["name"] == "Quiet Hours Companions")
            .expect("listed by both councils")
            .clone();
        json(&site.join(format!(
            "oruk/services/{}.json",
            entry["id"].as_str().expect("id")
        )))
    };
    let (west, east) = (record("westmoor"), record("eastbrook"));
    assert_ne!(
        west["id"], east["id"],
        "one service id per council's record"
    );
    assert_eq!(west["organization_id"], east["organization_id"]);
    assert_ne!(west["url"], east["url"]);
}
