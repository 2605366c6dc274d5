//! From what a resident typed to tantivy queries; the one place that decides what matches.
//!
//! The text becomes a list of [`Concept`]s: a postcode ("TA4 2PQ", "ta42pq") becomes its
//! outward code, a run of words that is a synonym phrase ("sitting service") becomes that
//! phrase or any other of its group, and every other word stands alone. The searcher then
//! asks for listings that match every concept, each concept in any searched field. Words in
//! a multi-word town or synonym are matched one by one, anywhere in the field: the index
//! stores no positions, and "Shepton Mallet" meets "Shepton" and "Mallet" just as well.
//!
//! A word is forgiving in two ways. One that is not in the index at all (a typo) also
//! matches terms one edit away (two for long words); a real word does not, or "carers" would
//! find every listing that says "care". The last word, while the resident is still typing,
//! also matches as the start of a word ("gard" finds "gardening"). Both are resolved against
//! the term dictionaries into plain terms, so a typo match is ranked by BM25 like any word.

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DfaWrapper, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocId, DocSet, Searcher, SegmentOrdinal, TantivyError, Term, TERMINATED};

use crate::analysis::{terms_of, words};
use crate::schema::Fields;
use crate::synonyms::SynonymTable;
use crate::SearchError;

/// How much a word's radical counts against the word as typed ("nghymorth" meeting
/// "cymorth"): nearly as much, since the mutation only says where the word stood.
const RADICAL_WEIGHT: f32 = 0.9;
/// How much a typo match counts against the word itself.
const TYPO_WEIGHT: f32 = 0.5;
/// How much a started word counts against the word itself.
const PREFIX_WEIGHT: f32 = 0.4;
/// How much another phrase of a synonym group counts against the phrase typed.
const SYNONYM_WEIGHT: f32 = 0.8;
/// A listing serving the postcode district counts like a town named in its area.
const DISTRICT_SCORE: f32 = 2.0;
/// Shorter starts ("ga") would match half the index while the resident is still typing.
const SHORTEST_PREFIX: usize = 3;
/// A start matches at most this many terms per field, so "car" stays fast on a big index.
const MOST_PREFIX_TERMS: usize = 50;

/// One typed word and its index term.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Word {
    /// Lowercased and accent-folded, as typed: used for typo lengths and prefixes.
    pub typed: String,
    /// What the analyzer makes of it (stemmed).
    pub term: String,
    /// In a Welsh index, the radicals it may be a mutation of ("cymorth" for "nghymorth").
    pub radicals: Vec<String>,
    /// The last word of a query that does not end in a space: the resident may still be
    /// typing it.
    pub prefix: bool,
}

/// One thing the resident asked for; a listing must match each one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Concept {
    Word(Word),
    /// Words that form a synonym phrase: found as typed, or as another phrase of its group.
    Phrase {
        typed: Vec<Word>,
        alternatives: Vec<Vec<String>>,
    },
    /// A postcode's outward code. `word` is kept when the code was typed alone, since "m4"
    /// could also be a word in a listing.
    District {
        code: String,
        word: Option<Word>,
    },
}

