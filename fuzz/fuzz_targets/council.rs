//! Fuzz a council's settings file through checking and rendering a one-listing site. Any
//! panic is a bug; so is a page with a script element, or a feed that is not XML.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for (path, text) in carepages::fuzzing::council(data) {
        if path.ends_with(".html") || path.ends_with(".svg") {
            assert!(!text.to_ascii_lowercase().contains("<script"), "{path} contains a script element");
        }
        if path.ends_with(".xml") {
            assert!(!text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')), "{path} has a control character");
        }
    }
});
