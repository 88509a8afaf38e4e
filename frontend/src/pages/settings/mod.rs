//! The settings page: the retention period and the last purge for everyone who reads the logs; for
//! the company's administrator (`settings:admin`), a dialog that changes the period — saying
//! beforehand which entries a shorter one removes for good and asking to confirm it, then the
//! admin password —, the admin password itself, the right to erasure, alert rules and their
//! history, the monthly digest, and the audit trail, each change told in a sentence, with how far
//! its chain is verified.

mod admin_password;
mod alerts;
mod digest;
mod erasure;

use histo_api_types::limits::RETENTION_MAX_MONTHS;
use histo_api_types::{AuditEntry, AuditVerification, RetentionPreview, Scope};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::auth;
use crate::components::paged::{Load, Paged};
use crate::components::{failure, loading, page_title};
use crate::text::{self, t, MONTHS, REMOVED_ENTRIES};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let settings = LocalResource::new(api::settings);
    let admin = auth::current_claims().is_some_and(|c| auth::grants(&c, Scope::SettingsAdmin));
    page_title(move || format!("{} — {}", t().settings_title, t().app_title));

    let summary = move || match settings.get() {
        Some(Ok(s)) => {
            let lang = text::lang().get();
            let purge = match &s.last_purge {
                Some(p) => format!(
                    "{} ({})",
                    lang.date_time(&p.at),
                    lang.count(p.removed, &REMOVED_ENTRIES)
                ),
                None => t().never.to_owned(),
            };
            view! {
                <dl id="settings" class="settings" data-retention=s.retention_months>
                    <dt>{t().retention}</dt><dd>{lang.count(s.retention_months.into(), &MONTHS)}</dd>
                    <dt>{t().timezone}</dt><dd>{s.timezone.clone()}</dd>
                    <dt>{t().last_purge}</dt><dd id="last-purge">{purge}</dd>
                </dl>
            }
            .into_any()
        }
        Some(Err(e)) => failure(&e).into_any(),
        None => loading().into_any(),
    };

    view! {
        <h1>{move || t().settings_title}</h1>
        {summary}
        {if admin {
            let audit = Paged::<AuditEntry>::new(|cursor| async move {
                let page = api::audit(cursor).await?;
                Ok((page.items, page.next_cursor))
            });
            let verification = LocalResource::new(api::audit_verification);
            let reload_audit = Callback::new(move |()| {
                audit.reload();
                verification.refetch();
            });
            view! {
                <RetentionChange settings reload_audit/>
                <admin_password::AdminPassword reload_audit/>
                <erasure::Erasure reload_audit/>
                <alerts::Alerts reload_audit/>
                <digest::MonthlyDigest reload_audit/>
                <AuditTrail audit verification/>
            }
            .into_any()
        } else {
            view! { <p class="note" id="settings-read-only">{move || t().settings_read_only}</p> }.into_any()
        }}
    }
}

type SettingsResource = LocalResource<Result<histo_api_types::Settings, ApiError>>;

/// What the page says when the server refused an admin password, or has none yet.
fn password_refusal(error: &ApiError) -> String {
    match error {
        ApiError::Forbidden(_) => t().wrong_admin_password.to_owned(),
        ApiError::Refused(409, _) => t().no_admin_password_yet.to_owned(),
        ApiError::Refused(429, _) => t().too_many_attempts.to_owned(),
        other => text::error_message(other),
    }
}

