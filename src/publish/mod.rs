//! publish: puts finished sites in `output/`. Each council's site is written to a staging
//! folder beside its final place and swapped in only when every council has built, so a
//! failed build leaves `output/` as it was. It also writes the files that tell search
//! engines about the site (sitemap.xml, robots.txt). It never writes outside `output/`.

pub mod atom;
pub mod oruk;

use crate::render::Sink;
use std::path::{Component, Path, PathBuf};

/// A site being written beside its final folder.
///
/// The folder it is written into is the site from the build before last (kept as
/// `output/.previous-<council>`), not a new one: files and folders that already exist are
/// rewritten in place and unchanged files are linked to the live site's, so a rebuild
/// creates almost no new files. Creating files is most of the cost of writing a site, and
/// on some disks it is far slower than writing bytes.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    previous: PathBuf,
    /// The files the recycled tree holds, when its list was kept; otherwise it is walked.
    recycled: Option<Vec<PathBuf>>,
    /// Every file written, so that what the old tree had and this build did not make can be
    /// removed before the swap.
    written: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

/// A problem writing the output folder.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{path} could not be written: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the output folder {output} would overwrite {what} ({path}); choose another --output")]
    Overlap {
        output: String,
        what: &'static str,
        path: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Refuses an output folder that is, or contains, the content or themes folder, since a
/// build replaces what is in it.
pub fn check_output_folder(
    output: &Path,
    protected: &[(&'static str, &Path)],
) -> Result<(), PublishError> {
    let out = absolute(output);
    for (what, path) in protected {
        let p = absolute(path);
        if p.starts_with(&out) {
            return Err(PublishError::Overlap {
                output: output.display().to_string(),
                what,
                path: path.display().to_string(),
            });
        }
    }
    Ok(())
}

/// An absolute, normalised path without requiring it to exist.
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    if let Ok(real) = joined.canonicalize() {
        return real;
    }
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl Staging {
    /// Starts staging `output/<council>`, recycling the site from the build before last
    /// when there is one.
    pub fn begin(output: &Path, council: &str) -> Result<Staging, PublishError> {
        std::fs::create_dir_all(output).map_err(io(output))?;
        let dir = output.join(format!(".staging-{council}"));
        let previous = output.join(format!(".previous-{council}"));
        let mut recycled = None;
        // A staging folder left by a build that was stopped is recycled like a previous
        // site, but its files are not known: it is walked at the end.
        if previous.is_dir() && !dir.exists() {
            recycled = read_file_list(&file_list(&previous));
            std::fs::rename(&previous, &dir).map_err(io(&previous))?;
        } else if previous.exists() {
            remove_tree(&previous)?;
        }
        let _ = std::fs::remove_file(file_list(&previous));
        if dir.exists() && !dir.is_dir() {
            std::fs::remove_file(&dir).map_err(io(&dir))?;
        }
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Staging {
            dir,
            target: output.join(council),
            previous,
            recycled,
            written: Default::default(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Removes what the recycled tree had that this build did not write, then puts the
    /// staged site in place of the live one, which is kept for the next build to recycle.
    pub fn swap_in(self) -> Result<(), PublishError> {
        let written = self.written.into_inner().unwrap_or_default();
        match &self.recycled {
            Some(files) => remove_listed(&self.dir, files, &written),
            None => remove_unwritten(&self.dir, &written)?,
        }
        // The live site becomes the previous one, and its list of files goes with it.
        let (live_list, previous_list) = (file_list(&self.target), file_list(&self.previous));
        if std::fs::rename(&live_list, &previous_list).is_err() {
            let _ = std::fs::remove_file(&previous_list);
        }
        if self.target.exists() {
            if exchange(&self.dir, &self.target).is_err() {
                std::fs::rename(&self.target, &self.previous).map_err(io(&self.target))?;
                std::fs::rename(&self.dir, &self.target).map_err(io(&self.dir))?;
            } else {
                std::fs::rename(&self.dir, &self.previous).map_err(io(&self.dir))?;
            }
        } else {
            std::fs::rename(&self.dir, &self.target).map_err(io(&self.dir))?;
        }
        write_file_list(&live_list, &written);
        Ok(())
    }

    /// Gives up after a failure, leaving the live site untouched; the half-written tree is
    /// kept to be recycled by the next build.
    pub fn abandon(self) {
        if std::fs::rename(&self.dir, &self.previous).is_err() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Swaps two folders in one step, so the live site is never missing, even for a moment.
/// Fails where the file system cannot, and the caller falls back to two renames.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    rustix::fs::renameat_with(
        rustix::fs::CWD,
        a,
        rustix::fs::CWD,
        b,
        rustix::fs::RenameFlags::EXCHANGE,
    )
    .map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

impl Sink for Staging {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        use std::os::unix::fs::MetadataExt;
        let rel = Path::new(path);
        // Paths come from slugs and theme file names; refuse anything that could climb out.
        if rel.is_absolute() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("unsafe output path {path}"),
            ));
        }
        let full = self.dir.join(rel);
        if let Some(parent) = full.parent() {
            make_folder(&self.dir, parent)?;
        }
        if let Ok(mut written) = self.written.lock() {
            written.insert(rel.to_path_buf());
        }
        let old = std::fs::symlink_metadata(&full).ok();
        if old.as_ref().is_some_and(|m| m.is_dir()) {
            std::fs::remove_dir_all(&full)?;
        }
        let mut old = old.filter(|m| m.is_file());
        // A file the live site already has, byte for byte, is linked rather than written:
        // no new data on disk, and its modified time stays as it was for hosts and sync tools.
        let live = self.target.join(rel);
        let live_meta = std::fs::symlink_metadata(&live)
            .ok()
            .filter(|m| m.is_file());
        let shares_live = |old: &std::fs::Metadata, live: &std::fs::Metadata| {
            old.ino() == live.ino() && old.dev() == live.dev()
        };
        if let Some(live_meta) = &live_meta {
            if unchanged(&live, live_meta, bytes) {
                if old.as_ref().is_some_and(|o| shares_live(o, live_meta)) {
                    return Ok(());
                }
                if old.take().is_some() {
                    std::fs::remove_file(&full)?;
                }
                if std::fs::hard_link(&live, &full).is_ok() {
                    return Ok(());
                }
            }
        }
        match old {
            // The recycled file belongs to no live site: rewrite it in place.
            Some(o)
                if o.nlink() == 1 && !live_meta.as_ref().is_some_and(|l| shares_live(&o, l)) =>
            {
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&full)?;
                std::io::Write::write_all(&mut file, bytes)
            }
            // Shared with the live site: a new file, so the live one stays as it is.
            Some(_) => {
                std::fs::remove_file(&full)?;
                std::fs::write(&full, bytes)
            }
            None => std::fs::write(&full, bytes),
        }
    }
}

/// Makes the folders down to `folder`, replacing any file in the recycled tree that stands
/// where a folder is now needed.
fn make_folder(root: &Path, folder: &Path) -> std::io::Result<()> {
    if folder.is_dir() {
        return Ok(());
    }
    if std::fs::create_dir_all(folder).is_ok() {
        return Ok(());
    }
    let mut at = folder;
    while at != root {
        if std::fs::symlink_metadata(at).is_ok_and(|m| !m.is_dir()) {
            std::fs::remove_file(at)?;
        }
        match at.parent() {
            Some(parent) => at = parent,
            None => break,
        }
    }
    std::fs::create_dir_all(folder)
}

/// Where the list of a site's files is kept: beside its folder, never inside it, so it is
/// not published.
fn file_list(site: &Path) -> PathBuf {
    let name = site
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    site.with_file_name(format!(".{}.files", name.trim_start_matches('.')))
}

/// The site-relative paths in a file list, one a line; `None` if there is no usable list.
fn read_file_list(path: &Path) -> Option<Vec<PathBuf>> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(text.lines().map(PathBuf::from).collect())
}

/// Keeps the list of files just published, so that the build after next, recycling this
/// tree, knows what it holds without walking it. Losing it only costs that walk.
fn write_file_list(path: &Path, written: &std::collections::HashSet<PathBuf>) {
    let mut lines: Vec<String> = written
        .iter()
        .filter_map(|p| p.to_str())
        .filter(|p| !p.contains('\n'))
        .map(str::to_owned)
        .collect();
    lines.sort_unstable();
    let mut text = lines.join("\n");
    text.push('\n');
    let _ = std::fs::write(path, text);
}

/// Removes the files of a recycled tree (from its list) that this build did not write,
/// then the folders they leave empty.
fn remove_listed(dir: &Path, files: &[PathBuf], written: &std::collections::HashSet<PathBuf>) {
    let mut folders = std::collections::BTreeSet::new();
    for rel in files.iter().filter(|f| !written.contains(*f)) {
        let safe = rel.components().all(|c| matches!(c, Component::Normal(_)));
        if safe && std::fs::remove_file(dir.join(rel)).is_ok() {
            folders.extend(
                rel.ancestors()
                    .skip(1)
                    .filter(|a| !a.as_os_str().is_empty())
                    .map(Path::to_path_buf),
            );
        }
    }
    // Deepest first, so a folder's empty subfolders are gone before it is tried.
    let mut folders: Vec<PathBuf> = folders.into_iter().collect();
    folders.sort_by_key(|f| std::cmp::Reverse(f.components().count()));
    for folder in folders {
        let _ = std::fs::remove_dir(dir.join(folder));
    }
}

/// Removes the files under `dir` that are not in `written` (site-relative), then the
/// folders left empty.
fn remove_unwritten(
    dir: &Path,
    written: &std::collections::HashSet<PathBuf>,
) -> Result<(), PublishError> {
    let mut folders = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.map_err(|e| PublishError::Io {
            path: dir.display().to_string(),
            source: e.into(),
        })?;
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        if entry.file_type().is_dir() {
            folders.push(entry.path().to_path_buf());
        } else if !written.contains(rel) {
            std::fs::remove_file(entry.path()).map_err(io(entry.path()))?;
        }
    }
    // Deepest first, so a folder's empty subfolders are gone before it is tried.
    for folder in folders.iter().rev() {
        let _ = std::fs::remove_dir(folder);
    }
    Ok(())
}

