//! Histo's tests through its real HTTP interface, each on SQLite and on PostgreSQL.

mod helpers;

mod auth;
mod durability;
mod events;
mod openapi;
mod web_app;
