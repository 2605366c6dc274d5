//! The one shape every problem takes before a person sees it: which file, which line and
//! field, what is wrong in plain English and how to fix it. Stages collect these instead of
//! stopping, so one run reports every problem in every file.

use serde::Serialize;
use std::path::PathBuf;

/// How serious a problem is. Errors stop a build; warnings are a to-do list for the council.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one content file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file, relative to the content folder, as the author knows it.
    pub file: PathBuf,
    /// 1-based line of the offending value in the file (not in the front matter).
    pub line: usize,
    /// 1-based column of the offending value.
    pub column: usize,
    pub severity: Severity,
    /// A stable code such as `unknown-field`, for tests, scripts and the volunteer guide.
    pub code: &'static str,
    /// The field in dotted form, such as `contact.phone` or `support_types[1]`; empty for the
    /// file as a whole.
    pub field: String,
    pub message: String,
    pub help: String,
    /// How many characters to underline from the column; 0 to underline the word there.
    #[serde(skip)]
    pub span: usize,
}

impl Diagnostic {
    pub fn error(file: impl Into<PathBuf>, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: 1,
            column: 1,
            severity: Severity::Error,
            code,
            field: String::new(),
            message: message.into(),
            help: String::new(),
            span: 0,
        }
    }

    pub fn warning(
        file: impl Into<PathBuf>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, code, message)
        }
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = line.max(1);
        self.column = column.max(1);
        self
    }

    /// Underlines `chars` characters from the column, such as a whole postcode.
    pub fn spanning(mut self, chars: usize) -> Self {
        self.span = chars;
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Orders diagnostics by file, then line, so reports read top to bottom.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.severity, a.code, &a.field)
            .cmp(&(&b.file, b.line, b.column, b.severity, b.code, &b.field))
    });
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let c_lower = c.to_lowercase();
            // Short words spelt as they sound (`fone` for `phone`) are close in edits even
            // when they start differently.
            let edits = strsim::levenshtein(&word, &c_lower);
            let near = word.chars().count() >= 3 && edits <= 2;
            let score = strsim::jaro_winkler(&word, &c_lower);
            (if near { score.max(0.8) } else { score }, c)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_field_name() {
        let fields = ["summary", "support_types", "status", "service_area"];
        assert_eq!(did_you_mean("sumary", fields), Some("summary"));
        assert_eq!(did_you_mean("suport_types", fields), Some("support_types"));
        assert_eq!(did_you_mean("favourite_colour", fields), None);
        let contact = ["email", "first_name", "phone", "website"];
        assert_eq!(did_you_mean("fone", contact), Some("phone"));
        assert_eq!(did_you_mean("emial", contact), Some("email"));
        assert_eq!(did_you_mean("age", contact), None);
    }
}
