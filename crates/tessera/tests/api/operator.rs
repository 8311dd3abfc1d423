//! The operators' account recovery commands: `tessera user set-password`
//! and `tessera user reset-link`, against a running server.

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{credentials, PASSWORD};
use crate::process::{tessera, RunningServer};

const NEW_PASSWORD: &str = "set by the operator";

fn with_stdin(data_dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = tessera(data_dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

async fn token(server: &RunningServer, password: &str) -> String {
    let response = server.post("/auth", &credentials("alice", password)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// Waits until `token` is refused: the server follows revocations other
/// processes write within about a second; the deadline leaves room for a
/// loaded machine.
async fn until_refused(server: &RunningServer, token: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = server.get_bearer("/protected", token).await.status();
        if status == StatusCode::UNAUTHORIZED {
            return;
        }
        assert!(Instant::now() < deadline, "still {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn set_password_replaces_it_and_signs_the_user_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = RunningServer::start(dir.path());
    let added = with_stdin(
        dir.path(),
        &["user", "add", "alice", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert!(added.status.success());
    let old_token = token(&server, PASSWORD).await;

    let set = with_stdin(
        dir.path(),
        &["user", "set-password", "alice", "--password-stdin"],
        &format!("{NEW_PASSWORD}\n"),
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    assert!(String::from_utf8_lossy(&set.stdout).contains("1 session(s) signed out"));
    until_refused(&server, &old_token).await;
    token(&server, NEW_PASSWORD).await;

    let weak = with_stdin(
        dir.path(),
        &["user", "set-password", "alice", "--password-stdin"],
        "short\n",
    );
    assert!(!weak.status.success());
    let unknown = with_stdin(
        dir.path(),
        &["user", "set-password", "nobody", "--password-stdin"],
        &format!("{NEW_PASSWORD}\n"),
    );
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no user named 'nobody'"));
    server.stop();
}

#[tokio::test]
async fn reset_link_prints_a_link_that_sets_a_new_password() {
    let dir = tempfile::tempdir().unwrap();
    let server = RunningServer::start(dir.path());
    let added = with_stdin(
        dir.path(),
        &["user", "add", "alice", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert!(added.status.success());
    let old_token = token(&server, PASSWORD).await;

    let output = tessera(dir.path())
        .args([
            "user",
            "reset-link",
            "alice",
            "--public-url",
            "https://app.example/api",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let link = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let token_part = link
        .strip_prefix("https://app.example/reset-password#token=")
        .unwrap_or_else(|| panic!("{link}"));
    let body = json!({ "token": token_part, "new_password": NEW_PASSWORD });
    let response = server.post("/password/reset", &body).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    until_refused(&server, &old_token).await;
    token(&server, NEW_PASSWORD).await;

    let without_url = tessera(dir.path())
        .args(["user", "reset-link", "alice"])
        .env_remove("TESSERA_PUBLIC_URL")
        .output()
        .unwrap();
    assert!(!without_url.status.success());
    server.stop();
}