/// The button and dialog that change the retention period, and what happened after saving.
#[component]
fn RetentionChange(settings: SettingsResource, reload_audit: Callback<()>) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let password_field = NodeRef::<leptos::html::Input>::new();
    let months = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirmed = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    // What the page says once saved: the removal under way, then done.
    let outcome = RwSignal::new(None::<String>);
    let current = move || {
        settings
            .get()
            .and_then(Result::ok)
            .map(|s| s.retention_months)
    };
    let wanted = Memo::new(move |_| {
        months
            .get()
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=120).contains(n))
    });
    let preview = LocalResource::new(move || {
        let wanted = wanted.get();
        async move {
            match wanted {
                Some(n) => api::retention_preview(n).await.map(Some),
                None => Ok(None),
            }
        }
    });
    // The preview of the number typed, once it has come.
    let known = move || {
        preview
            .get()
            .and_then(Result::ok)
            .flatten()
            .filter(|p: &RetentionPreview| Some(p.months) == wanted.get())
    };
    let removes = move || {
        known().map_or(0, |p| {
            if Some(p.months) < current() {
                p.entries
            } else {
                0
            }
        })
    };

    let open = move |_| {
        months.set(current().map(|m| m.to_string()).unwrap_or_default());
        password.set(String::new());
        confirmed.set(false);
        error.set(None);
        if let Some(dialog) = dialog.get() {
            let _ = dialog.show_modal();
        }
    };
    let close = move |_| {
        if let Some(dialog) = dialog.get() {
            dialog.close();
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Nothing is sent before the page has said what the change removes, and had it confirmed.
        let (Some(n), Some(_)) = (wanted.get_untracked(), known()) else {
            return;
        };
        let removing = removes();
        if busy.get_untracked() || (removing > 0 && !confirmed.get_untracked()) {
            return;
        }
        let secret = password.get_untracked();
        let last_purge = settings
            .get_untracked()
            .and_then(Result::ok)
            .and_then(|s| s.last_purge.map(|p| p.at));
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::set_retention(n, &secret).await {
                Ok(_) => {
                    if let Some(dialog) = dialog.get_untracked() {
                        dialog.close();
                    }
                    let lang = text::lang().get_untracked();
                    if removing > 0 {
                        outcome.try_set(Some(lang.purging(removing)));
                        settings.refetch();
                        let removed = purge_after(last_purge).await;
                        outcome.try_set(Some(lang.purged_after_saving(removed)));
                    } else {
                        outcome.try_set(Some(lang.texts().saved.to_owned()));
                    }
                    settings.refetch();
                    reload_audit.run(());
                }
                Err(e) => {
                    error.try_set(Some(e));
                    // The focus stays in the dialog, on the password to type again.
                    if let Some(field) = password_field.get_untracked() {
                        field.select();
                        let _ = field.focus();
                    }
                }
            }
            busy.try_set(false);
        });
    };

    let what_it_does = move || {
        let lang = text::lang().get();
        let (Some(n), Some(now)) = (wanted.get(), current()) else {
            return None;
        };
        let Some(preview) = known() else {
            return Some(view! { <p class="note">{t().loading}</p> }.into_any());
        };
        Some(if n == now {
            view! { <p class="note" id="retention-preview">{t().same_retention}</p> }.into_any()
        } else if n > now {
            view! { <p class="note" id="retention-preview">{t().longer_retention}</p> }.into_any()
        } else if preview.entries == 0 {
            view! { <p class="note" id="retention-preview">{lang.nothing_removed(&preview.retained_from)}</p> }.into_any()
        } else {
            view! {
                <p class="warning" id="retention-preview" data-entries=preview.entries>
                    {lang.removal_warning(&preview.retained_from, preview.entries)}
                </p>
                <label class="confirm">
                    <input type="checkbox" name="confirm" required prop:checked=confirmed
                        on:change=move |ev| confirmed.set(event_target_checked(&ev))/>
                    {lang.confirm_removal(preview.entries)}
                </label>
            }
            .into_any()
        })
    };
    let dialog_error = move || {
        error.get().map(|e| {
            view! { <p class="error" role="alert" id="retention-error">{password_refusal(&e)}</p> }
        })
    };

    view! {
        <p><button type="button" id="change-retention" on:click=open>{move || t().change_retention}</button></p>
        <p class="note" role="status" id="retention-saved">{move || outcome.get()}</p>
        <dialog node_ref=dialog id="retention-dialog" aria-labelledby="retention-title">
            <form on:submit=submit>
                <h2 id="retention-title">{move || t().change_retention}</h2>
                <label>{move || t().new_retention}
                    <input name="months" type="number" min="1" max=RETENTION_MAX_MONTHS required
                        on:input=move |ev| { months.set(event_target_value(&ev)); confirmed.set(false); }
                        prop:value=months/>
                </label>
                <div aria-live="polite">{what_it_does}</div>
                <label>{move || t().admin_password}
                    <input name="admin_password" type="password" required autocomplete="off" node_ref=password_field
                        on:input=move |ev| password.set(event_target_value(&ev)) prop:value=password/>
                </label>
                {dialog_error}
                <div class="actions">
                    <button type="button" on:click=close>{move || t().cancel}</button>
                    <button type="submit" aria-disabled=move || busy.get().to_string()>
                        {move || if removes() > 0 { t().remove_and_save } else { t().save }}
                    </button>
                </div>
            </form>
        </dialog>
    }
}

/// Waits (two minutes at most) until the purge that a shorter period starts has run, and answers
/// how many entries it removed: it runs in the background, right after the change.
async fn purge_after(before: Option<String>) -> u64 {
    for _ in 0..240 {
        pause(500).await;
        if let Ok(settings) = api::settings().await {
            if let Some(purge) = settings
                .last_purge
                .filter(|p| Some(&p.at) != before.as_ref())
            {
                return purge.removed;
            }
        }
    }
    0
}

async fn pause(milliseconds: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ =
            window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, milliseconds);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The audit trail, newest first, read page by page, below how far its chain is verified.
#[component]
fn AuditTrail(
    audit: Paged<AuditEntry>,
    verification: LocalResource<Result<AuditVerification, ApiError>>,
) -> impl IntoView {
    let (items, state) = (audit.items, audit.state);
    let verified = move || match verification.get() {
        Some(Ok(check)) => {
            let sentence = text::lang().get().trail_verification(&check);
            let class = if check.intact { "note" } else { "warning" };
            view! { <p id="audit-verification" class=class data-intact=check.intact.to_string()>{sentence}</p> }
                .into_any()
        }
        Some(Err(e)) => failure(&e).into_any(),
        None => ().into_any(),
    };
    let rows = move || {
        let lang = text::lang().get();
        let texts = lang.texts();
        items
            .get()
            .into_iter()
            .map(|item| {
                let change =
                    lang.audit_change(&item.action, item.before.as_ref(), item.after.as_ref());
                view! {
                    <tr data-action=item.action.clone() tabindex="-1">
                        <td data-label=texts.when>{lang.date_time(&item.at)}</td>
                        <td data-label=texts.actor>{lang.actor(&item.actor)}</td>
                        <td data-label=texts.action>{lang.audit_action(&item.action)}</td>
                        <td data-label=texts.change>{change}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let empty = move || state.get() == Load::Ready && items.with(Vec::is_empty);
    view! {
        <h2>{move || t().audit_title}</h2>
        {verified}
        <Show when=empty>
            <p class="note">{move || t().no_audit}</p>
        </Show>
        <Show when=move || items.with(|list| !list.is_empty())>
            <div class="table-wrap">
                <table id="audit-table" class="stack" data-state=move || state.get().name()>
                    <thead><tr>
                        <th scope="col">{move || t().when}</th><th scope="col">{move || t().actor}</th>
                        <th scope="col">{move || t().action}</th><th scope="col">{move || t().change}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </Show>
        {audit.footer("more-audit", "#audit-table tbody tr")}
    }
}
