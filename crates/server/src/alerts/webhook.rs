//! Webhooks to the host application: which addresses they may go to (`HISTO_WEBHOOK_ALLOW`, so that
//! a rule cannot make Histo call internal services), their signature (`X-Histo-Signature:
//! sha256=…`, the HMAC-SHA256 of the body with the rule's secret, as GitHub and Stripe sign theirs),
//! and the sender: a few at a time, each with a timeout and no redirect followed, tried again with a
//! doubling wait for a day when the receiver fails. Recording never waits for any of it.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use histo_api_types::limits::WEBHOOK_URL_MAX_CHARS;
use histo_store::{Attempt, Delivery, Store};
use hmac::{Hmac, Mac};
use reqwest::Url;
use sha2::Sha256;
use tokio::sync::Notify;

use crate::metrics::Metrics;

/// Webhooks sent at once.
const SENT_AT_ONCE: i64 = 8;
/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest wait between two attempts.
const MAX_WAIT: Duration = Duration::from_secs(3600);
/// How often the sender looks for webhooks due when nothing wakes it sooner.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// The addresses webhooks may go to: each an `http(s)://host[:port]/path` prefix.
#[derive(Debug, Clone, Default)]
pub struct AllowList(Vec<Url>);

impl AllowList {
    /// Reads a comma-separated list of address prefixes; empty: no webhook is allowed.
    pub fn parse(text: &str) -> Result<AllowList, String> {
        let mut prefixes = Vec::new();
        for prefix in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let url = Url::parse(prefix).map_err(|e| format!("'{prefix}': {e}"))?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return Err(format!("'{prefix}': not an http(s) address"));
            }
            if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
                return Err(format!(
                    "'{prefix}': a prefix has no query, fragment or user"
                ));
            }
            prefixes.push(url);
        }
        Ok(AllowList(prefixes))
    }

    /// The address as a webhook may use it, or why not.
    pub fn check(&self, address: &str) -> Result<Url, String> {
        if address.chars().count() > WEBHOOK_URL_MAX_CHARS {
            return Err(format!("is longer than {WEBHOOK_URL_MAX_CHARS} characters"));
        }
        let url = Url::parse(address).map_err(|e| format!("is not an address: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("must be an http or https address".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not carry a user or password".into());
        }
        if self.0.is_empty() {
            return Err(
                "no webhook address is allowed on this server (HISTO_WEBHOOK_ALLOW)".into(),
            );
        }
        if self.0.iter().any(|prefix| within(&url, prefix)) {
            Ok(url)
        } else {
            Err("is not among the addresses this server allows (HISTO_WEBHOOK_ALLOW)".into())
        }
    }
}

/// Whether `url` lies under `prefix`: same scheme, host and port, and its path starts with the
/// prefix's path (`/hooks/` takes `/hooks/a`; `/hooks` takes `/hooks` and `/hooks/a`, not
/// `/hooksx`).
fn within(url: &Url, prefix: &Url) -> bool {
    let (path, under) = (url.path(), prefix.path());
    url.scheme() == prefix.scheme()
        && url.host_str() == prefix.host_str()
        && url.port_or_known_default() == prefix.port_or_known_default()
        && (path == under
            || under.ends_with('/') && path.starts_with(under)
            || path.starts_with(under) && path[under.len()..].starts_with('/'))
}

