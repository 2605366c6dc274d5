//! publish: puts finished sites in `output/`. Each council's site is written to a staging
//! folder beside its final place and swapped in only when every council has built, so a
//! failed build leaves `output/` as it was. It also writes the files that tell search
//! engines about the site (sitemap.xml, robots.txt). It never writes outside `output/`.

pub mod atom;
pub mod manifest;
pub mod oruk;

use crate::render::Sink;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// A site being written beside its final folder, in `output/.staging-<council>`.
///
/// The staging folder is always new: a failed build removes it and leaves everything else
/// in `output/` as it was. A file the live site already has, byte for byte, is linked to the
/// live one rather than written again, so a rebuild writes little data.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    /// What the live site's list says of each of its files.
    live: HashMap<PathBuf, Stamp>,
    /// A first build: no live site stands beside it, so nothing can be linked.
    first: bool,
    /// Every file written, for the new site's list.
    written: std::sync::Mutex<HashMap<PathBuf, Stamp>>,
    /// The folders made so far: a file in a new folder is written after making the folder,
    /// without first failing to open it (a third of all files).
    made_folders: std::sync::Mutex<rustc_hash::FxHashSet<PathBuf>>,
}

/// What a site's list records of each file: a fingerprint of its bytes, and its length and
/// modified time, which show whether the file has been touched since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    hash: u128,
    len: u64,
    modified: i64,
}

impl Stamp {
    fn of(hash: u128, meta: &std::fs::Metadata) -> Stamp {
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
        Stamp {
            hash,
            len: meta.len(),
            modified,
        }
    }

    /// Whether `meta` is the file this stamp was taken of, untouched since.
    fn describes(&self, meta: &std::fs::Metadata) -> bool {
        Stamp::of(self.hash, meta) == *self
    }
}

/// A problem writing the output folder.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{path} could not be written: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("another carepages build is writing to {output} now; wait for it to finish, then build again")]
    Busy { output: String },
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

/// Holds the output folder for one build: a second build into the same folder is told
/// so and stops, rather than both writing it. The operating system lets go of the lock when
/// the build ends, however it ends, so a stopped build never leaves it stuck.
pub struct OutputLock {
    _folder: std::fs::File,
}

impl OutputLock {
    pub fn acquire(output: &Path) -> Result<OutputLock, PublishError> {
        std::fs::create_dir_all(output).map_err(io(output))?;
        let folder = lock_handle(output).map_err(io(output))?;
        match folder.try_lock() {
            Ok(()) => Ok(OutputLock { _folder: folder }),
            Err(std::fs::TryLockError::WouldBlock) => Err(PublishError::Busy {
                output: output.display().to_string(),
            }),
            Err(std::fs::TryLockError::Error(e)) => Err(io(output)(e)),
        }
    }
}

/// What is locked: the output folder itself, so the lock leaves nothing behind.
#[cfg(unix)]
fn lock_handle(output: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(output)
}

/// Windows cannot lock a folder: a file beside the sites stands for it.
#[cfg(not(unix))]
fn lock_handle(output: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(output.join(".carepages.lock"))
}

/// How a staged site was put in place, to undo it if a later council's cannot be.
enum Placed {
    /// Swapped with the live site in one step: the staging folder now holds the old site.
    Exchanged,
    /// The old site was moved aside to this folder (or there was none), then the new one
    /// moved in.
    Renamed(Option<PathBuf>),
}

