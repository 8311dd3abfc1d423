//! `bearer_token` over any `Authorization` value: never panics, and a token it
//! accepts is the non-empty, whitespace-free tail of a `Bearer`/`JWT` header.

#![no_main]

use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use tessera::{bearer_token, MAX_AUTHORIZATION_LEN};

fuzz_target!(|data: &[u8]| {
    // Bytes no header can carry never reach the extractor: hyper refuses them.
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, value);
    let Ok(token) = bearer_token(&headers) else {
        return;
    };
    assert!(!token.is_empty());
    assert!(!token.contains(char::is_whitespace), "{token:?}");
    assert!(data.len() <= MAX_AUTHORIZATION_LEN);
    let text = std::str::from_utf8(data).expect("an accepted header is text");
    let text = text.trim();
    assert!(text.ends_with(token), "{text:?} / {token:?}");
    let scheme = text[..text.len() - token.len()].trim_end();
    assert!(
        scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("jwt"),
        "{text:?}"
    );
});
