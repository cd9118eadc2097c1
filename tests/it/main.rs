//! Native integration tests: one test crate (linked once) with a module per area.

mod arm;
mod blob;
mod fixtures;
mod immutability;
mod properties;
mod restore;
mod retention;
mod rules;
mod scan;
mod template;
mod validation;
