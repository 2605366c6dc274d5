//! Opens a packed index and answers queries: the code the CLI and the browser engine share.
//!
//! Matching is strict first, forgiving second. A listing must match every concept the
//! resident typed (each in any field, with synonyms, typos and prefixes as `query` allows),
//! because on a small screen "gardening Taunton" should show gardeners in Taunton, not every
//! gardener and everything in Taunton. Two things keep that from being harsh: a word that
//! no term in the directory can match is left out and reported in `ignored`, and when the
//! remaining words never occur together the search falls back to listings matching any of
//! them, most matches first, with `relaxed` set so the page can say so.
//!
//! Opening uses a `RamDirectory` and a manually reloaded reader with no warmers: the browser
//! has no threads, clock or files.

use std::path::Path;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::directory::RamDirectory;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query as TantivyQuery};
use tantivy::schema::Value;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    Directory, DocAddress, DocId, Index, ReloadPolicy, Score, SegmentOrdinal, SegmentReader,
    TantivyDocument, TantivyError,
};

use crate::pack::{
    self, Patch, PATCH_FILE, PATCH_SEGMENT_ID, SEGMENT_ID, SYNONYMS_FILE, VOCABULARY_FILE,
};
use crate::query::{all, any, parse, QueryBuilder};
use crate::schema::{key, Fields};
use crate::synonyms::SynonymTable;
use crate::understanding::{Part, Reader, Understood, Vocabulary};
use crate::{analysis, Alternative, Hit, Query, Results, SearchError, Synonyms};

/// A council's index, open and ready to answer queries.
pub struct Searcher {
    searcher: tantivy::Searcher,
    fields: Fields,
    analyzer: TextAnalyzer,
    synonyms: SynonymTable,
    order: NameOrder,
    /// Reads queries against the council's vocabulary.
    reader: Reader,
    /// Listings taking new clients, and those with limited space, for ranking.
    open: (Vec<DocAddress>, Vec<DocAddress>),
    /// Each listing's keys, read back from the postings the first time they are asked for.
    keys: std::sync::OnceLock<Keys>,
    /// Listings that are full or paused, with which.
    status: Vec<(DocAddress, String)>,
    /// The language the index is analysed in: `cy`, or `en`.
    language: String,
}

/// Every listing's keys (support types, who for, districts, payments, days, status), read
/// from the keyword fields' postings when the index opens: storing them with each listing
/// would have grown the file residents download.
#[derive(Default)]
struct Keys {
    by_listing: std::collections::HashMap<String, [Vec<String>; 5]>,
}

impl Keys {
    fn read(
        searcher: &tantivy::Searcher,
        fields: &Fields,
        order: &NameOrder,
    ) -> Result<Keys, SearchError> {
        use tantivy::DocSet;
        let mut keys = Keys::default();
        let kinds = [
            fields.support,
            fields.who_for,
            fields.district,
            fields.payment,
            fields.days,
        ];
        let mut slugs: std::collections::HashMap<DocAddress, String> = Default::default();
        for (ordinal, reader) in (0..).zip(searcher.segment_readers()) {
            for (slot, field) in kinds.into_iter().enumerate() {
                let inverted = reader.inverted_index(field)?;
                let mut terms = inverted.terms().stream().map_err(TantivyError::from)?;
                while terms.advance() {
                    let value = String::from_utf8_lossy(terms.key()).into_owned();
                    let mut postings = inverted
                        .read_postings_from_terminfo(
                            terms.value(),
                            tantivy::schema::IndexRecordOption::Basic,
                        )
                        .map_err(TantivyError::from)?;
                    let mut doc = postings.doc();
                    while doc != tantivy::TERMINATED {
                        let address = DocAddress::new(ordinal, doc);
                        if order.is_hidden(address) {
                            doc = postings.advance();
                            continue;
                        }
                        let slug = match slugs.get(&address) {
                            Some(slug) => slug.clone(),
                            None => {
                                let stored: TantivyDocument = searcher.doc(address)?;
                                let slug = stored
                                    .get_first(fields.slug)
                                    .and_then(|v| v.as_str())
                                    .unwrap_or_default()
                                    .to_owned();
                                slugs.insert(address, slug.clone());
                                slug
                            }
                        };
                        keys.by_listing.entry(slug).or_default()[slot].push(value.clone());
                        doc = postings.advance();
                    }
                }
            }
        }
        Ok(keys)
    }

    fn of(&self, slug: &str) -> [Vec<String>; 5] {
        self.by_listing.get(slug).cloned().unwrap_or_default()
    }
}

/// Where each document falls in name order. In a full index the one segment is in name
/// order, so a document's id is its rank. A patched index also has listings to hide in that
/// segment, and a second segment whose documents fall between its ranks.
#[derive(Default)]
struct NameOrder {
    full: SegmentOrdinal,
    /// Sorted ids of the full segment's documents that no longer count.
    hidden: Vec<DocId>,
    /// The second segment, with how many full-segment documents come before each of its own.
    patch: Option<(SegmentOrdinal, Vec<u32>)>,
}

