//! The Flask-JWT tutorial, ported: the app's own users (`user1`, `user2`, in
//! memory) plugged into Tessera through the `Users` hook, the tutorial's
//! `authenticate` and `identity`; Tessera serves `POST /auth` and guards
//! `GET /protected`, which takes `Authorization: JWT <token>` (or `Bearer`).
//!
//! ```sh
//! cargo run -p tessera --example flask_jwt    # PORT=5000, TESSERA_JWT_SECRET: optional
//! curl -s -X POST localhost:5000/auth -H 'content-type: application/json' \
//!      -d '{"username":"user1","password":"abcxyz"}'     # {"access_token":"eyJ...",...}
//! curl -s localhost:5000/protected -H "Authorization: JWT $TOKEN"   # {"data":[1,2,3]}
//! ```

use std::net::SocketAddr;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tessera::{AuthUser, Config, Identity, Passwords, StoreConfig, Tessera, Users, UsersFuture};

/// The tutorial's `User`: who they are and (here) an argon2id hash.
struct User {
    identity: Identity,
    password_hash: String,
}

/// The app's users table.
struct AppUsers {
    users: Vec<User>,
    passwords: Passwords,
}

impl Users for AppUsers {
    /// The tutorial's `authenticate(username, password)`.
    fn authenticate<'a>(
        &'a self,
        username: &'a str,
        password: &'a str,
    ) -> UsersFuture<'a, Option<Identity>> {
        Box::pin(async move {
            let user = self.users.iter().find(|u| u.identity.username == username);
            // An unknown user is checked against a dummy hash: same time, same answer.
            let hash = user.map(|user| user.password_hash.clone());
            let right = self.passwords.verify(password.to_owned(), hash).await?;
            Ok(user.filter(|_| right).map(|user| user.identity.clone()))
        })
    }

    /// The tutorial's `identity(payload)`: asked again at every refresh.
    fn identity<'a>(&'a self, id: &'a str) -> UsersFuture<'a, Option<Identity>> {
        let user = self.users.iter().find(|user| user.identity.id == id);
        Box::pin(async move { Ok(user.map(|user| user.identity.clone())) })
    }
}

/// `@jwt_required()`: 401 with `WWW-Authenticate` before this runs otherwise.
async fn protected(_user: AuthUser) -> Json<Value> {
    Json(json!({ "data": [1, 2, 3] }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let passwords = Passwords::new(std::thread::available_parallelism()?.get());
    let mut users = Vec::new();
    for (id, username) in [("1", "user1"), ("2", "user2")] {
        let identity = Identity {
            id: id.to_owned(),
            username: username.to_owned(),
            roles: Vec::new(),
            version: 0,
            email_verified: None,
        };
        let password_hash = passwords.hash("abcxyz".to_owned()).await?;
        users.push(User {
            identity,
            password_hash,
        });
    }
    // Sessions and the signing key live in ./flask_jwt-data; the secret is
    // TESSERA_JWT_SECRET when set.
    let config = Config {
        store: StoreConfig {
            data_dir: "./flask_jwt-data".into(),
            ..StoreConfig::default()
        },
        ..Config::default()
    };
    let tessera = Tessera::builder(config)
        .users(AppUsers { users, passwords })
        .open()
        .await?;
    let maintenance = tokio::spawn(tessera.maintenance());

    // The app's routes first; Tessera's (`/auth`, `/refresh`, ...) answer the
    // rest. Its own `/protected` is shadowed by the tutorial's.
    let app = Router::new()
        .route("/protected", get(protected))
        .fallback_service(tessera.router::<()>())
        // `AuthUser` finds the token checks in the state: here, Tessera itself.
        .with_state(tessera.clone());
    let port: u16 = std::env::var("PORT").as_deref().unwrap_or("5000").parse()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    // The peer address is what Tessera's sign-in rate limits count by.
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    maintenance.abort();
    tessera.close().await;
    Ok(())
}
