//! The outbox: requests only queue mail, so an SMTP server that is down,
//! refusing or slow fails no request, and the message arrives once it can,
//! also across a restart; while it waits, its links are sealed. SMTP needs a
//! public URL for its links.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tessera::{Config, ConfigError, Server, ServerConfig, StartupError};

use crate::email::{app_with_sink, register_with_email};
use crate::smtp_sink::Mode;

#[tokio::test]
async fn mail_queued_while_the_server_is_down_arrives_when_it_is_back() {
    let (app, mut sink) = app_with_sink(&[]).await;
    sink.stop();
    register_with_email(&app, "alice", "alice@example.org").await;
    // While it waits, the database holds no link anyone could use.
    let db = app.db().await;
    let queued = db.outbox_bodies().await;
    db.close().await;
    assert_eq!(queued.len(), 1);
    sink.resume().await;
    let mail = sink.wait_for("alice@example.org", 1).await;
    let token = mail.token();
    for body in [&queued[0].0, &queued[0].1] {
        assert!(
            !body.contains("#token=") && !body.contains(&token),
            "{body}"
        );
    }
    let verified = app
        .post_json("/email/verify", &serde_json::json!({ "token": token }))
        .await;
    assert_eq!(verified.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn mail_queued_unsealed_by_an_earlier_release_is_delivered_as_it_was() {
    let (app, sink) = app_with_sink(&[]).await;
    let db = app.db().await;
    let (text, html) = ("Open https://app.example/x", "<p>Open it</p>");
    db.queue_mail("old@example.org", "Queued before", text, html)
        .await;
    db.close().await;
    let mail = sink.wait_for("old@example.org", 1).await;
    assert_eq!(mail.subject, "Queued before");
    assert!(mail.text.contains(text), "{}", mail.text);
    assert!(mail.html.contains(html), "{}", mail.html);
}

#[tokio::test]
async fn a_queued_message_that_does_not_open_is_given_up_not_sent() {
    let (app, sink) = app_with_sink(&[]).await;
    let db = app.db().await;
    // Sealed under another key, or altered: no retry can open it.
    let forged = format!("sealed:v1:{}", "A".repeat(64));
    db.queue_mail("eve@example.org", "Reset", &forged, &forged)
        .await;
    db.queue_mail("next@example.org", "After it", "plain", "<p>plain</p>")
        .await;
    // The sender takes the outbox in order: the first was dealt with by now.
    sink.wait_for("next@example.org", 1).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while db.pending_mail().await > 0 {
        assert!(Instant::now() < deadline, "still queued");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    db.close().await;
    let recipients: Vec<String> = sink.messages().into_iter().map(|m| m.to).collect();
    assert_eq!(recipients, ["next@example.org"]);
}

#[tokio::test]
async fn mail_refused_for_now_is_retried() {
    let (app, sink) = app_with_sink(&[]).await;
    sink.set_mode(Mode::Refuse);
    register_with_email(&app, "bob", "bob@example.org").await;
    sink.set_mode(Mode::Accept);
    sink.wait_for("bob@example.org", 1).await;
}

#[tokio::test]
async fn a_slow_server_does_not_slow_requests() {
    let (app, sink) = app_with_sink(&[]).await;
    // Generous: the request hashes a password on a possibly busy machine.
    let pause = Duration::from_secs(5);
    sink.set_mode(Mode::Slow(pause));
    let started = Instant::now();
    register_with_email(&app, "carol", "carol@example.org").await;
    let answered = started.elapsed();
    sink.wait_for("carol@example.org", 1).await;
    // Delivery waited for the server; the request did not.
    assert!(
        answered < pause && started.elapsed() >= pause,
        "answered after {answered:?}, delivered after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn queued_mail_survives_a_restart() {
    let (app, mut sink) = app_with_sink(&[]).await;
    sink.stop();
    register_with_email(&app, "dave", "dave@example.org").await;
    let app = app.restart().await;
    sink.resume().await;
    // The restart may stop the sender between claiming the message and
    // recording the failed attempt: then the claim (2 minutes) must lapse
    // before the new instance may send it, as a crashed instance's would.
    let claim_and_retries = Duration::from_secs(240);
    sink.wait_for_up_to("dave@example.org", 1, claim_and_retries)
        .await;
    drop(app);
}

#[tokio::test]
async fn undeliverable_mail_is_given_up_after_the_retry_period() {
    let (app, mut sink) = app_with_sink(&["--mail-retry-for", "1s"]).await;
    sink.stop();
    register_with_email(&app, "erin", "erin@example.org").await;
    // The first attempt fails at once, the retry a second later finds the
    // message too old and drops it.
    let db = app.db().await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while db.pending_mail().await > 0 {
        assert!(Instant::now() < deadline, "still queued");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sink.resume().await;
    register_with_email(&app, "frank", "frank@example.org").await;
    sink.wait_for("frank@example.org", 1).await;
    let recipients: Vec<String> = sink.messages().into_iter().map(|m| m.to).collect();
    assert_eq!(recipients, ["frank@example.org"]);
    db.close().await;
}

#[tokio::test]
async fn starttls_is_required_unless_turned_off() {
    // The default security: a server that offers no STARTTLS gets nothing
    // in plain text; the message is given up instead.
    let sink = crate::smtp_sink::SmtpSink::start().await;
    let mailer = sink.mailer().replace("?tls=none", "");
    let app = crate::helpers::TestApp::spawn_with(&[
        "--mailer",
        &mailer,
        "--public-url",
        "https://app.example",
        "--mail-retry-for",
        "1s",
    ])
    .await;
    register_with_email(&app, "gina", "gina@example.org").await;
    let db = app.db().await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while db.pending_mail().await > 0 {
        assert!(Instant::now() < deadline, "still queued");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sink.messages().is_empty(), "{:?}", sink.messages());
    db.close().await;
}

#[tokio::test]
async fn smtp_needs_a_public_url() {
    let data = tempfile::tempdir().unwrap();
    let config = Config {
        mailer: "smtp://127.0.0.1:2525?tls=none".parse().unwrap(),
        store: tessera::StoreConfig {
            data_dir: data.path().to_owned(),
            ..tessera::StoreConfig::default()
        },
        ..Config::default()
    };
    let server = ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    };
    let Err(err) = Server::bind(config, server).await else {
        panic!("started without a public URL")
    };
    assert!(
        matches!(err, StartupError::Config(ConfigError::MailNeedsPublicUrl)),
        "{err}"
    );
}

#[tokio::test]
async fn the_log_mailer_needs_no_server() {
    let app = crate::helpers::TestApp::spawn().await;
    let body = serde_json::json!({
        "username": "erin", "password": crate::helpers::PASSWORD, "email": "erin@example.org",
    });
    let response = app.post_json("/register", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}
