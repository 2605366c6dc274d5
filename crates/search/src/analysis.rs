//! How text becomes terms: one English analyzer used for indexing and for every query word,
//! so a word typed in the browser meets the same term the build wrote.
//!
//! Tokenizers are not stored in a tantivy index, so both sides call [`register`] after
//! creating or opening an index. Changing anything here changes the terms: rebuild every
//! index with the engine built from the same source.

use std::borrow::Cow;
use std::collections::HashMap;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, StopWordFilter,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::Index;

/// The names text fields use in the schema: an index is analysed in English, or in Welsh
/// for a council's Welsh pages.
pub(crate) const ENGLISH: &str = "carepages_en";
pub(crate) const WELSH: &str = "carepages_cy";

/// Words that carry no meaning in a search for support: function words, plus what residents
/// type around their real words ("I need someone near Taunton"). Dropping them at build time
/// also keeps them out of the postings, which saves bytes on the wire.
const STOP_WORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "around", "as", "at", "be", "but", "by", "can",
    "could", "do", "does", "etc", "for", "from", "i", "if", "in", "into", "is", "it", "its",
    "looking", "me", "my", "near", "nearby", "need", "needs", "no", "not", "of", "on", "or", "our",
    "please", "s", "so", "some", "somebody", "someone", "such", "that", "the", "their", "then",
    "there", "these", "they", "this", "to", "us", "want", "wants", "was", "we", "were", "what",
    "where", "which", "who", "will", "with", "would", "you", "your",
];

/// Longest word kept; longer "words" are pasted URLs or junk and would only bloat the index.
const LONGEST_WORD: usize = 40;

/// The analyzer of every text field: split on non-alphanumerics, lowercase, fold accents
/// (residents type "Sian" for "Siân"), drop stop words, then stem ("gardening" -> "garden").
pub(crate) fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|word| (*word).to_owned()),
        ))
        .filter(EnglishStemmer)
        .build()
}

/// The analyzer of a Welsh index, which holds each listing's Welsh words and its English
/// ones: as [`english`] (the English stemmer leaves Welsh words as it found them, the same
/// on both sides), with Welsh stop words too, and each word also indexed and looked up as
/// the radicals it may be a mutation of (see `welsh`).
pub(crate) fn welsh() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            STOP_WORDS
                .iter()
                .chain(crate::welsh::STOP_WORDS)
                .map(|word| (*word).to_owned()),
        ))
        .filter(Radicals)
        .filter(EnglishStemmer)
        .build()
}

/// The analyzer for an index's language (`cy` or anything else, English).
pub(crate) fn for_language(language: &str) -> TextAnalyzer {
    if language == "cy" {
        welsh()
    } else {
        english()
    }
}

/// The name the schema gives the analyzer of `language`.
pub(crate) fn name_for(language: &str) -> &'static str {
    if language == "cy" {
        WELSH
    } else {
        ENGLISH
    }
}

/// Makes the index know the analyzers a schema may name.
pub(crate) fn register(index: &Index) {
    register_in(index.tokenizers());
}

/// The same, for an index not made yet.
pub(crate) fn register_in(tokenizers: &tantivy::tokenizer::TokenizerManager) {
    tokenizers.register(ENGLISH, english());
    tokenizers.register(WELSH, welsh());
}

/// Splits a query into words the way the analyzer does before stop words and stemming:
/// lowercased and accent-folded, so prefix and typo matching see what was typed.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut splitter = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    let mut stream = splitter.token_stream(text);
    let mut words = Vec::new();
    while let Some(token) = stream.next() {
        words.push(token.text.clone());
    }
    words
}

/// The indexed term for one word, or `None` for a stop word.
pub(crate) fn term_of(analyzer: &mut TextAnalyzer, word: &str) -> Option<String> {
    let mut stream = analyzer.token_stream(word);
    stream.next().map(|token| token.text.clone())
}

/// Every indexed term for one word: its own first, then (in Welsh) the radicals it may be
/// a mutation of. Empty for a stop word.
pub(crate) fn terms_of(analyzer: &mut TextAnalyzer, word: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(word);
    let mut terms: Vec<String> = Vec::new();
    while let Some(token) = stream.next() {
        if !terms.contains(&token.text) {
            terms.push(token.text.clone());
        }
    }
    terms
}

/// Each word, then the radicals it may be a mutation of, at the same place.
#[derive(Clone, Copy)]
struct Radicals;

impl TokenFilter for Radicals {
    type Tokenizer<T: Tokenizer> = RadicalsFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> RadicalsFilter<T> {
        RadicalsFilter { inner }
    }
}

#[derive(Clone)]
struct RadicalsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for RadicalsFilter<T> {
    type TokenStream<'a> = RadicalsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        RadicalsStream {
            inner: self.inner.token_stream(text),
            waiting: Vec::new(),
        }
    }
}

