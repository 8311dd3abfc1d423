//! Serving the built browser app beside the API (`--static-dir`).

use std::fs;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::{header, StatusCode};
use sha2::{Digest, Sha256};

use crate::helpers::{assert_error, TestApp};

const BOOT: &str = "import init from '/app-0123456789abcdef.js'; await init();";
const WASM: &str = "/app-0123456789abcdef_bg.wasm";

/// A fake trunk `dist/`: an index with one inline boot script and a hashed asset.
fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let index = format!(
        "<!doctype html><html><head><link rel=\"stylesheet\" href=\"/style.css\">\
         <script type=\"module\">{BOOT}</script></head><body></body></html>"
    );
    fs::write(dir.path().join("index.html"), index).unwrap();
    fs::write(dir.path().join(&WASM[1..]), "wasm bytes ".repeat(500)).unwrap();
    fs::write(dir.path().join("favicon.svg"), "<svg/>").unwrap();
    dir
}

async fn with_site() -> (TestApp, tempfile::TempDir) {
    let dist = dist();
    let app = TestApp::spawn_with(&["--static-dir", dist.path().to_str().unwrap()]).await;
    (app, dist)
}

async fn get(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    get_encoded(app, path, accept, "identity").await
}

async fn get_encoded(
    app: &TestApp,
    path: &str,
    accept: &str,
    encodings: &str,
) -> reqwest::Response {
    let client = app.http();
    client
        .get(app.url(path))
        .header(header::ACCEPT, accept)
        .header(header::ACCEPT_ENCODING, encodings)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_page_is_served_with_a_csp_that_allows_only_its_own_boot_script() {
    let (app, _dist) = with_site().await;
    let response = get(&app, "/", "text/html").await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    let hash = STANDARD.encode(Sha256::digest(BOOT.as_bytes()));
    assert!(
        csp.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"
        )),
        "{csp}"
    );
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(response.text().await.unwrap().contains(BOOT));
}

#[tokio::test]
async fn client_side_routes_get_the_page_but_api_paths_never_do() {
    let (app, _dist) = with_site().await;
    let page = get(&app, "/account/settings", "text/html,application/xhtml+xml").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(BOOT));

    assert_error(
        get(&app, "/missing.js", "*/*").await,
        StatusCode::NOT_FOUND,
        "Not found",
    )
    .await;
    assert_error(
        get(&app, "/auth/extra", "text/html").await,
        StatusCode::NOT_FOUND,
        "Not found",
    )
    .await;
    let protected = get(&app, "/protected", "text/html").await;
    assert_eq!(
        protected.status(),
        StatusCode::UNAUTHORIZED,
        "the API answers, not the page"
    );
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_compressed() {
    let (app, _dist) = with_site().await;
    let asset = get_encoded(&app, WASM, "*/*", "br, gzip").await;
    assert_eq!(asset.status(), StatusCode::OK);
    assert_eq!(
        asset.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(asset.headers()[header::CONTENT_ENCODING], "br");
    let compressed = asset.bytes().await.unwrap();
    assert!(compressed.len() < 500, "{} bytes", compressed.len());

    let favicon = get(&app, "/favicon.svg", "*/*").await;
    assert_eq!(favicon.status(), StatusCode::OK);
    assert_eq!(favicon.headers()[header::CACHE_CONTROL], "no-cache");
}

#[tokio::test]
async fn api_answers_are_never_cached_or_compressed() {
    let (app, _dist) = with_site().await;
    let response = get_encoded(&app, "/healthz", "*/*", "br, gzip").await;
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
}

#[tokio::test]
async fn a_static_dir_without_an_index_is_refused_at_startup() {
    let empty = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let (config, server) = crate::helpers::settings(&[
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        data.path().to_str().unwrap(),
        "--static-dir",
        empty.path().to_str().unwrap(),
    ]);
    let err = tessera::Server::bind(config, server)
        .await
        .err()
        .expect("startup fails");
    assert!(err.to_string().contains("trunk build --release"), "{err}");
}
