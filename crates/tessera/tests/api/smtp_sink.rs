//! A small SMTP server for the tests, on a loopback port: it takes mail as
//! any relay would and keeps each message for the test to read. It can be
//! stopped and restarted on the same port (a server that is down), made to
//! refuse mail with a temporary error, or to answer slowly.
//!
//! Written here rather than run as an external program: it starts in
//! microseconds inside each test's runtime, needs nothing installed, and the
//! tests switch its behaviour directly instead of through a control channel.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

mod mime;

/// How the sink treats mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Takes every message.
    Accept,
    /// Answers `MAIL FROM` with 451 (try again later).
    Refuse,
    /// Waits this long before accepting a message's content (where a busy
    /// server is slow: queueing it).
    Slow(Duration),
}

/// One delivered message, its parts decoded.
#[derive(Debug, Clone)]
pub(crate) struct Delivered {
    /// The envelope recipient.
    pub(crate) to: String,
    /// The `Subject:` header.
    pub(crate) subject: String,
    /// The `text/plain` part.
    pub(crate) text: String,
    /// The `text/html` part.
    pub(crate) html: String,
}

impl Delivered {
    /// The token of the link in the text part (after `#token=`).
    pub(crate) fn token(&self) -> String {
        let start = self.text.find("#token=").expect("a link with a token") + "#token=".len();
        self.text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            .collect()
    }

    /// The link in the text part, whole.
    pub(crate) fn link(&self) -> String {
        let start = self.text.find("http").expect("a link");
        self.text[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    }
}

#[derive(Default)]
struct Shared {
    messages: Mutex<Vec<Delivered>>,
    arrived: Notify,
    mode: Mutex<Option<Mode>>,
}

/// The sink; stops listening when dropped.
pub(crate) struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: Option<JoinHandle<()>>,
}

impl SmtpSink {
    /// A sink taking mail on a free loopback port.
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        *shared.mode.lock().unwrap() = Some(Mode::Accept);
        let server = Some(tokio::spawn(serve(listener, shared.clone())));
        Self {
            addr,
            shared,
            server,
        }
    }

    /// `--mailer` for Tessera to deliver here.
    pub(crate) fn mailer(&self) -> String {
        format!("smtp://{}?tls=none", self.addr)
    }

    /// Switches how mail is treated from the next command on.
    pub(crate) fn set_mode(&self, mode: Mode) {
        *self.shared.mode.lock().unwrap() = Some(mode);
    }

    /// Stops listening: connections are refused until [`Self::resume`].
    pub(crate) fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }

    /// Listens again on the same port.
    pub(crate) async fn resume(&mut self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.server = Some(tokio::spawn(serve(listener, self.shared.clone())));
    }

    /// Every message delivered so far.
    pub(crate) fn messages(&self) -> Vec<Delivered> {
        self.shared.messages.lock().unwrap().clone()
    }

    /// Waits (up to a generous bound) until `count` messages were delivered
    /// to `to`; returns the newest.
    pub(crate) async fn wait_for(&self, to: &str, count: usize) -> Delivered {
        self.wait_for_up_to(to, count, Duration::from_secs(60))
            .await
    }

    /// [`Self::wait_for`], giving up after `limit`.
    pub(crate) async fn wait_for_up_to(
        &self,
        to: &str,
        count: usize,
        limit: Duration,
    ) -> Delivered {
        let waiting = async {
            loop {
                let arrived = self.shared.arrived.notified();
                let to_them: Vec<Delivered> = self
                    .messages()
                    .into_iter()
                    .filter(|message| message.to == to)
                    .collect();
                if to_them.len() >= count {
                    return to_them.last().unwrap().clone();
                }
                arrived.await;
            }
        };
        tokio::time::timeout(limit, waiting)
            .await
            .unwrap_or_else(|_| panic!("no message #{count} for {to}: {:#?}", self.messages()))
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(session(stream, shared.clone()));
    }
}

/// One SMTP conversation (RFC 5321's minimum: no extensions).
async fn session(stream: TcpStream, shared: Arc<Shared>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    let mut to = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_ascii_uppercase();
        let answer = if command.starts_with("EHLO") || command.starts_with("HELO") {
            "250 sink\r\n"
        } else if command.starts_with("MAIL FROM") {
            let mode = *shared.mode.lock().unwrap();
            if mode == Some(Mode::Refuse) {
                "451 4.3.0 try again later\r\n"
            } else {
                "250 OK\r\n"
            }
        } else if command.starts_with("RCPT TO") {
            let address = line.trim_end()[8..].trim();
            to = address
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned();
            "250 OK\r\n"
        } else if command == "DATA" {
            if write.write_all(b"354 go on\r\n").await.is_err() {
                return;
            }
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            let mode = *shared.mode.lock().unwrap();
            if let Some(Mode::Slow(delay)) = mode {
                tokio::time::sleep(delay).await;
            }
            shared
                .messages
                .lock()
                .unwrap()
                .push(mime::parse(&to, &data));
            shared.arrived.notify_waiters();
            "250 OK queued\r\n"
        } else if command == "QUIT" {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            "250 OK\r\n"
        };
        if write.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}