impl Staging {
    /// Starts staging `output/<council>` in a new folder. The caller holds the output's
    /// [`OutputLock`], so a staging folder already there was left by a build that was
    /// stopped, and is cleared.
    pub fn begin(output: &Path, council: &str) -> Result<Staging, PublishError> {
        std::fs::create_dir_all(output).map_err(io(output))?;
        let dir = output.join(format!(".staging-{council}"));
        if std::fs::symlink_metadata(&dir).is_ok() {
            remove_any(&dir)?;
        }
        std::fs::create_dir(&dir).map_err(io(&dir))?;
        let target = output.join(council);
        let first = !target.is_dir();
        let live = read_file_list(&file_list(&target))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(path, stamp)| Some((path, stamp?)))
            .collect();
        Ok(Staging {
            dir,
            target,
            live,
            first,
            written: Default::default(),
            made_folders: Default::default(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Puts this one staged site in place of the live one.
    pub fn swap_in(self) -> Result<(), PublishError> {
        swap_all(vec![self])
    }

    /// Gives up after a failure: the staging folder is removed and the live site is as it
    /// was.
    pub fn abandon(self) {
        let _ = remove_any(&self.dir);
    }

    fn put_in_place(&self) -> Result<Placed, PublishError> {
        if std::fs::symlink_metadata(&self.target).is_err() {
            std::fs::rename(&self.dir, &self.target).map_err(io(&self.dir))?;
            return Ok(Placed::Renamed(None));
        }
        if exchange(&self.dir, &self.target).is_ok() {
            return Ok(Placed::Exchanged);
        }
        let aside = self.aside();
        std::fs::rename(&self.target, &aside).map_err(io(&self.target))?;
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            let _ = std::fs::rename(&aside, &self.target);
            return Err(io(&self.dir)(e));
        }
        Ok(Placed::Renamed(Some(aside)))
    }

    /// Undoes [`put_in_place`](Self::put_in_place): the old site goes back and the new one
    /// is removed.
    fn put_back(&self, placed: Placed) {
        match placed {
            Placed::Exchanged => {
                if exchange(&self.dir, &self.target).is_err() {
                    return;
                }
            }
            Placed::Renamed(aside) => {
                if std::fs::rename(&self.target, &self.dir).is_err() {
                    return;
                }
                if let Some(aside) = aside {
                    let _ = std::fs::rename(aside, &self.target);
                }
            }
        }
        let _ = remove_any(&self.dir);
    }

    /// After every council's site is in place: records the new site's files and removes
    /// the old site, and the `.previous-<council>` folder earlier versions kept.
    fn finish(self, placed: Placed) {
        let written = self.written.into_inner().unwrap_or_default();
        write_file_list(&file_list(&self.target), &written);
        let old = match placed {
            Placed::Exchanged => Some(self.dir),
            Placed::Renamed(aside) => aside,
        };
        if let Some(old) = old {
            let _ = remove_any(&old);
        }
        let name = self
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let previous = self.target.with_file_name(format!(".previous-{name}"));
        if std::fs::symlink_metadata(&previous).is_ok() {
            let _ = remove_any(&previous);
            let _ = std::fs::remove_file(file_list(&previous));
        }
    }

    fn aside(&self) -> PathBuf {
        let name = self
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.target.with_file_name(format!(".replaced-{name}"))
    }
}

/// Puts every staged site in place of its live one, all or none: if one cannot be swapped
/// in, those already swapped are put back and every staging folder is removed, so the
/// sites residents see are all from one build.
pub fn swap_all(staged: Vec<Staging>) -> Result<(), PublishError> {
    let mut placed: Vec<(Staging, Placed)> = Vec::with_capacity(staged.len());
    let mut pending = staged.into_iter();
    while let Some(staging) = pending.next() {
        match staging.put_in_place() {
            Ok(how) => placed.push((staging, how)),
            Err(e) => {
                for (done, how) in placed.into_iter().rev() {
                    done.put_back(how);
                }
                staging.abandon();
                pending.for_each(Staging::abandon);
                return Err(e);
            }
        }
    }
    for (staging, how) in placed {
        staging.finish(how);
    }
    Ok(())
}

/// Removes a folder tree, or a file or link standing where one was expected.
fn remove_any(path: &Path) -> Result<(), PublishError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => remove_tree(path),
        Ok(_) => std::fs::remove_file(path).map_err(io(path)),
        Err(_) => Ok(()),
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
        let rel = Path::new(path);
        // Paths come from slugs and theme file names; refuse anything that could climb out.
        if rel.is_absolute() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("unsafe output path {path}"),
            ));
        }
        let full = self.dir.join(rel);
        let hash = xxhash_rust::xxh3::xxh3_128(bytes);
        let stamp = self.place(rel, &full, hash, bytes)?;
        if let Ok(mut written) = self.written.lock() {
            written.insert(rel.to_path_buf(), stamp);
        }
        Ok(())
    }
}

