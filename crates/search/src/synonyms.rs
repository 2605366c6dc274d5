//! Words and phrases that mean the same to residents ("cleaner", "home help"), kept by the
//! council in its content repo and shipped inside each index file.
//!
//! Synonyms are expanded when a query is made, not when the index is built: expanding at
//! build time would add every synonym's terms to every listing that uses any of them, which
//! grows the postings residents download, while a query-time expansion costs a few extra term
//! look-ups (microseconds on an index of a thousand listings). It also lets a multi-word
//! synonym ("sitting service") match without storing word positions.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{term_of, words};

/// Groups of words or phrases that mean the same thing, e.g.
/// `["cleaner", "cleaning", "home help", "housework"]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<Vec<String>>", into = "Vec<Vec<String>>")]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
    /// The council's own towns and postcode districts, so a place no listing covers yet is
    /// still read as a place. Not part of the synonym list's JSON: the index keeps them in
    /// its vocabulary.
    #[serde(skip)]
    places: (Vec<String>, Vec<String>),
    /// The language the index is analysed in (`cy` or `en`); kept in its vocabulary.
    #[serde(skip)]
    language: String,
    /// Every kind of help a listing may offer (the content contract's keys), so a kind
    /// nobody offers yet is still read as one, and answered plainly. Kept in the vocabulary.
    #[serde(skip)]
    kinds_of_help: Vec<String>,
}

impl Synonyms {
    /// Keeps each group's non-blank phrases, trimmed; a group needs two phrases to mean
    /// anything, so smaller ones are dropped.
    pub fn new(groups: Vec<Vec<String>>) -> Synonyms {
        let groups = groups
            .into_iter()
            .map(|group| {
                group
                    .into_iter()
                    .map(|phrase| phrase.trim().to_owned())
                    .filter(|phrase| !phrase.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|group| group.len() >= 2)
            .collect();
        Synonyms {
            groups,
            places: Default::default(),
            language: String::new(),
            kinds_of_help: Vec::new(),
        }
    }

    /// The list a council starts from: the words residents and professionals use for the
    /// content contract's support types and client groups.
    pub fn standard() -> Synonyms {
        const STANDARD: &[&[&str]] = &[
            &[
                "home help",
                "cleaner",
                "cleaning",
                "housework",
                "domestic help",
            ],
            &[
                "respite",
                "sitting service",
                "short breaks",
                "carer's break",
            ],
            &[
                "befriending",
                "companionship",
                "company",
                "loneliness",
                "lonely",
            ],
            &["personal care", "washing and dressing", "bathing"],
            &[
                "transport escort",
                "transport",
                "lifts",
                "lift",
                "driver",
                "escort",
                "taxi",
                "hospital",
                "hospital appointments",
            ],
            &["shopping errands", "shopping", "errands", "prescriptions"],
            &["meals", "cooking", "meals on wheels", "hot meals"],
            &[
                "gardening",
                "lawn mowing",
                "grass cutting",
                "hedge trimming",
            ],
            &["handyperson", "handyman", "odd jobs", "small repairs"],
            &["day opportunities", "day centre", "day center", "day care"],
            &[
                "activities hobbies",
                "activities",
                "hobbies",
                "outings",
                "days out",
                "club",
                "clubs",
                "social group",
                "group",
            ],
            &["pet care", "dog walking", "pet sitting"],
            &[
                "older people",
                "elderly",
                "pensioners",
                "seniors",
                "older adults",
            ],
            &["dementia", "alzheimer's", "memory loss"],
            &["learning disability", "learning difficulties"],
            &["autism", "autistic", "asperger's"],
            &["physical disability", "disabled", "wheelchair user"],
            &[
                "sensory impairment",
                "sight loss",
                "hearing loss",
                "deaf",
                "blind",
            ],
            &["mental health", "depression", "anxiety"],
            &["end of life", "palliative"],
            &["direct payment", "personal budget"],
        ];
        Synonyms::new(
            STANDARD
                .iter()
                .map(|group| group.iter().map(|phrase| (*phrase).to_owned()).collect())
                .collect(),
        )
    }

    /// These synonyms with the council's towns and postcode districts, which the index
    /// learns as places even where no listing serves them yet.
    pub fn with_places(mut self, towns: Vec<String>, districts: Vec<String>) -> Synonyms {
        self.places = (towns, districts);
        self
    }

    /// These synonyms with every kind of help a listing may offer, such as `gardening`.
    pub fn with_kinds_of_help(mut self, kinds: Vec<String>) -> Synonyms {
        self.kinds_of_help = kinds;
        self
    }

    /// The kinds of help given by [`with_kinds_of_help`](Self::with_kinds_of_help).
    pub fn kinds_of_help(&self) -> &[String] {
        &self.kinds_of_help
    }

    /// These synonyms for an index in `language` (`cy` for Welsh; English otherwise).
    pub fn in_language(mut self, language: &str) -> Synonyms {
        self.language = language.to_owned();
        self
    }

    /// The language given by [`in_language`](Self::in_language); empty means English.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// What Welsh speakers call the kinds of help and groups of people, each group led by
    /// the English name: added for a council with Welsh pages, so a Welsh query is read as
    /// the English one would be.
    pub fn welsh_groups() -> Vec<Vec<String>> {
        crate::welsh::SYNONYMS
            .iter()
            .map(|group| group.iter().map(|p| (*p).to_owned()).collect())
            .collect()
    }

    /// The council's towns and districts given by [`with_places`](Self::with_places).
    pub fn places(&self) -> (&[String], &[String]) {
        (&self.places.0, &self.places.1)
    }

    /// The groups as given, cleaned of blanks.
    pub fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }

    /// Turns phrases into index terms, so they meet query words after stemming.
    pub(crate) fn compile(&self, analyzer: &mut TextAnalyzer) -> SynonymTable {
        let mut table = SynonymTable::default();
        for group in &self.groups {
            let phrases: Vec<Vec<String>> = group
                .iter()
                .map(|phrase| {
                    words(phrase)
                        .iter()
                        .filter_map(|word| term_of(analyzer, word))
                        .collect::<Vec<_>>()
                })
                .filter(|terms| !terms.is_empty())
                .collect();
            let index = table.groups.len();
            for terms in &phrases {
                table.longest = table.longest.max(terms.len());
                let groups = table.by_phrase.entry(terms.clone()).or_default();
                if !groups.contains(&index) {
                    groups.push(index);
                }
            }
            table.groups.push(phrases);
        }
        table
    }
}

impl From<Vec<Vec<String>>> for Synonyms {
    fn from(groups: Vec<Vec<String>>) -> Self {
        Synonyms::new(groups)
    }
}

impl From<Synonyms> for Vec<Vec<String>> {
    fn from(synonyms: Synonyms) -> Self {
        synonyms.groups
    }
}

/// Synonym phrases as index terms, ready for the query code.
#[derive(Debug, Default)]
pub(crate) struct SynonymTable {
    groups: Vec<Vec<Vec<String>>>,
    by_phrase: HashMap<Vec<String>, Vec<usize>>,
    longest: usize,
}

impl SynonymTable {
    /// The most terms any phrase has: no longer run of query words can match.
    pub(crate) fn longest(&self) -> usize {
        self.longest
    }

