//! Connection limits: how many, how long a request head may take, how big it may be.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::TestApp;

/// Reads until the server closes the connection; how long that took.
async fn time_until_closed(stream: &mut TcpStream) -> Duration {
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    });
    closed.await.expect("the server closes the connection");
    started.elapsed()
}

/// A keep-alive connection that has had one request answered, and is now idle.
async fn idle_after_one_request(app: &TestApp) -> TcpStream {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut status_line = [0u8; 12];
    stream.read_exact(&mut status_line).await.unwrap();
    assert_eq!(&status_line, b"HTTP/1.1 200");
    stream
}

#[tokio::test]
async fn silent_and_slow_clients_are_cut_off_at_the_header_timeout() {
    let app = TestApp::spawn_with(&["--header-timeout", "1s"]).await;
    // Connected, says nothing.
    let mut silent = TcpStream::connect(app.addr).await.unwrap();
    // Starts a request and stalls (slowloris).
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let (silent, slow) = tokio::join!(time_until_closed(&mut silent), time_until_closed(&mut slow));
    for waited in [silent, slow] {
        assert!(
            (Duration::from_millis(900)..Duration::from_secs(5)).contains(&waited),
            "closed after {waited:?}"
        );
    }
    // A keep-alive connection left idle after a request goes the same way.
    let mut idle = idle_after_one_request(&app).await;
    let waited = time_until_closed(&mut idle).await;
    assert!(waited < Duration::from_secs(5), "closed after {waited:?}");
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let app = TestApp::spawn_with(&["--max-connections", "2"]).await;
    let held = [
        TcpStream::connect(app.addr).await.unwrap(),
        TcpStream::connect(app.addr).await.unwrap(),
    ];
    // Give the server a moment to accept both.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let fresh_client = || {
        reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_millis(700))
            .build()
            .unwrap()
    };
    let waiting = fresh_client().get(app.url("/healthz")).send().await;
    assert!(
        waiting.is_err_and(|err| err.is_timeout()),
        "a third connection is not served while two are open"
    );
    drop(held);
    let served = fresh_client()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
}

#[tokio::test]
async fn request_heads_are_capped_at_32_kib() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let with_cookie = |bytes: usize| {
        client
            .get(app.url("/healthz"))
            .header("cookie", format!("c={}", "x".repeat(bytes)))
            .send()
    };
    assert_eq!(
        with_cookie(24 * 1024).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        with_cookie(40 * 1024).await.unwrap().status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
}

#[tokio::test]
async fn shutdown_does_not_wait_for_silent_or_idle_clients() {
    let app = TestApp::spawn().await; // the default 10 s header timeout
    let _silent = TcpStream::connect(app.addr).await.unwrap();
    let _idle = idle_after_one_request(&app).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let app = app.restart().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "shutdown took {:?}",
        started.elapsed()
    );
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}