struct RadicalsStream<S> {
    inner: S,
    /// Radicals of the current word still to give, last first.
    waiting: Vec<String>,
}

impl<S: TokenStream> TokenStream for RadicalsStream<S> {
    fn advance(&mut self) -> bool {
        if let Some(radical) = self.waiting.pop() {
            self.inner.token_mut().text = radical;
            return true;
        }
        if !self.inner.advance() {
            return false;
        }
        self.waiting = crate::welsh::radicals(&self.inner.token().text);
        self.waiting.reverse();
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// Snowball English stemming. tantivy's own `Stemmer` pulls in every language it supports;
/// this filter links only English, which keeps the browser engine smaller.
#[derive(Clone, Copy)]
struct EnglishStemmer;

impl TokenFilter for EnglishStemmer {
    type Tokenizer<T: Tokenizer> = Stemming<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> Stemming<T> {
        Stemming {
            inner,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            stems: HashMap::new(),
        }
    }
}

/// Words this analyzer has stemmed, with their stems (`None`: the word is its own stem).
/// Listings share most of their words, and the index writer keeps one analyzer per field
/// for the whole build, so each distinct word is stemmed once rather than every time.
type Stems = HashMap<String, Option<String>>;

/// Past this many distinct words the cache stops growing: a pasted essay cannot make it
/// take more than a few megabytes.
const MOST_STEMS: usize = 100_000;

#[derive(Clone)]
struct Stemming<T> {
    inner: T,
    stemmer: frostem::Stemmer,
    stems: Stems,
}

impl<T: Tokenizer> Tokenizer for Stemming<T> {
    type TokenStream<'a> = StemmingStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemmingStream {
            inner: self.inner.token_stream(text),
            stemmer: self.stemmer,
            stems: &mut self.stems,
        }
    }
}

struct StemmingStream<'a, S> {
    inner: S,
    stemmer: frostem::Stemmer,
    stems: &'a mut Stems,
}

impl<S: TokenStream> TokenStream for StemmingStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        if let Some(known) = self.stems.get(&token.text) {
            if let Some(stem) = known {
                token.text.clone_from(stem);
            }
            return true;
        }
        // A borrowed stem is a slice of the word itself: only a shorter one is a change.
        let stem = match self.stemmer.stem(&token.text) {
            Cow::Owned(stem) => Some(stem),
            Cow::Borrowed(stem) if stem.len() < token.text.len() => Some(stem.to_owned()),
            Cow::Borrowed(_) => None,
        };
        if self.stems.len() < MOST_STEMS {
            self.stems.insert(token.text.clone(), stem.clone());
        }
        if let Some(stem) = stem {
            token.text = stem;
        }
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        let mut analyzer = english();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    }

    #[test]
    fn stems_lowercases_folds_and_drops_stop_words() {
        assert_eq!(
            terms("Gardening for Siân's Carers"),
            ["garden", "sian", "carer"]
        );
    }

    #[test]
    fn a_word_seen_before_gets_the_same_stem() {
        // The second of each pair comes from the analyzer's cache of stems.
        assert_eq!(
            terms("gardening carers gardening carers garden"),
            ["garden", "carer", "garden", "carer", "garden"]
        );
        let mut analyzer = english();
        for _ in 0..2 {
            assert_eq!(
                term_of(&mut analyzer, "befriending").as_deref(),
                Some("befriend")
            );
            assert_eq!(term_of(&mut analyzer, "wells").as_deref(), Some("well"));
        }
    }

    #[test]
    fn query_words_keep_what_was_typed() {
        assert_eq!(words("Gard, TA4 2PQ"), ["gard", "ta4", "2pq"]);
    }

    #[test]
    fn welsh_words_meet_their_radicals_and_english_still_stems() {
        let mut analyzer = welsh();
        assert_eq!(
            terms_of(&mut analyzer, "nghymorth"),
            ["nghymorth", "cymorth"]
        );
        assert_eq!(terms_of(&mut analyzer, "cymorth"), ["cymorth"]);
        assert_eq!(term_of(&mut analyzer, "yn"), None);
        assert_eq!(
            term_of(&mut analyzer, "gardening").as_deref(),
            Some("garden")
        );
        // Accents fold: "gŵr" is typed "gwr".
        assert_eq!(term_of(&mut analyzer, "Siân").as_deref(), Some("sian"));
    }

    #[test]
    fn stop_words_have_no_term() {
        let mut analyzer = english();
        assert_eq!(term_of(&mut analyzer, "someone"), None);
        assert_eq!(term_of(&mut analyzer, "cleaning").as_deref(), Some("clean"));
    }
}
