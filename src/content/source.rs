//! One content file as its author wrote it: the text, where the front matter sits, and a way
//! to turn a field path back into the line and column the author should look at.

use std::path::PathBuf;
use std::sync::OnceLock;

/// A step in a path to a field: a key in a mapping or a position in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    Key(String),
    Index(usize),
}

/// Writes a path as volunteers read it: `contact.phone`, `cost[0].amount`.
pub fn dotted(path: &[PathStep]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            PathStep::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathStep::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A text file read from the content folder.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the content folder, used in every message.
    pub path: PathBuf,
    /// The whole text with any byte-order mark removed and line endings made `\n`.
    pub text: String,
    /// Byte range of the YAML inside `text`.
    pub yaml: std::ops::Range<usize>,
    /// 1-based line in `text` where the YAML starts.
    pub yaml_first_line: usize,
    positions: OnceLock<Option<marked_yaml::Node>>,
}

impl SourceFile {
    /// A file that is YAML from top to bottom, such as a council's settings.
    pub fn whole_yaml(path: PathBuf, text: String) -> Self {
        let len = text.len();
        SourceFile {
            path,
            text,
            yaml: 0..len,
            yaml_first_line: 1,
            positions: OnceLock::new(),
        }
    }

    /// A Markdown file whose YAML front matter sits between `---` lines at the top.
    /// Returns the file and the byte offset where the body starts, or a message saying
    /// what is wrong with the fences.
    pub fn with_front_matter(path: PathBuf, text: String) -> Result<(Self, usize), FenceProblem> {
        let first_line_end = text.find('\n').unwrap_or(text.len());
        if text[..first_line_end].trim_end() != "---" {
            return Err(if text.trim().is_empty() {
                FenceProblem::Empty
            } else {
                FenceProblem::NoOpening
            });
        }
        let yaml_start = (first_line_end + 1).min(text.len());
        let mut offset = yaml_start;
        for line in text[yaml_start..].split_inclusive('\n') {
            let trimmed = line.trim_end();
            if trimmed == "---" || trimmed == "..." {
                let body_start = offset + line.len();
                let file = SourceFile {
                    path,
                    yaml: yaml_start..offset,
                    yaml_first_line: 2,
                    text,
                    positions: OnceLock::new(),
                };
                return Ok((file, body_start));
            }
            offset += line.len();
        }
        Err(FenceProblem::NoClosing)
    }

    pub fn yaml_text(&self) -> &str {
        &self.text[self.yaml.clone()]
    }

    /// Line and column (1-based, in the file) of a line/column (1-based) in the YAML.
    pub fn file_position(&self, yaml_line: usize, yaml_column: usize) -> (usize, usize) {
        (yaml_line + self.yaml_first_line - 1, yaml_column.max(1))
    }

