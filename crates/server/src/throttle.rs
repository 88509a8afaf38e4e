//! Slowing down wrong passwords (at sign-in and for the admin password), per company and user, in
//! memory: each wrong password waits a little longer before its answer, and after a few in a row the
//! password is refused (429) until a wait ends, whether it is right or not.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::ApiError;

/// How wrong passwords are slowed down and refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Wrong passwords in a row that start a lockout.
    pub max_failures: u32,
    /// How long a lockout lasts.
    pub lockout: Duration,
    /// Added to the answer of each further wrong password in a row.
    pub slowdown: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            max_failures: 5,
            lockout: Duration::from_secs(5 * 60),
            slowdown: Duration::from_millis(250),
        }
    }
}

/// Someone to slow down: a user of a company.
pub type Who = (String, String);

#[derive(Debug, Default)]
struct Record {
    failures: u32,
    locked_until: Option<Instant>,
    last: Option<Instant>,
}

/// Wrong passwords counted per company and user.
#[derive(Debug, Default)]
pub struct Throttle {
    policy: ThrottlePolicy,
    records: Mutex<HashMap<Who, Record>>,
}

/// Past this many records, those idle longer than a lockout are forgotten.
const MAX_RECORDS: usize = 10_000;

impl Throttle {
    pub fn new(policy: ThrottlePolicy) -> Throttle {
        Throttle {
            policy,
            records: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` while `who` is locked out.
    pub fn check(&self, who: &Who) -> Result<(), Duration> {
        let now = Instant::now();
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        let Some(record) = records.get_mut(who) else {
            return Ok(());
        };
        match record.locked_until {
            Some(until) if until > now => Err(until - now),
            Some(_) => {
                records.remove(who);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Counts a wrong password; answers how long to wait before saying so.
    pub fn failed(&self, who: &Who) -> Duration {
        let now = Instant::now();
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        if records.len() >= MAX_RECORDS {
            let lockout = self.policy.lockout;
            records.retain(|_, r| r.last.is_some_and(|t| now - t < lockout));
        }
        let record = records.entry(who.clone()).or_default();
        record.failures += 1;
        record.last = Some(now);
        if record.failures >= self.policy.max_failures {
            record.locked_until = Some(now + self.policy.lockout);
        }
        self.policy.slowdown * (record.failures - 1)
    }

    /// Checks a password under the throttle: 429 while `who` is locked out; a wrong password is
    /// answered `false` only after its slowdown.
    pub async fn check_password(
        &self,
        who: Who,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, ApiError> {
        self.check(&who)
            .map_err(|retry_after| ApiError::TooManyAttempts { retry_after })?;
        if crate::password::check(password, stored).await {
            self.succeeded(&who);
            Ok(true)
        } else {
            tokio::time::sleep(self.failed(&who)).await;
            Ok(false)
        }
    }

    /// A right password: the count starts again.
    pub fn succeeded(&self, who: &Who) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        records.remove(who);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_passwords_lock_out_until_the_wait_ends() {
        let throttle = Throttle::new(ThrottlePolicy {
            max_failures: 5,
            lockout: Duration::from_millis(50),
            slowdown: Duration::from_millis(10),
        });
        let who = ("acme".to_owned(), "u1".to_owned());
        for n in 0..4 {
            assert!(throttle.check(&who).is_ok());
            assert_eq!(throttle.failed(&who), Duration::from_millis(10 * n));
        }
        throttle.failed(&who);
        assert!(throttle.check(&who).is_err());
        assert!(throttle.check(&("acme".into(), "u2".into())).is_ok());
        std::thread::sleep(Duration::from_millis(60));
        assert!(throttle.check(&who).is_ok());
    }
}
