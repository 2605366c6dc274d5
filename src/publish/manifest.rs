//! The manifest each council's site carries, `carepages-manifest.json`: which listings the
//! build published, field by field, with the council and the carepages that built it. It
//! is how `carepages diff` tells what a site publishes now without reading its pages. It
//! holds only what the listings' pages already show (the description as a fingerprint),
//! in a fixed order, so the same build always writes the same bytes.

use crate::content::FrontMatter;
use crate::standards::{Council, Listing};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// Where the manifest is in a council's site.
pub const MANIFEST_PATH: &str = "carepages-manifest.json";

/// The manifest's own format: a carepages that writes another cannot compare with this one.
pub const MANIFEST_FORMAT: u32 = 1;

/// What one council's site published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The carepages version that built the site.
    pub carepages: String,
    /// The council's id: its folder in `output/`.
    pub council: String,
    /// The day the build judged every date rule on.
    pub today: String,
    /// Published listings by id.
    pub listings: BTreeMap<String, PublishedListing>,
}

/// One published listing as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedListing {
    pub slug: String,
    pub name: String,
    /// Each field of the front matter, flattened to a dotted path and a line of text.
    pub fields: BTreeMap<String, String>,
}

/// Why a manifest could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{path} has no {MANIFEST_PATH}: it was not built by carepages {} or later; build it again with this version, or compare with a git revision (--since)", env!("CARGO_PKG_VERSION"))]
    Missing { path: String },
    #[error("{path} could not be read: {why}")]
    Unreadable { path: String, why: String },
    #[error("{path} was written by carepages {version} in another format ({format}, this version reads {MANIFEST_FORMAT}); build the site again with this version")]
    OtherFormat {
        path: String,
        version: String,
        format: u32,
    },
}

impl Manifest {
    /// The manifest of `listings`, the listings `council`'s site publishes.
    pub fn of(council: &Council, listings: &[&Listing], today: time::Date) -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT,
            carepages: env!("CARGO_PKG_VERSION").to_string(),
            council: council.id.clone(),
            today: today.to_string(),
            listings: listings
                .iter()
                .map(|l| (l.id.clone(), PublishedListing::of(l)))
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads the manifest of the site in `site` (a council's folder).
    pub fn read(site: &Path) -> Result<Manifest, ManifestError> {
        let path = site.join(MANIFEST_PATH);
        let shown = site.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ManifestError::Missing { path: shown })
            }
            Err(e) => {
                return Err(ManifestError::Unreadable {
                    path: path.display().to_string(),
                    why: e.to_string(),
                })
            }
        };
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| ManifestError::Unreadable {
                path: path.display().to_string(),
                why: e.to_string(),
            })?;
        let format = value
            .get("format")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if format != u64::from(MANIFEST_FORMAT) {
            return Err(ManifestError::OtherFormat {
                path: path.display().to_string(),
                version: value
                    .get("carepages")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("unknown")
                    .to_string(),
                format: u32::try_from(format).unwrap_or(u32::MAX),
            });
        }
        serde_json::from_value(value).map_err(|e| ManifestError::Unreadable {
            path: path.display().to_string(),
            why: e.to_string(),
        })
    }
}

impl PublishedListing {
    pub fn of(listing: &Listing) -> PublishedListing {
        PublishedListing {
            slug: listing.slug.clone(),
            name: listing.front.name.clone(),
            fields: fields(&listing.front, &listing.body),
        }
    }
}

/// A listing's fields as dotted paths (`contact.phone`) and one line of text each: lists of
/// words joined with commas, lists of records one record after another. The description
/// is a fingerprint: a change to it shows, its words stay on the page.
pub fn fields(front: &FrontMatter, body: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(value) = serde_json::to_value(front) {
        flatten("", &value, &mut out);
    }
    out.remove("id");
    // Only listings with consent are published: it says nothing on a site.
    out.remove("consent.publish");
    // Evidence references are for the council, not the page; its dates are shown to the
    // month, as the pages show them.
    out.retain(|k, _| !k.ends_with("register_ref"));
    if let Some(evidence) = out.get_mut("standards.evidence") {
        *evidence = to_the_month(evidence);
    }
    // A web address the pages would not link to is not published here either.
    if let Some(website) = out.get_mut("contact.website") {
        if crate::urls::web_link(website).is_none() {
            *website = format!("not a web address, fingerprint {}", fingerprint(website));
        }
    }
    out.insert(
        "description".into(),
        format!(
            "{} characters, fingerprint {}",
            body.trim().chars().count(),
            fingerprint(body.trim())
        ),
    );
    out
}

/// `text` with each date written YYYY-MM-DD cut to YYYY-MM.
fn to_the_month(text: &str) -> String {
    let bytes = text.as_bytes();
    let is_date = |at: usize| {
        bytes.get(at..at + 10).is_some_and(|d| {
            d.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                _ => c.is_ascii_digit(),
            })
        })
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if is_date(i) {
            out.push_str(&text[i..i + 7]);
            i += 10;
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The first 16 hexadecimal digits of the text's SHA-256: the same text, the same digits.
fn fingerprint(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    use serde_json::Value;
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (k, v) in map {
                flatten(&join(k), v, out);
            }
        }
        Value::Array(items) if items.is_empty() => {}
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(inline).collect();
            let sep = if items.iter().any(Value::is_object) {
                "; "
            } else {
                ", "
            };
            out.insert(prefix.to_string(), parts.join(sep));
        }
        Value::Bool(false) if prefix.ends_with("update_service") => {}
        scalar => {
            out.insert(prefix.to_string(), inline(scalar));
        }
    }
}

/// One value as a line of text: a record as `key: value` pairs, without empty ones.
fn inline(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::String(s) => s.clone(),
        Value::Object(map) => {
            let pairs = map
                .iter()
                .filter(|(k, v)| {
                    !v.is_null()
                        && !matches!(k.as_str(), "register_ref" | "type")
                        && **v != Value::Bool(false)
                })
                .map(|(k, v)| format!("{k} {}", inline(v)))
                .collect::<Vec<_>>()
                .join(", ");
            match map.get("type") {
                Some(kind) => format!("{}: {pairs}", inline(kind)),
                None => pairs,
            }
        }
        Value::Array(items) => items.iter().map(inline).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front(extra: &str) -> FrontMatter {
        let yaml = format!(
            "name: A\nsummary: S\ncouncils: [c]\nsupport_types: [companionship, home_help]\nwho_for: [older_people]\nservice_area: {{towns: [X]}}\ncontact: {{phone: \"07700 900123\"}}\n{extra}"
        );
        serde_yaml::from_str(&yaml).expect("front matter")
    }

    #[test]
    fn fields_are_flat_lines_a_person_can_compare() {
        let f = fields(
            &front("standards:\n  evidence:\n    - {type: public_liability, expires: 2027-01-31, register_ref: X1}\n    - {type: dbs_enhanced, issued: 2025-10-15, update_service: true}\n"),
            "Hello.",
        );
        assert_eq!(f["support_types"], "companionship, home_help");
        assert_eq!(f["contact.phone"], "07700 900123");
        assert_eq!(
            f["standards.evidence"],
            "public_liability: expires 2027-01; dbs_enhanced: issued 2025-10, update_service true"
        );
        assert!(f["description"].starts_with("6 characters, fingerprint "));
        assert!(!f.values().any(|v| v.contains("X1")));
        let mut hostile = front("");
        hostile.contact.website = Some("javascript:alert(1)".into());
        let f = fields(&hostile, "");
        assert!(f["contact.website"].starts_with("not a web address"));
    }
}
