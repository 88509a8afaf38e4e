//! Who is calling: the bearer token is verified once, in one extractor, which hands the handler a
//! `Caller` of one company holding the scope the route needs — or refuses with 401 or 403.

mod remembered;

use std::collections::HashMap;
use std::marker::PhantomData;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use histo_api_types::{TokenClaims, DEFAULT_RIGHTS};
use histo_domain::{CompanyId, Scope, Scopes, UserCode};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::Serialize;

use crate::error::ApiError;
use crate::AppState;
use remembered::{Recalled, RememberedTokens};

/// The shortest HS256 secret taken.
pub const MIN_SECRET_BYTES: usize = 32;
/// Seconds a token is still taken after its `exp` (and before its `nbf`), for clocks that differ.
const LEEWAY: u64 = 30;
/// Why a token past its `exp` is refused.
const EXPIRED: &str = "it has expired";

/// The claims of a token for `user` of `company` with `scopes`, valid from now for `lifetime`
/// seconds.
pub fn claims_for(
    company: &CompanyId,
    user: &UserCode,
    scopes: Scopes,
    lifetime: u64,
) -> TokenClaims {
    let now = chrono::Utc::now().timestamp();
    TokenClaims::new(company.as_str(), user.as_str(), scopes, now, lifetime)
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("HISTO_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")]
    SecretTooShort,
    #[error("HISTO_JWT_PUBLIC_KEY is neither an RSA nor an Ed25519 public key in PEM: {0}")]
    BadPublicKey(String),
    #[error("set HISTO_JWT_SECRET (HS256) or HISTO_JWT_PUBLIC_KEY (RS256 or EdDSA)")]
    Missing,
    #[error("sign-in needs HISTO_JWT_SECRET: with only HISTO_JWT_PUBLIC_KEY, Histo verifies tokens of the host application but cannot sign its own")]
    CannotSign,
}

/// How tokens are checked: the key, and the issuer and audience where configured. Built from a
/// secret, it also signs the tokens of Histo's own sign-in.
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
    rights: HashMap<i64, Scope>,
    /// The HS256 secret, when there is one (not with a public key).
    signing_key: Option<EncodingKey>,
    issuer: Option<String>,
    audience: Option<String>,
    /// Tokens that passed every check; forgotten when the checks change.
    remembered: RememberedTokens,
}

/// A token signed by Histo carries the configured issuer and audience, so that its own verifier
/// takes it.
#[derive(Serialize)]
struct Issued<'a> {
    #[serde(flatten)]
    claims: &'a TokenClaims,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
}

/// The right numbers of the host application that grant scopes by default: right no. 2 reads the logs.
pub fn default_rights() -> HashMap<i64, Scope> {
    HashMap::from(DEFAULT_RIGHTS)
}

