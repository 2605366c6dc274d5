//! Writes a council's listings into one packed index file. Native only in practice (the
//! writer uses a thread), though it compiles everywhere.
//!
//! Listings are added in name order into a single segment, so a document's id *is* its rank
//! by name: the searcher breaks score ties by id, and an empty query lists by name for free,
//! with no sort field stored.

use std::path::Path;

use tantivy::directory::RamDirectory;
use tantivy::store::Compressor;
use tantivy::tokenizer::TokenizerManager;
use tantivy::{Directory, Index, IndexSettings, TantivyError};

use crate::pack::{
    self, Patch, PATCH_FILE, PATCH_SEGMENT_ID, SEGMENT_ID, SYNONYMS_FILE, VOCABULARY_FILE,
};
use crate::schema::{key, Fields};
use crate::{analysis, SearchDoc, SearchError, Synonyms};

/// The writer's memory budget per listing, from which tantivy sizes its term table: 20 KB
/// each, between 1 MB and 200 MB. A small table for a patch of one listing is quicker to
/// make; one too small for a whole directory would be regrown as it fills.
fn writer_memory(listings: usize) -> usize {
    listings
        .saturating_mul(20_000)
        .clamp(1_000_000, 200_000_000)
}

/// Builds the packed index of `docs`, ready to write to the site as one file.
///
/// The output depends only on the listings (as a set: they are sorted by name, then slug)
/// and the synonyms, so rebuilding an unchanged site gives byte-identical files and
/// unchanged content hashes.
pub fn build_index(docs: &[SearchDoc], synonyms: &Synonyms) -> Result<Vec<u8>, SearchError> {
    let docs = in_name_order(docs)?;
    let (meta, mut files) = segment(&docs, SEGMENT_ID, synonyms.language())?;
    files.push(("meta.json".to_owned(), json(&meta)?));
    files.push((SYNONYMS_FILE.to_owned(), json(synonyms)?));
    files.push((
        VOCABULARY_FILE.to_owned(),
        json(&vocabulary(&docs, synonyms))?,
    ));
    pack::pack(&mut files)
}

/// Every key, town and district the listings use, with the council's own places and every
/// kind of help a listing may offer: sorted, so the same listings give the same bytes.
fn vocabulary(docs: &[&SearchDoc], synonyms: &Synonyms) -> crate::Vocabulary {
    use std::collections::BTreeSet;
    let collect = |get: &dyn Fn(&SearchDoc) -> &Vec<String>| -> Vec<String> {
        docs.iter()
            .flat_map(|d| get(d).iter().map(|v| key(v)))
            .filter(|v| !v.is_empty())
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect()
    };
    let (towns, districts) = synonyms.places();
    let mut town_names: BTreeSet<String> = docs
        .iter()
        .flat_map(|d| d.towns.iter())
        .chain(towns)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    // One spelling per town, whatever case listings used.
    let mut seen = BTreeSet::new();
    town_names.retain(|t| seen.insert(t.to_lowercase()));
    let district_codes: BTreeSet<String> = docs
        .iter()
        .flat_map(|d| d.postcode_districts.iter())
        .chain(districts)
        .map(|d| d.trim().to_uppercase())
        .filter(|d| !d.is_empty())
        .collect();
    let mut support_types = collect(&|d| &d.support_types);
    support_types.extend(synonyms.kinds_of_help().iter().map(|k| key(k)));
    support_types.sort();
    support_types.dedup();
    crate::Vocabulary {
        support_types,
        who_for: collect(&|d| &d.who_for),
        payments: collect(&|d| &d.payment_accepted),
        towns: town_names.into_iter().collect(),
        districts: district_codes.into_iter().collect(),
        council_towns: towns.to_vec(),
        council_districts: districts.to_vec(),
        language: synonyms.language().to_owned(),
    }
}

