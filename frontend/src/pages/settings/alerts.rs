//! Alerts: the company's rules in words (feature, site, condition, webhook address, whether it is
//! firing), a form that adds one — a feature, one site or all, "at least N errors within M minutes"
//! or "error share above P % over the last K uses", the webhook address — and shows the key of its
//! signature once, removal after confirmation; then each time a rule fired or recovered, newest
//! first, page by page.

use histo_api_types::limits::{
    ALERT_MAX_ERRORS, ALERT_MAX_MINUTES, ALERT_MAX_PERCENT, ALERT_MAX_USES, ALERT_MIN_USES,
    WEBHOOK_URL_MAX_CHARS,
};
use histo_api_types::{AlertCondition, AlertEvent, AlertRule, AlertRuleInput};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, Features};
use crate::components::paged::{Load, Paged};
use crate::components::{failure, focus_soon, loading};
use crate::text::{self, t};

/// The name of a feature in the current language; its code until the features have come.
fn feature_name(features: Features, code: &str) -> String {
    let lang = text::lang().get();
    features
        .get()
        .and_then(Result::ok)
        .and_then(|list| list.into_iter().find(|f| f.code == code))
        .map_or_else(|| code.to_owned(), |f| lang.pick(&f.label))
}

/// A rule's site, or "all sites".
fn site_words(site: Option<&str>) -> String {
    site.map_or_else(|| t().all_sites.to_owned(), str::to_owned)
}

/// What the page says when the server refused a webhook address, or anything else.
fn webhook_refusal(error: &ApiError) -> String {
    match error {
        ApiError::Refused(422, message) if message.contains("'webhook_url'") => {
            format!("{} ({message})", t().webhook_refused)
        }
        other => text::error_message(other),
    }
}

/// A webhook's address in a form, and why the server refused it.
#[component]
pub(super) fn WebhookAddress(
    label: fn() -> &'static str,
    placeholder: &'static str,
    url: RwSignal<String>,
    error: RwSignal<Option<ApiError>>,
    error_id: &'static str,
) -> impl IntoView {
    view! {
        <label>{move || label()}
            <input name="webhook_url" type="url" required autocomplete="off" maxlength=WEBHOOK_URL_MAX_CHARS
                placeholder=placeholder
                prop:value=url on:input=move |ev| url.set(event_target_value(&ev))/>
        </label>
        {move || error.get().map(|e| view! { <p class="error" role="alert" id=error_id>{webhook_refusal(&e)}</p> })}
    }
}

/// The key of a webhook's signature, shown this once, with a button that copies it.
#[component]
pub(super) fn SecretOnce(id: &'static str, secret: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = {
        let secret = secret.clone();
        move |_| {
            let promise = window().navigator().clipboard().write_text(&secret);
            spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.try_set(true);
                }
            });
        }
    };
    view! {
        <div class="secret" id=id tabindex="-1">
            <p>{move || t().secret_once}</p>
            <p class="secret-line">
                <code class="secret-value">{secret}</code>
                <button type="button" class="copy" on:click=copy>
                    {move || if copied.get() { t().copied } else { t().copy_key }}
                </button>
            </p>
        </div>
    }
}

/// The rules, the form that adds one, and the history of their firings.
#[component]
pub fn Alerts(reload_audit: Callback<()>) -> impl IntoView {
    let rules = LocalResource::new(api::alert_rules);
    let features = expect_context::<Features>();
    let history = Paged::<AlertEvent>::new(|cursor| async move {
        let page = api::alert_events(cursor).await?;
        Ok((page.items, page.next_cursor))
    });
    let changed = Callback::new(move |()| {
        rules.refetch();
        reload_audit.run(());
    });
    let refresh = move |_| {
        rules.refetch();
        history.reload();
    };
    view! {
        <section class="admin" aria-labelledby="alerts-title">
            <h2 id="alerts-title">{move || t().alerts_title}</h2>
            <p class="note">{move || t().alerts_purpose}</p>
            <RuleList rules features changed/>
            <NewRule features changed/>
            <h3 id="alert-history-title">{move || t().alert_history_title}</h3>
            <p><button type="button" id="refresh-alerts" on:click=refresh>{move || t().refresh}</button></p>
            <History history features/>
        </section>
    }
}

type Rules = LocalResource<Result<histo_api_types::AlertRules, ApiError>>;

