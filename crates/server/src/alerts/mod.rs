//! Alerts: which recordings concern a company's rules, looking at those rules off the recording
//! path (each at most every 5 seconds, and those firing every 5 seconds until they recover), telling
//! each change once by webhook, and the monthly digest. Recording only notes which rules its events
//! concern; the counting is the store's, the sending [`webhook`]'s.

pub mod digest;
pub mod webhook;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use histo_api_types::{AlertCondition, AlertRuleRef, AlertWebhook, AlertWindow};
use histo_domain::{
    month_of, AlertRule, CompanyId, Condition, Feature, NewEvent, Outcome, SiteCode, TimeZone,
    Window,
};
use histo_store::{NewDelivery, Store, StoredRule};
use reqwest::Url;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::metrics::Metrics;
use webhook::{AllowList, Retries};

/// How often the rules of every company are read again (those another server added or removed).
const RELOAD_EVERY: Duration = Duration::from_secs(30);

/// What the server needs to know about alerts.
#[derive(Debug, Clone)]
pub struct AlertSettings {
    /// Where webhooks may go (`HISTO_WEBHOOK_ALLOW`); nowhere by default.
    pub allow: AllowList,
    /// The web app's address as users reach it (`HISTO_PUBLIC_URL`), for the links in webhooks.
    pub public_url: Option<Url>,
    pub retries: Retries,
    /// How often rules concerned by new events, and rules firing, are looked at.
    pub look_every: Duration,
    /// How often the server checks whether a monthly digest is due (and forgets old webhooks).
    pub digest_every: Duration,
    /// The least time between two changes of one rule: a rule whose condition holds and stops in
    /// turn (a count on its threshold) changes at most this often, so that it cannot flood the
    /// host application, nor the alert history.
    pub least_between_changes: Duration,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            allow: AllowList::default(),
            public_url: None,
            retries: Retries::default(),
            look_every: Duration::from_secs(5),
            digest_every: Duration::from_secs(600),
            least_between_changes: Duration::from_secs(60),
        }
    }
}

/// The rules the server watches, and those to look at.
pub struct Alerts {
    settings: AlertSettings,
    watched: Mutex<Watched>,
    /// Tells the sender that webhooks were queued.
    send: Arc<Notify>,
}

#[derive(Default)]
struct Watched {
    rules: HashMap<CompanyId, Vec<StoredRule>>,
    /// Rules whose feature (and site) got new events since they were last looked at.
    to_look: HashSet<(CompanyId, Uuid)>,
    /// When this server last changed each rule.
    changed: HashMap<(CompanyId, Uuid), Instant>,
}

impl Alerts {
    /// Starts watching the rules of every company and sending webhooks, for as long as the server
    /// runs.
    pub fn start(store: Store, settings: AlertSettings, metrics: Metrics) -> Arc<Alerts> {
        let send = Arc::new(Notify::new());
        webhook::send_forever(
            store.clone(),
            settings.allow.clone(),
            settings.retries,
            send.clone(),
            metrics,
        );
        let alerts = Arc::new(Alerts {
            settings,
            watched: Mutex::default(),
            send,
        });
        tokio::spawn(alerts.clone().watch(store));
        alerts
    }

    pub fn settings(&self) -> &AlertSettings {
        &self.settings
    }

    /// The company's rules that `events` may change: same feature, and site if the rule has one;
    /// for a rule counting errors that does not hold yet, only errors can.
    pub fn concerned(&self, company: &CompanyId, events: &[NewEvent]) -> Vec<Uuid> {
        let rules: Vec<(Uuid, AlertRule, bool)> = match self.lock().rules.get(company) {
            None => return Vec::new(),
            Some(rules) => rules
                .iter()
                .map(|r| (r.id, r.rule.clone(), r.firing))
                .collect(),
        };
        let mut used: HashSet<(Feature, Option<&str>)> = HashSet::new();
        let mut errors: HashSet<(Feature, Option<&str>)> = HashSet::new();
        for event in events {
            for site in [None, Some(event.site.as_str())] {
                used.insert((event.feature, site));
                if event.outcome == Outcome::Error {
                    errors.insert((event.feature, site));
                }
            }
        }
        rules
            .into_iter()
            .filter(|(_, rule, firing)| {
                let key = (rule.feature, rule.site.as_ref().map(SiteCode::as_str));
                match rule.condition {
                    Condition::Errors { .. } if !firing => errors.contains(&key),
                    _ => used.contains(&key),
                }
            })
            .map(|(id, ..)| id)
            .collect()
    }

