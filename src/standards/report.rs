//! Writes diagnostics for people and machines: a rustc-style report with the source line
//! for volunteers, JSON for tools, and GitHub workflow commands so problems appear on the
//! lines of a pull request.

use super::{Decision, Directory};
use crate::diagnostic::{Diagnostic, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
use serde::Serialize;
use std::path::Path;

/// A report for people, grouped by file in the order given, each with its source line.
pub fn human(diagnostics: &[Diagnostic], content_root: &Path, colour: bool) -> String {
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_width(100);
    let mut out = String::new();
    let mut current_file = None;
    let mut text = String::new();
    for d in diagnostics {
        if current_file != Some(&d.file) {
            current_file = Some(&d.file);
            text = read_normalised(content_root, &d.file);
        }
        let name = content_root.join(&d.file).display().to_string();
        let mut m = MietteDiagnostic::new(d.message.clone())
            .with_code(d.code)
            .with_severity(match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            });
        if !d.help.is_empty() {
            m = m.with_help(d.help.clone());
        }
        // A snippet of a very long line (a minified or garbage file) would bury the message.
        let line_len = text
            .lines()
            .nth(d.line.saturating_sub(1))
            .map_or(0, str::len);
        let rendered = match offset_of(&text, d.line, d.column).filter(|_| line_len <= 400) {
            Some(offset) => {
                let label = if d.field.is_empty() {
                    None
                } else {
                    Some(d.field.clone())
                };
                let len = if d.span > 0 {
                    text[offset..]
                        .char_indices()
                        .nth(d.span)
                        .map_or(text.len() - offset, |(i, _)| i)
                } else {
                    token_len(&text[offset..])
                };
                m = m.with_label(LabeledSpan::new_with_span(label, (offset, len)));
                let report = miette::Report::new(m)
                    .with_source_code(NamedSource::new(name.clone(), text.clone()));
                let mut s = String::new();
                let _ = handler.render_report(&mut s, report.as_ref());
                s
            }
            None => {
                let mut s = String::new();
                let _ = handler.render_report(&mut s, &m);
                format!("{name}:{}:{}\n{s}", d.line, d.column)
            }
        };
        out.push_str(&rendered);
        out.push('\n');
    }
    out
}

/// The same text the loader saw, so line and column match; nothing for a file the loader
/// would not read (a link out of the content folder, a device, a huge file), so a message
/// never quotes it.
fn read_normalised(content_root: &Path, file: &Path) -> String {
    let path = content_root.join(file);
    let bytes =
        crate::content::files::read_inside(content_root, &path, crate::content::MAX_FILE_BYTES)
            .unwrap_or_default();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8_lossy(bytes)
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

/// Byte offset of a 1-based line and column (counted in characters).
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let line_text = &text[start..start + text[start..].find('\n').unwrap_or(text.len() - start)];
    let within = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(line_text.len());
    Some(start + within)
}

/// Length of the word or quoted value at the start of `rest`, for underlining.
fn token_len(rest: &str) -> usize {
    let line = rest.split('\n').next().unwrap_or("");
    if let Some(q) = line.chars().next().filter(|c| *c == '"' || *c == '\'') {
        if let Some(end) = line[1..].find(q) {
            return end + 2;
        }
    }
    let end = [
        line.find([',', ']', '}', '#']),
        line.find(": "),
        line.strip_suffix(':').map(str::len),
    ]
    .into_iter()
    .flatten()
    .min()
    .unwrap_or(line.len());
    line[..end].trim_end().len().max(1)
}

