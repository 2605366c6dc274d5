//! Fuzz one listing file through parsing, validation and rendering. Any panic is a bug;
//! so is any published page with a script element in it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for (path, html) in carepages::fuzzing::listing(data) {
        assert!(!html.to_ascii_lowercase().contains("<script"), "{path} contains a script element");
    }
});
