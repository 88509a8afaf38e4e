//! `/api/v1/alerts`: a company's alert rules (listed, added, removed), each time one started or
//! stopped holding, and the monthly digest's address. Every route needs `settings:admin`; every
//! change goes to the audit trail; a webhook address must be one the server allows.

use actix_web::{delete, get, post, put, web, HttpResponse};
use histo_api_types::{
    AlertCondition, AlertEvent, AlertEventPage, AlertEventQuery, AlertRule as RuleShown,
    AlertRuleInput, AlertRules, AlertWindow, DigestInput, DigestSettings, ErrorBody, NewAlertRule,
    WebhookState,
};
use histo_domain::{AlertRule, Condition, Feature, SiteCode, TimeZone, MAX_RULES};
use histo_store::{Actor, AlertEventPosition, StoreError, StoredRule};
use uuid::Uuid;

use crate::alerts::{condition_shown, webhook};
use crate::auth::{Authorized, SettingsAdmin};
use crate::error::ApiError;
use crate::AppState;

/// The alert rules
///
/// The company's rules, oldest first, each with whether it is firing.
#[utoipa::path(
    tag = "alerts",
    responses((status = 200, description = "The rules", body = AlertRules)),
    security(("bearer" = ["settings:admin"]))
)]
#[get("/api/v1/alerts/rules")]
pub async fn rules(
    auth: Authorized<SettingsAdmin>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let company = auth.caller.company;
    let zone = state.store.settings(company.clone()).await?.timezone;
    let rules = state.store.alert_rules(company).await?;
    Ok(HttpResponse::Ok().json(AlertRules {
        rules: rules.iter().map(|rule| shown(rule, zone)).collect(),
        limit: MAX_RULES,
    }))
}

/// Add an alert rule
///
/// A rule watches a feature (at one site, or at all) and fires once when its condition starts
/// holding — "at least N errors within M minutes" or "more than P % errors among the last K uses" —
/// and once when it stops: each time a signed webhook goes to `webhook_url`, tried again for a day
/// if the receiver fails. The answer holds the signature's key, shown this once.
#[utoipa::path(
    tag = "alerts",
    request_body = AlertRuleInput,
    responses(
        (status = 201, description = "The rule, with its webhooks' key", body = NewAlertRule),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 422, description = "A bad field (a webhook address the server does not allow is one), or the company already has its 100 rules", body = ErrorBody),
    ),
    security(("bearer" = ["settings:admin"]))
)]
#[post("/api/v1/alerts/rules")]
pub async fn add_rule(
    auth: Authorized<SettingsAdmin>,
    state: web::Data<AppState>,
    body: web::Json<AlertRuleInput>,
) -> Result<HttpResponse, ApiError> {
    let AlertRuleInput {
        feature,
        site,
        condition,
        webhook_url,
    } = body.into_inner();
    let feature = Feature::parse(&feature).ok_or_else(|| {
        ApiError::invalid_field(
            "feature",
            format!("must be one of {}", histo_domain::list(Feature::ALL)),
        )
    })?;
    let site = site
        .map(|site| SiteCode::parse(&site))
        .transpose()
        .map_err(|e| ApiError::invalid_field("site", e.to_string()))?;
    let condition = Condition::new(match condition {
        AlertCondition::Errors { errors, minutes } => Condition::Errors { errors, minutes },
        AlertCondition::ErrorShare { percent, uses } => Condition::ErrorShare { percent, uses },
    })
    .map_err(|e| ApiError::invalid_field(&format!("condition.{}", e.field()), e.to_string()))?;
    let url = allowed(&state, &webhook_url)?;
    let caller = auth.caller;
    let zone = state.store.settings(caller.company.clone()).await?.timezone;
    let rule = state
        .store
        .add_alert_rule(
            caller.company,
            AlertRule {
                feature,
                site,
                condition,
            },
            url,
            webhook::new_secret(),
            Actor::User(caller.user),
        )
        .await
        .map_err(|error| match error {
            StoreError::TooManyRules { .. } => ApiError::invalid_field("rules", error.to_string()),
            other => other.into(),
        })?;
    state.alerts.reload(&state.store).await;
    Ok(HttpResponse::Created().json(NewAlertRule {
        rule: shown(&rule, zone),
        secret: rule.secret,
    }))
}

/// Remove an alert rule
///
/// Its webhooks already queued still go; its past firings stay listed.
#[utoipa::path(
    tag = "alerts",
    params(("id" = String, Path, description = "The rule's id", format = "uuid")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "The company has no such rule", body = ErrorBody),
    ),
    security(("bearer" = ["settings:admin"]))
)]
#[delete("/api/v1/alerts/rules/{id}")]
pub async fn remove_rule(
    auth: Authorized<SettingsAdmin>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::NotFound("no such alert rule".into());
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let caller = auth.caller;
    let removed = state
        .store
        .remove_alert_rule(caller.company, id, Actor::User(caller.user))
        .await?;
    if !removed {
        return Err(not_found());
    }
    state.alerts.reload(&state.store).await;
    Ok(HttpResponse::NoContent().finish())
}