impl NameOrder {
    fn of(searcher: &tantivy::Searcher, patch: Option<Patch>) -> Result<NameOrder, SearchError> {
        let corrupt = |what: &str| SearchError::Corrupt(format!("its patch {what}"));
        let ordinal_of = |id: &str| {
            (0..)
                .zip(searcher.segment_readers())
                .find(|(_, reader)| reader.segment_id().uuid_string() == id)
        };
        let Some(patch) = patch else {
            return Ok(NameOrder::default());
        };
        let (full, full_reader) = ordinal_of(SEGMENT_ID).ok_or_else(|| corrupt("has no base"))?;
        let mut hidden = patch.hidden;
        hidden.sort_unstable();
        if hidden.last().is_some_and(|&id| id >= full_reader.max_doc()) {
            return Err(corrupt("hides a listing the index does not have"));
        }
        let patch = match ordinal_of(PATCH_SEGMENT_ID) {
            Some((ordinal, reader)) if reader.max_doc() as usize == patch.ranks.len() => {
                Some((ordinal, patch.ranks))
            }
            None if patch.ranks.is_empty() => None,
            _ => return Err(corrupt("does not match its segment")),
        };
        Ok(NameOrder {
            full,
            hidden,
            patch,
        })
    }

    fn is_hidden(&self, address: DocAddress) -> bool {
        address.segment_ord == self.full && self.hidden.binary_search(&address.doc_id).is_ok()
    }

    /// A key that sorts documents by name, then slug, across both segments.
    fn rank(&self, address: DocAddress) -> (u64, DocId) {
        match &self.patch {
            Some((ordinal, ranks)) if address.segment_ord == *ordinal => {
                let before = ranks
                    .get(address.doc_id as usize)
                    .copied()
                    .unwrap_or(u32::MAX);
                (2 * u64::from(before), address.doc_id)
            }
            _ => (2 * u64::from(address.doc_id) + 1, 0),
        }
    }
}