/// Updates an index made by [`build_index`] in a few milliseconds, for the preview: the
/// listings in `removed` (by slug) are hidden, and `added` go into a small second segment.
/// `base_docs` are the listings `base` was made from. A listing that changed is in both.
///
/// A search of the result finds what a search of a full rebuild would find, in the same
/// order when the text is empty. Relevance scores may differ slightly, because the word
/// statistics still count the hidden listings, so a site is always published with a full
/// index; the preview makes one after each save, once the pages have reloaded.
pub fn patch_index(
    base: &[u8],
    base_docs: &[SearchDoc],
    removed: &[&str],
    added: &[SearchDoc],
) -> Result<Vec<u8>, SearchError> {
    // `base_docs` were checked for duplicates when `base` was made. After the first patch
    // they are usually in name order already (see `sort_in_name_order`), and sorting them
    // again only compares each with the next.
    let base_keyed = keyed_in_name_order(base_docs);
    let base_order: Vec<&SearchDoc> = base_keyed.iter().map(|(_, doc)| *doc).collect();
    let removed: std::collections::HashSet<&str> = removed.iter().copied().collect();
    let hidden: Vec<u32> = (0u32..)
        .zip(&base_order)
        .filter(|(_, doc)| removed.contains(doc.slug.as_str()))
        .map(|(id, _)| id)
        .collect();
    let added = in_name_order(added)?;
    let kept = base_order
        .iter()
        .filter(|doc| !removed.contains(doc.slug.as_str()));
    if let Some(doc) = kept
        .map(|doc| doc.slug.as_str())
        .find(|slug| added.iter().any(|doc| doc.slug == *slug))
    {
        return Err(SearchError::DuplicateSlug(doc.to_owned()));
    }
    let ranks: Vec<u32> = added
        .iter()
        .map(|doc| {
            let key = name_key(doc);
            base_keyed.partition_point(|(k, _)| *k < key) as u32
        })
        .collect();

    let mut meta = None;
    let mut files = Vec::new();
    let mut known = crate::Vocabulary::default();
    for (name, data) in pack::unpack(base)? {
        match name {
            "meta.json" => meta = Some(data),
            VOCABULARY_FILE => {
                known = serde_json::from_slice(data).map_err(TantivyError::from)?;
            }
            PATCH_FILE => {
                return Err(SearchError::Corrupt(
                    "it is already a patched index; patch the full one".to_owned(),
                ))
            }
            _ => files.push((name.to_owned(), data.to_vec())),
        }
    }
    let meta = meta.ok_or_else(|| SearchError::Corrupt("it has no meta.json".to_owned()))?;
    let mut meta: serde_json::Value = serde_json::from_slice(meta).map_err(TantivyError::from)?;
    if !added.is_empty() {
        let (mut added_meta, added_files) = segment(&added, PATCH_SEGMENT_ID, &known.language)?;
        let segments = |meta: &mut serde_json::Value| {
            meta.get_mut("segments")
                .and_then(|s| s.as_array_mut())
                .map(std::mem::take)
                .unwrap_or_default()
        };
        let mut all = segments(&mut meta);
        all.extend(segments(&mut added_meta));
        meta["segments"] = serde_json::Value::Array(all);
        files.extend(added_files);
    }
    // The vocabulary of the listings the patched index holds, with the council's places,
    // so a patched index reads queries as a full rebuild would.
    let now: Vec<&SearchDoc> = base_order
        .iter()
        .copied()
        .filter(|doc| !removed.contains(doc.slug.as_str()))
        .chain(added.iter().copied())
        .collect();
    let places = Synonyms::default()
        .with_places(known.council_towns, known.council_districts)
        .with_kinds_of_help(known.support_types)
        .in_language(&known.language);
    let merged = vocabulary(&now, &places);
    files.push((VOCABULARY_FILE.to_owned(), json(&merged)?));
    files.push(("meta.json".to_owned(), json(&meta)?));
    files.push((PATCH_FILE.to_owned(), json(&Patch { hidden, ranks })?));
    pack::pack(&mut files)
}

/// A segment's `meta.json` and its files by name.
type Segment = (serde_json::Value, Vec<(String, Vec<u8>)>);

fn json(value: &impl serde::Serialize) -> Result<Vec<u8>, SearchError> {
    Ok(serde_json::to_vec(value).map_err(TantivyError::from)?)
}

/// One segment of `docs`, in that order: its `meta.json` and files, with the id `id`.
fn segment(docs: &[&SearchDoc], id: &str, language: &str) -> Result<Segment, SearchError> {
    let schema = Fields::schema(language);
    let fields = Fields::of(&schema)?;
    // Stored fields stay uncompressed: hosts compress the whole file on the wire, and lz4
    // blocks would hide their redundancy from brotli. Measured on 1,000 listings: 96 KB
    // brotli with lz4, 70 KB without (178 KB and 348 KB raw).
    let settings = IndexSettings {
        docstore_compression: Compressor::None,
        ..IndexSettings::default()
    };
    let tokenizers = TokenizerManager::default();
    analysis::register_in(&tokenizers);
    // One segment, written on this thread: an index writer's threads, commit and merge
    // machinery cost more than indexing a patch of a few listings.
    let mut writer = Index::builder()
        .schema(schema)
        .settings(settings)
        .tokenizers(tokenizers)
        .single_segment_index_writer(RamDirectory::create(), writer_memory(docs.len()))?;
    for doc in docs {
        writer.add_document(fields.document(doc))?;
    }
    let index = writer.finalize()?;
    index_files(&index, id)
}

/// The order listings take in an index: by name ignoring case, then name, then slug.
fn name_key(doc: &SearchDoc) -> (String, &str, &str) {
    (doc.name.to_lowercase(), &doc.name, &doc.slug)
}

/// Listings sorted by [`name_key`]; refuses duplicate slugs, which would make two results
/// indistinguishable.
fn in_name_order(docs: &[SearchDoc]) -> Result<Vec<&SearchDoc>, SearchError> {
    let mut slugs: Vec<&str> = docs.iter().map(|doc| doc.slug.as_str()).collect();
    slugs.sort_unstable();
    if let Some(pair) = slugs.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(SearchError::DuplicateSlug(pair[0].to_owned()));
    }
    Ok(keyed_in_name_order(docs)
        .into_iter()
        .map(|(_, doc)| doc)
        .collect())
}

