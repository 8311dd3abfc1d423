//! Connection limits: how many, how long a request head may take, how big it may be.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::helpers::TestApp;

/// Reads until the server closes the connection; the time from `started`
/// (taken before the connection was opened, so the server's clock for it
/// cannot have started earlier, however long this test was paused since).
async fn time_until_closed(stream: &mut TcpStream, started: Instant) -> Duration {
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
    let mut stream = TcpStream::connect(app.addr()).await.unwrap();
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
#[ignore = "slow tier: measures when connections are closed"]
async fn silent_and_slow_clients_are_cut_off_at_the_header_timeout() {
    let app = TestApp::spawn_listening(&["--header-timeout", "1s"]).await;
    // Connected, says nothing.
    let silent_since = Instant::now();
    let mut silent = TcpStream::connect(app.addr()).await.unwrap();
    // Starts a request and stalls (slowloris).
    let slow_since = Instant::now();
    let mut slow = TcpStream::connect(app.addr()).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let (silent, slow) = tokio::join!(
        time_until_closed(&mut silent, silent_since),
        time_until_closed(&mut slow, slow_since)
    );
    for waited in [silent, slow] {
        assert!(
            (Duration::from_millis(900)..Duration::from_secs(5)).contains(&waited),
            "closed after {waited:?}"
        );
    }
    // A keep-alive connection left idle after a request goes the same way.
    let mut idle = idle_after_one_request(&app).await;
    let waited = time_until_closed(&mut idle, Instant::now()).await;
    assert!(waited < Duration::from_secs(5), "closed after {waited:?}");
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let app = TestApp::spawn_listening(&["--max-connections", "2"]).await;
    // Answered once each, so the server has certainly accepted both.
    let held = [
        idle_after_one_request(&app).await,
        idle_after_one_request(&app).await,
    ];
    let fresh_client = |timeout| {
        reqwest::Client::builder()
            .no_proxy()
            .timeout(timeout)
            .build()
            .unwrap()
    };
    let waiting = fresh_client(Duration::from_millis(700))
        .get(app.url("/healthz"))
        .send()
        .await;
    assert!(
        waiting.is_err_and(|err| err.is_timeout()),
        "a third connection is not served while two are open"
    );
    drop(held);
    // Served once the server has noticed a slot is free, in its own time.
    let served = fresh_client(Duration::from_secs(60))
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
}

#[tokio::test]
async fn request_heads_are_capped_at_32_kib() {
    let app = TestApp::spawn_listening(&[]).await;
    let client = crate::helpers::test_client();
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
#[ignore = "slow tier: measures how long a shutdown takes"]
async fn shutdown_does_not_wait_for_silent_or_idle_clients() {
    // A header timeout far above what a restart takes on a busy machine.
    let app = TestApp::spawn_listening(&["--header-timeout", "60s"]).await;
    let _silent = TcpStream::connect(app.addr()).await.unwrap();
    let _idle = idle_after_one_request(&app).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let app = app.restart().await;
    assert!(
        // Waiting for the silent client would take the 60 s header timeout;
        // the restart (a stop and a start) takes a second or two, and the
        // margin is for a loaded machine.
        started.elapsed() < Duration::from_secs(40),
        "shutdown took {:?}",
        started.elapsed()
    );
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

/// `GET /healthz` with `Connection: close` on a new connection from `source`;
/// everything the server sent before it closed the connection.
async fn healthz_from(source: &str, server: std::net::SocketAddr) -> Vec<u8> {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    // A connection closed at once may refuse the write; the read tells the rest.
    let _ = stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer));
    let _ = read
        .await
        .expect("the server answers or closes the connection");
    answer
}

fn is_ok(answer: &[u8]) -> bool {
    answer.starts_with(b"HTTP/1.1 200")
}

#[tokio::test]
async fn connections_past_an_addresss_share_are_closed_while_others_are_served() {
    let app = TestApp::spawn_listening(&["--max-connections-per-address", "2"]).await;
    let held = [
        idle_after_one_request(&app).await,
        idle_after_one_request(&app).await,
    ];
    let refused = healthz_from("127.0.0.1", app.addr()).await;
    assert!(
        refused.is_empty(),
        "a third connection from 127.0.0.1 is closed unanswered: {:?}",
        String::from_utf8_lossy(&refused)
    );
    assert!(
        is_ok(&healthz_from("127.0.0.2", app.addr()).await),
        "another address is served"
    );
    drop(held);
    // The server notices the closed connections in its own time.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !is_ok(&healthz_from("127.0.0.1", app.addr()).await) {
        assert!(Instant::now() < deadline, "127.0.0.1 is served again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An HTTP/2 frame: type, flags, stream 0, payload.
fn h2_frame(kind: u8, flags: u8, payload: &[u8]) -> Vec<u8> {
    let length = u32::try_from(payload.len()).unwrap().to_be_bytes();
    let mut frame = vec![length[1], length[2], length[3], kind, flags, 0, 0, 0, 0];
    frame.extend_from_slice(payload);
    frame
}

/// The (type, flags) of each HTTP/2 frame in `bytes`.
fn h2_frames(mut bytes: &[u8]) -> Vec<(u8, u8)> {
    let mut frames = Vec::new();
    while bytes.len() >= 9 {
        let length =
            usize::from(bytes[0]) << 16 | usize::from(bytes[1]) << 8 | usize::from(bytes[2]);
        frames.push((bytes[3], bytes[4]));
        bytes = &bytes[(9 + length).min(bytes.len())..];
    }
    frames
}

#[tokio::test]
#[ignore = "slow tier: measures when connections are closed"]
async fn an_http2_connection_with_no_request_is_closed_at_the_header_timeout() {
    const SETTINGS: u8 = 0x4;
    const PING: u8 = 0x6;
    const GOAWAY: u8 = 0x7;
    const ACK: u8 = 0x1;
    let app = TestApp::spawn_listening(&["--header-timeout", "1s"]).await;
    let (mut from_server, mut to_server) =
        TcpStream::connect(app.addr()).await.unwrap().into_split();
    to_server
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    to_server
        .write_all(&h2_frame(SETTINGS, 0, &[]))
        .await
        .unwrap();
    // Pings are answered, but they are not requests: they must not keep it open.
    let pinger = tokio::spawn(async move {
        while to_server
            .write_all(&h2_frame(PING, 0, &[7; 8]))
            .await
            .is_ok()
        {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buffer = [0u8; 1024];
        loop {
            match from_server.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => received.extend_from_slice(&buffer[..read]),
            }
        }
    });
    read.await
        .expect("the server closes an idle HTTP/2 connection");
    pinger.abort();
    let frames = h2_frames(&received);
    assert!(
        frames.contains(&(PING, ACK)),
        "pings were answered: {frames:?}"
    );
    assert!(
        frames.iter().any(|(kind, _)| *kind == GOAWAY),
        "said goodbye: {frames:?}"
    );
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}
