//! content: reads the content folder into council settings and listings as their authors
//! wrote them, with positions for messages. It reports files it cannot read or parse, but
//! never judges what they say: that is the standards stage's job.

pub mod files;
pub mod markdown;
mod model;
pub mod photos;
mod source;

pub use model::*;
pub use source::{dotted, FenceProblem, PathStep, SourceFile};

use crate::diagnostic::Diagnostic;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// The largest content file read, so a stray huge file cannot exhaust memory or time.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The longest file name a listing may have: it becomes a folder of the site, and file
/// systems refuse names over 255 bytes.
pub const MAX_SLUG_LEN: usize = 100;

/// A council settings file, parsed but not yet checked.
#[derive(Debug)]
pub struct CouncilFile {
    /// The file name without `.yaml`: the council's id in listings and in `output/`.
    pub id: String,
    pub source: SourceFile,
    pub data: serde_json::Value,
}

/// A listing file, parsed but not yet checked.
#[derive(Debug)]
pub struct ListingFile {
    /// The file name made safe for a URL: lower case letters, digits and hyphens.
    pub slug: String,
    pub source: SourceFile,
    pub data: serde_json::Value,
    /// The Markdown below the front matter.
    pub body: String,
    /// The line of the file where the body starts, for messages about it.
    pub body_line: usize,
}

/// Everything read from a content folder.
#[derive(Debug, Default)]
pub struct Content {
    pub root: PathBuf,
    pub councils: Vec<CouncilFile>,
    pub listings: Vec<ListingFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads `content/councils/*.yaml` and `content/enterprises/**/*.md`.
pub fn load(root: &Path) -> Content {
    let mut content = Content {
        root: root.to_path_buf(),
        ..Content::default()
    };
    let (council_paths, mut problems) = files_in(root, "councils", &["yaml", "yml"]);
    let (listing_paths, more) = files_in(root, "enterprises", &["md", "markdown"]);
    problems.extend(more);
    content.diagnostics = problems;

    let councils: Vec<_> = council_paths
        .par_iter()
        .map(|p| read_council(root, p))
        .collect();
    let listings: Vec<_> = listing_paths
        .par_iter()
        .map(|p| read_listing(root, p))
        .collect();
    for result in councils {
        match result {
            Ok(c) => content.councils.push(c),
            Err(d) => content.diagnostics.push(d),
        }
    }
    for result in listings {
        match result {
            Ok(l) => content.listings.push(l),
            Err(d) => content.diagnostics.push(d),
        }
    }
    content
}

/// Files with one of `extensions` under `root/folder`, sorted, skipping hidden files and
/// editor leftovers, and refusing symlinks that lead outside the content folder.
fn files_in(root: &Path, folder: &str, extensions: &[&str]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut paths = Vec::new();
    let mut problems = Vec::new();
    let dir = root.join(folder);
    if !dir.is_dir() {
        return (paths, problems);
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let walker = WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| relative(root, p))
                    .unwrap_or_else(|| folder.into());
                problems.push(
                    Diagnostic::error(path, "unreadable", format!("This could not be read: {e}."))
                        .help("Check that the file exists and that you are allowed to read it."),
                );
                continue;
            }
        };
        let path = entry.path();
        let wanted = path
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| extensions.contains(&x.to_ascii_lowercase().as_str()));
        if !wanted {
            continue;
        }
        if entry.path_is_symlink() {
            let Ok(target) = path.canonicalize() else {
                problems.push(
                    Diagnostic::error(relative(root, path), "not-a-file", "This is not an ordinary file (it is a pipe, a device or a broken link), so it was not read.")
                        .help("Replace it with an ordinary text file, or remove it."),
                );
                continue;
            };
            if !target.starts_with(&canonical_root) {
                problems.push(
                    Diagnostic::error(relative(root, path), "symlink-outside", "This file is a link to a file outside the content folder, so it was not read.")
                        .help("Copy the file into the content folder instead of linking to it."),
                );
                continue;
            }
        }
        // The walk already knows a plain file from its folder entry; only a link needs a
        // look at what it points to.
        let is_file = if entry.path_is_symlink() {
            path.is_file()
        } else {
            entry.file_type().is_file()
        };
        if is_file {
            paths.push(path.to_path_buf());
        } else if !path.is_dir() {
            // A pipe or device named like a listing would hang or flood the reader.
            problems.push(
                Diagnostic::error(relative(root, path), "not-a-file", "This is not an ordinary file (it is a pipe, a device or a broken link), so it was not read.")
                    .help("Replace it with an ordinary text file, or remove it."),
            );
        }
    }
    (paths, problems)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name.starts_with('_') || name.ends_with('~') || name.starts_with('#')
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

