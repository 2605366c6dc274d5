//! Reads what a resident typed against the council's own vocabulary: the kinds of help and
//! groups its listings offer (by their names and the synonyms), its towns and postcode
//! districts, and a few conditions (direct payments, taking new clients, days). What is
//! understood becomes a constraint a listing must meet; filler ("someone", "my mum", "who
//! takes") is dropped; everything else is left as free words, which rank but never veto
//! when something was understood.
//!
//! Words are compared as the index compares them (lower case, accents folded, stemmed), and
//! a word naming the one who does it meets the doing: "gardener" -> "garden", "sitter" ->
//! "sit", "cleaner" -> "clean".

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{term_of, terms_of, words};
use crate::Synonyms;

/// The council's words, from its listings and synonyms: shipped in each index file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Vocabulary {
    /// Support type keys some listing offers, such as `home_help`.
    pub support_types: Vec<String>,
    /// Who-for keys some listing names, such as `dementia`.
    pub who_for: Vec<String>,
    /// Payment keys, such as `direct_payment`.
    pub payments: Vec<String>,
    /// Town names as listings and the council write them, such as `Shepton Mallet`.
    pub towns: Vec<String>,
    /// Postcode districts in upper case, such as `TA4`.
    pub districts: Vec<String>,
    /// The council's own towns and districts (also in `towns` and `districts`), kept apart
    /// so a patched index can work the rest out again from its listings.
    pub council_towns: Vec<String>,
    pub council_districts: Vec<String>,
    /// The language the index is analysed in: `cy` for Welsh, empty or `en` for English.
    pub language: String,
}

/// One thing understood in the query, and the words that said it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// `support`, `who_for`, `place`, `payment`, `open` or `day`.
    pub kind: String,
    /// The keys it stands for (any of them will do): support or who-for keys, town names,
    /// districts, payment keys, day keys; empty for `open`.
    pub values: Vec<String>,
    /// The words typed for it, as typed.
    pub typed: String,
    /// The query with these words taken out: the search without this part.
    pub without: String,
}

/// What a query was read as.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Understood {
    pub parts: Vec<Part>,
    /// Words left as free text (not understood, not filler), as typed.
    pub words: Vec<String>,
}

impl Understood {
    /// The values of every part of `kind`.
    pub fn values(&self, kind: &str) -> Vec<String> {
        self.parts
            .iter()
            .filter(|p| p.kind == kind)
            .flat_map(|p| p.values.iter().cloned())
            .collect()
    }
}

/// Words that say nothing about the help wanted: who is asking, for whom, and the glue of
/// a sentence. They never keep a listing out.
const FILLER: &[&str] = &[
    "someone",
    "somebody",
    "anyone",
    "anybody",
    "person",
    "people",
    "who",
    "whom",
    "takes",
    "take",
    "taking",
    "has",
    "have",
    "had",
    "having",
    "needs",
    "need",
    "needed",
    "needing",
    "want",
    "wants",
    "wanted",
    "looking",
    "look",
    "find",
    "finding",
    "help",
    "helps",
    "helping",
    "helper",
    "my",
    "mum",
    "mom",
    "mother",
    "dad",
    "father",
    "husband",
    "wife",
    "partner",
    "son",
    "daughter",
    "nan",
    "gran",
    "grandma",
    "grandad",
    "grandpa",
    "friend",
    "neighbour",
    "me",
    "i",
    "im",
    "we",
    "our",
    "us",
    "can",
    "could",
    "would",
    "please",
    "local",
    "nearby",
    "near",
    "around",
    "area",
    "live",
    "lives",
    "living",
    "with",
    "in",
    "at",
    "on",
    "for",
    "to",
    "of",
    "and",
    "or",
    "a",
    "an",
    "the",
    "is",
    "are",
    "be",
    "do",
    "does",
    "some",
    "any",
    "that",
    "which",
    "who's",
    "s",
    "get",
    "go",
    "going",
    "out",
    "from",
    "by",
    "who",
    "offers",
    "offer",
    "offering",
    "provide",
    "provides",
    "service",
    "services",
    "support",
    "care",
    "someone's",
    "accepts",
    "accept",
    "accepting",
    "uses",
    "use",
    "using",
    "also",
    "good",
    "nice",
    "friendly",
    "kind",
    "reliable",
    "cheap",
];

/// Whether `word` is filler: a word that says nothing about the help wanted.
pub(crate) fn is_filler(word: &str) -> bool {
    FILLER.contains(&word) || crate::welsh::FILLER.contains(&word)
}