/// When rules fired and recovered
///
/// Each time a rule started (`firing`) or stopped (`recovered`) holding, newest first, with the
/// counts that made it change and where its webhook is. Pass `next_cursor` back as `cursor` for the
/// next page.
#[utoipa::path(
    tag = "alerts",
    params(AlertEventQuery),
    responses(
        (status = 200, description = "A page of alert events, newest first", body = AlertEventPage),
        (status = 422, description = "A bad parameter, named in `details[0].field`", body = ErrorBody),
    ),
    security(("bearer" = ["settings:admin"]))
)]
#[get("/api/v1/alerts/events")]
pub async fn events(
    auth: Authorized<SettingsAdmin>,
    state: web::Data<AppState>,
    query: web::Query<AlertEventQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = super::logs::limit(&query.limit)?;
    let after = query
        .cursor
        .as_deref()
        .map(super::decode_cursor)
        .transpose()?
        .map(|(at, id)| AlertEventPosition { at, id });
    let company = auth.caller.company;
    let zone = state.store.settings(company.clone()).await?.timezone;
    let (events, next) = state.store.alert_events(company, after, limit).await?;
    Ok(HttpResponse::Ok().json(AlertEventPage {
        items: events
            .into_iter()
            .map(|event| AlertEvent {
                at: super::local_time(event.at, zone),
                rule_id: event.rule_id.to_string(),
                feature: event.rule.feature.code().to_owned(),
                site: event.rule.site.map(SiteCode::into_string),
                condition: condition_shown(event.rule.condition),
                state: if event.firing { "firing" } else { "recovered" }.to_owned(),
                window: AlertWindow {
                    uses: event.window.uses,
                    errors: event.window.errors,
                },
                webhook: event
                    .delivery
                    .map(|(state, last_error)| WebhookState { state, last_error }),
            })
            .collect(),
        next_cursor: next.map(|p| super::encode_cursor(p.at, p.id)),
    }))
}

/// The monthly digest
///
/// Where the company's monthly digest goes, and the last month sent; nulls when it has none.
#[utoipa::path(
    tag = "alerts",
    responses((status = 200, description = "The digest's address", body = DigestSettings)),
    security(("bearer" = ["settings:admin"]))
)]
#[get("/api/v1/alerts/digest")]
pub async fn monthly_digest(
    auth: Authorized<SettingsAdmin>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let digest = state.store.digest(auth.caller.company).await?;
    Ok(HttpResponse::Ok().json(digest_shown(digest, None)))
}

fn digest_shown(digest: Option<histo_store::Digest>, secret: Option<String>) -> DigestSettings {
    DigestSettings {
        webhook_url: digest.as_ref().map(|d| d.webhook_url.clone()),
        last_month: digest.map(|d| d.last_month.to_string()),
        secret,
    }
}

/// Send the monthly digest
///
/// On the first day of each month (company time), a signed webhook to `webhook_url` with last
/// month's uses and errors per feature, the change against the same month a year earlier, and the
/// sites with the most errors (hidden sites left out). Replaces an earlier address; the first digest
/// is the one of the month under way. The answer holds the signature's key, shown this once.
#[utoipa::path(
    tag = "alerts",
    request_body = DigestInput,
    responses(
        (status = 200, description = "The digest's address, with its webhooks' key", body = DigestSettings),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 422, description = "A bad field (a webhook address the server does not allow is one)", body = ErrorBody),
    ),
    security(("bearer" = ["settings:admin"]))
)]
#[put("/api/v1/alerts/digest")]
pub async fn set_monthly_digest(
    auth: Authorized<SettingsAdmin>,
    state: web::Data<AppState>,
    body: web::Json<DigestInput>,
) -> Result<HttpResponse, ApiError> {
    let url = allowed(&state, &body.webhook_url)?;
    let caller = auth.caller;
    let secret = webhook::new_secret();
    state
        .store
        .set_digest(
            caller.company.clone(),
            url,
            secret.clone(),
            Actor::User(caller.user),
        )
        .await?;
    let digest = state.store.digest(caller.company).await?;
    Ok(HttpResponse::Ok().json(digest_shown(digest, Some(secret))))
}

/// Stop the monthly digest
#[utoipa::path(
    tag = "alerts",
    responses(
        (status = 204, description = "Stopped"),
        (status = 404, description = "The company has no monthly digest", body = ErrorBody),
    ),
    security(("bearer" = ["settings:admin"]))
)]
#[delete("/api/v1/alerts/digest")]
pub async fn stop_monthly_digest(
    auth: Authorized<SettingsAdmin>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.caller;
    if state
        .store
        .remove_digest(caller.company, Actor::User(caller.user))
        .await?
    {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound("no monthly digest".into()))
    }
}

/// The webhook address, if the server allows it; 422 naming `webhook_url` if not.
fn allowed(state: &AppState, address: &str) -> Result<String, ApiError> {
    state
        .alerts
        .settings()
        .allow
        .check(address)
        .map(String::from)
        .map_err(|why| ApiError::invalid_field("webhook_url", why))
}

fn shown(rule: &StoredRule, zone: TimeZone) -> RuleShown {
    RuleShown {
        id: rule.id.to_string(),
        feature: rule.rule.feature.code().to_owned(),
        site: rule.rule.site.as_ref().map(|s| s.as_str().to_owned()),
        condition: condition_shown(rule.rule.condition),
        webhook_url: rule.webhook_url.clone(),
        firing: rule.firing,
        created_at: super::local_time(rule.created_at, zone),
    }
}