fn read_council(root: &Path, path: &Path) -> Result<CouncilFile, Diagnostic> {
    let rel = relative(root, path);
    let bytes = read_bytes(root, path, &rel)?;
    parse_council(&rel, &bytes)
}

/// Parses one council settings file's bytes; `rel` is its path in the content folder.
pub fn parse_council(rel: &Path, bytes: &[u8]) -> Result<CouncilFile, Diagnostic> {
    let rel = rel.to_path_buf();
    let text = decode_text(bytes, &rel)?;
    let id = stem(&rel);
    if !is_safe_id(&id) {
        return Err(Diagnostic::error(&rel, "council-file-name", format!("The council file name \"{id}\" cannot be used as a web address.")).help(
            "Rename the file using only lower case letters, digits and hyphens, such as west-moor.yaml.",
        ));
    }
    let source = SourceFile::whole_yaml(rel, text);
    let mut data = parse_yaml(&source)?;
    clean_strings(&mut data);
    Ok(CouncilFile { id, source, data })
}

/// Whether a file `load` would read as a listing sits at `path` inside `root`: Markdown
/// under `enterprises/`, no hidden or editor-leftover part, not a link. The preview reads
/// such a file again on its own after a save; anything else makes it read everything.
pub fn is_listing_path(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root.join("enterprises")) else {
        return false;
    };
    let markdown = rel
        .extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "md" | "markdown"));
    markdown
        && !rel.components().any(|c| is_hidden(c.as_os_str()))
        && !std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Whether a changed file is one no build reads: anything hidden or an editor's leftover,
/// and anything in `enterprises/` that is neither a listing nor a photo (such as the
/// temporary file an editor writes before renaming it over the listing). The preview need
/// not rebuild for it.
pub fn is_ignored_path(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    if rel.components().any(|c| is_hidden(c.as_os_str())) {
        return true;
    }
    let in_listings = rel.starts_with("enterprises");
    let ext = rel
        .extension()
        .and_then(|x| x.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let read = matches!(
        ext.as_str(),
        "md" | "markdown" | "jpg" | "jpeg" | "png" | "webp"
    );
    in_listings && !read && !path.is_dir()
}

/// Reads one listing file, as `load` reads each.
pub fn read_listing(root: &Path, path: &Path) -> Result<ListingFile, Diagnostic> {
    let rel = relative(root, path);
    let bytes = read_bytes(root, path, &rel)?;
    parse_listing(&rel, &bytes)
}

/// Parses one listing file's bytes; `rel` is its path in the content folder.
pub fn parse_listing(rel: &Path, bytes: &[u8]) -> Result<ListingFile, Diagnostic> {
    let rel = rel.to_path_buf();
    let text = decode_text(bytes, &rel)?;
    let slug = slugify(&stem(&rel));
    if slug.is_empty() {
        return Err(Diagnostic::error(
            &rel,
            "file-name",
            "This file name has no letters or digits, so it cannot become a web address.",
        )
        .help("Rename the file after the enterprise, such as quantock-kindly-hands.md."));
    }
    if slug.len() > MAX_SLUG_LEN {
        return Err(Diagnostic::error(
            &rel,
            "file-name",
            format!("This file name is {} characters long; it becomes the listing's web address, which may be at most {MAX_SLUG_LEN}.", slug.len()),
        )
        .help("Rename the file to the enterprise's name in a few words, such as quantock-kindly-hands.md."));
    }
    let (source, body_start) =
        SourceFile::with_front_matter(rel.clone(), text).map_err(|p| fence_problem(&rel, p))?;
    let mut data = parse_yaml(&source)?;
    clean_strings(&mut data);
    let body = clean_text(&source.text[body_start..]);
    let body_line = source.text[..body_start].matches('\n').count() + 1;
    Ok(ListingFile {
        slug,
        source,
        data,
        body,
        body_line,
    })
}

/// Whether a character has no place in published text: control characters (but line
/// breaks and tabs), and the invisible marks that reorder or hide text (bidirectional
/// overrides, embeddings and isolates, zero-width spaces). An override in a name would
/// turn the page's title and every list it appears in backwards; a control character
/// makes the XML feeds unreadable.
pub fn is_unwanted_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}' | '\u{FFF9}'..='\u{FFFB}')
}