impl TokenVerifier {
    pub fn hs256(secret: &[u8]) -> Result<Self, KeyError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(KeyError::SecretTooShort);
        }
        let mut verifier = Self::new(DecodingKey::from_secret(secret), Algorithm::HS256);
        verifier.signing_key = Some(EncodingKey::from_secret(secret));
        Ok(verifier)
    }

    /// An RS256 or EdDSA public key in PEM.
    pub fn public_key(pem: &str) -> Result<Self, KeyError> {
        if let Ok(key) = DecodingKey::from_rsa_pem(pem.as_bytes()) {
            return Ok(Self::new(key, Algorithm::RS256));
        }
        DecodingKey::from_ed_pem(pem.as_bytes())
            .map(|key| Self::new(key, Algorithm::EdDSA))
            .map_err(|e| KeyError::BadPublicKey(e.to_string()))
    }

    fn new(key: DecodingKey, algorithm: Algorithm) -> Self {
        let mut validation = Validation::new(algorithm);
        validation.set_required_spec_claims(&["exp"]);
        validation.validate_aud = false;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY;
        TokenVerifier {
            key,
            validation,
            rights: default_rights(),
            signing_key: None,
            issuer: None,
            audience: None,
            remembered: RememberedTokens::default(),
        }
    }

    /// Tokens must carry this `iss`; Histo's own carry it.
    pub fn with_issuer(mut self, issuer: &str) -> Self {
        self.issuer = Some(issuer.to_owned());
        self.validation.set_issuer(&[issuer]);
        self.validation.required_spec_claims.insert("iss".into());
        self.remembered = RememberedTokens::default();
        self
    }

    /// Tokens must carry this `aud` (a string, or an array holding it); Histo's own carry it.
    pub fn with_audience(mut self, audience: &str) -> Self {
        self.audience = Some(audience.to_owned());
        self.validation.set_audience(&[audience]);
        self.validation.validate_aud = true;
        self.validation.required_spec_claims.insert("aud".into());
        self.remembered = RememberedTokens::default();
        self
    }

    pub fn with_rights(mut self, rights: HashMap<i64, Scope>) -> Self {
        self.rights = rights;
        self.remembered = RememberedTokens::default();
        self
    }

    /// Whether [`TokenVerifier::sign`] can: only with a secret.
    pub fn can_sign(&self) -> bool {
        self.signing_key.is_some()
    }

    /// Signs a token (sign-in, `histo token`, the demo) with the configured issuer and audience; only
    /// a verifier built from a secret can.
    pub fn sign(&self, claims: &TokenClaims) -> Result<String, KeyError> {
        let key = self.signing_key.as_ref().ok_or(KeyError::CannotSign)?;
        let issued = Issued {
            claims,
            iss: self.issuer.as_deref(),
            aud: self.audience.as_deref(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &issued, key)
            .map_err(|_| KeyError::CannotSign)
    }

    /// Checks the signature, the expiry and the claims of a token, or only the expiry of a token
    /// that passed the others before.
    pub fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        let unauthorized = |why: &str| ApiError::Unauthorized(format!("invalid token: {why}"));
        let now = chrono::Utc::now().timestamp();
        match self.remembered.recall(token, now) {
            Some(Recalled::Valid(caller)) => return Ok(caller),
            Some(Recalled::Expired) => return Err(unauthorized(EXPIRED)),
            None => {}
        }
        let data = jsonwebtoken::decode::<TokenClaims>(token, &self.key, &self.validation)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind::*;
                match e.kind() {
                    ExpiredSignature => unauthorized(EXPIRED),
                    InvalidSignature => unauthorized("bad signature"),
                    InvalidAlgorithm | InvalidAlgorithmName => {
                        unauthorized("unexpected signing algorithm")
                    }
                    ImmatureSignature => unauthorized("it is not valid yet (nbf)"),
                    InvalidIssuer => unauthorized("wrong issuer"),
                    InvalidAudience => unauthorized("wrong audience"),
                    MissingRequiredClaim(claim) => {
                        unauthorized(&format!("the claim '{claim}' is missing"))
                    }
                    _ => unauthorized("malformed"),
                }
            })?;
        let claims = data.claims;
        let company =
            CompanyId::parse(&claims.company).map_err(|e| unauthorized(&format!("company {e}")))?;
        let user = UserCode::parse(&claims.sub).map_err(|e| unauthorized(&format!("sub {e}")))?;
        let scopes = claims.scopes(|right| self.rights.get(&right).copied());
        let signed_in_at = match (claims.by_password(), claims.iat) {
            (false, _) => None,
            (true, Some(iat)) => Some(iat),
            (true, None) => return Err(unauthorized("a password sign-in without 'iat'")),
        };
        let caller = Caller {
            company,
            user,
            scopes,
            signed_in_at,
        };
        let valid_until = claims.exp.saturating_add(LEEWAY as i64);
        self.remembered.remember(token, &caller, valid_until, now);
        Ok(caller)
    }
}

/// The verified caller: one user of one company, with their scopes.
#[derive(Debug, Clone)]
pub struct Caller {
    pub company: CompanyId,
    pub user: UserCode,
    pub scopes: Scopes,
    /// For a token of Histo's sign-in, when it was issued (seconds since 1970): it is taken only while
    /// the account exists and its password has not changed since.
    pub signed_in_at: Option<i64>,
}

/// A scope a route requires, as a type, so that the route states it in its signature.
pub trait RequiredScope {
    const SCOPE: Scope;
}

macro_rules! required_scope {
    ($($name:ident => $scope:ident),+) => {$(
        pub struct $name;
        impl RequiredScope for $name {
            const SCOPE: Scope = Scope::$scope;
        }
    )+};
}

required_scope!(LogsRead => LogsRead, EventsWrite => EventsWrite, SitesManage => SitesManage, SettingsAdmin => SettingsAdmin);

/// A caller holding the scope `S`.
pub struct Authorized<S> {
    pub caller: Caller,
    scope: PhantomData<S>,
}

impl<S: RequiredScope> FromRequest for Authorized<S> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = authorize::<S>(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let caller = caller?;
            if let (Some(issued), Some(state)) = (caller.signed_in_at, state) {
                still_signed_in(&state, &caller, issued).await?;
            }
            Ok(Authorized {
                caller,
                scope: PhantomData,
            })
        })
    }
}

