//! A council whose first language is Welsh (`languages: [cy]`) gets every word of the site in
//! Welsh, from the themes' `i18n/cy.yaml`. Builds the demo with Eastbrook (meadow theme, on
//! top of the default theme) switched to Welsh and reads every page a resident can open.

mod common;

use common::*;
use std::path::Path;

/// Every string of a theme's `en.yaml` (nested maps and lists included).
fn strings(value: &serde_yaml::Value, out: &mut Vec<String>) {
    match value {
        serde_yaml::Value::String(s) => out.push(s.clone()),
        serde_yaml::Value::Sequence(items) => items.iter().for_each(|v| strings(v, out)),
        serde_yaml::Value::Mapping(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// The English wording a Welsh page must not show: each literal run of 12 or more characters
/// between `{placeholders}` of the English strings, unless the Welsh file has it too (names
/// such as "Open Referral UK" stay as they are).
fn english_phrases() -> Vec<String> {
    let mut english = Vec::new();
    let mut welsh = Vec::new();
    for theme in ["default", "meadow"] {
        let dir = repo().join("themes").join(theme).join("i18n");
        let en: serde_yaml::Value =
            serde_yaml::from_str(&read(&dir.join("en.yaml"))).expect("en.yaml");
        let cy: serde_yaml::Value =
            serde_yaml::from_str(&read(&dir.join("cy.yaml"))).expect("cy.yaml");
        strings(&en, &mut english);
        strings(&cy, &mut welsh);
    }
    let welsh = welsh.join("\n");
    let mut phrases: Vec<String> = english
        .iter()
        .flat_map(|s| {
            s.split(['{', '}'])
                .step_by(2)
                .map(|part| part.trim_matches(|c: char| c.is_whitespace() || c == ':' || c == '.'))
                .filter(|part| part.chars().count() >= 12 && !welsh.contains(*part))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    phrases.sort();
    phrases.dedup();
    phrases
}

fn welsh_demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, out) = demo_with(|settings| {
        // A Welsh council writes its own words in Welsh too.
        let settings = settings
            .replace("languages: [en]", "languages: [cy]")
            .replace(
                "Photos on some listings have short descriptions that do not say everything the photo shows. We are working with the enterprises to improve them by March 2027.",
                "Mae gan luniau ar rai rhestriadau ddisgrifiadau byr nad ydyn nhw'n dweud popeth sydd yn y llun. Rydyn ni'n gweithio gyda'r mentrau i'w gwella erbyn Mawrth 2027.",
            );
        assert!(
            settings.contains("erbyn Mawrth 2027"),
            "the demo's known problem is in Welsh"
        );
        assert!(
            settings.contains("languages: [cy]"),
            "the demo council names its languages"
        );
        settings
    });
    assert!(out.status.success(), "{}", stderr(&out));
    let site = dir.path().join("output/eastbrook");
    (dir, site)
}

/// The text a resident sees or hears on a page: the body's text and every `alt`, `title`,
/// `aria-label` and `placeholder`, outside the listings' own words (written by enterprises).
fn page_words(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let own_words = scraper::Selector::parse(".body, [lang=en]").expect("selector");
    let skip: std::collections::HashSet<_> = doc.select(&own_words).map(|e| e.id()).collect();
    let mut words = String::new();
    for node in doc.tree.root().descendants() {
        if node.ancestors().any(|a| skip.contains(&a.id())) || skip.contains(&node.id()) {
            continue;
        }
        match node.value() {
            scraper::Node::Text(text) => {
                let in_script = node.ancestors().any(|a| {
                    a.value()
                        .as_element()
                        .is_some_and(|e| matches!(e.name(), "script" | "style" | "title"))
                });
                if !in_script {
                    words.push_str(text);
                    words.push(' ');
                }
            }
            scraper::Node::Element(e) => {
                for attr in ["alt", "title", "aria-label", "placeholder"] {
                    if let Some(v) = e.attr(attr) {
                        words.push_str(v);
                        words.push(' ');
                    }
                }
            }
            _ => {}
        }
    }
    words.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_welsh_council_gets_every_page_in_welsh_with_no_english_interface_words() {
    let (_dir, site) = welsh_demo();
    let phrases = english_phrases();
    assert!(
        phrases.len() > 100,
        "the check knows the English wording: {}",
        phrases.len()
    );
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&site) {
        let entry = entry.expect("walk");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "html") || path.starts_with(site.join("oruk")) {
            continue;
        }
        let rel = path
            .strip_prefix(&site)
            .expect("inside")
            .display()
            .to_string();
        let html = read(path);
        assert!(
            html.contains("<html lang=\"cy\""),
            "{rel} says it is in Welsh"
        );
        let words = page_words(&html);
        for month in [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ] {
            for year in 2020..2031 {
                let date = format!("{month} {year}");
                assert!(
                    !words.contains(&date),
                    "{rel} shows an English date: {date}"
                );
            }
        }
        for phrase in &phrases {
            assert!(
                !words.contains(phrase.as_str()),
                "{rel} shows English: “{phrase}”"
            );
        }
        pages += 1;
    }
    assert!(pages > 30, "every kind of page was read: {pages}");
}

#[test]
fn welsh_pages_have_welsh_words_where_a_resident_looks_first() {
    let (_dir, site) = welsh_demo();
    // Apostrophes are written as &#39; in the pages.
    let page = |path: &Path| read(path).replace("&#39;", "'");
    let home = page(&site.join("index.html"));
    assert!(
        texts(&home, "h1")
            .iter()
            .any(|h| h.contains("Beth fyddai'n eich helpu")),
        "meadow's own Welsh heading"
    );
    assert!(home.contains("Neidio i'r prif gynnwys"), "skip link");
    let listing = first_listing(&site);
    let html = page(&listing);
    assert!(
        html.contains("Beth wnaeth y cyngor ei wirio"),
        "the trust panel in Welsh"
    );
    assert!(
        html.contains("Rhoi gwybod am broblem gyda'r rhestriad hwn"),
        "report a problem"
    );
    assert!(
        html.contains("<h1 lang=\"en\">") && html.contains("class=\"body\" lang=\"en\""),
        "the enterprise's own English words are marked as English"
    );
    let not_found = page(&site.join("404.html"));
    assert!(not_found.contains("Heb ddod o hyd i'r dudalen"));
    for statement in ["accessibility", "privacy", "cookies"] {
        let html = page(&site.join(statement).join("index.html"));
        assert_eq!(texts(&html, "h1").len(), 1);
        assert!(
            !html.contains("This site sets no cookies"),
            "{statement} is in Welsh"
        );
    }
}

fn first_listing(site: &Path) -> std::path::PathBuf {
    let dir = site.join("enterprises");
    let mut listings: Vec<_> = std::fs::read_dir(&dir)
        .expect("enterprises/")
        .filter_map(|e| e.ok().map(|e| e.path().join("index.html")))
        .filter(|p| p.exists() && p.parent() != Some(dir.as_path()))
        .collect();
    listings.sort();
    listings.into_iter().next().expect("a listing page")
}

#[test]
fn a_listing_names_the_languages_it_works_in_in_the_sites_own_language() {
    let (_dir, site) = welsh_demo();
    let welsh =
        read(&site.join("enterprises/frome-friendly-visits/index.html")).replace("&#39;", "'");
    assert!(welsh.contains("Ieithoedd maen nhw'n gweithio ynddyn nhw"));
    assert!(
        welsh.contains("<li>Saesneg</li><li>Pwyleg</li>"),
        "in the listing's order"
    );
    let english = english_frome_page();
    assert!(english.contains("Languages they work in"));
    assert!(english.contains("<li>English</li><li>Polish</li>"));
}

/// The demo with Eastbrook's settings changed by `change`, built; the run's output and folder.
fn demo_with(change: impl Fn(String) -> String) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().expect("tempdir");
    let content = dir.path().join("content");
    copy_dir(&repo().join("content"), &content);
    let council = content.join("councils/eastbrook.yaml");
    std::fs::write(&council, change(read(&council))).expect("write council");
    let output = dir.path().join("output");
    let themes = repo().join("themes");
    let out = run(
        &["build", "--today", "2026-11-25"],
        &[
            ("--content", &content),
            ("--output", &output),
            ("--themes", &themes),
        ],
    );
    (dir, out)
}

#[test]
fn two_councils_on_one_theme_each_get_their_own_language() {
    let (dir, out) = demo_with(|s| {
        s.replace("theme: meadow", "theme: default")
            .replace("languages: [en]", "languages: [cy]")
    });
    assert!(out.status.success(), "{}", stderr(&out));
    let westmoor = read(&dir.path().join("output/westmoor/index.html"));
    let eastbrook = read(&dir.path().join("output/eastbrook/index.html"));
    assert!(westmoor.contains("<html lang=\"en\"") && westmoor.contains("Skip to main content"));
    assert!(
        eastbrook.contains("<html lang=\"cy\"")
            && eastbrook.contains("Neidio i&#39;r prif gynnwys")
    );
}

#[test]
fn a_language_the_theme_has_no_words_in_is_named_with_its_line_and_a_fix() {
    let (dir, out) = demo_with(|s| s.replace("languages: [en]", "languages: [fr]"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("unknown-language"), "{err}");
    assert!(
        err.contains("The theme `meadow` has no words in the language `fr`."),
        "{err}"
    );
    assert!(err.contains("eastbrook.yaml:28:13"), "{err}");
    assert!(err.contains("themes/meadow/i18n/fr.yaml"), "{err}");
    assert!(!err.contains("{{"), "no template is quoted: {err}");
    assert!(
        !dir.path().join("output/eastbrook").exists(),
        "nothing was published"
    );
}

#[test]
fn a_listing_with_welsh_words_shows_them_on_a_welsh_site_and_others_say_they_are_in_english() {
    let (_dir, site) = welsh_demo();
    let page = |rel: &str| read(&site.join(rel)).replace("&#39;", "'");
    let translated = page("enterprises/frome-friendly-visits/index.html");
    assert!(translated.contains("<p class=\"lead\" lang=\"cy\">Ymweliadau cwmnïaeth"));
    assert!(
        translated.contains("lang=\"cy\"><p>Rwy’n ymweld"),
        "the Welsh description"
    );
    assert!(
        translated.contains("<h1 lang=\"en\">Frome Friendly Visits</h1>"),
        "the name is as written"
    );
    assert!(!translated.contains("class=\"untranslated\""));
    let english = page("enterprises/calm-hands-therapies/index.html");
    assert!(english.contains("<p class=\"lead\" lang=\"en\">"));
    assert!(english.contains("<p class=\"untranslated\">Nid yw'r fenter hon wedi ysgrifennu"));
    let cards = page("support/companionship/index.html");
    assert!(
        cards.contains("<p lang=\"cy\">Ymweliadau cwmnïaeth"),
        "the card too"
    );
    // The English site shows the English words, with no note.
    let en = english_frome_page();
    assert!(en.contains("<p class=\"lead\" lang=\"en\">Companionship visits"));
    assert!(!en.contains("Ymweliadau") && !en.contains("class=\"untranslated\""));
}

#[test]
fn check_lists_the_listings_a_welsh_site_shows_in_english_as_a_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let content = dir.path().join("content");
    copy_dir(&repo().join("content"), &content);
    let council = content.join("councils/eastbrook.yaml");
    let settings = read(&council).replace("languages: [en]", "languages: [cy]");
    std::fs::write(&council, settings).expect("write council");
    let out = run(
        &["check", "--today", "2026-11-25", "--format", "json"],
        &[("--content", &content)],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "a to-do never fails the check: {}",
        stderr(&out)
    );
    let text = format!("{}{}", stdout(&out), stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json report");
    let todo: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "welsh-missing")
        .collect();
    let files: Vec<&str> = todo.iter().filter_map(|d| d["file"].as_str()).collect();
    assert!(
        files.iter().any(|f| f.ends_with("calm-hands-therapies.md")),
        "{text}"
    );
    assert!(
        !files
            .iter()
            .any(|f| f.ends_with("frome-friendly-visits.md")),
        "it has Welsh words"
    );
    assert!(
        files.iter().all(|f| !f.contains("westmoor")),
        "only Eastbrook's listings"
    );
    let first = todo[0];
    assert_eq!(first["field"], "welsh.summary");
    assert_eq!(first["severity"], "warning");
    assert!(first["message"]
        .as_str()
        .unwrap_or("")
        .contains("Eastbrook District Council"));
}

/// Frome Friendly Visits' page on the demo as it ships, in English.
fn english_frome_page() -> String {
    let (dir, _) = built_demo();
    read(
        &dir.path()
            .join("output/eastbrook/enterprises/frome-friendly-visits/index.html"),
    )
}

/// The demo's council in Wales, Glanyrafon (`languages: [cy, en]`), as the README's first
/// command builds it: Welsh at the site's address, English under `en/`.
fn bilingual_demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, _) = built_demo();
    let site = dir.path().join("output/glanyrafon");
    (dir, site)
}

