//! Times the list-page scanner natively on a saved page (a timing loop, not a test):
//!
//! ```text
//! node bench/scan-page.mjs --save=/tmp/page      # writes page.json and disk.json
//! cargo run --release --example scan_timing -- /tmp/page
//! ```
//!
//! The JS-side comparison with `JSON.parse` + a JS filter is `node bench/scan-page.mjs`.

use azure_incremental_snapshots::filter::filter_incremental_snapshots_bytes;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: cargo run --release --example scan_timing -- <dir with page.json and disk.json>");
        std::process::exit(2);
    };
    let page = std::fs::read_to_string(format!("{dir}/page.json")).expect("page.json");
    let disk = std::fs::read_to_string(format!("{dir}/disk.json")).expect("disk.json");
    let mut all = Vec::new();
    for _ in 0..40 {
        let t = std::time::Instant::now();
        std::hint::black_box(filter_incremental_snapshots_bytes(&disk, page.as_bytes()).expect("the page filters"));
        all.push(t.elapsed().as_secs_f64() * 1e3);
    }
    all.sort_by(f64::total_cmp);
    println!("{} bytes: scanner median {:.3} ms, best {:.3} ms", page.len(), all[all.len() / 2], all[0]);
}
