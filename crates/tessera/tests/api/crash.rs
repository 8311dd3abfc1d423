//! Crash safety: `kill -9` in the middle of a sign-up and refresh storm loses
//! nothing a client was told had succeeded, and leaves a sound database.
//! Runs on SQLite in the data dir, or on Postgres with `TESSERA_TEST_DATABASE=postgres`.

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures::stream::{self, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use crate::database::{wants_postgres, TestSchema};
use crate::db::Db;
use crate::helpers::{credentials, PASSWORD};
use crate::process::RunningServer;
use storm::{storm, Told};

mod storm;

/// The database file as the crash (or the restart) left it: structurally sound
/// and with no row pointing at a missing one. Read-only, beside any server.
async fn assert_sound(db: &Path) {
    let options = SqliteConnectOptions::new().filename(db).read_only(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(integrity, ["ok"]);
    let dangling = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(dangling.len(), 0, "rows with a dangling foreign key");
    pool.close().await;
}

/// The `jti` claim of `token`, read without checking it.
fn jti(token: &str) -> String {
    let payload = token
        .split('.')
        .nth(1)
        .map(|part| URL_SAFE_NO_PAD.decode(part));
    let claims: Value = serde_json::from_slice(&payload.unwrap().unwrap()).unwrap();
    claims["jti"].as_str().unwrap().to_owned()
}

#[tokio::test]
#[ignore = "slow tier: a storm of processes killed with SIGKILL"]
async fn kill_9_mid_storm_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let schema = if wants_postgres() {
        Some(TestSchema::create().await)
    } else {
        None
    };
    let db = dir.path().join("tessera.db");
    let url = schema
        .as_ref()
        .map_or_else(|| format!("sqlite://{}", db.display()), TestSchema::url);
    // A grace window longer than kill plus restart: see `assert_family`. The
    // storm comes from one address and would meet the rate limits.
    let mut flags = vec!["--refresh-grace", "60s", "--rate-limit", "off"];
    flags.extend(["--rate-limit-user", "off", "--database-url", &url]);
    let server = RunningServer::start_with(dir.path(), &flags, &[]);
    let (sign_ups, families) = storm(server).await;
    if schema.is_none() {
        assert_sound(&db).await;
    }

    let server = RunningServer::start_with(dir.path(), &flags, &[]);
    assert_eq!(server.get("/readyz").await.status(), StatusCode::OK);
    assert_sign_ups(&server, &sign_ups).await;
    let rows = Db::open(&url).await;
    for told in &families {
        assert_family(&server, &rows, told).await;
    }
    rows.close().await;
    server.stop();
    if schema.is_none() {
        assert_sound(&db).await;
    }
}

/// Every 201 is durable: the account signs in (its hash survived whole). A sign-up
/// cut off mid-request is all or nothing: it signs in, or the name is still free.
async fn assert_sign_ups(server: &RunningServer, sign_ups: &[Told]) {
    let acknowledged = sign_ups.iter().flat_map(|told| &told.acknowledged);
    // A few at a time: the server answers 503 when too many wait for a hasher.
    let statuses: Vec<_> = stream::iter(acknowledged.map(|name| async move {
        let response = server.post("/auth", &credentials(name, PASSWORD)).await;
        (name, response.status())
    }))
    .buffer_unordered(4)
    .collect()
    .await;
    for (name, status) in statuses {
        assert_eq!(status, StatusCode::OK, "{name} got 201 before the kill");
    }
    for name in sign_ups.iter().filter_map(|told| told.in_flight.as_ref()) {
        let status = server
            .post("/auth", &credentials(name, PASSWORD))
            .await
            .status();
        if status != StatusCode::OK {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}");
            let again = server.post("/register", &credentials(name, PASSWORD)).await;
            assert_eq!(again.status(), StatusCode::CREATED, "{name} half exists");
        }
    }
}

/// One session's rotation chain must be as its client knows it.
///
/// A rotation stores "used, exchanged for S" and S itself in one transaction, so
/// after a crash the newest token the client holds, `latest`, is either unused (no
/// rotation of it was cut off, or the cut-off one never committed) or used with a
/// stored successor (it committed, the answer was lost); never used without one.
/// Both states must let the client go on: presenting `latest` gives 200, a fresh
/// rotation or, inside the grace window, the very pair the lost answer carried, and
/// that successor works in turn. The last acknowledged rotation is on disk exactly:
/// repeating its input re-issues `latest` byte for byte (signing is deterministic
/// over the stored times and ids).
async fn assert_family(server: &RunningServer, db: &Db, told: &Told) {
    let tokens = &told.acknowledged;
    let (previous, latest) = (&tokens[tokens.len() - 2], &tokens[tokens.len() - 1]);
    let record = db.refresh_row(&jti(latest)).await.unwrap();
    match (&told.in_flight, record.used_at, &record.successor_jti) {
        (_, None, _) => {}
        (Some(_), Some(_), Some(successor)) => {
            let stored = db.refresh_row(successor).await;
            assert!(stored.is_some(), "the committed successor is stored");
        }
        state => panic!("{latest} is used, nothing in flight or no successor: {state:?}"),
    }
    let repeat = server
        .post("/refresh", &json!({ "refresh_token": previous }))
        .await;
    assert_eq!(repeat.status(), StatusCode::OK);
    assert_eq!(
        repeat.json::<Value>().await.unwrap()["refresh_token"],
        json!(latest)
    );

    let next = server
        .post("/refresh", &json!({ "refresh_token": latest }))
        .await;
    assert_eq!(
        next.status(),
        StatusCode::OK,
        "in flight: {:?}",
        told.in_flight.is_some()
    );
    let next: Value = next.json().await.unwrap();
    let successor = json!({ "refresh_token": next["refresh_token"] });
    let after = server.post("/refresh", &successor).await;
    assert_eq!(after.status(), StatusCode::OK, "the successor is usable");
    let body: Value = after.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(
        server.get_bearer("/protected", access).await.status(),
        StatusCode::OK
    );
}
