//! End-to-end tests of the HTTP API and the `tessera` binary, over real sockets.

mod admin;
mod binary;
mod collation;
mod connections;
mod crash;
mod database;
mod flood;
mod follower;
mod grace;
mod helpers;
mod instances;
mod keys;
mod lifecycle;
mod limits;
mod openapi;
mod outage;
mod probes;
mod process;
mod properties;
mod register;
mod session_age;
mod sign_in;
mod site;
mod tokens;
