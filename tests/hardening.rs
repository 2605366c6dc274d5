//! End-to-end: a council's own settings, links, devices and very large inputs. Nothing
//! outside the content folder may be read, shown or published; every refusal ends the
//! build with exit 1, names the file and the setting, leaves `output/` (hidden folders
//! included) byte for byte as it was, and comes promptly.

mod common;
use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a secret file on the build machine holds; it must never appear anywhere.
const SECRET: &str = "root:x:0:0:SECRET-ON-THE-BUILD-MACHINE";

/// Runs carepages with a time limit; returns the exit code and everything it printed.
fn run_within(args: &[&str], ws: &Workspace, limit: Duration) -> (Option<i32>, String) {
    let log = ws.dir.path().join("run.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_carepages"))
        .args(args)
        .arg("--content")
        .arg(ws.content())
        .env("NO_COLOR", "1")
        .stdout(std::fs::File::create(&log).expect("log"))
        .stderr(std::fs::File::create(ws.dir.path().join("err.log")).expect("log"))
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let out = read(&log) + &read(&ws.dir.path().join("err.log"));
            return (status.code(), out);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("carepages {args:?} took longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn build(ws: &Workspace) -> (Option<i32>, String) {
    let output = ws.output();
    let themes = repo().join("themes");
    let args = [
        "build",
        "--today",
        TODAY,
        "--output",
        output.to_str().expect("utf-8"),
        "--themes",
        themes.to_str().expect("utf-8"),
    ];
    run_within(&args, ws, Duration::from_secs(20))
}

/// A built fixture site with a secret file beside (not inside) its content folder.
fn built_site() -> (Workspace, std::path::PathBuf) {
    let ws = Workspace::from_fixture("basic");
    let secret = ws.dir.path().join("secret.txt");
    std::fs::write(&secret, format!("{SECRET}\nline two\n")).expect("secret");
    let (code, out) = build(&ws);
    assert_eq!(code, Some(0), "{out}");
    (ws, secret)
}

const COUNCIL: &str = "councils/testshire.yaml";

fn council_text(ws: &Workspace) -> String {
    read(&ws.content().join(COUNCIL))
}

/// Sets the council's settings, builds, and checks the build was refused as it should be:
/// exit 1, the file and `field` named, `output/` untouched, the secret nowhere.
fn assert_refused(ws: &Workspace, settings: &str, field: &str, expect: &str) {
    let before = snapshot(&ws.output());
    ws.write(COUNCIL, settings);
    let (code, out) = build(ws);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(COUNCIL), "the file is not named: {out}");
    assert!(
        out.contains(field),
        "the setting {field} is not named: {out}"
    );
    assert!(out.contains(expect), "expected {expect:?} in {out}");
    assert!(!out.contains("SECRET"), "the secret was shown: {out}");
    assert!(snapshot(&ws.output()) == before, "output/ changed");
}

/// The fixture's settings with another `brand:` line.
fn with_brand(_ws: &Workspace, brand: &str) -> String {
    read(&repo().join("tests/fixtures/basic").join(COUNCIL))
        .replace("brand: {colour: \"#ffdd00\"}", brand)
}

#[test]
fn a_logo_outside_the_content_folder_is_never_read_or_published() {
    let (ws, secret) = built_site();
    let absolute = format!("brand: {{logo: {}}}", secret.display());
    assert_refused(&ws, &with_brand(&ws, &absolute), "brand.logo", "logo");
    assert_refused(
        &ws,
        &with_brand(&ws, "brand: {logo: ../../secret.txt}"),
        "brand.logo",
        "content/councils/",
    );
    std::os::unix::fs::symlink(&secret, ws.content().join("councils/logo.png")).expect("link");
    assert_refused(
        &ws,
        &with_brand(&ws, "brand: {logo: logo.png}"),
        "brand.logo",
        "outside",
    );
    std::os::unix::fs::symlink("/etc/passwd", ws.content().join("councils/passwd.svg"))
        .expect("link");
    assert_refused(
        &ws,
        &with_brand(&ws, "brand: {logo: passwd.svg}"),
        "brand.logo",
        "outside",
    );
}

