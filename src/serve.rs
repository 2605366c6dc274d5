//! serve: a local preview for editors and council officers. Every council's site is built
//! into memory (nothing is written to `output/`) and served at
//! `http://127.0.0.1:PORT/<council>/`. The content and themes folders are watched; after a
//! save the sites are rebuilt and open pages reload. A save that breaks a file keeps the last
//! good sites on screen and prints the problem, just as `build` would report it.

use crate::render::MemorySite;
use crate::{BuildError, BuildOptions};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Where the preview script and the reload events are served; no site uses this path.
const RELOAD_SCRIPT: &str = "/__carepages/reload.js";
const RELOAD_EVENTS: &str = "/__carepages/events";

/// Every council's site, by council id then site-relative path.
pub type Sites = HashMap<String, HashMap<String, Vec<u8>>>;

/// Builds every selected council's site into memory, as `build` would write it.
pub fn build_in_memory(opts: &BuildOptions) -> Result<(Sites, usize), BuildError> {
    let prepared = crate::prepare(opts)?;
    let mut sites = Sites::new();
    let mut pages = 0;
    for council in &prepared.councils {
        let site = MemorySite::default();
        pages += prepared.build_council(opts, council, &site)?.0;
        sites.insert(council.id.clone(), site.into_files());
    }
    Ok((sites, pages))
}

/// The sites being shown, and a counter that goes up on every successful rebuild.
struct Preview {
    sites: RwLock<Sites>,
    version: Mutex<u64>,
    changed: Condvar,
}

/// Serves the sites until the process is stopped. `on_ready` is told the address.
pub fn serve(
    opts: &BuildOptions,
    port: u16,
    on_ready: impl FnOnce(&str),
) -> Result<(), BuildError> {
    let started = Instant::now();
    let (sites, _) = build_in_memory(opts)?;
    let mut councils: Vec<String> = sites.keys().cloned().collect();
    councils.sort();
    let preview = Arc::new(Preview {
        sites: RwLock::new(sites),
        version: Mutex::new(0),
        changed: Condvar::new(),
    });
    let server = tiny_http::Server::http(("127.0.0.1", port))
        .map_err(|e| BuildError::Usage(format!("cannot listen on port {port}: {e}")))?;
    let address = match server.server_addr().to_ip() {
        Some(a) => format!("http://{a}/"),
        None => format!("http://127.0.0.1:{port}/"),
    };
    eprintln!(
        "Built {} council site(s) in memory in {} ms",
        councils.len(),
        started.elapsed().as_millis()
    );
    on_ready(&address);

    let _watcher = watch(opts.clone(), Arc::clone(&preview))?;
    let server = Arc::new(server);
    // A few threads answer requests; each open page holds one for its reload events.
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let server = Arc::clone(&server);
            let preview = Arc::clone(&preview);
            let councils = councils.clone();
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    answer(request, &preview, &councils);
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    Ok(())
}

/// Watches content and themes and rebuilds after changes, waiting for a burst of saves to
/// settle first (editors often write a file in several steps).
fn watch(
    opts: BuildOptions,
    preview: Arc<Preview>,
) -> Result<notify::RecommendedWatcher, BuildError> {
    use notify::Watcher;
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = tx.send(());
        }
    })
    .map_err(|e| BuildError::Usage(format!("cannot watch for changes: {e}")))?;
    for dir in [&opts.content, &opts.themes] {
        if dir.is_dir() {
            watcher
                .watch(dir, notify::RecursiveMode::Recursive)
                .map_err(|e| BuildError::Usage(format!("cannot watch {}: {e}", dir.display())))?;
        }
    }
    std::thread::spawn(move || {
        while rx.recv().is_ok() {
            while rx.recv_timeout(Duration::from_millis(30)).is_ok() {}
            let started = Instant::now();
            match build_in_memory(&opts) {
                Ok((sites, pages)) => {
                    if let Ok(mut shown) = preview.sites.write() {
                        *shown = sites;
                    }
                    if let Ok(mut v) = preview.version.lock() {
                        *v += 1;
                    }
                    preview.changed.notify_all();
                    eprintln!(
                        "Rebuilt {pages} pages in {} ms; open pages reload",
                        started.elapsed().as_millis()
                    );
                }
                Err(e) => {
                    eprintln!("{}", describe(&e, &opts.content));
                    eprintln!("The preview still shows the last good version.");
                }
            }
        }
    });
    Ok(watcher)
}

fn describe(error: &BuildError, content: &Path) -> String {
    match error {
        BuildError::InvalidContent(problems) => {
            crate::standards::report::human(problems, content, std::io::stderr().is_terminal())
        }
        other => format!("{other}"),
    }
}

