//! The `histo` program's own parts beside its crates: made-up events for the demo and benchmarks.

pub mod generate;