#[test]
fn a_logo_that_is_not_an_image_is_refused() {
    let (ws, _) = built_site();
    ws.write("councils/logo.html", "<script>alert(1)</script>");
    assert_refused(
        &ws,
        &with_brand(&ws, "brand: {logo: logo.html}"),
        "brand.logo",
        "not a PNG, JPEG, WebP or SVG",
    );
    ws.write(
        "councils/fake.png",
        "<html><script>alert(1)</script></html>",
    );
    assert_refused(
        &ws,
        &with_brand(&ws, "brand: {logo: fake.png}"),
        "brand.logo",
        "cannot be used",
    );
}

#[test]
fn an_svg_logo_is_published_without_anything_that_runs() {
    let (ws, _) = built_site();
    ws.write(
        "councils/crest.svg",
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script><rect width="10" height="10" fill="#1d5c4d"/><foreignObject><iframe src="javascript:alert(3)"/></foreignObject></svg>"##,
    );
    ws.write(COUNCIL, &with_brand(&ws, "brand: {logo: crest.svg}"));
    let (code, out) = build(&ws);
    assert_eq!(code, Some(0), "{out}");
    let site = snapshot(&ws.output().join("testshire"));
    let logos: Vec<&String> = site.keys().filter(|p| p.contains("logo")).collect();
    assert_eq!(logos.len(), 1, "{logos:?}");
    assert!(logos[0].starts_with("assets/logo.") && logos[0].ends_with(".svg"));
    let svg = String::from_utf8_lossy(&site[logos[0]]).to_lowercase();
    assert!(svg.contains("<rect"), "{svg}");
    for bad in ["script", "onload", "alert", "foreignobject", "iframe"] {
        assert!(!svg.contains(bad), "{bad} was published: {svg}");
    }
    let home = String::from_utf8_lossy(&site["index.html"]).into_owned();
    assert!(home.contains(logos[0].as_str()), "the logo is not shown");
}

#[test]
fn a_png_logo_is_published_as_a_fresh_png_under_a_name_of_our_own() {
    let (ws, _) = built_site();
    let mut png = Vec::new();
    image::RgbImage::from_pixel(40, 20, image::Rgb([29, 92, 77]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    // Something hidden after the image's end must not be published with it.
    png.extend_from_slice(b"<script>alert(1)</script>");
    std::fs::write(ws.content().join("councils/our logo.PNG"), &png).expect("write");
    ws.write(COUNCIL, &with_brand(&ws, "brand: {logo: our logo.PNG}"));
    let (code, out) = build(&ws);
    assert_eq!(code, Some(0), "{out}");
    let site = snapshot(&ws.output().join("testshire"));
    let logo = site
        .iter()
        .find(|(p, _)| p.starts_with("assets/logo.") && p.ends_with(".png"))
        .expect("a logo");
    assert!(!String::from_utf8_lossy(logo.1).contains("script"));
    assert!(image::load_from_memory(logo.1).is_ok());
}

#[test]
fn linked_profiles_synonyms_and_listings_are_never_quoted() {
    let (ws, secret) = built_site();
    let before = snapshot(&ws.output());
    std::fs::create_dir_all(ws.content().join("standards")).expect("mkdir");
    std::os::unix::fs::symlink(&secret, ws.content().join("standards/linked.yaml")).expect("link");
    let settings = council_text(&ws) + "standards_profile: linked\n";
    ws.write(COUNCIL, &settings);
    std::fs::create_dir_all(ws.content().join("search")).expect("mkdir");
    std::os::unix::fs::symlink(&secret, ws.content().join("search/synonyms.yaml")).expect("link");
    std::os::unix::fs::symlink(&secret, ws.content().join("enterprises/linked.md")).expect("link");
    let (code, out) = build(&ws);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        !out.contains("SECRET") && !out.contains("line two"),
        "{out}"
    );
    assert!(out.contains("standards_profile"), "{out}");
    assert!(out.contains("enterprises/linked.md"), "{out}");
    assert!(snapshot(&ws.output()) == before, "output/ changed");
    for format in ["github", "json", "human"] {
        let (code, out) = run_within(
            &["check", "--today", TODAY, "--format", format],
            &ws,
            Duration::from_secs(20),
        );
        assert_eq!(code, Some(1), "{format}: {out}");
        assert!(!out.contains("SECRET"), "{format}: {out}");
    }
}

#[test]
fn a_listing_linked_to_a_device_or_a_pipe_is_refused_at_once() {
    let (ws, _) = built_site();
    let before = snapshot(&ws.output());
    std::os::unix::fs::symlink("/dev/zero", ws.content().join("enterprises/zero.md"))
        .expect("link");
    let pipe = ws.content().join("enterprises/pipe.md");
    let made = Command::new("mkfifo").arg(&pipe).status().expect("mkfifo");
    assert!(made.success());
    let (code, out) = build(&ws);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("enterprises/zero.md"), "{out}");
    assert!(out.contains("enterprises/pipe.md"), "{out}");
    assert!(snapshot(&ws.output()) == before, "output/ changed");
}