/// Every HTML page under `site`, by path relative to it, leaving out the English folder.
fn welsh_pages(site: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(site)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.path().to_path_buf())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| {
            p.strip_prefix(site)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|rel| !rel.starts_with("en/") && !rel.starts_with("oruk/"))
        .collect();
    pages.sort();
    pages
}

/// Where a relative link on the page at `page` (site-relative) leads, site-relative.
fn resolve(page: &str, href: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for part in href.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            other => parts.push(other),
        }
    }
    let mut path = parts.join("/");
    if href.ends_with('/') || href.is_empty() {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str("index.html");
    }
    path
}

#[test]
fn every_page_of_a_bilingual_site_has_its_twin_with_hreflang_pairs_and_a_switch_to_it() {
    let (_dir, site) = bilingual_demo();
    let base = "https://gofal.glanyrafon.example/";
    let welsh = welsh_pages(&site);
    assert!(welsh.len() > 30, "every kind of page: {}", welsh.len());
    let english_count = walkdir::WalkDir::new(site.join("en"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .count();
    assert_eq!(
        english_count,
        welsh.len(),
        "the same pages in each language"
    );
    for rel in &welsh {
        let twin = format!("en/{rel}");
        let cy = read(&site.join(rel));
        let en = read(&site.join(&twin));
        assert!(cy.contains("<html lang=\"cy\""), "{rel} is Welsh");
        assert!(en.contains("<html lang=\"en\""), "{twin} is English");
        let address = rel.strip_suffix("index.html").unwrap_or(rel);
        for html in [&cy, &en] {
            assert_eq!(
                attrs(html, "link[rel=alternate][hreflang=cy]", "href"),
                [format!("{base}{address}")],
                "{rel}"
            );
            assert_eq!(
                attrs(html, "link[rel=alternate][hreflang=en]", "href"),
                [format!("{base}en/{address}")],
                "{rel}"
            );
        }
        if rel == "404.html" {
            // Served at any address: its links start from the host's root.
            assert_eq!(attrs(&cy, ".language-switch a", "href"), ["/en/404.html"]);
            assert_eq!(attrs(&en, ".language-switch a", "href"), ["/404.html"]);
            continue;
        }
        let to_english = attrs(&cy, ".language-switch a[hreflang=en]", "href");
        assert_eq!(to_english.len(), 1, "{rel} has one switch");
        assert_eq!(
            resolve(rel, &to_english[0]),
            twin,
            "{rel} switches to its twin"
        );
        let to_welsh = attrs(&en, ".language-switch a[hreflang=cy]", "href");
        assert_eq!(resolve(&twin, &to_welsh[0]), *rel, "{twin} switches back");
        assert_eq!(texts(&cy, ".language-switch a"), ["English"]);
        assert_eq!(texts(&en, ".language-switch a"), ["Cymraeg"]);
    }
    let sitemap = read(&site.join("sitemap.xml"));
    for page in [
        "",
        "en/",
        "enterprises/cwmni-da-y-fenni/",
        "en/enterprises/cwmni-da-y-fenni/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>{base}{page}</loc>")),
            "the sitemap lists {page}"
        );
    }
    assert!(!site.join("en/oruk").exists(), "one Open Referral feed");
    let en_home = read(&site.join("en/index.html"));
    assert!(
        en_home.contains("href=\"../oruk/index.json\""),
        "the English pages link to the one feed"
    );
}

