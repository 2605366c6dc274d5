//! Checks of a council's settings that its schema cannot be trusted to make: the schema is
//! data the council edits, so whatever it allows, the site's address, colour, links and
//! logo are checked here before anything is made from them. The logo is read here, once,
//! and made safe to publish: raster images are decoded and written again as PNG, SVG is
//! rewritten keeping only drawing elements, so a logo can never run anything.

use crate::content::CouncilSettings;
use crate::content::{files, PathStep, SourceFile};
use crate::diagnostic::Diagnostic;
use std::path::Path;
use std::sync::Arc;

/// The largest logo file read: a header logo is a few kilobytes.
pub const MAX_LOGO_BYTES: u64 = 1024 * 1024;
/// The largest logo decoded, in pixels each way.
const MAX_LOGO_PIXELS: u32 = 4000;
/// Logos wider or taller than this are scaled down: the header shows them at most 80
/// pixels high, and twice that covers screens with dense pixels.
const LOGO_FIT: (u32, u32) = (800, 240);

/// A logo ready to publish: bytes that can run nothing, and the file extension they need.
#[derive(Debug, Clone)]
pub struct Logo {
    pub bytes: Arc<Vec<u8>>,
    pub extension: &'static str,
}

/// Checks `settings` read from `source`; returns the council's logo when it has one and
/// every problem found.
pub fn check(
    source: &SourceFile,
    settings: &CouncilSettings,
    content_root: &Path,
) -> (Option<Logo>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let at = |path: &[&str]| {
        let steps: Vec<PathStep> = path.iter().map(|k| PathStep::Key((*k).into())).collect();
        source.locate(&steps, false)
    };
    let mut problem = |field: &[&str], code, message: String, help: &str| {
        let (line, column) = at(field);
        problems.push(
            Diagnostic::error(&source.path, code, message)
                .field(field.join("."))
                .at(line, column)
                .help(help),
        );
    };
    if !is_site_address(&settings.base_url) {
        problem(
            &["base_url"],
            "base-url",
            "The site's address must be a full web address starting with https:// and ending with /.".into(),
            "Write the address where the site will live, such as https://care.westmoor.example/.",
        );
    }
    if let Some(website) = &settings.contact.website {
        if crate::urls::web_link(website).is_none() {
            problem(
                &["contact", "website"],
                "website",
                "The council's website must be a web address starting with https:// or http://."
                    .into(),
                "Write the full address, such as https://www.westmoor.example/care.",
            );
        }
    }
    if let Some(colour) = &settings.brand.colour {
        if !is_hex_colour(colour) {
            problem(
                &["brand", "colour"],
                "brand-colour",
                "The brand colour must be a # followed by six hexadecimal digits.".into(),
                "Write the colour as web designers do, such as \"#1d5c4d\" (in quotes).",
            );
        }
    }
    for (i, language) in settings.languages.iter().enumerate() {
        let plain =
            (2..=3).contains(&language.len()) && language.bytes().all(|b| b.is_ascii_lowercase());
        if !plain {
            let steps = [PathStep::Key("languages".into()), PathStep::Index(i)];
            let (line, column) = source.locate(&steps, false);
            problems.push(
                Diagnostic::error(
                    &source.path,
                    "language",
                    "A language must be given by its two-letter code.",
                )
                .field(crate::content::dotted(&steps))
                .at(line, column)
                .help("Write en for English or cy for Welsh."),
            );
        }
    }
    for (i, area) in settings.areas.iter().enumerate() {
        if crate::content::slugify(&area.town).is_empty() {
            let steps = [
                PathStep::Key("areas".into()),
                PathStep::Index(i),
                PathStep::Key("town".into()),
            ];
            let (line, column) = source.locate(&steps, false);
            problems.push(
                Diagnostic::error(
                    &source.path,
                    "town-name",
                    "This town's name has no letters or digits, so it cannot have a page.",
                )
                .field(crate::content::dotted(&steps))
                .at(line, column)
                .help("Write the town's name as residents know it, such as Williton."),
            );
        }
    }
    let logo = match &settings.brand.logo {
        Some(file) => match load_logo(content_root, file) {
            Ok(logo) => Some(logo),
            Err((code, message, help)) => {
                let (line, column) = at(&["brand", "logo"]);
                problems.push(
                    Diagnostic::error(&source.path, code, message)
                        .field("brand.logo")
                        .at(line, column)
                        .help(help),
                );
                None
            }
        },
        None => None,
    };
    (logo, problems)
}

