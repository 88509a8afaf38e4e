//! `POST /api/v1/auth/token`: signing in with an account made by `histo user add`, for running Histo
//! without the host application. Wrong passwords are slowed down, then refused for a while.

use actix_web::{post, web, HttpRequest, HttpResponse};
use histo_api_types::{AuditAction, ErrorBody, TokenRequest, TokenResponse};
use histo_domain::{CompanyId, UserCode};
use histo_store::Actor;

use crate::auth::{claims_for, Caller, KeyError, TokenVerifier};
use crate::error::ApiError;
use crate::throttle::Counted;
use crate::{password, peer, AppState};

/// How long a token of the sign-in lasts.
pub const TOKEN_SECONDS: u64 = 3600;

/// Sign in
///
/// Answers a bearer token, valid one hour, carrying the scopes of the account. Wrong credentials are
/// answered 401 whatever was wrong, each a little later than the one before; after five in a row from
/// one address the account is refused there with 429 for a while (see `Retry-After`), and an address
/// with twenty wrong passwords over any accounts is refused too. Needs a server that has
/// `HISTO_JWT_SECRET`.
#[utoipa::path(
    tag = "access",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Wrong company, user code or password", body = ErrorBody),
        (status = 422, description = "A missing or unknown field", body = ErrorBody),
        (status = 408, description = "The body came too slowly", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords: wait for `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "The server cannot sign tokens (no HISTO_JWT_SECRET), or too many sign-ins are being checked (see `Retry-After`)", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/token")]
pub async fn sign_in(
    state: web::Data<AppState>,
    verifier: web::Data<TokenVerifier>,
    request: HttpRequest,
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
    // What no account can have is refused before anything is counted, stored or hashed.
    let (Ok(company), Ok(user)) = (CompanyId::parse(&company), UserCode::parse(&user_code)) else {
        return Err(wrong());
    };
    if password.chars().count() > password::MAX_LENGTH {
        return Err(wrong());
    }
    let address = peer::client_address(&request, &state.limits.trusted_proxies);
    let attempt = state
        .wrong_passwords
        .begin(Counted::sign_in(&company, &user, address))
        .map_err(|locked| ApiError::TooManyAttempts {
            retry_after: locked.wait,
        })?;
    let account = state.store.account(company.clone(), user.clone()).await?;
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let right = state
        .passwords
        .verify(password, stored)
        .await
        .map_err(password_checks_busy)?;
    let Some(account) = account.filter(|_| right) else {
        attempt.wrong().await;
        return Err(wrong());
    };
    attempt.right();
    let claims =
        claims_for(&company, &user, account.scopes, TOKEN_SECONDS).signed_in_with_password();
    let access_token = verifier
        .sign(&claims)
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: TOKEN_SECONDS,
    }))
}

/// Too many password checks already run and wait.
pub(crate) fn password_checks_busy(busy: password::Busy) -> ApiError {
    ApiError::Busy {
        what: "too many password checks at once",
        retry_after: busy.retry_after,
    }
}

/// Checks the company's admin password for `caller`, counted per company: 409 when none is set, 403
/// when wrong, 429 while locked out. Wrong passwords and lockouts go to the audit trail.
pub(crate) async fn check_admin_password(
    state: &AppState,
    caller: &Caller,
    password: String,
) -> Result<(), ApiError> {
    let stored = state
        .store
        .admin_password_hash(caller.company.clone())
        .await?
        .ok_or_else(|| {
            ApiError::Conflict("no admin password: set one with histo admin-password".into())
        })?;
    let actor = Actor::User(caller.user.clone());
    let attempt = match state
        .wrong_passwords
        .begin(vec![Counted::AdminPassword(caller.company.clone())])
    {
        Ok(attempt) => attempt,
        Err(locked) => {
            if locked.first {
                state
                    .store
                    .note(
                        caller.company.clone(),
                        actor,
                        AuditAction::AdminPasswordLocked,
                    )
                    .await?;
            }
            return Err(ApiError::TooManyAttempts {
                retry_after: locked.wait,
            });
        }
    };
    let right = state
        .passwords
        .verify(password, Some(stored))
        .await
        .map_err(password_checks_busy)?;
    if right {
        attempt.right();
        return Ok(());
    }
    state
        .store
        .note(
            caller.company.clone(),
            actor,
            AuditAction::AdminPasswordRefused,
        )
        .await?;
    attempt.wrong().await;
    Err(ApiError::Forbidden("wrong admin password".into()))
}
