//! The structural rules for council and listing files live in JSON Schemas in the content
//! folder (`content/schema/`), so a council can change them without a new release and an
//! editor can use them for autocomplete. This module runs them with the `jsonschema` crate
//! and rewrites each failure in words a volunteer can act on. It holds no rules of its own.

use crate::content::{dotted, PathStep, SourceFile};
use crate::diagnostic::{did_you_mean, Diagnostic};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::ValidationError;
use serde_json::Value;
use std::path::Path;

/// The schemas that ship with carepages, used when a content folder has none of its own.
pub const DEFAULT_LISTING_SCHEMA: &str =
    include_str!("../../content/schema/enterprise.schema.json");
pub const DEFAULT_COUNCIL_SCHEMA: &str = include_str!("../../content/schema/council.schema.json");

/// A compiled schema together with its JSON, which supplies field descriptions for help.
pub struct Schema {
    pub json: Value,
    validator: jsonschema::Validator,
    /// What the file holds, in words: "a listing", "a council's settings".
    what: &'static str,
}

/// Why a schema could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("{path} was not read: {why}")]
    Read {
        path: String,
        why: crate::content::files::TextRefusal,
    },
    #[error("{path} is not valid JSON: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    #[error("{path} is not a valid JSON Schema: {message}")]
    Invalid { path: String, message: String },
}

/// The largest schema read; the built-in ones are about 20 KB.
pub const MAX_SCHEMA_BYTES: u64 = 1024 * 1024;

impl Schema {
    /// Loads `content/schema/<file>` if the content folder has it, else the built-in one.
    pub fn load(
        content_root: &Path,
        file: &str,
        built_in: &str,
        what: &'static str,
    ) -> Result<Schema, SchemaError> {
        let path = content_root.join("schema").join(file);
        let (text, shown) = if std::fs::symlink_metadata(&path).is_ok() {
            let folder = content_root.join("schema");
            let text = crate::content::files::read_text_inside(&folder, &path, MAX_SCHEMA_BYTES)
                .map_err(|why| SchemaError::Read {
                    path: path.display().to_string(),
                    why,
                })?;
            (text, path.display().to_string())
        } else {
            (built_in.to_string(), format!("the built-in {file}"))
        };
        Schema::from_str(&text, &shown, what)
    }

