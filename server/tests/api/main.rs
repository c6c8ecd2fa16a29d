//! Integration tests: the real server on port 0 with a fresh SQLite file, over HTTP.

mod abuse;
mod admin;
mod ai;
mod analytics;
mod auth;
mod canned;
mod chat;
mod contacts;
mod faults;
mod files;
mod handoff;
mod helpers;
mod labels;
mod language;
mod metrics;
mod nodes;
mod notes;
mod openapi;
mod races;
mod realtime;
mod routing;
mod search;
mod security;
mod upgrade;
mod webhooks;
mod widget;
