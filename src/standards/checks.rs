//! Checks a JSON Schema cannot express: UK phone numbers and photo files that must exist
//! inside the content folder.

use crate::content::{dotted, FrontMatter, PathStep, SourceFile};
use crate::diagnostic::Diagnostic;
use std::path::{Component, Path};

fn key(k: &str) -> PathStep {
    PathStep::Key(k.to_string())
}

/// A UK phone number: 10 or 11 digits starting 0 (01, 02, 03, 05, 07, 08), or the same
/// after +44 without its 0.
pub fn is_uk_phone(phone: &str) -> bool {
    let compact: String = phone
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let national = if let Some(rest) = compact.strip_prefix("+44") {
        format!("0{}", rest.strip_prefix('0').unwrap_or(rest))
    } else {
        compact
    };
    national.chars().all(|c| c.is_ascii_digit())
        && (national.len() == 10 || national.len() == 11)
        && national.starts_with('0')
        && matches!(
            national.as_bytes().get(1),
            Some(b'1' | b'2' | b'3' | b'5' | b'7' | b'8')
        )
}

pub fn check_listing(
    source: &SourceFile,
    front: &FrontMatter,
    content_root: &Path,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(phone) = &front.contact.phone {
        if !is_uk_phone(phone) {
            let path = [key("contact"), key("phone")];
            let (line, col) = source.locate(&path, false);
            out.push(
                Diagnostic::error(&source.path, "invalid-phone", format!("`{phone}` is not a UK phone number."))
                    .field(dotted(&path))
                    .at(line, col)
                    .help("Write the whole number with its area code, in double quotes, such as \"01823 555012\" or \"07700 900123\"."),
            );
        }
    }
    if let Some(photo) = &front.photo {
        let path = [key("photo"), key("file")];
        let (line, col) = source.locate(&path, false);
        let problem = photo_problem(&photo.file, source, content_root);
        if let Some((code, message, help)) = problem {
            out.push(
                Diagnostic::error(&source.path, code, message)
                    .field(dotted(&path))
                    .at(line, col)
                    .help(help),
            );
        }
    }
}

fn photo_problem(
    file: &str,
    source: &SourceFile,
    content_root: &Path,
) -> Option<(&'static str, String, String)> {
    let rel = Path::new(file);
    let climbs = rel.is_absolute()
        || rel
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if climbs {
        return Some((
            "photo-outside",
            format!("The photo `{file}` is outside the content folder."),
            "Put the photo next to the listing in content/enterprises/ and give just its file name, such as sam-garden.jpg.".into(),
        ));
    }
    let folder = content_root.join(source.path.parent().unwrap_or(Path::new("")));
    let full = folder.join(rel);
    if !full.is_file() {
        return Some((
            "photo-missing",
            format!("The photo `{file}` is not in {}.", folder.display()),
            "Add the photo file beside the listing, or check the spelling of its name (capital letters matter).".into(),
        ));
    }
    let inside = match (full.canonicalize(), content_root.canonicalize()) {
        (Ok(f), Ok(root)) => f.starts_with(root),
        _ => false,
    };
    if !inside {
        return Some((
            "photo-outside",
            format!("The photo `{file}` links to a file outside the content folder."),
            "Copy the photo itself into content/enterprises/ instead of linking to it.".into(),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_phone_numbers() {
        for ok in [
            "07700 900123",
            "01823 555012",
            "(01823) 555012",
            "+44 7700 900123",
            "+44 (0)1823 555012",
            "0300 123 4567",
            "020 7946 0000",
        ] {
            assert!(is_uk_phone(ok), "{ok}");
        }
        for bad in [
            "555 1234",
            "07700 9001",
            "+1 212 555 0100",
            "09876 543210",
            "07700 900123 ext 2",
        ] {
            assert!(!is_uk_phone(bad), "{bad}");
        }
    }
}
