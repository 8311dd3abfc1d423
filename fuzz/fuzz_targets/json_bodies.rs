//! Request bodies, raw through serde and through the `JsonBody` extractor, for
//! every body type the API takes: never a panic, every refusal a 400, and what
//! is accepted survives a serialise/parse round trip unchanged.

#![no_main]

use std::fmt::Debug;
use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::header::CONTENT_TYPE;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tessera::JsonBody;
use tessera_shared::{Credentials, LogoutRequest, PasswordChangeRequest, RefreshRequest};

/// The extractor is async; a body already in memory needs no more than this.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
});

fn check<T>(data: &[u8])
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    if let Ok(direct) = serde_json::from_slice::<T>(data) {
        round_trips(&direct);
    }
    let request = Request::post("/")
        .header(CONTENT_TYPE, "application/json")
        .body(Body::from(data.to_vec()))
        .unwrap();
    match RUNTIME.block_on(JsonBody::<T>::from_request(request, &())) {
        Ok(JsonBody(value)) => {
            let json: serde_json::Value =
                serde_json::from_slice(data).expect("accepted JSON parses");
            assert!(json.is_object(), "only objects are accepted");
            round_trips(&value);
        }
        Err(err) => assert_eq!(err.into_response().status(), StatusCode::BAD_REQUEST),
    }
}

fn round_trips<T>(value: &T)
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let text = serde_json::to_vec(value).unwrap();
    assert_eq!(&serde_json::from_slice::<T>(&text).unwrap(), value);
}

fuzz_target!(|data: &[u8]| {
    check::<Credentials>(data);
    check::<RefreshRequest>(data);
    check::<PasswordChangeRequest>(data);
    check::<LogoutRequest>(data);
});
