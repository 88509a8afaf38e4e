//! What a token allows: the four scopes of Histo (RFC 9068 style, space-separated in the `scope` claim).

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
}
