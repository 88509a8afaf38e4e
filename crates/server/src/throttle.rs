//! Slowing down wrong passwords, in memory. An attempt is counted before its password is checked, so
//! that concurrent guesses cannot get past the count: sign-ins count against the account on the
//! caller's address and against the address, the admin password against its company. Each wrong
//! password waits a little longer than the one before; after a few, what they count against is
//! refused (429) until its lockout ends. A lockout is not extended by the attempts it refuses, and
//! guesses from one address never lock the same account out on another address.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use histo_domain::{CompanyId, UserCode};

/// How wrong passwords are slowed down and refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Wrong passwords in a row that lock an account on an address, or a company's admin password.
    pub max_failures: u32,
    /// How long a lockout lasts, and how long a count is remembered.
    pub lockout: Duration,
    /// Added to the answer of each further wrong password in a row.
    pub slowdown: Duration,
    /// Counts remembered at most; beyond, the least recently used go first.
    pub max_records: usize,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            max_failures: 5,
            lockout: Duration::from_secs(5 * 60),
            slowdown: Duration::from_millis(250),
            max_records: 100_000,
        }
    }
}

/// Wrong passwords from one address, over every account, that lock the address out: this many times
/// the policy's `max_failures`.
pub const ADDRESS_FACTOR: u32 = 4;

/// What wrong passwords are counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Counted {
    /// An account signing in from one address.
    AccountAt(CompanyId, UserCode, IpAddr),
    /// One address, whatever account it signs in to.
    Address(IpAddr),
    /// A company's admin password, whoever types it.
    AdminPassword(CompanyId),
}

impl Counted {
    /// The keys of a sign-in.
    pub fn sign_in(company: &CompanyId, user: &UserCode, address: IpAddr) -> Vec<Counted> {
        vec![
            Counted::AccountAt(company.clone(), user.clone(), address),
            Counted::Address(address),
        ]
    }

    fn limit(&self, policy: &ThrottlePolicy) -> u32 {
        match self {
            Counted::AccountAt(..) | Counted::AdminPassword(_) => policy.max_failures,
            Counted::Address(_) => policy.max_failures.saturating_mul(ADDRESS_FACTOR),
        }
    }

    /// Whether a right password clears the count (an address stays counted: one's own account must
    /// not wipe out guesses at another's).
    fn cleared_by_success(&self) -> bool {
        !matches!(self, Counted::Address(_))
    }
}

/// An attempt refused because what it counts against is locked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockedOut {
    /// Until the lockout ends.
    pub wait: Duration,
    /// Whether this is the lockout's first refusal (the admin password's goes to the audit trail).
    pub first: bool,
}

#[derive(Debug)]
struct Record {
    /// Wrong passwords in a row, attempts being checked included.
    failures: u32,
    locked_until: Option<Instant>,
    /// Whether an attempt was refused since the lockout began.
    refused: bool,
    last: Instant,
}

#[derive(Debug, Default)]
struct Records {
    by_key: HashMap<Counted, Record>,
    /// Keys in the order they were touched (a key may appear more than once): the oldest are looked
    /// at first when forgetting, so that no call scans the whole map.
    touched: VecDeque<(Instant, Counted)>,
}

/// Wrong passwords counted per [`Counted`] key.
#[derive(Debug)]
pub struct Throttle {
    policy: ThrottlePolicy,
    records: Mutex<Records>,
}

impl Throttle {
    pub fn new(policy: ThrottlePolicy) -> Throttle {
        Throttle {
            policy,
            records: Mutex::new(Records::default()),
        }
    }

    pub fn policy(&self) -> ThrottlePolicy {
        self.policy
    }

