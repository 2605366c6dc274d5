//! serve: a local preview for editors and council officers. Every council's site is built
//! into memory (nothing is written to `output/`) and served at
//! `http://127.0.0.1:PORT/<council>/`. The content and themes folders are watched; after a
//! save the sites are rebuilt and open pages reload. A save that breaks a file keeps the last
//! good sites on screen and prints the problem, just as `build` would report it.

use crate::render::MemorySite;
use crate::{BuildError, BuildOptions, CouncilMemo, Prepared};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Where the preview script and the reload events are served; no site uses this path.
const RELOAD_SCRIPT: &str = "/__carepages/reload.js";
const RELOAD_EVENTS: &str = "/__carepages/events";
/// The preview script: reloads the page when the last rebuild changed it (or everything).
const RELOAD_JS: &str = "new EventSource('/__carepages/events').onmessage = (e) => {\n  \
    const changed = JSON.parse(e.data).changed;\n  \
    const here = location.pathname.replace(/index\\.html$/, '');\n  \
    if (changed.includes('*') || changed.includes(here)) location.reload();\n};\n";
/// More changed pages than this and the event says "every page" instead of listing them.
const MAX_LISTED: usize = 500;

/// Every council's site, by council id.
pub type Sites = HashMap<String, Arc<MemorySite>>;

/// What a burst of saves asks for.
enum Rebuild {
    /// Only listings changed; they were read and checked again on their own.
    Listings,
    /// Something else changed and everything was read again.
    Everything,
}

/// The checked content and the sites on screen, kept between saves so that a saved listing
/// is read and checked on its own and only the pages it changes are made again.
struct Builder {
    opts: BuildOptions,
    prepared: Prepared,
    memos: HashMap<String, CouncilMemo>,
    sites: Sites,
    /// Set after a failed build into the shown sites, or a failed reading of everything:
    /// the next save reads and builds everything.
    broken: bool,
    /// How long the parts of the last build took, for `--timings`.
    timings: crate::Timings,
}

impl Builder {
    /// Reads and checks everything; nothing is built yet.
    fn start(opts: &BuildOptions) -> Result<Builder, BuildError> {
        Ok(Builder {
            opts: opts.clone(),
            prepared: crate::prepare(opts)?,
            memos: HashMap::new(),
            sites: Sites::new(),
            broken: false,
            timings: crate::Timings::default(),
        })
    }

    fn check_content(&self) -> Result<(), BuildError> {
        if self.prepared.directory.has_errors() {
            return Err(BuildError::InvalidContent(
                self.prepared.directory.diagnostics.clone(),
            ));
        }
        Ok(())
    }

    /// Builds every council's site from nothing into new sites, which replace the shown
    /// ones only when all are made; returns the number of pages.
    fn build_everything(&mut self) -> Result<usize, BuildError> {
        self.check_content()?;
        self.memos.clear();
        let mut sites = Sites::new();
        let mut pages = 0;
        self.timings = crate::Timings::default();
        for council in &self.prepared.councils {
            let site = Arc::new(MemorySite::default());
            let memo = self.memos.entry(council.id.clone()).or_default();
            let (made, timings) =
                self.prepared
                    .build_council_with(&self.opts, council, &*site, Some(memo))?;
            pages += made;
            self.timings.add(timings);
            sites.insert(council.id.clone(), site);
        }
        self.sites = sites;
        self.broken = false;
        Ok(pages)
    }

    /// Builds into the shown sites, making again only what changed since the last build;
    /// returns the number of pages and the addresses of the pages that changed. After a
    /// failure the next build makes everything.
    fn build_changes(&mut self) -> Result<(usize, Vec<String>), BuildError> {
        self.check_content()?;
        let built = self.build_into_shown();
        if built.is_err() {
            self.memos.clear();
            self.broken = true;
        }
        built
    }

