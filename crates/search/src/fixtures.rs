//! The small directory every unit test searches; `examples/make-fixture-index.rs` packs the
//! same file for the browser engine's tests.

use crate::SearchDoc;

pub(crate) fn listings() -> Vec<SearchDoc> {
    serde_json::from_str(include_str!("../fixtures/listings.json")).expect("fixture listings parse")
}
