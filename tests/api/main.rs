//! Histo's tests through its real HTTP interface, each on SQLite and on PostgreSQL.

mod helpers;

mod access;
mod admin_cli;
mod alerts;
mod analysis;
mod attacks;
mod audit_trail;
mod auth;
mod boundaries;
mod cli;
mod durability;
mod events;
mod export;
mod hardening;
mod hiding;
mod isolation;
mod logs;
mod metrics;
mod openapi;
mod read_requests;
mod receiver;
mod request_log;
mod retention;
mod startup;
mod stats;
mod visibility;
mod web_app;