#[test]
fn the_welsh_pages_of_a_bilingual_site_show_no_english_interface_words() {
    let (_dir, site) = bilingual_demo();
    let phrases = english_phrases();
    for rel in welsh_pages(&site) {
        let words = page_words(&read(&site.join(&rel)));
        for phrase in &phrases {
            assert!(
                !words.contains(phrase.as_str()),
                "{rel} shows English: “{phrase}”"
            );
        }
        for month in [
            "January", "February", "March", "April", "June", "July", "August",
        ] {
            assert!(!words.contains(&format!("{month} 20")), "{rel}: {month}");
        }
    }
}

#[test]
fn each_language_shows_the_councils_and_the_listings_own_words_in_it() {
    let (_dir, site) = bilingual_demo();
    let page = |rel: &str| read(&site.join(rel)).replace("&#39;", "'");
    let cy_home = page("index.html");
    assert!(
        cy_home.contains("Cyngor Sir Glanyrafon"),
        "the council's Welsh name"
    );
    assert!(cy_home.contains("Croeso i gyfeiriadur Glanyrafon"));
    let en_home = page("en/index.html");
    assert!(en_home.contains("Glanyrafon County Council"));
    assert!(en_home.contains("Welcome to Glanyrafon"));
    let cy = page("enterprises/cwmni-da-y-fenni/index.html");
    assert!(cy.contains("Cwmni Da Y Fenni") && cy.contains("Isafswm o awr"));
    assert!(texts(&cy, ".lead")
        .iter()
        .any(|t| t.starts_with("Ymweliadau cyfeillgar")));
    let en = page("en/enterprises/cwmni-da-y-fenni/index.html");
    assert!(en.contains("Good Company Abergavenny") && !en.contains("Cwmni Da Y Fenni"));
    assert!(en.contains("Minimum one hour"));
    // Written "Y Fenni" in the listing: one page for the town, named in each language.
    assert!(texts(&cy, "a").iter().any(|t| t == "Y Fenni"));
    assert!(texts(&en, "a").iter().any(|t| t == "Abergavenny"));
    assert!(site.join("areas/abergavenny/index.html").exists());
    assert!(site.join("en/areas/abergavenny/index.html").exists());
    // Not yet in Welsh: English, marked, with the note; the English page has no note.
    let untranslated = page("enterprises/monmouth-home-help/index.html");
    assert!(untranslated.contains("<p class=\"lead\" lang=\"en\">Cleaning, laundry"));
    assert!(untranslated.contains("class=\"untranslated\""));
    assert!(!page("en/enterprises/monmouth-home-help/index.html").contains("untranslated"));
    // In Wales, Care Inspectorate Wales registers care, not the CQC.
    let care = page("enterprises/gofal-gwyn-personal-care/index.html");
    assert!(care.contains("Arolygiaeth Gofal Cymru") && !care.contains("CQC"));
    let care_en = page("en/enterprises/gofal-gwyn-personal-care/index.html");
    assert!(care_en.contains("Care Inspectorate Wales") && !care_en.contains("Care Quality"));
}