#[test]
fn deep_brackets_and_thousands_of_fields_are_refused_quickly() {
    let (ws, _) = built_site();
    let before = snapshot(&ws.output());
    let deep = format!("---\nname: {}\n---\n", "[".repeat(200_000));
    ws.write("enterprises/deep.md", &deep);
    let fields: String = (0..80_000).map(|i| format!("field_{i}: x\n")).collect();
    ws.write("enterprises/wide.md", &format!("---\n{fields}---\n"));
    let started = Instant::now();
    let (code, out) = build(&ws);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("enterprises/deep.md") && out.contains("nested"),
        "{out}"
    );
    assert!(
        out.contains("enterprises/wide.md") && out.contains("fields"),
        "{out}"
    );
    assert!(snapshot(&ws.output()) == before, "output/ changed");
}

#[test]
fn a_photo_with_too_many_pixels_is_caught_by_check() {
    let (ws, _) = built_site();
    // A plain image compresses to almost nothing, but decoding it would take 432 MB.
    let mut png = Vec::new();
    image::GrayImage::new(12_000, 9_000)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    std::fs::write(ws.content().join("enterprises/huge.png"), &png).expect("write");
    let listing = read(&ws.content().join("enterprises/kindly-hands.md")).replacen(
        "---\n",
        "---\nphoto: {file: huge.png, alt: A garden, people_consented: true}\n",
        1,
    );
    ws.write("enterprises/kindly-hands.md", &listing);
    let (code, out) = run_within(&["check", "--today", TODAY], &ws, Duration::from_secs(20));
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("photo") && out.contains("million pixels"),
        "{out}"
    );
}

/// The fixture's schemas with some patterns taken out, as a council might edit them.
fn loosen_schema(ws: &Workspace, file: &str, remove: &[&str]) {
    let mut schema: serde_json::Value =
        serde_json::from_str(&read(&repo().join("content/schema").join(file))).expect("schema");
    fn strip(v: &mut serde_json::Value, remove: &[&str]) {
        match v {
            serde_json::Value::Object(map) => {
                if map
                    .get("pattern")
                    .and_then(|p| p.as_str())
                    .is_some_and(|p| remove.contains(&p))
                {
                    map.remove("pattern");
                }
                map.values_mut().for_each(|v| strip(v, remove));
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| strip(v, remove)),
            _ => {}
        }
    }
    strip(&mut schema, remove);
    ws.write(&format!("schema/{file}"), &schema.to_string());
}

#[test]
fn rendering_is_safe_whatever_the_schema_allows() {
    let (ws, _) = built_site();
    loosen_schema(
        &ws,
        "enterprise.schema.json",
        &["^https?://[^\\s/$.?#][^\\s]*$"],
    );
    loosen_schema(&ws, "council.schema.json", &["^#[0-9a-fA-F]{6}$"]);
    let listing = read(&ws.content().join("enterprises/kindly-hands.md"));
    let website = listing
        .lines()
        .find(|l| l.trim_start().starts_with("website:"))
        .expect("the fixture has a website");
    let listing = listing.replacen(website, "  website: \"javascript:alert(1)\"", 1);
    ws.write("enterprises/kindly-hands.md", &listing);
    let (code, out) = build(&ws);
    assert_eq!(code, Some(0), "{out}");
    let site = snapshot(&ws.output().join("testshire"));
    for (path, bytes) in &site {
        let text = String::from_utf8_lossy(bytes).to_lowercase();
        assert!(!text.contains("javascript:alert"), "{path} links to script");
    }
    let before = snapshot(&ws.output());
    assert_refused(
        &ws,
        &with_brand(&ws, "brand: {colour: \"#a€bc\"}"),
        "brand.colour",
        "six hexadecimal digits",
    );
    assert!(snapshot(&ws.output()) == before);
}

