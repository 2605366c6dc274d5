//! What a council needs before it can publish: the pages the law asks for, what the council
//! checked on every listing, a way to report a problem, and the phone number first. Each
//! test builds the bundled demo (both councils, both themes) and reads the pages a resident
//! would.

mod common;

use common::*;
use std::path::Path;

const COUNCILS: [&str; 2] = ["westmoor", "eastbrook"];
const STATEMENTS: [&str; 3] = ["accessibility", "privacy", "cookies"];

fn page(site: &Path, rel: &str) -> String {
    read(&site.join(rel))
}

#[test]
fn every_council_publishes_the_statements_and_links_them_from_every_page() {
    let (dir, _) = built_demo();
    for council in COUNCILS {
        let site = dir.path().join("output").join(council);
        let sitemap = page(&site, "sitemap.xml");
        for name in STATEMENTS {
            let html = page(&site, &format!("{name}/index.html"));
            assert_eq!(
                texts(&html, "h1").len(),
                1,
                "{council}/{name} has one heading"
            );
            assert!(
                sitemap.contains(&format!("{name}/</loc>")),
                "{council}'s sitemap lists {name}/"
            );
        }
        for rel in [
            "index.html",
            "404.html",
            "enterprises/index.html",
            "search/index.html",
        ] {
            let links = attrs(&page(&site, rel), ".footer-links a", "href");
            for name in STATEMENTS {
                assert!(
                    links.iter().any(|l| l.ends_with(&format!("{name}/"))),
                    "{council}/{rel} links to {name}/ from its footer: {links:?}"
                );
            }
        }
    }
}