/// The rules as a table, each with a button that removes it after confirmation.
#[component]
fn RuleList(rules: Rules, features: Features, changed: Callback<()>) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let removing = RwSignal::new(None::<AlertRule>);
    let error = RwSignal::new(None::<ApiError>);
    let describe = move |rule: &AlertRule| {
        text::lang().get().rule_words(
            &feature_name(features, &rule.feature),
            &site_words(rule.site.as_deref()),
            &rule.condition,
        )
    };
    let ask = move |rule: AlertRule| {
        error.set(None);
        removing.set(Some(rule));
        if let Some(dialog) = dialog.get() {
            let _ = dialog.show_modal();
        }
    };
    let close = move || {
        if let Some(dialog) = dialog.get_untracked() {
            dialog.close();
        }
    };
    let remove = move |_| {
        let Some(rule) = removing.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match api::remove_alert_rule(&rule.id).await {
                Ok(()) => {
                    close();
                    changed.run(());
                    focus_soon(vec!["#alert-form select".into()]);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let rows =
        move |list: Vec<AlertRule>| {
            let texts = t();
            list.into_iter()
            .map(|rule| {
                let state = if rule.firing { texts.firing } else { texts.quiet };
                let words = describe(&rule);
                let condition = text::lang().get().condition(&rule.condition);
                let label = format!("{} — {words}", texts.remove);
                let this = rule.clone();
                view! {
                    <tr data-rule=rule.id.clone() data-firing=rule.firing.to_string()>
                        <td data-label=texts.feature>{feature_name(features, &rule.feature)}</td>
                        <td data-label=texts.site>{site_words(rule.site.as_deref())}</td>
                        <td data-label=texts.condition>{condition}</td>
                        <td data-label=texts.webhook_url class="url">{rule.webhook_url.clone()}</td>
                        <td data-label=texts.state>{state}</td>
                        <td data-label=texts.actions class="rule-actions">
                            <button type="button" class="remove-rule" aria-label=label
                                on:click=move |_| ask(this.clone())>{texts.remove}</button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
        };
    let table = move || match rules.get() {
        Some(Ok(list)) if list.rules.is_empty() => {
            view! { <p class="note" id="no-rules">{t().no_rules}</p> }.into_any()
        }
        Some(Ok(list)) => {
            let texts = t();
            view! {
                <div class="table-wrap">
                    <table id="alert-rules" class="stack">
                        <thead><tr>
                            <th scope="col">{texts.feature}</th><th scope="col">{texts.site}</th>
                            <th scope="col">{texts.condition}</th><th scope="col">{texts.webhook_url}</th>
                            <th scope="col">{texts.state}</th><th scope="col">{texts.actions}</th>
                        </tr></thead>
                        <tbody>{rows(list.rules)}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }
        Some(Err(e)) => failure(&e).into_any(),
        None => loading().into_any(),
    };
    view! {
        {table}
        <dialog node_ref=dialog id="remove-rule-dialog" aria-labelledby="remove-rule-title">
            <h2 id="remove-rule-title">{move || t().remove_rule}</h2>
            <p>{move || removing.get().map(|rule| text::lang().get().remove_rule_warning(&describe(&rule)))}</p>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{text::error_message(&e)}</p> })}
            <div class="actions">
                <button type="button" on:click=move |_| close()>{move || t().cancel}</button>
                <button type="button" id="remove-rule-confirm" class="danger" on:click=remove>
                    {move || t().remove_rule}
                </button>
            </div>
        </dialog>
    }
}

/// The form that adds a rule, and the key of the rule just added.
#[component]
fn NewRule(features: Features, changed: Callback<()>) -> impl IntoView {
    let sites = LocalResource::new(api::sites);
    let feature = RwSignal::new(String::new());
    let site = RwSignal::new(String::new());
    let share = RwSignal::new(false);
    let errors = RwSignal::new("5".to_owned());
    let minutes = RwSignal::new("10".to_owned());
    let percent = RwSignal::new("20".to_owned());
    let uses = RwSignal::new("50".to_owned());
    let url = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let secret = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let number =
            |value: RwSignal<String>| value.get_untracked().trim().parse::<u32>().unwrap_or(0);
        let condition = if share.get_untracked() {
            AlertCondition::ErrorShare {
                percent: number(percent),
                uses: number(uses),
            }
        } else {
            AlertCondition::Errors {
                errors: number(errors),
                minutes: number(minutes),
            }
        };
        let site = site.get_untracked();
        let rule = AlertRuleInput {
            feature: feature.get_untracked(),
            site: (!site.is_empty()).then_some(site),
            condition,
            webhook_url: url.get_untracked().trim().to_owned(),
        };
        busy.set(true);
        error.set(None);
        secret.set(None);
        spawn_local(async move {
            match api::add_alert_rule(&rule).await {
                Ok(made) => {
                    secret.try_set(Some(made.secret));
                    changed.run(());
                    focus_soon(vec!["#rule-secret".into()]);
                }
                Err(e) => {
                    error.try_set(Some(e));
                    focus_soon(vec!["#alert-form input[name=\"webhook_url\"]".into()]);
                }
            }
            busy.try_set(false);
        });
    };

    let feature_options = move || {
        let lang = text::lang().get();
        features
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|f| view! { <option value=f.code.clone()>{lang.pick(&f.label)}</option> })
            .collect_view()
    };
    let site_options = move || {
        sites
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|s| !s.hidden)
            .map(|s| {
                let name = if s.name == s.code {
                    s.code.clone()
                } else {
                    format!("{} ({})", s.name, s.code)
                };
                view! { <option value=s.code.clone()>{name}</option> }
            })
            .collect_view()
    };
    let number_field = move |name: &'static str,
                             label: fn() -> &'static str,
                             (min, max): (u32, u32),
                             value: RwSignal<String>| {
        view! {
            <label>{move || label()}
                <input name=name type="number" min=min.to_string() max=max.to_string() required prop:value=value
                    on:input=move |ev| value.set(event_target_value(&ev))/>
            </label>
        }
    };
    let choice = move |value: &'static str, is_share: bool, label: fn() -> &'static str| {
        view! {
            <label class="choice">
                <input type="radio" name="condition" value=value prop:checked=move || share.get() == is_share
                    on:change=move |_| share.set(is_share)/>
                {move || label()}
            </label>
        }
    };

    view! {
        <h3 id="new-rule-title">{move || t().add_rule}</h3>
        <form id="alert-form" class="form" aria-labelledby="new-rule-title" on:submit=submit>
            <label>{move || t().feature}
                <select name="feature" required prop:value=feature
                    on:change=move |ev| feature.set(event_target_value(&ev))>
                    <option value="">{move || t().choose}</option>
                    {feature_options}
                </select>
            </label>
            <label>{move || t().site}
                <select name="site" prop:value=site on:change=move |ev| site.set(event_target_value(&ev))>
                    <option value="">{move || t().all_sites}</option>
                    {site_options}
                </select>
            </label>
            <fieldset>
                <legend>{move || t().condition}</legend>
                {choice("errors", false, || t().errors_condition)}
                {choice("error_share", true, || t().share_condition)}
                <div class="numbers">
                    {move || if share.get() {
                        view! {
                            {number_field("percent", || t().share_percent, (0, ALERT_MAX_PERCENT), percent)}
                            {number_field("uses", || t().last_uses, (ALERT_MIN_USES, ALERT_MAX_USES), uses)}
                        }.into_any()
                    } else {
                        view! {
                            {number_field("errors", || t().errors_at_least, (1, ALERT_MAX_ERRORS), errors)}
                            {number_field("minutes", || t().within_minutes, (1, ALERT_MAX_MINUTES), minutes)}
                        }.into_any()
                    }}
                </div>
            </fieldset>
            <WebhookAddress label=|| t().webhook_url placeholder="https://erp.example.com/histo/alerts"
                url error error_id="alert-error"/>
            <div class="actions">
                <button type="submit" aria-disabled=move || busy.get().to_string()>{move || t().add_rule}</button>
            </div>
        </form>
        {move || secret.get().map(|secret| view! { <SecretOnce id="rule-secret" secret/> })}
    }
}

