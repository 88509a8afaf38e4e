//! One file per page.

pub mod dashboard;
pub mod settings;
pub mod signin;
pub mod sites;
