//! Several `tessera serve` processes sharing one Postgres behave as one service.

use std::time::{Duration, Instant};

use futures::future::join;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::database::TestSchema;
use crate::helpers::{credentials, PASSWORD};
use crate::process::RunningServer;

/// Two instances on one schema, one secret and one (shared) data dir.
pub(crate) struct Cluster {
    pub(crate) a: RunningServer,
    pub(crate) b: RunningServer,
    _schema: TestSchema,
    _data: tempfile::TempDir,
}

impl Cluster {
    pub(crate) async fn start(flags: &[&str]) -> Self {
        let schema = TestSchema::create().await;
        let data = tempfile::tempdir().unwrap();
        let url = schema.url();
        let secret = uuid::Uuid::new_v4().simple().to_string().repeat(2);
        let mut all = vec!["--database-url", url.as_str()];
        all.extend_from_slice(flags);
        let env = [("TESSERA_JWT_SECRET", secret.as_str())];
        let a = RunningServer::start_with(data.path(), &all, &env);
        let b = RunningServer::start_with(data.path(), &all, &env);
        Self {
            a,
            b,
            _schema: schema,
            _data: data,
        }
    }
}

async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn text(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {value}"))
        .to_owned()
}

/// How soon another instance must honour a change. Instances follow each other
/// within about a second (NOTIFY, or the one-second poll); the rest is margin
/// for a loaded machine.
const FOLLOW_LIMIT: Duration = Duration::from_secs(15);