    /// Counts an attempt against every key as a wrong password, before it is checked; refused while
    /// one of them is locked out. Settle it with [`Attempt::right`] or [`Attempt::wrong`]; an attempt
    /// dropped unsettled (its password was never checked) is not counted.
    pub fn begin(&self, keys: Vec<Counted>) -> Result<Attempt<'_>, LockedOut> {
        self.begin_at(keys, Instant::now())
    }

    /// [`Throttle::begin`] at the instant `now` (tests give their own).
    fn begin_at(&self, keys: Vec<Counted>, now: Instant) -> Result<Attempt<'_>, LockedOut> {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        records.forget_old(now, &self.policy);
        let mut refusal: Option<LockedOut> = None;
        for key in &keys {
            // A lockout that has ended was forgotten with its count by `forget_old`, just above.
            let Some(record) = records.by_key.get_mut(key) else {
                continue;
            };
            let Some(until) = record.locked_until.filter(|until| *until > now) else {
                continue;
            };
            let first = !record.refused;
            record.refused = true;
            let wait = until - now;
            refusal = Some(match refusal {
                Some(other) if other.wait >= wait => other,
                _ => LockedOut { wait, first },
            });
        }
        if let Some(refusal) = refusal {
            return Err(refusal);
        }
        let mut failures = 0;
        for key in &keys {
            let limit = key.limit(&self.policy);
            let record = records.by_key.entry(key.clone()).or_insert(Record {
                failures: 0,
                locked_until: None,
                refused: false,
                last: now,
            });
            record.failures += 1;
            record.last = now;
            if record.failures >= limit {
                record.locked_until = Some(now + self.policy.lockout);
            }
            failures = failures.max(record.failures);
            records.touched.push_back((now, key.clone()));
        }
        Ok(Attempt {
            throttle: self,
            keys,
            failures,
            settled: false,
        })
    }

    fn settle(&self, keys: &[Counted], right: bool) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        for key in keys {
            if right && key.cleared_by_success() {
                records.by_key.remove(key);
            } else if let Some(record) = records.by_key.get_mut(key) {
                // Not checked after all, or an address's count after a right password: the
                // attempt no longer counts as wrong.
                record.failures = record.failures.saturating_sub(1);
                if record.failures < key.limit(&self.policy) && !record.refused {
                    record.locked_until = None;
                }
            }
        }
    }
}

impl Records {
    /// Forgets the counts untouched for a lockout, and the least recently touched beyond the limit.
    fn forget_old(&mut self, now: Instant, policy: &ThrottlePolicy) {
        while let Some((touched, key)) = self.touched.front() {
            let expired = now.duration_since(*touched) >= policy.lockout;
            if !expired && self.by_key.len() <= policy.max_records {
                break;
            }
            let (touched, key) = (*touched, key.clone());
            self.touched.pop_front();
            let idle = self.by_key.get(&key).is_some_and(|record| {
                record.last <= touched && record.locked_until.is_none_or(|until| until <= now)
            });
            if idle || (!expired && self.by_key.len() > policy.max_records) {
                self.by_key.remove(&key);
            }
        }
    }
}

/// An attempt counted as a wrong password until it is settled.
#[must_use = "settle the attempt with right() or wrong()"]
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    keys: Vec<Counted>,
    /// The most wrong passwords in a row among the keys, this one included.
    failures: u32,
    settled: bool,
}

