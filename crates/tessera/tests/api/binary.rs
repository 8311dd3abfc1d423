//! The `tessera` binary: startup checks, restarts and the `user` commands.

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{credentials, PASSWORD};
use crate::process::{tessera, RunningServer};

fn user_add(data_dir: &Path, name: &str, password_line: &str, extra: &[&str]) -> Output {
    let mut child = tessera(data_dir)
        .args(["user", "add", name, "--password-stdin"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(password_line.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn run(data_dir: &Path, args: &[&str]) -> Output {
    tessera(data_dir).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn a_restart_keeps_users_and_the_generated_secret() {
    let dir = tempfile::tempdir().unwrap();
    let server = RunningServer::start(dir.path());
    let response = server
        .post("/register", &credentials("alice", PASSWORD))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = server
        .post("/auth", &credentials("alice", PASSWORD))
        .await
        .json()
        .await
        .unwrap();
    let token = body["access_token"].as_str().unwrap().to_owned();
    server.stop();

    // The generated HS256 secret is the key ring's one `<kid>.secret` file.
    let secrets: Vec<_> = std::fs::read_dir(dir.path().join("keys"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "secret"))
        .collect();
    assert_eq!(secrets.len(), 1, "{secrets:?}");
    let secret_file = &secrets[0];
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(secret_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the secret is private");
    }
    let secret_before = std::fs::read(secret_file).unwrap();

    let server = RunningServer::start(dir.path());
    assert_eq!(
        server.get_bearer("/protected", &token).await.status(),
        StatusCode::OK
    );
    let again = server.post("/login", &credentials("alice", PASSWORD)).await;
    assert_eq!(again.status(), StatusCode::OK);
    server.stop();
    assert_eq!(std::fs::read(secret_file).unwrap(), secret_before);
}

#[test]
fn short_secrets_stop_the_server_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    for secret in ["", "too-short-for-hs256"] {
        let output = tessera(dir.path())
            .env("TESSERA_JWT_SECRET", secret)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .output()
            .unwrap();
        assert!(!output.status.success());
        let message = stderr(&output);
        assert!(message.contains("at least 32"), "{message}");
        assert!(
            !message.contains(secret) || secret.is_empty(),
            "the secret is not echoed"
        );
    }
}

#[test]
fn unsafe_settings_stop_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &["serve", "--addr", "127.0.0.1:0", "--leeway", "10m"],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("(--leeway) must be at most 60s"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn user_commands_manage_accounts_while_a_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    let server = RunningServer::start(dir.path());

    let added = user_add(
        dir.path(),
        "bob",
        &format!("{PASSWORD}\n"),
        &["--role", "admin"],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(stdout(&added).contains("created user 'bob'"));
    let response = server.post("/login", &credentials("bob", PASSWORD)).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the running server sees the new user"
    );

    let duplicate = user_add(dir.path(), "BOB", &format!("{PASSWORD}\n"), &[]);
    assert!(!duplicate.status.success());
    assert!(
        stderr(&duplicate).contains("already exists"),
        "{}",
        stderr(&duplicate)
    );

    let weak = user_add(dir.path(), "carol", "short\n", &[]);
    assert!(!weak.status.success());
    assert!(
        stderr(&weak).contains("at least 8 bytes"),
        "{}",
        stderr(&weak)
    );

    let bad_name = user_add(dir.path(), "carol smith", &format!("{PASSWORD}\n"), &[]);
    assert!(!bad_name.status.success());
    let bad_role = user_add(
        dir.path(),
        "carol",
        &format!("{PASSWORD}\n"),
        &["--role", "Super User"],
    );
    assert!(!bad_role.status.success());
    assert!(
        stderr(&bad_role).contains("lowercase"),
        "{}",
        stderr(&bad_role)
    );
    assert!(!bad_name.status.success());
    assert!(
        stderr(&bad_name).contains("only letters"),
        "{}",
        stderr(&bad_name)
    );

    let listed = run(dir.path(), &["user", "list"]);
    assert!(listed.status.success());
    let rows: Vec<String> = stdout(&listed).lines().skip(1).map(str::to_owned).collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains("bob") && rows[0].contains("admin"),
        "{rows:?}"
    );

    let unknown = run(dir.path(), &["user", "delete", "nobody"]);
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("no user named 'nobody'"));

    let signed_in: Value = server
        .post("/auth", &credentials("bob", PASSWORD))
        .await
        .json()
        .await
        .unwrap();
    let token = signed_in["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        server.get_bearer("/protected", &token).await.status(),
        StatusCode::OK
    );

    let deleted = run(dir.path(), &["user", "delete", "bob"]);
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    // The server follows revocations written by other processes within about a
    // second; the deadline leaves room for a loaded machine.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let status = server.get_bearer("/protected", &token).await.status();
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {status} after the CLI deleted the user"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let response = server.post("/login", &credentials("bob", PASSWORD)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    server.stop();
}

#[test]
fn user_add_without_a_terminal_explains_how_to_pipe_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let output = tessera(dir.path())
        .args(["user", "add", "dave"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("--password-stdin"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn store_flags_work_before_and_after_the_user_and_keys_subcommands() {
    // The environment names another dir, so only the flag can lead to `chosen`.
    let (elsewhere, chosen) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let chosen_dir = chosen.path().to_str().unwrap();
    let password = format!("{PASSWORD}\n");
    let after = user_add(
        elsewhere.path(),
        "alice",
        &password,
        &["--data-dir", chosen_dir],
    );
    assert!(after.status.success(), "{}", stderr(&after));
    let mut before = tessera(elsewhere.path())
        .args([
            "user",
            "--data-dir",
            chosen_dir,
            "add",
            "bob",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = before.stdin.take().unwrap();
    stdin.write_all(password.as_bytes()).unwrap();
    drop(stdin);
    let before = before.wait_with_output().unwrap();
    assert!(before.status.success(), "{}", stderr(&before));
    for listing in [
        &["user", "list", "--data-dir", chosen_dir][..],
        &["user", "--data-dir", chosen_dir, "list"],
    ] {
        let listed = stdout(&run(elsewhere.path(), listing));
        assert!(
            listed.contains("alice") && listed.contains("bob"),
            "{listing:?}: {listed}"
        );
    }

    let rotated = run(
        elsewhere.path(),
        &[
            "keys",
            "rotate",
            "--signing-alg",
            "EdDSA",
            "--data-dir",
            chosen_dir,
        ],
    );
    assert!(rotated.status.success(), "{}", stderr(&rotated));
    for listing in [
        &["keys", "list", "--data-dir", chosen_dir][..],
        &["keys", "--data-dir", chosen_dir, "list"],
    ] {
        let listed = run(elsewhere.path(), listing);
        assert!(listed.status.success(), "{}", stderr(&listed));
        assert!(
            stdout(&listed).contains("EdDSA"),
            "{listing:?}: {}",
            stdout(&listed)
        );
    }
    assert!(
        std::fs::read_dir(elsewhere.path())
            .unwrap()
            .next()
            .is_none(),
        "nothing was written to the dir from the environment"
    );
}
