//! The monthly digest: once a month has ended (in the company's time), a webhook per company that
//! asked for one, with the month's uses and errors per feature, the change against the same month a
//! year earlier, and the sites with the most errors. Hidden sites are left out, as from every
//! statistic. Queued once per month, whichever server sees it first.

use std::collections::HashMap;

use chrono::Utc;
use histo_api_types::{DigestFeature, DigestSite, DigestWebhook};
use histo_domain::{CompanyId, Feature, Month, Outcome};
use histo_store::{Digest, NewDelivery, Store, StoreError, UsageQuery};
use tokio::sync::Notify;
use uuid::Uuid;

use super::AlertSettings;

/// Sites named in a digest.
const TOP_SITES: usize = 5;

/// Queues the digest of every company whose last month has ended since its last one.
pub async fn queue_due(store: &Store, settings: &AlertSettings, send: &Notify) {
    let due = match store.digests_due(Utc::now()).await {
        Ok(due) => due,
        Err(error) => {
            tracing::error!(%error, "cannot read the monthly digests; trying again");
            return;
        }
    };
    for (digest, month) in due {
        let queued = match compose(store, &digest, month, settings).await {
            Ok(delivery) => {
                store
                    .queue_digest(digest.company.clone(), month, delivery)
                    .await
            }
            Err(error) => Err(error),
        };
        match queued {
            Ok(true) => send.notify_one(),
            Ok(false) => {}
            Err(error) => tracing::error!(%error, company = digest.company.as_str(),
                "cannot queue the monthly digest; trying again"),
        }
    }
}

/// The signed digest of `month`.
async fn compose(
    store: &Store,
    digest: &Digest,
    month: Month,
    settings: &AlertSettings,
) -> Result<NewDelivery, StoreError> {
    let company = &digest.company;
    let (now, view) = uses_and_errors(store, company, month).await?;
    let (year_before, _) = uses_and_errors(store, company, month.plus(-12)).await?;
    let features = Feature::ALL
        .iter()
        .map(|feature| {
            let (uses, errors) = now.get(feature).copied().unwrap_or_default();
            let (uses_before, errors_before) =
                year_before.get(feature).copied().unwrap_or_default();
            DigestFeature {
                feature: feature.code().to_owned(),
                uses,
                errors,
                uses_year_before: uses_before,
                errors_year_before: errors_before,
                change_percent: change_percent(uses, uses_before),
            }
        })
        .collect();
    let id = Uuid::now_v7();
    let body = DigestWebhook {
        id: id.to_string(),
        kind: "digest".into(),
        company: company.as_str().to_owned(),
        month: month.to_string(),
        timezone: view.timezone.name().to_owned(),
        hidden_sites: view.hidden_sites as u64,
        features,
        top_sites_by_errors: top_sites_by_errors(store, company, month).await?,
        link: super::link(
            settings.public_url.as_ref(),
            &[
                ("granularity", "month".into()),
                ("year", month.year.to_string()),
            ],
        ),
    };
    let body = serde_json::to_string(&body).expect("a digest serializes");
    Ok(NewDelivery {
        id,
        kind: "digest",
        url: digest.webhook_url.clone(),
        signature: super::webhook::signature(&digest.secret, &body),
        body,
    })
}

/// Uses and errors per feature in `month`, visible sites only.
async fn uses_and_errors(
    store: &Store,
    company: &CompanyId,
    month: Month,
) -> Result<(HashMap<Feature, (u64, u64)>, histo_store::CompanyView), StoreError> {
    let report = store
        .usage(
            company.clone(),
            UsageQuery {
                feature: None,
                first: month,
                last: month,
                sites: Vec::new(),
            },
        )
        .await?;
    let mut totals: HashMap<Feature, (u64, u64)> = HashMap::new();
    for usage in report.usage {
        let (uses, errors) = totals.entry(usage.feature).or_default();
        *uses += usage.count;
        if usage.outcome == Outcome::Error {
            *errors += usage.count;
        }
    }
    Ok((totals, report.company))
}

/// The visible sites with the most errors in `month`, every feature together.
async fn top_sites_by_errors(
    store: &Store,
    company: &CompanyId,
    month: Month,
) -> Result<Vec<DigestSite>, StoreError> {
    let mut errors: HashMap<(String, String), u64> = HashMap::new();
    for feature in Feature::ALL {
        let report = store
            .usage_by_site(company.clone(), *feature, month, month)
            .await?;
        for usage in report
            .usage
            .into_iter()
            .filter(|u| u.outcome == Outcome::Error)
        {
            *errors.entry((usage.site, usage.name)).or_default() += usage.count;
        }
    }
    let mut sites: Vec<DigestSite> = errors
        .into_iter()
        .filter(|(_, errors)| *errors > 0)
        .map(|((site, name), errors)| DigestSite { site, name, errors })
        .collect();
    sites.sort_by(|a, b| b.errors.cmp(&a.errors).then_with(|| a.site.cmp(&b.site)));
    sites.truncate(TOP_SITES);
    Ok(sites)
}

/// The change from `before` to `now` in %, to one decimal; none without uses before.
fn change_percent(now: u64, before: u64) -> Option<f64> {
    (before > 0).then(|| {
        let change = (now as f64 - before as f64) * 100.0 / before as f64;
        (change * 10.0).round() / 10.0
    })
}

#[cfg(test)]
mod tests {
    use super::change_percent;

    #[test]
    fn the_change_is_against_the_year_before() {
        assert_eq!(change_percent(120, 100), Some(20.0));
        assert_eq!(change_percent(2, 3), Some(-33.3));
        assert_eq!(change_percent(5, 0), None);
        assert_eq!(change_percent(0, 4), Some(-100.0));
    }
}