/// The `X-Histo-Signature` of a body: `sha256=` and the hex HMAC-SHA256 of the body with `secret`.
pub fn signature(secret: &str, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// A new key for a rule's signatures: 32 random bytes, in hex.
pub fn new_secret() -> String {
    rand::random::<[u8; 32]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// How failed webhooks are tried again.
#[derive(Debug, Clone, Copy)]
pub struct Retries {
    /// The wait after the first failure, doubled after each one, at most an hour.
    pub first_wait: Duration,
    /// How long after it was queued a webhook is still tried.
    pub for_how_long: Duration,
}

impl Default for Retries {
    fn default() -> Self {
        Retries {
            first_wait: Duration::from_secs(30),
            for_how_long: Duration::from_secs(24 * 3600),
        }
    }
}

/// Sends the webhooks due, for as long as the server runs; `wake` says new ones were queued.
pub fn send_forever(
    store: Store,
    allow: AllowList,
    retries: Retries,
    wake: Arc<Notify>,
    metrics: Metrics,
) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .user_agent(concat!("Histo/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the webhook client builds");
    tokio::spawn(async move {
        // The soonest retry of the last webhooks sent: the sender looks again then, if that is
        // sooner than `LOOK_EVERY`, so that short retry waits are kept.
        let mut next_retry: Option<chrono::DateTime<Utc>> = None;
        loop {
            let lease = chrono::Duration::from_std(TIMEOUT * 6).unwrap_or_default();
            let due = match store.take_deliveries(Utc::now(), SENT_AT_ONCE, lease).await {
                Ok(due) => due,
                Err(error) => {
                    tracing::error!(%error, "cannot read the webhooks to send; trying again");
                    Vec::new()
                }
            };
            if due.is_empty() {
                let wait = next_retry.take().map_or(LOOK_EVERY, |at| {
                    (at - Utc::now())
                        .to_std()
                        .unwrap_or_default()
                        .min(LOOK_EVERY)
                });
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
                continue;
            }
            let sends = due.into_iter().map(|delivery| {
                let (client, store, allow, metrics) = (&client, &store, &allow, &metrics);
                async move {
                    let attempt = attempt(client, allow, retries, &delivery).await;
                    metrics.webhook(&attempt);
                    if let Attempt::GiveUp { error } = &attempt {
                        tracing::warn!(
                            company = delivery.company,
                            url = delivery.url,
                            error,
                            "webhook given up"
                        );
                    }
                    let retry = match &attempt {
                        Attempt::Retry { at, .. } => Some(*at),
                        _ => None,
                    };
                    if let Err(error) = store.delivery_attempted(delivery.id, attempt).await {
                        tracing::error!(%error, "cannot note a webhook's attempt");
                    }
                    retry
                }
            });
            let retries = futures_util::future::join_all(sends).await;
            next_retry = retries.into_iter().flatten().min();
        }
    });
}

/// Sends one webhook once.
async fn attempt(
    client: &reqwest::Client,
    allow: &AllowList,
    retries: Retries,
    delivery: &Delivery,
) -> Attempt {
    // The allow-list may have shrunk since the webhook was queued.
    let url = match allow.check(&delivery.url) {
        Ok(url) => url,
        Err(why) => {
            return Attempt::GiveUp {
                error: format!("the address {why}"),
            }
        }
    };
    let sent = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Histo-Event", &delivery.kind)
        .header("X-Histo-Delivery", delivery.id.to_string())
        .header("X-Histo-Signature", &delivery.signature)
        .body(delivery.body.clone())
        .send()
        .await;
    let error = match sent {
        Ok(answer) if answer.status().is_success() => return Attempt::Delivered,
        Ok(answer) => format!("the receiver answered {}", answer.status()),
        Err(error) if error.is_timeout() => "the receiver did not answer in time".to_owned(),
        Err(error) => format!("cannot reach the receiver: {}", without_url(&error)),
    };
    let wait = retries
        .first_wait
        .saturating_mul(1 << delivery.attempts.min(20))
        .min(MAX_WAIT);
    let next = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
    let last =
        delivery.created_at + chrono::Duration::from_std(retries.for_how_long).unwrap_or_default();
    if next > last {
        Attempt::GiveUp { error }
    } else {
        Attempt::Retry { error, at: next }
    }
}

/// The error's text and causes, without the address (already known).
fn without_url(error: &reqwest::Error) -> String {
    let mut text = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text = cause.to_string();
        source = cause.source();
    }
    if text.is_empty() {
        "the connection failed".into()
    } else {
        crate::error::shortened(&text, 200)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_addresses_under_an_allowed_prefix_pass() {
        let allow = AllowList::parse("https://erp.example.com/histo/, http://127.0.0.1:9000/hooks")
            .unwrap();
        for ok in [
            "https://erp.example.com/histo/alerts",
            "https://ERP.example.com:443/histo/x?y=1",
            "http://127.0.0.1:9000/hooks",
            "http://127.0.0.1:9000/hooks/a",
        ] {
            assert!(allow.check(ok).is_ok(), "{ok}");
        }
        for refused in [
            "https://erp.example.com/histoire",
            "http://erp.example.com/histo/alerts",
            "https://erp.example.com.evil.net/histo/",
            "https://erp.example.com:8443/histo/",
            "http://127.0.0.1:9000/hooksx",
            "http://127.0.0.1:9001/hooks",
            "http://169.254.169.254/latest/meta-data",
            "https://user:pw@erp.example.com/histo/a",
            "ftp://erp.example.com/histo/",
            "not an address",
        ] {
            assert!(allow.check(refused).is_err(), "{refused}");
        }
        assert!(AllowList::default()
            .check("https://erp.example.com/")
            .is_err());
        for refused in [
            "file:///etc/passwd",
            "ftp://erp.example.com/hooks",
            "https://erp.example.com/?a=1",
            "https://erp.example.com/#top",
            "https://user@erp.example.com/",
        ] {
            assert!(AllowList::parse(refused).is_err(), "{refused}");
        }
        for with_a_secret in [
            "https://user@erp.example.com/histo/a",
            "https://:pw@erp.example.com/histo/a",
        ] {
            assert_eq!(
                allow.check(with_a_secret).unwrap_err(),
                "must not carry a user or password"
            );
        }
    }

    #[test]
    fn an_address_may_be_as_long_as_the_limit_and_no_longer() {
        let allow = AllowList::parse("https://erp.example.com/").unwrap();
        let address = |chars: usize| {
            let start = "https://erp.example.com/";
            format!("{start}{}", "a".repeat(chars - start.len()))
        };
        assert!(allow.check(&address(WEBHOOK_URL_MAX_CHARS)).is_ok());
        assert_eq!(
            allow
                .check(&address(WEBHOOK_URL_MAX_CHARS + 1))
                .unwrap_err(),
            format!("is longer than {WEBHOOK_URL_MAX_CHARS} characters")
        );
    }

    #[test]
    fn each_rule_has_a_key_of_its_own() {
        let (one, other) = (new_secret(), new_secret());
        assert_eq!(one.len(), 64);
        assert!(one.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(one, other);
    }

    #[tokio::test]
    async fn a_failed_connection_is_told_without_the_address() {
        // Nothing listens on a port just released.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .unwrap()
            .port();
        let error = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/secret-path"))
            .send()
            .await
            .unwrap_err();
        let told = without_url(&error);
        assert!(!told.contains("secret-path"), "{told}");
        assert!(told.to_lowercase().contains("refused"), "{told}");
    }

    #[test]
    fn the_signature_is_the_hmac_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
