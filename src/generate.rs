//! Made-up but plausible events, for the demo company and for benchmarks: every feature, every outcome
//! and cause, several sites and users, spread over time. Deterministic for a given seed, with ids
//! derived from it, so that generating again stores nothing twice.

use chrono::{DateTime, Duration, Utc};
use histo_domain::{
    Cause, DeaChange, Detail, Feature, NewEvent, Outcome, SiteCode, SupportCode, UserCode,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Population {
    pub sites: Vec<SiteCode>,
    pub users: Vec<UserCode>,
}

impl Population {
    /// `sites` sites named `SITE-01`… and `users` users named `U0001`….
    pub fn new(sites: usize, users: usize) -> Population {
        let name = |prefix: &str, i: usize, width: usize| format!("{prefix}{i:0width$}");
        Population {
            sites: (1..=sites)
                .filter_map(|i| SiteCode::parse(&name("SITE-", i, 2)).ok())
                .collect(),
            users: (1..=users)
                .filter_map(|i| UserCode::parse(&name("U", i, 4)).ok())
                .collect(),
        }
    }

    /// The demo company's sites and users.
    pub fn demo() -> Population {
        let codes = |names: &[&str]| {
            names
                .iter()
                .filter_map(|n| SiteCode::parse(n).ok())
                .collect()
        };
        Population {
            sites: codes(&["PARIS", "LYON", "NANTES", "LILLE", "BORDEAUX"]),
            users: [
                "ADUPONT", "BMARTIN", "CBERNARD", "DPETIT", "EDURAND", "FLEROY", "GMOREAU",
                "HSIMON",
            ]
            .iter()
            .filter_map(|n| UserCode::parse(n).ok())
            .collect(),
        }
    }
}

/// Generates `count` events in time order, one every `step` from `start`. The first events do not
/// depend on `count`, so a longer stream repeats a shorter one and adds to it.
pub struct EventStream {
    rng: StdRng,
    population: Population,
    start: DateTime<Utc>,
    step_micros: i64,
    index: u64,
    count: u64,
}

impl EventStream {
    pub fn new(
        seed: u64,
        population: Population,
        start: DateTime<Utc>,
        step: Duration,
        count: u64,
    ) -> Self {
        let step_micros = step.num_microseconds().unwrap_or(i64::MAX).max(1);
        EventStream {
            rng: StdRng::seed_from_u64(seed),
            population,
            start,
            step_micros,
            index: 0,
            count,
        }
    }
}

impl Iterator for EventStream {
    type Item = NewEvent;

    fn next(&mut self) -> Option<NewEvent> {
        if self.index >= self.count
            || self.population.sites.is_empty()
            || self.population.users.is_empty()
        {
            return None;
        }
        let rng = &mut self.rng;
        let occurred_at = self.start + Duration::microseconds(self.step_micros * self.index as i64);
        self.index += 1;
        let feature = Feature::ALL[rng.gen_range(0..Feature::ALL.len())];
        // Mostly successes, as in real use.
        let outcomes = feature.outcomes();
        let outcome = if rng.gen_bool(0.8) {
            outcomes[0]
        } else {
            outcomes[rng.gen_range(0..outcomes.len())]
        };
        let cause = (outcome == Outcome::Error)
            .then(|| feature.causes()[rng.gen_range(0..feature.causes().len())]);
        let code = match cause {
            Some(Cause::Configuration) => SupportCode::parse("CONFIG_MISSING").ok(),
            Some(Cause::RemoteApi) => SupportCode::parse("HTTP_503").ok(),
            Some(Cause::InvalidNumber) => SupportCode::parse("VAT_FORMAT").ok(),
            Some(Cause::Execution) => SupportCode::parse("TIMEOUT").ok(),
            None => None,
        };
        let detail = feature.requires_detail().then(|| Detail::DeaUpdate {
            changed: if rng.gen_bool(0.5) {
                DeaChange::Code
            } else {
                DeaChange::Amount
            },
        });
        let id = time_ordered_id(occurred_at, rng.gen());
        Some(NewEvent {
            id,
            feature,
            outcome,
            cause,
            site: self.population.sites[rng.gen_range(0..self.population.sites.len())].clone(),
            user_code: self.population.users[rng.gen_range(0..self.population.users.len())].clone(),
            occurred_at,
            code,
            detail,
        })
    }
}

/// A UUIDv7 for `at` whose random part comes from the generator, so that ids repeat with the seed.
pub fn time_ordered_id(at: DateTime<Utc>, random: [u8; 10]) -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &random)
        .into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_events_are_valid_ordered_and_repeatable() {
        let start: DateTime<Utc> = "2024-01-01T00:00:00Z".parse().unwrap();
        let step = Duration::hours(3);
        let a: Vec<_> = EventStream::new(7, Population::new(3, 5), start, step, 500).collect();
        let b: Vec<_> = EventStream::new(7, Population::new(3, 5), start, step, 600).collect();
        assert_eq!(a[..], b[..500]);
        assert_eq!(a.len(), 500);
        assert!(a
            .windows(2)
            .all(|w| w[0].id < w[1].id || w[0].occurred_at == w[1].occurred_at));
        for e in &a {
            assert_eq!(e.id.get_version_num(), 7);
            assert!(e.feature.has_outcome(e.outcome));
            assert_eq!(e.cause.is_some(), e.outcome == Outcome::Error);
        }
    }
}
