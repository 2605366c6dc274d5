//! The index's fields: which parts of a listing are searched by words, which are exact keys
//! for filters, and which few are stored for the result list.
//!
//! No field indexes positions: they were 40% of a probe index and would only serve phrase
//! queries, which a resident's search never needs (multi-word synonyms and town names are
//! matched word by word, see `query`). Body text is searched but never stored.

use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED};
use tantivy::TantivyDocument;

use crate::{SearchDoc, SearchError};

/// The tantivy fields, looked up once by name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub slug: Field,
    pub url: Field,
    pub name: Field,
    pub summary: Field,
    pub body: Field,
    /// Readable labels of the listing's keys ("home help", "learning disability", "monday"),
    /// so residents' words meet the enumerations.
    pub tags: Field,
    pub towns: Field,
    /// The towns a result shows: stored, never searched (`towns` is searched, with each
    /// town's other names).
    pub shown_towns: Field,
    pub district: Field,
    pub support: Field,
    pub who_for: Field,
    pub days: Field,
    pub payment: Field,
    pub open: Field,
    pub phone: Field,
    pub status: Field,
    pub checked: Field,
    pub lang: Field,
}

/// Searched text fields and how much a word found in each counts: what a listing is called
/// and what it offers matter more than a passing mention in its body.
pub(crate) const TEXT_WEIGHTS: [(&str, f32); 5] = [
    ("name", 3.0),
    ("tags", 2.5),
    ("towns", 2.0),
    ("summary", 1.5),
    ("body", 0.5),
];

const KEYWORDS: [&str; 7] = [
    "district", "support", "who_for", "days", "payment", "open", "status",
];

impl Fields {
    /// The schema every index is built with, its words analysed in `language` (`cy` for
    /// Welsh, else English).
    pub(crate) fn schema(language: &str) -> Schema {
        let words = TextFieldIndexing::default()
            .set_tokenizer(crate::analysis::name_for(language))
            .set_index_option(IndexRecordOption::WithFreqs);
        let searched = TextOptions::default().set_indexing_options(words);
        // Exact keys only filter; scores and field norms would be wasted bytes.
        let keyword = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        );
        let mut builder = Schema::builder();
        builder.add_text_field("slug", STORED);
        builder.add_text_field("url", STORED);
        builder.add_text_field("phone", STORED);
        builder.add_text_field("checked", STORED);
        builder.add_text_field("lang", STORED);
        builder.add_text_field("shown_towns", STORED);
        for (name, _) in TEXT_WEIGHTS {
            let stored = matches!(name, "name" | "summary");
            let options = if stored {
                searched.clone().set_stored()
            } else {
                searched.clone()
            };
            builder.add_text_field(name, options);
        }
        for name in KEYWORDS {
            // A result's keys are read back from the postings when the index is opened
            // (see `searcher::Keys`), so they cost no stored bytes.
            let options = if name == "open" {
                keyword.clone().set_stored()
            } else {
                keyword.clone()
            };
            builder.add_text_field(name, options);
        }
        builder.build()
    }

    /// Finds the fields in a schema, built here or read from an index file.
    pub(crate) fn of(schema: &Schema) -> Result<Fields, SearchError> {
        let field = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| SearchError::Corrupt(format!("the index has no `{name}` field")))
        };
        Ok(Fields {
            slug: field("slug")?,
            url: field("url")?,
            name: field("name")?,
            summary: field("summary")?,
            body: field("body")?,
            tags: field("tags")?,
            towns: field("towns")?,
            shown_towns: field("shown_towns")?,
            district: field("district")?,
            support: field("support")?,
            who_for: field("who_for")?,
            days: field("days")?,
            payment: field("payment")?,
            open: field("open")?,
            phone: field("phone")?,
            status: field("status")?,
            checked: field("checked")?,
            lang: field("lang")?,
        })
    }

    /// The searched text fields with their weights, in [`TEXT_WEIGHTS`] order.
    pub(crate) fn weighted_text(&self) -> [(Field, f32); 5] {
        let fields = [self.name, self.tags, self.towns, self.summary, self.body];
        let mut out = [(self.name, 0.0); 5];
        for (slot, (field, (_, weight))) in out.iter_mut().zip(fields.into_iter().zip(TEXT_WEIGHTS))
        {
            *slot = (field, weight);
        }
        out
    }

    /// One listing as a tantivy document.
    pub(crate) fn document(&self, doc: &SearchDoc) -> TantivyDocument {
        let mut out = TantivyDocument::default();
        out.add_text(self.slug, &doc.slug);
        out.add_text(self.url, &doc.url);
        if !doc.phone.trim().is_empty() {
            out.add_text(self.phone, doc.phone.trim());
        }
        if is_iso_date(&doc.checked) {
            out.add_text(self.checked, &doc.checked);
        }
        // Only a language code: it becomes a `lang` attribute on the page.
        let lang = doc.lang.trim();
        if (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase()) {
            out.add_text(self.lang, lang);
        }
        if !doc.status.trim().is_empty() {
            out.add_text(self.status, key(&doc.status));
        }
        out.add_text(self.name, &doc.name);
        out.add_text(self.summary, &doc.summary);
        out.add_text(self.body, &doc.body);
        for town in &doc.towns {
            out.add_text(self.shown_towns, town.trim());
        }
        for town in doc.towns.iter().chain(&doc.town_aliases) {
            out.add_text(self.towns, town.trim());
        }
        let labelled = doc
            .support_types
            .iter()
            .chain(&doc.who_for)
            .chain(&doc.payment_accepted);
        for key in labelled {
            out.add_text(self.tags, label(key));
        }
        for name in doc.days.iter().filter_map(|day| day_name(day)) {
            out.add_text(self.tags, name);
        }
        let keys = [
            (self.district, &doc.postcode_districts),
            (self.support, &doc.support_types),
            (self.who_for, &doc.who_for),
            (self.days, &doc.days),
            (self.payment, &doc.payment_accepted),
        ];
        for (field, values) in keys {
            for value in values {
                out.add_text(field, key(value));
            }
        }
        out.add_text(self.open, key(&doc.taking_new_clients));
        out
    }
}

/// Keys are matched exactly, whatever case or spaces an author or a URL used.
pub(crate) fn key(value: &str) -> String {
    value.trim().to_lowercase()
}

/// What residents call a key: `learning_disability` -> "learning disability".
fn label(key: &str) -> String {
    key.trim().replace('_', " ")
}

fn day_name(day: &str) -> Option<&'static str> {
    let name = match key(day).as_str() {
        "mon" => "monday",
        "tue" => "tuesday",
        "wed" => "wednesday",
        "thu" => "thursday",
        "fri" => "friday",
        "sat" => "saturday",
        "sun" => "sunday",
        _ => return None,
    };
    Some(name)
}

/// Whether `text` is a date written YYYY-MM-DD: only such a date is published with results.
fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::Value;

    #[test]
    fn every_field_is_found_again_in_the_schema() {
        assert!(Fields::of(&Fields::schema("en")).is_ok());
    }

    #[test]
    fn labels_and_day_names_go_to_tags() {
        let fields = Fields::of(&Fields::schema("en")).expect("schema");
        let doc = SearchDoc {
            support_types: vec!["home_help".into()],
            who_for: vec!["learning_disability".into()],
            days: vec!["Sat".into()],
            ..SearchDoc::default()
        };
        let tags: Vec<String> = fields
            .document(&doc)
            .get_all(fields.tags)
            .filter_map(|value| value.as_str().map(str::to_owned))
            .collect();
        assert_eq!(tags, ["home help", "learning disability", "saturday"]);
    }
}
