//! Any bytes as a list page: the filter and the chain grouping give a typed error or JSON.
#![no_main]

use azure_incremental_snapshots::filter::{filter_incremental_snapshots_json, group_snapshot_chains_json};
use libfuzzer_sys::fuzz_target;

const DISK: &str = r#"{"id":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/disks/d","properties":{"uniqueId":"u"}}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(page) = std::str::from_utf8(data) else { return };
    if let Ok(out) = filter_incremental_snapshots_json(DISK, page) {
        serde_json_check(&out);
    }
    if let Ok(out) = group_snapshot_chains_json(page, Some(&format!("[{DISK}]"))) {
        serde_json_check(&out);
    }
});

fn serde_json_check(text: &str) {
    assert!(text.starts_with('[') || text.starts_with('{'), "{text}");
}
