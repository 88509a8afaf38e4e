//! Alert rules of a company, the uses in their windows, each time one starts or stops holding (with
//! the webhook that says so, queued in the same transaction), and the monthly digest's address.
//! When a condition holds is the domain's; when to look, and sending, the server's.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use histo_api_types::AuditAction;
use histo_domain::{
    month_of, AlertRule, CompanyId, Condition, Feature, Month, Outcome, SiteCode, Window, MAX_RULES,
};
use uuid::Uuid;

use crate::audit::{self, Actor};
use crate::company::{company_transaction, load_settings};
use crate::connection::DbConnection;
use crate::schema::{alert_digests, alert_events, alert_rules, events};
use crate::webhooks::{self, NewDelivery};
use crate::{Store, StoreError};

/// A company's rule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    pub id: Uuid,
    pub rule: AlertRule,
    pub webhook_url: String,
    /// The key of its webhooks' signature.
    pub secret: String,
    /// Whether its condition held when last looked at.
    pub firing: bool,
    pub created_at: DateTime<Utc>,
}

/// A rule starting (`firing`) or stopping to hold, with the counts of its window then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertEvent {
    pub at: DateTime<Utc>,
    pub rule_id: Uuid,
    pub rule: AlertRule,
    pub firing: bool,
    pub window: Window,
    /// Where its webhook is: `pending`, `delivered` or `failed`, and the last error.
    pub delivery: Option<(String, Option<String>)>,
    pub position: AlertEventPosition,
}

/// Where an alert event sits in the newest-first order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertEventPosition {
    pub at: i64,
    pub id: Uuid,
}

/// A company's monthly digest: where it goes, and the last month it was queued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub company: CompanyId,
    pub webhook_url: String,
    pub secret: String,
    pub last_month: Month,
}

/// A rule's row as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = alert_rules)]
struct RuleRow {
    company_id: String,
    id: Vec<u8>,
    feature: String,
    site: Option<String>,
    condition: String,
    threshold: i32,
    window_size: i32,
    webhook_url: String,
    secret: String,
    firing: bool,
    created_at: i64,
}

fn bad(what: &str) -> StoreError {
    StoreError::BadRow(format!("alert rule: {what}"))
}

/// A rule from its stored feature, site and condition.
fn rule_of(
    feature: &str,
    site: Option<&str>,
    condition: &str,
    threshold: i32,
    size: i32,
) -> Result<AlertRule, StoreError> {
    let number = |n: i32| u32::try_from(n).map_err(|_| bad("negative number"));
    let condition = Condition::from_parts(condition, number(threshold)?, number(size)?)
        .ok_or_else(|| bad(&format!("unknown condition {condition:?}")))?;
    Ok(AlertRule {
        feature: Feature::parse(feature).ok_or_else(|| bad("unknown feature"))?,
        site: site
            .map(SiteCode::parse)
            .transpose()
            .map_err(|_| bad("bad site"))?,
        condition,
    })
}

/// The stored threshold and window size of a condition.
fn numbers(condition: Condition) -> (i32, i32) {
    let (_, threshold, size) = condition.parts();
    (
        i32::try_from(threshold).unwrap_or(i32::MAX),
        i32::try_from(size).unwrap_or(i32::MAX),
    )
}

fn stored(row: RuleRow) -> Result<StoredRule, StoreError> {
    Ok(StoredRule {
        id: Uuid::from_slice(&row.id).map_err(|_| bad("the id is not 16 bytes"))?,
        rule: rule_of(
            &row.feature,
            row.site.as_deref(),
            &row.condition,
            row.threshold,
            row.window_size,
        )?,
        webhook_url: row.webhook_url,
        secret: row.secret,
        firing: row.firing,
        created_at: DateTime::from_timestamp_micros(row.created_at).unwrap_or_default(),
    })
}

/// The audit trail's picture of a rule (never its secret).
fn rule_json(id: Uuid, rule: &AlertRule, url: &str) -> String {
    let (threshold, size) = numbers(rule.condition);
    serde_json::json!({
        "id": id, "feature": rule.feature.code(), "site": rule.site.as_ref().map(SiteCode::as_str),
        "condition": rule.condition.kind(), "threshold": threshold, "window": size, "webhook_url": url,
    })
    .to_string()
}