/// Polls `probe` until it returns true, failing after `limit`.
async fn within<F, Fut>(limit: Duration, what: &str, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !probe().await {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
#[ignore = "slow tier: two server processes"]
async fn tokens_sign_outs_and_deletions_cross_instances() {
    let cluster = Cluster::start(&[]).await;
    let (a, b) = (&cluster.a, &cluster.b);
    let (status, _) = json_of(a.post("/register", &credentials("alice", PASSWORD)).await).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, session) = json_of(a.post("/auth", &credentials("alice", PASSWORD)).await).await;
    let access = text(&session, "access_token");
    assert_eq!(
        b.get_bearer("/protected", &access).await.status(),
        StatusCode::OK,
        "A's token works at B"
    );

    assert_eq!(
        a.post_bearer("/logout", &access).await.status(),
        StatusCode::NO_CONTENT
    );
    within(FOLLOW_LIMIT, "logout at A honoured at B", || async {
        b.get_bearer("/protected", &access).await.status() == StatusCode::UNAUTHORIZED
    })
    .await;

    // Deletion through the CLI-equivalent admin route at B is honoured at A.
    let config = tessera::StoreConfig {
        data_dir: cluster._data.path().to_owned(),
        database_url: Some(cluster._schema.url()),
        ..tessera::StoreConfig::default()
    };
    let accounts = tessera::Accounts::open(&config).await.unwrap();
    let admin = ["admin".to_owned()];
    accounts
        .create("root", PASSWORD.to_owned(), &admin)
        .await
        .unwrap();
    accounts.close().await;
    let (_, admin) = json_of(b.post("/auth", &credentials("root", PASSWORD)).await).await;
    let (_, again) = json_of(a.post("/auth", &credentials("alice", PASSWORD)).await).await;
    let alice = text(&again, "access_token");
    assert_eq!(
        a.get_bearer("/protected", &alice).await.status(),
        StatusCode::OK
    );
    let client = crate::helpers::test_client();
    let deleted = client
        .delete(format!("{}/admin/users/alice", b.base))
        .bearer_auth(text(&admin, "access_token"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    within(FOLLOW_LIMIT, "deletion at B honoured at A", || async {
        a.get_bearer("/protected", &alice).await.status() == StatusCode::UNAUTHORIZED
    })
    .await;
}

#[tokio::test]
#[ignore = "slow tier: two server processes"]
async fn a_device_signed_out_at_one_instance_is_refused_at_the_other() {
    let cluster = Cluster::start(&[]).await;
    let (a, b) = (&cluster.a, &cluster.b);
    a.post("/register", &credentials("frank", PASSWORD)).await;
    let (_, laptop) = json_of(a.post("/auth", &credentials("frank", PASSWORD)).await).await;
    let (_, phone) = json_of(b.post("/auth", &credentials("frank", PASSWORD)).await).await;
    let (laptop, phone) = (text(&laptop, "access_token"), text(&phone, "access_token"));

    // Either instance lists both sessions; the phone's is the other one.
    let (status, listed) = json_of(b.get_bearer("/sessions", &laptop).await).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let sessions = listed["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{listed}");
    let other = sessions.iter().find(|s| s["current"] == false).unwrap();
    assert_eq!(
        b.get_bearer("/protected", &phone).await.status(),
        StatusCode::OK
    );

    let client = crate::helpers::test_client();
    let ended = client
        .delete(format!("{}/sessions/{}", a.base, text(other, "id")))
        .bearer_auth(&laptop)
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    within(
        FOLLOW_LIMIT,
        "a device signed out at A is refused at B",
        || async { b.get_bearer("/protected", &phone).await.status() == StatusCode::UNAUTHORIZED },
    )
    .await;
}

#[tokio::test]
#[ignore = "slow tier: two server processes"]
async fn one_rotation_across_instances_and_reuse_revokes_everywhere() {
    // A grace window a loaded machine cannot outrun between the two refreshes.
    let cluster = Cluster::start(&["--refresh-grace", "5s"]).await;
    let (a, b) = (&cluster.a, &cluster.b);
    a.post("/register", &credentials("bob", PASSWORD)).await;
    let (_, first) = json_of(a.post("/auth", &credentials("bob", PASSWORD)).await).await;
    let token = json!({ "refresh_token": text(&first, "refresh_token") });

    // The same refresh token at A and B at once: one rotation, one pair for both.
    let ((status_a, pair_a), (status_b, pair_b)) = join(
        async { json_of(a.post("/refresh", &token).await).await },
        async { json_of(b.post("/refresh", &token).await).await },
    )
    .await;
    assert_eq!(
        (status_a, status_b),
        (StatusCode::OK, StatusCode::OK),
        "{pair_a} {pair_b}"
    );
    assert_eq!(pair_a["refresh_token"], pair_b["refresh_token"]);
    assert_eq!(pair_a["access_token"], pair_b["access_token"]);
    let access = text(&pair_a, "access_token");

    // After the grace window the old token is theft, wherever it is presented.
    tokio::time::sleep(Duration::from_millis(5100)).await;
    let (status, body) = json_of(b.post("/refresh", &token).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(
        body["msg"],
        "Refresh token was already used; the session has been revoked"
    );
    let successor = json!({ "refresh_token": text(&pair_a, "refresh_token") });
    assert_eq!(
        a.post("/refresh", &successor).await.status(),
        StatusCode::UNAUTHORIZED
    );
    within(FOLLOW_LIMIT, "revocation at B honoured at A", || async {
        a.get_bearer("/protected", &access).await.status() == StatusCode::UNAUTHORIZED
    })
    .await;
}

#[tokio::test]
#[ignore = "slow tier: two server processes"]
async fn a_key_rotation_reaches_every_instance_sharing_the_ring() {
    let cluster = Cluster::start(&["--signing-alg", "EdDSA"]).await;
    let (a, b) = (&cluster.a, &cluster.b);
    a.post("/register", &credentials("carol", PASSWORD)).await;
    let kid_of = |token: &str| jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
    let (_, first) = json_of(a.post("/auth", &credentials("carol", PASSWORD)).await).await;
    let old = text(&first, "access_token");

    // What `tessera keys rotate` does, on the ring both instances share.
    let ring = cluster._data.path().join(tessera::Keys::DIR);
    let added = tessera::Keys::rotate(&ring, tessera::SigningAlg::EdDsa).unwrap();
    // Both reload on their own clocks: each must know the new key before a
    // token of it is shown to the other. Wait on what the reload changes (the
    // published keys), not on sign-ins, which the per-username limit would
    // cut short on a slow machine.
    for (name, instance) in [("A", a), ("B", b)] {
        within(
            FOLLOW_LIMIT,
            &format!("{name} publishes the new key"),
            || async {
                let jwks = instance.get("/.well-known/jwks.json").await;
                jwks.text().await.unwrap().contains(&added.kid)
            },
        )
        .await;
    }
    for (name, instance) in [("A", a), ("B", b)] {
        let (_, body) = json_of(
            instance
                .post("/auth", &credentials("carol", PASSWORD))
                .await,
        )
        .await;
        let token = text(&body, "access_token");
        assert_eq!(kid_of(&token), added.kid, "{name} signs with the new key");
        // A token from the new key is accepted by the other instance too.
        let other = if name == "A" { b } else { a };
        assert_eq!(
            other.get_bearer("/protected", &token).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        b.get_bearer("/protected", &old).await.status(),
        StatusCode::OK,
        "the old key still verifies"
    );
}
