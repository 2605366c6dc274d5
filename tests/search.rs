//! End-to-end: each site gets a search index of its published listings only, and
//! `carepages search` answers with the same code the browser runs.

mod common;
use common::*;
use serde_json::Value;

fn built() -> Workspace {
    let ws = Workspace::from_fixture("basic");
    let out = ws.build(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    ws
}

fn search(ws: &Workspace, words: &[&str]) -> Value {
    let output = ws.output();
    let mut args = vec!["search", "--council", "testshire", "--json"];
    args.extend_from_slice(words);
    let content = ws.content();
    let out = run(&args, &[("--output", &output), ("--content", &content)]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("json")
}

fn slugs(results: &Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["slug"].as_str().expect("slug").to_string())
        .collect()
}

#[test]
fn finds_listings_by_a_word_from_the_body_a_typo_a_postcode_and_a_synonym() {
    let ws = built();
    assert_eq!(
        slugs(&search(&ws, &["cuppa"])),
        ["green-fingers"],
        "a word only in the body"
    );
    assert_eq!(
        slugs(&search(&ws, &["gardning"])),
        ["green-fingers"],
        "a typo"
    );
    assert_eq!(
        slugs(&search(&ws, &["TA4", "2PQ"])),
        ["kindly-hands"],
        "a full postcode"
    );
    assert_eq!(
        slugs(&search(&ws, &["befriending"])),
        ["kindly-hands"],
        "a synonym of companionship"
    );
    assert_eq!(
        slugs(&search(&ws, &["Williton"])),
        ["kindly-hands"],
        "a town"
    );
}

#[test]
fn withheld_listings_are_never_found() {
    let ws = built();
    let results = search(&ws, &["quiet", "company"]);
    assert!(
        !slugs(&results).contains(&"quiet-withheld".to_string()),
        "{results}"
    );
    let all = search(&ws, &[]);
    assert_eq!(slugs(&all), ["green-fingers", "kindly-hands"]);
}

#[test]
fn filters_narrow_the_results() {
    let ws = built();
    let output = ws.output();
    let content = ws.content();
    let out = run(
        &[
            "search",
            "--council",
            "testshire",
            "--json",
            "--open",
            "--direct-payment",
        ],
        &[("--output", &output), ("--content", &content)],
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(slugs(&json), ["kindly-hands"]);
    let out = run(
        &[
            "search",
            "--council",
            "testshire",
            "--json",
            "--support",
            "gardening",
        ],
        &[("--output", &output), ("--content", &content)],
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(slugs(&json), ["green-fingers"]);
}

#[test]
fn every_page_has_a_search_box_and_the_search_page_works_without_script() {
    let ws = built();
    let site = ws.output().join("testshire");
    let home = read(&site.join("index.html"));
    assert_eq!(attrs(&home, "form.site-search", "action"), ["search/"]);
    assert_eq!(attrs(&home, "link[rel=search]", "href"), ["opensearch.xml"]);
    let listing = read(&site.join("enterprises/kindly-hands/index.html"));
    assert_eq!(
        attrs(&listing, "form.site-search", "action"),
        ["../../search/"]
    );

    let page = read(&site.join("search/index.html"));
    for attr in ["data-engine", "data-index"] {
        let url = attrs(&page, "#search-app", attr).remove(0);
        assert!(
            url.starts_with("../assets/search-") && url.ends_with(".wasm"),
            "{url}"
        );
        assert!(site.join("search").join(&url).is_file(), "{url} is missing");
    }
    assert_eq!(attrs(&page, "input#q", "name"), ["q"]);
    assert_eq!(attrs(&page, "#search-status", "aria-live"), ["polite"]);
    // Without JavaScript the page explains itself and links to the browse pages.
    assert!(
        page.contains("<noscript>") && page.contains("Search needs JavaScript"),
        "{page}"
    );
    let opensearch = read(&site.join("opensearch.xml"));
    assert!(opensearch.contains("search/?q={searchTerms}"));
}

#[test]
fn a_site_that_was_never_built_is_a_usage_error() {
    let ws = Workspace::from_fixture("basic");
    let output = ws.output();
    let content = ws.content();
    let out = run(
        &["search", "--council", "testshire", "gardening"],
        &[("--output", &output), ("--content", &content)],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("carepages build"), "{}", stderr(&out));
}

#[test]
fn unknown_councils_and_filter_values_are_refused_with_what_would_work() {
    let ws = built();
    let output = ws.output();
    let content = ws.content();
    let paths = [
        ("--output", output.as_path()),
        ("--content", content.as_path()),
    ];
    let out = run(&["search", "--council", "testshir", "garden"], &paths);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("no council called \"testshir\"") && err.contains("Did you mean testshire?"),
        "{err}"
    );
    for (flag, wrong, right) in [
        ("--support", "gardning", "gardening"),
        ("--for", "older", "older_people"),
        ("--day", "monday", "mon"),
    ] {
        let out = run(
            &["search", "--council", "testshire", flag, wrong, "x"],
            &paths,
        );
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("Did you mean {right}?")),
            "{flag}: {err}"
        );
        assert!(err.contains("Use one of:"), "{flag}: {err}");
    }
}
