//! Telling when a connection has nothing in flight, so idle ones can be closed.
//!
//! HTTP/1.1 connections wait for their next request head under hyper's header
//! deadline, but hyper has no such deadline for HTTP/2: a client that opens a
//! connection, sends no request and answers the server's pings (or sends its
//! own) keeps it open for good. [`Activity`] counts a connection's requests
//! from their arrival until their response body has been sent, and
//! [`Activity::idle_for`] completes once none has been in flight for a while.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::response::Response;
use http_body::{Frame, SizeHint};
use tokio::sync::watch;

/// The requests in flight on one connection.
#[derive(Debug, Clone)]
pub(super) struct Activity {
    in_flight: Arc<watch::Sender<usize>>,
}

impl Activity {
    /// A connection with nothing in flight yet.
    pub(super) fn new() -> Self {
        Self {
            in_flight: Arc::new(watch::Sender::new(0)),
        }
    }

    /// Counts a request as in flight until the returned guard is dropped.
    pub(super) fn begin(&self) -> InFlight {
        self.in_flight.send_modify(|count| *count += 1);
        InFlight {
            activity: self.clone(),
        }
    }

    /// Completes once no request has been in flight for `timeout`; a request
    /// arriving meanwhile starts the wait over once it is done.
    pub(super) async fn idle_for(&self, timeout: Duration) {
        let mut in_flight = self.in_flight.subscribe();
        loop {
            let busy = *in_flight.borrow_and_update() > 0;
            // `changed` fails only when the sender is gone, and `self` holds it.
            if busy {
                let _ = in_flight.changed().await;
            } else if tokio::time::timeout(timeout, in_flight.changed())
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

/// One request in flight; see [`Activity::begin`].
#[derive(Debug)]
pub(super) struct InFlight {
    activity: Activity,
}

impl InFlight {
    /// Keeps the request in flight until `response`'s body has been sent (or
    /// dropped), so a long download does not count as idle time.
    pub(super) fn until_sent(self, response: Response) -> Response {
        response.map(|body| {
            Body::new(Tracked {
                body,
                _in_flight: self,
            })
        })
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.activity
            .in_flight
            .send_modify(|count| *count = count.saturating_sub(1));
    }
}

/// A response body that holds its request's [`InFlight`] guard.
struct Tracked {
    body: Body,
    _in_flight: InFlight,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_only_after_the_last_response_is_sent() {
        let activity = Activity::new();
        let request = activity.begin();
        let idle = activity.idle_for(Duration::from_millis(100));
        tokio::pin!(idle);
        let waited = tokio::time::timeout(Duration::from_millis(400), idle.as_mut()).await;
        assert!(waited.is_err(), "not idle while a request is in flight");
        let response = request.until_sent(Response::new(Body::from("done")));
        let waited = tokio::time::timeout(Duration::from_millis(400), idle.as_mut()).await;
        assert!(waited.is_err(), "not idle while the response is unsent");
        drop(response);
        let waited = tokio::time::timeout(Duration::from_secs(10), idle).await;
        assert!(waited.is_ok(), "idle once the response is gone");
    }
}
