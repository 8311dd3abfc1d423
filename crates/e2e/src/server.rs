//! A `tessera serve` child process on a free port, serving `dist/`.

use std::collections::hash_map::RandomState;
use std::fs::File;
use std::hash::BuildHasher;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tempfile::TempDir;

use crate::{dist_dir, workspace_root};

/// How long the server may take to print its address.
const STARTUP: Duration = Duration::from_secs(30);

/// The `tessera serve` options a test cares about.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `--access-ttl`, e.g. `"3s"`.
    pub access_ttl: &'static str,
    /// `--refresh-ttl` (at least `"1m"`); `None` keeps the server's default (14 days).
    pub refresh_ttl: Option<&'static str>,
    /// `--refresh-grace`; `None` keeps the server's default (10 s).
    pub refresh_grace: Option<&'static str>,
    /// `--leeway`; `None` keeps the server's default.
    pub leeway: Option<&'static str>,
    /// `--signup open` when true, `--signup closed` otherwise.
    pub signup_open: bool,
    /// `--mailer` (e.g. `smtp://127.0.0.1:2525?tls=none`); the server then
    /// also gets `--public-url` set to its own origin, so mailed links open
    /// the app it serves. `None` keeps the server's default (`log`).
    pub mailer: Option<String>,
    /// Passkeys on: `--public-url http://localhost:PORT`, and [`TesseraServer::url`]
    /// is that origin, for the browser to open. WebAuthn binds passkeys to a
    /// domain (never an IP address), and browsers trust `localhost` as a
    /// secure context over plain HTTP.
    pub passkeys: bool,
}

impl Default for ServerConfig {
    /// Access tokens for 10 minutes (no refresh during a test), the server's
    /// other defaults, sign-up open.
    fn default() -> Self {
        Self {
            access_ttl: "10m",
            refresh_ttl: None,
            refresh_grace: None,
            leeway: None,
            signup_open: true,
            mailer: None,
            passkeys: false,
        }
    }
}

/// A running `tessera serve`; killed when dropped.
///
/// Its log (stderr) goes to a file, printed when the test fails.
pub struct TesseraServer {
    child: Child,
    url: String,
    log: PathBuf,
    _dir: TempDir,
}

impl TesseraServer {
    /// Starts the server on `127.0.0.1:0` with a fresh data directory and waits
    /// for the `listening on http://…` line on its stdout.
    ///
    /// # Panics
    /// When the binary or `dist/` is missing, or the server does not come up.
    pub fn start(config: &ServerConfig) -> Self {
        Self::start_serving(config, &dist_dir())
    }

    /// Like [`TesseraServer::start`], serving the app built into `dist`
    /// (e.g. [`crate::example_dist_dir`]) instead of the workspace's `dist/`.
    ///
    /// # Panics
    /// When the binary is missing, or the server does not come up.
    pub fn start_serving(config: &ServerConfig, dist: &Path) -> Self {
        let bin = tessera_bin();
        let dir = TempDir::new().expect("temp dir");
        let log = dir.path().join("tessera.log");
        // With a mailer the origin goes into the links, so it is fixed first.
        let addr = if config.mailer.is_some() || config.passkeys {
            free_loopback_addr()
        } else {
            "127.0.0.1:0".to_owned()
        };
        let port = addr.rsplit(':').next().unwrap_or_default().to_owned();
        let mut command = Command::new(&bin);
        command
            .args(["serve", "--addr", &addr, "--data-dir"])
            .arg(dir.path().join("data"))
            .arg("--static-dir")
            .arg(dist)
            .args(["--access-ttl", config.access_ttl])
            .args([
                "--signup",
                if config.signup_open { "open" } else { "closed" },
            ]);
        let optional = [
            ("--refresh-ttl", config.refresh_ttl),
            ("--refresh-grace", config.refresh_grace),
            ("--leeway", config.leeway),
        ];
        for (flag, value) in optional {
            if let Some(value) = value {
                command.args([flag, value]);
            }
        }
        if config.passkeys {
            command.args(["--public-url", &format!("http://localhost:{port}")]);
        } else if config.mailer.is_some() {
            command.args(["--public-url", &format!("http://{addr}")]);
        }
        if let Some(mailer) = &config.mailer {
            command.args(["--mailer", mailer]);
        }
        let child = command
            .env("TESSERA_JWT_SECRET", random_secret())
            .env("RUST_LOG", "tessera=debug,tower_http=info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&log).expect("log file"))
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", bin.display()));
        let mut server = Self {
            child,
            url: String::new(),
            log,
            _dir: dir,
        };
        server.url = server.read_address();
        if config.passkeys {
            server.url = format!("http://localhost:{port}");
        }
        server
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops the server now (to see the app cope with an unreachable API).
    pub fn stop(&mut self) {
        // Already exited is fine too.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn read_address(&mut self) -> String {
        let stdout = self.child.stdout.take().expect("piped stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = sender.send(lines.next().and_then(Result::ok));
            // Keep draining so the server never blocks on a full pipe.
            lines.for_each(drop);
        });
        let line = receiver.recv_timeout(STARTUP).ok().flatten();
        let address = line
            .as_deref()
            .and_then(|line| line.strip_prefix("listening on "))
            .filter(|url| url.starts_with("http://"));
        match address {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => panic!(
                "tessera did not print `listening on http://…` within {STARTUP:?} \
                 (got {line:?}); its log:\n{}",
                self.log_text()
            ),
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for TesseraServer {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            let log = self.log_text();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("--- last lines of the tessera log ---");
            tail.iter().rev().for_each(|line| eprintln!("{line}"));
        }
    }
}

/// `TESSERA_BIN`, or `tessera` next to this test binary's profile directory
/// (`<target>/debug/tessera` for a plain `cargo test`).
fn tessera_bin() -> PathBuf {
    let bin = std::env::var_os("TESSERA_BIN").map_or_else(
        || {
            let exe = std::env::current_exe().expect("test binary path");
            // <target>/debug/deps/<test> -> <target>/debug/tessera
            let profile_dir = exe.parent().and_then(|deps| deps.parent());
            profile_dir.expect("<target>/<profile>").join("tessera")
        },
        PathBuf::from,
    );
    assert!(
        bin.is_file(),
        "no tessera binary at {}: run `cargo build -p tessera` first (from {}), or set TESSERA_BIN",
        bin.display(),
        workspace_root().display()
    );
    bin
}

/// 48 hex characters, different for every server.
fn random_secret() -> String {
    (0..3u8)
        .map(|part| format!("{:016x}", RandomState::new().hash_one(part)))
        .collect()
}

/// A loopback address with a port free now (the server binds it a moment later).
fn free_loopback_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").to_string()
}
