//! Passwords of accounts and of company administrators: stored only as Argon2 hashes (PHC strings with
//! their own random salt), checked by argon2's verification, which compares in constant time. Each
//! check takes tens of milliseconds and 19 MiB: the server runs a few at a time, on threads of their
//! own, and turns away what would wait too long, so that a flood of sign-ins never holds up reads.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The shortest password taken.
pub const MIN_LENGTH: usize = 8;
/// The longest password taken (in characters); a longer one is refused before any hashing.
pub const MAX_LENGTH: usize = 1_024;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must be at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("the password must be at most {MAX_LENGTH} characters")]
    TooLong,
    #[error("the password cannot be hashed: {0}")]
    Hash(String),
}

/// The Argon2 hash of a new password.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordError::TooLong);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches a stored hash; an unreadable hash matches nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(error) => {
            tracing::error!(%error, "a stored password hash is unreadable");
            false
        }
    }
}

/// The server's password checks: at most `running` at once on blocking threads, at most `queue` more
/// waiting; beyond that a check is turned away at once ([`Busy`]).
#[derive(Debug, Clone)]
pub struct PasswordChecks {
    running: Arc<tokio::sync::Semaphore>,
    waiting: Arc<AtomicUsize>,
    queue: usize,
}

/// Too many password checks are running and waiting: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub retry_after: Duration,
}

impl PasswordChecks {
    pub fn new(running: usize, queue: usize) -> PasswordChecks {
        PasswordChecks {
            running: Arc::new(tokio::sync::Semaphore::new(running.max(1))),
            waiting: Arc::new(AtomicUsize::new(0)),
            queue,
        }
    }

    /// How many run at once by default: one per core but one, so that a core stays for everything
    /// else; and how many more may wait.
    pub fn default_size() -> (usize, usize) {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        (cores.saturating_sub(1).max(1), 16)
    }

    /// Whether `password` matches `stored`. Without a stored hash, a made-up one is checked all the
    /// same, so that the time taken does not tell whether an account exists.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Busy> {
        self.run(move || match stored {
            Some(stored) => verify(&password, &stored),
            None => {
                let _ = verify(&password, unknown_account_hash());
                false
            }
        })
        .await
        .map(|right| right.unwrap_or(false))
    }

    /// Runs `work` when a place is free; `Busy` when too many already wait.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<Option<T>, Busy> {
        let busy = Busy {
            retry_after: Duration::from_secs(1),
        };
        let permit = match self.running.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(busy);
                }
                let permit = self.running.clone().acquire_owned().await;
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                permit.map_err(|_| busy)?
            }
        };
        let done = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await;
        Ok(done.ok())
    }
}

fn unknown_account_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash("no account has this password").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse", &stored));
        assert!(!verify("correct horsf", &stored));
        assert!(!verify("correct horse", "not a hash"));
        assert!(matches!(hash("short"), Err(PasswordError::TooShort)));
        assert!(matches!(
            hash(&"x".repeat(MAX_LENGTH + 1)),
            Err(PasswordError::TooLong)
        ));
    }

    #[tokio::test]
    async fn checks_beyond_the_running_and_waiting_ones_are_turned_away() {
        let checks = PasswordChecks::new(1, 2);
        let stored = hash("correct horse").unwrap();
        let attempts = (0..6).map(|_| checks.verify("wrong horse!".into(), Some(stored.clone())));
        let answers = futures_util::future::join_all(attempts).await;
        let busy = answers.iter().filter(|a| a.is_err()).count();
        assert_eq!(busy, 3, "{answers:?}");
        assert!(answers.iter().flatten().all(|right| !right));
        assert_eq!(
            checks.verify("correct horse".into(), Some(stored)).await,
            Ok(true)
        );
    }
}
