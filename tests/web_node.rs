//! wasm-bindgen tests of the JavaScript facade, in Node (see tests/wasm/common.rs).
//! `cargo test --target wasm32-unknown-unknown --test web_node` (runner: wasm-bindgen-test-runner).
#![cfg(target_arch = "wasm32")]

#[path = "wasm/common.rs"]
mod common;
