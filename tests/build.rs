//! End-to-end: build real fixture sites with the carepages binary and check what a
//! resident, a volunteer and a council officer would see.

mod common;
use common::*;
use std::collections::{BTreeSet, VecDeque};

#[test]
fn builds_a_site_where_every_listing_is_reachable_from_the_home_page() {
    let ws = Workspace::from_fixture("basic");
    let out = ws.build(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Built 1 council site with 2 listings (1 withheld"),
        "{}",
        stdout(&out)
    );
    let site = ws.output().join("testshire");

    // Follow links from the home page, as a resident clicking around would.
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from(["index.html".to_string()]);
    while let Some(page) = queue.pop_front() {
        if !seen.insert(page.clone()) || !page.ends_with(".html") {
            continue;
        }
        assert!(site.join(&page).is_file(), "broken link to {page}");
        queue.extend(local_links(&site, &page));
    }
    assert!(
        seen.contains("enterprises/kindly-hands/index.html"),
        "{seen:?}"
    );
    assert!(seen.contains("enterprises/green-fingers/index.html"));
    assert!(
        !site.join("enterprises/quiet-withheld").exists(),
        "a listing without consent was published"
    );

    let listing = read(&site.join("enterprises/kindly-hands/index.html"));
    assert!(attrs(&listing, "a", "href").contains(&"tel:07700900123".to_string()));
    assert_eq!(texts(&listing, "h1"), ["Kindly Hands"]);
    for expected in [
        "£19.50",
        "Taking new clients",
        "Williton",
        "Direct payments",
        "20 May 2026",
    ] {
        assert!(listing.contains(expected), "listing page lacks {expected}");
    }
    assert!(
        site.join("sitemap.xml").is_file()
            && site.join("robots.txt").is_file()
            && site.join("404.html").is_file()
    );
    let sitemap = read(&site.join("sitemap.xml"));
    assert!(sitemap.contains("<loc>https://care.testshire.example/enterprises/kindly-hands/</loc>"));
    assert!(!sitemap.contains("quiet-withheld"));
}

#[test]
fn assets_have_content_hashed_names_and_the_brand_colour_is_made_readable() {
    let ws = Workspace::from_fixture("basic");
    assert!(ws.build(&[]).status.success());
    let assets: Vec<String> = std::fs::read_dir(ws.output().join("testshire/assets"))
        .expect("assets")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let brand = assets
        .iter()
        .find(|a| a.starts_with("brand."))
        .expect("brand css");
    assert!(
        assets
            .iter()
            .any(|a| a.starts_with("style.") && a.len() > "style.css".len() + 5),
        "{assets:?}"
    );
    // The fixture's brand colour is a pale yellow; white text on it would fail WCAG AA.
    let css = read(&ws.output().join("testshire/assets").join(brand));
    assert!(!css.contains("#ffdd00"), "{css}");
    let home = read(&ws.output().join("testshire/index.html"));
    assert!(home.contains(&format!("assets/{brand}")));
}

#[test]
fn hostile_content_never_reaches_the_page_as_script() {
    let ws = Workspace::from_fixture("hostile");
    let out = ws.build(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pages = snapshot(&ws.output());
    assert!(pages
        .keys()
        .any(|p| p.ends_with("enterprises/script-everywhere/index.html")));
    for (path, bytes) in pages.iter().filter(|(p, _)| p.ends_with(".html")) {
        if path.contains("/oruk/") {
            // The feed's folder copies are JSON for hosts that cannot rewrite: whatever a
            // listing says, they hold no markup a browser could run.
            assert!(!bytes.iter().any(|b| matches!(b, b'<' | b'>')), "{path}");
            serde_json::from_slice::<serde_json::Value>(bytes).expect("JSON");
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        assert_eq!(active_content(&html), Vec::<String>::new(), "{path}");
        // Defence in depth: a strict policy that forbids inline script and style.
        let csp = attrs(&html, "meta[http-equiv=Content-Security-Policy]", "content");
        assert_eq!(csp.len(), 1, "{path} has no Content-Security-Policy");
        assert!(
            csp[0].contains("default-src 'none'")
                && csp[0].contains("script-src 'self'")
                && !csp[0].contains("unsafe-inline"),
            "{}",
            csp[0]
        );
        assert!(
            !html.contains("tracker.example") && !html.contains("etc/passwd"),
            "{path}"
        );
    }
    let listing = String::from_utf8_lossy(&pages["evil/enterprises/script-everywhere/index.html"])
        .into_owned();
    // Text is kept as text, so the resident still sees what was written.
    assert_eq!(
        texts(&listing, "h1"),
        ["<script>alert('name')</script> Helpers"]
    );
    assert!(listing.contains("hover me"));
    let fine =
        String::from_utf8_lossy(&pages["evil/enterprises/fine-neighbour/index.html"]).into_owned();
    let links = attrs(&fine, ".body a", "href");
    assert_eq!(links, ["https://fine.example/about", "tel:07700900999"]);
    assert_eq!(
        attrs(&fine, ".body a", "rel")[0],
        "noopener noreferrer nofollow"
    );
}

#[test]
fn a_broken_file_fails_cleanly_and_leaves_output_untouched() {
    let ws = Workspace::from_fixture("basic");
    assert!(ws.build(&[]).status.success());
    let before = snapshot(&ws.output());
    ws.write(
        "enterprises/broken.md",
        "---\nname: Broken\nsummary: \"never closed\nconsent: {publish: true}\n---\nBody\n",
    );
    ws.write(
        "enterprises/misspelt.md",
        &read(&ws.content().join("enterprises/green-fingers.md")).replace("summary:", "sumary:"),
    );
    let out = ws.build(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("enterprises/broken.md"), "{err}");
    assert!(err.contains("enterprises/misspelt.md:3:1"), "{err}");
    assert!(err.contains("Did you mean `summary`?"), "{err}");
    assert!(
        err.contains("sumary: Gardening for people"),
        "the source line is shown: {err}"
    );
    assert!(
        err.contains("Nothing in the output folder was changed"),
        "{err}"
    );
    assert_eq!(
        before,
        snapshot(&ws.output()),
        "output changed after a failed build"
    );
}

#[test]
fn the_same_content_and_date_give_byte_identical_sites() {
    let ws = Workspace::from_fixture("basic");
    // The sites, without the build's own notes beside them (`.testshire.files` records
    // each file's modified time, so the next build can tell it was not touched).
    let sites = || {
        let mut files = snapshot(&ws.output());
        files.retain(|path, _| !path.starts_with('.'));
        files
    };
    assert!(ws.build(&[]).status.success());
    let first = sites();
    assert!(
        first.keys().any(|p| p.starts_with("testshire/")),
        "{first:?}"
    );
    std::fs::remove_dir_all(ws.output()).expect("clear");
    assert!(ws.build(&[]).status.success());
    assert_eq!(first, sites());
}

/// Every site, built as it is and with the theme's templates left exactly as written
/// (`CAREPAGES_PLAIN_TEMPLATES`): writing each site's constants into its templates, and
/// rendering each card once for every depth of browse page, must not change one byte of
/// any page. One site has a listing whose summary holds the character that stands for
/// the climb to the top of the site while a card is rendered once.
#[test]
fn writing_site_constants_into_templates_changes_no_page() {
    let marked = Workspace::from_fixture("basic");
    let kindly = "enterprises/kindly-hands.md";
    let text = read(&marked.content().join(kindly));
    let text = text.replace(
        "summary: Friendly help at home",
        "summary: Friendly help \u{FDD0} at home",
    );
    assert!(text.contains('\u{FDD0}'));
    marked.write(kindly, &text);
    for content in [
        repo().join("content"),
        repo().join("tests/fixtures/basic"),
        repo().join("tests/fixtures/hostile"),
        marked.content(),
    ] {
        let out = tempfile::tempdir().expect("tempdir");
        let build = |folder: &str, plain: bool| {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_carepages"));
            cmd.args(["build", "--today", TODAY, "--content"])
                .arg(&content)
                .arg("--themes")
                .arg(repo().join("themes"))
                .arg("--output")
                .arg(out.path().join(folder))
                .env("NO_COLOR", "1");
            if plain {
                cmd.env("CAREPAGES_PLAIN_TEMPLATES", "1");
            }
            let done = cmd.output().expect("run carepages");
            assert!(done.status.success(), "{}", stderr(&done));
            let mut files = snapshot(&out.path().join(folder));
            files.retain(|path, _| !path.starts_with('.'));
            files
        };
        let written_in = build("written-in", false);
        let plain = build("plain", true);
        assert!(written_in.len() > 20, "{}", content.display());
        assert_eq!(
            written_in.keys().collect::<Vec<_>>(),
            plain.keys().collect::<Vec<_>>()
        );
        for (path, bytes) in &written_in {
            assert!(
                plain[path] == *bytes,
                "{path} differs in {}",
                content.display()
            );
        }
    }
}

#[test]
fn usage_mistakes_exit_with_code_2() {
    let ws = Workspace::from_fixture("basic");
    let out = ws.build(&["--council", "nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("testshire"), "{}", stderr(&out));

    let out = run(&["build", "--today", "2026-02-30"], &[]);
    assert_eq!(out.status.code(), Some(2));

    let content = ws.content();
    let out = run(
        &["build"],
        &[("--content", &content), ("--output", &content)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(ws.content().join("enterprises/kindly-hands.md").is_file());
}

#[test]
fn a_council_theme_overrides_only_some_templates() {
    let ws = Workspace::from_fixture("basic");
    let council = read(&ws.content().join("councils/testshire.yaml"))
        .replace("theme: default", "theme: meadow");
    ws.write(
        "councils/meadowshire.yaml",
        &council.replace("Testshire", "Meadowshire"),
    );
    ws.write(
        "enterprises/kindly-hands.md",
        &read(&ws.content().join("enterprises/kindly-hands.md"))
            .replace("[testshire]", "[testshire, meadowshire]"),
    );
    let out = ws.build(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let meadow_home = read(&ws.output().join("meadowshire/index.html"));
    let default_home = read(&ws.output().join("testshire/index.html"));
    assert_eq!(attrs(&meadow_home, "ul.tiles", "class").len(), 1);
    assert!(attrs(&default_home, "ul.tiles", "class").is_empty());
    assert!(meadow_home.contains("What would help you live well at home?"));
    // The listing page comes from the default theme's template.
    let listing = read(
        &ws.output()
            .join("meadowshire/enterprises/kindly-hands/index.html"),
    );
    assert!(listing.contains("How to get in touch") && listing.contains("assets/theme."));
}

#[test]
fn a_council_with_a_missing_theme_is_reported_on_its_line() {
    let ws = Workspace::from_fixture("basic");
    ws.write(
        "councils/testshire.yaml",
        &read(&ws.content().join("councils/testshire.yaml"))
            .replace("theme: default", "theme: sparkly"),
    );
    let out = ws.build(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("councils/testshire.yaml:3:8"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("There is no theme called `sparkly`"));
}

#[test]
fn timings_show_each_stage_and_the_parts_of_rendering() {
    let ws = Workspace::from_fixture("basic");
    let out = ws.build(&["--timings"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<String> = stderr(&out).lines().map(str::to_string).collect();
    let stage = |name: &str| {
        lines
            .iter()
            .find(|l| l.trim_end().ends_with(name) && l.contains(" ms "))
            .unwrap_or_else(|| panic!("no {name:?} in {lines:#?}"))
            .clone()
    };
    for name in [
        "read content",
        "check content",
        "render and write",
        "swap into place",
    ] {
        assert!(stage(name).contains(&format!(" ms  {name}")), "{name}");
    }
    // The parts of rendering are indented under it.
    for part in [
        "listing pages",
        "browse pages",
        "Open Referral UK feed (alongside)",
    ] {
        assert!(stage(part).contains(&format!(" ms    {part}")), "{part}");
    }
}

#[test]
fn a_rebuild_publishes_the_same_site_and_keeps_unchanged_files() {
    use std::os::unix::fs::MetadataExt;
    let ws = Workspace::from_fixture("basic");
    assert!(ws.build(&[]).status.success());
    let first = snapshot(&ws.output().join("testshire"));
    let page = ws
        .output()
        .join("testshire/enterprises/kindly-hands/index.html");
    let inode = std::fs::metadata(&page).expect("page").ino();
    // Twice: the second rebuild recycles the first build's folder.
    for _ in 0..2 {
        assert!(ws.build(&[]).status.success());
        assert_eq!(snapshot(&ws.output().join("testshire")), first);
        assert_eq!(std::fs::metadata(&page).expect("page").ino(), inode);
    }
    // A changed listing changes its page and nothing of the other listing's.
    let other = ws
        .output()
        .join("testshire/enterprises/green-fingers/index.html");
    let other_inode = std::fs::metadata(&other).expect("other").ino();
    let file = ws.content().join("enterprises/kindly-hands.md");
    std::fs::write(
        &file,
        read(&file).replace("love a good chat", "love a natter"),
    )
    .expect("save");
    assert!(ws.build(&[]).status.success());
    assert!(read(&page).contains("love a natter"));
    assert_eq!(std::fs::metadata(&other).expect("other").ino(), other_inode);
    // The live folder holds only the site.
    let site = snapshot(&ws.output().join("testshire"));
    assert!(
        site.keys().all(|p| !p.starts_with('.')),
        "{:?}",
        site.keys()
    );
}
