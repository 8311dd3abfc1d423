//! End-to-end tests of the HTTP API and the `tessera` binary, over real sockets.

mod binary;
mod helpers;
mod lifecycle;
mod probes;
mod register;
mod sign_in;
mod site;
mod tokens;