/// `text` without [unwanted characters](is_unwanted_char).
pub fn clean_text(text: &str) -> String {
    if text.chars().any(is_unwanted_char) {
        text.chars().filter(|c| !is_unwanted_char(*c)).collect()
    } else {
        text.to_string()
    }
}

/// Removes [unwanted characters](is_unwanted_char) from every text in a file's details, once,
/// so that no page, feed or index made from them can carry one.
fn clean_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) if s.chars().any(is_unwanted_char) => *s = clean_text(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(clean_strings),
        serde_json::Value::Object(map) => map.values_mut().for_each(clean_strings),
        _ => {}
    }
}

fn fence_problem(rel: &Path, problem: FenceProblem) -> Diagnostic {
    match problem {
        FenceProblem::Empty => Diagnostic::error(rel, "empty-file", "This file is empty.")
            .help("Add the listing's details between two lines of three hyphens (---), then its description below. `carepages new \"Name\" --council ID` writes a starting point."),
        FenceProblem::NoOpening => Diagnostic::error(rel, "no-front-matter", "The listing's details must start on the first line with a line of three hyphens (---).")
            .help("Put a line with just --- at the very top, then the details (name:, summary: ...), then another --- line, then the description."),
        FenceProblem::NoClosing => Diagnostic::error(rel, "front-matter-not-closed", "The details at the top are never closed by a line of three hyphens (---).")
            .at(1, 1)
            .help("Add a line with just --- after the last detail (such as consent:) and before the description."),
    }
}

/// Reads a content file's bytes: only an ordinary file inside the content folder and
/// within the size limit, and each checked before a byte of it is read.
fn read_bytes(root: &Path, path: &Path, rel: &Path) -> Result<Vec<u8>, Diagnostic> {
    files::read_inside(root, path, MAX_FILE_BYTES).map_err(|why| refused(rel, &why))
}

/// The message for a content file that was not read: it names the file and never shows
/// what it holds.
pub fn refused(rel: &Path, why: &files::Refusal) -> Diagnostic {
    let (code, help) = match why {
        files::Refusal::Outside => ("symlink-outside", "Copy the file into the content folder instead of linking to it."),
        files::Refusal::NotAFile => ("not-a-file", "Replace it with an ordinary text file, or remove it."),
        files::Refusal::TooLarge { .. } => ("file-too-large", "A listing is a page of text. Move photos and documents out of it, and shorten the description."),
        files::Refusal::Missing | files::Refusal::Unreadable(_) => ("unreadable", "Check that the file exists and that you are allowed to read it."),
    };
    Diagnostic::error(rel, code, format!("This file was not read: {why}.")).help(help)
}

/// Decodes UTF-8 text, dropping a byte-order mark and making line endings `\n`.
fn decode_text(bytes: &[u8], rel: &Path) -> Result<String, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(rel, bytes, e))?;
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    })
}

fn not_utf8(rel: &Path, bytes: &[u8], e: std::str::Utf8Error) -> Diagnostic {
    let at = e.valid_up_to();
    let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
    let column = at
        - bytes[..at]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    let bad = bytes[at];
    let hint = match bad {
        0xA3 => " It looks like a pound sign (£) saved by a Windows program.",
        0x92 | 0x91 => " It looks like a curly apostrophe saved by a Windows program.",
        0x93 | 0x94 => " It looks like curly quotes saved by a Windows program.",
        0x96 | 0x97 => " It looks like a long dash saved by a Windows program.",
        0xE9 | 0xE8 => " It looks like an accented letter saved by a Windows program.",
        _ => "",
    };
    Diagnostic::error(rel, "not-utf8", format!("This file has a character that is not valid UTF-8 text (byte 0x{bad:02X}).{hint}"))
        .at(line, column)
        .help("The file was probably saved as Windows-1252 (\"ANSI\"). Open it in your editor and save it again with the UTF-8 encoding, or retype the character.")
}

