//! The purge inside the server: every company on a schedule (at least daily), and one company right
//! after its retention period was shortened. The work itself is the store's.

use std::time::Duration;

use histo_domain::CompanyId;
use histo_store::{Actor, Store};

/// Purges every company now and then every `every`, for as long as the server runs.
pub fn schedule(store: Store, every: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            run(&store, None, Actor::System).await;
        }
    });
}

/// Purges one company in the background (after its retention period was shortened).
pub fn now(store: Store, company: CompanyId, actor: Actor) {
    tokio::spawn(async move { run(&store, Some(company), actor).await });
}

async fn run(store: &Store, company: Option<CompanyId>, actor: Actor) {
    match store.purge(company, false, actor).await {
        Ok(reports) => {
            for report in reports.iter().filter(|r| r.removed > 0) {
                tracing::info!(company = report.company.as_str(), removed = report.removed,
                    before = %report.oldest_kept, "purged entries older than the retention period");
            }
        }
        Err(error) => tracing::error!(%error, "the purge failed; it runs again later"),
    }
}
