//! The flags map onto the library's configuration, defaults included.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use tessera::{Config, ServerConfig, StoreConfig};

use crate::args::{Cli, Command, Human, KeysCommand};

fn serve(flags: &[&str]) -> (Config, ServerConfig) {
    match Cli::try_parse_from([&["tessera", "serve"], flags].concat())
        .unwrap()
        .command
    {
        Command::Serve(args) => args.into_configs(),
        Command::User { .. } | Command::Keys { .. } => unreachable!("parsed a serve command"),
    }
}

#[test]
fn no_flags_means_the_library_defaults() {
    let (config, server) = serve(&[]);
    assert_eq!(format!("{config:?}"), format!("{:?}", Config::default()));
    assert_eq!(
        format!("{server:?}"),
        format!("{:?}", ServerConfig::default())
    );
}

#[test]
fn every_serve_flag_reaches_its_field() {
    let (config, server) = serve(&[
        "--addr",
        "0.0.0.0:8080",
        "--access-ttl",
        "5m",
        "--refresh-ttl",
        "1d",
        "--refresh-grace",
        "3s",
        "--session-max-age",
        "7d",
        "--public-url",
        "https://auth.example/",
        "--issuer",
        "https://i",
        "--audience",
        "shop",
        "--leeway",
        "1s",
        "--signup",
        "closed",
        "--hash-concurrency",
        "3",
        "--hash-queue",
        "7",
        "--hash-queue-wait",
        "2s",
        "--token-cache",
        "0",
        "--rate-limit",
        "off",
        "--rate-limit-user",
        "2/min",
        "--rate-limit-user-global",
        "9/h",
        "--trusted-proxy",
        "10.0.0.1",
        "--ipv6-prefix",
        "48",
        "--cors-origin",
        "https://a.example",
        "--request-timeout",
        "9s",
        "--max-connections",
        "99",
        "--max-connections-per-address",
        "4",
        "--header-timeout",
        "2s",
        "--signing-alg",
        "eddsa",
        "--data-dir",
        "d",
        "--db-pool-size",
        "2",
        "--db-timeout",
        "1s",
        "--static-dir",
        "dist",
        "--mailer",
        "smtp://u:hunter2@mail.example:2525?tls=tls",
        "--mail-from",
        "Acme <auth@acme.example>",
        "--product-name",
        "Acme",
        "--mail-retry-for",
        "2h",
        "--rate-limit-mail",
        "3/h",
        "--require-verified-email",
    ]);
    assert_eq!(config.access_ttl, Duration::from_secs(300));
    assert_eq!(config.refresh_ttl, Duration::from_secs(86_400));
    assert_eq!(config.refresh_grace, Duration::from_secs(3));
    assert_eq!(config.session_max_age, Duration::from_secs(7 * 86_400));
    assert_eq!(config.public_url.as_deref(), Some("https://auth.example/"));
    assert_eq!(config.issuer.as_deref(), Some("https://i"));
    assert_eq!(config.audience.as_deref(), Some("shop"));
    assert_eq!(config.leeway, Duration::from_secs(1));
    assert_eq!(config.signup, tessera::Signup::Closed);
    assert_eq!(config.hash_concurrency, Some(3));
    assert_eq!(config.hash_queue, Some(7));
    assert_eq!(config.hash_queue_wait, Duration::from_secs(2));
    assert_eq!(config.token_cache, 0);
    assert_eq!(config.rate_limit.to_string(), "off");
    assert_eq!(config.rate_limit_user.to_string(), "2/min");
    assert_eq!(config.rate_limit_user_global.to_string(), "9/h");
    assert_eq!(
        config.trusted_proxies,
        ["10.0.0.1".parse::<std::net::IpAddr>().unwrap()]
    );
    assert_eq!(config.ipv6_prefix, 48);
    assert_eq!(config.signing_alg.name(), "EdDSA");
    assert_eq!(config.store.data_dir, PathBuf::from("d"));
    assert_eq!(config.store.db_pool_size, 2);
    assert_eq!(config.store.db_timeout, Duration::from_secs(1));
    assert_eq!(server.addr, "0.0.0.0:8080".parse().unwrap());
    assert_eq!(server.cors_origins, ["https://a.example"]);
    assert_eq!(server.request_timeout, Duration::from_secs(9));
    assert_eq!(server.max_connections, Some(99));
    assert_eq!(server.max_connections_per_address, 4);
    assert_eq!(server.header_timeout, Duration::from_secs(2));
    assert_eq!(server.static_dir, Some(PathBuf::from("dist")));
    assert_eq!(
        config.mailer.to_string(),
        "smtp://u:***@mail.example:2525?tls=tls"
    );
    assert_eq!(config.mail_from, "Acme <auth@acme.example>");
    assert_eq!(config.product_name, "Acme");
    assert_eq!(config.mail_retry_for, Duration::from_secs(7200));
    assert_eq!(config.rate_limit_mail.to_string(), "3/h");
    assert!(config.require_verified_email);
}

