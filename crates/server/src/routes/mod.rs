//! The API's routes, one module per area.

pub mod events;
pub mod health;
pub mod logs;
pub mod sites;
pub mod stats;
pub mod taxonomy;
