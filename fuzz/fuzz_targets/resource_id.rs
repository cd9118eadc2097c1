//! Any bytes as an ARM id: a typed error or an id that formats back to itself, never a panic.
#![no_main]

use azure_incremental_snapshots::ResourceId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(id) = ResourceId::parse(text) {
        let canonical = id.to_string();
        assert!(!canonical.contains(['?', '#', '%', '\\']), "{canonical}");
        let again = ResourceId::parse(&canonical).expect("a formatted id parses");
        assert!(again.eq_ignore_case(&id));
    }
});
