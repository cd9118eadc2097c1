//! The JavaScript facade: thin wasm-bindgen wrappers over the core.
//!
//! Rules of this layer (see ARCHITECTURE.md):
//! - inputs arrive as `JsValue` and are deserialized *inside* each function, so bad input is a
//!   typed error, never a trap at the ABI boundary;
//! - JSON-shaped data crosses as JSON text (`JSON.stringify` / `JSON.parse` on the JS side of the
//!   boundary): plain objects out, never `Map`, never `undefined` where ARM has `null`;
//! - every failure becomes a real JS `Error` with a stable `code` (see [`crate::ErrorCode`]).

// A smaller entry (fewer API groups, see Cargo.toml's [features]) leaves some helpers unused.
#![cfg_attr(not(feature = "full"), allow(dead_code, unused_imports))]

#[cfg(feature = "copy")]
mod blob;
#[cfg(feature = "copy")]
mod changes;
#[cfg(feature = "client")]
pub mod client;
mod convert;
pub mod exports;
#[cfg(feature = "immutability")]
mod immutability;
#[cfg(feature = "restore")]
mod restore;
#[cfg(feature = "client")]
mod transport;

/// The package's TypeScript declarations (the exports use `skip_typescript`).
#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT_TYPES: &str = include_str!("types.d.ts");
