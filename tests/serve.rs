//! End-to-end: the preview server an editor runs while writing a listing. After a save, an
//! open page is told to reload and then shows exactly what a full build would publish.

mod common;
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `carepages serve`, stopped when dropped.
struct Preview {
    child: Child,
    host: String,
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(ws: &Workspace) -> Preview {
    let mut child = Command::new(env!("CARGO_BIN_EXE_carepages"))
        .args(["serve", "--port", "0", "--today", TODAY, "--content"])
        .arg(ws.content())
        .arg("--themes")
        .arg(repo().join("themes"))
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start carepages serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the address line");
    let host = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Preview { child, host }
}

/// GET `path`; returns the status code and body.
fn get(host: &str, path: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(host).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let body = raw[split + 4..].to_vec();
    // Large files (the search engine and index) come in chunks.
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return (status, dechunk(&body));
    }
    (status, body)
}

/// A chunked HTTP body put back together.
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size_text = String::from_utf8_lossy(&body[..line_end]).to_string();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("chunk size");
        body = &body[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

/// The served page without the preview's reload script, which `build` never writes.
fn without_reload(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .replace("<script src=\"/__carepages/reload.js\" defer></script>", "")
}

/// Opens the reload event stream, as the script on every preview page does.
fn listen(host: &str) -> TcpStream {
    let mut events = TcpStream::connect(host).expect("connect");
    write!(
        events,
        "GET /__carepages/events HTTP/1.1\r\nHost: {host}\r\n\r\n"
    )
    .expect("send");
    events
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut first = [0u8; 64];
    let n = events.read(&mut first).expect("event stream opens");
    assert!(String::from_utf8_lossy(&first[..n]).contains("text/event-stream"));
    events
}

/// One event from the reload stream: the addresses of the pages that changed (`*` for all)
/// and whether the search index is still being made.
struct Reload {
    changed: Vec<String>,
    index_pending: bool,
}

/// Reads the next reload event (at most 20 s).
fn next_reload(events: &mut TcpStream, seen: &mut String) -> Reload {
    let started = Instant::now();
    loop {
        if let Some(end) = seen.find("\n\n") {
            let event: String = seen.drain(..end + 2).collect();
            if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                let json: serde_json::Value = serde_json::from_str(data).expect("event JSON");
                let changed = json["changed"]
                    .as_array()
                    .expect("changed pages")
                    .iter()
                    .map(|p| p.as_str().expect("address").to_string())
                    .collect();
                let index_pending = json["index_pending"].as_bool().expect("index_pending");
                return Reload {
                    changed,
                    index_pending,
                };
            }
            continue;
        }
        let mut buf = [0u8; 4096];
        let n = events.read(&mut buf).expect("a reload event within 20 s");
        assert!(n > 0, "the event stream closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}

/// Waits for the event that tells `page` to reload, then until the search index is made
/// too; returns every page the rebuild changed.
fn wait_for_reload_of(mut events: TcpStream, page: &str) -> Vec<String> {
    let mut seen = String::new();
    let mut changed = Vec::new();
    let mut reloaded = false;
    loop {
        let event = next_reload(&mut events, &mut seen);
        reloaded |= event.changed.iter().any(|p| p == page || p == "*");
        changed.extend(event.changed);
        if reloaded && !event.index_pending {
            return changed;
        }
    }
}

/// Renames the fixture's council to "Greater Testshire Council", a change to its settings.
fn rename_council(ws: &Workspace) {
    let council = "councils/testshire.yaml";
    let settings = read(&ws.content().join(council));
    let renamed = settings.replacen("name: ", "name: Greater ", 1);
    assert_ne!(renamed, settings, "the fixture's name line changed");
    ws.write(council, &renamed);
}

/// Every file a full build of `ws` writes for testshire, fetched from the preview: each
/// must be byte-identical.
fn assert_preview_is_the_full_build(ws: &Workspace, preview: &Preview) {
    let built = ws.build(&[]);
    assert!(built.status.success(), "{}", stderr(&built));
    let site = snapshot(&ws.output().join("testshire"));
    assert!(site.len() > 20, "the build made a site");
    for (rel, disk) in &site {
        let (status, served) = get(&preview.host, &format!("/testshire/{rel}"));
        assert_eq!(status, 200, "{rel} is missing from the preview");
        if rel.ends_with(".html") {
            assert_eq!(
                without_reload(&served),
                String::from_utf8_lossy(disk),
                "{rel} differs from the full build"
            );
        } else {
            assert!(served == *disk, "{rel} differs from the full build");
        }
    }
}

#[test]
fn a_saved_listing_reloads_the_page_with_what_a_full_build_makes() {
    let ws = Workspace::from_fixture("basic");
    let preview = start(&ws);
    let page = "/testshire/enterprises/kindly-hands/";

    let (status, body) = get(&preview.host, page);
    assert_eq!(status, 200);
    let built = ws.build(&[]);
    assert!(built.status.success(), "{}", stderr(&built));
    let on_disk = read(
        &ws.output()
            .join("testshire/enterprises/kindly-hands/index.html"),
    );
    assert_eq!(
        without_reload(&body),
        on_disk,
        "the preview differs from the build"
    );
    assert!(String::from_utf8_lossy(&body).contains("/__carepages/reload.js"));

    // An open page listens for the next change.
    let events = listen(&preview.host);

    // The volunteer saves a change to the listing.
    let file = ws.content().join("enterprises/kindly-hands.md");
    let text = read(&file).replace("name: Kindly Hands", "name: Kindly Hands Together");
    std::fs::write(&file, text).expect("save");

    let changed = wait_for_reload_of(events, page);
    // Only the pages that show the listing change: its own, the lists it is on, the
    // printable directory and the search page (which names the new index), not the home
    // page or the other listing.
    assert!(
        changed.contains(&"/testshire/enterprises/".to_string()),
        "{changed:?}"
    );
    assert!(
        changed.contains(&"/testshire/search/".to_string()),
        "{changed:?}"
    );
    assert!(!changed.contains(&"/testshire/".to_string()), "{changed:?}");
    assert!(
        !changed.contains(&"/testshire/enterprises/green-fingers/".to_string()),
        "{changed:?}"
    );

    let (status, body) = get(&preview.host, page);
    assert_eq!(status, 200);
    assert_eq!(
        texts(&without_reload(&body), "h1"),
        ["Kindly Hands Together"]
    );
    let rebuilt = ws.build(&[]);
    assert!(rebuilt.status.success(), "{}", stderr(&rebuilt));
    // Every file the preview serves is byte-identical to the full build's.
    for rel in [
        "enterprises/kindly-hands/index.html",
        "index.html",
        "enterprises/index.html",
        "feed.xml",
        "sitemap.xml",
    ] {
        let (status, served) = get(&preview.host, &format!("/testshire/{rel}"));
        assert_eq!(status, 200, "{rel}");
        let disk = std::fs::read(ws.output().join("testshire").join(rel)).expect("built file");
        if rel.ends_with(".html") {
            assert_eq!(
                without_reload(&served),
                String::from_utf8_lossy(&disk),
                "{rel}"
            );
        } else {
            assert_eq!(served, disk, "{rel}");
        }
    }
}

/// The search index the preview's search page names, opened as the browser opens it.
fn served_index(host: &str) -> carepages::search::Searcher {
    let (status, page) = get(host, "/testshire/search/");
    assert_eq!(status, 200);
    let page = String::from_utf8_lossy(&page);
    let at = page
        .find("assets/search-index.")
        .expect("the search page names its index");
    let end = at + page[at..].find(".wasm").expect("the index's extension") + 5;
    let path = format!("/testshire/{}", &page[at..end]);
    let (status, bytes) = get(host, &path);
    assert_eq!(status, 200, "{path}");
    carepages::search::Searcher::open(&bytes).expect("the served index opens")
}

fn finds(searcher: &carepages::search::Searcher, text: &str) -> Vec<String> {
    let query = carepages::search::Query {
        text: text.to_string(),
        ..Default::default()
    };
    let results = searcher.search(&query).expect("search");
    results.hits.into_iter().map(|hit| hit.slug).collect()
}

#[test]
fn search_finds_a_saved_listing_as_soon_as_the_pages_reload() {
    let ws = Workspace::from_fixture("basic");
    let preview = start(&ws);
    assert_eq!(
        finds(&served_index(&preview.host), "ferrets"),
        Vec::<String>::new()
    );
    let mut events = listen(&preview.host);
    let file = ws.content().join("enterprises/kindly-hands.md");
    let text = read(&file).replace("name: Kindly Hands", "name: Kindly Hands Together");
    std::fs::write(
        &file,
        format!("{text}\nWe are happy to visit homes with ferrets.\n"),
    )
    .expect("save");

    // The first reload, before the full index is made, already reloads the search page
    // with an index that finds the new words, and the old ones are gone.
    let mut seen = String::new();
    let first = next_reload(&mut events, &mut seen);
    assert!(first.index_pending, "a full index is still to be made");
    assert!(
        first.changed.iter().any(|p| p == "/testshire/search/"),
        "{:?}",
        first.changed
    );
    let patched = served_index(&preview.host);
    assert_eq!(finds(&patched, "ferrets"), ["kindly-hands"]);
    assert_eq!(finds(&patched, "together"), ["kindly-hands"]);
    let everyone = finds(&patched, "");
    assert_eq!(
        everyone
            .iter()
            .filter(|slug| *slug == "kindly-hands")
            .count(),
        1,
        "the saved listing is listed once: {everyone:?}"
    );

    // Then the full index replaces it: the same answers, and the bytes a build makes.
    loop {
        if !next_reload(&mut events, &mut seen).index_pending {
            break;
        }
    }
    let full = served_index(&preview.host);
    assert_eq!(finds(&full, "ferrets"), ["kindly-hands"]);
    assert_eq!(finds(&full, ""), everyone);
    assert_preview_is_the_full_build(&ws, &preview);
}

#[test]
fn a_broken_save_keeps_the_last_good_preview() {
    let ws = Workspace::from_fixture("basic");
    let preview = start(&ws);
    let page = "/testshire/enterprises/green-fingers/";
    let (status, before) = get(&preview.host, page);
    assert_eq!(status, 200);
    let good = read(&ws.content().join("enterprises/green-fingers.md"));
    ws.write(
        "enterprises/green-fingers.md",
        "---\nname: [unclosed\n---\n",
    );
    std::thread::sleep(Duration::from_millis(1500));
    let (status, after) = get(&preview.host, page);
    assert_eq!(status, 200);
    assert_eq!(before, after);
    let (status, _) = get(&preview.host, "/testshire/no-such-page/");
    assert_eq!(status, 404);

    // Once the file is mended, the preview carries on as before.
    let events = listen(&preview.host);
    let mended = good.replace(
        "name: Green Fingers Garden Help",
        "name: Green Fingers Mended",
    );
    assert_ne!(mended, good, "the fixture's name line changed");
    ws.write("enterprises/green-fingers.md", &mended);
    wait_for_reload_of(events, page);
    let (_, now) = get(&preview.host, page);
    assert_eq!(texts(&without_reload(&now), "h1"), ["Green Fingers Mended"]);
}

#[test]
fn after_every_kind_of_save_the_preview_is_byte_identical_to_a_full_build() {
    let ws = Workspace::from_fixture("basic");
    let preview = start(&ws);
    let kindly = "enterprises/kindly-hands.md";
    let original = read(&ws.content().join(kindly));

    // The description only: the listing's page and the search index change, its cards do not.
    let events = listen(&preview.host);
    ws.write(
        kindly,
        &original.replace("love a good chat", "love a good natter"),
    );
    let changed = wait_for_reload_of(events, "/testshire/enterprises/kindly-hands/");
    assert!(
        !changed.contains(&"/testshire/enterprises/".to_string()),
        "{changed:?}"
    );
    assert_preview_is_the_full_build(&ws, &preview);

    // A new name moves it in every list.
    let events = listen(&preview.host);
    ws.write(
        kindly,
        &original.replace("name: Kindly Hands", "name: Zed's Kindly Hands"),
    );
    wait_for_reload_of(events, "/testshire/enterprises/");
    assert_preview_is_the_full_build(&ws, &preview);

    // A new kind of help adds a list; the counts on the home page change.
    let events = listen(&preview.host);
    ws.write(
        kindly,
        &original.replace(
            "[companionship, home_help]",
            "[companionship, home_help, gardening]",
        ),
    );
    wait_for_reload_of(events, "/testshire/support/gardening/");
    assert_preview_is_the_full_build(&ws, &preview);

    // Consent withdrawn: the listing leaves the site, its page and its feed document too.
    let events = listen(&preview.host);
    ws.write(kindly, &original.replace("publish: true", "publish: false"));
    wait_for_reload_of(events, "/testshire/enterprises/kindly-hands/");
    assert_preview_is_the_full_build(&ws, &preview);
    let (status, _) = get(&preview.host, "/testshire/enterprises/kindly-hands/");
    assert_eq!(status, 404);

    // A new listing, then the old one back, then a listing deleted.
    let events = listen(&preview.host);
    ws.write(
        "enterprises/new-neighbours.md",
        &original.replace("name: Kindly Hands", "name: New Neighbours"),
    );
    wait_for_reload_of(events, "/testshire/enterprises/new-neighbours/");
    assert_preview_is_the_full_build(&ws, &preview);

    let events = listen(&preview.host);
    ws.write(kindly, &original);
    wait_for_reload_of(events, "/testshire/enterprises/kindly-hands/");
    assert_preview_is_the_full_build(&ws, &preview);

    let events = listen(&preview.host);
    std::fs::remove_file(ws.content().join("enterprises/new-neighbours.md")).expect("delete");
    wait_for_reload_of(events, "/testshire/enterprises/new-neighbours/");
    assert_preview_is_the_full_build(&ws, &preview);
    let (status, _) = get(&preview.host, "/testshire/enterprises/new-neighbours/");
    assert_eq!(status, 404);

    // A change to the council's settings rebuilds everything.
    let events = listen(&preview.host);
    rename_council(&ws);
    wait_for_reload_of(events, "/testshire/");
    assert_preview_is_the_full_build(&ws, &preview);
}

#[test]
fn a_settings_change_made_while_a_listing_is_broken_is_not_lost() {
    let ws = Workspace::from_fixture("basic");
    let preview = start(&ws);
    let listing = "enterprises/green-fingers.md";
    let good = read(&ws.content().join(listing));
    ws.write(listing, "---\nname: [unclosed\n---\n");
    std::thread::sleep(Duration::from_millis(1000));
    // The council is renamed while the listing is still broken: nothing can be built yet.
    rename_council(&ws);
    std::thread::sleep(Duration::from_millis(1000));
    // Mending the listing builds the site with the new name too.
    let events = listen(&preview.host);
    ws.write(listing, &good);
    wait_for_reload_of(events, "/testshire/");
    let (_, home) = get(&preview.host, "/testshire/");
    assert!(
        without_reload(&home).contains("Greater Testshire Council"),
        "the settings change was lost"
    );
    assert_preview_is_the_full_build(&ws, &preview);
}

/// The response head to a GET, read as it comes.
fn head_of(host: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(host).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    text.split("\r\n\r\n").next().unwrap_or("").to_string()
}

#[test]
fn many_open_tabs_never_stop_the_preview_answering() {
    let ws = Workspace::from_fixture("basic");
    let preview = start(&ws);
    // Each open tab holds its reload events open; more tabs than the preview has threads
    // for pages.
    let tabs: Vec<TcpStream> = (0..24).map(|_| listen(&preview.host)).collect();
    let started = Instant::now();
    let head = head_of(&preview.host, "/testshire/");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(tabs);
}

#[test]
fn a_folder_without_its_slash_is_redirected_on_the_same_host() {
    let ws = Workspace::from_fixture("basic");
    let preview = start(&ws);
    for path in [
        "//testshire/support",
        "///testshire/support",
        "/testshire/support",
    ] {
        let head = head_of(&preview.host, path);
        let location = head
            .lines()
            .find_map(|l| {
                l.strip_prefix("Location: ")
                    .or_else(|| l.strip_prefix("location: "))
            })
            .unwrap_or_else(|| panic!("{path}: no redirect in {head}"));
        assert_eq!(location, "/testshire/support/", "{path}");
    }
}