/// A statement not reviewed for this long is due for review (GOV.UK asks for a yearly one).
const STATEMENT_REVIEW_MONTHS: u32 = 12;

/// What a council must still fill in before its site goes live: the parts of the
/// accessibility statement and privacy notice only the council can write. Warnings, so a
/// trial site still builds; the pages say nothing the council has not said.
pub fn go_live_todo(
    source: &SourceFile,
    settings: &CouncilSettings,
    today: time::Date,
) -> Vec<Diagnostic> {
    let mut todo = Vec::new();
    let mut add = |field: &[&str], message: &str, help: String| {
        let steps: Vec<PathStep> = field.iter().map(|k| PathStep::Key((*k).into())).collect();
        let (line, column) = source.locate(&steps, false);
        todo.push(
            Diagnostic::warning(&source.path, "go-live", message)
                .field(field.join("."))
                .at(line, column)
                .help(help),
        );
    };
    let a = &settings.statements.accessibility;
    let p = &settings.statements.privacy;
    if settings.contact.email.is_none() {
        add(
            &["contact", "email"],
            "The council has no contact email: residents cannot ask for another format, report a problem with a listing or ask about their data.",
            "Add the team's address under contact:, such as email: communitycare@westmoor.example.".into(),
        );
    }
    if a.compliance.is_none() {
        add(
            &["statements", "accessibility", "compliance"],
            "The accessibility statement does not say how far the site meets WCAG 2.2 AA.",
            "Once the site has been tested, add under statements: accessibility: the line compliance: full, partial or not.".into(),
        );
    }
    if a.compliance.as_deref().is_some_and(|c| c != "full") && a.known_problems.is_empty() {
        add(
            &["statements", "accessibility", "known_problems"],
            "The accessibility statement says the site is not fully accessible but lists no problems.",
            "List what is not accessible and why under known_problems:, one sentence each.".into(),
        );
    }
    if a.prepared.is_none() {
        add(
            &["statements", "accessibility", "prepared"],
            "The accessibility statement has no date it was prepared.",
            format!("Add prepared: {today} (the day the council agreed the statement)."),
        );
    }
    let last_review = a.reviewed.as_deref().or(a.prepared.as_deref());
    if let Some(date) = last_review.and_then(parse_date) {
        let due = date
            .replace_year(date.year() + 1)
            .unwrap_or_else(|_| date + time::Duration::days(365));
        if due <= today {
            add(
                &["statements", "accessibility", "reviewed"],
                &format!("The accessibility statement was last reviewed more than {STATEMENT_REVIEW_MONTHS} months ago ({date})."),
                format!("Review it, test the site again, then write reviewed: {today}."),
            );
        }
    }
    if p.dpo_email.is_none() {
        add(
            &["statements", "privacy", "dpo_email"],
            "The privacy notice does not say how to reach the council's data protection officer.",
            "Add under statements: privacy: the line dpo_email: followed by the officer's address."
                .into(),
        );
    }
    todo
}

fn parse_date(text: &str) -> Option<time::Date> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// Whether `url` can be the address of a site: http or https, a host, ending with `/`, and
/// nothing that could break out of an attribute or a feed.
fn is_site_address(url: &str) -> bool {
    crate::urls::web_link(url).as_deref() == Some(url)
        && url.ends_with('/')
        && !url.contains(['"', '\'', '<', '>', '\\', '`'])
}

