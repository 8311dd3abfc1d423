//! Tests of the HTTP API (in-process, or over real sockets where the socket
//! matters) and of the `tessera` binary.

mod admin;
mod binary;
mod collation;
mod connections;
mod crash;
mod data_dir;
mod database;
mod devices;
mod discovery;
mod embed;
mod examples;
mod flood;
mod follower;
mod grace;
mod helpers;
mod instances;
mod jwt_authorizer;
mod keys;
mod lifecycle;
mod limits;
mod lockout;
mod openapi;
mod outage;
mod password_guessing;
mod probes;
mod process;
mod properties;
mod register;
mod remote_user;
mod session_age;
mod sign_in;
mod site;
mod tokens;
mod verifier;
