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
    if let Err(why) = crate::content::photos::dimensions(&full) {
        // The image library's reasons start with a capital; here they end a sentence.
        let mut chars = why.chars();
        let why: String = match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => why,
        };
        return Some((
            "photo-unreadable",
            format!("The photo `{file}` cannot be used: {why}."),
            "Save the photo as a JPEG, PNG or WebP file of at most 20 MB, then try again.".into(),
        ));
    }
    None
}

/// How long a paused listing may go unchecked before finders are likely to mark it unusable.
const PAUSED_LONG_DAYS: i64 = 90;

/// What makes a published listing weak in the Open Referral feed that national finders
/// and aggregators read: no email (some finders rate a service without one as unusable),
/// or paused for a long time. A to-do for the council, never a reason to withhold.
pub fn open_data_gaps(
    source: &SourceFile,
    front: &FrontMatter,
    today: time::Date,
    problems: &mut Vec<Diagnostic>,
) {
    let at = |path: &[&str]| {
        let steps: Vec<PathStep> = path.iter().map(|k| PathStep::Key((*k).into())).collect();
        source.locate(&steps, false)
    };
    if front.status == "closed" {
        return;
    }
    if front
        .contact
        .email
        .as_deref()
        .is_none_or(|e| e.trim().is_empty())
    {
        let (line, column) = at(&["contact"]);
        problems.push(
            Diagnostic::warning(
                &source.path,
                "open-data",
                "This listing has no email address. National finders that read the council's open data rate a service without one as hard to use, and some leave it out.",
            )
            .field("contact.email")
            .at(line, column)
            .help("If the enterprise has an email address it is happy to share with customers, add it under contact: as email:. The listing is published either way."),
        );
    }
    if front.status == "paused" {
        let checked = front.review.last_checked.as_deref().and_then(|d| {
            time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).ok()
        });
        if let Some(date) = checked.filter(|d| (today - *d).whole_days() > PAUSED_LONG_DAYS) {
            let (line, column) = at(&["status"]);
            problems.push(
                Diagnostic::warning(
                    &source.path,
                    "open-data",
                    format!("This listing has been paused since at least {date}, when it was last checked. Finders mark services paused for months as unusable."),
                )
                .field("status")
                .at(line, column)
                .help("Ask the enterprise whether it is taking clients again: write status: active, or status: closed if it has stopped."),
            );
        }
    }
}

/// A listing shown on a council site in Welsh that has no Welsh summary yet: shown there in
/// English with a note. A to-do for the council, never a reason to withhold.
pub fn welsh_gaps(
    source: &SourceFile,
    front: &FrontMatter,
    welsh_councils: &[&str],
    problems: &mut Vec<Diagnostic>,
) {
    if welsh_councils.is_empty() || front.status == "closed" {
        return;
    }
    let has_summary = front
        .welsh
        .as_ref()
        .and_then(|w| w.summary.as_deref())
        .is_some_and(|s| !s.trim().is_empty());
    if has_summary {
        return;
    }
    let (line, column) = source.locate(&[PathStep::Key("summary".into())], false);
    problems.push(
        Diagnostic::warning(
            &source.path,
            "welsh-missing",
            format!(
                "This listing has no Welsh summary, so the Welsh site of {} shows it in English, with a note that it is not in Welsh yet.",
                welsh_councils.join(", ")
            ),
        )
        .field("welsh.summary")
        .at(line, column)
        .help("Add the listing's words in Welsh under welsh: (summary: and description:), next to the English. The listing is published either way."),
    );
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

    /// A full postcode in any case, its halves joined by spaces, a hyphen or nothing.
    pub static FULL_POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b[A-Z]{1,2}[0-9][0-9A-Z]? *-? *[0-9][ABD-HJLNP-UW-Z]{2}\b")
            .expect("postcode pattern")
    });

    /// The last word of a UK street name. Only written with a capital (Lane) or in capitals
    /// (LANE), so that "we visit homes on the hill" is not an address.
    const STREET_ENDINGS: &[&str] = &[
        "Road", "Street", "Lane", "Avenue", "Close", "Crescent", "Drive", "Way", "Gardens",
        "Grove", "Terrace", "Place", "Court", "Rise", "Mews", "Row", "Walk", "Square", "Green",
        "Park", "Parade", "Hill", "View", "Rd", "St", "Ave",
    ];

    /// A house number (12, 12a, 12A), then one to three names with capitals or in capitals,
    /// then a street ending: "12 Mill Lane", "3A CHURCH STREET", "7 Tor View".
    pub static HOUSE_AND_STREET: LazyLock<Regex> = LazyLock::new(|| {
        let endings: Vec<String> = STREET_ENDINGS
            .iter()
            .flat_map(|e| [e.to_string(), e.to_uppercase()])
            .collect();
        Regex::new(&format!(
            r"\b\d{{1,4}}[a-zA-Z]?,? +(?:[A-Z][A-Za-z'’-]+ +){{1,3}}(?:{})\b",
            endings.join("|")
        ))
        .expect("address pattern")
    });

    /// A certificate or policy word, then within a few words a number of six or more
    /// digits, perhaps after a short prefix: "Insurance policy no: POL-7731234".
    pub static NAMED_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:DBS|certificate|cert|policy|insurance)\b[^.]{0,30}?\b(?:no\.?|number|ref(?:erence)?|#)?\s*:?\s*[A-Z]{0,4}[-/]?(?P<digits>\d{6,})\b")
            .expect("reference pattern")
    });

    /// Groups of three or more digits joined by single spaces or hyphens, or one long run:
    /// a DBS certificate number is 12 digits, however it is grouped.
    pub static DIGIT_GROUPS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d{3,}(?:[ -]\d{3,})*\b").expect("digit groups pattern"));
}

