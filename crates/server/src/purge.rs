//! The purge inside the server: every company on a schedule (at least daily), and one company right
//! after its retention period was shortened. The work itself is the store's.

use std::time::Duration;

use histo_domain::CompanyId;
use histo_store::{Actor, Store};

use crate::metrics::Metrics;

/// Purges every company now and then every `every`, for as long as the server runs.
pub fn schedule(store: Store, every: Duration, metrics: Metrics) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            run(&store, None, Actor::System, &metrics).await;
        }
    });
}

/// Purges one company in the background (after its retention period was shortened).
pub fn now(store: Store, company: CompanyId, actor: Actor, metrics: Metrics) {
    tokio::spawn(async move { run(&store, Some(company), actor, &metrics).await });
}

async fn run(store: &Store, company: Option<CompanyId>, actor: Actor, metrics: &Metrics) {
    match store.purge(company, false, actor).await {
        Ok(reports) => {
            metrics.purged(Some(reports.iter().map(|r| r.removed).sum()));
            for report in reports.iter().filter(|r| r.removed > 0) {
                tracing::info!(company = report.company.as_str(), removed = report.removed,
                    before = %report.oldest_kept, "purged entries older than the retention period");
            }
        }
        Err(error) => {
            metrics.purged(None);
            tracing::error!(%error, "the purge failed; it runs again later");
        }
    }
}
