//! Typed calls to the Histo HTTP API (same origin as the page). Every call carries the signed-in
//! token; a 401 signs out (the sign-in page comes back and the URL, hence the page state, stays).

use gloo_net::http::{Request, RequestBuilder, Response};
use histo_api_types::{
    AdminPasswordInput, AlertEventPage, AlertRuleInput, AlertRules, AuditPage, AuditVerification,
    DigestInput, DigestSettings, Erasure, ErasureInput, ErrorBody, FeatureInfo, LogPage,
    NewAlertRule, Overview, RetentionInput, RetentionPreview, Settings, Site, SiteInput,
    SiteStatistics, Statistics, TokenRequest, TokenResponse,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsCast;

use crate::auth;
use crate::text::Lang;

/// Why an API call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// No HTTP answer (server down, network error).
    Network,
    /// 401: no valid token (the app signs out).
    Unauthorized,
    /// 403: the token lacks the scope, or the admin password was wrong; the server's message.
    Forbidden(String),
    /// Any other non-2xx status, with the server's message.
    Refused(u16, String),
    /// The answer was not the expected JSON.
    Decode(String),
}

/// A query string, built pair by pair (repeated keys allowed, e.g. `site`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn new() -> Query {
        Query::default()
    }

    pub fn add(mut self, key: &str, value: impl ToString) -> Query {
        self.0.push((key.to_owned(), value.to_string()));
        self
    }

    pub fn add_opt(self, key: &str, value: Option<impl ToString>) -> Query {
        match value {
            Some(value) => self.add(key, value),
            None => self,
        }
    }

    pub fn add_all(self, key: &str, values: &[String]) -> Query {
        values
            .iter()
            .fold(self, |query, value| query.add(key, value))
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Reads `a=1&b=2` (with or without the `?`).
    pub fn parse(search: &str) -> Query {
        let decode = |text: &str| {
            let text = text.replace('+', " ");
            js_sys::decode_uri_component(&text)
                .map(String::from)
                .unwrap_or(text)
        };
        Query(
            search
                .trim_start_matches('?')
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) => (decode(k), decode(v)),
                    None => (decode(pair), String::new()),
                })
                .collect(),
        )
    }

    /// `?a=1&b=2`, or nothing when empty.
    pub fn encode(&self) -> String {
        if self.0.is_empty() {
            return String::new();
        }
        let pairs: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        format!("?{}", pairs.join("&"))
    }
}

fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// `POST /api/v1/auth/token`.
pub async fn sign_in(
    company: &str,
    user_code: &str,
    password: &str,
) -> Result<TokenResponse, ApiError> {
    let body = TokenRequest {
        company: company.to_owned(),
        user_code: user_code.to_owned(),
        password: password.to_owned(),
    };
    send_json(unsigned(Request::post("/api/v1/auth/token")), &body).await
}

/// The features with their labels, loaded once after sign-in and shared by every page.
pub type Features = leptos::prelude::LocalResource<Result<Vec<FeatureInfo>, ApiError>>;

/// `GET /api/v1/features`.
pub async fn features() -> Result<Vec<FeatureInfo>, ApiError> {
    get("/api/v1/features").await
}

/// `GET /api/v1/stats/overview?period=P&site=…`.
pub async fn overview(period: &str, sites: &[String]) -> Result<Overview, ApiError> {
    let query = Query::new().add("period", period).add_all("site", sites);
    get(&format!("/api/v1/stats/overview{}", query.encode())).await
}

/// `GET /api/v1/stats?…`.
pub async fn stats(query: &Query) -> Result<Statistics, ApiError> {
    get(&format!("/api/v1/stats{}", query.encode())).await
}

/// `GET /api/v1/stats/sites?feature=F&period=P`.
pub async fn site_stats(feature: &str, period: &str) -> Result<SiteStatistics, ApiError> {
    let query = Query::new().add("feature", feature).add("period", period);
    get(&format!("/api/v1/stats/sites{}", query.encode())).await
}

/// `GET /api/v1/logs?…`.
pub async fn logs(query: &Query) -> Result<LogPage, ApiError> {
    get(&format!("/api/v1/logs{}", query.encode())).await
}