/// Words of a support type's or group's name too general to name it alone ("care" is in
/// "personal care", "day" in "day opportunities").
const GENERIC: &[&str] = &[
    "support",
    "care",
    "help",
    "service",
    "services",
    "day",
    "people",
    "life",
    "health",
    "term",
    "condition",
    "end",
    "of",
    "and",
    "short",
    "personal",
    "home",
    "work",
    "learning",
    "physical",
    "disability",
    "carer",
    "long",
    "impairment",
    "self",
    "funded",
    "budget",
];

/// Phrases that mean "taking new clients".
const OPEN: &[&[&str]] = &[
    &["taking", "new", "clients"],
    &["accepting", "new", "clients"],
    &["new", "clients"],
    &["new", "customers"],
    &["taking", "on"],
    &["available", "now"],
    &["vacancies"],
    &["vacancy"],
    &["spaces"],
    &["space"],
];

const DAYS: &[(&str, &[&str])] = &[
    ("monday", &["mon"]),
    ("mondays", &["mon"]),
    ("tuesday", &["tue"]),
    ("tuesdays", &["tue"]),
    ("wednesday", &["wed"]),
    ("wednesdays", &["wed"]),
    ("thursday", &["thu"]),
    ("thursdays", &["thu"]),
    ("friday", &["fri"]),
    ("fridays", &["fri"]),
    ("saturday", &["sat"]),
    ("saturdays", &["sat"]),
    ("sunday", &["sun"]),
    ("sundays", &["sun"]),
    ("weekend", &["sat", "sun"]),
    ("weekends", &["sat", "sun"]),
    ("weekday", &["mon", "tue", "wed", "thu", "fri"]),
    ("weekdays", &["mon", "tue", "wed", "thu", "fri"]),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Support,
    WhoFor,
    Payment,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Support => "support",
            Kind::WhoFor => "who_for",
            Kind::Payment => "payment",
        }
    }
}

/// One way of naming a key: its terms, and how surely they name it (the key's own name
/// beats a synonym, a whole phrase beats one word of it).
#[derive(Debug, Clone)]
struct Trigger {
    terms: Vec<String>,
    kind: Kind,
    key: String,
    strength: u8,
}

/// The vocabulary made ready for reading queries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reader {
    triggers: Vec<Trigger>,
    /// Each town's words (folded, not stemmed) and its name.
    towns: Vec<(Vec<String>, String)>,
    districts: BTreeSet<String>,
    longest: usize,
    /// A Welsh index: a typed place name may be mutated ("yng Nghaerdydd").
    welsh: bool,
}

/// A word with the forms it may be compared by.
struct Typed {
    word: String,
    /// The stemmed term (and, in Welsh, its radicals' terms), and the stem of the word
    /// without an agent ending ("-er").
    forms: Vec<String>,
    /// In Welsh, the radicals the word may be a mutation of, unstemmed, for place names.
    radicals: Vec<String>,
}

impl Reader {
    pub(crate) fn new(
        vocabulary: &Vocabulary,
        synonyms: &Synonyms,
        analyzer: &mut TextAnalyzer,
    ) -> Reader {
        let mut reader = Reader {
            welsh: vocabulary.language == "cy",
            ..Reader::default()
        };
        let terms_of = |analyzer: &mut TextAnalyzer, phrase: &str| -> Vec<String> {
            words(phrase)
                .iter()
                .filter_map(|w| term_of(analyzer, w))
                .collect()
        };
        let keyed = vocabulary
            .support_types
            .iter()
            .map(|k| (Kind::Support, k))
            .chain(vocabulary.who_for.iter().map(|k| (Kind::WhoFor, k)))
            .chain(vocabulary.payments.iter().map(|k| (Kind::Payment, k)));
        for (kind, key) in keyed {
            let label = key.replace('_', " ");
            let label_terms = terms_of(analyzer, &label);
            if label_terms.is_empty() {
                continue;
            }
            let mut add = |terms: Vec<String>, strength: u8| {
                if !terms.is_empty() {
                    reader.triggers.push(Trigger {
                        terms,
                        kind,
                        key: key.clone(),
                        strength,
                    });
                }
            };
            add(label_terms.clone(), 4);
            for word in words(&label) {
                if GENERIC.contains(&word.as_str()) {
                    continue;
                }
                if let Some(term) = term_of(analyzer, &word) {
                    add(vec![term], 3);
                }
            }
            for group in synonyms.groups() {
                let names_it = group
                    .iter()
                    .any(|phrase| terms_of(analyzer, phrase) == label_terms);
                if !names_it {
                    continue;
                }
                for phrase in group {
                    add(terms_of(analyzer, phrase), 2);
                }
            }
        }
        // At least as long as the longest phrase for days and "taking new clients".
        reader.longest = reader
            .triggers
            .iter()
            .map(|t| t.terms.len())
            .max()
            .unwrap_or(1)
            .max(3);
        for town in &vocabulary.towns {
            // Compared as typed words are, without the words the index never keeps: "Y
            // Fenni" is read from "fenni", "Stow on the Wold" from "stow wold".
            let folded: Vec<String> = words(town)
                .into_iter()
                .filter(|w| term_of(analyzer, w).is_some())
                .collect();
            if !folded.is_empty() && !reader.towns.iter().any(|(w, _)| *w == folded) {
                reader.longest = reader.longest.max(folded.len());
                reader.towns.push((folded, town.trim().to_owned()));
            }
        }
        reader.districts = vocabulary
            .districts
            .iter()
            .map(|d| d.trim().to_lowercase())
            .collect();
        reader
    }