/// Parses a file's YAML into a JSON value for the schema, with a located message when the
/// YAML itself is broken.
fn parse_yaml(source: &SourceFile) -> Result<serde_json::Value, Diagnostic> {
    use serde::de::DeserializeSeed;
    let shape = |message: &str| {
        Diagnostic::error(&source.path, "yaml-shape", message)
            .at(source.yaml_first_line, 1)
            .help("Field names must be plain words followed by a colon, such as name: or summary:.")
    };
    check_size(source)?;
    let deserializer = serde_yaml::Deserializer::from_str(source.yaml_text());
    let json = match yaml_json::Json.deserialize(deserializer) {
        Ok(json) => json,
        Err(e) => {
            let raw = e.to_string();
            return Err(match raw.split_once(yaml_json::SHAPE) {
                Some((_, message)) => shape(message.split(" at line ").next().unwrap_or(message)),
                None => yaml_error(source, &e),
            });
        }
    };
    let (values, widest) = count_values(&json);
    if values > MAX_VALUES || widest > MAX_FIELDS {
        return Err(Diagnostic::error(&source.path, "too-many-fields", format!(
            "The details have {values} values, and {widest} fields in one group; at most {MAX_VALUES} values, and {MAX_FIELDS} fields in a group, are read."))
            .at(source.yaml_first_line, 1)
            .help("A listing or a council's settings need a few dozen fields. Remove the fields that are not in the example listing."));
    }
    if json.is_null() {
        return Err(Diagnostic::error(&source.path, "empty-front-matter", "There are no details in this file.")
            .at(source.yaml_first_line, 1)
            .help("Fill in at least name, summary, councils, support_types, who_for, service_area and contact."));
    }
    Ok(json)
}

/// The deepest `[ ]` and `{ }` lists may nest. The YAML reader takes time that grows with
/// the square of this depth (200 KB of `[` took a minute), and real details nest two or
/// three deep.
const MAX_NESTING: usize = 32;
/// The most values (texts, numbers, lists, groups) read from one file's details, and the
/// most fields in one group. The example listing has about 80 values; checking a file's
/// fields against the schema takes time that grows faster than their number.
const MAX_VALUES: usize = 5_000;
const MAX_FIELDS: usize = 200;

/// Refuses details whose brackets nest too deeply, before the YAML reader sees them. Every
/// bracket counts, even inside quotes: no real listing nests more than a few.
fn check_size(source: &SourceFile) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    let mut line = 1;
    for b in source.yaml_text().bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    let (line, _) = source.file_position(line, 1);
                    return Err(Diagnostic::error(&source.path, "too-deep", format!(
                        "Lists in [square brackets] or groups in {{curly brackets}} are nested more than {MAX_NESTING} deep here."))
                        .at(line, 1)
                        .help("Write the details as plain fields and lists, as in the example listing; check for brackets that are opened but never closed."));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => line += 1,
            _ => {}
        }
    }
    Ok(())
}

/// How many values `json` holds in all, and the most fields in one group.
fn count_values(json: &serde_json::Value) -> (usize, usize) {
    let mut values = 0;
    let mut widest = 0;
    let mut stack = vec![json];
    while let Some(v) = stack.pop() {
        values += 1;
        match v {
            serde_json::Value::Array(items) => stack.extend(items),
            serde_json::Value::Object(map) => {
                widest = widest.max(map.len());
                stack.extend(map.values());
            }
            _ => {}
        }
    }
    (values, widest)
}

/// Front matter read straight into JSON, the shape the schema checks, with no YAML value
/// in between (making one and converting it was a fifth of reading a listing). It keeps
/// what serde_yaml's own values do: a repeated field is an error, a number or true/false
/// used as a field name becomes text, and a `!tag` is dropped for its value.
mod yaml_json {
    use serde::de::{self, DeserializeSeed, Visitor};
    use serde_json::Value;
    use std::fmt;

    /// Marks an error that is about the shape of the front matter, not its YAML syntax.
    pub const SHAPE: &str = "carepages-shape: ";

    fn shape<E: de::Error>(message: &str) -> E {
        E::custom(format_args!("{SHAPE}{message}"))
    }

    pub struct Json;

