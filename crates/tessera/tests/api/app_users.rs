//! An app that brings its own users (`TesseraBuilder::users`): the seeds'
//! routes, sessions, refresh rotation, revocation and the sign-in limits all
//! work on top of its hook, and what the app owns is not Tessera's to change.

mod claims;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::{json, Value};
use tessera::{Identity, Passwords, Users, UsersFuture};

use crate::helpers::{assert_error, assert_token_refused, credentials, TestApp, PASSWORD};

/// The app's own users table, in memory; tests change it as the app would.
#[derive(Clone)]
pub(crate) struct AppUsers {
    rows: Arc<Mutex<HashMap<String, Row>>>,
    passwords: Passwords,
}

struct Row {
    id: String,
    hash: String,
    roles: Vec<String>,
    version: i64,
    disabled: bool,
}

impl AppUsers {
    /// `names`, each with [`PASSWORD`] and id `u-<name>`.
    pub(crate) fn with(names: &[&str]) -> Self {
        let hash = argon2id(PASSWORD);
        let rows = names.iter().map(|name| {
            let row = Row {
                id: format!("u-{name}"),
                hash: hash.clone(),
                roles: Vec::new(),
                version: 0,
                disabled: false,
            };
            ((*name).to_owned(), row)
        });
        Self {
            rows: Arc::new(Mutex::new(rows.collect())),
            passwords: Passwords::new(1),
        }
    }

    fn change(&self, name: &str, change: impl FnOnce(&mut Row)) {
        change(self.rows.lock().unwrap().get_mut(name).unwrap());
    }

    fn find(&self, matches: impl Fn(&str, &Row) -> bool) -> Option<(Identity, String)> {
        let rows = self.rows.lock().unwrap();
        let (name, row) = rows
            .iter()
            .find(|(name, row)| !row.disabled && matches(name, row))?;
        let identity = Identity {
            id: row.id.clone(),
            username: name.clone(),
            roles: row.roles.clone(),
            version: row.version,
            email_verified: None,
        };
        Some((identity, row.hash.clone()))
    }
}

impl Users for AppUsers {
    fn authenticate<'a>(
        &'a self,
        username: &'a str,
        password: &'a str,
    ) -> UsersFuture<'a, Option<Identity>> {
        Box::pin(async move {
            let found = self.find(|name, _| name == username);
            let (identity, hash) = found.unzip();
            let right = self.passwords.verify(password.to_owned(), hash).await?;
            Ok(identity.filter(|_| right))
        })
    }

    fn identity<'a>(&'a self, id: &'a str) -> UsersFuture<'a, Option<Identity>> {
        Box::pin(async move {
            Ok(self
                .find(|_, row| row.id == id)
                .map(|(identity, _)| identity))
        })
    }
}

async fn spawn(users: &AppUsers, flags: &[&str]) -> TestApp {
    let users = users.clone();
    TestApp::spawn_built(flags, move |tessera| tessera.users(users)).await
}

/// The claims of a token, unchecked (the server checked them).
pub(crate) fn payload(token: &str) -> Value {
    use base64::Engine as _;
    let part = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json("/refresh", &json!({ "refresh_token": token }))
        .await
}

async fn pair(response: reqwest::Response) -> (String, String) {
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let field = |name: &str| body[name].as_str().unwrap().to_owned();
    (field("access_token"), field("refresh_token"))
}

