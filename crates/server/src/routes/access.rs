//! `POST /api/v1/auth/token`: signing in with an account made by `histo user add`, for running Histo
//! without the host application. Wrong passwords are slowed down, then refused for a while.

use actix_web::{post, web, HttpResponse};
use chrono::Utc;
use histo_api_types::{ApiError as ErrorBody, TokenRequest, TokenResponse};
use histo_domain::{CompanyId, UserCode};

use crate::auth::{Claims, KeyError, TokenVerifier};
use crate::error::ApiError;
use crate::AppState;

/// How long a token of the sign-in lasts.
pub const TOKEN_SECONDS: u64 = 3600;

/// Sign in
///
/// Answers a bearer token, valid one hour, carrying the scopes of the account. Wrong credentials are
/// answered 401 whatever was wrong, each a little later than the one before; after five in a row the
/// user is refused with 429 for a while (see `Retry-After`). Needs a server that has `HISTO_JWT_SECRET`.
#[utoipa::path(
    tag = "access",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Wrong company, user code or password", body = ErrorBody),
        (status = 422, description = "A missing or unknown field", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords: wait for `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "The server cannot sign tokens (no HISTO_JWT_SECRET)", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/token")]
pub async fn sign_in(
    state: web::Data<AppState>,
    verifier: web::Data<TokenVerifier>,
    body: web::Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    if !verifier.can_sign() {
        return Err(ApiError::Unavailable(KeyError::CannotSign.to_string()));
    }
    let TokenRequest {
        company,
        user_code,
        password,
    } = body.into_inner();
    let wrong = || ApiError::Unauthorized("wrong company, user code or password".into());
    let account = match (CompanyId::parse(&company), UserCode::parse(&user_code)) {
        (Ok(company), Ok(user)) => state
            .store
            .account(company.clone(), user.clone())
            .await?
            .map(|account| (company, user, account)),
        _ => None,
    };
    let stored = account.as_ref().map(|(_, _, a)| a.password_hash.clone());
    let right = state
        .sign_in_attempts
        .check_password((company, user_code), password, stored)
        .await?;
    let (company, user, account) = account.filter(|_| right).ok_or_else(wrong)?;
    let now = Utc::now().timestamp();
    let claims = Claims {
        sub: user.into_string(),
        company: company.into_string(),
        scope: Some(account.scopes.to_claim()),
        rights: None,
        exp: now + TOKEN_SECONDS as i64,
        iat: Some(now),
    };
    let access_token = verifier
        .sign(&claims)
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: TOKEN_SECONDS,
    }))
}
