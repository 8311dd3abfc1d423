//! Serving the built browser app (trunk's `dist/`) beside the API.
//!
//! Unknown `GET` paths that ask for HTML get `index.html`, so client-side routes
//! survive a reload; API paths never do. Hashed assets are cached forever,
//! `index.html` never without revalidation, and the page gets a CSP that allows
//! wasm and trunk's one inline boot script (by hash) and nothing from elsewhere.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use tessera_shared::paths;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::error::ApiError;

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// A directory holding a built single-page app.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    dir: PathBuf,
}

/// Why the app directory cannot be served.
#[derive(Debug, thiserror::Error)]
#[error("{0} has no index.html: build the frontend first (`trunk build --release`)")]
pub struct MissingIndex(pub PathBuf);

impl Site {
    /// The app in `dir`, which must contain `index.html`.
    pub(crate) fn new(dir: &Path) -> Result<Self, MissingIndex> {
        if !dir.join("index.html").is_file() {
            return Err(MissingIndex(dir.to_owned()));
        }
        Ok(Self {
            dir: dir.to_owned(),
        })
    }
}

/// The router fallback when a site is served: static file, SPA page or JSON 404.
pub(crate) async fn serve(State(site): State<Site>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let readable = matches!(*request.method(), Method::GET | Method::HEAD);
    if !readable || is_api_path(&path) {
        return ApiError::NotFound.into_response();
    }
    if path != "/" && !path.ends_with('/') {
        let wants_html = accepts_html(&request);
        let service = ServeDir::new(&site.dir).append_index_html_on_directories(false);
        match service.oneshot(request).await {
            Ok(response) if response.status() != StatusCode::NOT_FOUND => {
                return with_cache_policy(&path, response.map(Body::new));
            }
            Ok(_) if !wants_html => return ApiError::NotFound.into_response(),
            Ok(_) => {}
            Err(never) => match never {},
        }
    }
    index_page(&site.dir).await
}

/// `index.html` with its CSP. Read per request (it is tiny), so a rebuilt
/// frontend is picked up without restarting the server.
async fn index_page(dir: &Path) -> Response {
    let html = match tokio::fs::read_to_string(dir.join("index.html")).await {
        Ok(html) => html,
        Err(err) => {
            return ApiError::internal(format!("cannot read index.html: {err}")).into_response()
        }
    };
    let csp = content_security_policy(&html);
    let mut response = html.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, REVALIDATE);
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(CONTENT_SECURITY_POLICY, csp);
    }
    response
}

fn with_cache_policy(path: &str, mut response: Response) -> Response {
    if response.status().is_success() {
        let policy = if is_hashed_asset(path) {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        response.headers_mut().insert(CACHE_CONTROL, policy);
    }
    response
}

/// Same-origin only; wasm compilation allowed; inline scripts only those in the page, by hash.
pub(crate) fn content_security_policy(html: &str) -> String {
    let hashes: String = inline_scripts(html)
        .map(|script| {
            format!(
                " 'sha256-{}'",
                STANDARD.encode(Sha256::digest(script.as_bytes()))
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Bodies of `<script>` elements that have no `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

/// Trunk names built assets `name-<16 hex digits>[_bg].ext`: their content never changes.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    stem.split(['-', '_'])
        .any(|part| part.len() == 16 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_api_path(path: &str) -> bool {
    paths::ALL.iter().any(|api| {
        path.strip_prefix(api)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

fn accepts_html(request: &Request) -> bool {
    request
        .headers()
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.contains("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_exactly_the_inline_scripts() {
        let html = r#"<script src="/a.js"></script><script type="module">boot()</script>"#;
        let scripts: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(scripts, ["boot()"]);
        let expected = STANDARD.encode(Sha256::digest(b"boot()"));
        let csp = content_security_policy(html);
        assert!(
            csp.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{expected}';"
            )),
            "{csp}"
        );
    }

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(is_hashed_asset("/frontend-4f1c2e3d4b5a6978_bg.wasm"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/favicon.svg"));
        assert!(!is_hashed_asset("/index.html"));
    }

    #[test]
    fn api_paths_and_their_children_are_never_pages() {
        assert!(is_api_path("/auth"));
        assert!(is_api_path("/protected/extra"));
        assert!(!is_api_path("/authors"));
        assert!(!is_api_path("/account"));
    }
}