impl Concept {
    /// What the resident typed for this concept, to tell them when it matched nothing.
    pub(crate) fn typed(&self) -> String {
        match self {
            Concept::Word(word) => word.typed.clone(),
            Concept::Phrase { typed, .. } => typed
                .iter()
                .map(|word| word.typed.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            Concept::District { code, .. } => code.to_uppercase(),
        }
    }
}

/// Reads a query text into concepts, in the order typed. Stop words vanish; an empty list
/// means "no words", and the searcher then lists by filters alone.
pub(crate) fn parse(
    text: &str,
    analyzer: &mut TextAnalyzer,
    synonyms: &SynonymTable,
) -> Vec<Concept> {
    let typed = words(text);
    let still_typing = !text.ends_with(char::is_whitespace);
    let mut concepts = Vec::new();
    let mut run: Vec<Word> = Vec::new();
    let mut i = 0;
    while i < typed.len() {
        let word = &typed[i];
        let is_last = i + 1 == typed.len();
        let district = match typed.get(i + 1) {
            Some(next) if is_outward(word) && is_inward(next) => Some((word.clone(), 2, false)),
            _ => full_postcode(word)
                .map(|code| (code.to_owned(), 1, false))
                .or_else(|| is_outward(word).then(|| (word.clone(), 1, true))),
        };
        if let Some((code, used, also_a_word)) = district {
            concepts.extend(phrases(std::mem::take(&mut run), synonyms));
            let word = also_a_word
                .then(|| make_word(analyzer, word, is_last && still_typing))
                .flatten();
            concepts.push(Concept::District { code, word });
            i += used;
            continue;
        }
        run.extend(make_word(analyzer, word, is_last && still_typing));
        i += 1;
    }
    concepts.extend(phrases(run, synonyms));
    concepts
}

fn make_word(analyzer: &mut TextAnalyzer, typed: &str, prefix: bool) -> Option<Word> {
    let mut terms = terms_of(analyzer, typed).into_iter();
    terms.next().map(|term| Word {
        typed: typed.to_owned(),
        term,
        radicals: terms.collect(),
        prefix,
    })
}

/// Groups a run of words into synonym phrases, longest match first, and single words.
fn phrases(run: Vec<Word>, synonyms: &SynonymTable) -> Vec<Concept> {
    let mut concepts = Vec::new();
    let mut start = 0;
    while start < run.len() {
        let longest = synonyms.longest().min(run.len() - start);
        let found = (1..=longest).rev().find_map(|len| {
            let terms: Vec<String> = run[start..start + len]
                .iter()
                .map(|w| w.term.clone())
                .collect();
            synonyms
                .alternatives(&terms)
                .map(|alternatives| (len, alternatives))
        });
        match found {
            Some((len, alternatives)) => {
                concepts.push(Concept::Phrase {
                    typed: run[start..start + len].to_vec(),
                    alternatives,
                });
                start += len;
            }
            None => {
                concepts.push(Concept::Word(run[start].clone()));
                start += 1;
            }
        }
    }
    concepts
}

/// An outward code: one or two letters, a digit, then maybe a digit or a letter (TA4, M1,
/// BA20, EC1A).
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

/// An inward code: a digit and two letters (2PQ).
fn is_inward(word: &str) -> bool {
    matches!(word.as_bytes(), [d, a, b] if d.is_ascii_digit() && a.is_ascii_lowercase() && b.is_ascii_lowercase())
}

/// The outward code of a postcode typed without its space ("ta42pq" -> "ta4").
fn full_postcode(word: &str) -> Option<&str> {
    let split = word.len().checked_sub(3)?;
    let (outward, inward) = (word.get(..split)?, word.get(split..)?);
    (is_outward(outward) && is_inward(inward)).then_some(outward)
}

/// Builds tantivy queries for concepts, from the terms the index really has: typo and prefix
/// matches are looked up in the term dictionaries once, then searched as plain terms (scored
/// like any other), and a concept nothing can match gives no query at all.
pub(crate) struct QueryBuilder<'a> {
    pub fields: &'a Fields,
    pub synonyms: &'a SynonymTable,
    pub searcher: &'a Searcher,
    /// Documents of segment `full` that a patched index hides (sorted); a term only they
    /// have counts as absent, as it would be in a full rebuild.
    pub hidden: &'a [DocId],
    pub full: SegmentOrdinal,
}

type Built = Result<Option<Box<dyn Query>>, SearchError>;