/// The first results' slugs for `query` on the demo's Glanyrafon site, in `language`.
fn glanyrafon_search(dir: &Path, language: &str, query: &str) -> Vec<String> {
    let out = run(
        &[
            "search",
            "--council",
            "glanyrafon",
            "--json",
            "--language",
            language,
            query,
        ],
        &[
            ("--output", &dir.join("output")),
            ("--content", &repo().join("content")),
        ],
    );
    assert!(out.status.success(), "{query}: {}", stderr(&out));
    let results: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    results["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["slug"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn mutated_welsh_words_both_names_of_a_town_and_english_find_listings_on_the_welsh_pages() {
    let (dir, _site) = bilingual_demo();
    let first = |lang: &str, query: &str| {
        glanyrafon_search(dir.path(), lang, query)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("nothing found for “{query}”"))
    };
    // Soft, nasal and aspirate mutations and h- lead back to the word in the listing.
    assert_eq!(
        first("cy", "help i arddio ym Mrynbuga"),
        "usk-valley-gardens"
    );
    assert_eq!(first("cy", "fy ngardd yn Nhrefynwy"), "usk-valley-gardens");
    assert_eq!(
        first("cy", "siopa yng Nghas-gwent"),
        "chepstow-shopping-friends"
    );
    assert_eq!(first("cy", "rhywun i lanhau'r tŷ"), "monmouth-home-help");
    assert_eq!(
        first("cy", "gofal personol i mam"),
        "gofal-gwyn-personal-care"
    );
    assert_eq!(first("cy", "chwmni i nhad yn Y Fenni"), "cwmni-da-y-fenni");
    // A town by either of its names, on either language's pages.
    assert_eq!(first("cy", "Abergavenny"), "cwmni-da-y-fenni");
    assert_eq!(first("en", "Y Fenni companionship"), "cwmni-da-y-fenni");
    // Accents typed or not.
    assert_eq!(first("cy", "pobl hyn"), first("cy", "pobl hŷn"));
    // English typed on the Welsh pages.
    assert_eq!(first("cy", "gardener in Usk"), "usk-valley-gardens");
    assert_eq!(
        first("cy", "shopping Chepstow"),
        "chepstow-shopping-friends"
    );
    // Nobody gardens in Y Fenni: an honest nothing, whichever name is typed.
    assert!(glanyrafon_search(dir.path(), "cy", "garddio yn Y Fenni").is_empty());
    assert!(glanyrafon_search(dir.path(), "en", "gardening in Abergavenny").is_empty());
}

