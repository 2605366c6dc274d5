//! What the officer's tools read from the content's git history, by running `git`: the
//! content folder as it was at a revision, and the day each listing file first arrived.
//! Nothing here changes the repository, its index or its working tree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a content folder sits in its git repository.
struct Place {
    /// The top folder of the repository's working tree.
    top: PathBuf,
    /// The folder inside the repository, such as `content/` (empty at the top).
    prefix: String,
}

fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir);
    // Never ask for a password or open an editor: this runs in scripts and CI.
    cmd.env("GIT_TERMINAL_PROMPT", "0");
    cmd
}

/// Runs a git command and returns what it printed, or a message saying what went wrong.
fn output(mut cmd: Command) -> Result<Vec<u8>, String> {
    match cmd.output() {
        Ok(out) if out.status.success() => Ok(out.stdout),
        Ok(out) => Err(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err("git is not installed (it is needed to read the content's history)".into())
        }
        Err(e) => Err(format!("git could not be run: {e}")),
    }
}

fn place(content: &Path) -> Result<Place, String> {
    let mut cmd = git(content);
    cmd.args(["rev-parse", "--show-toplevel", "--show-prefix"]);
    let out = output(cmd).map_err(|why| {
        format!(
            "the content folder {} is not in a git repository ({why})",
            content.display()
        )
    })?;
    let text = String::from_utf8_lossy(&out);
    let mut lines = text.lines();
    let top = PathBuf::from(lines.next().unwrap_or_default().trim());
    Ok(Place {
        top,
        prefix: lines.next().unwrap_or_default().trim().to_string(),
    })
}

/// The commit `rev` names, checked: a name git does not know is refused with a message.
fn commit(content: &Path, rev: &str) -> Result<String, String> {
    if rev.is_empty() || rev.starts_with('-') || rev.chars().any(char::is_control) {
        return Err(format!("\"{rev}\" is not a git revision"));
    }
    let mut cmd = git(content);
    cmd.args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
        .arg(format!("{rev}^{{commit}}"));
    match output(cmd) {
        Ok(out) => Ok(String::from_utf8_lossy(&out).trim().to_string()),
        Err(why) if why.is_empty() => Err(format!(
            "there is no revision \"{rev}\" in the git repository of {}; name a commit, branch or tag it has (git log shows them)",
            content.display()
        )),
        Err(why) => Err(why),
    }
}

/// Copies the content folder as it was at `rev` into `into`, and returns the commit and
/// the folder, or `None` for the folder when the content folder did not exist then.
pub(super) fn content_at(
    content: &Path,
    rev: &str,
    into: &Path,
) -> Result<(String, Option<PathBuf>), String> {
    let place = place(content)?;
    let sha = commit(content, rev)?;
    let tree = match place.prefix.trim_end_matches('/') {
        "" => format!("{sha}^{{tree}}"),
        prefix => format!("{sha}:{prefix}"),
    };
    let mut exists = git(content);
    exists.args(["cat-file", "-e", &tree]);
    if output(exists).is_err() {
        return Ok((sha, None));
    }
    // A throwaway index: the repository's own index and working tree are left alone. Run
    // from the top, so that every file in it is checked out, not only those below here.
    let index = into.join("index");
    let folder = into.join("content");
    std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
    let mut read = git(&place.top);
    read.env("GIT_INDEX_FILE", &index)
        .args(["read-tree", &tree]);
    output(read)?;
    let mut checkout = git(&place.top);
    let mut prefix = folder.as_os_str().to_owned();
    prefix.push("/");
    let mut arg = std::ffi::OsString::from("--prefix=");
    arg.push(prefix);
    checkout
        .env("GIT_INDEX_FILE", &index)
        .args(["checkout-index", "--all", "--force"])
        .arg(arg);
    output(checkout)?;
    Ok((sha, Some(folder)))
}

/// The day each listing file in `enterprises/` first arrived in the history, by file name
/// (`kindly-hands.md`). Files never committed are missing from it.
pub(super) fn first_added(content: &Path) -> Result<BTreeMap<String, time::Date>, String> {
    place(content)?;
    let mut cmd = git(content);
    cmd.args([
        "-c",
        "core.quotepath=off",
        "log",
        "--diff-filter=A",
        "--no-renames",
        "--reverse",
        "--date=short",
        "--format=%x01%ad",
        "--name-only",
        "--",
        "enterprises/",
    ]);
    let out = output(cmd)?;
    let text = String::from_utf8_lossy(&out);
    let mut added = BTreeMap::new();
    let mut day = None;
    for line in text.lines() {
        if let Some(date) = line.strip_prefix('\u{1}') {
            day = time::Date::parse(
                date.trim(),
                &time::format_description::well_known::Iso8601::DATE,
            )
            .ok();
            continue;
        }
        let (Some(day), Some(name)) = (day, line.rsplit('/').next()) else {
            continue;
        };
        if name.ends_with(".md") {
            let first = added.entry(name.to_string()).or_insert(day);
            *first = (*first).min(day);
        }
    }
    Ok(added)
}