impl QueryBuilder<'_> {
    /// The query for one concept, or `None` when no listing can match it.
    pub(crate) fn concept(&self, concept: &Concept) -> Built {
        match concept {
            Concept::Word(word) => self.word(word),
            Concept::Phrase {
                typed,
                alternatives,
            } => {
                let mut options = Vec::new();
                options.extend(self.every(typed.iter().map(|word| self.word(word)))?);
                for phrase in alternatives {
                    let phrase = self.terms(phrase)?;
                    options.extend(phrase.map(|query| boosted(query, SYNONYM_WEIGHT)));
                }
                // The best of the group's phrases counts, not their sum: a listing that
                // uses three words of a group is no more about it than one using one.
                Ok(best_of(options))
            }
            Concept::District { code, word } => {
                let mut options = Vec::new();
                let term = Term::from_field_text(self.fields.district, code);
                if self.searcher.doc_freq(&term)? > 0 {
                    let district = TermQuery::new(term, IndexRecordOption::Basic);
                    options.push(
                        Box::new(ConstScoreQuery::new(Box::new(district), DISTRICT_SCORE))
                            as Box<dyn Query>,
                    );
                }
                if let Some(word) = word {
                    options.extend(self.word(word)?);
                }
                Ok(any(options))
            }
        }
    }

    /// A typed word in any searched field; typo matches only when the word itself is in no
    /// field; prefix matches while it is being typed.
    fn word(&self, word: &Word) -> Built {
        let mut options = Vec::new();
        options.extend(self.term(&word.term, 1.0)?);
        for radical in &word.radicals {
            options.extend(self.term(radical, RADICAL_WEIGHT)?);
        }
        let distance = typo_distance(&word.typed);
        if options.is_empty() && distance > 0 {
            let any_field = Term::from_field_text(self.fields.name, &word.term);
            let typos = FuzzyTermQuery::new(any_field, distance, true).automaton()?;
            options.extend(self.expand(&typos, TYPO_WEIGHT, usize::MAX)?);
            // A misspelt synonym ("befreinding") still brings its whole group.
            for phrase in self.synonyms.near(&word.term, distance) {
                let phrase = self.terms(&phrase)?;
                options.extend(phrase.map(|query| boosted(query, TYPO_WEIGHT * SYNONYM_WEIGHT)));
            }
        }
        if word.prefix && word.typed.chars().count() >= SHORTEST_PREFIX {
            let start = Term::from_field_text(self.fields.name, &word.typed);
            let starts = FuzzyTermQuery::new_prefix(start, 0, true).automaton()?;
            options.extend(self.expand(&starts, PREFIX_WEIGHT, MOST_PREFIX_TERMS)?);
        }
        Ok(any(options))
    }

    /// Every term of a synonym phrase, each in any field.
    fn terms(&self, terms: &[String]) -> Built {
        self.every(terms.iter().map(|term| self.term(term, 1.0)))
    }

    /// All parts, or `None` if any part can match nothing.
    fn every(&self, parts: impl Iterator<Item = Built>) -> Built {
        let mut all_parts = Vec::new();
        for part in parts {
            match part? {
                Some(query) => all_parts.push(query),
                None => return Ok(None),
            }
        }
        Ok(all(all_parts))
    }

    /// One index term in every searched field that has it, weighted by field.
    fn term(&self, term: &str, weight: f32) -> Built {
        let mut options = Vec::new();
        for (field, field_weight) in self.fields.weighted_text() {
            let term = Term::from_field_text(field, term);
            if self.searcher.doc_freq(&term)? > 0 && self.visible(&term)? {
                options.push(boosted(term_query(term), field_weight * weight));
            }
        }
        Ok(any(options))
    }

    /// Every term an automaton accepts, in every searched field, as weighted term queries;
    /// at most `most` terms per field, in dictionary order.
    fn expand(
        &self,
        automaton: &DfaWrapper,
        weight: f32,
        most: usize,
    ) -> Result<Vec<Box<dyn Query>>, SearchError> {
        let mut options = Vec::new();
        for (field, field_weight) in self.fields.weighted_text() {
            for segment in self.searcher.segment_readers() {
                let index = segment.inverted_index(field)?;
                let mut stream = index
                    .terms()
                    .search(automaton)
                    .into_stream()
                    .map_err(TantivyError::from)?;
                let mut taken = 0;
                while taken < most && stream.advance() {
                    let text = String::from_utf8_lossy(stream.key());
                    let term = Term::from_field_text(field, &text);
                    if !self.visible(&term)? {
                        continue;
                    }
                    options.push(boosted(term_query(term), field_weight * weight));
                    taken += 1;
                }
            }
        }
        Ok(options)
    }

    /// Whether some listing that counts has `term`: always, unless the index hides some.
    fn visible(&self, term: &Term) -> Result<bool, SearchError> {
        if self.hidden.is_empty() {
            return Ok(true);
        }
        for (ordinal, segment) in (0..).zip(self.searcher.segment_readers()) {
            let index = segment.inverted_index(term.field())?;
            let postings = index
                .read_postings(term, IndexRecordOption::Basic)
                .map_err(TantivyError::from)?;
            let Some(mut postings) = postings else {
                continue;
            };
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if ordinal != self.full || self.hidden.binary_search(&doc).is_err() {
                    return Ok(true);
                }
                doc = postings.advance();
            }
        }
        Ok(false)
    }

    /// Only listings with this key in a keyword field; adds nothing to the score.
    pub(crate) fn filter(field: Field, key: &str) -> Box<dyn Query> {
        let term = TermQuery::new(Term::from_field_text(field, key), IndexRecordOption::Basic);
        Box::new(ConstScoreQuery::new(Box::new(term), 0.0))
    }
}

