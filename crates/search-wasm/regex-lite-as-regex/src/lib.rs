//! `regex-lite` under the name `regex`, for the browser search engine only (see Cargo.toml).
//! Exports the items tantivy uses: `Regex`, `escape` and `Error`.
pub use regex_lite::{escape, Error, Regex};
