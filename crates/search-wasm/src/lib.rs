//! The browser search engine: the same `carepages-search` query code the CLI runs, compiled
//! to `wasm32-unknown-unknown` behind a handful of C functions, with no wasm-bindgen and no
//! imports, so the page needs only `WebAssembly.instantiate` and a few lines of glue.
//!
//! # ABI
//!
//! All numbers are wasm `i32`; strings are UTF-8 JSON in the module's memory.
//!
//! | export | does |
//! | --- | --- |
//! | `alloc(len) -> ptr` | reserves `len` bytes for the caller to fill |
//! | `dealloc(ptr, len)` | frees what `alloc` gave |
//! | `open(ptr, len) -> status` | opens the packed index in those bytes (copied; free them after) |
//! | `search(ptr, len) -> status` | runs a `Query` given as JSON |
//! | `result_ptr() -> ptr`, `result_len() -> len` | the last call's output |
//!
//! Status 0: done; for `search` the output is the `Results` JSON. Status 1: failed; the
//! output is `{"error": "..."}`. Status 2: `search` before a successful `open`. The output
//! stays valid until the next `open` or `search`.
//!
//! The safe core ([`open_index`], [`search_json`]) is plain Rust and tested natively; only the
//! `abi` module, compiled for wasm alone, touches raw pointers.

use std::cell::RefCell;

use carepages_search::{Query, Searcher};

thread_local! {
    // The browser runs this module on one thread; these are its whole state.
    static SEARCHER: RefCell<Option<Searcher>> = const { RefCell::new(None) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Call succeeded.
pub const OK: i32 = 0;
/// Call failed; the output holds `{"error": "..."}`.
pub const FAILED: i32 = 1;
/// `search` was called before an index was opened.
pub const NOT_OPEN: i32 = 2;

/// Opens a packed index, replacing any open one.
pub fn open_index(bytes: &[u8]) -> i32 {
    match Searcher::open(bytes) {
        Ok(searcher) => {
            SEARCHER.with(|slot| *slot.borrow_mut() = Some(searcher));
            set_output(Vec::new());
            OK
        }
        Err(err) => fail(&err.to_string()),
    }
}

/// Runs a JSON `Query` on the open index and leaves the JSON `Results` as the output.
pub fn search_json(query: &[u8]) -> i32 {
    let query: Query = match serde_json::from_slice(query) {
        Ok(query) => query,
        Err(err) => return fail(&format!("the query is not valid JSON: {err}")),
    };
    let answer = SEARCHER.with(|slot| {
        slot.borrow()
            .as_ref()
            .map(|searcher| searcher.search(&query))
    });
    let results = match answer {
        None => {
            set_output(br#"{"error":"no index is open"}"#.to_vec());
            return NOT_OPEN;
        }
        Some(Err(err)) => return fail(&err.to_string()),
        Some(Ok(results)) => results,
    };
    match serde_json::to_vec(&results) {
        Ok(json) => {
            set_output(json);
            OK
        }
        Err(err) => fail(&err.to_string()),
    }
}

/// The last call's output, as the page reads it.
pub fn output() -> Vec<u8> {
    OUTPUT.with(|out| out.borrow().clone())
}

fn set_output(bytes: Vec<u8>) {
    OUTPUT.with(|out| *out.borrow_mut() = bytes);
}

fn fail(message: &str) -> i32 {
    let json = serde_json::json!({ "error": message }).to_string();
    set_output(json.into_bytes());
    FAILED
}

/// The exported functions. Compiled only for wasm: natively, `open` would shadow libc's.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod abi {
    use super::{open_index, search_json, OUTPUT};

    /// Reserves `len` bytes that the caller fills and later frees with [`dealloc`].
    #[no_mangle]
    pub extern "C" fn alloc(len: usize) -> *mut u8 {
        let mut buffer = Vec::<u8>::with_capacity(len);
        let ptr = buffer.as_mut_ptr();
        std::mem::forget(buffer);
        ptr
    }

    /// Frees a buffer from [`alloc`].
    ///
    /// # Safety
    /// `ptr` and `len` must be exactly what one earlier `alloc` call took and gave.
    #[no_mangle]
    pub unsafe extern "C" fn dealloc(ptr: *mut u8, len: usize) {
        // SAFETY: the caller passes back a pointer and capacity from `alloc`.
        drop(unsafe { Vec::from_raw_parts(ptr, 0, len) });
    }

    /// # Safety
    /// `ptr..ptr+len` must be initialised memory from [`alloc`].
    #[no_mangle]
    pub unsafe extern "C" fn open(ptr: *const u8, len: usize) -> i32 {
        // SAFETY: the caller filled `len` bytes at `ptr`, allocated by `alloc`.
        open_index(unsafe { std::slice::from_raw_parts(ptr, len) })
    }

    /// # Safety
    /// `ptr..ptr+len` must be initialised memory from [`alloc`].
    #[no_mangle]
    pub unsafe extern "C" fn search(ptr: *const u8, len: usize) -> i32 {
        // SAFETY: the caller filled `len` bytes at `ptr`, allocated by `alloc`.
        search_json(unsafe { std::slice::from_raw_parts(ptr, len) })
    }

    #[no_mangle]
    pub extern "C" fn result_ptr() -> *const u8 {
        OUTPUT.with(|out| out.borrow().as_ptr())
    }

    #[no_mangle]
    pub extern "C" fn result_len() -> usize {
        OUTPUT.with(|out| out.borrow().len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use carepages_search::{build_index, SearchDoc, Synonyms};

    fn index() -> Vec<u8> {
        let docs = [SearchDoc {
            slug: "green-fingers".into(),
            url: "enterprises/green-fingers/".into(),
            name: "Green Fingers".into(),
            support_types: vec!["gardening".into()],
            ..SearchDoc::default()
        }];
        build_index(&docs, &Synonyms::standard()).expect("build")
    }

    fn output_json() -> serde_json::Value {
        serde_json::from_slice(&output()).expect("output is JSON")
    }

    // One test, because the engine's state is per thread and the steps depend on each other.
    #[test]
    fn searches_only_after_opening_and_reports_errors_as_json() {
        assert_eq!(search_json(br#"{"text":"gardning"}"#), NOT_OPEN);
        assert_eq!(open_index(b"junk"), FAILED);
        assert!(output_json()["error"].as_str().is_some());

        assert_eq!(open_index(&index()), OK);
        assert_eq!(search_json(br#"{"text":"gardning"}"#), OK);
        let results = output_json();
        assert_eq!(results["total"], 1);
        assert_eq!(results["hits"][0]["url"], "enterprises/green-fingers/");

        assert_eq!(search_json(b"{not json"), FAILED);
        assert!(output_json()["error"]
            .as_str()
            .unwrap_or_default()
            .contains("JSON"));
    }
}