fn is_hex_colour(colour: &str) -> bool {
    colour
        .strip_prefix('#')
        .is_some_and(|hex| hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

type Refused = (&'static str, String, &'static str);

/// Reads and makes safe the logo named in `brand.logo`: a file beside the council's
/// settings, in `content/councils/`.
fn load_logo(content_root: &Path, file: &str) -> Result<Logo, Refused> {
    let plain = !file.is_empty()
        && file.len() <= 200
        && !file.starts_with('.')
        && !file.contains(['/', '\\'])
        && !file.chars().any(char::is_control);
    if !plain {
        return Err((
            "logo-outside",
            "The logo must be a file in content/councils/, given by its name alone.".into(),
            "Put the logo file beside this settings file and write just its name, such as westmoor-logo.svg.",
        ));
    }
    let extension = Path::new(file)
        .extension()
        .and_then(|x| x.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let svg = match extension.as_str() {
        "svg" => true,
        "png" | "jpg" | "jpeg" | "webp" => false,
        _ => {
            return Err((
                "logo-type",
                format!(
                    "The logo `{}` is not a PNG, JPEG, WebP or SVG image.",
                    shown(file)
                ),
                "Save the logo as an SVG or PNG file and name that file here.",
            ))
        }
    };
    let folder = content_root.join("councils");
    let bytes = files::read_inside(&folder, &folder.join(file), MAX_LOGO_BYTES).map_err(|why| {
        (
            match why {
                files::Refusal::Outside => "logo-outside",
                files::Refusal::Missing => "logo-missing",
                _ => "logo-unreadable",
            },
            format!("The logo `{}` was not read: {why}.", shown(file)),
            "Put the logo itself (an SVG or PNG file of at most 1 MB) in content/councils/, not a link to a file elsewhere.",
        )
    })?;
    let made = if svg {
        clean_svg(&bytes).map(|bytes| Logo {
            bytes: Arc::new(bytes),
            extension: "svg",
        })
    } else {
        reencode(&bytes).map(|bytes| Logo {
            bytes: Arc::new(bytes),
            extension: "png",
        })
    };
    made.map_err(|why| {
        (
            "logo-unreadable",
            format!("The logo `{}` cannot be used: {why}.", shown(file)),
            "Export the logo again as an SVG or PNG file from the program that made it.",
        )
    })
}

/// A file name as it may be shown: short, and only its printable characters.
fn shown(file: &str) -> String {
    file.chars().filter(|c| !c.is_control()).take(80).collect()
}

/// Decodes a raster logo within limits and writes it again as PNG: nothing but pixels
/// survives (no metadata, no second file hidden after the image).
fn reencode(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_LOGO_PIXELS);
    limits.max_image_height = Some(MAX_LOGO_PIXELS);
    limits.max_alloc = Some(128 * 1024 * 1024);
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    if reader.format().is_none() {
        return Err("it is not a PNG, JPEG or WebP image".into());
    }
    reader.limits(limits);
    let mut image = reader.decode().map_err(|e| e.to_string())?;
    let (fit_w, fit_h) = LOGO_FIT;
    if image.width() > fit_w || image.height() > fit_h {
        image = image.resize(fit_w, fit_h, image::imageops::FilterType::Triangle);
    }
    let mut out = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// SVG elements that only draw.
const SVG_ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "title",
    "desc",
    "defs",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "pattern",
    "symbol",
    "use",
];

/// Attributes that only say how to draw.
const SVG_ATTRIBUTES: &[&str] = &[
    "xmlns",
    "xmlns:xlink",
    "version",
    "id",
    "class",
    "viewBox",
    "preserveAspectRatio",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "fx",
    "fy",
    "dx",
    "dy",
    "d",
    "points",
    "pathLength",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-opacity",
    "opacity",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "clip-path",
    "clip-rule",
    "clipPathUnits",
    "mask",
    "maskUnits",
    "maskContentUnits",
    "patternUnits",
    "patternContentUnits",
    "patternTransform",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "letter-spacing",
    "text-anchor",
    "dominant-baseline",
    "visibility",
    "display",
    "role",
    "aria-label",
    "aria-hidden",
    "focusable",
    "href",
    "xlink:href",
];

/// Rewrites an SVG keeping only drawing elements and attributes. Scripts, event
/// handlers, styles, foreign content, links, animation and references to anything
/// outside the file are dropped with everything inside them.
pub fn clean_svg(bytes: &[u8]) -> Result<Vec<u8>, String> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut out = String::with_capacity(text.len());
    // Depth inside an element being dropped, and the depth of elements kept.
    let mut dropping = 0usize;
    let mut depth = 0usize;
    let mut saw_svg = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("it is not well-formed SVG ({e})"))?;
        match event {
            Event::Start(_) if dropping > 0 => dropping += 1,
            Event::Empty(_) if dropping > 0 => {}
            Event::Start(tag) => {
                let name = element_name(&tag)?;
                if depth == 0 && name != "svg" || !SVG_ELEMENTS.contains(&name.as_str()) {
                    dropping = 1;
                    continue;
                }
                saw_svg = true;
                depth += 1;
                if depth > 64 {
                    return Err("its drawing is nested too deeply".into());
                }
                out.push('<');
                out.push_str(&name);
                write_attributes(&tag, reader.decoder(), &mut out)?;
                out.push('>');
            }
            Event::Empty(tag) => {
                let name = element_name(&tag)?;
                if depth == 0 || !SVG_ELEMENTS.contains(&name.as_str()) {
                    continue;
                }
                out.push('<');
                out.push_str(&name);
                write_attributes(&tag, reader.decoder(), &mut out)?;
                out.push_str("/>");
            }
            Event::End(_) if dropping > 0 => dropping -= 1,
            Event::End(tag) => {
                let name = String::from_utf8_lossy(tag.name().as_ref()).into_owned();
                depth = depth.saturating_sub(1);
                out.push_str("</");
                out.push_str(&name);
                out.push('>');
            }
            Event::Text(t) if dropping == 0 && depth > 0 => {
                let t = t
                    .decode()
                    .map_err(|e| format!("it is not well-formed SVG ({e})"))?;
                let t = quick_xml::escape::unescape(&t)
                    .map_err(|e| format!("it is not well-formed SVG ({e})"))?;
                out.push_str(&quick_xml::escape::escape(t.as_ref()));
            }
            Event::GeneralRef(r) if dropping == 0 && depth > 0 => {
                // Only the five entities XML itself defines, or a character by number.
                let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                let entity = format!("&{name};");
                let resolved = quick_xml::escape::unescape(&entity)
                    .map_err(|_| "it uses an entity that is not allowed".to_string())?;
                out.push_str(&quick_xml::escape::escape(resolved.as_ref()));
            }
            Event::CData(t) if dropping == 0 && depth > 0 => {
                out.push_str(&quick_xml::escape::escape(
                    String::from_utf8_lossy(&t).as_ref(),
                ));
            }
            Event::Eof => break,
            // Declarations, doctypes (and the entities they define), comments, processing
            // instructions: none is needed to draw.
            _ => {}
        }
    }
    if !saw_svg {
        return Err("it has no <svg> drawing".into());
    }
    Ok(out.into_bytes())
}

