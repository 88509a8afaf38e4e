//! Who is calling: the bearer token is verified once, in one extractor, which hands the handler a
//! `Caller` of one company holding the scope the route needs — or refuses with 401 or 403.

use std::collections::HashMap;
use std::future::{ready, Ready};
use std::marker::PhantomData;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use histo_domain::{CompanyId, Scope, Scopes, UserCode};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// The shortest HS256 secret taken.
pub const MIN_SECRET_BYTES: usize = 32;

/// The claims of a Histo token (RFC 9068 style).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user code.
    pub sub: String,
    pub company: String,
    /// Space-separated scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Numbered rights of the host application, turned into scopes by the rights map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rights: Option<Vec<i64>>,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
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
}

/// A token signed by Histo carries the configured issuer and audience, so that its own verifier
/// takes it.
#[derive(Serialize)]
struct Issued<'a> {
    #[serde(flatten)]
    claims: &'a Claims,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
}

/// The right numbers of the host application that grant scopes by default: right no. 2 reads the logs.
pub fn default_rights() -> HashMap<i64, Scope> {
    HashMap::from([(2, Scope::LogsRead)])
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
        validation.leeway = 30;
        TokenVerifier {
            key,
            validation,
            rights: default_rights(),
            signing_key: None,
            issuer: None,
            audience: None,
        }
    }

    pub fn with_issuer(mut self, issuer: &str) -> Self {
        self.issuer = Some(issuer.to_owned());
        self.validation.set_issuer(&[issuer]);
        self.validation.set_required_spec_claims(&["exp", "iss"]);
        self
    }

    pub fn with_audience(mut self, audience: &str) -> Self {
        self.audience = Some(audience.to_owned());
        self.validation.set_audience(&[audience]);
        self.validation.validate_aud = true;
        self
    }

    pub fn with_rights(mut self, rights: HashMap<i64, Scope>) -> Self {
        self.rights = rights;
        self
    }

    /// Whether [`TokenVerifier::sign`] can: only with a secret.
    pub fn can_sign(&self) -> bool {
        self.signing_key.is_some()
    }

    /// Signs a token of Histo's own sign-in; only a verifier built from a secret can.
    pub fn sign(&self, claims: &Claims) -> Result<String, KeyError> {
        let key = self.signing_key.as_ref().ok_or(KeyError::CannotSign)?;
        let issued = Issued {
            claims,
            iss: self.issuer.as_deref(),
            aud: self.audience.as_deref(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &issued, key)
            .map_err(|_| KeyError::CannotSign)
    }

    /// Checks the signature, the expiry and the claims of a token.
    pub fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        let unauthorized = |why: &str| ApiError::Unauthorized(format!("invalid token: {why}"));
        let data =
            jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation).map_err(|e| {
                use jsonwebtoken::errors::ErrorKind::*;
                match e.kind() {
                    ExpiredSignature => unauthorized("it has expired"),
                    InvalidSignature => unauthorized("bad signature"),
                    InvalidAlgorithm | InvalidAlgorithmName => {
                        unauthorized("unexpected signing algorithm")
                    }
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
        let from_rights = claims
            .rights
            .iter()
            .flatten()
            .filter_map(|r| self.rights.get(r).copied());
        let scopes = Scopes::parse_claim(claims.scope.as_deref().unwrap_or(""))
            .iter()
            .chain(from_rights)
            .collect();
        Ok(Caller {
            company,
            user,
            scopes,
        })
    }
}

/// Signs an HS256 token: for `histo token`, for sign-in and for tests.
pub fn mint(secret: &[u8], claims: &Claims) -> Result<String, KeyError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(KeyError::SecretTooShort);
    }
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .map_err(|_| KeyError::SecretTooShort)
}

/// The verified caller: one user of one company, with their scopes.
#[derive(Debug, Clone)]
pub struct Caller {
    pub company: CompanyId,
    pub user: UserCode,
    pub scopes: Scopes,
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
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authorize::<S>(req))
    }
}

fn authorize<S: RequiredScope>(req: &HttpRequest) -> Result<Authorized<S>, ApiError> {
    let verifier = req
        .app_data::<web::Data<TokenVerifier>>()
        .ok_or_else(|| ApiError::Unauthorized("token verification is not configured".into()))?;
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("a bearer token is required (Authorization: Bearer …)".into())
        })?;
    let caller = verifier.verify(token)?;
    if !caller.scopes.contains(S::SCOPE) {
        return Err(ApiError::Forbidden(format!(
            "this token lacks the scope '{}'",
            S::SCOPE
        )));
    }
    Ok(Authorized {
        caller,
        scope: PhantomData,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(scope: &str, rights: Option<Vec<i64>>) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: "u1".into(),
            company: "acme".into(),
            scope: Some(scope.into()),
            rights,
            exp: now + 60,
            iat: Some(now),
        }
    }

    fn sign(algorithm: Algorithm, key: EncodingKey, claims: &Claims) -> String {
        jsonwebtoken::encode(&Header::new(algorithm), claims, &key).unwrap()
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
                .verify(&sign(algorithm, private, &claims("events:write", None)))
                .unwrap();
            assert_eq!(caller.company.as_str(), "acme");
            assert!(caller.scopes.contains(Scope::EventsWrite));
            let forged = mint(
                b"a-secret-of-at-least-thirty-two-bytes!!",
                &claims("events:write", None),
            )
            .unwrap();
            assert!(
                matches!(verifier.verify(&forged), Err(ApiError::Unauthorized(_))),
                "{algorithm:?}"
            );
            assert!(!verifier.can_sign(), "a public key cannot sign in anyone");
        }
    }

    #[test]
    fn numbered_rights_grant_scopes_through_the_map() {
        let secret = b"a-secret-of-at-least-thirty-two-bytes!!";
        let verifier = TokenVerifier::hs256(secret).unwrap();
        let caller = verifier
            .verify(&mint(secret, &claims("", Some(vec![2, 9]))).unwrap())
            .unwrap();
        assert_eq!(caller.scopes.to_claim(), "logs:read");
        let verifier = verifier.with_rights(HashMap::from([(9, Scope::SitesManage)]));
        let caller = verifier
            .verify(&mint(secret, &claims("", Some(vec![2, 9]))).unwrap())
            .unwrap();
        assert_eq!(caller.scopes.to_claim(), "sites:manage");
    }

    #[test]
    fn tokens_of_the_sign_in_carry_the_configured_issuer_and_audience() {
        let secret = b"a-secret-of-at-least-thirty-two-bytes!!";
        let verifier = TokenVerifier::hs256(secret)
            .unwrap()
            .with_issuer("histo")
            .with_audience("erp");
        let caller = verifier
            .verify(&verifier.sign(&claims("logs:read", None)).unwrap())
            .unwrap();
        assert_eq!(caller.scopes.to_claim(), "logs:read");
    }

    #[test]
    fn short_secrets_and_issuer_mismatches_are_refused() {
        assert!(matches!(
            TokenVerifier::hs256(b"short"),
            Err(KeyError::SecretTooShort)
        ));
        let secret = b"a-secret-of-at-least-thirty-two-bytes!!";
        let verifier = TokenVerifier::hs256(secret).unwrap().with_issuer("erp");
        assert!(verifier
            .verify(&mint(secret, &claims("logs:read", None)).unwrap())
            .is_err());
    }
}
