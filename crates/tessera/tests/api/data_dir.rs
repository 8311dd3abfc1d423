//! The data dir and the database in it are private, even in a dir made
//! beforehand with the usual `mkdir` permissions.
#![cfg(unix)]

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;

use reqwest::StatusCode;

use crate::helpers::{credentials, PASSWORD};
use crate::process::{tessera, RunningServer};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// A dir as `mkdir` (umask 022) makes it: readable by every account.
fn shared_dir(root: &Path, name: &str) -> std::path::PathBuf {
    let dir = root.join(name);
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

#[tokio::test]
async fn a_pre_created_world_readable_data_dir_is_made_private() {
    let root = tempfile::tempdir().unwrap();
    let data = shared_dir(root.path(), "data");
    let flags = ["--rate-limit", "off", "--rate-limit-user", "off"];
    let server = RunningServer::start_with(&data, &flags, &[]);
    let registered = server
        .post("/register", &credentials("alice", PASSWORD))
        .await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    assert_eq!(mode(&data), 0o700, "the data dir");
    // The server holds the database open, so its WAL files exist now.
    for file in ["tessera.db", "tessera.db-wal", "tessera.db-shm"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    for key in std::fs::read_dir(data.join("keys")).unwrap() {
        let key = key.unwrap().path();
        if key.is_file() {
            assert_eq!(mode(&key), 0o600, "{}", key.display());
        }
    }
    server.stop();
}

#[test]
fn user_add_makes_an_existing_database_private_too() {
    let root = tempfile::tempdir().unwrap();
    let data = shared_dir(root.path(), "data");
    // An empty file is an empty SQLite database, as an older version left it.
    let database = data.join("tessera.db");
    std::fs::write(&database, b"").unwrap();
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut child = tessera(&data)
        .args(["user", "add", "alice", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("readable by other accounts"),
        "a warning says so: {stderr}"
    );
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&database), 0o600);
}