    pub fn from_str(text: &str, shown: &str, what: &'static str) -> Result<Schema, SchemaError> {
        let json: Value = serde_json::from_str(text).map_err(|source| SchemaError::Json {
            path: shown.to_string(),
            source,
        })?;
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&json)
            .map_err(|e| SchemaError::Invalid {
                path: shown.to_string(),
                message: e.to_string(),
            })?;
        Ok(Schema {
            json,
            validator,
            what,
        })
    }

    /// Checks one file's data and explains every failure.
    pub fn check(&self, source: &SourceFile, data: &Value) -> Vec<Diagnostic> {
        if self.validator.is_valid(data) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for error in self.validator.iter_errors(data) {
            self.explain(source, &error, &mut out);
        }
        out.dedup_by(|a, b| a.line == b.line && a.code == b.code && a.field == b.field);
        out
    }

    fn explain(&self, source: &SourceFile, error: &ValidationError, out: &mut Vec<Diagnostic>) {
        let path = to_steps(error.instance_path().segments());
        let field = dotted(&path);
        let shown = if field.is_empty() {
            self.what.to_string()
        } else {
            format!("`{field}`")
        };
        let value = error.instance();
        let described = self.description(&path);
        let locate = |key: bool| source.locate(&path, key);
        let d = |code, message: String| {
            Diagnostic::error(&source.path, code, message).field(field.clone())
        };
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = self.known_fields(&path, value);
                for name in unexpected {
                    let mut child = path.clone();
                    child.push(PathStep::Key(name.clone()));
                    let (line, col) = source.locate(&child, true);
                    let help = match did_you_mean(name, known.iter().map(String::as_str)) {
                        Some(close) => {
                            format!("Did you mean `{close}`? Check the spelling of the field name.")
                        }
                        None => format!(
                            "Remove it, or check the spelling. The fields allowed here are: {}.",
                            known.join(", ")
                        ),
                    };
                    out.push(
                        Diagnostic::error(
                            &source.path,
                            "unknown-field",
                            format!(
                                "`{name}` is not a field {} can have.",
                                self.in_place(&field)
                            ),
                        )
                        .field(dotted(&child))
                        .at(line, col)
                        .help(help),
                    );
                }
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let mut child = path.clone();
                child.push(PathStep::Key(name.to_string()));
                // A field missing from the top has no line of its own: point at the
                // opening `---`; a nested one, at its parent's key.
                let (line, col) = if path.is_empty() {
                    (source.yaml_first_line.saturating_sub(1).max(1), 1)
                } else {
                    source.locate(&path, true)
                };
                let help = match self.description(&child) {
                    Some(text) => format!("Add `{name}:` {}. {text}", self.in_place_add(&field)),
                    None => format!("Add `{name}:` {}.", self.in_place_add(&field)),
                };
                out.push(
                    Diagnostic::error(
                        &source.path,
                        "missing-field",
                        format!(
                            "The required field `{name}` is missing{}.",
                            self.place_suffix(&field)
                        ),
                    )
                    .field(dotted(&child))
                    .at(line, col)
                    .help(help),
                );
            }
            ValidationErrorKind::Enum { options } => {
                let options: Vec<&str> = options
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let given = scalar_text(value);
                let (line, col) = locate(false);
                let help = match did_you_mean(&given, options.iter().copied()) {
                    Some(close) => format!(
                        "Did you mean `{close}`? The choices are: {}.",
                        options.join(", ")
                    ),
                    None => format!("Choose one of: {}.", options.join(", ")),
                };
                out.push(
                    d(
                        "unknown-value",
                        format!("`{given}` is not one of the choices for {shown}."),
                    )
                    .at(line, col)
                    .help(help),
                );
            }
            ValidationErrorKind::Constant { expected_value } => {
                let (line, col) = locate(false);
                out.push(
                    d(
                        "wrong-value",
                        format!("{shown} must be {expected_value} here."),
                    )
                    .at(line, col)
                    .help(described.unwrap_or_default()),
                );
            }
            ValidationErrorKind::Type { kind } => {
                let (line, col) = locate(false);
                let choices = self.item_choices(&path);
                let (message, help) =
                    type_advice(&shown, kind, value, described.as_deref(), &choices);
                out.push(d("wrong-type", message).at(line, col).help(help));
            }
            ValidationErrorKind::Format { format } => {
                let (line, col) = locate(false);
                let given = scalar_text(value);
                let (code, message, help) = match format.as_str() {
                    "date" => ("invalid-date", format!("`{given}` in {shown} is not a real date."), "Write the date as YYYY-MM-DD, for example 2027-01-31, and check the day exists in that month.".to_string()),
                    "email" => ("invalid-email", format!("`{given}` in {shown} is not an email address."), "Write the whole address, such as hello@example.org.".to_string()),
                    "uuid" => ("invalid-id", format!("`{given}` in {shown} is not a UUID."), "Delete the id line: one is made from the file name. Or use a UUID such as 6f1c2d9e-4b7a-4c1e-9a52-3d8e0b71c4aa.".to_string()),
                    other => ("invalid-value", format!("`{given}` in {shown} is not a valid {other}."), described.unwrap_or_default()),
                };
                out.push(d(code, message).at(line, col).help(help));
            }
            ValidationErrorKind::Pattern { .. } => {
                let (line, col) = locate(false);
                let given = scalar_text(value);
                out.push(
                    d(
                        "invalid-value",
                        format!("`{given}` is not a valid value for {shown}."),
                    )
                    .at(line, col)
                    .help(
                        described.unwrap_or_else(|| {
                            "Check the value against the example listing.".into()
                        }),
                    ),
                );
            }
            ValidationErrorKind::MaxLength { limit } => {
                let (line, col) = locate(false);
                let len = value.as_str().map(|s| s.chars().count()).unwrap_or(0);
                out.push(
                    d(
                        "too-long",
                        format!("{shown} is {len} characters long; it may be at most {limit}."),
                    )
                    .at(line, col)
                    .help(
                        format!(
                            "Shorten it by {} characters. {}",
                            len as u64 - limit.min(&(len as u64)),
                            described.unwrap_or_default()
                        )
                        .trim_end()
                        .to_string(),
                    ),
                );
            }
            ValidationErrorKind::MinLength { limit } => {
                let (line, col) = locate(false);
                out.push(
                    d(
                        "too-short",
                        format!("{shown} is too short; it needs at least {limit} characters."),
                    )
                    .at(line, col)
                    .help(described.unwrap_or_default()),
                );
            }
            ValidationErrorKind::MinItems { .. } => {
                let (line, col) = locate(false);
                let choices = self.item_choices(&path);
                let help = if choices.is_empty() {
                    described.unwrap_or_default()
                } else {
                    format!(
                        "{} Choose from: {}.",
                        described.unwrap_or_default(),
                        choices.join(", ")
                    )
                    .trim_start()
                    .to_string()
                };
                out.push(
                    d("empty-list", format!("{shown} needs at least one value."))
                        .at(line, col)
                        .help(help),
                );
            }
            ValidationErrorKind::MinProperties { .. } => {
                let (line, col) = locate(false);
                let known = self.known_fields(&path, value);
                out.push(
                    d("empty-field", format!("{shown} is empty."))
                        .at(line, col)
                        .help(format!("Fill in at least one of: {}.", known.join(", "))),
                );
            }
            ValidationErrorKind::UniqueItems => {
                let (line, col) = locate(false);
                out.push(
                    d(
                        "repeated-value",
                        format!("{shown} lists the same value twice."),
                    )
                    .at(line, col)
                    .help("Remove the repeated value."),
                );
            }
            ValidationErrorKind::Minimum { limit }
            | ValidationErrorKind::ExclusiveMinimum { limit } => {
                let (line, col) = locate(false);
                out.push(
                    d("too-small", format!("{shown} must be at least {limit}."))
                        .at(line, col)
                        .help(described.unwrap_or_default()),
                );
            }
            ValidationErrorKind::Maximum { limit }
            | ValidationErrorKind::ExclusiveMaximum { limit } => {
                let (line, col) = locate(false);
                out.push(
                    d("too-large", format!("{shown} must be at most {limit}."))
                        .at(line, col)
                        .help(described.unwrap_or_default()),
                );
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                if let Some(names) = all_required(context) {
                    let (line, col) = locate(false);
                    out.push(
                        d(
                            "missing-field",
                            format!(
                                "{shown} needs {}.",
                                names
                                    .iter()
                                    .map(|n| format!("`{n}`"))
                                    .collect::<Vec<_>>()
                                    .join(" or ")
                            ),
                        )
                        .at(line, col)
                        .help(described.unwrap_or_default()),
                    );
                } else if let Some(closest) = context.iter().min_by_key(|branch| branch.len()) {
                    // Say what is wrong with the shape closest to what the author wrote,
                    // not every alternative's failure.
                    for e in closest {
                        self.explain(source, e, out);
                    }
                }
            }
            _ => {
                let (line, col) = locate(false);
                out.push(
                    d("invalid-value", format!("{shown} is not valid: {error}."))
                        .at(line, col)
                        .help(described.unwrap_or_default()),
                );
            }
        }
    }

    fn in_place(&self, field: &str) -> String {
        if field.is_empty() {
            self.what.to_string()
        } else {
            format!("`{field}`")
        }
    }

    fn place_suffix(&self, field: &str) -> String {
        if field.is_empty() {
            String::new()
        } else {
            format!(" from `{field}`")
        }
    }

    fn in_place_add(&self, field: &str) -> String {
        if field.is_empty() {
            "to the details at the top of the file".into()
        } else {
            format!("under `{field}`")
        }
    }

    /// The schema's own words for a field, used as help.
    /// Falls back to the list's words for an item that has none of its own.
    fn description(&self, path: &[PathStep]) -> Option<String> {
        let own = self
            .at(path)
            .and_then(|n| n.get("description"))
            .and_then(Value::as_str);
        match (own, path.split_last()) {
            (Some(text), _) => Some(text.to_string()),
            (None, Some((PathStep::Index(_), parent))) => self.description(parent),
            _ => None,
        }
    }

    /// The values a top-level list field may hold, such as every kind of help in
    /// `support_types`: for checking what someone asks `carepages search` for.
    pub fn list_choices(&self, field: &str) -> Vec<String> {
        self.item_choices(&[PathStep::Key(field.to_string())])
    }

    /// The allowed values of a list's items, when the schema lists them.
    fn item_choices(&self, path: &[PathStep]) -> Vec<String> {
        self.at(path)
            .and_then(|n| n.pointer("/items/enum"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The field names the schema allows at `path`, for "did you mean".
    /// The field names allowed for `instance`; of conditional branches (evidence kinds),
    /// only those whose condition the instance meets.
    fn known_fields(&self, path: &[PathStep], instance: &Value) -> Vec<String> {
        let Some(node) = self.at(path) else {
            return Vec::new();
        };
        let mut names: Vec<String> = node
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        if let Some(all) = node.get("allOf").and_then(Value::as_array) {
            for branch in all.iter().filter(|b| branch_applies(b, instance)) {
                if let Some(props) = branch
                    .pointer("/then/properties")
                    .and_then(Value::as_object)
                {
                    names.extend(props.keys().cloned());
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// The schema node describing the value at `path`, following `properties` and `items`.
    fn at(&self, path: &[PathStep]) -> Option<&Value> {
        let mut node = &self.json;
        for step in path {
            node = match step {
                PathStep::Key(k) => {
                    node.get("properties").and_then(|p| p.get(k)).or_else(|| {
                        node.get("allOf")?
                            .as_array()?
                            .iter()
                            .find_map(|b| b.pointer("/then/properties")?.get(k))
                    })?
                }
                PathStep::Index(_) => node.get("items")?,
            };
        }
        Some(node)
    }
}

fn to_steps<'a>(segments: impl Iterator<Item = LocationSegment<'a>>) -> Vec<PathStep> {
    segments
        .map(|s| match s {
            LocationSegment::Property(p) => PathStep::Key(p.into_owned()),
            LocationSegment::Index(i) => PathStep::Index(i),
        })
        .collect()
}

/// When every alternative failed only for a missing field, the names of those fields.
fn all_required(context: &[Vec<ValidationError<'static>>]) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for branch in context {
        match branch.as_slice() {
            [e] => match e.kind() {
                ValidationErrorKind::Required { property } => {
                    names.push(property.as_str()?.to_string())
                }
                _ => return None,
            },
            _ => return None,
        }
    }
    (!names.is_empty()).then_some(names)
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn kind_words(kind: &TypeKind) -> String {
    let one = |t: &jsonschema::JsonType| match t.to_string().as_str() {
        "array" => "a list".to_string(),
        "object" => "a group of fields".to_string(),
        "string" => "text".to_string(),
        "integer" => "a whole number".to_string(),
        "number" => "a number".to_string(),
        "boolean" => "true or false".to_string(),
        "null" => "empty".to_string(),
        other => other.to_string(),
    };
    match kind {
        TypeKind::Single(t) => one(t),
        TypeKind::Multiple(ts) => ts.iter().map(|t| one(&t)).collect::<Vec<_>>().join(" or "),
    }
}

fn found_words(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a group of fields",
    }
}

/// Whether an `if`/`then` branch applies to `instance`: every `const` its `if` names matches.
fn branch_applies(branch: &Value, instance: &Value) -> bool {
    let Some(conditions) = branch.pointer("/if/properties").and_then(Value::as_object) else {
        return true;
    };
    conditions.iter().all(|(k, cond)| match cond.get("const") {
        Some(expected) => instance.get(k) == Some(expected),
        None => true,
    })
}

fn type_advice(
    shown: &str,
    kind: &TypeKind,
    value: &Value,
    described: Option<&str>,
    choices: &[String],
) -> (String, String) {
    let expected = kind_words(kind);
    let message = format!(
        "{shown} should be {expected}, but it is {}.",
        found_words(value)
    );
    let help = match (expected.as_str(), value) {
        ("a list", Value::String(s)) => {
            let item = did_you_mean(s, choices.iter().map(String::as_str)).unwrap_or(s);
            format!("Write it as a list in square brackets, such as [{item}].")
        }
        ("text", Value::Number(_)) => "Put the value in double quotes, such as \"07700 900123\", so leading zeros are kept.".to_string(),
        ("text", Value::Bool(_)) => "Put the value in double quotes; yes, no, true and false are read as true or false otherwise.".to_string(),
        (_, Value::Null) => "Fill in a value after the colon, or delete the line.".to_string(),
        ("a group of fields", _) => "Put the fields that belong to it on the lines below, indented by two spaces.".to_string(),
        _ => described.unwrap_or("Check the value against the example listing.").to_string(),
    };
    (message, help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(yaml: &str) -> Vec<Diagnostic> {
        let schema =
            Schema::from_str(DEFAULT_LISTING_SCHEMA, "built-in", "a listing").expect("schema");
        let text = format!("---\n{yaml}---\nBody\n");
        let (source, _) =
            SourceFile::with_front_matter("enterprises/x.md".into(), text).expect("fences");
        let value: serde_yaml::Value = serde_yaml::from_str(source.yaml_text()).expect("yaml");
        let json = serde_json::to_value(value).expect("json");
        schema.check(&source, &json)
    }

    const VALID: &str = "name: Kindly Hands\nsummary: Friendly help at home for older people.\ncouncils: [westmoor]\nsupport_types: [companionship]\nwho_for: [older_people]\nservice_area: {towns: [Williton]}\ncontact: {phone: \"07700 900123\"}\n";

    #[test]
    fn a_valid_listing_has_no_problems() {
        assert_eq!(check(VALID), vec![]);
    }

    #[test]
    fn a_misspelt_field_is_named_with_a_suggestion() {
        let d = check(&VALID.replace("summary:", "sumary:"));
        let unknown = d
            .iter()
            .find(|d| d.code == "unknown-field")
            .expect("unknown field");
        assert_eq!(unknown.field, "sumary");
        assert_eq!(unknown.line, 3);
        assert!(unknown.help.contains("`summary`"), "{}", unknown.help);
        assert!(d
            .iter()
            .any(|d| d.code == "missing-field" && d.field == "summary"));
    }

    #[test]
    fn a_wrong_choice_points_at_the_value() {
        let d = check(&VALID.replace("[companionship]", "[companionship, gardning]"));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            (d[0].code, d[0].field.as_str(), d[0].line, d[0].column),
            ("unknown-value", "support_types[1]", 5, 32)
        );
        assert!(d[0].help.contains("`gardening`"));
    }

    #[test]
    fn an_impossible_date_is_reported() {
        let d = check(&format!("{VALID}review: {{last_checked: 2026-02-30}}\n"));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            (d[0].code, d[0].field.as_str()),
            ("invalid-date", "review.last_checked")
        );
    }

    #[test]
    fn a_single_day_instead_of_a_list_gets_list_advice() {
        let d = check(&format!("{VALID}availability:\n  days: monday\n"));
        assert_eq!(d[0].code, "wrong-type");
        assert_eq!(d[0].line, 10);
        assert!(d[0].help.contains("[mon]"), "{}", d[0].help);
    }

    #[test]
    fn contact_needs_a_phone_or_an_email() {
        let d = check(&VALID.replace(
            "contact: {phone: \"07700 900123\"}",
            "contact: {first_name: Sam}",
        ));
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message.contains("`phone` or `email`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn cqc_errors_describe_the_closest_shape() {
        let d = check(&format!(
            "{VALID}standards:\n  cqc: {{registered: false}}\n"
        ));
        assert!(
            d.iter()
                .any(|d| d.code == "missing-field" && d.field == "standards.cqc.basis"),
            "{d:?}"
        );
        assert!(!d.iter().any(|d| d.field.contains("location_id")), "{d:?}");
    }

    #[test]
    fn suggestions_fit_the_kind_of_evidence_and_the_list() {
        let d = check(&format!("{VALID}standards:\n  evidence:\n    - {{type: public_liability, issued: 2026-01-01}}\n"));
        let unknown = d
            .iter()
            .find(|d| d.code == "unknown-field")
            .expect("unknown");
        assert!(
            unknown.help.contains("expires") && !unknown.help.contains("`issued`"),
            "{}",
            unknown.help
        );
        let d = check(&format!("{VALID}availability:\n  days: monday\n"));
        assert!(d[0].help.contains("[mon]"), "{}", d[0].help);
        let d = check(&VALID.replace("who_for: [older_people]", "who_for: []"));
        assert!(d[0].help.contains("dementia"), "{}", d[0].help);
    }

    #[test]
    fn evidence_needs_the_date_its_kind_carries() {
        let d = check(&format!("{VALID}standards:\n  evidence:\n    - {{type: public_liability, issued: 2026-01-01}}\n"));
        assert!(
            d.iter()
                .any(|d| d.code == "missing-field" && d.field == "standards.evidence[0].expires"),
            "{d:?}"
        );
        assert!(
            d.iter()
                .any(|d| d.code == "unknown-field" && d.field == "standards.evidence[0].issued"),
            "{d:?}"
        );
    }
}
