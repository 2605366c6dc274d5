//! Builds the index of a folder of listings in the content contract's format, to measure it;
//! optionally runs one query natively.
//!
//!     python3 ../shared/bench/gen_corpus.py carepages 1000 /tmp/corpus1000
//!     cargo run --release -p carepages-search --example corpus-index -- \
//!         /tmp/corpus1000/content/enterprises /tmp/index1000.wasm ["gardning taunton"]
//!
//! Only what search needs is read from the front matter; a listing is skipped unless it
//! consents to publishing and is not closed. The body is indexed as it is (Markdown marks
//! are punctuation to the tokenizer); the site generator passes plain text instead.

use std::error::Error;
use std::path::Path;
use std::time::Instant;

use carepages_search::{build_index, Query, SearchDoc, Searcher, Synonyms};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
struct FrontMatter {
    name: String,
    status: String,
    summary: String,
    support_types: Vec<String>,
    who_for: Vec<String>,
    service_area: ServiceArea,
    payment_accepted: Vec<String>,
    availability: Availability,
    consent: Consent,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ServiceArea {
    towns: Vec<String>,
    postcode_districts: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Availability {
    taking_new_clients: String,
    days: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Consent {
    publish: bool,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, out, rest @ ..] = args.as_slice() else {
        return Err("usage: corpus-index ENTERPRISES_DIR OUT_FILE [QUERY]".into());
    };
    let docs = read_listings(Path::new(dir))?;
    let started = Instant::now();
    let bytes = build_index(&docs, &Synonyms::standard())?;
    let built = started.elapsed();
    std::fs::write(out, &bytes)?;
    eprintln!(
        "{} listings -> {out}: {} bytes in {built:.2?}",
        docs.len(),
        bytes.len()
    );
    if let Some(text) = rest.first() {
        let searcher = Searcher::open(&bytes)?;
        let query = Query {
            text: text.clone(),
            limit: 5,
            ..Query::default()
        };
        let started = Instant::now();
        let results = searcher.search(&query)?;
        eprintln!(
            "{text:?}: {} results in {:.2?}",
            results.total,
            started.elapsed()
        );
        println!("{}", serde_json::to_string_pretty(&results)?);
    }
    Ok(())
}

fn read_listings(dir: &Path) -> Result<Vec<SearchDoc>, Box<dyn Error>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    paths.sort();
    let mut docs = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)?;
        let (yaml, body) = split_front_matter(&text)
            .ok_or_else(|| format!("{}: no front matter between --- lines", path.display()))?;
        let front: FrontMatter =
            serde_yaml::from_str(yaml).map_err(|err| format!("{}: {err}", path.display()))?;
        if !front.consent.publish || front.status == "closed" {
            continue;
        }
        let slug = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        docs.push(SearchDoc {
            url: format!("enterprises/{slug}/"),
            slug,
            name: front.name,
            summary: front.summary,
            body: body.to_owned(),
            support_types: front.support_types,
            who_for: front.who_for,
            towns: front.service_area.towns,
            postcode_districts: front.service_area.postcode_districts,
            payment_accepted: front.payment_accepted,
            taking_new_clients: front.availability.taking_new_clients,
            days: front.availability.days,
            ..SearchDoc::default()
        });
    }
    Ok(docs)
}

fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some((&rest[..end], &rest[end + 5..]))
}
