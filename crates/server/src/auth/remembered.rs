//! Tokens already verified, remembered until they expire: the host application sends every event
//! of a company with the same token, and checking its signature and reading its claims again on
//! each request costs more than storing a single event's row. Only a token that passed every check
//! is remembered, found again only by its exact text, and still refused once it has expired. The
//! memory is bounded in tokens and in the length of each; when it is full, the expired ones go
//! first, then all of them.

use std::collections::HashMap;
use std::sync::Mutex;

use super::Caller;

/// Tokens remembered at most.
const REMEMBERED: usize = 4_096;
/// A longer token is verified on every request rather than remembered.
const LONGEST_REMEMBERED: usize = 2_048;

/// What the memory says of a token.
#[derive(Debug)]
pub(super) enum Recalled {
    /// Verified earlier and still valid.
    Valid(Caller),
    /// Verified earlier, now past its expiry (and forgotten).
    Expired,
}

#[derive(Default)]
pub(super) struct RememberedTokens {
    tokens: Mutex<HashMap<Box<str>, Verified>>,
}

struct Verified {
    caller: Caller,
    /// The last second (since 1970) the token is taken, its leeway included.
    valid_until: i64,
}

impl RememberedTokens {
    /// What was verified of `token`, at `now` (seconds since 1970); `None` when it is not
    /// remembered.
    pub(super) fn recall(&self, token: &str, now: i64) -> Option<Recalled> {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let verified = tokens.get(token)?;
        if now <= verified.valid_until {
            return Some(Recalled::Valid(verified.caller.clone()));
        }
        tokens.remove(token);
        Some(Recalled::Expired)
    }

    /// Remembers a token that passed every check, taken until `valid_until`.
    pub(super) fn remember(&self, token: &str, caller: &Caller, valid_until: i64, now: i64) {
        if token.len() > LONGEST_REMEMBERED {
            return;
        }
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if tokens.len() >= REMEMBERED {
            tokens.retain(|_, verified| now <= verified.valid_until);
            if tokens.len() >= REMEMBERED {
                tokens.clear();
            }
        }
        tokens.insert(
            token.into(),
            Verified {
                caller: caller.clone(),
                valid_until,
            },
        );
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.tokens.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use histo_domain::{CompanyId, Scopes, UserCode};

    use super::*;

    fn caller(company: &str) -> Caller {
        Caller {
            company: CompanyId::parse(company).unwrap(),
            user: UserCode::parse("u1").unwrap(),
            scopes: Scopes::parse_claim("events:write"),
            signed_in_at: None,
        }
    }

    fn recalled_company(memory: &RememberedTokens, token: &str, now: i64) -> Option<String> {
        match memory.recall(token, now)? {
            Recalled::Valid(caller) => Some(caller.company.as_str().to_owned()),
            Recalled::Expired => Some("expired".to_owned()),
        }
    }

    #[test]
    fn a_token_is_recalled_until_it_expires_then_forgotten() {
        let memory = RememberedTokens::default();
        assert_eq!(recalled_company(&memory, "a.b.c", 100), None);
        memory.remember("a.b.c", &caller("acme"), 160, 100);
        assert_eq!(
            recalled_company(&memory, "a.b.c", 100).as_deref(),
            Some("acme")
        );
        assert_eq!(
            recalled_company(&memory, "a.b.c", 160).as_deref(),
            Some("acme")
        );
        assert_eq!(
            recalled_company(&memory, "a.b.c", 161).as_deref(),
            Some("expired")
        );
        assert_eq!(
            recalled_company(&memory, "a.b.c", 100),
            None,
            "forgotten once expired"
        );
        assert_eq!(memory.len(), 0);
    }

    #[test]
    fn only_the_exact_token_is_recalled() {
        let memory = RememberedTokens::default();
        memory.remember("a.b.c", &caller("acme"), 160, 100);
        for other in ["a.b.C", "a.b.c ", "a.b.", "a.b.cd", ""] {
            assert_eq!(recalled_company(&memory, other, 100), None, "{other:?}");
        }
    }

    #[test]
    fn a_long_token_is_not_remembered() {
        let memory = RememberedTokens::default();
        memory.remember(
            &"x".repeat(LONGEST_REMEMBERED + 1),
            &caller("acme"),
            160,
            100,
        );
        assert_eq!(memory.len(), 0);
        memory.remember(&"x".repeat(LONGEST_REMEMBERED), &caller("acme"), 160, 100);
        assert_eq!(memory.len(), 1);
    }

    #[test]
    fn a_full_memory_drops_the_expired_tokens_first_then_all() {
        let memory = RememberedTokens::default();
        // Half of the tokens valid until 200, half until 100.
        for n in 0..REMEMBERED {
            memory.remember(
                &format!("t{n}"),
                &caller("acme"),
                100 + (n % 2) as i64 * 100,
                100,
            );
        }
        assert_eq!(memory.len(), REMEMBERED);
        memory.remember("newest", &caller("zenith"), 500, 150);
        assert_eq!(memory.len(), REMEMBERED / 2 + 1);
        assert_eq!(
            recalled_company(&memory, "t1", 150).as_deref(),
            Some("acme")
        );
        assert_eq!(
            recalled_company(&memory, "t2", 150),
            None,
            "expired, dropped"
        );
        assert_eq!(
            recalled_company(&memory, "newest", 150).as_deref(),
            Some("zenith")
        );
        // Full of valid tokens: they all go.
        for n in 0..REMEMBERED {
            memory.remember(&format!("v{n}"), &caller("acme"), 400, 150);
            assert!(memory.len() <= REMEMBERED, "{}", memory.len());
        }
        assert_eq!(
            recalled_company(&memory, "t1", 150),
            None,
            "dropped with the others"
        );
        assert_eq!(
            recalled_company(&memory, "v0", 150),
            None,
            "dropped with the others"
        );
        let last = format!("v{}", REMEMBERED - 1);
        assert_eq!(
            recalled_company(&memory, &last, 150).as_deref(),
            Some("acme")
        );
    }
}