/// Whether the file at `path` holds exactly `bytes` (cheap length check first).
fn unchanged(path: &Path, meta: &std::fs::Metadata, bytes: &[u8]) -> bool {
    meta.len() == bytes.len() as u64 && std::fs::read(path).is_ok_and(|old| old == bytes)
}

/// Removes a replaced site. A site has one folder per page, so the files are removed in
/// parallel first; removing them one by one was the slowest part of a rebuild.
fn remove_tree(dir: &Path) -> Result<(), PublishError> {
    use rayon::prelude::*;
    let files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.par_iter().for_each(|f| {
        let _ = std::fs::remove_file(f);
    });
    std::fs::remove_dir_all(dir).map_err(io(dir))
}

/// sitemap.xml listing every page except the 404 page, with absolute URLs.
pub fn sitemap(base_url: &str, pages: &[String]) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for page in pages.iter().filter(|p| p.ends_with("index.html")) {
        let url = format!(
            "{base_url}{}",
            page.strip_suffix("index.html").unwrap_or(page)
        );
        xml.push_str("  <url><loc>");
        xml.push_str(&escape_xml(&url));
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn robots(base_url: &str) -> String {
    format!("User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n")
}

fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_refuses_paths_that_climb_out() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Staging::begin(dir.path(), "c").expect("staging");
        assert!(s.write("../escape.html", b"x").is_err());
        assert!(s.write("/etc/x", b"x").is_err());
        assert!(s.write("a/b/index.html", b"x").is_ok());
        assert!(!dir.path().join("escape.html").exists());
    }

    #[test]
    fn swap_replaces_the_whole_site() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("c/stale")).expect("mkdir");
        let s = Staging::begin(dir.path(), "c").expect("staging");
        s.write("index.html", b"new").expect("write");
        s.swap_in().expect("swap");
        assert_eq!(
            std::fs::read(dir.path().join("c/index.html")).expect("read"),
            b"new"
        );
        assert!(!dir.path().join("c/stale").exists());
        assert!(!dir.path().join(".staging-c").exists());
    }

    #[test]
    fn a_rebuild_leaves_unchanged_files_untouched() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let first = Staging::begin(dir.path(), "c").expect("staging");
        first.write("same.html", b"same").expect("write");
        first.write("changed.html", b"old").expect("write");
        first.swap_in().expect("swap");
        let inode = |name: &str| {
            std::fs::metadata(dir.path().join("c").join(name))
                .expect("metadata")
                .ino()
        };
        let (same, changed) = (inode("same.html"), inode("changed.html"));

        let second = Staging::begin(dir.path(), "c").expect("staging");
        second.write("same.html", b"same").expect("write");
        second.write("changed.html", b"new!").expect("write");
        second.swap_in().expect("swap");
        assert_eq!(inode("same.html"), same, "an unchanged file was rewritten");
        assert_ne!(inode("changed.html"), changed);
        let read = |name: &str| std::fs::read(dir.path().join("c").join(name)).expect("read");
        assert_eq!(read("same.html"), b"same");
        assert_eq!(read("changed.html"), b"new!");
    }

    #[test]
    fn a_recycled_site_keeps_nothing_the_new_build_did_not_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let build = |files: &[(&str, &str)]| {
            let s = Staging::begin(dir.path(), "c").expect("staging");
            for (path, text) in files {
                s.write(path, text.as_bytes()).expect("write");
            }
            s.swap_in().expect("swap");
        };
        build(&[
            ("a/index.html", "1"),
            ("old/index.html", "old"),
            ("b.css", "b"),
        ]);
        build(&[("a/index.html", "1"), ("b.css", "b2")]);
        // The third build recycles the first one's tree, which still has old/.
        build(&[("a/index.html", "3"), ("new/deep/index.html", "new")]);
        let site = dir.path().join("c");
        let mut files: Vec<String> = walkdir::WalkDir::new(&site)
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| {
                e.path()
                    .strip_prefix(&site)
                    .expect("inside")
                    .display()
                    .to_string()
            })
            .collect();
        files.sort();
        assert_eq!(
            files,
            [
                "",
                "a",
                "a/index.html",
                "new",
                "new/deep",
                "new/deep/index.html"
            ]
        );
        let read = |p: &str| std::fs::read_to_string(site.join(p)).expect("read");
        assert_eq!(read("a/index.html"), "3");
        // Without the list of what the recycled tree holds, it is walked instead.
        std::fs::remove_file(dir.path().join(".previous-c.files")).expect("remove list");
        build(&[("only.html", "x")]);
        build(&[("only.html", "x")]);
        let names: Vec<_> = std::fs::read_dir(&site)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["only.html"]);
    }

    #[test]
    fn building_never_changes_the_live_site_before_the_swap() {
        let dir = tempfile::tempdir().expect("tempdir");
        let live = dir.path().join("c/page.html");
        for text in ["one", "one", "two"] {
            let s = Staging::begin(dir.path(), "c").expect("staging");
            let before = std::fs::read_to_string(&live).ok();
            // The recycled file may share its data with the live one (it was linked when
            // unchanged); writing new bytes must not reach the live site.
            s.write("page.html", text.as_bytes()).expect("write");
            assert_eq!(std::fs::read_to_string(&live).ok(), before);
            s.swap_in().expect("swap");
            assert_eq!(std::fs::read_to_string(&live).expect("live"), text);
        }
    }

    #[test]
    fn an_abandoned_build_leaves_the_live_site_and_is_recycled_later() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Staging::begin(dir.path(), "c").expect("staging");
        s.write("index.html", b"good").expect("write");
        s.swap_in().expect("swap");
        let s = Staging::begin(dir.path(), "c").expect("staging");
        s.write("index.html", b"half").expect("write");
        s.abandon();
        let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).expect("read");
        assert_eq!(read("c/index.html"), "good");
        let s = Staging::begin(dir.path(), "c").expect("staging");
        s.write("other.html", b"next").expect("write");
        s.swap_in().expect("swap");
        assert!(!dir.path().join("c/index.html").exists());
        assert_eq!(read("c/other.html"), "next");
    }

    #[test]
    fn output_may_not_contain_the_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let content = dir.path().join("content");
        std::fs::create_dir_all(&content).expect("mkdir");
        assert!(check_output_folder(dir.path(), &[("the content folder", &content)]).is_err());
        assert!(check_output_folder(&content, &[("the content folder", &content)]).is_err());
        assert!(check_output_folder(
            &dir.path().join("output"),
            &[("the content folder", &content)]
        )
        .is_ok());
    }

    #[test]
    fn sitemap_lists_pages_with_absolute_urls() {
        let xml = sitemap(
            "https://x.example/",
            &[
                "index.html".into(),
                "404.html".into(),
                "enterprises/a/index.html".into(),
            ],
        );
        assert!(xml.contains("<loc>https://x.example/</loc>"));
        assert!(xml.contains("<loc>https://x.example/enterprises/a/</loc>"));
        assert!(!xml.contains("404"));
    }
}