#[test]
fn odd_names_cannot_break_a_build_or_turn_a_page_around() {
    let (ws, _) = built_site();
    let settings = council_text(&ws)
        .replace("name: Testshire Council", "name: \"Testshire {\"")
        .replace("{town: Williton,", "{town: TA9,");
    ws.write(COUNCIL, &settings);
    let listing = read(&ws.content().join("enterprises/kindly-hands.md"));
    let name_line = listing
        .lines()
        .find(|l| l.starts_with("name:"))
        .expect("name");
    let listing = listing.replacen(
        name_line,
        "name: \"Kindly \\u202EHands\\u0007 Help\\u0000\"",
        1,
    );
    let listing = listing.replace("Williton", "TA9");
    ws.write("enterprises/kindly-hands.md", &listing);
    let (code, out) = build(&ws);
    assert_eq!(code, Some(0), "{out}");
    let site = snapshot(&ws.output().join("testshire"));
    let home = String::from_utf8_lossy(&site["index.html"]).into_owned();
    assert!(home.contains("Testshire {"), "the council's name is shown");
    for (path, bytes) in &site {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains('\u{202E}'),
            "{path} has a right-to-left override"
        );
        if path.ends_with(".xml") || path.ends_with(".html") {
            assert!(
                !text
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')),
                "{path} has a control character"
            );
        }
    }
    assert!(
        site.keys().any(|p| p.starts_with("areas/town-ta9/")),
        "the town TA9 has its own page"
    );
    let bad = council_text(&ws).replace("{town: TA9,", "{town: \"!!!\",");
    assert_refused(&ws, &bad, "areas[1].town", "no letters");
}

#[test]
fn a_second_build_into_the_same_output_is_told_to_wait() {
    let (ws, _) = built_site();
    let before = snapshot(&ws.output());
    let held = std::fs::File::open(ws.output()).expect("open output");
    rustix::fs::flock(&held, rustix::fs::FlockOperation::LockExclusive).expect("lock");
    let (code, out) = build(&ws);
    assert_ne!(code, Some(0), "{out}");
    assert!(out.contains("another carepages build"), "{out}");
    assert!(snapshot(&ws.output()) == before, "output/ changed");
    drop(held);
    let (code, out) = build(&ws);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn a_killed_build_leaves_no_lock_and_the_next_build_publishes_whole() {
    let (ws, _) = built_site();
    let output = ws.output();
    let themes = repo().join("themes");
    for delay in [0u64, 30, 80] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_carepages"))
            .args(["build", "--today", TODAY, "--content"])
            .arg(ws.content())
            .arg("--output")
            .arg(&output)
            .arg("--themes")
            .arg(&themes)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let (code, out) = build(&ws);
        assert_eq!(code, Some(0), "after a kill at {delay} ms: {out}");
        assert!(output.join("testshire/index.html").is_file());
        let hidden: Vec<String> = std::fs::read_dir(&output)
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".staging") || n.starts_with(".replaced"))
            .collect();
        assert!(hidden.is_empty(), "{hidden:?}");
    }
}

#[test]
fn builds_started_together_never_leave_a_broken_site() {
    let (ws, _) = built_site();
    let output = ws.output();
    let themes = repo().join("themes");
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_carepages"))
                .args(["build", "--today", TODAY, "--content"])
                .arg(ws.content())
                .arg("--output")
                .arg(&output)
                .arg("--themes")
                .arg(&themes)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let mut succeeded = 0;
    for child in children {
        let done = child.wait_with_output().expect("wait");
        if done.status.success() {
            succeeded += 1;
        } else {
            let err = String::from_utf8_lossy(&done.stderr);
            assert!(err.contains("another carepages build"), "{err}");
        }
    }
    assert!(succeeded >= 1);
    let (code, out) = build(&ws);
    assert_eq!(code, Some(0), "{out}");
    let site = snapshot(&output.join("testshire"));
    assert!(site.contains_key("index.html"));
    assert!(site.contains_key("enterprises/kindly-hands/index.html"));
}
