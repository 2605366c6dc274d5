//! Packs the unit tests' fixture listings into an index file, for the browser engine's tests.
//!
//!     cargo run -p carepages-search --example make-fixture-index -- OUT.wasm

use std::error::Error;

use carepages_search::{build_index, SearchDoc, Synonyms};

fn main() -> Result<(), Box<dyn Error>> {
    let out = std::env::args()
        .nth(1)
        .ok_or("usage: make-fixture-index OUT_FILE")?;
    let docs: Vec<SearchDoc> = serde_json::from_str(include_str!("../fixtures/listings.json"))?;
    let bytes = build_index(&docs, &Synonyms::standard())?;
    std::fs::write(&out, &bytes)?;
    eprintln!(
        "wrote {out}: {} listings, {} bytes",
        docs.len(),
        bytes.len()
    );
    Ok(())
}