impl Staging {
    /// Puts `bytes` at `full`, in the staging folder, and says what is there now.
    fn place(&self, rel: &Path, full: &Path, hash: u128, bytes: &[u8]) -> std::io::Result<Stamp> {
        // The staging folder is new: a folder is made once, the first time a file needs it,
        // without looking first.
        if let Some(folder) = full.parent().filter(|f| *f != self.dir) {
            let made = self
                .made_folders
                .lock()
                .map(|made| made.contains(folder))
                .unwrap_or(false);
            if !made {
                std::fs::create_dir_all(folder)?;
                if let Ok(mut made) = self.made_folders.lock() {
                    made.insert(folder.to_path_buf());
                }
            }
        }
        if self.first {
            return create(full, hash, bytes);
        }
        // Something is there only when this build writes a path twice: never write into it
        // (it may be linked to the live site's file), replace it.
        let again = self
            .written
            .lock()
            .map(|written| written.contains_key(rel))
            .unwrap_or(true);
        if again {
            match std::fs::symlink_metadata(full) {
                Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(full)?,
                Ok(_) => std::fs::remove_file(full)?,
                Err(_) => {}
            }
        }
        // A file the live site already has, byte for byte, is linked rather than written:
        // no new data on disk, and its modified time stays as it was for hosts and sync tools.
        // The live site's list tells from its fingerprint, unless the file was touched since.
        let live = self.target.join(rel);
        let live_meta = std::fs::symlink_metadata(&live)
            .ok()
            .filter(|m| m.is_file());
        if let Some(live_meta) = &live_meta {
            let unchanged = match self.live.get(rel) {
                Some(listed) if listed.describes(live_meta) => {
                    listed.hash == hash && listed.len == bytes.len() as u64
                }
                _ => same_bytes(&live, live_meta, bytes),
            };
            if unchanged && std::fs::hard_link(&live, full).is_ok() {
                return Ok(Stamp::of(hash, live_meta));
            }
        }
        let mut file = std::fs::File::create(full)?;
        write_in_pieces(&mut file, bytes)?;
        Ok(Stamp::of(hash, &file.metadata()?))
    }
}

/// The most handed to the kernel in one `write`. From 2 MiB up, Linux fills the page cache
/// with 2 MiB pieces of memory, which a virtual build machine may be slow to touch the
/// first time: one 24 MB write took 150-290 ms of system time, the same bytes in 1 MiB
/// writes 6-10 ms. A 10,000-listing site has about 40 MB in such files (the Open
/// Referral `/services` page, the printable directory, the search index).
const WRITE_PIECE: usize = 1 << 20;

/// Writes all of `bytes`, at most [`WRITE_PIECE`] at a time.
fn write_in_pieces(file: &mut std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    bytes
        .chunks(WRITE_PIECE)
        .try_for_each(|piece| std::io::Write::write_all(file, piece))
}

/// Writes a file in a first build: it is created straight away, and its folder only when
/// that fails. Looking first cost three path lookups a file, about 6% of a first build's
/// CPU time.
fn create(full: &Path, hash: u128, bytes: &[u8]) -> std::io::Result<Stamp> {
    let mut file = match std::fs::File::create(full) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::File::create(full)?
        }
        other => other?,
    };
    write_in_pieces(&mut file, bytes)?;
    Ok(Stamp::of(hash, &file.metadata()?))
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

/// The first line of a file list that records each file's [`Stamp`].
const LIST_HEADER: &str = "# carepages site files: xxh3-128, length, modified (ns), path";