    /// Notes that events concerning `rules` were stored: they are looked at on the next pass.
    pub fn recorded(&self, company: &CompanyId, rules: Vec<Uuid>) {
        if !rules.is_empty() {
            let mut watched = self.lock();
            watched
                .to_look
                .extend(rules.into_iter().map(|id| (company.clone(), id)));
        }
    }

    /// Reads every company's rules again (after a rule was added or removed).
    pub async fn reload(&self, store: &Store) {
        match store.every_alert_rule().await {
            Ok(rules) => {
                let mut by_company: HashMap<CompanyId, Vec<StoredRule>> = HashMap::new();
                for (company, rule) in rules {
                    by_company.entry(company).or_default().push(rule);
                }
                let mut watched = self.lock();
                watched.changed.retain(|(company, id), _| {
                    by_company
                        .get(company)
                        .is_some_and(|rules| rules.iter().any(|r| r.id == *id))
                });
                watched.rules = by_company;
            }
            Err(error) => tracing::error!(%error, "cannot read the alert rules; trying again"),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Watched> {
        self.watched
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn watch(self: Arc<Self>, store: Store) {
        let mut reloaded: Option<Instant> = None;
        let mut digests_checked: Option<Instant> = None;
        loop {
            if reloaded.is_none_or(|at| at.elapsed() >= RELOAD_EVERY) {
                self.reload(&store).await;
                reloaded = Some(Instant::now());
            }
            if digests_checked.is_none_or(|at| at.elapsed() >= self.settings.digest_every) {
                digest::queue_due(&store, &self.settings, &self.send).await;
                if let Err(error) = store.forget_old_deliveries(Utc::now()).await {
                    tracing::error!(%error, "cannot forget the webhooks finished long ago");
                }
                digests_checked = Some(Instant::now());
            }
            for (company, rule) in self.take_rules_to_look_at() {
                if let Err(error) = self.look_at(&store, &company, &rule).await {
                    tracing::error!(%error, company = company.as_str(), rule = %rule.id,
                        "cannot look at an alert rule; trying again");
                }
            }
            tokio::time::sleep(self.settings.look_every).await;
        }
    }

    /// The rules with new events, and those firing (which recover as time passes).
    fn take_rules_to_look_at(&self) -> Vec<(CompanyId, StoredRule)> {
        let mut watched = self.lock();
        let to_look = std::mem::take(&mut watched.to_look);
        watched
            .rules
            .iter()
            .flat_map(|(company, rules)| rules.iter().map(move |rule| (company, rule)))
            .filter(|(company, rule)| {
                rule.firing || to_look.contains(&((*company).clone(), rule.id))
            })
            .map(|(company, rule)| (company.clone(), rule.clone()))
            .collect()
    }

    /// Counts the rule's window; when the condition starts or stops holding, records it and
    /// queues its webhook (once, whichever server sees it first).
    async fn look_at(
        &self,
        store: &Store,
        company: &CompanyId,
        rule: &StoredRule,
    ) -> Result<(), histo_store::StoreError> {
        let key = (company.clone(), rule.id);
        let quiet = self.settings.least_between_changes;
        if self
            .lock()
            .changed
            .get(&key)
            .is_some_and(|at| at.elapsed() < quiet)
        {
            // Too soon after its last change: looked at again on a later pass.
            self.lock().to_look.insert(key);
            return Ok(());
        }
        let now = Utc::now();
        let condition = rule.rule.condition;
        let window = store
            .alert_window(company.clone(), rule.rule.clone(), now, false)
            .await?;
        let holds = condition.holds(window);
        if holds == rule.firing {
            return Ok(());
        }
        let window = match condition {
            // The uses of the window too, for the webhook.
            Condition::Errors { .. } => {
                store
                    .alert_window(company.clone(), rule.rule.clone(), now, true)
                    .await?
            }
            Condition::ErrorShare { .. } => window,
        };
        let zone = store.settings(company.clone()).await?.timezone;
        let delivery = self.alert_webhook(company, rule, holds, window, now, zone);
        let changed = store
            .change_alert_state(company.clone(), rule.id, holds, window, delivery)
            .await?;
        {
            let mut watched = self.lock();
            watched.changed.insert(key, Instant::now());
            if let Some(stored) = watched
                .rules
                .get_mut(company)
                .and_then(|rules| rules.iter_mut().find(|r| r.id == rule.id))
            {
                stored.firing = holds;
            }
        }
        if changed {
            tracing::info!(company = company.as_str(), rule = %rule.id, firing = holds,
                errors = window.errors, uses = window.uses, "alert rule changed");
            self.send.notify_one();
        }
        Ok(())
    }

    /// The signed webhook telling that `rule` started (`firing`) or stopped holding.
    fn alert_webhook(
        &self,
        company: &CompanyId,
        rule: &StoredRule,
        firing: bool,
        window: Window,
        now: DateTime<Utc>,
        zone: TimeZone,
    ) -> NewDelivery {
        let id = Uuid::now_v7();
        let kind = if firing {
            "alert.firing"
        } else {
            "alert.recovered"
        };
        let month = month_of(now, zone);
        let site = rule.rule.site.as_ref().map(|s| s.as_str().to_owned());
        let mut query = vec![
            ("feature", rule.rule.feature.code().to_owned()),
            ("granularity", "month".to_owned()),
            ("year", month.year.to_string()),
            ("period", month.to_string()),
            ("outcome", "error".to_owned()),
        ];
        if let Some(site) = &site {
            query.push(("site", site.clone()));
        }
        let body = AlertWebhook {
            id: id.to_string(),
            kind: kind.to_owned(),
            at: crate::routes::local_time(now, zone),
            company: company.as_str().to_owned(),
            rule: AlertRuleRef {
                id: rule.id.to_string(),
                feature: rule.rule.feature.code().to_owned(),
                site,
                condition: condition_shown(rule.rule.condition),
            },
            window: AlertWindow {
                uses: window.uses,
                errors: window.errors,
            },
            link: self.link(&query),
        };
        let body = serde_json::to_string(&body).expect("a webhook body serializes");
        NewDelivery {
            id,
            kind,
            url: rule.webhook_url.clone(),
            signature: webhook::signature(&rule.secret, &body),
            body,
        }
    }

    /// The web app's address with `query`, when the server knows where users reach it.
    fn link(&self, query: &[(&str, String)]) -> Option<String> {
        link(self.settings.public_url.as_ref(), query)
    }
}

/// Reads the web app's public address: an http(s) address, its path ending with `/`.
pub fn public_url(text: &str) -> Result<Url, String> {
    let mut url = Url::parse(text).map_err(|e| format!("'{text}' is not an address: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("'{text}' is not an http(s) address"));
    }
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    Ok(url)
}

/// The web app's address at `public_url` with `query`.
fn link(public_url: Option<&Url>, query: &[(&str, String)]) -> Option<String> {
    let mut url = public_url?.clone();
    url.set_query(None);
    url.query_pairs_mut().extend_pairs(query);
    Some(url.to_string())
}

/// A condition as the API shows it.
pub fn condition_shown(condition: Condition) -> AlertCondition {
    match condition {
        Condition::Errors { errors, minutes } => AlertCondition::Errors { errors, minutes },
        Condition::ErrorShare { percent, uses } => AlertCondition::ErrorShare { percent, uses },
    }
}