/// Text as the privacy patterns read it: invisible characters removed, every kind of space
/// and line break a plain space, and dashes a plain hyphen, so that "TA4", a non-breaking
/// space and "2PQ", or "TA4" at the end of one line and "2PQ" on the next, read as one
/// postcode. `origin[i]` is where byte `i` of `text` came from in the original; `None` when
/// every byte stayed where it was (ASCII text, the usual case).
struct Normalised {
    text: String,
    origin: Option<Vec<usize>>,
}

impl Normalised {
    fn new(original: &str) -> Normalised {
        if original.is_ascii() {
            let text = original
                .bytes()
                .map(|b| {
                    if (b as char).is_whitespace() {
                        ' '
                    } else {
                        b as char
                    }
                })
                .collect();
            return Normalised { text, origin: None };
        }
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        for (at, c) in original.char_indices() {
            let c = match c {
                '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => continue,
                '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
                c if c.is_whitespace() => ' ',
                c => c,
            };
            text.push(c);
            origin.extend(std::iter::repeat_n(at, c.len_utf8()));
        }
        Normalised {
            text,
            origin: Some(origin),
        }
    }

    /// Where byte `at` of the normalised text came from in the original.
    fn origin(&self, at: usize) -> usize {
        match &self.origin {
            None => at,
            Some(origin) => origin.get(at).copied().unwrap_or(usize::MAX),
        }
    }
}

/// Every privacy pattern needs a digit (`\d` is any Unicode digit): most fields and many
/// descriptions have none, and are passed over without running the patterns. Bytes are
/// scanned first; characters are decoded only for text that is not all ASCII.
fn has_digit(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
        || (!text.is_ascii() && text.chars().any(char::is_numeric))
}

/// One thing in a text that may identify a home or a private document.
struct PrivacyProblem {
    code: &'static str,
    message: String,
    help: &'static str,
    /// Byte offsets in the original text where it starts and ends.
    start: usize,
    end: usize,
}