/// How a CSV export is written for the reader: for French spreadsheets in French (semicolons, a
/// byte order mark, French labels and dates), plainly in English.
pub fn csv_format(query: Query, lang: Lang) -> Query {
    match lang {
        Lang::Fr => query
            .add("sep", "semicolon")
            .add("bom", "true")
            .add("lang", "fr"),
        Lang::En => query.add("lang", "en"),
    }
}

/// `GET {path}?…` (`/api/v1/logs/export`, `/api/v1/stats/export`): a CSV file. A plain link cannot
/// send the token, so the file is fetched with it.
pub async fn export(path: &str, query: &Query) -> Result<Vec<u8>, ApiError> {
    let response = send(signed(Request::get(&format!("{path}{}", query.encode())))).await?;
    response
        .binary()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

/// An export (see `export`) saved as a file.
pub async fn download_export(path: &str, query: &Query, file_name: &str) -> Result<(), ApiError> {
    let bytes = export(path, query).await?;
    save_file(&bytes, "text/csv;charset=utf-8", file_name)
}

/// `GET /api/v1/sites`: every site, in one page of the largest size (a company has at most 10,000
/// sites unless the operator raised the limit).
pub async fn sites() -> Result<Vec<Site>, ApiError> {
    get("/api/v1/sites?limit=10000").await
}

/// `PATCH /api/v1/sites/{code}` `{"hidden": …, "name": …}`: hide, show or rename a site.
pub async fn change_site(code: &str, change: &SiteInput) -> Result<Site, ApiError> {
    let url = format!("/api/v1/sites/{}", encode(code));
    send_json(signed(Request::patch(&url)), change).await
}

/// `GET /api/v1/settings`.
pub async fn settings() -> Result<Settings, ApiError> {
    get("/api/v1/settings").await
}

/// `PUT /api/v1/settings/retention`.
pub async fn set_retention(months: u32, admin_password: &str) -> Result<Settings, ApiError> {
    let body = RetentionInput {
        months: months.into(),
        admin_password: admin_password.to_owned(),
    };
    send_json(signed(Request::put("/api/v1/settings/retention")), &body).await
}

/// `GET /api/v1/settings/retention/preview?months=N`: what a change to N months would remove.
pub async fn retention_preview(months: u32) -> Result<RetentionPreview, ApiError> {
    let query = Query::new().add("months", months);
    get(&format!(
        "/api/v1/settings/retention/preview{}",
        query.encode()
    ))
    .await
}

/// `GET /api/v1/audit`: the newest changes, or those after `cursor`.
pub async fn audit(cursor: Option<String>) -> Result<AuditPage, ApiError> {
    let query = Query::new().add_opt("cursor", cursor);
    get(&format!("/api/v1/audit{}", query.encode())).await
}

/// `PUT /api/v1/settings/admin-password`: `current` may be absent only while none is set.
pub async fn set_admin_password(current: Option<String>, new: &str) -> Result<(), ApiError> {
    let body = AdminPasswordInput {
        current_password: current,
        new_password: new.to_owned(),
    };
    send_body(
        signed(Request::put("/api/v1/settings/admin-password")),
        &body,
    )
    .await
    .map(drop)
}

/// `POST /api/v1/erasures`: every entry of `user_code` gets the user code `ERASED`.
pub async fn erase(user_code: &str, admin_password: &str) -> Result<Erasure, ApiError> {
    let body = ErasureInput {
        user_code: user_code.to_owned(),
        admin_password: admin_password.to_owned(),
    };
    send_json(signed(Request::post("/api/v1/erasures")), &body).await
}

/// `GET /api/v1/audit/verification`: whether every entry of the audit trail is as Histo wrote it.
pub async fn audit_verification() -> Result<AuditVerification, ApiError> {
    get("/api/v1/audit/verification").await
}

/// `GET /api/v1/alerts/rules`.
pub async fn alert_rules() -> Result<AlertRules, ApiError> {
    get("/api/v1/alerts/rules").await
}

/// `POST /api/v1/alerts/rules`: the rule, with its webhooks' key shown this once.
pub async fn add_alert_rule(rule: &AlertRuleInput) -> Result<NewAlertRule, ApiError> {
    send_json(signed(Request::post("/api/v1/alerts/rules")), rule).await
}

/// `DELETE /api/v1/alerts/rules/{id}`.
pub async fn remove_alert_rule(id: &str) -> Result<(), ApiError> {
    let url = format!("/api/v1/alerts/rules/{}", encode(id));
    send(signed(Request::delete(&url))).await.map(drop)
}

/// `GET /api/v1/alerts/events`: the newest firings and recoveries, or those after `cursor`.
pub async fn alert_events(cursor: Option<String>) -> Result<AlertEventPage, ApiError> {
    let query = Query::new().add_opt("cursor", cursor);
    get(&format!("/api/v1/alerts/events{}", query.encode())).await
}

/// `GET /api/v1/alerts/digest`: nulls when the company has no monthly digest.
pub async fn digest() -> Result<DigestSettings, ApiError> {
    get("/api/v1/alerts/digest").await
}

/// `PUT /api/v1/alerts/digest`: the answer holds the signature's key, shown this once.
pub async fn set_digest(webhook_url: &str) -> Result<DigestSettings, ApiError> {
    let body = DigestInput {
        webhook_url: webhook_url.to_owned(),
    };
    send_json(signed(Request::put("/api/v1/alerts/digest")), &body).await
}

/// `DELETE /api/v1/alerts/digest`.
pub async fn stop_digest() -> Result<(), ApiError> {
    send(signed(Request::delete("/api/v1/alerts/digest")))
        .await
        .map(drop)
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let response = send(signed(Request::get(url))).await?;
    response
        .json::<T>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

async fn send_json<B: Serialize, T: DeserializeOwned>(call: Call, body: &B) -> Result<T, ApiError> {
    send_body(call, body)
        .await?
        .json::<T>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

async fn send_body<B: Serialize>(call: Call, body: &B) -> Result<Response, ApiError> {
    let request = call
        .request
        .json(body)
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    check(response, call.token).await
}

/// A request and the token that it carries, if any: its answer speaks of that token only (a late
/// 401 for a token already replaced must not sign out the new one).
struct Call {
    request: RequestBuilder,
    token: Option<String>,
}

/// A request with the signed-in token.
fn signed(request: RequestBuilder) -> Call {
    let token = auth::token();
    let request = match &token {
        Some(token) => request.header("Authorization", &format!("Bearer {token}")),
        None => request,
    };
    Call { request, token }
}

/// A request without a token (signing in).
fn unsigned(request: RequestBuilder) -> Call {
    Call {
        request,
        token: None,
    }
}

async fn send(call: Call) -> Result<Response, ApiError> {
    let response = call.request.send().await.map_err(|_| ApiError::Network)?;
    check(response, call.token).await
}

async fn check(response: Response, token: Option<String>) -> Result<Response, ApiError> {
    let status = response.status();
    if (200..300).contains(&status) {
        if let Some(token) = &token {
            auth::accepted(token);
        }
        return Ok(response);
    }
    let message = response
        .json::<ErrorBody>()
        .await
        .map(|body| body.error)
        .unwrap_or_default();
    Err(match status {
        401 => {
            if let Some(token) = &token {
                auth::expire(token);
            }
            ApiError::Unauthorized
        }
        403 => ApiError::Forbidden(message),
        _ => ApiError::Refused(status, message),
    })
}

/// Hands bytes to the browser as a downloaded file.
pub fn save_file(bytes: &[u8], mime: &str, file_name: &str) -> Result<(), ApiError> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let url = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .and_then(|blob| web_sys::Url::create_object_url_with_blob(&blob))
        .map_err(|_| ApiError::Decode("blob".into()))?;
    save_url(&url, file_name)?;
    // Revoked a little later: the download must have started.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
    Ok(())
}

/// Downloads what an address holds (a blob's, or a `data:` address) as a file.
pub fn save_url(url: &str, file_name: &str) -> Result<(), ApiError> {
    let document = leptos::prelude::document();
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| ApiError::Decode("link".into()))?
        .unchecked_into();
    link.set_href(url);
    link.set_download(file_name);
    link.click();
    Ok(())
}
