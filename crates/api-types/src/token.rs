//! What a Histo token says: its claims and the four scopes (RFC 9068 style, space-separated in the
//! `scope` claim). The server checks tokens against them; the web app reads the same claims, without
//! checking them, only to choose which pages it offers.

use serde::{Deserialize, Serialize};

/// One right over a company's logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Statistics, log details and exports ("right no. 2").
    LogsRead,
    /// Recording events (the host application).
    EventsWrite,
    /// Hiding and showing sites ("authorised users").
    SitesManage,
    /// The retention period, with the company's admin password on every change.
    SettingsAdmin,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::LogsRead,
        Scope::EventsWrite,
        Scope::SitesManage,
        Scope::SettingsAdmin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Scope::LogsRead => "logs:read",
            Scope::EventsWrite => "events:write",
            Scope::SitesManage => "sites:manage",
            Scope::SettingsAdmin => "settings:admin",
        }
    }

    pub fn parse(code: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.code() == code)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The set of scopes a token carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scopes(u8);

impl Scopes {
    /// Reads a space-separated `scope` claim; scopes of other services are ignored.
    pub fn parse_claim(claim: &str) -> Scopes {
        claim
            .split_ascii_whitespace()
            .filter_map(Scope::parse)
            .collect()
    }

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn with(self, scope: Scope) -> Scopes {
        Scopes(self.0 | scope.bit())
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// The claim form: codes separated by spaces.
    pub fn to_claim(self) -> String {
        self.iter().map(Scope::code).collect::<Vec<_>>().join(" ")
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        iter.into_iter().fold(Scopes::default(), Scopes::with)
    }
}

/// The numbered rights of the host application that grant a scope unless the server is configured
/// otherwise: right no. 2 reads the logs.
pub const DEFAULT_RIGHTS: [(i64, Scope); 1] = [(2, Scope::LogsRead)];

/// The `amr` value of tokens made by Histo's sign-in.
const PASSWORD_SIGN_IN: &str = "pwd";

/// The claims of a Histo token. `iss` and `aud` are added by the server's signer, from its
/// configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// The user code.
    pub sub: String,
    pub company: String,
    /// Space-separated scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Numbered rights of the host application, turned into scopes by the rights map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rights: Option<Vec<i64>>,
    /// When the token ends (seconds since 1970).
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Not valid before this time (seconds since 1970).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// How the user proved who they are (RFC 8176): `pwd` for Histo's own sign-in, whose tokens end
    /// when the account's password changes or the account is removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amr: Option<Vec<String>>,
}

impl TokenClaims {
    /// The claims of a token for `user` of `company` with `scopes`, issued at `now` (seconds since
    /// 1970) and valid for `lifetime` seconds.
    pub fn new(company: &str, user: &str, scopes: Scopes, now: i64, lifetime: u64) -> TokenClaims {
        TokenClaims {
            sub: user.to_owned(),
            company: company.to_owned(),
            scope: Some(scopes.to_claim()),
            rights: None,
            exp: now.saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX)),
            iat: Some(now),
            nbf: None,
            amr: None,
        }
    }

    /// Marks the token as made by Histo's sign-in with an account's password.
    pub fn signed_in_with_password(mut self) -> TokenClaims {
        self.amr = Some(vec![PASSWORD_SIGN_IN.to_owned()]);
        self
    }

    /// Whether the token was made by Histo's sign-in with an account's password.
    pub fn by_password(&self) -> bool {
        self.amr
            .iter()
            .flatten()
            .any(|method| method == PASSWORD_SIGN_IN)
    }

    /// The scopes the token grants: those of its `scope` claim, and those its numbered rights are
    /// given by `right` (the server's rights map).
    pub fn scopes(&self, right: impl Fn(i64) -> Option<Scope>) -> Scopes {
        let from_rights = self.rights.iter().flatten().filter_map(|r| right(*r));
        Scopes::parse_claim(self.scope.as_deref().unwrap_or(""))
            .iter()
            .chain(from_rights)
            .collect()
    }
}

/// The scope that `right` grants by default ([`DEFAULT_RIGHTS`]).
pub fn default_right(right: i64) -> Option<Scope> {
    DEFAULT_RIGHTS
        .iter()
        .find_map(|(number, scope)| (*number == right).then_some(*scope))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_read_known_scopes_and_skip_others() {
        let scopes = Scopes::parse_claim("openid logs:read  events:write");
        assert!(scopes.contains(Scope::LogsRead));
        assert!(scopes.contains(Scope::EventsWrite));
        assert!(!scopes.contains(Scope::SettingsAdmin));
        assert_eq!(scopes.to_claim(), "logs:read events:write");
        assert_eq!(Scopes::parse_claim(""), Scopes::default());
    }

    #[test]
    fn each_scope_reads_back_from_its_code_alone() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(&scope.to_string()), Some(scope));
            let alone = Scopes::parse_claim(scope.code());
            assert_eq!(alone.iter().collect::<Vec<_>>(), [scope]);
            assert_eq!(alone.with(scope), alone, "granting a scope twice keeps it");
        }
    }

    #[test]
    fn a_token_grants_its_scopes_and_what_its_rights_are_mapped_to() {
        let claims = TokenClaims {
            rights: Some(vec![2, 7]),
            ..TokenClaims::new("acme", "u1", Scopes::parse_claim("sites:manage"), 100, 60)
        };
        assert_eq!((claims.iat, claims.exp), (Some(100), 160));
        let granted = claims.scopes(default_right);
        assert_eq!(
            granted.iter().collect::<Vec<_>>(),
            [Scope::LogsRead, Scope::SitesManage]
        );
        let none = TokenClaims {
            scope: None,
            rights: None,
            ..claims.clone()
        };
        assert_eq!(none.scopes(default_right), Scopes::default());
        assert_eq!(default_right(7), None);
    }

    #[test]
    fn only_a_password_sign_in_is_marked_so() {
        let claims = TokenClaims::new("acme", "u1", Scopes::default(), 0, u64::MAX);
        assert_eq!(
            claims.exp,
            i64::MAX,
            "a lifetime too long for the clock ends at its end"
        );
        assert!(!claims.by_password());
        assert!(claims.signed_in_with_password().by_password());
    }
}