    impl<'de> DeserializeSeed<'de> for Json {
        type Value = Value;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(Json)
        }
    }

    impl<'de> Visitor<'de> for Json {
        type Value = Value;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("any YAML value")
        }
        fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
            Ok(Value::Bool(b))
        }
        fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
            Ok(Value::from(i))
        }
        fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
            Ok(Value::from(u))
        }
        fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
            serde_json::Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| shape("A number here is not a real number (such as .nan or .inf)."))
        }
        fn visit_str<E>(self, s: &str) -> Result<Value, E> {
            Ok(Value::String(s.to_owned()))
        }
        fn visit_string<E>(self, s: String) -> Result<Value, E> {
            Ok(Value::String(s))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(Json)
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(item) = seq.next_element_seed(Json)? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = serde_json::Map::new();
            while let Some(key) = map.next_key_seed(Key)? {
                let value = map.next_value_seed(Json)?;
                if out.contains_key(&key) {
                    return Err(de::Error::custom(format_args!(
                        "duplicate entry with key {key:?}"
                    )));
                }
                out.insert(key, value);
            }
            Ok(Value::Object(out))
        }
        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
            let (_tag, value) = data.variant::<String>()?;
            de::VariantAccess::newtype_variant_seed(value, Json)
        }
    }

    /// A field name: text, or a number or true/false written as one.
    struct Key;

    impl<'de> DeserializeSeed<'de> for Key {
        type Value = String;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
            d.deserialize_any(Key)
        }
    }

    impl<'de> Visitor<'de> for Key {
        type Value = String;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a field name")
        }
        fn visit_str<E>(self, s: &str) -> Result<String, E> {
            Ok(s.to_owned())
        }
        fn visit_string<E>(self, s: String) -> Result<String, E> {
            Ok(s)
        }
        fn visit_bool<E>(self, b: bool) -> Result<String, E> {
            Ok(b.to_string())
        }
        fn visit_i64<E>(self, i: i64) -> Result<String, E> {
            Ok(serde_yaml::Number::from(i).to_string())
        }
        fn visit_u64<E>(self, u: u64) -> Result<String, E> {
            Ok(serde_yaml::Number::from(u).to_string())
        }
        fn visit_f64<E>(self, f: f64) -> Result<String, E> {
            Ok(serde_yaml::Number::from(f).to_string())
        }
        fn visit_unit<E: de::Error>(self) -> Result<String, E> {
            Err(not_text())
        }
        fn visit_none<E: de::Error>(self) -> Result<String, E> {
            Err(not_text())
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<String, A::Error> {
            Err(not_text())
        }
        fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<String, A::Error> {
            Err(not_text())
        }
        fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<String, A::Error> {
            Err(not_text())
        }
    }

    fn not_text<E: de::Error>() -> E {
        shape("A field name here is not plain text.")
    }
}