    fn build_into_shown(&mut self) -> Result<(usize, Vec<String>), BuildError> {
        let mut pages = 0;
        let mut changed = Vec::new();
        self.timings = crate::Timings::default();
        let io = |council: &str| {
            let council = council.to_string();
            move |e: std::io::Error| {
                BuildError::Usage(format!("the preview of {council} failed: {e}"))
            }
        };
        for council in &self.prepared.councils {
            let site = self
                .sites
                .entry(council.id.clone())
                .or_insert_with(|| Arc::new(MemorySite::default()));
            site.begin_round().map_err(io(&council.id))?;
            let memo = self.memos.entry(council.id.clone()).or_default();
            let (made, timings) =
                self.prepared
                    .build_council_with(&self.opts, council, &**site, Some(memo))?;
            pages += made;
            self.timings.add(timings);
            let paths = site.end_round().map_err(io(&council.id))?;
            changed.extend(paths.iter().filter(|p| p.ends_with(".html")).map(|p| {
                format!(
                    "/{}/{}",
                    council.id,
                    p.strip_suffix("index.html").unwrap_or(p)
                )
            }));
        }
        Ok((pages, changed))
    }

    /// Whether some council's site carries a search index made before the last save.
    fn index_is_stale(&self) -> bool {
        self.memos.values().any(|m| m.index_is_stale)
    }

    /// Lets the next build publish the last search index for now, or not.
    fn defer_index(&mut self, defer: bool) {
        for memo in self.memos.values_mut() {
            memo.defer_index = defer;
        }
    }

    /// Takes in a burst of changed files: listings are read and checked again on their own;
    /// any other change (settings, schema, standards, themes, photos) reads everything.
    fn changed(&mut self, paths: &[PathBuf]) -> Result<Rebuild, BuildError> {
        let content = &self.opts.content;
        let mut relevant: Vec<&PathBuf> = paths
            .iter()
            .filter(|p| !crate::content::is_ignored_path(content, p))
            .collect();
        // One save is often several events for the same file.
        relevant.sort();
        relevant.dedup();
        if !self.broken
            && relevant
                .iter()
                .all(|p| crate::content::is_listing_path(content, p))
        {
            for path in relevant {
                self.prepared.reread_listing(path);
            }
            return Ok(Rebuild::Listings);
        }
        match crate::prepare(&self.opts) {
            Ok(prepared) => {
                self.prepared = prepared;
                Ok(Rebuild::Everything)
            }
            Err(e) => {
                // What was read before is out of date now: the next save reads everything.
                self.broken = true;
                Err(e)
            }
        }
    }

    /// Builds what a burst of saves asks for; returns the pages and the changed addresses
    /// (`*` for all).
    fn rebuild(&mut self, kind: Rebuild) -> Result<(usize, Vec<String>), BuildError> {
        match kind {
            Rebuild::Listings => self.build_changes(),
            Rebuild::Everything => Ok((self.build_everything()?, vec!["*".to_string()])),
        }
    }
}

/// The sites being shown, a counter that goes up on every successful rebuild, and which
/// pages each rebuild changed.
struct Preview {
    sites: RwLock<Sites>,
    changes: Mutex<Changes>,
    changed: Condvar,
    /// How many pages are waiting for reload events now.
    event_streams: AtomicUsize,
}

/// The pages recent rebuilds changed, as addresses (`/westmoor/enterprises/x/`), by
/// rebuild number; `*` stands for every page.
#[derive(Default)]
struct Changes {
    version: u64,
    log: Vec<(u64, Vec<String>, bool)>,
}