/// A token of Histo's sign-in holds only while its account exists and has kept the password it was
/// signed in with: removing the account or changing its password ends every earlier sign-in.
async fn still_signed_in(state: &AppState, caller: &Caller, issued: i64) -> Result<(), ApiError> {
    let changed = state
        .store
        .password_changed_at(caller.company.clone(), caller.user.clone())
        .await?;
    match changed {
        None => Err(ApiError::Unauthorized(
            "invalid token: its account no longer exists".into(),
        )),
        Some(changed) if issued < changed.timestamp() => Err(ApiError::Unauthorized(
            "invalid token: the account's password has changed since; sign in again".into(),
        )),
        Some(_) => Ok(()),
    }
}

/// The bearer token of a request; the scheme's name is case-insensitive (RFC 7235).
fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim_start().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn authorize<S: RequiredScope>(req: &HttpRequest) -> Result<Caller, ApiError> {
    let verifier = req
        .app_data::<web::Data<TokenVerifier>>()
        .ok_or_else(|| ApiError::Unauthorized("token verification is not configured".into()))?;
    let token = bearer_token(req).ok_or_else(|| {
        ApiError::Unauthorized("a bearer token is required (Authorization: Bearer …)".into())
    })?;
    let caller = verifier.verify(token)?;
    if !caller.scopes.contains(S::SCOPE) {
        return Err(ApiError::Forbidden(format!(
            "this token lacks the scope '{}'",
            S::SCOPE
        )));
    }
    Ok(caller)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a-secret-of-at-least-thirty-two-bytes!!";

    fn claims(scope: &str, rights: Option<Vec<i64>>) -> TokenClaims {
        let (company, user) = (
            CompanyId::parse("acme").unwrap(),
            UserCode::parse("u1").unwrap(),
        );
        TokenClaims {
            rights,
            ..claims_for(&company, &user, Scopes::parse_claim(scope), 60)
        }
    }

    fn sign(algorithm: Algorithm, key: &EncodingKey, claims: &impl Serialize) -> String {
        jsonwebtoken::encode(&Header::new(algorithm), claims, key).unwrap()
    }

    fn refusal(verifier: &TokenVerifier, token: &str) -> String {
        match verifier.verify(token) {
            Err(ApiError::Unauthorized(why)) => why,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn tokens_of_the_host_application_are_verified_with_its_public_key() {
        // Keys made for these tests only, with `openssl genpkey`.
        let cases = [
            (
                Algorithm::EdDSA,
                EncodingKey::from_ed_pem(include_bytes!("../test-keys/ed25519.pem")).unwrap(),
                include_str!("../test-keys/ed25519.pub.pem"),
            ),
            (
                Algorithm::RS256,
                EncodingKey::from_rsa_pem(include_bytes!("../test-keys/rsa.pem")).unwrap(),
                include_str!("../test-keys/rsa.pub.pem"),
            ),
        ];
        for (algorithm, private, public) in cases {
            let verifier = TokenVerifier::public_key(public).unwrap();
            let caller = verifier
                .verify(&sign(algorithm, &private, &claims("events:write", None)))
                .unwrap();
            assert_eq!(caller.company.as_str(), "acme");
            assert!(caller.scopes.contains(Scope::EventsWrite));
            let forged = TokenVerifier::hs256(SECRET)
                .unwrap()
                .sign(&claims("events:write", None))
                .unwrap();
            assert!(
                matches!(verifier.verify(&forged), Err(ApiError::Unauthorized(_))),
                "{algorithm:?}"
            );
            assert!(!verifier.can_sign(), "a public key cannot sign in anyone");
        }
    }

    #[test]
    fn a_token_verified_once_is_taken_again_but_not_a_changed_copy_of_it() {
        let verifier = TokenVerifier::hs256(SECRET).unwrap();
        let token = verifier.sign(&claims("events:write", None)).unwrap();
        for _ in 0..2 {
            let caller = verifier.verify(&token).unwrap();
            assert_eq!(
                (caller.company.as_str(), caller.user.as_str()),
                ("acme", "u1")
            );
        }
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let first = if signature.starts_with('A') { "B" } else { "A" };
        let altered = format!("{signed}.{first}{}", &signature[1..]);
        assert_eq!(refusal(&verifier, &altered), "invalid token: bad signature");
        // Past its exp but within the leeway: taken again from the memory as it was the first time.
        let just_expired = TokenClaims {
            exp: chrono::Utc::now().timestamp() - 10,
            ..claims("events:write", None)
        };
        let just_expired = verifier.sign(&just_expired).unwrap();
        for _ in 0..2 {
            assert!(verifier.verify(&just_expired).is_ok());
        }
        let other_claims = verifier.sign(&claims("logs:read", None)).unwrap();
        let (other_signed, _) = other_claims.rsplit_once('.').unwrap();
        assert_eq!(
            refusal(&verifier, &format!("{other_signed}.{signature}")),
            "invalid token: bad signature"
        );
    }

    #[test]
    fn numbered_rights_grant_scopes_through_the_map() {
        let verifier = TokenVerifier::hs256(SECRET).unwrap();
        let token = verifier.sign(&claims("", Some(vec![2, 9]))).unwrap();
        assert_eq!(
            verifier.verify(&token).unwrap().scopes.to_claim(),
            "logs:read"
        );
        let verifier = verifier.with_rights(HashMap::from([(9, Scope::SitesManage)]));
        assert_eq!(
            verifier.verify(&token).unwrap().scopes.to_claim(),
            "sites:manage"
        );
    }

    #[test]
    fn tokens_of_histo_carry_the_configured_issuer_and_audience() {
        let verifier = TokenVerifier::hs256(SECRET)
            .unwrap()
            .with_issuer("histo")
            .with_audience("erp");
        let caller = verifier
            .verify(&verifier.sign(&claims("logs:read", None)).unwrap())
            .unwrap();
        assert_eq!(caller.scopes.to_claim(), "logs:read");
        assert_eq!(caller.signed_in_at, None, "not a password sign-in");
    }

    #[test]
    fn a_configured_audience_is_required_and_must_match() {
        let verifier = TokenVerifier::hs256(SECRET).unwrap().with_audience("erp");
        let key = EncodingKey::from_secret(SECRET);
        let with_aud = |aud: serde_json::Value| {
            let mut body = serde_json::to_value(claims("logs:read", None)).unwrap();
            if !aud.is_null() {
                body["aud"] = aud;
            }
            sign(Algorithm::HS256, &key, &body)
        };
        assert!(verifier.verify(&with_aud("erp".into())).is_ok());
        assert!(verifier
            .verify(&with_aud(serde_json::json!(["x", "erp"])))
            .is_ok());
        assert_eq!(
            refusal(&verifier, &with_aud(serde_json::Value::Null)),
            "invalid token: the claim 'aud' is missing"
        );
        for wrong in [serde_json::json!(5), serde_json::json!({"x": 1})] {
            assert_eq!(
                refusal(&verifier, &with_aud(wrong)),
                "invalid token: the claim 'aud' is missing"
            );
        }
        assert_eq!(
            refusal(&verifier, &with_aud("other".into())),
            "invalid token: wrong audience"
        );
    }

    #[test]
    fn a_token_is_refused_before_its_nbf() {
        let verifier = TokenVerifier::hs256(SECRET).unwrap();
        let mut later = claims("logs:read", None);
        later.nbf = Some(chrono::Utc::now().timestamp() + 365 * 24 * 3600);
        later.exp += 400 * 24 * 3600;
        assert_eq!(
            refusal(&verifier, &verifier.sign(&later).unwrap()),
            "invalid token: it is not valid yet (nbf)"
        );
        later.nbf = Some(chrono::Utc::now().timestamp() - 5);
        assert!(verifier.verify(&verifier.sign(&later).unwrap()).is_ok());
    }

    #[test]
    fn a_password_sign_in_is_told_apart_and_needs_iat() {
        let verifier = TokenVerifier::hs256(SECRET).unwrap();
        let signed_in = claims("logs:read", None).signed_in_with_password();
        let caller = verifier
            .verify(&verifier.sign(&signed_in).unwrap())
            .unwrap();
        assert_eq!(caller.signed_in_at, signed_in.iat);
        let without_iat = TokenClaims {
            iat: None,
            ..signed_in
        };
        assert_eq!(
            refusal(&verifier, &verifier.sign(&without_iat).unwrap()),
            "invalid token: a password sign-in without 'iat'"
        );
    }

    #[test]
    fn short_secrets_and_issuer_mismatches_are_refused() {
        assert!(matches!(
            TokenVerifier::hs256(&[b'x'; MIN_SECRET_BYTES - 1]),
            Err(KeyError::SecretTooShort)
        ));
        let shortest = TokenVerifier::hs256(&[b'x'; MIN_SECRET_BYTES]).unwrap();
        assert!(shortest.can_sign(), "a secret signs Histo's own tokens");
        let unconfigured = TokenVerifier::hs256(SECRET).unwrap();
        let verifier = TokenVerifier::hs256(SECRET).unwrap().with_issuer("erp");
        assert_eq!(
            refusal(
                &verifier,
                &unconfigured.sign(&claims("logs:read", None)).unwrap()
            ),
            "invalid token: the claim 'iss' is missing"
        );
    }

    #[test]
    fn each_refusal_says_what_is_wrong_with_the_token() {
        let verifier = TokenVerifier::hs256(SECRET).unwrap().with_issuer("erp");
        let good = claims("logs:read", None);
        let issued = |claims: &TokenClaims, iss: &str| {
            let mut body = serde_json::to_value(claims).unwrap();
            body["iss"] = iss.into();
            sign(Algorithm::HS256, &EncodingKey::from_secret(SECRET), &body)
        };
        let expired = TokenClaims {
            exp: chrono::Utc::now().timestamp() - 3600,
            ..good.clone()
        };
        let other_key = EncodingKey::from_secret(b"another-secret-of-thirty-two-bytes!!");
        let mut forged = serde_json::to_value(&good).unwrap();
        forged["iss"] = "erp".into();
        let rsa = EncodingKey::from_rsa_pem(include_bytes!("../test-keys/rsa.pem")).unwrap();
        let cases = [
            (issued(&expired, "erp"), "invalid token: it has expired"),
            (
                sign(Algorithm::HS256, &other_key, &forged),
                "invalid token: bad signature",
            ),
            (
                sign(Algorithm::RS256, &rsa, &forged),
                "invalid token: unexpected signing algorithm",
            ),
            (issued(&good, "other"), "invalid token: wrong issuer"),
            ("not.a.token".to_owned(), "invalid token: malformed"),
            (
                issued(
                    &TokenClaims {
                        company: "a b".into(),
                        ..good.clone()
                    },
                    "erp",
                ),
                "invalid token: company may only contain letters, digits, '_', '.' and '-'",
            ),
            (
                issued(
                    &TokenClaims {
                        sub: String::new(),
                        ..good.clone()
                    },
                    "erp",
                ),
                "invalid token: sub must not be empty",
            ),
        ];
        for (token, expected) in cases {
            assert_eq!(refusal(&verifier, &token), expected);
        }
    }

    fn request(authorization: Option<&str>, verifier: Option<TokenVerifier>) -> HttpRequest {
        let mut request = actix_web::test::TestRequest::default();
        if let Some(value) = authorization {
            request = request.insert_header((header::AUTHORIZATION, value));
        }
        if let Some(verifier) = verifier {
            request = request.app_data(web::Data::new(verifier));
        }
        request.to_http_request()
    }

    #[test]
    fn the_bearer_token_is_read_from_the_authorization_header() {
        let cases = [
            (Some("Bearer abc.def"), Some("abc.def")),
            (Some("  bearer   abc.def  "), Some("abc.def")),
            (Some("BEARER abc"), Some("abc")),
            (Some("Basic abc"), None),
            (Some("Bearer    "), None),
            (Some("Bearer"), None),
            (Some("Bearerabc"), None),
            (None, None),
        ];
        for (header, token) in cases {
            assert_eq!(bearer_token(&request(header, None)), token, "{header:?}");
        }
        let not_text = actix_web::test::TestRequest::default()
            .insert_header((
                header::AUTHORIZATION,
                header::HeaderValue::from_bytes(b"Bearer \xff").unwrap(),
            ))
            .to_http_request();
        assert_eq!(bearer_token(&not_text), None);
    }

    #[test]
    fn a_route_takes_only_a_verified_token_holding_its_scope() {
        let verifier = || TokenVerifier::hs256(SECRET).unwrap();
        let token = verifier().sign(&claims("logs:read", None)).unwrap();
        let bearer = format!("Bearer {token}");
        let why = |result: Result<Caller, ApiError>| match result {
            Err(ApiError::Unauthorized(why) | ApiError::Forbidden(why)) => why,
            other => panic!("not refused: {other:?}"),
        };
        assert_eq!(
            why(authorize::<LogsRead>(&request(Some(&bearer), None))),
            "token verification is not configured"
        );
        assert_eq!(
            why(authorize::<LogsRead>(&request(None, Some(verifier())))),
            "a bearer token is required (Authorization: Bearer …)"
        );
        assert_eq!(
            why(authorize::<LogsRead>(&request(
                Some("Bearer x.y.z"),
                Some(verifier())
            ))),
            "invalid token: malformed"
        );
        assert!(matches!(
            authorize::<SitesManage>(&request(Some(&bearer), Some(verifier()))),
            Err(ApiError::Forbidden(why)) if why == "this token lacks the scope 'sites:manage'"
        ));
        let caller = authorize::<LogsRead>(&request(Some(&bearer), Some(verifier()))).unwrap();
        assert_eq!(
            (caller.company.as_str(), caller.user.as_str()),
            ("acme", "u1")
        );
    }
}