    /// Where the value at `path` starts; with `key_of_last` set, where its key starts
    /// instead (for an unknown or misspelt field). Falls back to the nearest parent that can
    /// be found, then to the start of the YAML.
    pub fn locate(&self, path: &[PathStep], key_of_last: bool) -> (usize, usize) {
        let root = self.positions.get_or_init(|| {
            marked_yaml::parse_yaml_with_options(
                0,
                self.yaml_text(),
                marked_yaml::LoaderOptions::default().error_on_duplicate_keys(false),
            )
            .ok()
        });
        let Some(root) = root else {
            return (self.yaml_first_line, 1);
        };
        let mut node = root;
        // The whole file: its first line (the opening `---` of a listing).
        let mut best = Some((0, 1));
        for (i, step) in path.iter().enumerate() {
            let last = i + 1 == path.len();
            let next = match (step, node) {
                (PathStep::Key(k), marked_yaml::Node::Mapping(map)) => {
                    let entry = map.iter().find(|(key, _)| key.as_str() == k);
                    match entry {
                        Some((key, _)) if last && key_of_last => {
                            best = marker(key.span().start()).or(best);
                            break;
                        }
                        Some((key, value)) => {
                            // A value left empty (`email:`) is marked where the next line
                            // starts: point at its key, where the mistake is.
                            let empty = matches!(value, marked_yaml::Node::Scalar(s) if s.as_str().is_empty());
                            // A block of fields has no start of its own worth showing (the
                            // parser marks its first colon): point at its key instead.
                            let start = if empty {
                                None
                            } else {
                                marker(value.span().start())
                            };
                            let block = matches!(value, marked_yaml::Node::Mapping(_))
                                && start.is_some_and(|(l, c)| self.yaml_char(l, c) != Some('{'));
                            best = if block {
                                marker(key.span().start())
                            } else {
                                start.or(marker(key.span().start()))
                            }
                            .or(best);
                            Some(value)
                        }
                        None => None,
                    }
                }
                (PathStep::Index(n), marked_yaml::Node::Sequence(seq)) => {
                    let item = seq.get(*n);
                    if let Some(item) = item {
                        best = marker(item.span().start()).or(best);
                    }
                    item
                }
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        match best {
            Some((0, _)) => (self.yaml_first_line.saturating_sub(1).max(1), 1),
            Some((line, col)) => self.file_position(line, col),
            None => (self.yaml_first_line, 1),
        }
    }

    /// The character at a 1-based line and column of the YAML.
    fn yaml_char(&self, line: usize, column: usize) -> Option<char> {
        self.yaml_text()
            .lines()
            .nth(line.checked_sub(1)?)?
            .chars()
            .nth(column.checked_sub(1)?)
    }
}

fn marker(m: Option<&marked_yaml::Marker>) -> Option<(usize, usize)> {
    m.map(|m| (m.line(), m.column()))
}

/// What is wrong with the `---` lines around a listing's front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FenceProblem {
    Empty,
    NoOpening,
    NoClosing,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(text: &str) -> SourceFile {
        SourceFile::with_front_matter("x.md".into(), text.to_string())
            .expect("front matter")
            .0
    }

    #[test]
    fn finds_the_line_of_a_nested_value_in_the_file() {
        let f =
            listing("---\nname: A\ncontact:\n  first_name: Sam\n  phone: \"0123\"\n---\nbody\n");
        let path = [
            PathStep::Key("contact".into()),
            PathStep::Key("phone".into()),
        ];
        assert_eq!(f.locate(&path, false), (5, 10));
        assert_eq!(f.locate(&path, true), (5, 3));
        // A block of fields is shown at its key; the file as a whole at its first line.
        assert_eq!(f.locate(&[PathStep::Key("contact".into())], false), (3, 1));
        assert_eq!(f.locate(&[], false), (1, 1));
    }

    #[test]
    fn an_empty_value_is_shown_on_its_own_line() {
        let f =
            listing("---\ncontact:\n  first_name: Sam\n  email:\nconsent: {publish: true}\n---\n");
        let path = [
            PathStep::Key("contact".into()),
            PathStep::Key("email".into()),
        ];
        assert_eq!(f.locate(&path, false), (4, 3));
    }

    #[test]
    fn finds_list_items_and_falls_back_to_the_parent() {
        let f = listing("---\nsupport_types: [gardening, cooking]\n---\n");
        let item = [PathStep::Key("support_types".into()), PathStep::Index(1)];
        assert_eq!(f.locate(&item, false), (2, 28));
        let missing = [
            PathStep::Key("support_types".into()),
            PathStep::Key("x".into()),
        ];
        assert_eq!(f.locate(&missing, false), (2, 16));
    }

    #[test]
    fn reports_missing_fences() {
        let bad = |t: &str| SourceFile::with_front_matter("x.md".into(), t.into()).err();
        assert_eq!(bad(""), Some(FenceProblem::Empty));
        assert_eq!(bad("name: A\n"), Some(FenceProblem::NoOpening));
        assert_eq!(bad("---\nname: A\n"), Some(FenceProblem::NoClosing));
        assert_eq!(bad("---\nname: A\n---"), None);
    }

    #[test]
    fn dotted_paths_read_naturally() {
        let p = [
            PathStep::Key("cost".into()),
            PathStep::Index(0),
            PathStep::Key("amount".into()),
        ];
        assert_eq!(dotted(&p), "cost[0].amount");
    }
}