/// Each time a rule fired or recovered, newest first, in a sentence with its counts.
#[component]
fn History(history: Paged<AlertEvent>, features: Features) -> impl IntoView {
    let (items, state) = (history.items, history.state);
    let rows = move || {
        let lang = text::lang().get();
        let texts = lang.texts();
        items
            .get()
            .into_iter()
            .map(|event| {
                let sentence = lang.alert_event(
                    &feature_name(features, &event.feature),
                    &site_words(event.site.as_deref()),
                    &event,
                );
                let webhook = lang.webhook_state(event.webhook.as_ref());
                view! {
                    <tr data-state=event.state.clone() tabindex="-1">
                        <td data-label=texts.when>{lang.date_time(&event.at)}</td>
                        <td data-label=texts.alert>{sentence}</td>
                        <td data-label=texts.webhook>{webhook}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let empty = move || state.get() == Load::Ready && items.with(Vec::is_empty);
    view! {
        <Show when=empty>
            <p class="note" id="no-alert-events">{move || t().no_alert_events}</p>
        </Show>
        <Show when=move || items.with(|list| !list.is_empty())>
            <div class="table-wrap">
                <table id="alert-events" class="stack" aria-labelledby="alert-history-title"
                    data-state=move || state.get().name()>
                    <thead><tr>
                        <th scope="col">{move || t().when}</th><th scope="col">{move || t().alert}</th>
                        <th scope="col">{move || t().webhook}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </Show>
        {history.footer("more-alert-events", "#alert-events tbody tr")}
    }
}
