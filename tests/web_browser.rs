//! wasm-bindgen tests of the JavaScript facade, in a headless browser (see tests/wasm/common.rs).
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test web_browser`
//! (runner: wasm-bindgen-test-runner; browser options in webdriver.json).
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "wasm/common.rs"]
mod common;