#[test]
fn a_refused_mailer_is_not_echoed() {
    let err = Cli::try_parse_from([
        "tessera",
        "serve",
        "--mailer",
        "smtps://u:hunter2@mail.example",
    ])
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("--mailer") && !err.contains("hunter2"),
        "{err}"
    );
}

#[test]
fn out_of_range_flags_are_refused() {
    for flags in [
        &["--ipv6-prefix", "129"][..],
        &["--signup", "maybe"],
        &["--signing-alg", "none"],
        &["--rate-limit", "5/fortnight"],
        &["--access-ttl", "soon"],
    ] {
        let parsed = Cli::try_parse_from([&["tessera", "serve"], flags].concat());
        assert!(parsed.is_err(), "{flags:?}");
    }
}

fn store_of(args: &[&str]) -> StoreConfig {
    match Cli::try_parse_from([&["tessera"], args].concat())
        .unwrap()
        .command
    {
        Command::User { store, .. } | Command::Keys { store, .. } => store.into(),
        Command::Serve(serve) => serve.into_configs().0.store,
    }
}

#[test]
fn store_flags_go_before_or_after_the_subcommand() {
    for args in [
        &[
            "user",
            "--data-dir",
            "d",
            "--db-pool-size",
            "3",
            "add",
            "alice",
        ][..],
        &[
            "user",
            "add",
            "alice",
            "--data-dir",
            "d",
            "--db-pool-size",
            "3",
        ],
        &["user", "list", "--data-dir", "d", "--db-pool-size", "3"],
        &[
            "user",
            "delete",
            "--data-dir",
            "d",
            "alice",
            "--db-pool-size",
            "3",
        ],
        &["keys", "--data-dir", "d", "--db-pool-size", "3", "list"],
        &["keys", "list", "--data-dir", "d", "--db-pool-size", "3"],
        &[
            "keys",
            "rotate",
            "--data-dir",
            "d",
            "--signing-alg",
            "EdDSA",
            "--db-pool-size",
            "3",
        ],
    ] {
        let store = store_of(args);
        assert_eq!(store.data_dir, PathBuf::from("d"), "{args:?}");
        assert_eq!(store.db_pool_size, 3, "{args:?}");
    }
    let url = ["--database-url", "postgres://u@h/db"];
    let user = store_of(&[&["user", "add", "bob"][..], &url].concat());
    assert_eq!(user.database_url(), "postgres://u@h/db");
    let defaults = store_of(&["keys", "list"]);
    assert_eq!(
        format!("{defaults:?}"),
        format!("{:?}", StoreConfig::default())
    );
}

#[test]
fn keys_are_retired_after_the_longest_refresh_token_can_live() {
    let Command::Keys {
        command: KeysCommand::Prune { retire_after },
        ..
    } = Cli::try_parse_from(["tessera", "keys", "prune"])
        .unwrap()
        .command
    else {
        unreachable!("parsed a prune command")
    };
    let config = Config::default();
    assert!(
        retire_after.0 >= config.refresh_ttl + tessera::MAX_LEEWAY + tessera::KEY_RELOAD_INTERVAL
    );
    // What it was when the flag wrote its own default.
    assert_eq!(retire_after, Human(Duration::from_secs(14 * 86_400 + 120)));
}

#[test]
fn there_is_no_secret_flag() {
    let parsed = Cli::try_parse_from(["tessera", "serve", "--jwt-secret", "x"]);
    assert!(parsed.is_err());
}