fn answer(request: tiny_http::Request, preview: &Preview, councils: &[String]) {
    let url = request
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_string();
    let response = match url.as_str() {
        RELOAD_SCRIPT => respond(
            200,
            "text/javascript; charset=utf-8",
            b"new EventSource('/__carepages/events').onmessage = () => location.reload();\n"
                .to_vec(),
        ),
        RELOAD_EVENTS => return events(request, preview),
        "/" => respond(200, "text/html; charset=utf-8", home(councils).into_bytes()),
        _ => site_file(&url, preview),
    };
    let _ = request.respond(response);
}

type Reply = tiny_http::Response<std::io::Cursor<Vec<u8>>>;

fn respond(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
    let mut response = tiny_http::Response::from_data(body).with_status_code(status);
    if let Ok(h) = tiny_http::Header::from_bytes("Content-Type", content_type) {
        response.add_header(h);
    }
    if let Ok(h) = tiny_http::Header::from_bytes("Cache-Control", "no-store") {
        response.add_header(h);
    }
    response
}

/// The page at `/`: one link per council's site.
fn home(councils: &[String]) -> String {
    let links: String = councils
        .iter()
        .map(|c| format!("<li><a href=\"/{c}/\">{c}</a></li>"))
        .collect();
    format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>carepages preview</title>\
         <h1>carepages preview</h1><ul>{links}</ul></html>"
    )
}

fn site_file(url: &str, preview: &Preview) -> Reply {
    let decoded = percent_decode(url);
    let mut parts = decoded.trim_start_matches('/').splitn(2, '/');
    let council = parts.next().unwrap_or_default().to_string();
    let mut path = parts.next().unwrap_or_default().to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let Ok(sites) = preview.sites.read() else {
        return respond(500, "text/plain", b"preview unavailable".to_vec());
    };
    let Some(site) = sites.get(&council) else {
        return respond(404, "text/plain", b"No council site here. Go to /".to_vec());
    };
    let (status, path, bytes) = match site.get(&path) {
        Some(bytes) => (200, path, bytes),
        // A folder address without its slash, as hosts redirect it.
        None if site.contains_key(&format!("{path}/index.html")) => {
            let mut r = respond(301, "text/plain", Vec::new());
            if let Ok(h) = tiny_http::Header::from_bytes("Location", format!("{url}/")) {
                r.add_header(h);
            }
            return r;
        }
        None => match site.get("404.html") {
            Some(bytes) => (404, "404.html".to_string(), bytes),
            None => return respond(404, "text/plain", b"Not found".to_vec()),
        },
    };
    let content_type = content_type(&path);
    if content_type.starts_with("text/html") {
        respond(status, content_type, with_reload(bytes))
    } else {
        respond(status, content_type, bytes.clone())
    }
}

/// The page with the reload script added at the end of its body. The script is a file on
/// the same origin, so the pages' Content-Security-Policy allows it.
fn with_reload(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{RELOAD_SCRIPT}\" defer></script>");
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}

/// Holds the request open and sends one event when the sites next change.
fn events(request: tiny_http::Request, preview: &Preview) {
    let Ok(mut version) = preview.version.lock() else {
        return;
    };
    let seen = *version;
    let headers =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\r\n";
    let mut writer = request.into_writer();
    if writer
        .write_all(headers.as_bytes())
        .and_then(|_| writer.flush())
        .is_err()
    {
        return;
    }
    while *version == seen {
        let Ok((v, _)) = preview
            .changed
            .wait_timeout(version, Duration::from_secs(15))
        else {
            return;
        };
        version = v;
        if *version == seen {
            // A comment line keeps the connection open and notices closed pages.
            if writer
                .write_all(b": waiting\n\n")
                .and_then(|_| writer.flush())
                .is_err()
            {
                return;
            }
        }
    }
    let _ = writer
        .write_all(b"data: reload\n\n")
        .and_then(|_| writer.flush());
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `%20` and friends back to text; paths in the sites are plain ASCII slugs anyway.
fn percent_decode(url: &str) -> String {
    percent_encoding::percent_decode_str(url)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reload_script_goes_before_the_end_of_the_body() {
        let page = with_reload(b"<html><body><p>Hi</p></body></html>");
        assert_eq!(
            String::from_utf8_lossy(&page),
            "<html><body><p>Hi</p><script src=\"/__carepages/reload.js\" defer></script></body></html>"
        );
    }

    #[test]
    fn addresses_are_decoded() {
        assert_eq!(percent_decode("/a%20b/%2e%2E/c"), "/a b/../c");
        assert_eq!(percent_decode("/bad%zz"), "/bad%zz");
    }
}