impl Attempt<'_> {
    /// The password was right: the account's count starts again.
    pub fn right(mut self) {
        self.settled = true;
        self.throttle.settle(&self.keys, true);
    }

    /// The password was wrong: it stays counted, and the answer waits a little longer than the one
    /// before.
    pub async fn wrong(mut self) {
        self.settled = true;
        let slowdown = self.throttle.policy.slowdown * self.failures.saturating_sub(1);
        tokio::time::sleep(slowdown).await;
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.throttle.settle(&self.keys, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lockout far longer than any test takes, even on a busy machine.
    fn policy() -> ThrottlePolicy {
        ThrottlePolicy {
            max_failures: 5,
            lockout: Duration::from_secs(60),
            slowdown: Duration::from_millis(10),
            max_records: 1_000,
        }
    }

    fn account(user: &str, address: [u8; 4]) -> Vec<Counted> {
        Counted::sign_in(
            &CompanyId::parse("acme").unwrap(),
            &UserCode::parse(user).unwrap(),
            IpAddr::from(address),
        )
    }

    #[tokio::test]
    async fn attempts_are_counted_before_they_are_checked() {
        let throttle = Throttle::new(policy());
        // Sixty guesses at once: five are let through to be checked, the others refused.
        let attempts: Vec<_> = (0..60)
            .map(|_| throttle.begin(account("u1", [10, 0, 0, 1])))
            .collect();
        let (checked, refused): (Vec<_>, Vec<_>) = attempts.into_iter().partition(Result::is_ok);
        assert_eq!((checked.len(), refused.len()), (5, 55));
        assert!(
            refused
                .iter()
                .filter(|r| r.as_ref().err().unwrap().first)
                .count()
                == 1
        );
        for attempt in checked {
            attempt.unwrap().wrong().await;
        }
        assert!(throttle.begin(account("u1", [10, 0, 0, 1])).is_err());
    }

    #[tokio::test]
    async fn guesses_from_one_address_do_not_lock_the_account_out_elsewhere() {
        let throttle = Throttle::new(policy());
        for _ in 0..5 {
            throttle
                .begin(account("u1", [10, 0, 0, 1]))
                .unwrap()
                .wrong()
                .await;
        }
        assert!(throttle.begin(account("u1", [10, 0, 0, 1])).is_err());
        throttle
            .begin(account("u1", [10, 0, 0, 2]))
            .unwrap()
            .right();
    }

    #[tokio::test]
    async fn a_lockout_is_not_extended_by_the_attempts_it_refuses() {
        let throttle = Throttle::new(ThrottlePolicy {
            lockout: Duration::from_secs(2),
            ..policy()
        });
        for _ in 0..5 {
            throttle
                .begin(account("u1", [10, 0, 0, 1]))
                .unwrap()
                .wrong()
                .await;
        }
        let first = throttle.begin(account("u1", [10, 0, 0, 1])).err().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let later = throttle.begin(account("u1", [10, 0, 0, 1])).err().unwrap();
        assert!(later.wait < first.wait, "{later:?} {first:?}");
        std::thread::sleep(later.wait + Duration::from_millis(10));
        throttle
            .begin(account("u1", [10, 0, 0, 1]))
            .unwrap()
            .right();
    }

    #[tokio::test]
    async fn an_address_guessing_many_accounts_is_locked_out() {
        let throttle = Throttle::new(policy());
        for n in 0..5 * ADDRESS_FACTOR {
            throttle
                .begin(account(&format!("u{n}"), [10, 0, 0, 9]))
                .unwrap()
                .wrong()
                .await;
        }
        assert!(throttle.begin(account("another", [10, 0, 0, 9])).is_err());
        // A right password for one's own account does not wipe out the address's count.
        assert!(throttle.begin(account("u0", [10, 0, 0, 9])).is_err());
    }

    #[test]
    fn an_unchecked_attempt_is_not_counted() {
        let throttle = Throttle::new(policy());
        for _ in 0..20 {
            drop(throttle.begin(account("u1", [10, 0, 0, 1])).unwrap());
        }
        assert!(throttle.begin(account("u1", [10, 0, 0, 1])).is_ok());
    }

    #[tokio::test]
    async fn each_wrong_password_waits_longer_than_the_one_before() {
        let throttle = Throttle::new(policy());
        for n in 0..4u32 {
            let attempt = throttle.begin(account("u1", [10, 0, 0, 1])).unwrap();
            let started = Instant::now();
            attempt.wrong().await;
            assert!(started.elapsed() >= Duration::from_millis(10) * n);
        }
    }

    #[test]
    fn counts_beyond_the_limit_forget_the_least_recently_used() {
        let throttle = Throttle::new(ThrottlePolicy {
            max_records: 10,
            ..policy()
        });
        for n in 0..1_000 {
            let attempt = throttle
                .begin(vec![Counted::AdminPassword(
                    CompanyId::parse(&format!("c{n}")).unwrap(),
                )])
                .unwrap();
            std::mem::forget(attempt);
        }
        let records = throttle.records.lock().unwrap();
        // Ten kept, and the one just counted.
        assert_eq!((records.by_key.len(), records.touched.len()), (11, 11));
    }

    fn admin(company: &str) -> Vec<Counted> {
        vec![Counted::AdminPassword(CompanyId::parse(company).unwrap())]
    }

    /// `n` wrong passwords against `keys` at `at` (as `wrong()` settles them, without its wait).
    fn wrong_at(throttle: &Throttle, keys: &[Counted], n: u32, at: Instant) {
        for _ in 0..n {
            let mut attempt = throttle.begin_at(keys.to_vec(), at).unwrap();
            attempt.settled = true;
        }
    }

    fn locked(throttle: &Throttle, keys: &[Counted], at: Instant) -> bool {
        throttle.begin_at(keys.to_vec(), at).is_err()
    }

    #[test]
    fn a_throttle_keeps_its_policy() {
        assert_eq!(Throttle::new(policy()).policy(), policy());
    }

    #[test]
    fn a_lockout_ends_at_its_time_and_the_count_starts_again() {
        let throttle = Throttle::new(policy());
        let (acme, t0) = (admin("acme"), Instant::now());
        wrong_at(&throttle, &acme, 5, t0);
        let refused = throttle.begin_at(
            acme.clone(),
            t0 + policy().lockout - Duration::from_millis(1),
        );
        assert_eq!(
            refused.err().map(|r| r.wait),
            Some(Duration::from_millis(1))
        );
        // At its end, four more wrong passwords are four, not nine.
        let end = t0 + policy().lockout;
        wrong_at(&throttle, &acme, 4, end);
        assert!(!locked(&throttle, &acme, end));
    }

    #[test]
    fn a_refusal_waits_for_the_longest_lockout_of_its_keys() {
        let throttle = Throttle::new(policy());
        let t0 = Instant::now();
        let later = t0 + Duration::from_secs(10);
        wrong_at(&throttle, &admin("early"), 5, t0);
        wrong_at(&throttle, &admin("late"), 5, later);
        for keys in [
            [admin("early"), admin("late")].concat(),
            [admin("late"), admin("early")].concat(),
        ] {
            let refused = throttle.begin_at(keys, later).err();
            assert_eq!(refused.map(|r| r.wait), Some(policy().lockout));
        }
    }

    #[test]
    fn a_right_password_clears_the_account_but_not_the_address() {
        let throttle = Throttle::new(policy());
        let t0 = Instant::now();
        let me = account("me", [10, 0, 0, 3]);
        wrong_at(&throttle, &me, 4, t0);
        throttle.begin_at(me.clone(), t0).unwrap().right();
        wrong_at(&throttle, &me, 4, t0);
        assert!(
            !locked(&throttle, &me, t0),
            "the account's count started again"
        );
        // The address still counts the 8 wrong passwords: 12 more on other accounts lock it.
        for n in 0..12 {
            wrong_at(
                &throttle,
                &account(&format!("other{n}"), [10, 0, 0, 3]),
                1,
                t0,
            );
        }
        assert!(locked(&throttle, &account("someone", [10, 0, 0, 3]), t0));
    }

    #[test]
    fn an_unchecked_attempt_lifts_the_lockout_it_began_unless_one_was_refused() {
        let throttle = Throttle::new(policy());
        let t0 = Instant::now();
        let acme = admin("acme");
        wrong_at(&throttle, &acme, 3, t0);
        drop(throttle.begin_at(acme.clone(), t0).unwrap());
        wrong_at(&throttle, &acme, 1, t0);
        // The fifth attempt locks the count until it is checked; unchecked, it lifts the lockout.
        let fifth = throttle.begin_at(acme.clone(), t0).unwrap();
        assert!(
            locked(&throttle, &acme, t0),
            "refused while the fifth is checked"
        );
        drop(fifth);
        assert!(
            locked(&throttle, &acme, t0),
            "a lockout that refused someone stays"
        );
        let calm = admin("calm");
        wrong_at(&throttle, &calm, 4, t0);
        drop(throttle.begin_at(calm.clone(), t0).unwrap());
        assert!(!locked(&throttle, &calm, t0));
    }

    #[test]
    fn counts_untouched_for_a_lockout_are_forgotten_and_others_kept() {
        let throttle = Throttle::new(policy());
        let t0 = Instant::now();
        let lockout = policy().lockout;
        let (locked_out, idle, busy) = (admin("locked"), admin("idle"), admin("busy"));
        wrong_at(&throttle, &locked_out, 5, t0);
        wrong_at(&throttle, &idle, 4, t0);
        wrong_at(&throttle, &busy, 2, t0);
        wrong_at(&throttle, &busy, 2, t0 + lockout / 2);
        let later = t0 + lockout;
        // The idle count is gone: four more are four.
        wrong_at(&throttle, &idle, 4, later);
        assert!(!locked(&throttle, &idle, later));
        // The busy one was touched since: its fifth locks it.
        wrong_at(&throttle, &busy, 1, later);
        assert!(locked(&throttle, &busy, later));
        let records = throttle.records.lock().unwrap();
        assert!(
            !records.by_key.contains_key(&locked_out[0]),
            "its lockout is over"
        );
    }
}
