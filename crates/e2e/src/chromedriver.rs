//! The chromedriver child process that drives Chromium.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A chromedriver on a free local port; killed when dropped.
pub struct Chromedriver {
    child: Child,
    pub(crate) url: String,
}

impl Chromedriver {
    /// Spawns `CHROMEDRIVER` (default `/usr/bin/chromedriver`) and waits until it accepts connections.
    ///
    /// # Panics
    /// When chromedriver is missing or does not start listening within 10 s.
    pub fn start() -> Self {
        let bin = tool_path("CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", bin.display()));
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // Already exited is fine too.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The tool at env `var`, or at `default`.
///
/// # Panics
/// When it does not exist, with the way to install it.
pub(crate) fn tool_path(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.is_file(),
        "{} not found (set {var} to override): install Debian's chromium and chromium-driver, \
         e.g. `scripts/install-frontend-tools --browser`",
        path.display()
    );
    path
}