#[tokio::test]
async fn the_seed_routes_sign_in_the_apps_users() {
    let users = AppUsers::with(&["user1"]);
    let app = spawn(&users, &[]).await;
    let access = app.token_for("user1").await;
    let claims = payload(&access);
    assert_eq!(claims["username"], "user1");
    let protected = app.get_bearer("/protected", &access).await;
    assert_eq!(protected.status(), StatusCode::OK);

    let login = app
        .post_json("/login", &credentials("user1", PASSWORD))
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let body: Value = login.json().await.unwrap();
    assert_eq!(payload(body["jwt"].as_str().unwrap())["sub"], claims["sub"]);

    // Unknown user and wrong password: one answer.
    for (name, password) in [("nobody", PASSWORD), ("user1", "wrong password")] {
        for path in ["/auth", "/login"] {
            let response = app.post_json(path, &credentials(name, password)).await;
            assert_error(
                response,
                StatusCode::UNAUTHORIZED,
                "Bad username or password",
            )
            .await;
        }
    }
    let missing = app
        .post_json("/auth", &json!({ "username": "user1" }))
        .await;
    assert_error(
        missing,
        StatusCode::BAD_REQUEST,
        "Missing password parameter",
    )
    .await;
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_ends_the_session() {
    let users = AppUsers::with(&["user1"]);
    let app = spawn(&users, &["--refresh-grace", "0s"]).await;
    let (_, first) = pair(
        app.post_json("/auth", &credentials("user1", PASSWORD))
            .await,
    )
    .await;
    let (access, second) = pair(refresh(&app, &first).await).await;
    assert_eq!(payload(&access)["fresh"], false);
    let reused = refresh(&app, &first).await;
    assert_token_refused(
        reused,
        "Refresh token was already used; the session has been revoked",
    )
    .await;
    assert_token_refused(
        refresh(&app, &second).await,
        "Refresh token is no longer valid",
    )
    .await;
    let revoked = app.get_bearer("/protected", &access).await;
    assert_token_refused(revoked, "Token has been revoked").await;
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let users = AppUsers::with(&["user1"]);
    let app = spawn(&users, &[]).await;
    let (access, refresh_token) = pair(
        app.post_json("/auth", &credentials("user1", PASSWORD))
            .await,
    )
    .await;
    let out = app.post_bearer("/logout", &access, None).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let after = app.get_bearer("/protected", &access).await;
    assert_token_refused(after, "Token has been revoked").await;
    assert_token_refused(
        refresh(&app, &refresh_token).await,
        "Refresh token is no longer valid",
    )
    .await;
}

#[tokio::test]
async fn refresh_asks_the_app_who_the_user_is_now() {
    let users = AppUsers::with(&["user1", "user2"]);
    let app = spawn(&users, &[]).await;
    let (access, token) = pair(
        app.post_json("/auth", &credentials("user1", PASSWORD))
            .await,
    )
    .await;
    assert_eq!(payload(&access)["roles"], json!([]));

    users.change("user1", |row| row.roles = vec!["admin".to_owned()]);
    let (access, token) = pair(refresh(&app, &token).await).await;
    assert_eq!(payload(&access)["roles"], json!(["admin"]));
    let listed = app.get_bearer("/admin/users", &access).await;
    assert_eq!(listed.status(), StatusCode::OK, "the new role applies");

    users.change("user1", |row| row.disabled = true);
    assert_token_refused(
        refresh(&app, &token).await,
        "Refresh token is no longer valid",
    )
    .await;
    let disabled = app
        .post_json("/auth", &credentials("user1", PASSWORD))
        .await;
    assert_error(
        disabled,
        StatusCode::UNAUTHORIZED,
        "Bad username or password",
    )
    .await;
}

#[tokio::test]
async fn a_new_version_ends_every_session_of_the_user() {
    let users = AppUsers::with(&["user1", "user2"]);
    let app = spawn(&users, &[]).await;
    let body = credentials("user1", PASSWORD);
    let sign_in = || app.post_json("/auth", &body);
    let (_, phone) = pair(sign_in().await).await;
    let (laptop_access, _) = pair(sign_in().await).await;
    let other = app.token_for("user2").await;

    // The app changed user1's password in its own table.
    users.change("user1", |row| row.version += 1);
    assert_token_refused(
        refresh(&app, &phone).await,
        "Refresh token is no longer valid",
    )
    .await;
    let laptop = app.get_bearer("/protected", &laptop_access).await;
    assert_token_refused(laptop, "Token has been revoked").await;
    let untouched = app.get_bearer("/protected", &other).await;
    assert_eq!(untouched.status(), StatusCode::OK);
    let (access, _) = pair(sign_in().await).await;
    assert_eq!(
        app.get_bearer("/protected", &access).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_app_registers_users_and_changes_passwords_itself() {
    let users = AppUsers::with(&["user1"]);
    let app = spawn(&users, &[]).await;
    let register = app
        .post_json("/register", &credentials("newcomer", PASSWORD))
        .await;
    let msg = "Registration is done by the application, not by this server";
    assert_error(register, StatusCode::FORBIDDEN, msg).await;

    let access = app.token_for("user1").await;
    let change = json!({ "current_password": PASSWORD, "new_password": "another long password" });
    let changed = app.post_bearer("/password", &access, Some(&change)).await;
    let msg = "Changing a password is done by the application, not by this server";
    assert_error(changed, StatusCode::FORBIDDEN, msg).await;
}

#[tokio::test]
async fn the_app_owns_its_users_addresses_and_password_resets() {
    let users = AppUsers::with(&["user1"]);
    let app = spawn(&users, &[]).await;
    let access = app.token_for("user1").await;
    let token = "1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let link = json!({ "token": token, "new_password": PASSWORD });
    let resetting = "Resetting a password is done by the application, not by this server";
    let verifying = "Verifying an email address is done by the application, not by this server";
    for (response, msg) in [
        (
            app.post_json("/password/forgot", &json!({ "username": "user1" }))
                .await,
            resetting,
        ),
        (app.post_json("/password/reset", &link).await, resetting),
        (
            app.post_json("/email/verify", &json!({ "token": token }))
                .await,
            verifying,
        ),
        (
            app.post_bearer("/email/resend", &access, None).await,
            verifying,
        ),
    ] {
        assert_error(response, StatusCode::FORBIDDEN, msg).await;
    }
    let set = app
        .http()
        .request(reqwest::Method::PUT, app.url("/me/email"))
        .bearer_auth(&access)
        .json(&json!({ "email": "user1@example.org" }))
        .send()
        .await
        .unwrap();
    let msg = "Setting an email address is done by the application, not by this server";
    assert_error(set, StatusCode::FORBIDDEN, msg).await;
}

#[tokio::test]
async fn the_sign_in_limits_apply_to_the_apps_users() {
    let users = AppUsers::with(&["user1"]);
    let app = spawn(&users, &["--rate-limit-user", "3/min"]).await;
    for _ in 0..3 {
        let wrong = app
            .post_json("/auth", &credentials("user1", "wrong password"))
            .await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = app
        .post_json("/auth", &credentials("user1", PASSWORD))
        .await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));
}

/// An argon2id hash of `password` made with the argon2 crate alone, as an app
/// with its own users table would store it (OWASP's parameters, as Tessera's).
fn argon2id(password: &str) -> String {
    use argon2::password_hash::rand_core::OsRng;
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .unwrap()
        .to_string()
}