/// Everything in `text` that may identify a home or a private document: full postcodes
/// first, then addresses, then certificate and policy numbers, each in the order found.
fn privacy_problems(text: &str) -> Vec<PrivacyProblem> {
    if !has_digit(text) {
        return Vec::new();
    }
    let norm = Normalised::new(text);
    let t = norm.text.as_str();
    let mut found = Vec::new();
    for m in privacy::FULL_POSTCODE.find_iter(t) {
        found.push(PrivacyProblem {
            code: "privacy-postcode",
            message: format!("`{}` looks like a full postcode.", m.as_str()),
            help: "Publish only the postcode district (the first half, such as TA4), never a full postcode: it can point to someone's home.",
            start: norm.origin(m.start()),
            end: norm.origin(m.end()),
        });
    }
    for m in privacy::HOUSE_AND_STREET.find_iter(t) {
        found.push(PrivacyProblem {
            code: "privacy-address",
            message: format!("`{}` looks like a house number and street.", m.as_str()),
            help: "Describe where the enterprise works by town or postcode district. Only a public venue that is not a home may have an address.",
            start: norm.origin(m.start()),
            end: norm.origin(m.end()),
        });
    }
    let mut references: Vec<(usize, &str)> = Vec::new();
    for c in privacy::NAMED_REFERENCE.captures_iter(t) {
        let (Some(all), Some(digits)) = (c.get(0), c.name("digits")) else {
            continue;
        };
        if !is_uk_phone(number_around(t, digits.start(), digits.end())) {
            references.push((all.start(), all.as_str()));
        }
    }
    for m in privacy::DIGIT_GROUPS.find_iter(t) {
        let digits = m
            .as_str()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .count();
        let international = t[..m.start()].ends_with('+');
        let named = references
            .iter()
            .any(|(at, r)| *at <= m.start() && m.end() <= at + r.len());
        if digits == 12 && !international && !named {
            references.push((m.start(), m.as_str()));
        }
    }
    references.sort_by_key(|(at, _)| *at);
    for (at, r) in references {
        found.push(PrivacyProblem {
            code: "privacy-reference",
            message: format!("`{r}` looks like a DBS certificate or insurance policy number."),
            help: "Never publish certificate or policy numbers. The council keeps the evidence; the listing only needs the dates.",
            start: norm.origin(at),
            end: norm.origin(at + r.len()),
        });
    }
    found
}

/// The whole number that the digits at `start..end` of `text` belong to, with the spaces,
/// hyphens, dots and brackets a phone number is written with.
fn number_around(text: &str, start: usize, end: usize) -> &str {
    let part = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '+');
    let from = text[..start]
        .char_indices()
        .rev()
        .take_while(|(_, c)| part(*c))
        .last()
        .map_or(start, |(i, _)| i);
    let to = text[end..]
        .char_indices()
        .find(|(_, c)| !part(*c))
        .map_or(text.len(), |(i, _)| end + i);
    text[from..to].trim_matches(|c: char| matches!(c, ' ' | '-' | '.'))
}

/// The first privacy problem in `text`, for a field that gets at most one warning.
#[cfg(test)]
fn privacy_problem(text: &str) -> Option<(&'static str, String, &'static str)> {
    privacy_problems(text)
        .into_iter()
        .next()
        .map(|p| (p.code, p.message, p.help))
}

