//! Token micro-benchmarks: issuing and verifying access tokens per algorithm,
//! the HMAC-SHA256 floor under HS256, and one argon2id verification.
//!
//! Run with `cargo bench -p tessera --bench tokens`; `bench/run` runs it and
//! quotes the results in its report (see BENCHMARKS.md).
//!
//! `tessera/*` is the product path (`TokenService` over a key ring of each
//! algorithm). `verify` is the full check (header, key, signature, claims,
//! lifetime, deny list) with the verified-token cache off; `verify_repeat` checks
//! one token over and over with it on, as a client's requests are checked (the
//! cache, then lifetime and deny list); `verify_first` checks tokens the service
//! has not seen with it on (the full check, then remembering the token), cycling
//! through more distinct tokens than the cache holds. `jwt/*` signs and checks the same
//! claims with `jsonwebtoken` alone, the same build, keys made the way the key
//! ring makes them. `floor/*` is the HMAC alone over exactly the `header.payload`
//! bytes of the HS256 token.

use std::cell::Cell;
use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordVerifier as _};
use criterion::Criterion;
use ed25519_dalek::pkcs8::{EncodePrivateKey as _, KeypairBytes};
use hmac::{Hmac, Mac};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use sha2::Sha256;
use tessera::{Claims, JwtSecret, NoExtraClaims, Passwords, TokenService, TokenSettings};
use tessera::{Keys, SigningAlg};

/// One algorithm's keys, built once as Tessera builds them (keys/material.rs).
struct JwtKeys {
    name: &'static str,
    algorithm: Algorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

fn keys(secret: &JwtSecret) -> Vec<JwtKeys> {
    let ed = KeypairBytes {
        secret_key: ed25519_dalek::SigningKey::generate(&mut OsRng).to_bytes(),
        public_key: None,
    };
    let ed = EncodingKey::from_ed_der(ed.to_pkcs8_der().unwrap().as_bytes());
    let ec = p256::SecretKey::random(&mut OsRng).to_pkcs8_der().unwrap();
    let ec = EncodingKey::from_ec_der(ec.as_bytes());
    let rsa = rsa::RsaPrivateKey::new(&mut OsRng, 2048).unwrap();
    let rsa = EncodingKey::from_rsa_der(rsa.to_pkcs1_der().unwrap().as_bytes());
    let asymmetric = |name, algorithm, encoding: EncodingKey| {
        let jwk = Jwk::from_encoding_key(&encoding, algorithm).unwrap();
        let decoding = DecodingKey::from_jwk(&jwk).unwrap();
        JwtKeys {
            name,
            algorithm,
            encoding,
            decoding,
        }
    };
    vec![
        JwtKeys {
            name: "HS256",
            algorithm: Algorithm::HS256,
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
        },
        asymmetric("EdDSA", Algorithm::EdDSA, ed),
        asymmetric("ES256", Algorithm::ES256, ec),
        asymmetric("RS256", Algorithm::RS256, rsa),
    ]
}

/// Distinct tokens `verify_first` cycles through: 8 × the verified-token cache's
/// 4096 slots, so a token's slot has almost surely been taken by another before
/// it comes round again (a hit chance of e⁻⁸).
const FIRST_SIGHT_TOKENS: i64 = 8 * 4096;

/// The claims `TokenService::issue` puts in an access token.
fn claims() -> Claims {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Claims {
        sub: "42".to_owned(),
        username: "alice".to_owned(),
        roles: Vec::new(),
        sid: "0f3c2a9e8b7d4c6a9e1f2b3c4d5e6f70".to_owned(),
        fresh: true,
        email_verified: None,
        iss: None,
        aud: None,
        iat: now,
        nbf: now,
        exp: now + 3600, // outlives the run
        jti: "7a6b5c4d3e2f10ab9c8d7e6f5a4b3c2d".to_owned(),
        amr: vec!["pwd".to_owned()],
        acr: Some("1".to_owned()),
        extra: NoExtraClaims {},
    }
}

/// What `TokenService` checks, as a `jsonwebtoken` validation: pinned algorithm,
/// nbf, required claims.
fn validation(algorithm: Algorithm) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.leeway = 5;
    validation.validate_nbf = true;
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "nbf", "sub"]);
    validation
}

