//! The store on its own, on both engines: every `Store` method on a
//! fresh SQLite database and on a fresh Postgres schema, the two engines'
//! schemas compared, and databases made by the previous release upgraded.
//!
//! Postgres is the local server (`TESSERA_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`); unreachable, it fails these
//! tests, as it does the API tests.

// Shared with the API tests, which use more of it.
mod collation;
#[allow(dead_code)]
#[path = "../../tests/api/database.rs"]
mod database;
mod engines;
mod follower;
mod key_checks;
mod lifecycle;
mod mail;
mod raise_race;
mod revocations;
mod schema;
mod second_factor;
mod sessions;
mod upgrade;
mod users;
