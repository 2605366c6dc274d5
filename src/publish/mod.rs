//! publish: puts finished sites in `output/`. Each council's site is written to a staging
//! folder beside its final place and swapped in only when every council has built, so a
//! failed build leaves `output/` as it was. It also writes the files that tell search
//! engines about the site (sitemap.xml, robots.txt). It never writes outside `output/`.

pub mod atom;
pub mod oruk;

use crate::render::Sink;
use std::path::{Component, Path, PathBuf};

/// A site being written beside its final folder.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
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
    /// Starts a fresh staging folder for `output/<council>`.
    pub fn begin(output: &Path, council: &str) -> Result<Staging, PublishError> {
        std::fs::create_dir_all(output).map_err(io(output))?;
        let dir = output.join(format!(".staging-{council}"));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
        }
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Staging {
            dir,
            target: output.join(council),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Replaces the council's live folder with the staged one.
    pub fn swap_in(self) -> Result<(), PublishError> {
        let old = self.target.with_file_name(format!(
            ".old-{}",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        if old.exists() {
            remove_tree(&old)?;
        }
        if self.target.exists() {
            std::fs::rename(&self.target, &old).map_err(io(&self.target))?;
        }
        std::fs::rename(&self.dir, &self.target).map_err(io(&self.dir))?;
        if old.exists() {
            remove_tree(&old)?;
        }
        Ok(())
    }

    /// Removes the staging folder after a failure, leaving the live site untouched.
    pub fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Sink for Staging {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
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
            std::fs::create_dir_all(parent)?;
        }
        // A file the live site already has, byte for byte, is linked rather than written:
        // no new data on disk, and its modified time stays as it was for hosts and sync tools.
        let live = self.target.join(rel);
        if unchanged(&live, bytes) && std::fs::hard_link(&live, &full).is_ok() {
            return Ok(());
        }
        std::fs::write(full, bytes)
    }
}

/// Whether the file at `path` holds exactly `bytes` (cheap length check first).
fn unchanged(path: &Path, bytes: &[u8]) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(path).is_ok_and(|old| old == bytes)
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
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
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
