//! Passwords of accounts and of company administrators: stored only as Argon2 hashes (PHC strings with
//! their own random salt), checked by argon2's verification, which compares in constant time. Each
//! check takes tens of milliseconds and 19 MiB: the server runs a few at a time, on threads of their
//! own, and turns away what would wait too long, so that a flood of sign-ins never holds up reads.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The shortest password taken.
pub const MIN_LENGTH: usize = 8;
/// The longest password taken (in characters); a longer one is refused before any hashing.
pub use histo_api_types::limits::PASSWORD_MAX_CHARS as MAX_LENGTH;

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

/// The server's password checks: `running` threads of their own compute Argon2, at most `queue` more
/// checks wait; beyond that a check is turned away at once ([`Busy`]). Long-lived threads keep the
/// memory Argon2 takes to one block per thread, where threads borrowed from a pool would each keep
/// one after their first check.
#[derive(Debug, Clone)]
pub struct PasswordChecks {
    /// Checks waiting for a thread; the channel holds at most `queue` of them.
    waiting: std::sync::mpsc::SyncSender<Check>,
}

type Check = Box<dyn FnOnce() + Send>;

/// Too many password checks are running and waiting: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub retry_after: Duration,
}

impl PasswordChecks {
    pub fn new(running: usize, queue: usize) -> PasswordChecks {
        let (waiting, taken) = std::sync::mpsc::sync_channel::<Check>(queue);
        let taken = Arc::new(Mutex::new(taken));
        for n in 0..running.max(1) {
            let taken = taken.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("histo-passwords-{n}"))
                .spawn(move || loop {
                    // Ends once every sender is gone (the server has stopped).
                    let next = taken.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    match next {
                        Ok(check) => check(),
                        Err(_) => break,
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "a password-checking thread could not start");
            }
        }
        PasswordChecks { waiting }
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

    /// The Argon2 hash of a new password, computed on a password thread.
    pub async fn hash(&self, password: String) -> Result<Result<String, PasswordError>, Busy> {
        self.run(move || hash(&password)).await.map(|hashed| {
            hashed.unwrap_or_else(|| Err(PasswordError::Hash("the hashing thread stopped".into())))
        })
    }

    /// Runs `work` on a password thread; `Busy` when too many checks already wait.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<Option<T>, Busy> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.waiting
            .try_send(Box::new(move || {
                let _ = reply.send(work());
            }))
            .map_err(|_| Busy {
                retry_after: Duration::from_secs(1),
            })?;
        Ok(answer.await.ok())
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
        // The one thread is held by a first check, two more wait: the next are turned away.
        let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let holder = checks.clone();
        let holding = tokio::spawn(async move {
            holder
                .run(move || {
                    let _ = started_tx.send(());
                    let _ = release_rx.recv();
                })
                .await
        });
        tokio::task::spawn_blocking(move || started_rx.recv())
            .await
            .unwrap()
            .unwrap();
        let stored = hash("correct horse").unwrap();
        let waiting: Vec<_> = (0..2)
            .map(|_| {
                let (checks, stored) = (checks.clone(), stored.clone());
                tokio::spawn(
                    async move { checks.verify("wrong horse!".into(), Some(stored)).await },
                )
            })
            .collect();
        // On this test's one-threaded runtime, both waiting checks are queued once it yields.
        tokio::task::yield_now().await;
        for _ in 0..3 {
            assert_eq!(
                checks
                    .verify("wrong horse!".into(), Some(stored.clone()))
                    .await,
                Err(Busy {
                    retry_after: Duration::from_secs(1)
                })
            );
        }
        release_tx.send(()).unwrap();
        holding.await.unwrap().unwrap();
        for check in waiting {
            assert_eq!(check.await.unwrap(), Ok(false));
        }
        assert_eq!(
            checks.verify("correct horse".into(), Some(stored)).await,
            Ok(true)
        );
    }
}