fn yaml_error(source: &SourceFile, e: &serde_yaml::Error) -> Diagnostic {
    let raw = e.to_string();
    let mut at = e.location().map(|l| (l.line(), l.column()));
    let text_line = |yaml_line: usize| {
        source
            .yaml_text()
            .lines()
            .nth(yaml_line.saturating_sub(1))
            .unwrap_or("")
    };
    let detail = raw.split(" at line ").next().unwrap_or(&raw).to_string();
    let squeezed = missing_space_after_colon(source.yaml_text(), at.map_or(usize::MAX, |(l, _)| l));
    let (message, help) = if let Some((line, column, field)) = squeezed {
        // `name:Sam` reads as one word, so the parser trips later, on a line that is fine.
        at = Some((line, column));
        (
            format!("There is no space after the colon in `{field}:`."),
            format!("Put a space after the colon, such as `{field}: ...`."),
        )
    } else if raw.contains("duplicate entry") {
        at = duplicate_key_position(source).or(at);
        (
            format!("A field appears twice ({detail})."),
            "Keep one of the two lines and delete the other.".to_string(),
        )
    } else if at.is_some_and(|(line, _)| text_line(line).contains('\t')) {
        (
            "This line is indented with a tab; the details must be indented with spaces."
                .to_string(),
            "Replace the tab at the start of the line with two spaces.".to_string(),
        )
    } else if raw.contains("recursion limit") || raw.contains("repetition limit") {
        (
            "The details are nested or repeated too deeply to be a listing.".to_string(),
            "Write the details as plain fields and lists, as in the example listing; anchors (&) and aliases (*) are not needed.".to_string(),
        )
    } else if let Some(opened) =
        unclosed_quote(source.yaml_text(), at.map_or(usize::MAX, |(l, _)| l))
    {
        // A quote left open swallows the lines after it, so the parser trips over a later
        // line; the place to fix is where the quote opened.
        at = Some(opened);
        (
            "A quotation mark is opened here but never closed.".to_string(),
            "Add the closing quotation mark at the end of the value, on the same line.".to_string(),
        )
    } else if raw.contains("while scanning a quoted scalar") {
        at = context_position(&raw).or(at);
        (
            "A quotation mark is opened here but never closed.".to_string(),
            "Add the closing quotation mark at the end of the value, on the same line.".to_string(),
        )
    } else if raw.contains("while parsing a flow sequence") {
        at = context_position(&raw).or(at);
        (
            "A list in [square brackets] starts here but is not closed.".to_string(),
            "Add the closing ] at the end of the list, and separate the values with commas."
                .to_string(),
        )
    } else if raw.contains("while parsing a flow mapping") {
        at = context_position(&raw).or(at);
        (
            "A group in {curly brackets} starting here could not be read.".to_string(),
            "Check that it ends with }, that its fields are separated by commas, and that any value containing a colon (:) is in double quotes, such as description: \"Note: minimum one hour\".".to_string(),
        )
    } else if raw.contains("mapping values are not allowed")
        && at.is_some_and(|(l, _)| looks_misaligned(source.yaml_text(), l))
    {
        (
            "This line is not lined up with the details around it.".to_string(),
            "Fields at the same level must start in the same column: indent with spaces (two per level) only under a field that ends with a colon.".to_string(),
        )
    } else if raw.contains("mapping values are not allowed") {
        (
            "There is a colon (:) inside a value.".to_string(),
            "Put the whole value in double quotes, such as summary: \"Help at home: cleaning and shopping\".".to_string(),
        )
    } else if at.is_some_and(|(line, _)| text_after_closing_quote(text_line(line))) {
        (
            "There is more text after the closing quotation mark.".to_string(),
            "Put the whole value inside the quotation marks, such as name: \"Kindly Hands Home Help\".".to_string(),
        )
    } else if raw.contains("did not find expected key") || raw.contains("did not find expected '-'")
    {
        (
            "This line is not lined up with the details around it.".to_string(),
            "Fields at the same level must start in the same column: indent with spaces (two per level), never tabs. A value containing a colon (:) must be in double quotes.".to_string(),
        )
    } else {
        (
            format!("The details could not be read: {detail}."),
            "Check this line and the one above it: each detail is `field: value`, lists are in [square brackets] or lines starting with -, and text containing a colon (:) or # must be in double quotes.".to_string(),
        )
    };
    let (line, column) = at
        .map(|(l, c)| source.file_position(l, c))
        .unwrap_or((source.yaml_first_line, 1));
    Diagnostic::error(&source.path, "yaml-syntax", message)
        .at(line, column)
        .help(help)
}

/// The first line, up to `last_line`, that starts like a field but has no space after
/// its colon (`name:Sam`), with the column of the colon and the field's name. Lines inside
/// a block of text (after `|` or `>`) are not fields and are skipped.
fn missing_space_after_colon(yaml: &str, last_line: usize) -> Option<(usize, usize, String)> {
    let mut block_indent: Option<usize> = None;
    for (i, line) in yaml.lines().enumerate().take(last_line) {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim_start();
        if let Some(block) = block_indent {
            if text.is_empty() || indent > block {
                continue;
            }
            block_indent = None;
        }
        let text_after_dash = text.strip_prefix("- ").unwrap_or(text);
        let key_len = text_after_dash
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text_after_dash.len());
        let rest = &text_after_dash[key_len..];
        if key_len > 0 && rest.starts_with(':') {
            let after = &rest[1..];
            let value = after.trim();
            if value.starts_with('|') || value.starts_with('>') {
                block_indent = Some(indent);
            }
            if after.chars().next().is_some_and(|c| !c.is_whitespace()) {
                let column = line.len() - rest.len() + 1;
                return Some((i + 1, column, text_after_dash[..key_len].to_string()));
            }
        }
    }
    None
}

/// Whether a `field: "quoted value"` line has more text after the closing quote, as when
/// a word is typed after a name that was already in quotes.
fn text_after_closing_quote(line: &str) -> bool {
    let Some((_, value)) = line.split_once(':') else {
        return false;
    };
    let value = value.trim_start();
    let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return false;
    };
    let rest = &value[1..];
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' && quote == '"' {
            chars.next();
        } else if c == quote {
            // In single quotes, '' is an escaped quote, not the end.
            if quote == '\'' && rest[i + 1..].starts_with('\'') {
                chars.next();
                continue;
            }
            let after = rest[i + 1..].trim();
            return !after.is_empty() && !after.starts_with('#');
        }
    }
    false
}