/// Listings sorted by [`name_key`], with their keys.
fn keyed_in_name_order(docs: &[SearchDoc]) -> Vec<((String, &str, &str), &SearchDoc)> {
    let mut sorted: Vec<(_, &SearchDoc)> = docs.iter().map(|doc| (name_key(doc), doc)).collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    sorted
}

/// Puts listings in the order an index holds them. Keeping the `base_docs` of
/// [`patch_index`] in this order saves the patch sorting them.
pub fn sort_in_name_order(docs: &mut [SearchDoc]) {
    docs.sort_by_cached_key(|doc| {
        let (lower, name, slug) = name_key(doc);
        (lower, name.to_owned(), slug.to_owned())
    });
}

/// `meta.json` (compacted) and the segment's files, with the segment's random id made `id`.
fn index_files(index: &Index, id: &str) -> Result<Segment, SearchError> {
    let meta = index.load_metas()?;
    let segment_id = match meta.segments.as_slice() {
        [] => None,
        [segment] => Some(segment.id().uuid_string()),
        _ => return Err(SearchError::TooLarge),
    };
    let directory = index.directory();
    let read = |path: &Path| directory.atomic_read(path).map_err(TantivyError::from);
    let meta_json = canonical_meta(&read(Path::new("meta.json"))?, id)?;
    let mut files = Vec::new();
    for path in meta.list_segment_files() {
        if !directory.exists(&path).map_err(TantivyError::from)? {
            continue;
        }
        let mut name = path.to_string_lossy().into_owned();
        if let Some(random) = &segment_id {
            name = name.replace(random.as_str(), id);
        }
        files.push((name, read(&path)?));
    }
    Ok((meta_json, files))
}

/// tantivy's `meta.json` with `id` as the segment's id (the file stores it hyphenated).
fn canonical_meta(json: &[u8], id: &str) -> Result<serde_json::Value, SearchError> {
    let mut meta: serde_json::Value = serde_json::from_slice(json).map_err(TantivyError::from)?;
    let hyphenated = format!(
        "{}-{}-{}-{}-{}",
        &id[..8],
        &id[8..12],
        &id[12..16],
        &id[16..20],
        &id[20..]
    );
    if let Some(segments) = meta.get_mut("segments").and_then(|s| s.as_array_mut()) {
        for segment in segments {
            segment["segment_id"] = serde_json::Value::String(hyphenated.clone());
        }
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::listings;
    use crate::pack::unpack;

    #[test]
    fn same_listings_give_identical_bytes_in_any_order() {
        let docs = listings();
        let first = build_index(&docs, &Synonyms::standard()).expect("build");
        let again = build_index(&docs, &Synonyms::standard()).expect("build");
        assert_eq!(first, again);
        let mut reversed = docs.clone();
        reversed.reverse();
        let shuffled = build_index(&reversed, &Synonyms::standard()).expect("build");
        assert_eq!(first, shuffled);
    }

    #[test]
    fn a_changed_listing_changes_the_bytes() {
        let mut docs = listings();
        let first = build_index(&docs, &Synonyms::standard()).expect("build");
        docs[0].body.push_str(" ferrets");
        assert_ne!(
            first,
            build_index(&docs, &Synonyms::standard()).expect("build")
        );
    }

    #[test]
    fn ships_one_segment_with_a_fixed_id_and_no_junk() {
        let bytes = build_index(&listings(), &Synonyms::standard()).expect("build");
        let files = unpack(&bytes).expect("unpack");
        let names: Vec<&str> = files.iter().map(|(name, _)| *name).collect();
        assert!(names.contains(&"meta.json"));
        assert!(names.contains(&SYNONYMS_FILE));
        assert!(names.contains(&VOCABULARY_FILE));
        for name in &names {
            assert!(!name.contains("lock") && !name.starts_with('.'), "{name}");
            if !matches!(*name, "meta.json" | SYNONYMS_FILE | VOCABULARY_FILE) {
                assert!(name.starts_with(SEGMENT_ID), "{name}");
            }
        }
        let meta = files
            .iter()
            .find(|(name, _)| *name == "meta.json")
            .expect("meta");
        let meta = String::from_utf8_lossy(meta.1);
        assert!(
            meta.contains("00000000-0000-0000-0000-000000000001"),
            "{meta}"
        );
        assert!(!meta.contains('\n'));
    }

    #[test]
    fn duplicate_slugs_are_refused() {
        let mut docs = listings();
        docs[1].slug = docs[0].slug.clone();
        let err = build_index(&docs, &Synonyms::standard()).expect_err("duplicate");
        assert!(matches!(err, SearchError::DuplicateSlug(slug) if slug == docs[0].slug));
    }

    #[test]
    fn an_empty_directory_still_builds() {
        let bytes = build_index(&[], &Synonyms::standard()).expect("build");
        assert!(!unpack(&bytes).expect("unpack").is_empty());
    }
}
