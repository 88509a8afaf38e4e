//! Names of companies, sites and users, and the short support codes: short, plain tokens, so that no
//! free text (and no personal datum other than the user code) ever gets into the logs.

use histo_api_types::limits::{CODE_MAX_CHARS, SITE_NAME_MAX_CHARS};
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

fn check(value: &str, allowed: &'static str, ok: fn(u8) -> bool) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty);
    }
    if value.len() > CODE_MAX_CHARS {
        return Err(IdError::TooLong {
            max: CODE_MAX_CHARS,
        });
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
    ($(#[$meta:meta])* $name:ident, $allowed:literal, $ok:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn parse(value: &str) -> Result<Self, IdError> {
                check(value, $allowed, $ok).map(|()| $name(value.to_owned()))
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
    CompanyId, "letters, digits, '_', '.' and '-'", name_byte
);
token!(
    /// A site (branch) of a company.
    SiteCode, "letters, digits, '_', '.' and '-'", name_byte
);
token!(
    /// The user of the host application who used a feature: the only personal datum Histo keeps.
    UserCode, "letters, digits, '_', '.' and '-'", name_byte
);
token!(
    /// A short machine token for support, such as `SMTP_AUTH` or `HTTP_429`.
    SupportCode, "letters, digits, '_', '.', ':' and '-'", support_byte
);

/// The display name of a site, as people read it in the web app and the audit trail: trimmed,
/// NFC-normalised, 1–100 characters, with no control, format (bidi, zero-width), private-use,
/// unassigned or line-separating character, so that no name can pass for another.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SiteName(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    #[error("must be 1 to {SITE_NAME_MAX_CHARS} characters")]
    Length,
    #[error("must not contain the invisible or control character U+{0:04X}")]
    Invisible(u32),
}

impl SiteName {
    pub fn parse(text: &str) -> Result<SiteName, NameError> {
        use unicode_normalization::UnicodeNormalization;
        use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};
        let name: String = text.trim().nfc().collect();
        if let Some(bad) = name.chars().find(|c| {
            c.general_category_group() == GeneralCategoryGroup::Other
                || matches!(
                    c.general_category(),
                    GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator
                )
        }) {
            return Err(NameError::Invisible(bad.into()));
        }
        let length = name.chars().count();
        if length == 0 || length > SITE_NAME_MAX_CHARS {
            return Err(NameError::Length);
        }
        Ok(SiteName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_are_visible_text_only() {
        assert_eq!(
            SiteName::parse("  Lyon Part-Dieu ").unwrap().into_string(),
            "Lyon Part-Dieu"
        );
        // "é" typed as e + combining accent is stored composed.
        assert_eq!(
            SiteName::parse("Ge\u{301}nes").unwrap().as_str(),
            "G\u{e9}nes"
        );
        for invisible in [
            "LYON\u{202e}NOYL",
            "LY\u{200b}ON",
            "LYON\u{2066}",
            "A\u{0}B",
            "A\tB",
            "A\u{2028}B",
            "\u{feff}LYON",
            "A\u{e000}",
        ] {
            assert!(
                matches!(SiteName::parse(invisible), Err(NameError::Invisible(_))),
                "{invisible:?}"
            );
        }
        assert_eq!(SiteName::parse("   "), Err(NameError::Length));
        assert_eq!(SiteName::parse(&"é".repeat(101)), Err(NameError::Length));
        assert!(SiteName::parse(&"é".repeat(100)).is_ok());
    }

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
