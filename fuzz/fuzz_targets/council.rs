//! Fuzz a council's settings file through checking and rendering a one-listing site. Any
//! panic is a bug; so is a page with a script element the site did not write itself, or an
//! XML file with a control character.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for (path, text) in carepages::fuzzing::council(data) {
        if path.ends_with(".html") || path.ends_with(".svg") {
            if let Some(found) = carepages::fuzzing::foreign_script(&text) {
                panic!("{path} has a script the site did not write: {found}");
            }
        }
        if path.ends_with(".xml") {
            assert!(
                !text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')),
                "{path} has a control character"
            );
        }
    }
});
