//! Helpers for Tessera's real-browser tests.
//!
//! Each test starts its own `tessera serve` ([`TesseraServer`]) on a free port,
//! serving the built app in `dist/`, and drives its own headless Chromium
//! ([`Browser`]) through a chromedriver it spawns. Nothing is shared between
//! tests: every server has a fresh data directory, every browser a fresh profile.
//!
//! Prerequisites fail the tests loudly instead of skipping them:
//! `dist/index.html` (`trunk build --release`; the example's tests need
//! `examples/yew-minimal/dist` too), axe-core in `tools/`
//! (`scripts/install-frontend-tools`), the `tessera` binary
//! (`cargo build -p tessera`, or `TESSERA_BIN`), and Debian's `chromium` and
//! `chromium-driver` (or `CHROMIUM` / `CHROMEDRIVER`).

pub mod audit;
mod browser;
mod chromedriver;
mod server;
pub mod steps;

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use browser::Browser;
pub use chromedriver::Chromedriver;
pub use server::{ServerConfig, TesseraServer};

/// How long [`eventually`] waits for a condition before failing the test: long
/// enough for a browser on a machine whose cores other work keeps busy.
pub const WAIT: Duration = Duration::from_secs(30);

/// How often [`eventually`] re-checks.
const POLL: Duration = Duration::from_millis(100);

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .expect("crates/e2e sits two levels below the workspace root")
        .to_path_buf()
}

/// The built app, `<workspace>/dist`.
///
/// # Panics
/// When `dist/index.html` is missing.
pub fn dist_dir() -> PathBuf {
    let dist = workspace_root().join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "{} has no index.html: build the app first with `trunk build --release`",
        dist.display()
    );
    dist
}

/// The minimal example app, built into `<workspace>/examples/yew-minimal/dist`.
///
/// # Panics
/// When its `index.html` is missing.
pub fn example_dist_dir() -> PathBuf {
    let dist = workspace_root().join("examples/yew-minimal/dist");
    assert!(
        dist.join("index.html").is_file(),
        "{} has no index.html: build the example first with \
         `trunk build --release` in examples/yew-minimal",
        dist.display()
    );
    dist
}

/// `tools/node_modules/axe-core/axe.min.js`: axe-core, installed by
/// `scripts/install-frontend-tools` at the version `tools/package.json` pins.
///
/// # Panics
/// When it is missing.
pub fn axe_script() -> String {
    let path = workspace_root().join("tools/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read {}: {err}; run scripts/install-frontend-tools",
            path.display()
        )
    })
}

/// Polls `probe` until it returns `Ok`, and returns that value.
///
/// # Panics
/// After [`WAIT`], naming `what` and the probe's last `Err` (what it saw instead).
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(last) if Instant::now() >= deadline => {
                panic!("timed out after {WAIT:?} waiting for {what}; last seen: {last}")
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}