#[test]
fn a_language_a_site_is_not_published_in_is_refused_by_search() {
    let (dir, _site) = bilingual_demo();
    let out = run(
        &[
            "search",
            "--council",
            "westmoor",
            "--language",
            "cy",
            "garden",
        ],
        &[
            ("--output", &dir.path().join("output")),
            ("--content", &repo().join("content")),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no pages in the language \"cy\""));
}

#[test]
fn english_first_the_welsh_pages_go_under_cy_and_welsh_queries_work_on_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let content = dir.path().join("content");
    copy_dir(&repo().join("content"), &content);
    let council = content.join("councils/glanyrafon.yaml");
    let settings = read(&council).replace("languages: [cy, en]", "languages: [en, cy]");
    assert!(settings.contains("languages: [en, cy]"));
    std::fs::write(&council, settings).expect("write council");
    let output = dir.path().join("output");
    let out = run(
        &["build", "--today", "2026-11-25"],
        &[
            ("--content", &content),
            ("--output", &output),
            ("--themes", &repo().join("themes")),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let site = output.join("glanyrafon");
    assert!(read(&site.join("index.html")).contains("<html lang=\"en\""));
    let cy = read(&site.join("cy/enterprises/usk-valley-gardens/index.html"));
    assert!(cy.contains("<html lang=\"cy\""));
    assert_eq!(
        attrs(&cy, ".language-switch a", "href"),
        ["../../../enterprises/usk-valley-gardens/"]
    );
    for language in [None, Some("en"), Some("cy")] {
        let mut args = vec!["search", "--council", "glanyrafon", "--json"];
        if let Some(language) = language {
            args.extend(["--language", language]);
        }
        args.extend(["garddwr", "ym", "Mrynbuga"]);
        let out = run(&args, &[("--output", &output), ("--content", &content)]);
        assert!(out.status.success(), "{language:?}: {}", stderr(&out));
        let results: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
        assert_eq!(
            results["hits"][0]["slug"], "usk-valley-gardens",
            "{language:?}: {results}"
        );
    }
}