fn element_name(tag: &quick_xml::events::BytesStart) -> Result<String, String> {
    std::str::from_utf8(tag.name().as_ref())
        .map(str::to_string)
        .map_err(|_| "it has an element with an unreadable name".to_string())
}

/// Writes the allowed attributes of `tag`, escaped; a link only to a part of the same
/// file (`#id`), and no value that reaches outside the file through `url(...)`.
fn write_attributes(
    tag: &quick_xml::events::BytesStart,
    decoder: quick_xml::encoding::Decoder,
    out: &mut String,
) -> Result<(), String> {
    for attribute in tag.attributes() {
        let attribute = attribute.map_err(|e| format!("it has a broken attribute ({e})"))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        if !SVG_ATTRIBUTES.contains(&key.as_str()) {
            continue;
        }
        let value = attribute
            .decoded_and_normalized_value(quick_xml::XmlVersion::Implicit1_0, decoder)
            .map_err(|e| format!("it has a broken attribute ({e})"))?;
        let value = value.trim();
        if key.ends_with("href") && !is_fragment(value) {
            continue;
        }
        if !url_refs_are_local(value) {
            continue;
        }
        out.push(' ');
        out.push_str(&key);
        out.push_str("=\"");
        out.push_str(&quick_xml::escape::escape(value));
        out.push('"');
    }
    Ok(())
}

