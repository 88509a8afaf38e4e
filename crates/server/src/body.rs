//! Request bodies must keep coming: after a few seconds' grace, a body has to arrive at
//! `Limits::min_body_bytes_per_second` on average, else reading it fails ([`too_slow`]) and the
//! request is answered 408 with the connection closed. Without this, a client sending one byte every
//! few seconds would hold a connection (and the memory behind it) for as long as it likes.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{web, Error, HttpMessage};
use futures_util::{Future, Stream};
use tokio::time::{Instant, Sleep};

use crate::AppState;

/// How long any body may take before the minimum rate applies.
const GRACE: Duration = Duration::from_secs(5);

/// Puts a deadline on the body of every request that has one.
pub async fn deadline(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let has_body = request.headers().contains_key(header::CONTENT_LENGTH)
        || request.headers().contains_key(header::TRANSFER_ENCODING);
    let rate = request
        .app_data::<web::Data<AppState>>()
        .map(|state| state.limits.min_body_bytes_per_second);
    if let (true, Some(rate)) = (has_body, rate) {
        let body = Deadline::new(request.take_payload(), rate);
        request.set_payload(Payload::Stream {
            payload: Box::pin(body),
        });
    }
    Ok(next.call(request).await?.map_into_boxed_body())
}

/// Whether reading a body failed because it came too slowly.
pub fn too_slow(error: &PayloadError) -> bool {
    matches!(error, PayloadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut)
}

/// A body that fails once it falls behind its deadline: the start, plus the grace, plus the time
/// the bytes received so far may take at the minimum rate.
struct Deadline {
    body: Payload,
    started: Instant,
    received: u64,
    bytes_per_second: u64,
    timer: Pin<Box<Sleep>>,
}

impl Deadline {
    fn new(body: Payload, bytes_per_second: usize) -> Deadline {
        let started = Instant::now();
        Deadline {
            body,
            started,
            received: 0,
            bytes_per_second: (bytes_per_second as u64).max(1),
            timer: Box::pin(tokio::time::sleep_until(started + GRACE)),
        }
    }

    fn due(&self) -> Instant {
        let allowed = Duration::from_secs_f64(self.received as f64 / self.bytes_per_second as f64);
        self.started + GRACE + allowed
    }
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match Pin::new(&mut self.body).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.received += chunk.len() as u64;
                let due = self.due();
                self.timer.as_mut().reset(due);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(other) => Poll::Ready(other),
            Poll::Pending => match self.timer.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the body came too slowly",
                ))))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}