/// The site-relative paths in a file list, one a line, with their stamps when the list has
/// them; `None` if there is no usable list.
fn read_file_list(path: &Path) -> Option<Vec<(PathBuf, Option<Stamp>)>> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines().peekable();
    if lines.peek() != Some(&LIST_HEADER) {
        return Some(lines.map(|line| (PathBuf::from(line), None)).collect());
    }
    lines
        .skip(1)
        .map(|line| {
            let mut parts = line.splitn(4, ' ');
            let hash = u128::from_str_radix(parts.next()?, 16).ok()?;
            let len = parts.next()?.parse().ok()?;
            let modified = parts.next()?.parse().ok()?;
            let path = PathBuf::from(parts.next()?);
            Some((
                path,
                Some(Stamp {
                    hash,
                    len,
                    modified,
                }),
            ))
        })
        .collect()
}

/// Keeps the list of files just published, so that the build after next, recycling this
/// tree, knows what it holds without walking it, and the next build knows what the live
/// files hold without reading them. Losing it only costs that walk and those reads.
fn write_file_list(path: &Path, written: &HashMap<PathBuf, Stamp>) {
    use std::fmt::Write;
    let mut files: Vec<(&str, &Stamp)> = written
        .iter()
        .filter_map(|(p, stamp)| Some((p.to_str()?, stamp)))
        .filter(|(p, _)| !p.contains('\n'))
        .collect();
    files.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut text = String::with_capacity(80 * files.len() + LIST_HEADER.len() + 1);
    text.push_str(LIST_HEADER);
    text.push('\n');
    for (path, stamp) in files {
        let _ = writeln!(
            text,
            "{:032x} {} {} {path}",
            stamp.hash, stamp.len, stamp.modified
        );
    }
    let _ = std::fs::File::create(path)
        .and_then(|mut file| write_in_pieces(&mut file, text.as_bytes()));
}