    /// Reads `text`.
    pub(crate) fn read(&self, text: &str, analyzer: &mut TextAnalyzer) -> Understood {
        let typed: Vec<Typed> = words(text)
            .into_iter()
            .map(|word| {
                let mut forms: Vec<String> = terms_of(analyzer, &word);
                if let Some(root) = without_agent_ending(&word) {
                    forms.extend(term_of(analyzer, &root));
                }
                let radicals = if self.welsh {
                    crate::welsh::radicals(&word)
                } else {
                    Vec::new()
                };
                Typed {
                    word,
                    forms,
                    radicals,
                }
            })
            // Words the index never keeps ("of", "in", "my") join nothing: "end of life" is
            // read as "end life", as its name is.
            .filter(|t| {
                !t.forms.is_empty() || is_outward(&t.word) || DAYS.iter().any(|(d, _)| *d == t.word)
            })
            .collect();
        let mut parts: Vec<(usize, usize, String, Vec<String>)> = Vec::new();
        let mut free = Vec::new();
        let mut i = 0;
        while i < typed.len() {
            if let Some((len, kind, values)) = self.at(&typed, i) {
                parts.push((i, i + len, kind, values));
                i += len;
                continue;
            }
            let word = typed[i].word.as_str();
            // A mutated filler word ("gymorth", "ofal") is filler too.
            let filler = is_filler(word) || typed[i].radicals.iter().any(|r| is_filler(r));
            if !filler && !typed[i].forms.is_empty() {
                free.push(word.to_owned());
            }
            i += 1;
        }
        // The same kind said twice ("cleaning, housework") is one part.
        let mut merged: Vec<Part> = Vec::new();
        let words_typed: Vec<&str> = typed.iter().map(|t| t.word.as_str()).collect();
        for (start, end, kind, values) in parts {
            let said = words_typed[start..end].join(" ");
            let without: Vec<&str> = words_typed[..start]
                .iter()
                .chain(&words_typed[end..])
                .copied()
                .collect();
            match merged.iter_mut().find(|p| p.kind == kind) {
                Some(part) => {
                    for v in values {
                        if !part.values.contains(&v) {
                            part.values.push(v);
                        }
                    }
                    part.typed = format!("{} {said}", part.typed);
                    let gone: BTreeSet<&str> = part.typed.split(' ').collect();
                    part.without = words_typed
                        .iter()
                        .filter(|w| !gone.contains(*w))
                        .copied()
                        .collect::<Vec<_>>()
                        .join(" ");
                }
                None => merged.push(Part {
                    kind,
                    values,
                    typed: said,
                    without: without.join(" "),
                }),
            }
        }
        Understood {
            parts: merged,
            words: free,
        }
    }

