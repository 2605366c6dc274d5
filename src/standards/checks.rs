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
        } else if !photo.people_consented {
            let path = [key("photo"), key("people_consented")];
            let (line, col) = source.locate(&path, false);
            out.push(
                Diagnostic::warning(&source.path, "photo-consent", "The photo is not published: it does not say that the people in it agreed.")
                    .field(dotted(&path))
                    .at(line, col)
                    .help("Once everyone in the photo has agreed to it being published, add `people_consented: true` to `photo:`."),
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
    if let Err(why) = crate::render::photos::dimensions(&full) {
        return Some((
            "photo-unreadable",
            format!("The photo `{file}` cannot be used: {why}."),
            "Save the photo as a JPEG, PNG or WebP file of at most 20 MB, then try again.".into(),
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

/// Words a volunteer might write that would publish someone's home or a private
/// reference. Each is a warning with a fix: the council decides.
mod privacy {
    use regex::Regex;
    use std::sync::LazyLock;

    pub static FULL_POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][ABD-HJLNP-UW-Z]{2}\b")
            .expect("postcode pattern")
    });
    pub static HOUSE_AND_STREET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b\d{1,4}[a-zA-Z]?,?\s+(?:[A-Z][a-z']+\s+){1,3}(?:Road|Street|Lane|Avenue|Close|Drive|Way|Crescent|Gardens|Terrace|Place|Court|Grove|Rise|Mews|Row|Walk|Square|Rd|St|Ave)\b")
            .expect("address pattern")
    });
    pub static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:DBS|certificate|cert|policy|insurance)\b[^.\n]{0,30}?\b(?:no\.?|number|ref(?:erence)?|#)?\s*:?\s*[A-Z]{0,4}[-/]?\d{6,}\b|\b\d{12}\b")
            .expect("reference pattern")
    });
}

/// Privacy warnings for one listing's text fields and body.
pub fn check_privacy(
    source: &SourceFile,
    front: &FrontMatter,
    body: &str,
    body_line: usize,
    out: &mut Vec<Diagnostic>,
) {
    let mut fields: Vec<(Vec<PathStep>, &str)> = vec![
        (vec![key("name")], front.name.as_str()),
        (vec![key("summary")], front.summary.as_str()),
    ];
    for (i, c) in front.cost.iter().enumerate() {
        if let Some(d) = &c.description {
            fields.push((vec![key("cost"), PathStep::Index(i), key("description")], d));
        }
    }
    if let Some(alt) = front.photo.as_ref().map(|p| p.alt.as_str()) {
        fields.push((vec![key("photo"), key("alt")], alt));
    }
    for (path, text) in &fields {
        if let Some(w) = privacy_problem(text) {
            let (line, col) = source.locate(path, false);
            out.push(
                Diagnostic::warning(&source.path, w.0, w.1)
                    .field(dotted(path))
                    .at(line, col)
                    .help(w.2),
            );
        }
    }
    for (i, text) in body.lines().enumerate() {
        if let Some(w) = privacy_problem(text) {
            out.push(
                Diagnostic::warning(&source.path, w.0, w.1)
                    .at(body_line + i, 1)
                    .help(w.2),
            );
        }
    }
    if let Some(name) = &front.contact.first_name {
        if name.split_whitespace().count() > 1 {
            let path = [key("contact"), key("first_name")];
            let (line, col) = source.locate(&path, false);
            out.push(
                Diagnostic::warning(&source.path, "privacy-full-name", format!("`{name}` looks like more than a first name."))
                    .field(dotted(&path))
                    .at(line, col)
                    .help("Publish the contact's first name only, such as Sam, so they cannot be traced at home."),
            );
        }
    }
}

fn privacy_problem(text: &str) -> Option<(&'static str, String, &'static str)> {
    // Every pattern needs a digit (`\d` is any Unicode digit): most lines of a description
    // have none, and are passed over without running the patterns. Bytes are scanned
    // first; characters are decoded only for text that is not all ASCII.
    let has_digit = text.bytes().any(|b| b.is_ascii_digit())
        || (!text.is_ascii() && text.chars().any(char::is_numeric));
    if !has_digit {
        return None;
    }
    if let Some(m) = privacy::FULL_POSTCODE.find(text) {
        return Some((
            "privacy-postcode",
            format!("`{}` looks like a full postcode.", m.as_str()),
            "Publish only the postcode district (the first half, such as TA4), never a full postcode: it can point to someone's home.",
        ));
    }
    if let Some(m) = privacy::HOUSE_AND_STREET.find(text) {
        return Some((
            "privacy-address",
            format!("`{}` looks like a house number and street.", m.as_str()),
            "Describe where the enterprise works by town or postcode district. Only a public venue that is not a home may have an address.",
        ));
    }
    if let Some(m) = privacy::REFERENCE.find(text) {
        return Some((
            "privacy-reference",
            format!("`{}` looks like a DBS certificate or insurance policy number.", m.as_str()),
            "Never publish certificate or policy numbers. The council keeps the evidence; the listing only needs the dates.",
        ));
    }
    None
}

#[cfg(test)]
mod privacy_tests {
    use super::privacy_problem;

    #[test]
    fn spots_homes_and_private_numbers() {
        let code = |t: &str| privacy_problem(t).map(|p| p.0);
        assert_eq!(code("Come and see us at TA4 2PQ"), Some("privacy-postcode"));
        assert_eq!(
            code("find me at 12 Mill Lane, Williton"),
            Some("privacy-address")
        );
        assert_eq!(
            code("DBS certificate number 001234567890"),
            Some("privacy-reference")
        );
        assert_eq!(
            code("Insurance policy no: POL-7731234"),
            Some("privacy-reference")
        );
        assert_eq!(
            code("We cover TA4 and TA23, 7 days a week, from £18 an hour"),
            None
        );
        assert_eq!(code("Open 9 to 5 Monday to Friday"), None);
    }

    #[test]
    fn digits_in_other_scripts_are_still_checked() {
        // "١٢ Mill Lane" with Arabic-Indic digits: `\d` matches them, so the check must run.
        assert_eq!(
            privacy_problem("find me at \u{661}\u{662} Mill Lane, Williton").map(|p| p.0),
            Some("privacy-address")
        );
        assert_eq!(
            privacy_problem("Friendly help at home, with no numbers"),
            None
        );
    }
}