/// `{"diagnostics": [...], "listings": {"published": N, "withheld": N}, "councils": [...]}`.
pub fn json(directory: &Directory, content_root: &Path) -> String {
    let published = directory
        .listings
        .iter()
        .filter(|l| l.is_published())
        .count();
    let diagnostics: Vec<Diagnostic> = directory
        .diagnostics
        .iter()
        .map(|d| Diagnostic {
            file: content_root.join(&d.file),
            ..d.clone()
        })
        .collect();
    let value = serde_json::json!({
        "diagnostics": diagnostics,
        "listings": {"published": published, "withheld": directory.listings.len() - published},
        "councils": councils(directory),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// One council's to-do list: listings kept off its site and evidence to chase.
#[derive(Debug, Serialize)]
pub struct CouncilReport {
    pub id: String,
    pub name: String,
    pub published: usize,
    pub withheld: Vec<ListingNote>,
    pub reminders: Vec<ListingNote>,
}

#[derive(Debug, Serialize)]
pub struct ListingNote {
    pub file: String,
    pub listing: String,
    pub notes: Vec<String>,
}

/// Builds each council's to-do list from the checked directory.
pub fn councils(directory: &Directory) -> Vec<CouncilReport> {
    directory
        .councils
        .iter()
        .map(|c| {
            let mine = directory
                .listings
                .iter()
                .filter(|l| l.decisions.contains_key(&c.id));
            let mut report = CouncilReport {
                id: c.id.clone(),
                name: c.settings.name.clone(),
                published: 0,
                withheld: Vec::new(),
                reminders: Vec::new(),
            };
            for l in mine {
                let note = |notes: Vec<String>| ListingNote {
                    file: l.file.display().to_string(),
                    listing: l.front.name.clone(),
                    notes,
                };
                match &l.decisions[&c.id] {
                    Decision::Published => report.published += 1,
                    Decision::Withheld(reasons) => report.withheld.push(note(reasons.clone())),
                }
                let reminders: Vec<String> = directory
                    .diagnostics
                    .iter()
                    .filter(|d| {
                        d.file == l.file && matches!(d.code, "evidence-lapsing" | "review-due")
                    })
                    .map(|d| d.message.clone())
                    .collect();
                if !reminders.is_empty() {
                    report.reminders.push(note(reminders));
                }
            }
            report
        })
        .collect()
}

/// The to-do lists as text a council officer can read. Files are named as in the rest of
/// the report: inside `content_root`.
pub fn councils_text(reports: &[CouncilReport], content_root: &Path) -> String {
    let mut out = String::new();
    for r in reports {
        out.push_str(&format!(
            "{} ({}): {} published, {} withheld\n",
            r.name,
            r.id,
            r.published,
            r.withheld.len()
        ));
        for (heading, items) in [
            ("Withheld from the site", &r.withheld),
            ("Evidence to chase soon", &r.reminders),
        ] {
            if items.is_empty() {
                continue;
            }
            out.push_str(&format!("  {heading}:\n"));
            for item in items {
                let file = content_root.join(&item.file);
                out.push_str(&format!("  - {} ({})\n", item.listing, file.display()));
                for n in &item.notes {
                    out.push_str(&format!("      {n}\n"));
                }
            }
        }
        out.push('\n');
    }
    out
}

/// GitHub Actions workflow commands, one line each. `prefix` is the content folder's path
/// from the repository root, so annotations land on the right file.
pub fn github(diagnostics: &[Diagnostic], prefix: &Path) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let file = prefix.join(&d.file).display().to_string();
        let title = if d.field.is_empty() {
            d.code.to_string()
        } else {
            format!("{}: {}", d.code, d.field)
        };
        let message = if d.help.is_empty() {
            d.message.clone()
        } else {
            format!("{} {}", d.message, d.help)
        };
        out.push_str(&format!(
            "::{level} file={},line={},col={},title={}::{}\n",
            escape_property(&file),
            d.line,
            d.column,
            escape_property(&title),
            escape_data(&message)
        ));
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_lines_are_escaped_workflow_commands() {
        let d = Diagnostic::error(
            "enterprises/a.md",
            "unknown-field",
            "`sumary` is not a field.\nSecond line",
        )
        .at(3, 1)
        .field("sumary")
        .help("Did you mean `summary`?");
        let out = github(&[d], Path::new("content"));
        assert_eq!(
            out,
            "::error file=content/enterprises/a.md,line=3,col=1,title=unknown-field%3A sumary::`sumary` is not a field.%0ASecond line Did you mean `summary`?\n"
        );
    }

    #[test]
    fn human_reports_show_the_source_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.md"), "---\nname: A\nsumary: Hi\n---\n").expect("write");
        let d = Diagnostic::error(
            "a.md",
            "unknown-field",
            "`sumary` is not a field a listing can have.",
        )
        .at(3, 1)
        .field("sumary")
        .help("Did you mean `summary`?");
        let out = human(&[d], dir.path(), false);
        assert!(out.contains("a.md:3:1"), "{out}");
        assert!(out.contains("sumary: Hi"), "{out}");
        assert!(out.contains("Did you mean `summary`?"), "{out}");
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = "a: £1\nb: x\n";
        assert_eq!(offset_of(text, 2, 4), Some(text.find('x').expect("x")));
        assert_eq!(offset_of(text, 1, 4), Some(3));
    }
}
