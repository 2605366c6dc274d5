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
    // tiny_http answers HTTP/1.1 with chunked bodies only for streams; pages have a length.
    (status, body)
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

/// Waits (at most 20 s) for the event that tells pages to reload.
fn wait_for_reload(mut events: TcpStream) {
    let started = Instant::now();
    let mut seen = String::new();
    while !seen.contains("data: reload") {
        let mut buf = [0u8; 256];
        let n = events.read(&mut buf).expect("a reload event within 20 s");
        assert!(n > 0, "the event stream closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(started.elapsed() < Duration::from_secs(20));
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

    wait_for_reload(events);

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
    wait_for_reload(events);
    let (_, now) = get(&preview.host, page);
    assert_eq!(texts(&without_reload(&now), "h1"), ["Green Fingers Mended"]);
}