impl Store {
    /// Adds a rule to the company (at most [`MAX_RULES`]); audited.
    pub async fn add_alert_rule(
        &self,
        company: CompanyId,
        rule: AlertRule,
        webhook_url: String,
        secret: String,
        actor: Actor,
    ) -> Result<StoredRule, StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            company_transaction(conn, &company, default_timezone, |conn, now| {
                let rules: i64 = alert_rules::table
                    .filter(alert_rules::company_id.eq(company.as_str()))
                    .count()
                    .get_result(conn)?;
                if usize::try_from(rules).unwrap_or(usize::MAX) >= MAX_RULES {
                    return Err(StoreError::TooManyRules { limit: MAX_RULES });
                }
                let id = Uuid::now_v7();
                let (threshold, size) = numbers(rule.condition);
                diesel::insert_into(alert_rules::table)
                    .values((
                        alert_rules::company_id.eq(company.as_str()),
                        alert_rules::id.eq(id.as_bytes().to_vec()),
                        alert_rules::feature.eq(rule.feature.code()),
                        alert_rules::site.eq(rule.site.as_ref().map(SiteCode::as_str)),
                        alert_rules::condition.eq(rule.condition.kind()),
                        alert_rules::threshold.eq(threshold),
                        alert_rules::window_size.eq(size),
                        alert_rules::webhook_url.eq(&webhook_url),
                        alert_rules::secret.eq(&secret),
                        alert_rules::created_at.eq(now),
                    ))
                    .execute(conn)?;
                let after = rule_json(id, &rule, &webhook_url);
                audit::write(
                    conn,
                    &company,
                    now,
                    &actor,
                    AuditAction::AlertRuleAdded,
                    None,
                    Some(after),
                )?;
                Ok(StoredRule {
                    id,
                    rule,
                    webhook_url,
                    secret,
                    firing: false,
                    created_at: DateTime::from_timestamp_micros(now).unwrap_or_default(),
                })
            })
        })
        .await
    }

    /// Removes a rule of the company; `false` when it has none with that id. Audited.
    pub async fn remove_alert_rule(
        &self,
        company: CompanyId,
        id: Uuid,
        actor: Actor,
    ) -> Result<bool, StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            company_transaction(conn, &company, default_timezone, |conn, now| {
                let key = (company.as_str(), id.as_bytes().to_vec());
                let Some(row) = alert_rules::table
                    .find(key.clone())
                    .select(RuleRow::as_select())
                    .first::<RuleRow>(conn)
                    .optional()?
                else {
                    return Ok(false);
                };
                let rule = stored(row)?;
                diesel::delete(alert_rules::table.find(key)).execute(conn)?;
                let before = rule_json(id, &rule.rule, &rule.webhook_url);
                audit::write(
                    conn,
                    &company,
                    now,
                    &actor,
                    AuditAction::AlertRuleRemoved,
                    Some(before),
                    None,
                )?;
                Ok(true)
            })
        })
        .await
    }

    /// The company's rules, oldest first.
    pub async fn alert_rules(&self, company: CompanyId) -> Result<Vec<StoredRule>, StoreError> {
        self.with_connection(move |conn| {
            let rows: Vec<RuleRow> = alert_rules::table
                .filter(alert_rules::company_id.eq(company.as_str()))
                .order(alert_rules::id)
                .select(RuleRow::as_select())
                .load(conn)?;
            rows.into_iter().map(stored).collect()
        })
        .await
    }

    /// Every company's rules, for the server to know which recordings to look at.
    pub async fn every_alert_rule(&self) -> Result<Vec<(CompanyId, StoredRule)>, StoreError> {
        self.with_connection(move |conn| {
            let rows: Vec<RuleRow> = alert_rules::table
                .order((alert_rules::company_id, alert_rules::id))
                .select(RuleRow::as_select())
                .load(conn)?;
            rows.into_iter()
                .filter_map(|row| {
                    let company = CompanyId::parse(&row.company_id).ok()?;
                    Some(stored(row).map(|rule| (company, rule)))
                })
                .collect()
        })
        .await
    }

    /// The uses in the rule's window as of `now`: the errors of its last minutes (as many as the
    /// rule asks for at most, unless `count_uses`, which counts them all and every use there), or
    /// its last uses and the errors among them.
    pub async fn alert_window(
        &self,
        company: CompanyId,
        rule: AlertRule,
        now: DateTime<Utc>,
        count_uses: bool,
    ) -> Result<Window, StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            let zone = load_settings(conn, &company, default_timezone)?.timezone;
            match rule.condition {
                Condition::Errors { errors, minutes } => {
                    let since = now - Duration::minutes(i64::from(minutes));
                    let mut months = vec![month_of(now, zone), month_of(since, zone)];
                    months.dedup();
                    // Up to `cap` of the uses in the window, newest first (all when no cap).
                    let in_window = |conn: &mut DbConnection,
                                     outcome: Option<Outcome>,
                                     cap: Option<i64>| {
                        let mut total = 0;
                        for month in &months {
                            let mut query = events::table
                                .filter(events::company_id.eq(company.as_str()))
                                .filter(events::feature.eq(rule.feature.code()))
                                .filter(events::month.eq(month.key()))
                                .filter(events::occurred_at.ge(since.timestamp_micros()))
                                .into_boxed();
                            if let Some(outcome) = outcome {
                                query = query.filter(events::outcome.eq(outcome.code()));
                            }
                            if let Some(site) = &rule.site {
                                query = query.filter(events::site.eq(site.as_str()));
                            }
                            let found = match cap {
                                Some(cap) => query
                                    .order(events::occurred_at.desc())
                                    .limit(cap - total)
                                    .select(events::occurred_at)
                                    .load::<i64>(conn)?
                                    .len() as i64,
                                None => query.count().get_result(conn)?,
                            };
                            total += found;
                            if cap == Some(total) {
                                break;
                            }
                        }
                        Ok::<_, StoreError>(u64::try_from(total).unwrap_or(0))
                    };
                    if count_uses {
                        Ok(Window {
                            errors: in_window(conn, Some(Outcome::Error), None)?,
                            uses: in_window(conn, None, None)?,
                        })
                    } else {
                        // Whether there are `errors` is all that matters: no more are read.
                        let found = in_window(conn, Some(Outcome::Error), Some(i64::from(errors)))?;
                        Ok(Window {
                            uses: found,
                            errors: found,
                        })
                    }
                }
                Condition::ErrorShare { uses, .. } => {
                    let current = month_of(now, zone);
                    last_uses(conn, &company, &rule, [current, current.plus(-1)], uses)
                }
            }
        })
        .await
    }

    /// Records that a rule started (`firing`) or stopped holding, with its window's counts, and
    /// queues its webhook, all in one transaction, unless the rule is already in that state (or
    /// gone): `false` then, and nothing is written. So each change is told once, however many
    /// servers look at the rule.
    pub async fn change_alert_state(
        &self,
        company: CompanyId,
        rule_id: Uuid,
        firing: bool,
        window: Window,
        delivery: NewDelivery,
    ) -> Result<bool, StoreError> {
        self.with_connection(move |conn| {
            conn.transaction(|conn| {
                let key = (company.as_str(), rule_id.as_bytes().to_vec());
                let changed = diesel::update(
                    alert_rules::table
                        .find(key.clone())
                        .filter(alert_rules::firing.eq(!firing)),
                )
                .set(alert_rules::firing.eq(firing))
                .execute(conn)?;
                if changed == 0 {
                    return Ok(false);
                }
                let (feature, site, condition, threshold, size): (
                    String,
                    Option<String>,
                    String,
                    i32,
                    i32,
                ) = alert_rules::table
                    .find(key)
                    .select((
                        alert_rules::feature,
                        alert_rules::site,
                        alert_rules::condition,
                        alert_rules::threshold,
                        alert_rules::window_size,
                    ))
                    .first(conn)?;
                let now = Utc::now().timestamp_micros();
                let delivery_id = delivery.id;
                webhooks::queue(conn, &company, now, delivery)?;
                diesel::insert_into(alert_events::table)
                    .values((
                        alert_events::company_id.eq(company.as_str()),
                        alert_events::at.eq(now),
                        alert_events::id.eq(Uuid::now_v7().as_bytes().to_vec()),
                        alert_events::rule_id.eq(rule_id.as_bytes().to_vec()),
                        alert_events::feature.eq(feature),
                        alert_events::site.eq(site),
                        alert_events::condition.eq(condition),
                        alert_events::threshold.eq(threshold),
                        alert_events::window_size.eq(size),
                        alert_events::state.eq(if firing { "firing" } else { "recovered" }),
                        alert_events::uses.eq(i64::try_from(window.uses).unwrap_or(i64::MAX)),
                        alert_events::errors.eq(i64::try_from(window.errors).unwrap_or(i64::MAX)),
                        alert_events::delivery_id.eq(delivery_id.as_bytes().to_vec()),
                    ))
                    .execute(conn)?;
                Ok(true)
            })
        })
        .await
    }

    /// Up to `limit` of the company's alert events, newest first, after `after` when given.
    pub async fn alert_events(
        &self,
        company: CompanyId,
        after: Option<AlertEventPosition>,
        limit: usize,
    ) -> Result<(Vec<AlertEvent>, Option<AlertEventPosition>), StoreError> {
        type Row = (
            i64,
            Vec<u8>,
            Vec<u8>,
            String,
            Option<String>,
            String,
            i32,
            i32,
            String,
            i64,
            i64,
            Option<Vec<u8>>,
        );
        self.with_connection(move |conn| {
            let mut query = alert_events::table
                .filter(alert_events::company_id.eq(company.as_str()))
                .into_boxed();
            if let Some(position) = after {
                query = query.filter(alert_events::at.le(position.at)).filter(
                    alert_events::at
                        .lt(position.at)
                        .or(alert_events::id.lt(position.id.as_bytes().to_vec())),
                );
            }
            let rows: Vec<Row> = query
                .order((alert_events::at.desc(), alert_events::id.desc()))
                .limit(i64::try_from(limit + 1).unwrap_or(i64::MAX))
                .select((
                    alert_events::at,
                    alert_events::id,
                    alert_events::rule_id,
                    alert_events::feature,
                    alert_events::site,
                    alert_events::condition,
                    alert_events::threshold,
                    alert_events::window_size,
                    alert_events::state,
                    alert_events::uses,
                    alert_events::errors,
                    alert_events::delivery_id,
                ))
                .load(conn)?;
            let mut list = Vec::with_capacity(rows.len());
            for (
                at,
                id,
                rule_id,
                feature,
                site,
                condition,
                threshold,
                size,
                state,
                uses,
                errors,
                delivery,
            ) in rows
            {
                let id = Uuid::from_slice(&id).map_err(|_| bad("event id"))?;
                let delivery = match delivery {
                    Some(delivery) => webhooks::state_of(conn, &delivery)?,
                    None => None,
                };
                list.push(AlertEvent {
                    at: DateTime::from_timestamp_micros(at).unwrap_or_default(),
                    rule_id: Uuid::from_slice(&rule_id).map_err(|_| bad("rule id"))?,
                    rule: rule_of(&feature, site.as_deref(), &condition, threshold, size)?,
                    firing: state == "firing",
                    window: Window {
                        uses: u64::try_from(uses).unwrap_or(0),
                        errors: u64::try_from(errors).unwrap_or(0),
                    },
                    delivery,
                    position: AlertEventPosition { at, id },
                });
            }
            let next = if list.len() > limit {
                list.truncate(limit);
                list.last().map(|e| e.position)
            } else {
                None
            };
            Ok((list, next))
        })
        .await
    }

    /// Sends the company's monthly digest to `webhook_url`, signed with `secret`, from next month
    /// on (replacing an earlier address); audited, without the secret.
    pub async fn set_digest(
        &self,
        company: CompanyId,
        webhook_url: String,
        secret: String,
        actor: Actor,
    ) -> Result<(), StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            company_transaction(conn, &company, default_timezone, |conn, now| {
                let zone = load_settings(conn, &company, default_timezone)?.timezone;
                let at = DateTime::from_timestamp_micros(now).unwrap_or_default();
                // The month that has just ended is not sent: the first digest is next month's.
                let last_month = month_of(at, zone).plus(-1).key();
                let before: Option<String> = alert_digests::table
                    .find(company.as_str())
                    .select(alert_digests::webhook_url)
                    .first(conn)
                    .optional()?;
                diesel::delete(alert_digests::table.find(company.as_str())).execute(conn)?;
                diesel::insert_into(alert_digests::table)
                    .values((
                        alert_digests::company_id.eq(company.as_str()),
                        alert_digests::webhook_url.eq(&webhook_url),
                        alert_digests::secret.eq(&secret),
                        alert_digests::last_month.eq(last_month),
                        alert_digests::created_at.eq(now),
                    ))
                    .execute(conn)?;
                let json = |url: &str| serde_json::json!({ "webhook_url": url }).to_string();
                audit::write(
                    conn,
                    &company,
                    now,
                    &actor,
                    AuditAction::DigestChanged,
                    before.as_deref().map(json),
                    Some(json(&webhook_url)),
                )?;
                Ok(())
            })
        })
        .await
    }

    /// Stops the company's monthly digest; `false` when it had none. Audited.
    pub async fn remove_digest(
        &self,
        company: CompanyId,
        actor: Actor,
    ) -> Result<bool, StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            company_transaction(conn, &company, default_timezone, |conn, now| {
                let before: Option<String> = alert_digests::table
                    .find(company.as_str())
                    .select(alert_digests::webhook_url)
                    .first(conn)
                    .optional()?;
                let Some(before) = before else {
                    return Ok(false);
                };
                diesel::delete(alert_digests::table.find(company.as_str())).execute(conn)?;
                let before = serde_json::json!({ "webhook_url": before }).to_string();
                audit::write(
                    conn,
                    &company,
                    now,
                    &actor,
                    AuditAction::DigestChanged,
                    Some(before),
                    None,
                )?;
                Ok(true)
            })
        })
        .await
    }

    /// The company's digest, if it has one.
    pub async fn digest(&self, company: CompanyId) -> Result<Option<Digest>, StoreError> {
        self.with_connection(move |conn| Ok(digests(conn, Some(&company))?.into_iter().next()))
            .await
    }

    /// The digests of every company whose last queued month is before `month` of its own time.
    pub async fn digests_due(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Digest, Month)>, StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            let mut due = Vec::new();
            for digest in digests(conn, None)? {
                let zone = load_settings(conn, &digest.company, default_timezone)?.timezone;
                let ended = month_of(now, zone).plus(-1);
                if digest.last_month < ended {
                    due.push((digest, ended));
                }
            }
            Ok(due)
        })
        .await
    }

    /// Marks the company's digest as queued for `month` and queues its webhook, in one
    /// transaction, unless it already was (by another server): `false` then.
    pub async fn queue_digest(
        &self,
        company: CompanyId,
        month: Month,
        delivery: NewDelivery,
    ) -> Result<bool, StoreError> {
        self.with_connection(move |conn| {
            conn.transaction(|conn| {
                let changed = diesel::update(
                    alert_digests::table
                        .find(company.as_str())
                        .filter(alert_digests::last_month.lt(month.key())),
                )
                .set(alert_digests::last_month.eq(month.key()))
                .execute(conn)?;
                if changed == 0 {
                    return Ok(false);
                }
                webhooks::queue(conn, &company, Utc::now().timestamp_micros(), delivery)?;
                Ok(true)
            })
        })
        .await
    }
}

