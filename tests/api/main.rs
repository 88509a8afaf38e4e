//! Histo's tests through its real HTTP interface, each on SQLite and on PostgreSQL.

mod helpers;

mod auth;
mod cli;
mod durability;
mod events;
mod export;
mod logs;
mod openapi;
mod read_requests;
mod stats;
mod visibility;
mod web_app;
