//! The session in a real browser: `localStorage`, the `storage` event, and the
//! refresh and retry rules against a stand-in for the server's `fetch`.
//! Runs in headless Chromium through `wasm-bindgen-test-runner` (chromedriver
//! on PATH, `webdriver.json` beside this crate).
#![cfg(target_arch = "wasm32")]

mod guard;
mod page;
mod requests;
mod second_step;
mod storage;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