#[test]
fn the_accessibility_statement_says_what_the_council_set_and_invents_nothing() {
    let (dir, content) = built_demo();
    let westmoor = page(
        &dir.path().join("output/westmoor"),
        "accessibility/index.html",
    );
    assert!(westmoor
        .contains("fully compliant with the Web Content Accessibility Guidelines version 2.2 AA"));
    assert!(westmoor.contains("This statement was prepared on 2 November 2026."));
    assert!(westmoor.contains("It was last reviewed on 20 November 2026."));
    assert!(westmoor.contains("Equality Advisory and Support Service"));
    let eastbrook = page(
        &dir.path().join("output/eastbrook"),
        "accessibility/index.html",
    );
    assert!(eastbrook.contains("partially compliant"));
    assert!(eastbrook.contains("Photos on some listings have short descriptions"));

    // A council that has written none of it gets a statement without made-up dates or
    // claims, and an officer's to-do for each missing part.
    let council = content.join("councils/westmoor.yaml");
    let text = read(&council);
    let cut = text.find("statements:").expect("statements in the demo");
    std::fs::write(&council, &text[..cut]).expect("write");
    let output = dir.path().join("unfilled");
    let themes = repo().join("themes");
    let out = run(
        &["build", "--today", TODAY],
        &[
            ("--content", &content),
            ("--output", &output),
            ("--themes", &themes),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let html = page(&output.join("westmoor"), "accessibility/index.html");
    assert!(html.contains("has not yet assessed this website"));
    assert!(!html.contains("was prepared on"));
    assert!(!html.contains("compliant with"));
    let check = run(
        &["check", "--today", TODAY, "--format", "json"],
        &[("--content", &content)],
    );
    let report = stdout(&check);
    for field in [
        "statements.accessibility.compliance",
        "statements.accessibility.prepared",
        "statements.privacy.dpo_email",
    ] {
        assert!(
            report.contains(&format!("\"field\":\"{field}\""))
                || report.contains(&format!("\"field\": \"{field}\"")),
            "check names {field} as a to-do:\n{report}"
        );
    }
    assert!(report.contains("go-live"));
}

#[test]
fn the_privacy_and_cookies_pages_say_what_is_published_and_that_nothing_is_stored() {
    let (dir, _) = built_demo();
    let site = dir.path().join("output/eastbrook");
    let privacy = page(&site, "privacy/index.html");
    assert!(privacy.contains("Eastbrook District Council is the data controller"));
    assert!(privacy.contains("mailto:dpo@eastbrook.example"));
    assert!(privacy.contains("Z7654321"));
    assert!(privacy.contains("Correcting or removing a listing"));
    assert!(privacy.contains("mailto:localsupport@eastbrook.example"));
    let cookies = page(&site, "cookies/index.html");
    assert!(cookies.contains("This site sets no cookies and stores nothing on your device."));
    // True while the site's only script writes nothing to the device.
    let script = read(&repo().join("themes/default/static/search.js"));
    for store in [
        "document.cookie",
        "localStorage",
        "sessionStorage",
        "indexedDB",
    ] {
        assert!(!script.contains(store), "search.js uses {store}");
    }
}

#[test]
fn a_listing_shows_what_the_council_checked_by_name_and_date_and_never_a_number() {
    let (dir, content) = built_demo();
    let site = dir.path().join("output/westmoor");
    let html = page(&site, "enterprises/quiet-hours-companions/index.html");
    let checked = texts(&html, ".checked li");
    assert_eq!(
        checked,
        [
            "Public liability insurance, valid until February 2027",
            "Enhanced DBS check, issued April 2024, kept up to date through the DBS Update Service",
            "Safeguarding adults training, completed April 2025",
            "First aid training, completed October 2024",
            "The council's code of conduct, signed May 2025",
        ]
    );
    assert!(html.contains(
        "Last checked by the council: <time datetime=\"2026-09-09\">9 September 2026</time>"
    ));

    // Every evidence kind in every published listing is named, and no register, policy or
    // certificate number written in a listing reaches its page.
    for entry in std::fs::read_dir(content.join("enterprises")).expect("listings") {
        let path = entry.expect("entry").path();
        let text = read(&path);
        let slug = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let Ok(html) = std::fs::read_to_string(site.join(format!("enterprises/{slug}/index.html")))
        else {
            continue;
        };
        for line in text.lines() {
            if let Some(at) = line.find("register_ref:") {
                let number = line[at + 13..]
                    .trim()
                    .trim_end_matches('}')
                    .trim()
                    .trim_matches('"');
                assert!(
                    !html.contains(number),
                    "{slug} shows its register number {number}"
                );
            }
        }
        // Evidence whose insurance has run out no longer counts and is not shown.
        let current = text
            .lines()
            .filter(|l| l.contains("{type: "))
            .filter(|l| match l.find("expires: ") {
                Some(at) => l[at + 9..].get(..10).is_some_and(|d| d >= TODAY),
                None => true,
            })
            .count();
        assert_eq!(
            texts(&html, ".checked li").len(),
            current,
            "{slug} names each kind of evidence it holds"
        );
    }
}

#[test]
fn cqc_registration_links_to_the_cqc_and_an_exemption_is_explained() {
    let (dir, _) = built_demo();
    let site = dir.path().join("output/westmoor");
    let registered = page(&site, "enterprises/willow-care-bridgwater/index.html");
    assert!(attrs(&registered, ".standards a", "href")
        .contains(&"https://www.cqc.org.uk/location/1-1234567890".to_string()));
    let exempt = page(&site, "enterprises/exe-valley-care-at-home/index.html");
    assert!(exempt.contains("does not have to register"));
    assert!(exempt.contains("<q>Self-employed sole trader"));
}

#[test]
fn report_a_problem_writes_to_the_council_naming_the_listing() {
    let (dir, _) = built_demo();
    let html = page(
        &dir.path().join("output/westmoor"),
        "enterprises/quiet-hours-companions/index.html",
    );
    let report = attrs(&html, ".report a", "href");
    let mail = report
        .iter()
        .find(|h| h.starts_with("mailto:communitycare@westmoor.example?subject="))
        .expect("a report link to the council");
    assert!(mail.contains("Quiet%20Hours%20Companions"), "{mail}");
    // The subject carries the listing's id, so the council knows which one is meant.
    let id_start = mail.rfind("%28").expect("id in brackets") + 3;
    assert_eq!(mail[id_start..].trim_end_matches("%29").len(), 36, "{mail}");
    assert!(html.contains("call 999"));
    assert!(attrs(&html, ".report a", "href").contains(&"tel:01632960100".to_string()));
}

#[test]
fn the_phone_number_comes_first_and_is_one_tap_away_everywhere() {
    let (dir, _) = built_demo();
    let site = dir.path().join("output/westmoor");
    let html = page(&site, "enterprises/quiet-hours-companions/index.html");
    let main = &html[html.find("<main").expect("main")..];
    let call = main.find("class=\"call\"").expect("call link");
    for later in ["class=\"lead\"", "contact-h", "class=\"photo\""] {
        if let Some(at) = main.find(later) {
            assert!(call < at, "the call link comes before {later}");
        }
    }
    let cards = page(&site, "enterprises/index.html");
    let tel = attrs(&cards, ".card-phone", "href");
    assert!(
        tel.len() > 10 && tel.iter().all(|t| t.starts_with("tel:")),
        "{tel:?}"
    );
    let home = page(&site, "index.html");
    assert!(
        attrs(&home, ".intro a", "href").contains(&"tel:01632960100".to_string()),
        "the council's number in the intro is a tel: link"
    );
}

#[test]
fn wrong_texts_are_gone_and_places_are_the_councils_own_in_natural_order() {
    let (dir, _) = built_demo();
    let westmoor = dir.path().join("output/westmoor");
    let eastbrook = dir.path().join("output/eastbrook");
    for site in [&westmoor, &eastbrook] {
        let home = page(site, "index.html");
        assert!(!home.contains("This listing is not a recommendation"));
    }
    // A free group reads "Free", never "£0".
    for entry in walkdir::WalkDir::new(&westmoor) {
        let entry = entry.expect("walk");
        if entry.path().extension().is_some_and(|e| e == "html") {
            let html = read(entry.path());
            assert!(!html.contains("£0 "), "{} shows £0", entry.path().display());
        }
    }
    // Eastbrook's search examples are Eastbrook's places.
    let search = page(&eastbrook, "search/index.html");
    assert!(search.contains("for example gardening, Frome or BA11"));
    assert!(!search.contains("Williton"));
    // "Where do you live?" offers only the council's own towns.
    let towns = texts(&page(&eastbrook, "areas/index.html"), ".term-list a");
    assert!(towns.contains(&"Frome".to_string()));
    for other in ["Bridgwater", "Taunton", "TA7"] {
        assert!(
            !towns.contains(&other.to_string()),
            "eastbrook offers {other}"
        );
    }
    let districts = texts(&page(&westmoor, "areas/index.html"), ".term-list a");
    let position = |d: &str| districts.iter().position(|x| x == d);
    if let (Some(ta3), Some(ta21)) = (position("TA3"), position("TA21")) {
        assert!(ta3 < ta21, "TA3 before TA21: {districts:?}");
    }
    if let (Some(ta2), Some(ta21)) = (position("TA2"), position("TA21")) {
        assert!(ta2 < ta21, "TA2 before TA21: {districts:?}");
    }
}

#[test]
fn the_printed_booklet_carries_the_address_date_and_every_town() {
    let (dir, _) = built_demo();
    let site = dir.path().join("output/westmoor");
    let html = page(&site, "print/index.html");
    let css_href = attrs(&html, "link[media=print]", "href")
        .into_iter()
        .find(|h| h.contains("print-site."))
        .expect("the site's print stylesheet");
    let css = read(&site.join("print").join(css_href));
    assert!(css.contains("\"care.westmoor.example\""), "{css}");
    assert!(css.contains("\"Correct on 25 November 2026\""), "{css}");
    assert!(css.contains("counter(page)"), "{css}");
    // Quiet Hours Companions is printed under its first town, and indexed under each.
    let index = &html[html.find("id=\"town-index\"").expect("town index")..];
    for town in ["Bridgwater", "Glastonbury", "Street"] {
        let at = index
            .find(&format!("<h3>{town}</h3>"))
            .expect("town in index");
        let next = index[at..].find("</p>").expect("end") + at;
        assert!(index[at..next].contains("Quiet Hours Companions"), "{town}");
    }
}