/// Whether YAML line `line` is an indented `field:` under a line that cannot hold fields.
fn looks_misaligned(yaml: &str, line: usize) -> bool {
    let lines: Vec<&str> = yaml.lines().collect();
    let Some(this) = lines.get(line.saturating_sub(1)) else {
        return false;
    };
    let indented = this.starts_with(' ');
    let is_field = this
        .trim_start()
        .split_once(':')
        .is_some_and(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_'));
    let above = lines[..line.saturating_sub(1)]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty());
    indented && is_field && above.is_some_and(|a| !a.trim_end().ends_with(':'))
}

/// The "while scanning ... at line N column M" part of a YAML error: where the unclosed
/// thing began, which is where the author needs to look.
fn context_position(raw: &str) -> Option<(usize, usize)> {
    let tail = raw.split(", while ").nth(1)?;
    let rest = tail.split(" at line ").nth(1)?;
    let mut words = rest.split_whitespace();
    let line = words.next()?.parse().ok()?;
    let column = words
        .nth(1)?
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()?;
    Some((line, column))
}

/// The first line, up to `last_line`, whose value opens a double quote and does not close
/// it on the same line.
fn unclosed_quote(yaml: &str, last_line: usize) -> Option<(usize, usize)> {
    for (i, line) in yaml.lines().enumerate().take(last_line) {
        let value_start = line.find(": \"").map(|p| p + 2).or_else(|| {
            line.trim_start()
                .starts_with("- \"")
                .then(|| line.find("- \"").map(|p| p + 2))
                .flatten()
        });
        let Some(start) = value_start else { continue };
        let rest = &line[start + 1..];
        let mut escaped = false;
        let closed = rest.chars().any(|c| {
            let close = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            close
        });
        if !closed {
            return Some((i + 1, line[..start].chars().count() + 1));
        }
    }
    None
}

/// Where the second copy of a repeated field is, which serde_yaml does not say.
fn duplicate_key_position(source: &SourceFile) -> Option<(usize, usize)> {
    let options = marked_yaml::LoaderOptions::default().error_on_duplicate_keys(true);
    match marked_yaml::parse_yaml_with_options(0, source.yaml_text(), options) {
        Err(marked_yaml::LoadError::DuplicateKey(inner)) => {
            let m = inner.key.span().start()?;
            Some((m.line(), m.column()))
        }
        _ => None,
    }
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
}

