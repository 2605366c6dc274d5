//! Fuzz one listing file through parsing, validation and rendering. Any panic is a bug; so
//! is any published page with a script element the site did not write itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for (path, html) in carepages::fuzzing::listing(data) {
        if let Some(found) = carepages::fuzzing::foreign_script(&html) {
            panic!("{path} has a script the site did not write: {found}");
        }
    }
});
