//! What Histo counts for its operators, served in the Prometheus text format at `/metrics`: requests by
//! route pattern and status, their latency, refusals by reason, events recorded and duplicates, the
//! writer's queue, the purge, and webhooks sent. Labels are route patterns, methods, statuses and reasons, never a
//! company, a site, a user or a raw path, so that the page shows no company's data and stays small.

use std::time::Duration;

use actix_web::http::{Method, StatusCode};
use prometheus::{
    HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// The route label of requests that no API route matched and that are not the web app's.
pub const UNKNOWN_ROUTE: &str = "unknown";
/// The route label of the web app's pages and files.
pub const WEB_APP_ROUTE: &str = "web_app";

/// The metrics of one server.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    refusals: IntCounterVec,
    events_recorded: IntCounter,
    duplicates: IntCounter,
    writer_queue: IntGauge,
    purges: IntCounterVec,
    purged_entries: IntCounter,
    webhooks: IntCounterVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let counter = |name: &str, help: &str| {
            let counter = IntCounter::new(name, help).expect("valid metric");
            registry
                .register(Box::new(counter.clone()))
                .expect("registered once");
            counter
        };
        let counters = |name: &str, help: &str, labels: &[&str]| {
            let counters = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
            registry
                .register(Box::new(counters.clone()))
                .expect("registered once");
            counters
        };
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "histo_http_request_duration_seconds",
                "Time from a request's arrival to its answer, by route pattern",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["route"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(latency.clone()))
            .expect("registered once");
        let writer_queue = IntGauge::new(
            "histo_writer_queue_requests",
            "Recording requests waiting for the writer",
        )
        .expect("valid metric");
        registry
            .register(Box::new(writer_queue.clone()))
            .expect("registered once");
        Metrics {
            requests: counters(
                "histo_http_requests_total",
                "Requests answered, by method, route pattern and status",
                &["method", "route", "status"],
            ),
            latency,
            refusals: counters(
                "histo_refusals_total",
                "Requests refused, by route pattern and reason (validation, auth, forbidden, not_found, too_large, throttled, other)",
                &["route", "reason"],
            ),
            events_recorded: counter(
                "histo_events_recorded_total",
                "Events newly stored",
            ),
            duplicates: counter(
                "histo_events_duplicates_total",
                "Events received again under an id already stored, and not stored twice",
            ),
            writer_queue,
            purges: counters(
                "histo_purge_runs_total",
                "Purges run by the server (on schedule or after a shorter retention), by result",
                &["result"],
            ),
            purged_entries: counter(
                "histo_purged_entries_total",
                "Log entries removed by the server's purges",
            ),
            webhooks: counters(
                "histo_webhook_attempts_total",
                "Webhook attempts (alerts, digests), by result (delivered, retry, given_up)",
                &["result"],
            ),
            registry,
        }
    }

    /// Counts an answered request under its route pattern.
    pub fn answered(&self, method: &Method, route: &str, status: StatusCode, took: Duration) {
        let status_text = status.as_str();
        self.requests
            .with_label_values(&[method_label(method), route, status_text])
            .inc();
        self.latency
            .with_label_values(&[route])
            .observe(took.as_secs_f64());
        if let Some(reason) = refusal_reason(status) {
            self.refusals.with_label_values(&[route, reason]).inc();
        }
    }

    pub fn recorded(&self, accepted: usize, duplicates: usize) {
        self.events_recorded.inc_by(accepted as u64);
        self.duplicates.inc_by(duplicates as u64);
    }

    pub fn purged(&self, removed: Option<u64>) {
        match removed {
            Some(removed) => {
                self.purges.with_label_values(&["ok"]).inc();
                self.purged_entries.inc_by(removed);
            }
            None => self.purges.with_label_values(&["failed"]).inc(),
        }
    }

    pub fn webhook(&self, attempt: &histo_store::Attempt) {
        let result = match attempt {
            histo_store::Attempt::Delivered => "delivered",
            histo_store::Attempt::Retry { .. } => "retry",
            histo_store::Attempt::GiveUp { .. } => "given_up",
        };
        self.webhooks.with_label_values(&[result]).inc();
    }

    /// The page of `/metrics`, with the writer's queue as it is now.
    pub fn render(&self, writer_queue: usize) -> String {
        self.writer_queue
            .set(i64::try_from(writer_queue).unwrap_or(i64::MAX));
        let mut page = String::new();
        if let Err(error) = TextEncoder::new().encode_utf8(&self.registry.gather(), &mut page) {
            tracing::error!(%error, "the metrics could not be written");
        }
        page
    }
}

/// A method as a label: the standard ones by name, any other as `OTHER`, so that made-up methods
/// cannot grow the page.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    KNOWN
        .into_iter()
        .find(|known| *known == method.as_str())
        .unwrap_or("OTHER")
}

/// Why a request was refused, from its 4xx status.
fn refusal_reason(status: StatusCode) -> Option<&'static str> {
    if !status.is_client_error() {
        return None;
    }
    Some(match status.as_u16() {
        400 | 422 => "validation",
        401 => "auth",
        403 => "forbidden",
        404 => "not_found",
        413 | 431 => "too_large",
        429 => "throttled",
        _ => "other",
    })
}
