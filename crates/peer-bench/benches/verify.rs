//! The three verify paths on one token: Tessera's `TokenService::verify_access`
//! (what `AuthUser` runs), jwt-authorizer's `Authorizer::check_auth` (what its
//! layer runs) and axum-jwt-auth's `JwtDecoder::decode` (what its `Claims`
//! extractor runs), for HS256 and EdDSA; then each library's whole extractor
//! path, a request with the token through a one-route app.
//!
//! Run with `cargo bench -p peer-bench --bench verify`; `bench/run --peers`
//! runs it and BENCHMARKS.md quotes it.
//!
//! The peers' checks are async, so every path, Tessera's included, runs
//! inside the same `block_on`: the executor's cost is the same for all.
//! `tessera/verify` is the full check (cache off: header, key, signature,
//! claims, lifetime, `typ`, deny list); `tessera/verify_repeat` is the same
//! token again with the verified-token cache on, as served (lifetime and deny
//! list still checked on every call). The peers have no such cache.

use std::hint::black_box;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use criterion::{BenchmarkGroup, Criterion};
use futures::executor::block_on;
use peer_bench::{Alg, Fixture, PROTECTED};
use tessera::NoExtraClaims;
use tower::ServiceExt;

fn verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    for alg in Alg::ALL {
        let name = alg.name();
        let full = Fixture::new(alg, 0).unwrap();
        let token = full.token.clone();
        let uncached = &full.tokens;
        // The same keys with the cache on, as `tessera serve` runs.
        let cached = full
            .service(tessera::TokenSettings::default().token_cache)
            .unwrap();
        group.bench_function(format!("tessera/{name}"), |b| {
            b.iter(|| {
                block_on(async {
                    uncached
                        .verify_access::<NoExtraClaims>(black_box(&token))
                        .unwrap()
                })
            });
        });
        group.bench_function(format!("tessera_repeat/{name}"), |b| {
            b.iter(|| {
                block_on(async {
                    cached
                        .verify_access::<NoExtraClaims>(black_box(&token))
                        .unwrap()
                })
            });
        });
        let authorizer = block_on(peer_bench::jwt_authorizer(&full)).unwrap();
        group.bench_function(format!("jwt_authorizer/{name}"), |b| {
            b.iter(|| block_on(authorizer.check_auth(black_box(&token))).unwrap());
        });
        let decoder = peer_bench::axum_jwt_auth_decoder(&full).unwrap();
        group.bench_function(format!("axum_jwt_auth/{name}"), |b| {
            b.iter(|| block_on(decoder.decode(black_box(&token))).unwrap());
        });
    }
    group.finish();
}

/// A request through each one-route app, as served minus the socket; Tessera
/// with its verified-token cache on (`tessera_repeat`, as served) and off.
fn requests(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("request");
    for alg in Alg::ALL {
        let name = alg.name();
        let fixture = Fixture::new(alg, tessera::TokenSettings::default().token_cache).unwrap();
        let bearer = format!("Bearer {}", fixture.token);
        let tessera = peer_bench::tessera_app(fixture.tokens.clone());
        let uncached = peer_bench::tessera_app(std::sync::Arc::new(fixture.service(0).unwrap()));
        let authorizer = runtime
            .block_on(peer_bench::jwt_authorizer(&fixture))
            .unwrap();
        let jwt_authorizer = peer_bench::jwt_authorizer_app(authorizer);
        let axum_jwt_auth =
            peer_bench::axum_jwt_auth_app(peer_bench::axum_jwt_auth_decoder(&fixture).unwrap());
        let request = || {
            Request::get(PROTECTED)
                .header("authorization", &bearer)
                .body(Body::empty())
                .unwrap()
        };
        bench_app(
            &mut group,
            &runtime,
            format!("tessera_repeat/{name}"),
            || tessera.clone().oneshot(request()),
        );
        bench_app(&mut group, &runtime, format!("tessera/{name}"), || {
            uncached.clone().oneshot(request())
        });
        bench_app(
            &mut group,
            &runtime,
            format!("axum_jwt_auth/{name}"),
            || axum_jwt_auth.clone().oneshot(request()),
        );
        // axum 0.7 takes the same http 1 request type.
        bench_app(
            &mut group,
            &runtime,
            format!("jwt_authorizer/{name}"),
            || jwt_authorizer.clone().oneshot(request()),
        );
    }
    group.finish();
}

fn bench_app<F, B, E>(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    runtime: &tokio::runtime::Runtime,
    name: String,
    call: impl Fn() -> F,
) where
    F: std::future::Future<Output = Result<axum::http::Response<B>, E>>,
    E: std::fmt::Debug,
{
    group.bench_function(name, |b| {
        b.iter(|| {
            let response = runtime.block_on(call()).unwrap();
            assert!(response.status().is_success());
        });
    });
}

// What `criterion_main!` would generate, without its undocumented public items.
fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    verify(&mut c);
    requests(&mut c);
    c.final_summary();
}