/// Whether the file at `path` holds exactly `bytes` (cheap length check first).
fn same_bytes(path: &Path, meta: &std::fs::Metadata, bytes: &[u8]) -> bool {
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
    fn files_larger_than_one_write_arrive_whole_in_first_builds_and_rebuilds() {
        // A /services page or printable directory is many write pieces long; every byte
        // must land, in order, whether the file is new or rewritten in a recycled tree.
        let big = |seed: u8| -> Vec<u8> {
            (0..3 * WRITE_PIECE + 17)
                .map(|i| (i % 251) as u8 ^ seed)
                .collect()
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let site = dir.path().join("c");
        for seed in [1, 2, 3] {
            let s = Staging::begin(dir.path(), "c").expect("staging");
            s.write("oruk/services/index.json", &big(seed))
                .expect("write");
            s.swap_in().expect("swap");
            let on_disk = std::fs::read(site.join("oruk/services/index.json")).expect("read");
            assert!(on_disk == big(seed), "build {seed} wrote a different file");
        }
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
    fn a_first_build_makes_its_folders_and_the_next_build_knows_its_files() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let first = Staging::begin(dir.path(), "c").expect("staging");
        first.write("a/b/index.html", b"deep").expect("write");
        first.write("a/index.html", b"shallow").expect("write");
        first.write("a/b/other.html", b"draft").expect("write");
        first.write("a/b/other.html", b"final").expect("write");
        first.swap_in().expect("swap");
        let site = dir.path().join("c");
        let read = |name: &str| std::fs::read(site.join(name)).expect("read");
        assert_eq!(read("a/b/index.html"), b"deep");
        assert_eq!(read("a/index.html"), b"shallow");
        assert_eq!(read("a/b/other.html"), b"final");
        let inode = |name: &str| std::fs::metadata(site.join(name)).expect("metadata").ino();
        let deep = inode("a/b/index.html");

        // The first build's list of files lets the second see, without reading it, that
        // the deep page has not changed: it is linked, not written again.
        let second = Staging::begin(dir.path(), "c").expect("staging");
        second.write("a/b/index.html", b"deep").expect("write");
        second.swap_in().expect("swap");
        assert_eq!(inode("a/b/index.html"), deep);
        assert!(!site.join("a/index.html").exists());
    }

    #[test]
    fn a_live_file_edited_by_hand_is_put_right_by_the_next_build() {
        let dir = tempfile::tempdir().expect("tempdir");
        let build = || {
            let s = Staging::begin(dir.path(), "c").expect("staging");
            s.write("index.html", b"published").expect("write");
            s.write("other.html", b"other").expect("write");
            s.swap_in().expect("swap");
        };
        build();
        build();
        let list = std::fs::read_to_string(dir.path().join(".c.files")).expect("list");
        assert!(list.starts_with(LIST_HEADER), "{list}");
        assert_eq!(list.lines().count(), 3, "{list}");
        // Someone edits the published page in place; the list still has the old fingerprint.
        let live = dir.path().join("c/index.html");
        std::thread::sleep(std::time::Duration::from_millis(30));
        std::fs::write(&live, b"edited!!!").expect("edit");
        build();
        assert_eq!(std::fs::read(&live).expect("read"), b"published");
        // The same, keeping the length.
        std::thread::sleep(std::time::Duration::from_millis(30));
        std::fs::write(&live, b"PUBLISHED").expect("edit");
        build();
        assert_eq!(std::fs::read(&live).expect("read"), b"published");
    }

    #[test]
    fn a_list_without_fingerprints_still_works() {
        let dir = tempfile::tempdir().expect("tempdir");
        let build = |text: &[u8]| {
            let s = Staging::begin(dir.path(), "c").expect("staging");
            s.write("a/index.html", text).expect("write");
            s.swap_in().expect("swap");
        };
        build(b"one");
        // A list as older versions wrote it: paths only.
        std::fs::write(dir.path().join(".c.files"), "a/index.html\n").expect("old list");
        build(b"one");
        build(b"two");
        assert_eq!(
            std::fs::read(dir.path().join("c/a/index.html")).expect("read"),
            b"two"
        );
    }

    #[test]
    fn a_rebuilt_site_keeps_nothing_the_new_build_did_not_write() {
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
        // Nothing but the site and its list is left beside it.
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [".c.files", "c"]);
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

    /// Every file under `dir`, hidden ones included, with its bytes.
    fn everything(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| {
                let bytes = if e.file_type().is_file() {
                    std::fs::read(e.path()).expect("read")
                } else {
                    Vec::new()
                };
                (e.path().to_path_buf(), bytes)
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn an_abandoned_build_leaves_output_exactly_as_it_was() {
        let dir = tempfile::tempdir().expect("tempdir");
        for text in ["good", "better"] {
            let s = Staging::begin(dir.path(), "c").expect("staging");
            s.write("index.html", text.as_bytes()).expect("write");
            s.swap_in().expect("swap");
        }
        let before = everything(dir.path());
        let s = Staging::begin(dir.path(), "c").expect("staging");
        s.write("index.html", b"half").expect("write");
        s.write("other.html", b"half").expect("write");
        s.abandon();
        assert_eq!(everything(dir.path()), before);
    }

    #[test]
    fn when_one_council_cannot_be_swapped_in_none_is() {
        let dir = tempfile::tempdir().expect("tempdir");
        for council in ["a", "b"] {
            let s = Staging::begin(dir.path(), council).expect("staging");
            s.write("index.html", b"old").expect("write");
            s.swap_in().expect("swap");
        }
        let before = everything(dir.path());
        let a = Staging::begin(dir.path(), "a").expect("staging");
        a.write("index.html", b"new").expect("write");
        let b = Staging::begin(dir.path(), "b").expect("staging");
        b.write("index.html", b"new").expect("write");
        // The second council's staged site disappears before the swap, as on a failing disk.
        std::fs::remove_dir_all(b.dir()).expect("remove");
        assert!(swap_all(vec![a, b]).is_err());
        assert_eq!(everything(dir.path()), before);
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
