//! Helpers for end-to-end tests: run the real `carepages` binary on fixture folders copied
//! into a temporary directory, and read what it wrote.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const TODAY: &str = "2026-11-25";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary workspace holding a copy of a fixture's content.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn from_fixture(name: &str) -> Workspace {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(
            &repo().join("tests/fixtures").join(name),
            &dir.path().join("content"),
        );
        Workspace { dir }
    }

    pub fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    pub fn output(&self) -> PathBuf {
        self.dir.path().join("output")
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.content().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    /// Runs `carepages build` on this workspace with the repository's themes.
    pub fn build(&self, extra: &[&str]) -> Output {
        let mut args = vec!["build", "--today", TODAY];
        args.extend_from_slice(extra);
        let content = self.content();
        let output = self.output();
        let themes = repo().join("themes");
        run(
            &args,
            &[
                ("--content", &content),
                ("--output", &output),
                ("--themes", &themes),
            ],
        )
    }
}

/// A copy of the bundled demo content built into a temporary folder, as the README's first
/// command builds it: the folder (holding `content/` and `output/`) and the content's path.
pub fn built_demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let content = dir.path().join("content");
    copy_dir(&repo().join("content"), &content);
    let output = dir.path().join("output");
    let themes = repo().join("themes");
    let out = run(
        &["build", "--today", TODAY],
        &[
            ("--content", &content),
            ("--output", &output),
            ("--themes", &themes),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, content)
}

pub fn run(args: &[&str], paths: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_carepages"));
    cmd.args(args);
    for (flag, path) in paths {
        cmd.arg(flag).arg(path);
    }
    cmd.env("NO_COLOR", "1").output().expect("run carepages")
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every file under `dir` with its bytes, keyed by relative path.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return files;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("prefix")
                .display()
                .to_string();
            files.insert(rel, std::fs::read(entry.path()).expect("read"));
        }
    }
    files
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The site-relative targets of every `href` on a page, resolved against the page's folder.
pub fn local_links(site: &Path, page: &str) -> Vec<String> {
    let html = read(&site.join(page));
    let base = Path::new(page)
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let mut links = Vec::new();
    for part in html.split("href=").skip(1) {
        let part = part.trim_start_matches(['"', '\'']);
        let end = part.find(['"', '\'', ' ', '>']).unwrap_or(part.len());
        let href = &part[..end];
        if href.contains(':') || href.starts_with('#') || href.is_empty() {
            continue;
        }
        let mut path = base.clone();
        for seg in href.split('/') {
            match seg {
                ".." => {
                    path.pop();
                }
                "" | "." => {}
                s => path.push(s),
            }
        }
        let mut target = path.display().to_string();
        if href.ends_with('/') || target.is_empty() {
            target = if target.is_empty() {
                "index.html".into()
            } else {
                format!("{target}/index.html")
            };
        }
        links.push(target);
    }
    links
}

/// Values of `attr` on elements matching a CSS selector, parsed as a browser would.
pub fn attrs(html: &str, selector: &str, attr: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// Text of elements matching a CSS selector.
pub fn texts(html: &str, selector: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .map(|e| e.text().collect::<String>())
        .collect()
}

/// Everything in a page that a browser could run or that loads from elsewhere: script
/// elements, event-handler attributes, style, and links or sources with a dangerous scheme.
pub fn active_content(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let mut found = Vec::new();
    for el in doc.root_element().descendent_elements() {
        let name = el.value().name();
        if [
            "iframe", "object", "embed", "style", "base", "svg", "math", "frame", "applet",
        ]
        .contains(&name)
        {
            found.push(format!("<{name}>"));
        }
        // The site's own scripts are files in its assets folder; nothing inline, nothing else.
        let own_script = el
            .value()
            .attr("src")
            .is_some_and(|s| !s.contains(':') && s.contains("assets/search."))
            && el.text().collect::<String>().trim().is_empty();
        // Structured data is a data block browsers never run, as long as it is only JSON.
        let data_block = el.value().attr("type") == Some("application/ld+json")
            && el.value().attr("src").is_none()
            && serde_json::from_str::<serde_json::Value>(&el.text().collect::<String>()).is_ok();
        if name == "script" && !own_script && !data_block {
            found.push("<script>".into());
        }
        // The site's own search forms are fine; any other form could send data elsewhere.
        let own_search = el.value().attr("role") == Some("search")
            && el.value().attr("action").is_none_or(|a| !a.contains(':'));
        if name == "form" && !own_search {
            found.push("<form>".into());
        }
        if name == "meta"
            && el
                .value()
                .attr("http-equiv")
                .is_some_and(|v| !v.eq_ignore_ascii_case("content-security-policy"))
        {
            found.push("<meta http-equiv>".into());
        }
        for (attr, value) in el.value().attrs() {
            let v = value.trim().to_ascii_lowercase();
            if attr.starts_with("on") || attr == "style" || attr == "srcdoc" || attr == "formaction"
            {
                found.push(format!("{name} {attr}={value}"));
            }
            if ["href", "src", "action", "data", "xlink:href", "poster"].contains(&attr)
                && !(v.starts_with("https://")
                    || v.starts_with("http://")
                    || v.starts_with("mailto:")
                    || v.starts_with("tel:")
                    || !v.contains(':'))
            {
                found.push(format!("{name} {attr}={value}"));
            }
            if name == "img" && attr == "src" && v.starts_with("http") {
                found.push(format!("remote image {value}"));
            }
        }
    }
    found
}