fn tokens(c: &mut Criterion) {
    let secret = JwtSecret::generate();
    // The same keys behind two services: one checks every token in full, the
    // other remembers verified tokens, as the server does.
    let uncached = TokenSettings {
        token_cache: 0,
        ..TokenSettings::default()
    };
    let rings = tempfile::tempdir().unwrap();
    let services = |alg: SigningAlg, settings: TokenSettings| match alg {
        SigningAlg::Hs256 => TokenService::new(&secret, settings),
        _ => {
            let keys = Keys::open(&rings.path().join(alg.name()), alg, None).unwrap();
            TokenService::with_keys(keys, settings)
        }
    };
    let token = services(SigningAlg::Hs256, TokenSettings::default())
        .issue(42, "alice")
        .unwrap()
        .token;

    let mut product = c.benchmark_group("tessera");
    for alg in [
        SigningAlg::Hs256,
        SigningAlg::EdDsa,
        SigningAlg::Es256,
        SigningAlg::Rs256,
    ] {
        let full = services(alg, uncached.clone());
        let cached = services(alg, TokenSettings::default());
        let token = cached.issue(42, "alice").unwrap().token;
        product.bench_function(format!("issue/{alg}"), |b| {
            b.iter(|| full.issue(black_box(42), black_box("alice")).unwrap());
        });
        product.bench_function(format!("verify/{alg}"), |b| {
            b.iter(|| {
                full.verify_access::<NoExtraClaims>(black_box(&token))
                    .unwrap()
            });
        });
        product.bench_function(format!("verify_repeat/{alg}"), |b| {
            b.iter(|| {
                cached
                    .verify_access::<NoExtraClaims>(black_box(&token))
                    .unwrap()
            });
        });
    }
    // A token's first check with the cache on: the full check, then remembering
    // it. Cycles through more distinct tokens than the cache holds.
    let cached = services(SigningAlg::Hs256, TokenSettings::default());
    let unseen: Vec<String> = (0..FIRST_SIGHT_TOKENS)
        .map(|user| cached.issue(user, "alice").unwrap().token)
        .collect();
    // Criterion calls the routine once per sample: the position must carry over.
    let position = Cell::new(0);
    product.bench_function("verify_first/HS256", |b| {
        b.iter(|| {
            let at = position.get();
            position.set((at + 1) % unseen.len());
            cached
                .verify_access::<NoExtraClaims>(black_box(&unseen[at]))
                .unwrap()
        });
    });
    product.finish();

    // Exactly the bytes the HS256 signature covers, under the same secret.
    let signing_input = &token[..token.rfind('.').unwrap()];
    let keyed = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    let mut floor = c.benchmark_group("floor");
    floor.bench_function("hmac_sha256", |b| {
        b.iter(|| {
            let mut mac = Hmac::<Sha256>::new_from_slice(black_box(secret.as_bytes())).unwrap();
            mac.update(black_box(signing_input.as_bytes()));
            mac.finalize().into_bytes()
        });
    });
    // The keyed state precomputed once: two compression blocks fewer per token.
    floor.bench_function("hmac_sha256_prekeyed", |b| {
        b.iter(|| {
            let mut mac = keyed.clone();
            mac.update(black_box(signing_input.as_bytes()));
            mac.finalize().into_bytes()
        });
    });
    floor.finish();

    let claims = claims();
    let mut jwt = c.benchmark_group("jwt");
    for keys in keys(&secret) {
        let mut header = Header::new(keys.algorithm);
        header.typ = Some("at+jwt".to_owned());
        header.kid = Some("bench-key".to_owned());
        let validation = validation(keys.algorithm);
        let signed = jsonwebtoken::encode(&header, &claims, &keys.encoding).unwrap();
        jwt.bench_function(format!("issue/{}", keys.name), |b| {
            b.iter(|| jsonwebtoken::encode(&header, black_box(&claims), &keys.encoding).unwrap());
        });
        jwt.bench_function(format!("verify/{}", keys.name), |b| {
            b.iter(|| {
                // As Tessera verifies: the header first (kid, alg, typ), then the token.
                let header = jsonwebtoken::decode_header(black_box(&signed)).unwrap();
                assert_eq!(header.alg, keys.algorithm);
                jsonwebtoken::decode::<Claims>(&signed, &keys.decoding, &validation).unwrap()
            });
        });
    }
    jwt.finish();
}

/// One argon2id verification at the server's parameters: the unit of login cost.
/// `passwords` is the server's own path (a hashing thread, memory reused while
/// sign-ins keep coming); `reference` is the argon2 crate's `verify_password`,
/// which allocates its 19 MiB per call.
fn argon2(c: &mut Criterion) {
    let password = "correct horse battery staple";
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let passwords = Passwords::new(1);
    let stored = runtime
        .block_on(passwords.hash(password.to_owned()))
        .unwrap();
    let parsed = PasswordHash::new(&stored).unwrap();
    let mut group = c.benchmark_group("argon2");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("passwords", |b| {
        b.iter(|| {
            let check = passwords.verify(black_box(password).to_owned(), Some(stored.clone()));
            assert!(runtime.block_on(check).unwrap());
        });
    });
    group.bench_function("reference", |b| {
        b.iter(|| {
            argon2::Argon2::default()
                .verify_password(black_box(password.as_bytes()), &parsed)
                .unwrap();
        });
    });
    group.finish();
}

// What `criterion_main!` would generate, without its undocumented public items.
fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    tokens(&mut c);
    argon2(&mut c);
    c.final_summary();
}