    /// Every phrase that means the same as `terms` (other than `terms` itself), or `None`
    /// when `terms` is in no group.
    pub(crate) fn alternatives(&self, terms: &[String]) -> Option<Vec<Vec<String>>> {
        let groups = self.by_phrase.get(terms)?;
        let mut out: Vec<Vec<String>> = Vec::new();
        for phrase in groups.iter().flat_map(|&group| &self.groups[group]) {
            if phrase.as_slice() != terms && !out.contains(phrase) {
                out.push(phrase.clone());
            }
        }
        Some(out)
    }

    /// Every phrase of every group that has a one-word phrase within `distance` edits of
    /// `term`: what a misspelt synonym stands for. Empty when `distance` is 0.
    pub(crate) fn near(&self, term: &str, distance: u8) -> Vec<Vec<String>> {
        if distance == 0 {
            return Vec::new();
        }
        let mut out: Vec<Vec<String>> = Vec::new();
        for (phrase, groups) in &self.by_phrase {
            let [word] = phrase.as_slice() else { continue };
            if edits(word, term) > usize::from(distance) {
                continue;
            }
            for phrase in groups.iter().flat_map(|&group| &self.groups[group]) {
                if !out.contains(phrase) {
                    out.push(phrase.clone());
                }
            }
        }
        out.sort();
        out
    }
}

/// Edit distance where swapping two neighbouring letters counts as one edit, as it does in
/// tantivy's typo matching.
fn edits(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    rows[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::english;

    fn strings(terms: &[&str]) -> Vec<String> {
        terms.iter().map(|term| (*term).to_owned()).collect()
    }

    #[test]
    fn blank_phrases_and_lonely_groups_are_dropped() {
        let synonyms = Synonyms::new(vec![
            vec![" cleaner ".into(), "".into(), "home help".into()],
            vec!["respite".into(), "  ".into()],
        ]);
        assert_eq!(synonyms.groups(), [strings(&["cleaner", "home help"])]);
    }

    #[test]
    fn phrases_match_after_stemming_and_stop_words() {
        let table = Synonyms::standard().compile(&mut english());
        // "carers break" and "carer's break" are the same terms.
        let alternatives = table
            .alternatives(&strings(&["carer", "break"]))
            .expect("carer's break is a synonym");
        assert!(alternatives.contains(&strings(&["sit", "servic"])));
        assert!(alternatives.contains(&strings(&["respit"])));
        assert!(!alternatives.contains(&strings(&["carer", "break"])));
        assert!(table.alternatives(&strings(&["garden", "tool"])).is_none());
        assert_eq!(table.longest(), 2);
    }

    #[test]
    fn misspelt_synonyms_bring_their_group() {
        let table = Synonyms::standard().compile(&mut english());
        let near = table.near("befreind", 1);
        assert!(near.contains(&strings(&["companionship"])));
        assert!(table.near("befreind", 0).is_empty());
        assert!(table.near("xylophon", 2).is_empty());
    }

    #[test]
    fn swapped_letters_are_one_edit() {
        assert_eq!(edits("befriend", "befreind"), 1);
        assert_eq!(edits("garden", "gardn"), 1);
        assert_eq!(edits("", "abc"), 3);
    }

    #[test]
    fn serialises_as_plain_groups() {
        let synonyms = Synonyms::new(vec![vec!["a b".into(), "c".into()]]);
        let json = serde_json::to_string(&synonyms).expect("serialise");
        assert_eq!(json, r#"[["a b","c"]]"#);
        let back: Synonyms = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, synonyms);
    }
}
