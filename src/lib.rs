//! # azure-incremental-snapshots
//!
//! Back up Azure managed disks with incremental snapshots from any JavaScript runtime, with only
//! the user's own ARM bearer token.
//!
//! The crate is a pure core with thin shells (see ARCHITECTURE.md):
//! - [`resource_id`]: parse, validate, format and compare ARM ids;
//! - [`models`]: the open enums of ARM disk and snapshot properties;
//! - [`scan`]: the byte scanner of list pages and the one chain rule and order;
//! - [`config`]: the PUT body of an incremental snapshot or a cross-region copy, validated;
//! - [`template`]: deployable ARM templates and parameter files;
//! - [`filter`]: a disk's incremental-snapshot chain, and every chain of a listing;
//! - [`retention`]: which snapshots of each chain a retention policy keeps and removes;
//! - [`error`]: the one error type, with stable codes;
//! - `wasm` (wasm32 only): the JavaScript facade and the fetch transport.
//!
//! Architecture invariant: nothing outside `wasm` does I/O, reads a clock or mentions `JsValue`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod api_version;
pub mod arm;
pub mod blob;
pub mod config;
pub mod error;
pub mod filter;
pub mod models;
mod read;
pub mod resource_id;
pub mod restore;
pub mod retention;
pub mod rules;
pub mod scan;
mod sort;
pub mod template;
pub mod time;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm;

pub use error::{Error, ErrorCode, Result};
pub use resource_id::ResourceId;

/// The wasm build's allocator: lol_alloc's free list (sorted, coalescing; wasm32 is single
/// threaded), about 3 KB gzip smaller than std's dlmalloc.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
