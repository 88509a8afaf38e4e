//! The settings page (`settings:admin`): the retention period and the last purge, a dialog to change
//! the period with the company's admin password, and the audit trail.

use histo_api_types::AuditEntry;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::paged::{Load, Paged};
use crate::components::{failure, loading};
use crate::text::{self, t};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let settings = LocalResource::new(api::settings);
    let audit = audit_trail();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let months = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let open = move |_| {
        let current = settings
            .get_untracked()
            .and_then(Result::ok)
            .map(|s| s.retention_months);
        months.set(current.map(|m| m.to_string()).unwrap_or_default());
        password.set(String::new());
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
        let Ok(n) = months.get_untracked().trim().parse::<u32>() else {
            return;
        };
        let secret = password.get_untracked();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::set_retention(n, &secret).await {
                Ok(_) => {
                    saved.try_set(true);
                    if let Some(dialog) = dialog.get_untracked() {
                        dialog.close();
                    }
                    settings.refetch();
                    audit.reload();
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };

    let summary = move || match settings.get() {
        Some(Ok(s)) => {
            let lang = text::lang().get();
            let purge = match &s.last_purge {
                Some(p) => format!(
                    "{} ({} {})",
                    lang.date_time(&p.at, &s.timezone),
                    lang.number(p.removed),
                    t().removed_entries
                ),
                None => t().never.to_owned(),
            };
            view! {
                <dl id="settings" class="settings" data-retention=s.retention_months>
                    <dt>{t().retention}</dt><dd>{format!("{} {}", lang.number(s.retention_months.into()), t().months_unit)}</dd>
                    <dt>{t().timezone}</dt><dd>{s.timezone.clone()}</dd>
                    <dt>{t().last_purge}</dt><dd>{purge}</dd>
                </dl>
                <button type="button" id="change-retention" on:click=open>{t().change_retention}</button>
            }
            .into_any()
        }
        Some(Err(e)) => failure(&e).into_any(),
        None => loading().into_any(),
    };

    let dialog_error = move || {
        error.get().map(|e| {
            let message = match &e {
                ApiError::Forbidden(_) => t().wrong_admin_password.to_owned(),
                ApiError::Refused(429, _) => t().too_many_attempts.to_owned(),
                other => text::error_message(other),
            };
            view! { <p class="error" role="alert" id="retention-error">{message}</p> }
        })
    };

    let audit_rows = {
        let (items, state) = (audit.items, audit.state);
        let rows = move || {
            let lang = text::lang().get();
            let zone = settings
                .get()
                .and_then(Result::ok)
                .map(|s| s.timezone)
                .unwrap_or_else(|| "Europe/Paris".into());
            items
                .get()
                .into_iter()
                .map(|item| {
                    view! {
                        <tr>
                            <td>{lang.date_time(&item.at, &zone)}</td>
                            <td>{item.actor}</td>
                            <td>{text::audit_action(lang, &item.action)}</td>
                            <td><code>{item.before.map(|v| v.to_string())}</code></td>
                            <td><code>{item.after.map(|v| v.to_string())}</code></td>
                        </tr>
                    }
                })
                .collect_view()
        };
        let empty = move || state.get() == Load::Ready && items.with(Vec::is_empty);
        view! {
            <Show when=empty>
                <p class="note">{move || t().no_audit}</p>
            </Show>
            <Show when=move || items.with(|list| !list.is_empty())>
                <div class="table-wrap">
                    <table id="audit-table" data-state=move || state.get().name()>
                        <thead><tr>
                            <th scope="col">{move || t().when}</th><th scope="col">{move || t().actor}</th>
                            <th scope="col">{move || t().action}</th><th scope="col">{move || t().before}</th>
                            <th scope="col">{move || t().after}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </Show>
            {audit.footer("more-audit")}
        }
    };

    view! {
        <h1>{move || t().settings_title}</h1>
        <Show when=move || saved.get()>
            <p class="note" role="status" id="retention-saved">{move || t().saved}</p>
        </Show>
        {summary}
        <dialog node_ref=dialog id="retention-dialog" aria-labelledby="retention-title">
            <form on:submit=submit>
                <h2 id="retention-title">{move || t().change_retention}</h2>
                <label>{move || t().new_retention}
                    <input name="months" type="number" min="1" max="120" required
                        on:input=move |ev| months.set(event_target_value(&ev)) prop:value=months/>
                </label>
                <label>{move || t().admin_password}
                    <input name="admin_password" type="password" required autocomplete="off"
                        on:input=move |ev| password.set(event_target_value(&ev)) prop:value=password/>
                </label>
                {dialog_error}
                <div class="actions">
                    <button type="button" on:click=close>{move || t().cancel}</button>
                    <button type="submit" disabled=busy>{move || t().save}</button>
                </div>
            </form>
        </dialog>
        <h2>{move || t().audit_title}</h2>
        {audit_rows}
    }
}

/// The audit trail, newest first, read page by page.
fn audit_trail() -> Paged<AuditEntry> {
    Paged::new(|cursor| async move {
        let page = api::audit(cursor).await?;
        Ok((page.items, page.next_cursor))
    })
}