/// Privacy warnings for every text in one listing's front matter (`data`, as read from the
/// file, so that a field added to the schema is checked without changing this) and its
/// body. Each field gets at most one warning, and so does each line of the body.
pub fn check_privacy(
    source: &SourceFile,
    data: &serde_json::Value,
    front: &FrontMatter,
    body: &str,
    body_line: usize,
    out: &mut Vec<Diagnostic>,
) {
    let mut texts = Vec::new();
    strings_in(data, &mut Vec::new(), &mut texts);
    for (path, text) in &texts {
        // The listing's own identifier is a UUID, not words anyone reads.
        if matches!(path.as_slice(), [PathStep::Key(k)] if k == "id") {
            continue;
        }
        let (line, col) = source.locate(path, false);
        // Where the text itself starts on its line: after the opening quote, if any.
        let line_text = source
            .text
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or("");
        let quoted = line_text
            .chars()
            .nth(col.saturating_sub(1))
            .is_some_and(|c| c == '"' || c == '\'');
        let on_one_line =
            !text.contains('\n') && line_text.contains(text.lines().next().unwrap_or(""));
        for p in privacy_problems(text) {
            let span = span_chars(text, &p);
            let (at, len) = if on_one_line {
                let before = text.get(..p.start).map_or(0, |t| t.chars().count());
                (col + usize::from(quoted) + before, span)
            } else {
                (col, 0)
            };
            out.push(
                Diagnostic::warning(&source.path, p.code, p.message)
                    .field(dotted(path))
                    .at(line, at)
                    .spanning(len)
                    .help(p.help),
            );
        }
    }
    // Every problem in the description, each where it is on its line.
    for p in privacy_problems(body) {
        let start = p.start.min(body.len());
        let before = &body[..start];
        let line = body_line + before.matches('\n').count();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        let span = span_chars(body, &p);
        out.push(
            Diagnostic::warning(&source.path, p.code, p.message)
                .at(line, column)
                .spanning(span)
                .help(p.help),
        );
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

/// How many characters a problem covers on its first line, for the underline.
fn span_chars(text: &str, p: &PrivacyProblem) -> usize {
    text.get(p.start..p.end.max(p.start))
        .and_then(|t| t.lines().next())
        .map_or(0, |t| t.chars().count())
}

/// Every string in `value` that has a digit, with the path to it.
fn strings_in<'a>(
    value: &'a serde_json::Value,
    path: &mut Vec<PathStep>,
    out: &mut Vec<(Vec<PathStep>, &'a str)>,
) {
    match value {
        serde_json::Value::String(s) if has_digit(s) => out.push((path.clone(), s)),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(PathStep::Index(i));
                strings_in(item, path, out);
                path.pop();
            }
        }
        serde_json::Value::Object(fields) => {
            for (k, v) in fields {
                path.push(key(k));
                strings_in(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
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

    fn code(t: &str) -> Option<&'static str> {
        privacy_problem(t).map(|p| p.0)
    }

    #[test]
    fn postcodes_split_or_joined_in_other_ways_are_spotted() {
        for text in [
            "Write to TA4\n2PQ",
            "Write to TA4\r\n2PQ",
            "Write to TA4-2PQ",
            "Write to TA4 - 2PQ",
            "Write to TA4\u{200B}2PQ",
            "Write to TA4\u{00A0}2PQ",
            "Write to TA4\u{202F}2PQ",
            "Write to TA4\u{2060} 2PQ",
            "Write to TA4\u{2013}2PQ",
            "Write to ta4 2pq",
            "Write to TA42PQ",
        ] {
            assert_eq!(code(text), Some("privacy-postcode"), "{text:?}");
        }
    }

    #[test]
    fn addresses_in_capitals_and_on_other_streets_are_spotted() {
        for text in [
            "find me at 12 CHURCH STREET, Williton",
            "find me at 3 Quantock Hill",
            "find me at 7 Tor View",
            "find me at 7a Tor View",
            "find me at 41 Orchard Close",
            "find me at 2 Hawthorn Crescent",
            "find me at 9 Station Drive",
            "find me at 5 Victoria Gardens",
            "find me at 5 Elm Grove",
            "find me at 16 Alma Terrace",
            "find me at 8 Mendip Way",
            "find me at 1 Priory Court",
            "find me at 4 Abbey Place",
            "find me at 11 Castle Rise",
            "find me at 6 Coach House Mews",
            "find me at 3 Riverside Walk",
            "find me at 20 Market Square",
            "find me at 14 Quarry Row",
            "find me at 10 Village Green",
            "find me at 21 Vivary Park",
            "find me at 30 Esplanade Parade",
            "find me at 2 St John's Road",
            "find me at 12 Church\nStreet",
            "find me at 12 CHURCH\u{00A0}LANE",
        ] {
            assert_eq!(code(text), Some("privacy-address"), "{text:?}");
        }
    }

    #[test]
    fn dbs_numbers_in_groups_are_spotted() {
        for text in [
            "My DBS is 0012 3456 7890",
            "certificate 0012-3456-7890",
            "ref 001 234 567 890",
            "001234 567890 is my number",
            "0012 3456\n7890",
            "0012\u{00A0}3456\u{200B} 7890",
        ] {
            assert_eq!(code(text), Some("privacy-reference"), "{text:?}");
        }
    }

    #[test]
    fn phone_numbers_districts_and_towns_are_not_reported() {
        for text in [
            "Call 07700 900123 or 01823 555012",
            "Call 07700900123, or (01823) 555012",
            "Call +447700900123",
            "DBS checked. Call 01823 555012",
            "Fully insured and DBS checked, call 07700 900123",
            "Insurance queries: phone 07700900123",
            "We cover TA4, TA23 and BA6 around Williton and Street",
            "we visit homes on the hill, 3 days a week",
            "Open 7 days, with 2 visits a week from 9 to 5",
            "Registered with the CQC, location 1-123456789",
            "Open 2 Mondays a month at the Village Hall",
        ] {
            assert_eq!(code(text), None, "{text:?}");
        }
    }

    #[test]
    fn problems_point_at_where_they_start_in_the_original_text() {
        let text = "Café\u{00A0}open.\nPost to TA4\u{200B}\u{00A0}2PQ";
        let found = super::privacy_problems(text);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].start..], "TA4\u{200B}\u{00A0}2PQ");
        let ascii = "Open daily.\nPost to TA4\n2PQ";
        assert_eq!(
            &ascii[super::privacy_problems(ascii)[0].start..],
            "TA4\n2PQ"
        );
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
