//! Databases made by the previous release (migrations 0001-0004), with its
//! rows, opened by this one: the new migrations run, the old rows read as they
//! did, and the store works on.

use crate::store::{RotateRefresh, Rotation, Store};
use sqlx::migrate::{Migrate, Migrator};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, PgConnection, SqliteConnection};

use super::engines::TestDb;
use super::sessions::unused;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// The last migration of the previous release.
const PREVIOUS: i64 = 4;

/// 2026-11-24T09:30:00Z, when Alice's session started.
const SIGNED_IN: i64 = 1_795_512_600;

/// What the previous release could have stored: Alice (roles, a changed
/// password, a session with a refresh token), Bob, and Carol, deleted; one
/// revoked access token. `{alice}` and `{bob}` are the engine's creation times.
const ROWS: &str = "
    INSERT INTO users (username, password_hash, created_at, credential_version)
        VALUES ('Alice', 'hash-a', {alice}, 2);
    INSERT INTO users (username, password_hash, created_at) VALUES ('bob', 'hash-b', {bob});
    INSERT INTO users (username, password_hash) VALUES ('carol', 'hash-c');
    DELETE FROM users WHERE username = 'carol';
    INSERT INTO user_roles (user_id, role) VALUES (1, 'viewer'), (1, 'admin');
    INSERT INTO sessions (id, user_id, created_at) VALUES ('s1', 1, 1795512600);
    INSERT INTO refresh_tokens (jti, session_id, issued_at, expires_at)
        VALUES ('r1', 's1', 1795512600, 1795516200);
    INSERT INTO revocations (kind, value, expires_at) VALUES ('token', 't1', 1795516200);
";

/// Applies the previous release's migrations as it did, then stores [`ROWS`].
async fn previous_release<C: Connection + Migrate>(conn: &mut C, migrator: &Migrator, rows: &str)
where
    for<'c> &'c mut C: sqlx::Executor<'c>,
{
    conn.ensure_migrations_table().await.unwrap();
    for migration in migrator.iter().filter(|m| m.version <= PREVIOUS) {
        conn.apply(migration).await.unwrap();
    }
    sqlx::raw_sql(rows).execute(&mut *conn).await.unwrap();
}

#[tokio::test]
async fn a_sqlite_database_of_the_previous_release_upgrades() {
    let db = TestDb::sqlite();
    let options = db.url.parse::<SqliteConnectOptions>().unwrap();
    let mut conn = SqliteConnection::connect_with(&options.create_if_missing(true))
        .await
        .unwrap();
    // SQLite stored RFC 3339 text.
    let rows = ROWS
        .replace("{alice}", "'2026-11-24T09:30:00Z'")
        .replace("{bob}", "'2025-01-02T03:04:05Z'");
    previous_release(&mut conn, &SQLITE, &rows).await;
    conn.close().await.unwrap();
    check_upgraded(&db.open().await).await;
}

#[tokio::test]
async fn a_postgres_database_of_the_previous_release_upgrades() {
    let db = TestDb::postgres().await;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&db.url)
        .await
        .unwrap();
    let mut conn: sqlx::pool::PoolConnection<sqlx::Postgres> = pool.acquire().await.unwrap();
    // Postgres stored a TIMESTAMPTZ, with a fraction clients never saw.
    let rows = ROWS
        .replace("{alice}", "'2026-11-24T09:30:00.7Z'")
        .replace("{bob}", "'2025-01-02T03:04:05Z'");
    previous_release::<PgConnection>(&mut conn, &POSTGRES, &rows).await;
    drop(conn);
    pool.close().await;
    check_upgraded(&db.open().await).await;
}

async fn check_upgraded(store: &Store) {
    let alice = store.find_user_by_name("alice").await.unwrap().unwrap();
    assert_eq!((alice.id, alice.username.as_str()), (1, "Alice"));
    assert_eq!(
        (alice.password_hash.as_str(), alice.credential_version),
        ("hash-a", 2)
    );
    assert_eq!(alice.created_at, "2026-11-24T09:30:00Z");
    assert_eq!(alice.roles, ["admin", "viewer"]);
    let bob = store.find_user_by_id(2).await.unwrap().unwrap();
    assert_eq!(bob.created_at, "2025-01-02T03:04:05Z");

    let record = store.refresh_record("r1").await.unwrap().unwrap();
    let signed_in = SIGNED_IN as u64;
    assert_eq!(record, unused("r1", "s1", 1, signed_in, signed_in + 3600));
    let revoked = store.revocations_after(0, 0).await.unwrap();
    assert_eq!(
        (revoked[0].kind.as_str(), revoked[0].value.as_str()),
        ("token", "t1")
    );

    // The store works on: the old session rotates, new users and sessions come.
    let now = signed_in + 60;
    let rotation = RotateRefresh {
        jti: "r1",
        successor_jti: "r2",
        access_jti: "a2",
        now,
        successor_expires_at: now + 3600,
        session_max_age: 24 * 3600,
        used_by: "client",
    };
    let rotated = store.rotate_refresh(&rotation).await.unwrap();
    assert_eq!(
        rotated,
        Rotation::Rotated {
            expires_at: now + 3600,
            acr: 1,
        }
    );
    assert!(store.create_session("s2", 1, 2, now, None).await.unwrap());
    let dave = store.create_user("dave", "hash-d", &[]).await.unwrap();
    // Carol's id is not given again.
    assert_eq!(dave.id, 4);
    let names: Vec<String> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|user| user.username)
        .collect();
    assert_eq!(names, ["Alice", "bob", "dave"]);
    store.close().await;
}