fn is_fragment(value: &str) -> bool {
    value.strip_prefix('#').is_some_and(|id| {
        !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
    })
}

/// Whether every `url(...)` in a value points inside the file, as `url(#id)`.
fn url_refs_are_local(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.match_indices("url(").all(|(at, _)| {
        let inner = lower[at + 4..].trim_start().trim_start_matches(['"', '\'']);
        inner.starts_with('#')
    }) && !lower.contains("javascript:")
        && !lower.contains('\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(svg: &str) -> String {
        String::from_utf8(clean_svg(svg.as_bytes()).expect("cleans")).expect("utf-8")
    }

    #[test]
    fn an_svg_logo_keeps_its_drawing_and_loses_anything_that_runs() {
        let out = clean(
            r##"<?xml version="1.0"?><!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script><g fill="#1d5c4d"><rect width="10" height="10" onclick="x()"/><a href="javascript:alert(3)"><text>Hi &amp; bye</text></a></g><foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><script>alert(4)</script></body></foreignObject><use href="https://evil.example/x.svg#a"/><use href="#ok"/><rect fill="url(https://evil.example/p)" style="background:url(x)"/><set attributeName="onload" to="alert(5)"/><animate attributeName="href" to="javascript:alert(6)"/></svg>"##,
        );
        for bad in [
            "script",
            "alert",
            "onload",
            "onclick",
            "javascript",
            "foreignObject",
            "evil",
            "style",
            "<a",
            "set ",
            "animate",
        ] {
            assert!(!out.contains(bad), "{bad} survived: {out}");
        }
        assert!(
            out.contains(r##"<g fill="#1d5c4d"><rect width="10" height="10"/>"##),
            "{out}"
        );
        assert!(out.contains(r##"<use href="#ok"/>"##), "{out}");
        assert!(out.starts_with("<svg xmlns="), "{out}");
    }

    #[test]
    fn text_in_a_logo_stays_escaped() {
        let out = clean(r#"<svg><text>&lt;script&gt;alert(1)&lt;/script&gt;</text></svg>"#);
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(!out.contains("<script"), "{out}");
    }

    #[test]
    fn broken_or_hostile_svg_is_refused() {
        assert!(clean_svg(b"<svg><g></svg>").is_err());
        assert!(clean_svg(b"<html><script>alert(1)</script></html>").is_err());
        assert!(clean_svg(b"not xml at all").is_err());
        let entity = br#"<!DOCTYPE svg [<!ENTITY x "boom">]><svg><text>&x;</text></svg>"#;
        assert!(clean_svg(entity).is_err());
    }

    #[test]
    fn colours_and_addresses_are_checked_whatever_the_schema_says() {
        assert!(is_hex_colour("#1d5c4d"));
        assert!(!is_hex_colour("#a€bc"));
        assert!(!is_hex_colour("red"));
        assert!(is_site_address("https://care.westmoor.example/"));
        assert!(!is_site_address("javascript:alert(1)//"));
        assert!(!is_site_address("https://x.example/\"onmouseover=\"x/"));
        assert!(!is_site_address("https://care.westmoor.example"));
    }
}
