//! Reading a file from a folder carepages does not control: the content folder, a theme.
//! A file is read only when it resolves inside its folder (after following every link), is
//! a regular file (not a device, pipe or folder) and is within a size limit, and all of
//! that is known before a byte of it is read. A refused file is never quoted: the reasons
//! below say what is wrong with it without showing what it holds.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file was not read. None of these carries any of the file's bytes.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("it does not exist")]
    Missing,
    #[error("it leads outside the folder it belongs in (through a link or `..`)")]
    Outside,
    #[error("it is not an ordinary file")]
    NotAFile,
    #[error("it is {} KB; it may be at most {} KB", kb(*.size), kb(*.limit))]
    TooLarge { size: u64, limit: u64 },
    #[error("it could not be read ({0})")]
    Unreadable(std::io::ErrorKind),
}

fn kb(bytes: u64) -> u64 {
    bytes.div_ceil(1024)
}

impl Refusal {
    fn from_io(e: &std::io::Error) -> Refusal {
        match e.kind() {
            std::io::ErrorKind::NotFound => Refusal::Missing,
            kind => Refusal::Unreadable(kind),
        }
    }
}

/// Where `path` really is, if it is inside `folder` once every link is followed.
pub fn resolve_inside(folder: &Path, path: &Path) -> Result<PathBuf, Refusal> {
    let folder = folder.canonicalize().map_err(|e| Refusal::from_io(&e))?;
    let real = path.canonicalize().map_err(|e| Refusal::from_io(&e))?;
    if real.starts_with(&folder) {
        Ok(real)
    } else {
        Err(Refusal::Outside)
    }
}

/// Reads `path`, which must resolve inside `folder`, be an ordinary file and hold at most
/// `limit` bytes.
pub fn read_inside(folder: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
    let real = resolve_inside(folder, path)?;
    read_ordinary(&real, limit)
}

/// Reads `path` when it is itself an ordinary file (not a link) of at most `limit` bytes.
fn read_ordinary(path: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
    let file = open_no_follow(path)?;
    // The file may have been swapped since it was looked at: check what was opened.
    let opened = file.metadata().map_err(|e| Refusal::from_io(&e))?;
    if !opened.is_file() {
        return Err(Refusal::NotAFile);
    }
    if opened.len() > limit {
        return Err(Refusal::TooLarge {
            size: opened.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(opened.len() as usize);
    // Never more than the limit, even if the file grows while it is read.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Refusal::from_io(&e))?;
    if bytes.len() as u64 > limit {
        return Err(Refusal::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// As [`read_inside`], for UTF-8 text (a byte-order mark is dropped).
pub fn read_text_inside(folder: &Path, path: &Path, limit: u64) -> Result<String, TextRefusal> {
    let bytes = read_inside(folder, path, limit).map_err(TextRefusal::Refused)?;
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&bytes)
        .to_vec();
    String::from_utf8(bytes).map_err(|_| TextRefusal::NotText)
}

/// Why a text file was not read.
#[derive(Debug, thiserror::Error)]
pub enum TextRefusal {
    #[error(transparent)]
    Refused(Refusal),
    #[error("it is not UTF-8 text")]
    NotText,
}

/// Opens a file for reading without following a link in its last part and without waiting
/// on a pipe or device that has no writer.
#[cfg(unix)]
fn open_no_follow(path: &Path) -> Result<std::fs::File, Refusal> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(path)
        .map_err(|e| Refusal::from_io(&e))
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> Result<std::fs::File, Refusal> {
    std::fs::File::open(path).map_err(|e| Refusal::from_io(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_plain_file_inside_its_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.txt"), "hello").expect("write");
        let got = read_inside(dir.path(), &dir.path().join("a.txt"), 10).expect("read");
        assert_eq!(got, b"hello");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_links_out_devices_pipes_and_big_files_without_reading_them() {
        let outside = tempfile::tempdir().expect("tempdir");
        let secret = outside.path().join("secret");
        std::fs::write(&secret, "root:x:0:0").expect("write");
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::os::unix::fs::symlink(&secret, root.join("link")).expect("link");
        std::os::unix::fs::symlink("/dev/zero", root.join("zero")).expect("link");
        std::fs::write(root.join("big"), vec![b'x'; 2048]).expect("write");
        let fifo = root.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.expect("mkfifo").success());
        let read = |name: &str| read_inside(root, &root.join(name), 1024).expect_err(name);
        assert!(matches!(read("link"), Refusal::Outside));
        // A path that climbs out, to a file that is there.
        let climb = format!(
            "../{}/secret",
            outside.path().file_name().expect("name").to_string_lossy()
        );
        assert!(matches!(read(&climb), Refusal::Outside));
        assert!(matches!(read("zero"), Refusal::Outside));
        assert!(matches!(read("pipe"), Refusal::NotAFile));
        assert!(matches!(read("big"), Refusal::TooLarge { size: 2048, .. }));
        assert!(matches!(read("nothing"), Refusal::Missing));
        let reason = read("link").to_string();
        assert!(!reason.contains("root:x"), "{reason}");
    }

    #[test]
    fn a_link_inside_the_folder_is_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("real.txt"), "inside").expect("write");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("real.txt", dir.path().join("alias.txt")).expect("link");
            let got = read_inside(dir.path(), &dir.path().join("alias.txt"), 10).expect("read");
            assert_eq!(got, b"inside");
        }
    }
}