/// Serves the sites until the process is stopped. `on_ready` is told the address. With
/// `timings`, each rebuild also prints how long its parts took.
pub fn serve(
    opts: &BuildOptions,
    port: u16,
    timings: bool,
    on_ready: impl FnOnce(&str),
) -> Result<(), BuildError> {
    let started = Instant::now();
    let mut builder = Builder::start(opts)?;
    builder.build_everything()?;
    let mut councils: Vec<String> = builder.sites.keys().cloned().collect();
    councils.sort();
    let preview = Arc::new(Preview {
        sites: RwLock::new(builder.sites.clone()),
        changes: Mutex::new(Changes::default()),
        changed: Condvar::new(),
        event_streams: AtomicUsize::new(0),
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

    let _watcher = watch(builder, Arc::clone(&preview), timings)?;
    let server = Arc::new(server);
    // A few threads answer requests; reload events have threads of their own.
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
/// settle first (editors often write a file in several steps). Pages reload as soon as
/// they are made; when the listings changed, the search index is made after them and the
/// search page reloads again when it is ready.
fn watch(
    mut builder: Builder,
    preview: Arc<Preview>,
    timings: bool,
) -> Result<notify::RecommendedWatcher, BuildError> {
    use notify::Watcher;
    let (tx, rx) = std::sync::mpsc::channel::<Vec<PathBuf>>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(e) = event {
            if !e.kind.is_access() {
                let _ = tx.send(e.paths);
            }
        }
    })
    .map_err(|e| BuildError::Usage(format!("cannot watch for changes: {e}")))?;
    let opts = builder.opts.clone();
    // Events name files under the folders as watched, which may be absolute; the builder
    // knows them under the content folder as it was given.
    let watched: Vec<(PathBuf, PathBuf)> = [&opts.content, &opts.themes]
        .into_iter()
        .filter(|dir| dir.is_dir())
        .map(|dir| {
            (
                dir.canonicalize().unwrap_or_else(|_| dir.clone()),
                dir.clone(),
            )
        })
        .collect();
    for (dir, _) in &watched {
        watcher
            .watch(dir, notify::RecursiveMode::Recursive)
            .map_err(|e| BuildError::Usage(format!("cannot watch {}: {e}", dir.display())))?;
    }
    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            let mut paths = first;
            while let Ok(more) = rx.recv_timeout(Duration::from_millis(5)) {
                paths.extend(more);
            }
            let paths: Vec<PathBuf> = paths
                .into_iter()
                .map(|p| {
                    watched
                        .iter()
                        .find_map(|(real, given)| p.strip_prefix(real).ok().map(|r| given.join(r)))
                        .unwrap_or(p)
                })
                .collect();
            let started = Instant::now();
            builder.defer_index(true);
            let (kind, read_took) = crate::Timings::timed(|| builder.changed(&paths));
            let result = kind.and_then(|kind| builder.rebuild(kind));
            match result {
                Ok((pages, changed)) => {
                    let stale = builder.index_is_stale();
                    let count = changed.len();
                    show(&preview, &builder.sites, changed, stale);
                    eprintln!(
                        "Rebuilt in {} ms ({count} of {pages} pages changed){}",
                        started.elapsed().as_millis(),
                        if stale {
                            "; making the search index"
                        } else {
                            ""
                        }
                    );
                    if timings {
                        builder
                            .timings
                            .push("read and check what was saved", read_took);
                        builder.timings.print();
                    }
                    if stale {
                        let started = Instant::now();
                        builder.defer_index(false);
                        match builder.build_changes() {
                            Ok((_, changed)) => {
                                show(&preview, &builder.sites, changed, false);
                                eprintln!(
                                    "Search index made in {} ms",
                                    started.elapsed().as_millis()
                                );
                            }
                            Err(e) => eprintln!("{}", describe(&e, &opts.content)),
                        }
                    }
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

/// Puts `sites` on screen (the same ones after a build into them) and tells open pages
/// which pages changed.
fn show(preview: &Preview, sites: &Sites, changed: Vec<String>, index_pending: bool) {
    if let Ok(mut shown) = preview.sites.write() {
        if shown.len() != sites.len()
            || sites
                .iter()
                .any(|(id, s)| !shown.get(id).is_some_and(|o| Arc::ptr_eq(o, s)))
        {
            *shown = sites.clone();
        }
    }
    if let Ok(mut changes) = preview.changes.lock() {
        changes.version += 1;
        let version = changes.version;
        let listed = if changed.len() > MAX_LISTED {
            vec!["*".to_string()]
        } else {
            changed
        };
        changes.log.push((version, listed, index_pending));
        // Pages listening are at most a few rebuilds behind.
        if changes.log.len() > 32 {
            changes.log.remove(0);
        }
    }
    preview.changed.notify_all();
}

fn describe(error: &BuildError, content: &Path) -> String {
    match error {
        BuildError::InvalidContent(problems) => {
            crate::standards::report::human(problems, content, std::io::stderr().is_terminal())
        }
        other => format!("{other}"),
    }
}

/// The most pages that may wait for reload events at once; more are asked to try later.
const MAX_EVENT_STREAMS: usize = 256;

fn answer(request: tiny_http::Request, preview: &Arc<Preview>, councils: &[String]) {
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
            RELOAD_JS.as_bytes().to_vec(),
        ),
        RELOAD_EVENTS => {
            // Each open page holds its reload events open for as long as it is open: on a
            // thread of its own, so open tabs never take the threads that answer pages.
            let open = preview.event_streams.fetch_add(1, Ordering::SeqCst);
            if open >= MAX_EVENT_STREAMS {
                preview.event_streams.fetch_sub(1, Ordering::SeqCst);
                let busy = "retry: 10000\n\n".as_bytes().to_vec();
                let _ = request.respond(respond(503, "text/event-stream", busy));
                return;
            }
            let stream = Arc::clone(preview);
            let started = std::thread::Builder::new()
                .name("carepages-reload".into())
                .spawn(move || {
                    events(request, &stream);
                    stream.event_streams.fetch_sub(1, Ordering::SeqCst);
                });
            if started.is_err() {
                preview.event_streams.fetch_sub(1, Ordering::SeqCst);
            }
            return;
        }
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
        None if site.get(&format!("{path}/index.html")).is_some() => {
            let mut r = respond(301, "text/plain", Vec::new());
            // Only ever a path on this server: `//host/x` or `/\host/x` would send the
            // browser to another host.
            let local = format!("/{}/", url.trim_start_matches(['/', '\\']));
            if let Ok(h) = tiny_http::Header::from_bytes("Location", local) {
                r.add_header(h);
            }
            return r;
        }
        None => match site.get("404.html") {
            Some(bytes) => (404, "404.html".to_string(), bytes),
            None => return respond(404, "text/plain", b"Not found".to_vec()),
        },
    };
    drop(sites);
    let content_type = content_type(&path);
    if content_type.starts_with("text/html") {
        respond(status, content_type, with_reload(&bytes))
    } else {
        respond(status, content_type, bytes.to_vec())
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

/// Holds the request open and sends an event after each rebuild: the addresses of the
/// pages it changed, and whether the search index is still being made, as JSON.
fn events(request: tiny_http::Request, preview: &Preview) {
    let Ok(changes) = preview.changes.lock() else {
        return;
    };
    let mut seen = changes.version;
    drop(changes);
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
    loop {
        let Ok(guard) = preview.changes.lock() else {
            return;
        };
        let Ok((guard, _)) =
            preview
                .changed
                .wait_timeout_while(guard, Duration::from_secs(15), |c| c.version == seen)
        else {
            return;
        };
        let message = if guard.version == seen {
            // A comment line keeps the connection open and notices closed pages.
            ": waiting\n\n".to_string()
        } else {
            let mut changed: Vec<&str> = Vec::new();
            let mut pending = false;
            for (version, pages, index_pending) in &guard.log {
                if *version > seen {
                    changed.extend(pages.iter().map(String::as_str));
                    pending = *index_pending;
                }
            }
            seen = guard.version;
            let data = serde_json::json!({"changed": changed, "index_pending": pending});
            format!("data: {data}\n\n")
        };
        drop(guard);
        if writer
            .write_all(message.as_bytes())
            .and_then(|_| writer.flush())
            .is_err()
        {
            return;
        }
    }
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