    /// The longest understood thing starting at word `i`: its length, kind and values.
    fn at(&self, typed: &[Typed], i: usize) -> Option<(usize, String, Vec<String>)> {
        let word = typed[i].word.as_str();
        // A postcode: its district, whether or not a listing serves it.
        if let Some(next) = typed.get(i + 1) {
            if is_outward(word) && is_inward(&next.word) {
                return Some((2, "place".into(), vec![word.to_uppercase()]));
            }
        }
        if let Some(code) = full_postcode(word) {
            return Some((1, "place".into(), vec![code.to_uppercase()]));
        }
        let longest = self.longest.min(typed.len() - i).max(1);
        for len in (1..=longest).rev() {
            let span = &typed[i..i + len];
            let folded: Vec<&str> = span.iter().map(|t| t.word.as_str()).collect();
            let names_town = |town_words: &Vec<String>| {
                town_words.len() == span.len()
                    && town_words
                        .iter()
                        .zip(span)
                        .all(|(w, t)| *w == t.word || t.radicals.contains(w))
            };
            if let Some((_, town)) = self.towns.iter().find(|(w, _)| names_town(w)) {
                return Some((len, "place".into(), vec![town.clone()]));
            }
            if let Some(found) = self.trigger(span) {
                return Some((len, found.0, found.1));
            }
            if let Some(days) = day(&folded) {
                return Some((len, "day".into(), days));
            }
            if OPEN.contains(&folded.as_slice()) || crate::welsh::OPEN.contains(&folded.as_slice())
            {
                return Some((len, "open".into(), Vec::new()));
            }
        }
        if is_outward(word) && (self.districts.contains(word) || typed.len() == 1) {
            return Some((1, "place".into(), vec![word.to_uppercase()]));
        }
        // A near miss of a one-word name ("gardner"), when the word itself names nothing.
        if word.chars().count() >= 5 && !is_filler(word) {
            return self.near_trigger(&typed[i]);
        }
        None
    }

    /// The keys `span` names, with the surest triggers only.
    fn trigger(&self, span: &[Typed]) -> Option<(String, Vec<String>)> {
        let matches = |t: &&Trigger| {
            t.terms.len() == span.len()
                && t.terms
                    .iter()
                    .zip(span)
                    .all(|(term, typed)| typed.forms.contains(term))
        };
        let found: Vec<&Trigger> = self.triggers.iter().filter(matches).collect();
        let best = found
            .iter()
            .map(|t| (t.strength, std::cmp::Reverse(t.kind)))
            .max()?;
        let kind = best.1 .0;
        let mut keys: Vec<String> = found
            .iter()
            .filter(|t| t.strength == best.0 && t.kind == kind)
            .map(|t| t.key.clone())
            .collect();
        keys.dedup();
        Some((kind.name().to_owned(), keys))
    }

    /// A one-word trigger one edit from the word (two for long words).
    fn near_trigger(&self, typed: &Typed) -> Option<(usize, String, Vec<String>)> {
        // One edit, and the same first letter: "gardner" is gardening, but "hospital" is
        // not "respite" (two edits between their stems).
        let limit = 1;
        let first = typed.word.chars().next();
        let mut best: Option<(usize, &Trigger)> = None;
        for t in self
            .triggers
            .iter()
            .filter(|t| t.terms.len() == 1 && t.terms[0].chars().next() == first)
        {
            let distance = typed
                .forms
                .iter()
                .chain(std::iter::once(&typed.word))
                .map(|f| edits(f, &t.terms[0]))
                .min()
                .unwrap_or(usize::MAX);
            if distance <= limit
                && best.is_none_or(|(d, b)| {
                    (distance, std::cmp::Reverse(t.strength)) < (d, std::cmp::Reverse(b.strength))
                })
            {
                best = Some((distance, t));
            }
        }
        best.map(|(_, t)| (1, t.kind.name().to_owned(), vec![t.key.clone()]))
    }
}

fn day(folded: &[&str]) -> Option<Vec<String>> {
    if let Some((_, keys)) = crate::welsh::DAYS
        .iter()
        .find(|(words, _)| *words == folded)
    {
        return Some(keys.iter().map(|k| (*k).to_owned()).collect());
    }
    let [word] = folded else { return None };
    DAYS.iter()
        .find(|(name, _)| name == word)
        .map(|(_, keys)| keys.iter().map(|k| (*k).to_owned()).collect())
}

/// "gardener" -> "garden", "sitter" -> "sit", "walker" -> "walk"; `None` for other words.
fn without_agent_ending(word: &str) -> Option<String> {
    let root = word
        .strip_suffix("ers")
        .or_else(|| word.strip_suffix("er"))?;
    if root.chars().count() < 3 {
        return None;
    }
    let bytes = root.as_bytes();
    let doubled = bytes.len() >= 2 && bytes[bytes.len() - 1] == bytes[bytes.len() - 2];
    Some(if doubled {
        root[..root.len() - 1].to_owned()
    } else {
        root.to_owned()
    })
}