/// Edits allowed for a typo: none for short words (too many neighbours), one from five
/// letters, two from nine.
fn typo_distance(typed: &str) -> u8 {
    match typed.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
}

fn boosted(query: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, weight))
}

/// Matches when any option does; scores add up, so a listing matching more ranks higher.
/// `None` when there is no option.
pub(crate) fn any(options: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    combine(options, Occur::Should)
}

/// Matches when any option does, scored by the best option (with a little for the others).
pub(crate) fn best_of(mut options: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match options.len() {
        0 => None,
        1 => options.pop(),
        _ => Some(Box::new(
            tantivy::query::DisjunctionMaxQuery::with_tie_breaker(options, 0.1),
        )),
    }
}

/// Matches when every part does; `None` when there is no part.
pub(crate) fn all(parts: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    combine(parts, Occur::Must)
}

fn combine(mut queries: Vec<Box<dyn Query>>, occur: Occur) -> Option<Box<dyn Query>> {
    match queries.len() {
        0 => None,
        1 => queries.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            queries.into_iter().map(|query| (occur, query)).collect(),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::english;
    use crate::synonyms::Synonyms;

    fn concepts(text: &str) -> Vec<Concept> {
        let mut analyzer = english();
        let table = Synonyms::standard().compile(&mut analyzer);
        parse(text, &mut analyzer, &table)
    }

    fn district(code: &str) -> Concept {
        Concept::District {
            code: code.to_owned(),
            word: None,
        }
    }

    #[test]
    fn full_postcodes_become_their_outward_code() {
        assert_eq!(concepts("TA4 2PQ"), [district("ta4")]);
        assert_eq!(concepts("ta42pq"), [district("ta4")]);
        assert_eq!(concepts("EC1A 1BB"), [district("ec1a")]);
        assert_eq!(concepts("BA20 1AA "), [district("ba20")]);
    }

    #[test]
    fn a_lone_outward_code_is_also_a_word() {
        let found = concepts("TA4");
        let [Concept::District {
            code,
            word: Some(word),
        }] = found.as_slice()
        else {
            panic!("expected one district");
        };
        assert_eq!(code, "ta4");
        assert_eq!(word.term, "ta4");
    }

    #[test]
    fn words_that_are_not_postcodes_stay_words() {
        for text in ["gardening", "2pq", "a1234", "abc1"] {
            assert!(
                !matches!(concepts(text).first(), Some(Concept::District { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn only_the_last_word_is_a_prefix_and_only_while_typing() {
        let prefixes = |text: &str| -> Vec<bool> {
            concepts(text)
                .iter()
                .map(|c| matches!(c, Concept::Word(w) if w.prefix))
                .collect()
        };
        assert_eq!(prefixes("dementia gard"), [false, true]);
        assert_eq!(prefixes("dementia gard "), [false, false]);
    }

    #[test]
    fn synonym_phrases_take_the_longest_match() {
        let found = concepts("sitting service Taunton");
        assert_eq!(found.len(), 2);
        let Concept::Phrase {
            typed,
            alternatives,
        } = &found[0]
        else {
            panic!("expected a phrase, got {found:?}");
        };
        assert_eq!(typed.len(), 2);
        assert!(alternatives.contains(&vec!["respit".to_owned()]));
        assert!(matches!(&found[1], Concept::Word(w) if w.term == "taunton"));
    }

    #[test]
    fn stop_words_make_no_concepts() {
        assert!(concepts("I need someone near the").is_empty());
    }

    #[test]
    fn typo_distance_grows_with_length() {
        assert_eq!(typo_distance("gard"), 0);
        assert_eq!(typo_distance("gardning"), 1);
        assert_eq!(typo_distance("companoinship"), 2);
    }
}