impl Searcher {
    /// Opens the bytes [`crate::build_index`] wrote. The bytes are copied; the caller may
    /// free them afterwards.
    pub fn open(bytes: &[u8]) -> Result<Searcher, SearchError> {
        let directory = RamDirectory::create();
        let mut synonyms = None;
        let mut patch = None;
        let mut vocabulary = Vocabulary::default();
        for (name, data) in pack::unpack(bytes)? {
            if name == PATCH_FILE {
                let read: Patch = serde_json::from_slice(data).map_err(|err| {
                    SearchError::Corrupt(format!("its patch is unreadable: {err}"))
                })?;
                patch = Some(read);
            } else if name == VOCABULARY_FILE {
                vocabulary = serde_json::from_slice(data).map_err(|err| {
                    SearchError::Corrupt(format!("its vocabulary is unreadable: {err}"))
                })?;
            } else if name == SYNONYMS_FILE {
                let groups: Synonyms = serde_json::from_slice(data).map_err(|err| {
                    SearchError::Corrupt(format!("its synonyms are unreadable: {err}"))
                })?;
                synonyms = Some(groups);
            } else {
                directory
                    .atomic_write(Path::new(name), data)
                    .map_err(TantivyError::from)?;
            }
        }
        let synonyms =
            synonyms.ok_or_else(|| SearchError::Corrupt("it has no synonym list".to_owned()))?;
        let index = Index::open(directory)?;
        analysis::register(&index);
        let fields = Fields::of(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let mut analyzer = analysis::for_language(&vocabulary.language);
        let language = match vocabulary.language.as_str() {
            "" => "en".to_owned(),
            other => other.to_owned(),
        };
        let reader_of_queries = Reader::new(&vocabulary, &synonyms, &mut analyzer);
        let synonyms = synonyms.compile(&mut analyzer);
        let searcher = reader.searcher();
        let order = NameOrder::of(&searcher, patch)?;
        let open = (
            listings_with(&searcher, fields.open, "yes")?,
            listings_with(&searcher, fields.open, "limited")?,
        );
        let mut status = Vec::new();
        for state in ["full", "paused"] {
            for address in listings_with(&searcher, fields.status, state)? {
                status.push((address, state.to_owned()));
            }
        }
        status.sort();
        Ok(Searcher {
            keys: std::sync::OnceLock::new(),
            status,
            searcher,
            fields,
            analyzer,
            synonyms,
            order,
            reader: reader_of_queries,
            open,
            language,
        })
    }

    /// The language the index reads queries in: `cy` for Welsh, `en` for English.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// How many listings the index holds.
    pub fn len(&self) -> u64 {
        self.searcher.num_docs() - self.order.hidden.len() as u64
    }

    /// True for a directory with no published listings.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs one query: best first, ties by name then slug; an empty text lists by name.
    ///
    /// The text is first read against the council's vocabulary (see `understanding`). What
    /// is understood must be met; the words typed then rank the listings that meet it. When
    /// nothing was understood, every remaining word must match (falling back to any of them,
    /// marked `relaxed`). When nothing meets everything understood, `hits` is empty and
    /// `alternatives` holds the nearest: the same with one part left out.
    pub fn search(&self, query: &Query) -> Result<Results, SearchError> {
        let mut results = self.answer(query)?;
        if query.keys {
            let keys = match self.keys.get() {
                Some(keys) => keys,
                None => {
                    let read = Keys::read(&self.searcher, &self.fields, &self.order)?;
                    self.keys.get_or_init(|| read)
                }
            };
            let hits = results.hits.iter_mut().chain(
                results
                    .alternatives
                    .iter_mut()
                    .flat_map(|a| a.hits.iter_mut()),
            );
            for hit in hits {
                let [support, who_for, districts, payments, days] = keys.of(&hit.slug);
                hit.support_types = support;
                hit.who_for = who_for;
                hit.districts = districts.into_iter().map(|d| d.to_uppercase()).collect();
                hit.payments = payments;
                hit.days = days;
            }
        }
        Ok(results)
    }

    fn answer(&self, query: &Query) -> Result<Results, SearchError> {
        let mut analyzer = self.analyzer.clone();
        let understood = self.reader.read(&query.text, &mut analyzer);
        let filters = self.filters(query);
        if understood.parts.is_empty() {
            let mut text = understood.words.join(" ");
            // The last word may still be being typed; a finished one is not a prefix.
            if query.text.ends_with(char::is_whitespace) && !text.is_empty() {
                text.push(' ');
            }
            let mut results = self.by_words(&text, &filters, query.limit)?;
            results.exact = if results.relaxed { 0 } else { results.total };
            results.understood = understood;
            return Ok(results);
        }
        let constraints: Vec<(&Part, Box<dyn TantivyQuery>)> = understood
            .parts
            .iter()
            .map(|part| (part, self.part_query(part, &mut analyzer)))
            .collect();
        // Relevance comes from what was asked for and the free words; places and
        // conditions are met or not, and a town in a listing's name says nothing more.
        // Filler words count here ("care" in "end of life care" prefers a care service),
        // though they never keep a listing out.
        let met: std::collections::BTreeSet<&str> = understood
            .parts
            .iter()
            .filter(|p| !matches!(p.kind.as_str(), "support" | "who_for"))
            .flat_map(|p| p.typed.split(' '))
            .collect();
        let wanted: Vec<String> = analysis::words(&query.text)
            .into_iter()
            .filter(|w| !met.contains(w.as_str()))
            .collect();
        let (scorer, mut ignored) =
            self.scorer(&format!("{} ", wanted.join(" ")), &mut analyzer)?;
        ignored.retain(|w| understood.words.contains(w));
        // A listing that says in its name or summary what was asked for is about it; one
        // that only has it among its keys comes after.
        let mut about: Vec<Box<dyn TantivyQuery>> = scorer.into_iter().collect();
        for part in understood
            .parts
            .iter()
            .filter(|p| matches!(p.kind.as_str(), "support" | "who_for"))
        {
            for value in &part.values {
                let terms: Vec<String> = analysis::words(&value.replace('_', " "))
                    .iter()
                    .filter_map(|w| analysis::term_of(&mut analyzer, w))
                    .collect();
                for field in [self.fields.name, self.fields.summary] {
                    let each: Vec<Box<dyn TantivyQuery>> = terms
                        .iter()
                        .map(|t| {
                            Box::new(tantivy::query::TermQuery::new(
                                tantivy::Term::from_field_text(field, t),
                                tantivy::schema::IndexRecordOption::Basic,
                            )) as Box<dyn TantivyQuery>
                        })
                        .collect();
                    if let Some(found) = all(each) {
                        about.push(Box::new(ConstScoreQuery::new(found, ABOUT_SCORE)));
                    }
                }
            }
        }
        let scorer = any(about);
        let kinds = |skip: Option<&str>| -> Vec<String> {
            understood
                .parts
                .iter()
                .filter(|p| Some(p.kind.as_str()) != skip)
                .map(|p| p.kind.clone())
                .collect()
        };
        let (total, hits) = self.constrained(
            &constraints,
            None,
            scorer.as_deref(),
            &filters,
            query.limit,
            &kinds(None),
        )?;
        if total > 0 {
            return Ok(Results {
                total,
                exact: total,
                hits,
                relaxed: false,
                ignored,
                understood,
                alternatives: Vec::new(),
            });
        }
        let mut alternatives = Vec::new();
        for kind in ["place", "support", "who_for", "payment", "open", "day"] {
            if alternatives.len() == 2 || !understood.parts.iter().any(|p| p.kind == kind) {
                continue;
            }
            let (total, hits) = self.constrained(
                &constraints,
                Some(kind),
                scorer.as_deref(),
                &filters,
                query.limit.min(5),
                &kinds(Some(kind)),
            )?;
            if total > 0 {
                alternatives.push(Alternative {
                    without: kind.to_owned(),
                    total,
                    hits,
                });
            }
        }
        Ok(Results {
            total: 0,
            exact: 0,
            hits: Vec::new(),
            relaxed: false,
            ignored,
            understood,
            alternatives,
        })
    }

    /// The listings meeting every constraint but those of kind `skip`, ranked by the typed
    /// words: how many there are and the first `limit`.
    fn constrained(
        &self,
        constraints: &[(&Part, Box<dyn TantivyQuery>)],
        skip: Option<&str>,
        scorer: Option<&dyn TantivyQuery>,
        filters: &[Box<dyn TantivyQuery>],
        limit: usize,
        matches: &[String],
    ) -> Result<(usize, Vec<Hit>), SearchError> {
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = constraints
            .iter()
            .filter(|(part, _)| Some(part.kind.as_str()) != skip)
            .map(|(_, q)| {
                let met: Box<dyn TantivyQuery> = Box::new(ConstScoreQuery::new(q.box_clone(), 0.0));
                (Occur::Must, met)
            })
            .collect();
        clauses.extend(filters.iter().map(|f| (Occur::Must, f.box_clone())));
        if let Some(scorer) = scorer {
            clauses.push((Occur::Should, scorer.box_clone()));
        }
        let found = self.ranked(BooleanQuery::new(clauses), true)?;
        let total = found.len();
        let hits = found
            .into_iter()
            .take(limit)
            .map(|(score, address)| {
                let mut hit = self.hit(address, score)?;
                hit.matches = matches.to_vec();
                Ok(hit)
            })
            .collect::<Result<_, SearchError>>()?;
        Ok((total, hits))
    }

    /// Every match of `query`, best first: the typed words' relevance with a little more
    /// for listings taking new clients (limited less), then name order.
    fn ranked(
        &self,
        query: BooleanQuery,
        by_availability: bool,
    ) -> Result<Vec<(Score, DocAddress)>, SearchError> {
        let mut found = self.searcher.search(&query, &AllHits)?;
        found.retain(|(_, address)| !self.order.is_hidden(*address));
        let mut scored = Vec::with_capacity(found.len());
        for (score, address) in found {
            let bonus = if !by_availability {
                0.0
            } else if self.open.0.binary_search(&address).is_ok() {
                AVAILABILITY_BONUS
            } else if self.open.1.binary_search(&address).is_ok() {
                AVAILABILITY_BONUS / 2.0
            } else {
                0.0
            };
            scored.push((score + bonus, address));
        }
        let order = &self.order;
        scored.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| order.rank(a.1).cmp(&order.rank(b.1)))
        });
        Ok(scored)
    }

    /// What the typed words add to a listing's rank: each concept in any searched field,
    /// none required. Also the words no listing has, to report.
    fn scorer(&self, text: &str, analyzer: &mut TextAnalyzer) -> Result<Scorer, SearchError> {
        let builder = QueryBuilder {
            fields: &self.fields,
            synonyms: &self.synonyms,
            searcher: &self.searcher,
            hidden: &self.order.hidden,
            full: self.order.full,
        };
        let mut options = Vec::new();
        let mut ignored = Vec::new();
        for concept in parse(text, analyzer, &self.synonyms) {
            match builder.concept(&concept)? {
                Some(q) => options.push(q),
                None => {
                    let typed = concept.typed();
                    if !crate::understanding::is_filler(&typed) {
                        ignored.push(typed);
                    }
                }
            }
        }
        Ok((any(options), ignored))
    }

    /// The query a listing must match to meet one understood part.
    fn part_query(&self, part: &Part, analyzer: &mut TextAnalyzer) -> Box<dyn TantivyQuery> {
        let fields = &self.fields;
        let keyed = |field, values: &[String]| {
            any(values
                .iter()
                .map(|v| QueryBuilder::filter(field, &key(v)))
                .collect())
        };
        let query = match part.kind.as_str() {
            "support" => keyed(fields.support, &part.values),
            "who_for" => keyed(fields.who_for, &part.values),
            "payment" => keyed(fields.payment, &part.values),
            "day" => keyed(fields.days, &part.values),
            "open" => keyed(fields.open, &["yes".to_owned(), "limited".to_owned()]),
            _ => {
                let mut places = Vec::new();
                for value in &part.values {
                    let district = value.len() <= 4
                        && value.chars().any(|c| c.is_ascii_digit())
                        && value.chars().all(|c| c.is_ascii_alphanumeric());
                    if district {
                        places.push(QueryBuilder::filter(fields.district, &key(value)));
                        continue;
                    }
                    let terms: Vec<Box<dyn TantivyQuery>> = analysis::words(value)
                        .iter()
                        .filter_map(|w| analysis::term_of(analyzer, w))
                        .map(|t| QueryBuilder::filter(fields.towns, &t))
                        .collect();
                    places.extend(all(terms));
                }
                any(places)
            }
        };
        query.unwrap_or_else(|| Box::new(tantivy::query::EmptyQuery))
    }

    /// The search by words alone, when nothing in the text was understood: every word must
    /// match, or failing that any of them (`relaxed`).
    fn by_words(
        &self,
        text: &str,
        filters: &[Box<dyn TantivyQuery>],
        limit: usize,
    ) -> Result<Results, SearchError> {
        let mut analyzer = self.analyzer.clone();
        let concepts = parse(text, &mut analyzer, &self.synonyms);
        if concepts.is_empty() {
            let everything = Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0));
            return self.run(everything, filters, limit, false, Vec::new(), false);
        }
        let builder = QueryBuilder {
            fields: &self.fields,
            synonyms: &self.synonyms,
            searcher: &self.searcher,
            hidden: &self.order.hidden,
            full: self.order.full,
        };
        let mut kept = Vec::new();
        let mut ignored = Vec::new();
        for concept in &concepts {
            match builder.concept(concept)? {
                Some(matcher) => kept.push(matcher),
                None => ignored.push(concept.typed()),
            }
        }
        let several = kept.len() > 1;
        let Some(every) = all(kept.iter().map(|matcher| matcher.box_clone()).collect()) else {
            return Ok(Results {
                total: 0,
                exact: 0,
                hits: Vec::new(),
                relaxed: false,
                ignored,
                understood: Understood::default(),
                alternatives: Vec::new(),
            });
        };
        // A word no listing has means no listing has every word: what is found then
        // matches only some of them, and is not presented as a match.
        let strict = self.run(
            every,
            filters,
            limit,
            !ignored.is_empty(),
            ignored.clone(),
            true,
        )?;
        let relaxed = match any(kept) {
            Some(some) if strict.total == 0 && several => {
                self.run(some, filters, limit, true, ignored, true)?
            }
            _ => strict,
        };
        if !relaxed.relaxed {
            return Ok(relaxed);
        }
        // Listings with only some of the words are offered apart, never as matches.
        Ok(Results {
            total: 0,
            exact: 0,
            hits: Vec::new(),
            relaxed: true,
            alternatives: vec![Alternative {
                without: "words".to_owned(),
                total: relaxed.total,
                hits: relaxed.hits,
            }],
            ..relaxed
        })
    }

    /// Keyword filters from the form; each must hold and none changes the score.
    fn filters(&self, query: &Query) -> Vec<Box<dyn TantivyQuery>> {
        let fields = &self.fields;
        let mut filters = Vec::new();
        let chosen = [
            (fields.support, &query.support_type),
            (fields.who_for, &query.who_for),
            (fields.days, &query.day),
        ];
        for (field, value) in chosen {
            if let Some(value) = value.as_deref().map(key).filter(|value| !value.is_empty()) {
                filters.push(QueryBuilder::filter(field, &value));
            }
        }
        if query.taking_new_clients {
            filters.extend(any(vec![
                QueryBuilder::filter(fields.open, "yes"),
                QueryBuilder::filter(fields.open, "limited"),
            ]));
        }
        if query.direct_payment {
            filters.push(QueryBuilder::filter(fields.payment, "direct_payment"));
        }
        filters
    }

    fn run(
        &self,
        matcher: Box<dyn TantivyQuery>,
        filters: &[Box<dyn TantivyQuery>],
        limit: usize,
        relaxed: bool,
        ignored: Vec<String>,
        by_availability: bool,
    ) -> Result<Results, SearchError> {
        let mut clauses = vec![(Occur::Must, matcher)];
        clauses.extend(
            filters
                .iter()
                .map(|filter| (Occur::Must, filter.box_clone())),
        );
        // Listed by name when no word was typed; by words and availability otherwise.
        let found = self.ranked(BooleanQuery::new(clauses), by_availability)?;
        let total = found.len();
        let hits = found
            .into_iter()
            .take(limit)
            .map(|(score, address)| self.hit(address, score))
            .collect::<Result<_, _>>()?;
        Ok(Results {
            total,
            exact: total,
            hits,
            relaxed,
            ignored,
            understood: Understood::default(),
            alternatives: Vec::new(),
        })
    }

    fn hit(&self, address: DocAddress, score: Score) -> Result<Hit, SearchError> {
        let doc: TantivyDocument = self.searcher.doc(address)?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|value| value.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let status = self
            .status
            .binary_search_by(|(a, _)| a.cmp(&address))
            .map(|i| self.status[i].1.clone())
            .unwrap_or_else(|_| "active".to_owned());
        Ok(Hit {
            slug: text(self.fields.slug),
            url: text(self.fields.url),
            name: text(self.fields.name),
            summary: text(self.fields.summary),
            towns: doc
                .get_all(self.fields.shown_towns)
                .filter_map(|value| value.as_str().map(str::to_owned))
                .collect(),
            taking_new_clients: text(self.fields.open),
            phone: text(self.fields.phone),
            status,
            checked: text(self.fields.checked),
            lang: text(self.fields.lang),
            support_types: Vec::new(),
            who_for: Vec::new(),
            districts: Vec::new(),
            payments: Vec::new(),
            days: Vec::new(),
            matches: Vec::new(),
            score,
        })
    }
}

