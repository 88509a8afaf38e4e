//! The webhooks waiting to be sent: queued in the transaction of what they tell (an alert, a
//! digest), taken a few at a time by whichever server is free (for a while, so that one that stops
//! mid-send leaves them to another), and marked delivered, due again later, or given up. A company
//! has at most [`MAX_WAITING`] waiting: beyond, a new one is kept as failed, so that a receiver down
//! for long cannot fill the database.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use histo_domain::CompanyId;
use uuid::Uuid;

use crate::connection::DbConnection;
use crate::schema::webhook_deliveries;
use crate::{Store, StoreError};

/// Webhooks one company may have waiting.
pub const MAX_WAITING: i64 = 1000;
/// Finished webhooks are forgotten after this many days.
const KEPT_DAYS: i64 = 30;

/// A webhook to queue, its body already signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub id: Uuid,
    /// `alert.firing`, `alert.recovered` or `digest`.
    pub kind: &'static str,
    pub url: String,
    pub body: String,
    /// The `X-Histo-Signature` header's value.
    pub signature: String,
}

/// A webhook taken to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: Uuid,
    pub company: String,
    pub kind: String,
    pub url: String,
    pub body: String,
    pub signature: String,
    pub created_at: DateTime<Utc>,
    /// Attempts before this one.
    pub attempts: u32,
}

/// What became of an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered,
    /// Failed; tried again at the given time.
    Retry {
        error: String,
        at: DateTime<Utc>,
    },
    /// Failed for the last time.
    GiveUp {
        error: String,
    },
}

/// Queues a webhook within the caller's transaction.
pub(crate) fn queue(
    conn: &mut DbConnection,
    company: &CompanyId,
    now: i64,
    delivery: NewDelivery,
) -> Result<(), StoreError> {
    let waiting: i64 = webhook_deliveries::table
        .filter(webhook_deliveries::company_id.eq(company.as_str()))
        .filter(webhook_deliveries::state.eq("pending"))
        .count()
        .get_result(conn)?;
    let (state, error, finished) = if waiting >= MAX_WAITING {
        let error = format!("not sent: {MAX_WAITING} webhooks of the company were already waiting");
        ("failed", Some(error), Some(now))
    } else {
        ("pending", None, None)
    };
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::id.eq(delivery.id.as_bytes().to_vec()),
            webhook_deliveries::company_id.eq(company.as_str()),
            webhook_deliveries::kind.eq(delivery.kind),
            webhook_deliveries::url.eq(delivery.url),
            webhook_deliveries::body.eq(delivery.body),
            webhook_deliveries::signature.eq(delivery.signature),
            webhook_deliveries::created_at.eq(now),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::state.eq(state),
            webhook_deliveries::last_error.eq(error),
            webhook_deliveries::finished_at.eq(finished),
        ))
        .execute(conn)?;
    Ok(())
}

/// Where a webhook is (`pending`, `delivered`, `failed`) and its last error; `None` once forgotten.
pub(crate) fn state_of(
    conn: &mut DbConnection,
    id: &[u8],
) -> Result<Option<(String, Option<String>)>, StoreError> {
    Ok(webhook_deliveries::table
        .find(id)
        .select((webhook_deliveries::state, webhook_deliveries::last_error))
        .first(conn)
        .optional()?)
}

type Row = (Vec<u8>, String, String, String, String, String, i64, i32);

impl Store {
    /// Takes up to `limit` webhooks due by `now`, oldest due first, for `lease`: until then no other
    /// server takes them; a server that stops before saying what became of them leaves them due
    /// again after it.
    pub async fn take_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: i64,
        lease: chrono::Duration,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.with_connection(move |conn| {
            conn.transaction(|conn| {
                let due = webhook_deliveries::table
                    .filter(webhook_deliveries::state.eq("pending"))
                    .filter(webhook_deliveries::next_attempt_at.le(now.timestamp_micros()))
                    .order(webhook_deliveries::next_attempt_at)
                    .limit(limit)
                    .select((
                        webhook_deliveries::id,
                        webhook_deliveries::company_id,
                        webhook_deliveries::kind,
                        webhook_deliveries::url,
                        webhook_deliveries::body,
                        webhook_deliveries::signature,
                        webhook_deliveries::created_at,
                        webhook_deliveries::attempts,
                    ));
                let rows: Vec<Row> = match conn {
                    DbConnection::Postgres(c) => due.for_update().skip_locked().load(c)?,
                    DbConnection::Sqlite(c) => due.load(c)?,
                };
                let ids: Vec<Vec<u8>> = rows.iter().map(|row| row.0.clone()).collect();
                diesel::update(
                    webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(ids)),
                )
                .set(webhook_deliveries::next_attempt_at.eq((now + lease).timestamp_micros()))
                .execute(conn)?;
                rows.into_iter()
                    .map(
                        |(id, company, kind, url, body, signature, created, attempts)| {
                            Ok(Delivery {
                                id: Uuid::from_slice(&id)
                                    .map_err(|_| StoreError::BadRow("webhook id".into()))?,
                                company,
                                kind,
                                url,
                                body,
                                signature,
                                created_at: DateTime::from_timestamp_micros(created)
                                    .unwrap_or_default(),
                                attempts: u32::try_from(attempts).unwrap_or(0),
                            })
                        },
                    )
                    .collect()
            })
        })
        .await
    }

    /// Says what became of an attempt to send a webhook.
    pub async fn delivery_attempted(&self, id: Uuid, attempt: Attempt) -> Result<(), StoreError> {
        self.with_connection(move |conn| {
            let now = Utc::now().timestamp_micros();
            let row = webhook_deliveries::table
                .find(id.as_bytes().to_vec())
                .filter(webhook_deliveries::state.eq("pending"));
            let attempts = webhook_deliveries::attempts + 1;
            match attempt {
                Attempt::Delivered => diesel::update(row)
                    .set((
                        webhook_deliveries::attempts.eq(attempts),
                        webhook_deliveries::state.eq("delivered"),
                        webhook_deliveries::finished_at.eq(now),
                    ))
                    .execute(conn)?,
                Attempt::Retry { error, at } => diesel::update(row)
                    .set((
                        webhook_deliveries::attempts.eq(attempts),
                        webhook_deliveries::last_error.eq(error),
                        webhook_deliveries::next_attempt_at.eq(at.timestamp_micros()),
                    ))
                    .execute(conn)?,
                Attempt::GiveUp { error } => diesel::update(row)
                    .set((
                        webhook_deliveries::attempts.eq(attempts),
                        webhook_deliveries::last_error.eq(error),
                        webhook_deliveries::state.eq("failed"),
                        webhook_deliveries::finished_at.eq(now),
                    ))
                    .execute(conn)?,
            };
            Ok(())
        })
        .await
    }

    /// Forgets the webhooks finished more than a month ago.
    pub async fn forget_old_deliveries(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        self.with_connection(move |conn| {
            let before = (now - chrono::Duration::days(KEPT_DAYS)).timestamp_micros();
            Ok(diesel::delete(
                webhook_deliveries::table
                    .filter(webhook_deliveries::state.ne("pending"))
                    .filter(webhook_deliveries::finished_at.lt(before)),
            )
            .execute(conn)?)
        })
        .await
    }
}