/// An outward code: one or two letters, a digit, then maybe a digit or a letter.
fn is_outward(word: &str) -> bool {
    let bytes = word.as_bytes();
    let letters = bytes.iter().take_while(|b| b.is_ascii_lowercase()).count();
    let rest = &bytes[letters..];
    (1..=2).contains(&letters)
        && match rest {
            [digit] => digit.is_ascii_digit(),
            [digit, last] => digit.is_ascii_digit() && last.is_ascii_alphanumeric(),
            _ => false,
        }
}

fn is_inward(word: &str) -> bool {
    matches!(word.as_bytes(), [d, a, b] if d.is_ascii_digit() && a.is_ascii_lowercase() && b.is_ascii_lowercase())
}

fn full_postcode(word: &str) -> Option<&str> {
    let split = word.len().checked_sub(3)?;
    let (outward, inward) = (word.get(..split)?, word.get(split..)?);
    (is_outward(outward) && is_inward(inward)).then_some(outward)
}

fn edits(a: &str, b: &str) -> usize {
    strsim_levenshtein(a, b)
}

fn strsim_levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(prev + usize::from(ca != *cb));
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::english;

    fn reader() -> (Reader, TextAnalyzer) {
        let mut analyzer = english();
        let vocabulary = Vocabulary {
            support_types: [
                "shopping_errands",
                "home_help",
                "gardening",
                "sitting_service",
                "pet_care",
                "transport_escort",
                "activities_hobbies",
                "day_opportunities",
            ]
            .map(String::from)
            .to_vec(),
            who_for: ["older_people", "dementia", "learning_disability"]
                .map(String::from)
                .to_vec(),
            payments: ["direct_payment", "self_funded"].map(String::from).to_vec(),
            towns: ["Williton", "Bridgwater", "Shepton Mallet", "Street"]
                .map(String::from)
                .to_vec(),
            districts: ["TA4", "TA6"].map(String::from).to_vec(),
            ..Vocabulary::default()
        };
        (
            Reader::new(&vocabulary, &Synonyms::standard(), &mut analyzer),
            analyzer,
        )
    }

    fn read(text: &str) -> Understood {
        let (reader, mut analyzer) = reader();
        reader.read(text, &mut analyzer)
    }

    fn kinds(u: &Understood) -> Vec<(String, Vec<String>)> {
        u.parts
            .iter()
            .map(|p| (p.kind.clone(), p.values.clone()))
            .collect()
    }

    #[test]
    fn a_sentence_becomes_its_constraints_and_filler_goes() {
        let u = read("someone to help my mum with shopping in Williton");
        assert_eq!(
            kinds(&u),
            [
                ("support".to_owned(), vec!["shopping_errands".to_owned()]),
                ("place".to_owned(), vec!["Williton".to_owned()]),
            ]
        );
        assert!(u.words.is_empty(), "{:?}", u.words);
        let u = read("a cleaner in Bridgwater who takes direct payments");
        assert_eq!(
            kinds(&u),
            [
                ("support".to_owned(), vec!["home_help".to_owned()]),
                ("place".to_owned(), vec!["Bridgwater".to_owned()]),
                ("payment".to_owned(), vec!["direct_payment".to_owned()]),
            ]
        );
        assert_eq!(u.parts[1].without, "cleaner takes direct payments");
    }

    #[test]
    fn word_forms_typos_places_and_postcodes_are_understood() {
        assert_eq!(kinds(&read("gardener"))[0].1, ["gardening"]);
        assert_eq!(kinds(&read("gardner"))[0].1, ["gardening"]);
        assert_eq!(kinds(&read("sitter"))[0].1, ["sitting_service"]);
        assert_eq!(
            kinds(&read("help in Shepton Mallet"))[0].1,
            ["Shepton Mallet"]
        );
        assert_eq!(kinds(&read("cleaning street"))[1].1, ["Street"]);
        assert_eq!(kinds(&read("gardening ta4 2pq"))[1].1, ["TA4"]);
        assert_eq!(
            kinds(&read("gardening weekends"))[1],
            ("day".to_owned(), vec!["sat".to_owned(), "sun".to_owned()])
        );
        assert_eq!(kinds(&read("taking new clients"))[0].0, "open");
        assert_eq!(kinds(&read("dementia"))[0].1, ["dementia"]);
        let u = read("chiropodist");
        assert!(u.parts.is_empty());
        assert_eq!(u.words, ["chiropodist"]);
    }
}