/// The listings whose keyword `field` holds `value`, sorted.
fn listings_with(
    searcher: &tantivy::Searcher,
    field: tantivy::schema::Field,
    value: &str,
) -> Result<Vec<DocAddress>, SearchError> {
    let term = tantivy::Term::from_field_text(field, value);
    let mut out = Vec::new();
    for (ordinal, reader) in (0..).zip(searcher.segment_readers()) {
        let postings = reader
            .inverted_index(field)?
            .read_postings(&term, tantivy::schema::IndexRecordOption::Basic)
            .map_err(TantivyError::from)?;
        if let Some(mut postings) = postings {
            use tantivy::DocSet;
            let mut doc = postings.doc();
            while doc != tantivy::TERMINATED {
                out.push(DocAddress::new(ordinal, doc));
                doc = postings.advance();
            }
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// A query that ranks without deciding, and the typed words no listing has.
type Scorer = (Option<Box<dyn TantivyQuery>>, Vec<String>);

/// What a listing gains when its name or summary says what was understood.
const ABOUT_SCORE: Score = 3.0;

/// What taking new clients adds to a listing's rank: enough to put it before a listing
/// that is full when both meet the query about as well, not enough to lift a passing
/// mention over a listing that is about what was asked.
const AVAILABILITY_BONUS: Score = 0.5;

/// Collects every match with its score. A council has at most a few thousand listings, so
/// sorting them all is cheaper than a top-k heap and lets us count and order exactly.
struct AllHits;

struct SegmentHits {
    segment: SegmentOrdinal,
    hits: Vec<(Score, DocAddress)>,
}

impl Collector for AllHits {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = SegmentHits;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _: &SegmentReader,
    ) -> tantivy::Result<SegmentHits> {
        Ok(SegmentHits {
            segment,
            hits: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentHits {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.hits.push((score, DocAddress::new(self.segment, doc)));
    }

    fn harvest(self) -> Self::Fruit {
        self.hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::listings;
    use crate::{build_index, patch_index, SearchDoc, SearchError};

    fn searcher() -> Searcher {
        let bytes = build_index(&listings(), &Synonyms::standard()).expect("build");
        Searcher::open(&bytes).expect("open")
    }

    fn ask(searcher: &Searcher, query: Query) -> Vec<String> {
        let results = searcher.search(&query).expect("search");
        assert!(results.total >= results.hits.len());
        results.hits.into_iter().map(|hit| hit.slug).collect()
    }

    fn text(searcher: &Searcher, text: &str) -> Vec<String> {
        ask(
            searcher,
            Query {
                text: text.to_owned(),
                ..Query::default()
            },
        )
    }

    /// The fixture after three saves: Green Fingers renamed and mentioning ferrets, Mendip
    /// Sitters withdrawn, and a new listing that sorts in the middle.
    fn after_saves() -> (Vec<SearchDoc>, Vec<&'static str>, Vec<SearchDoc>) {
        let mut now = listings();
        let renamed = now
            .iter_mut()
            .find(|doc| doc.slug == "green-fingers")
            .expect("green fingers");
        renamed.name = "Zest Gardens".into();
        renamed
            .body
            .push_str(" We are happy to work around ferrets.");
        let renamed = renamed.clone();
        now.retain(|doc| doc.slug != "mendip-sitters");
        let new = SearchDoc {
            slug: "minehead-ferret-friends".into(),
            url: "enterprises/minehead-ferret-friends/".into(),
            name: "Minehead Ferret Friends".into(),
            summary: "Companionship for people who keep ferrets".into(),
            support_types: vec!["companionship".into()],
            towns: vec!["Minehead".into()],
            postcode_districts: vec!["TA24".into()],
            taking_new_clients: "yes".into(),
            ..SearchDoc::default()
        };
        now.push(new.clone());
        let removed = vec!["green-fingers", "mendip-sitters"];
        (now, removed, vec![renamed, new])
    }

    #[test]
    fn a_patched_index_finds_what_a_full_rebuild_finds() {
        let base_docs = listings();
        let base = build_index(&base_docs, &Synonyms::standard()).expect("build");
        let (now, removed, added) = after_saves();
        let bytes = patch_index(&base, &base_docs, &removed, &added).expect("patch");
        let patched = Searcher::open(&bytes).expect("open patched");
        let full = Searcher::open(&build_index(&now, &Synonyms::standard()).expect("build"))
            .expect("open");
        assert_eq!(patched.len(), full.len());
        // With no words, every listing in name order, exactly as a full rebuild lists them.
        let everything = ask(&patched, Query::default());
        assert_eq!(everything, ask(&full, Query::default()));
        assert_eq!(everything.len(), 7);
        let companions = Query {
            support_type: Some("companionship".into()),
            ..Query::default()
        };
        assert_eq!(
            ask(&patched, companions.clone()),
            [
                "minehead-ferret-friends",
                "quantock-kindly-hands",
                "shepton-friends"
            ]
        );
        assert_eq!(ask(&patched, companions), ask(&full, companions_again()));
        // Words: the same listings, the new words found and the withdrawn listing gone.
        for words in [
            "ferrets",
            "garden",
            "Wells",
            "Minehead",
            "Zest",
            "Green Fingers",
            "TA24",
        ] {
            let mut got = text(&patched, words);
            let mut want = text(&full, words);
            got.sort();
            want.sort();
            assert_eq!(got, want, "{words}");
        }
        assert_eq!(text(&patched, "mendip"), Vec::<String>::new());
        let mut ferrets = text(&patched, "ferrets");
        ferrets.sort();
        assert_eq!(ferrets, ["green-fingers", "minehead-ferret-friends"]);
    }

    fn companions_again() -> Query {
        Query {
            support_type: Some("companionship".into()),
            ..Query::default()
        }
    }

    #[test]
    fn a_patch_cannot_add_a_listing_twice_or_patch_a_patch() {
        let base_docs = listings();
        let base = build_index(&base_docs, &Synonyms::standard()).expect("build");
        let (_, _, added) = after_saves();
        let err = patch_index(&base, &base_docs, &["mendip-sitters"], &added).expect_err("twice");
        assert!(matches!(err, SearchError::DuplicateSlug(slug) if slug == "green-fingers"));
        let patched =
            patch_index(&base, &base_docs, &["green-fingers"], &added[..1]).expect("patch");
        let err = patch_index(&patched, &base_docs, &[], &[]).expect_err("patch of a patch");
        assert!(matches!(err, SearchError::Corrupt(_)));
    }

    #[test]
    fn a_patch_that_only_withdraws_has_no_second_segment() {
        let base_docs = listings();
        let base = build_index(&base_docs, &Synonyms::standard()).expect("build");
        let bytes = patch_index(&base, &base_docs, &["mendip-sitters"], &[]).expect("patch");
        let patched = Searcher::open(&bytes).expect("open");
        assert_eq!(patched.len(), 6);
        let mut now = base_docs.clone();
        now.retain(|doc| doc.slug != "mendip-sitters");
        let full = Searcher::open(&build_index(&now, &Synonyms::standard()).expect("build"))
            .expect("open");
        // "Wells" was only Mendip Sitters' town: it now widens to near words, as in a rebuild.
        for words in ["Wells", "mendip", "sitting"] {
            let (got, want) = (text(&patched, words), text(&full, words));
            assert!(!got.contains(&"mendip-sitters".to_owned()), "{words}");
            assert_eq!(got, want, "{words}");
        }
        assert_eq!(
            ask(&patched, Query::default()),
            ask(&full, Query::default())
        );
        let files = crate::pack::unpack(&bytes).expect("unpack");
        assert!(files
            .iter()
            .all(|(name, _)| !name.starts_with(PATCH_SEGMENT_ID)));
    }

    #[test]
    fn a_typo_still_finds_the_listing_and_nothing_unrelated() {
        let searcher = searcher();
        assert_eq!(text(&searcher, "gardning"), ["green-fingers"]);
        let mut misspelt = text(&searcher, "befreinding");
        misspelt.sort();
        assert_eq!(misspelt, ["quantock-kindly-hands", "shepton-friends"]);
    }

    #[test]
    fn a_real_word_is_not_widened_by_typos() {
        // "wells" is a town; "walls" or "well" one edit away must not join in.
        assert_eq!(text(&searcher(), "wells "), ["mendip-sitters"]);
    }

    #[test]
    fn the_last_word_matches_as_a_prefix_while_typing() {
        let searcher = searcher();
        assert_eq!(text(&searcher, "gard"), ["green-fingers"]);
        let done = searcher
            .search(&Query {
                text: "gard ".into(),
                ..Query::default()
            })
            .expect("search");
        assert_eq!(done.total, 0);
        assert_eq!(done.ignored, ["gard"]);
    }

    #[test]
    fn a_full_postcode_matches_its_district() {
        let searcher = searcher();
        assert_eq!(text(&searcher, "TA4 2PQ"), ["quantock-kindly-hands"]);
        assert_eq!(text(&searcher, "ta42pq"), ["quantock-kindly-hands"]);
        assert_eq!(
            text(&searcher, "BA4"),
            // Both serve the district; the one taking new clients comes first.
            ["shepton-friends", "mendip-sitters"]
        );
    }

    #[test]
    fn multi_word_towns_match_the_towns_field() {
        let searcher = searcher();
        // Shepton Friends also has "Shepton" in its name, which counts most.
        assert_eq!(
            text(&searcher, "Shepton Mallet"),
            ["shepton-friends", "mendip-sitters"]
        );
        assert_eq!(text(&searcher, "Nether Stowey"), ["quantock-kindly-hands"]);
    }

    #[test]
    fn synonyms_find_what_residents_mean() {
        let searcher = searcher();
        assert_eq!(text(&searcher, "cleaner"), ["quantock-kindly-hands"]);
        assert_eq!(text(&searcher, "respite"), ["mendip-sitters"]);
        assert_eq!(text(&searcher, "carer's break"), ["mendip-sitters"]);
    }

    #[test]
    fn labels_of_keys_match_the_keys() {
        let searcher = searcher();
        assert_eq!(text(&searcher, "home help"), ["quantock-kindly-hands"]);
        assert_eq!(text(&searcher, "learning disability"), ["brightday-club"]);
        assert_eq!(
            text(&searcher, "saturday"),
            ["green-fingers", "tone-personal-care"]
        );
    }

    #[test]
    fn every_word_must_match_when_some_listing_has_them_all() {
        let searcher = searcher();
        assert_eq!(text(&searcher, "dementia wells"), ["mendip-sitters"]);
        let results = searcher
            .search(&Query {
                text: "dementia Frome".into(),
                keys: true,
                ..Query::default()
            })
            .expect("search");
        // Dementia is understood, and Frome is a place: nobody meets both, so nothing is
        // presented as a match; the nearest are offered apart, each saying what it lacks.
        assert_eq!((results.total, results.exact), (0, 0), "{results:?}");
        assert!(results.hits.is_empty());
        assert_eq!(results.alternatives[0].without, "place", "{results:?}");
        assert!(results.alternatives[0]
            .hits
            .iter()
            .all(|h| h.who_for.contains(&"dementia".to_owned())));
    }

    #[test]
    fn unknown_words_are_ignored_and_reported() {
        let results = searcher()
            .search(&Query {
                text: "gardening xylophone please".into(),
                ..Query::default()
            })
            .expect("search");
        assert_eq!(results.ignored, ["xylophone"]);
        assert!(!results.relaxed);
        assert_eq!(results.hits[0].slug, "green-fingers");
        assert_eq!(results.total, 1);
    }

    #[test]
    fn the_name_outranks_the_body() {
        // Brightday mentions wellbeing in its body; Wheels to Wellbeing is named for it.
        assert_eq!(
            text(&searcher(), "wellbeing"),
            ["wheels-to-wellbeing", "brightday-club"]
        );
    }

    #[test]
    fn empty_text_lists_everything_by_name() {
        let names: Vec<String> = searcher()
            .search(&Query::default())
            .expect("search")
            .hits
            .into_iter()
            .map(|hit| hit.name)
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names.len(), listings().len());
        assert_eq!(names, sorted);
    }

    #[test]
    fn filters_narrow_the_list() {
        let searcher = searcher();
        let only = |query: Query| ask(&searcher, query);
        let support = Some("gardening".to_owned());
        assert_eq!(
            only(Query {
                support_type: support,
                ..Query::default()
            }),
            ["green-fingers"]
        );
        let who = Some("Learning_Disability".to_owned());
        assert_eq!(
            only(Query {
                who_for: who,
                ..Query::default()
            }),
            ["brightday-club"]
        );
        let day = Some("sat".to_owned());
        assert_eq!(
            only(Query {
                day,
                ..Query::default()
            }),
            ["green-fingers", "tone-personal-care"]
        );
        let open = only(Query {
            taking_new_clients: true,
            ..Query::default()
        });
        assert_eq!(open.len(), 6);
        assert!(!open.contains(&"mendip-sitters".to_owned()));
        let paid = only(Query {
            direct_payment: true,
            ..Query::default()
        });
        assert_eq!(
            paid,
            [
                "brightday-club",
                "mendip-sitters",
                "quantock-kindly-hands",
                "tone-personal-care"
            ]
        );
        let both = Query {
            text: "dementia".into(),
            taking_new_clients: true,
            direct_payment: true,
            ..Query::default()
        };
        assert_eq!(only(both), ["quantock-kindly-hands"]);
    }

    #[test]
    fn ties_are_broken_by_name_then_slug() {
        let twin = |slug: &str, name: &str| SearchDoc {
            slug: slug.into(),
            name: name.into(),
            body: "ironing".into(),
            ..SearchDoc::default()
        };
        let docs = [twin("b", "Zeta"), twin("c", "Alpha"), twin("a", "Alpha")];
        let bytes = build_index(&docs, &Synonyms::default()).expect("build");
        let searcher = Searcher::open(&bytes).expect("open");
        let results = searcher
            .search(&Query {
                text: "ironing".into(),
                ..Query::default()
            })
            .expect("search");
        let slugs: Vec<&str> = results.hits.iter().map(|hit| hit.slug.as_str()).collect();
        assert_eq!(slugs, ["a", "c", "b"]);
        assert!(results
            .hits
            .iter()
            .all(|hit| hit.score == results.hits[0].score));
    }

    #[test]
    fn hits_carry_what_the_result_list_shows() {
        let results = searcher()
            .search(&Query {
                text: "Williton".into(),
                ..Query::default()
            })
            .expect("search");
        let hit = &results.hits[0];
        assert_eq!(hit.url, "enterprises/quantock-kindly-hands/");
        assert_eq!(hit.name, "Quantock Kindly Hands");
        assert_eq!(hit.towns, ["Williton", "Nether Stowey"]);
        assert_eq!(hit.taking_new_clients, "yes");
        assert!(hit.summary.starts_with("Friendly help"));
        assert!(hit.score > 0.0);
    }

    #[test]
    fn the_limit_caps_hits_not_the_total() {
        let results = searcher()
            .search(&Query {
                limit: 2,
                ..Query::default()
            })
            .expect("search");
        assert_eq!(results.hits.len(), 2);
        assert_eq!(results.total, listings().len());
    }

    #[test]
    fn damaged_bytes_are_an_error() {
        let mut bytes = build_index(&listings(), &Synonyms::standard()).expect("build");
        assert!(Searcher::open(&bytes[..bytes.len() / 2]).is_err());
        assert!(Searcher::open(b"not an index").is_err());
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        assert!(Searcher::open(&bytes).is_err());
    }
}
