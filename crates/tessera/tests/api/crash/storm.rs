//! The storm: sign-ups and refresh chains from concurrent tasks until the server
//! is killed, each task noting what it was told and what was cut off.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{credentials, PASSWORD};
use crate::process::RunningServer;

/// The kill comes once every task has had this many answers: progress, not a
/// fixed time, so a busy machine delays the kill instead of failing the test.
const ACKS_BEFORE_KILL: usize = 5;
/// How long the storm may take to get there on a very busy machine.
const STORM_LIMIT: Duration = Duration::from_secs(120);
/// Bounds on each task, so the storm stays bounded on a fast machine too.
const MAX_SIGN_UPS: usize = 300;
const MAX_REFRESHES: usize = 10_000;

/// What one storm task was told before the kill.
#[derive(Debug, Default)]
pub(super) struct Told {
    /// Acknowledged with success, in order: usernames given 201, or one session's
    /// refresh tokens (from the sign-in, then each one a 200 from `/refresh` handed out).
    pub(super) acknowledged: Vec<String>,
    /// Sent (or refused a connection) but never answered, because of the kill: a
    /// username or a refresh token. The server may or may not have acted on it.
    pub(super) in_flight: Option<String>,
}

/// Where the storm goes: a client of its own, since the server may vanish mid-request.
#[derive(Clone)]
struct Target(Client, String);

impl Target {
    async fn post(&self, path: &str, body: &Value) -> reqwest::Result<reqwest::Response> {
        self.0
            .post(format!("{}{path}", self.1))
            .json(body)
            .send()
            .await
    }
}

/// How many answers a task has had so far.
type Acks = Arc<AtomicUsize>;

async fn sign_ups(target: Target, task: usize, acks: Acks) -> Told {
    let mut told = Told::default();
    for i in 0..MAX_SIGN_UPS {
        let name = format!("storm{task}-{i}");
        match target
            .post("/register", &credentials(&name, PASSWORD))
            .await
        {
            Ok(response) => assert_eq!(response.status(), StatusCode::CREATED, "{name}"),
            Err(_) => {
                told.in_flight = Some(name);
                break;
            }
        }
        told.acknowledged.push(name);
        acks.fetch_add(1, Ordering::Relaxed);
    }
    told
}

async fn refreshes(target: Target, first: String, acks: Acks) -> Told {
    let mut told = Told {
        acknowledged: vec![first],
        in_flight: None,
    };
    for _ in 0..MAX_REFRESHES {
        let latest = told.acknowledged.last().unwrap().clone();
        let body = json!({ "refresh_token": latest });
        let answer = match target.post("/refresh", &body).await {
            Ok(response) => {
                assert_eq!(response.status(), StatusCode::OK);
                response.json::<Value>().await
            }
            Err(err) => Err(err),
        };
        // No body is as good as no answer: the client never got the successor.
        let Ok(answer) = answer else {
            told.in_flight = Some(latest);
            break;
        };
        let next = answer["refresh_token"].as_str().unwrap();
        told.acknowledged.push(next.to_owned());
        acks.fetch_add(1, Ordering::Relaxed);
    }
    told
}

/// Two sign-up tasks and three refresh chains against `server`, killed mid-way.
pub(super) async fn storm(server: RunningServer) -> (Vec<Told>, Vec<Told>) {
    let client = crate::helpers::test_client();
    let target = Target(client, server.base.clone());
    let mut refreshers = Vec::new();
    let mut progress: Vec<Acks> = Vec::new();
    for family in 0..3 {
        let credentials = credentials(&format!("family{family}"), PASSWORD);
        let created = server.post("/register", &credentials).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let body: Value = server
            .post("/auth", &credentials)
            .await
            .json()
            .await
            .unwrap();
        let first = body["refresh_token"].as_str().unwrap().to_owned();
        let acks = Acks::default();
        progress.push(acks.clone());
        refreshers.push(tokio::spawn(refreshes(target.clone(), first, acks)));
    }
    let sign_ups: Vec<_> = (0..2)
        .map(|task| {
            let acks = Acks::default();
            progress.push(acks.clone());
            tokio::spawn(sign_ups(target.clone(), task, acks))
        })
        .collect();
    let everyone_answered = async {
        while progress
            .iter()
            .any(|acks| acks.load(Ordering::Relaxed) < ACKS_BEFORE_KILL)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(STORM_LIMIT, everyone_answered)
        .await
        .expect("every storm task gets answers");
    server.kill9();
    let sign_ups: Vec<Told> = join_all(sign_ups)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let families: Vec<Told> = join_all(refreshers)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let mut all = sign_ups.iter().chain(&families);
    assert!(
        all.any(|told| told.in_flight.is_some()),
        "the kill landed mid-storm"
    );
    assert!(sign_ups.iter().all(|told| !told.acknowledged.is_empty()));
    assert!(families.iter().all(|told| told.acknowledged.len() > 1));
    (sign_ups, families)
}
