//! `tessera` as a child process, the way users and load balancers run it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_tessera");

/// `tessera serve` as a child process; killed on drop if still running.
pub(crate) struct RunningServer {
    child: Child,
    pub(crate) base: String,
    client: reqwest::Client,
}

impl RunningServer {
    /// `tessera serve` on `data_dir` and a free port.
    pub(crate) fn start(data_dir: &Path) -> Self {
        Self::start_with(data_dir, &[], &[])
    }

    /// `tessera serve` with extra flags and environment variables.
    pub(crate) fn start_with(data_dir: &Path, flags: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = tessera(data_dir)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(flags)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .expect(&line)
            .to_owned();
        let client = crate::helpers::test_client();
        Self {
            child,
            base,
            client,
        }
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn post_bearer(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn get_bearer(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// A `VmRSS`/`VmHWM`-style field of the server's `/proc/PID/status`, in KiB.
    pub(crate) fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status
            .lines()
            .find(|line| line.starts_with(&format!("{field}:")))
            .unwrap_or_else(|| panic!("no {field} in /proc/PID/status"));
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// How many file descriptors the server has open.
    pub(crate) fn open_fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .unwrap()
            .count()
    }

    /// SIGTERM, then the exit status must be success (graceful shutdown).
    pub(crate) fn stop(mut self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success());
        assert!(self.child.wait().unwrap().success());
    }

    /// SIGKILL: no graceful shutdown, nothing flushed, as in a crash.
    pub(crate) fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if self.child.try_wait().unwrap().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A `tessera` command on `data_dir`, with no secret in its environment.
pub(crate) fn tessera(data_dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_remove("TESSERA_JWT_SECRET")
        .env_remove("TESSERA_DATABASE_URL")
        .env("TESSERA_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn");
    command
}
