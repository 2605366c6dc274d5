//! Fuzz a standards profile: reading it and judging a listing by it must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = carepages::fuzzing::profile(data);
});
