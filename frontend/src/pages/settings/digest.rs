//! The monthly digest: where it goes now (or that none is sent), a form that sets the webhook
//! address (showing the key of its signature once), and a button that stops it.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::alerts::{SecretOnce, WebhookAddress};
use crate::api::{self, ApiError};
use crate::components::{failure, focus_soon, loading};
use crate::text::{self, t};

#[component]
pub fn MonthlyDigest(reload_audit: Callback<()>) -> impl IntoView {
    let digest = LocalResource::new(api::digest);
    let url = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let secret = RwSignal::new(None::<String>);
    let stopped = RwSignal::new(false);
    let busy = RwSignal::new(false);

    // Sets the address (`Some`) or stops the digest (`None`).
    let change = move |address: Option<String>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        secret.set(None);
        stopped.set(false);
        spawn_local(async move {
            let done = match &address {
                Some(address) => api::set_digest(address).await.map(|set| set.secret),
                None => api::stop_digest().await.map(|()| None),
            };
            match done {
                Ok(key) => {
                    stopped.try_set(address.is_none());
                    secret.try_set(key);
                    url.try_set(String::new());
                    digest.refetch();
                    reload_audit.run(());
                    focus_soon(vec!["#digest-secret".into(), "#digest-current".into()]);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change(Some(url.get_untracked().trim().to_owned()));
    };

    let current = move || match digest.get() {
        Some(Ok(settings)) => {
            let lang = text::lang().get();
            let sentence = match (&settings.webhook_url, &settings.last_month) {
                (Some(address), Some(month)) => lang.digest_going(address, month),
                _ => t().no_digest.to_owned(),
            };
            let going = settings.webhook_url.is_some();
            view! {
                <p id="digest-current" tabindex="-1" data-url=settings.webhook_url.clone().unwrap_or_default()>{sentence}</p>
                <Show when=move || going>
                    <p><button type="button" id="stop-digest" on:click=move |_| change(None)>{move || t().stop_digest}</button></p>
                </Show>
            }
            .into_any()
        }
        Some(Err(e)) => failure(&e).into_any(),
        None => loading().into_any(),
    };

    view! {
        <section class="admin" aria-labelledby="digest-title">
            <h2 id="digest-title">{move || t().digest_title}</h2>
            <p class="note">{move || t().digest_purpose}</p>
            {current}
            <p class="note" role="status" id="digest-stopped">{move || stopped.get().then(|| t().digest_stopped)}</p>
            <form id="digest-form" class="form" on:submit=submit>
                <WebhookAddress label=|| t().digest_address placeholder="https://erp.example.com/histo/digest"
                    url error error_id="digest-error"/>
                <div class="actions">
                    <button type="submit" aria-disabled=move || busy.get().to_string()>{move || t().save}</button>
                </div>
            </form>
            {move || secret.get().map(|secret| view! { <SecretOnce id="digest-secret" secret/> })}
        </section>
    }
}
