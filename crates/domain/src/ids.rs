//! Names of companies, sites and users, and the short support codes: short, plain tokens, so that no
//! free text (and no personal datum other than the user code) ever gets into the logs.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("may only contain {allowed}")]
    BadCharacter { allowed: &'static str },
}

fn check(
    value: &str,
    max: usize,
    allowed: &'static str,
    ok: fn(u8) -> bool,
) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty);
    }
    if value.len() > max {
        return Err(IdError::TooLong { max });
    }
    if !value.bytes().all(ok) {
        return Err(IdError::BadCharacter { allowed });
    }
    Ok(())
}

fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

fn support_byte(b: u8) -> bool {
    name_byte(b) || b == b':'
}

/// Declares a validated string newtype.
macro_rules! token {
    ($(#[$meta:meta])* $name:ident, $max:expr, $allowed:literal, $ok:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn parse(value: &str) -> Result<Self, IdError> {
                check(value, $max, $allowed, $ok).map(|()| $name(value.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

token!(
    /// A company, the tenant: every row, query and token belongs to exactly one.
    CompanyId, 64, "letters, digits, '_', '.' and '-'", name_byte
);
token!(
    /// A site (branch) of a company.
    SiteCode, 64, "letters, digits, '_', '.' and '-'", name_byte
);
token!(
    /// The user of the host application who used a feature: the only personal datum Histo keeps.
    UserCode, 64, "letters, digits, '_', '.' and '-'", name_byte
);
token!(
    /// A short machine token for support, such as `SMTP_AUTH` or `HTTP_429`.
    SupportCode, 64, "letters, digits, '_', '.', ':' and '-'", support_byte
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_accept_plain_tokens_only() {
        assert!(SiteCode::parse("LYON-01.b_2").is_ok());
        assert_eq!(SiteCode::parse(""), Err(IdError::Empty));
        assert_eq!(
            SiteCode::parse(&"a".repeat(65)),
            Err(IdError::TooLong { max: 64 })
        );
        assert!(SiteCode::parse(&"a".repeat(64)).is_ok());
        assert!(matches!(
            UserCode::parse("jean dupont"),
            Err(IdError::BadCharacter { .. })
        ));
        assert!(matches!(
            UserCode::parse("jean@example.fr"),
            Err(IdError::BadCharacter { .. })
        ));
        assert!(matches!(
            CompanyId::parse("é"),
            Err(IdError::BadCharacter { .. })
        ));
        assert!(SupportCode::parse("HTTP:429").is_ok());
        assert!(SiteCode::parse("HTTP:429").is_err());
    }
}