fn digests(
    conn: &mut DbConnection,
    company: Option<&CompanyId>,
) -> Result<Vec<Digest>, StoreError> {
    let mut query = alert_digests::table
        .select((
            alert_digests::company_id,
            alert_digests::webhook_url,
            alert_digests::secret,
            alert_digests::last_month,
        ))
        .order(alert_digests::company_id)
        .into_boxed();
    if let Some(company) = company {
        query = query.filter(alert_digests::company_id.eq(company.as_str()));
    }
    let rows: Vec<(String, String, String, i32)> = query.load(conn)?;
    rows.into_iter()
        .filter_map(|(company, webhook_url, secret, last_month)| {
            let company = CompanyId::parse(&company).ok()?;
            Some(
                Month::from_key(last_month)
                    .map(|last_month| Digest {
                        company,
                        webhook_url,
                        secret,
                        last_month,
                    })
                    .map_err(|_| bad("digest month")),
            )
        })
        .collect()
}

/// The last `wanted` uses of the rule's feature (and site) in `months` (newest first), and the
/// errors among them. Without a site, each outcome is a range of one index read newest first, and
/// the ranges are merged.
fn last_uses(
    conn: &mut DbConnection,
    company: &CompanyId,
    rule: &AlertRule,
    months: [Month; 2],
    wanted: u32,
) -> Result<Window, StoreError> {
    let wanted = usize::try_from(wanted).unwrap_or(usize::MAX);
    let mut window = Window::default();
    for month in months {
        let left = wanted - usize::try_from(window.uses).unwrap_or(0);
        if left == 0 {
            break;
        }
        let limit = i64::try_from(left).unwrap_or(i64::MAX);
        let base = || {
            events::table
                .filter(events::company_id.eq(company.as_str()))
                .filter(events::feature.eq(rule.feature.code()))
                .filter(events::month.eq(month.key()))
                .order(events::occurred_at.desc())
                .limit(limit)
                .select((events::occurred_at, events::outcome))
                .into_boxed()
        };
        let mut uses: Vec<(i64, String)> = match &rule.site {
            Some(site) => base().filter(events::site.eq(site.as_str())).load(conn)?,
            None => {
                let mut merged = Vec::new();
                for outcome in rule.feature.outcomes() {
                    merged.extend(base().filter(events::outcome.eq(outcome.code())).load::<(
                        i64,
                        String,
                    )>(
                        conn
                    )?);
                }
                merged.sort_unstable_by_key(|(at, _)| std::cmp::Reverse(*at));
                merged
            }
        };
        uses.truncate(left);
        window.uses += uses.len() as u64;
        window.errors += uses
            .iter()
            .filter(|(_, outcome)| outcome == Outcome::Error.code())
            .count() as u64;
    }
    Ok(window)
}