/// Makes a file name into a URL-safe slug: lower case ASCII letters, digits and single
/// hyphens. Accented letters lose their accents rather than vanish where that is simple.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        let c = match c {
            'à'..='å' | 'À'..='Å' => 'a',
            'è'..='ë' | 'È'..='Ë' => 'e',
            'ì'..='ï' | 'Ì'..='Ï' => 'i',
            'ŵ' | 'Ŵ' => 'w',
            'ò'..='ö' | 'Ò'..='Ö' => 'o',
            'ù'..='ü' | 'Ù'..='Ü' => 'u',
            'ŷ' | 'ý' | 'ÿ' => 'y',
            'ç' | 'Ç' => 'c',
            'ñ' | 'Ñ' => 'n',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front(yaml: &str) -> Result<serde_json::Value, Diagnostic> {
        let text = format!("---\n{yaml}---\nBody\n");
        let (source, _) =
            SourceFile::with_front_matter(PathBuf::from("enterprises/x.md"), text).expect("fences");
        parse_yaml(&source)
    }

    #[test]
    fn front_matter_becomes_json_as_yaml_values_would() {
        let json = front(
            "name: Kindly Hands\ncount: 3\nbig: 18446744073709551615\nprice: 12.5\nok: true\n\
             none: ~\nlist: [a, b]\n1: one\ntrue: yes-key\nbase: &b {x: 1}\ncopy: *b\n\
             tagged: !custom value\n",
        )
        .expect("valid");
        assert_eq!(
            json,
            serde_json::json!({
                "name": "Kindly Hands", "count": 3, "big": 18446744073709551615u64,
                "price": 12.5, "ok": true, "none": null, "list": ["a", "b"], "1": "one",
                "true": "yes-key", "base": {"x": 1}, "copy": {"x": 1}, "tagged": "value"
            })
        );
    }

    #[test]
    fn odd_front_matter_is_reported_in_plain_words() {
        let code = |yaml: &str| front(yaml).expect_err(yaml).code;
        assert_eq!(code("price: .nan\n"), "yaml-shape");
        assert_eq!(code("[a, b]: x\n"), "yaml-shape");
        assert_eq!(code("~: x\n"), "yaml-shape");
        assert_eq!(code(""), "empty-front-matter");
        assert_eq!(code("~\n"), "empty-front-matter");
        let twice = front("name: A\nsummary: B\nname: C\n").expect_err("duplicate");
        assert!(twice.message.contains("name"), "{}", twice.message);
        assert_eq!(
            twice.line, 4,
            "the second name, on the file's fourth line: {twice:?}"
        );
    }

    #[test]
    fn slugs_are_safe_for_urls_and_paths() {
        assert_eq!(slugify("Quantock Kindly Hands"), "quantock-kindly-hands");
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("Siân's Café"), "sian-s-cafe");
        assert_eq!(slugify("..."), "");
    }

    #[test]
    fn explains_a_windows_pound_sign() {
        let bytes = b"---\nname: A\ncost: \xA320\n---\n";
        let err = std::str::from_utf8(std::hint::black_box(bytes)).expect_err("not utf-8");
        let d = not_utf8(Path::new("a.md"), bytes, err);
        assert_eq!((d.line, d.column), (3, 7));
        assert!(d.message.contains("pound sign"), "{}", d.message);
    }

    fn yaml_problem(yaml: &str) -> Diagnostic {
        let (source, _) = SourceFile::with_front_matter("a.md".into(), format!("---\n{yaml}---\n"))
            .expect("fences");
        parse_yaml(&source).expect_err("broken yaml")
    }

    #[test]
    fn an_unclosed_quote_points_where_it_opens() {
        let d = yaml_problem("name: A\nsummary: \"never closed\nconsent: {publish: true}\n");
        assert_eq!((d.code, d.line, d.column), ("yaml-syntax", 3, 10));
        assert!(d.message.contains("never closed"), "{}", d.message);
    }

    #[test]
    fn an_unclosed_quote_that_swallows_later_lines_is_found() {
        let d = yaml_problem(
            "name: A\nsummary: \"never closed\ncouncils: [x]\ncontact:\n  phone: \"0123\"\n",
        );
        assert_eq!((d.line, d.column), (3, 10), "{d:?}");
        assert!(d.message.contains("never closed"), "{}", d.message);
    }

    #[test]
    fn a_repeated_field_points_at_the_second_copy() {
        let d = yaml_problem("name: A\nsummary: x\nname: B\n");
        assert_eq!((d.line, d.column), (4, 1));
        assert!(d.message.contains("appears twice"));
    }

    #[test]
    fn text_after_a_closing_quote_is_explained() {
        let d = yaml_problem("name: \"Kindly Hands\" Edited\nsummary: x\n");
        assert_eq!(d.line, 2, "{d:?}");
        assert!(
            d.message.contains("after the closing quotation mark"),
            "{}",
            d.message
        );
        assert!(text_after_closing_quote("name: 'It''s fine' more"));
        assert!(!text_after_closing_quote("name: 'It''s fine' # a comment"));
        assert!(!text_after_closing_quote("name: \"Say \\\"hi\\\"\""));
        assert!(!text_after_closing_quote("name: plain text"));
    }

    #[test]
    fn a_missing_space_after_a_colon_is_shown_where_it_is() {
        let d = yaml_problem("name:Sam's Help\nsummary: Friendly help.\ncouncils: [x]\n");
        assert_eq!((d.line, d.column), (2, 5), "{d:?}");
        assert!(
            d.message.contains("no space after the colon in `name:`"),
            "{}",
            d.message
        );
        // Text in a block may hold anything.
        assert_eq!(
            missing_space_after_colon("notes: |\n  time:10\nname: A\n", 9),
            None
        );
    }

    #[test]
    fn a_tab_is_explained() {
        let d = yaml_problem("contact:\n\tphone: x\n");
        assert!(d.message.contains("tab"), "{}", d.message);
        assert_eq!(d.line, 3);
    }
}
