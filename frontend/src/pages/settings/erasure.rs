//! The right to erasure: a user code and the admin password, then a confirmation that names the
//! user code and says that every one of its entries will be anonymised (no API counts them
//! beforehand), then how many were.

use histo_api_types::limits::CODE_MAX_CHARS;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::password_refusal;
use crate::api::{self, ApiError};
use crate::components::focus_soon;
use crate::text::{self, t};

#[component]
pub fn Erasure(reload_audit: Callback<()>) -> impl IntoView {
    let user_code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // The user code whose erasure waits for confirmation.
    let asking = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<(String, u64)>);
    let busy = RwSignal::new(false);

    let ask = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let code = user_code.get_untracked().trim().to_owned();
        if code.is_empty() || busy.get_untracked() {
            return;
        }
        error.set(None);
        done.set(None);
        asking.set(Some(code));
        focus_soon(vec!["#erase-confirm".into()]);
    };
    let confirm = move |_| {
        let Some(code) = asking.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let secret = password.get_untracked();
        spawn_local(async move {
            match api::erase(&code, &secret).await {
                Ok(erasure) => {
                    user_code.try_set(String::new());
                    password.try_set(String::new());
                    done.try_set(Some((code, erasure.entries)));
                    focus_soon(vec!["#erasure-result".into()]);
                }
                Err(e) => {
                    error.try_set(Some(e));
                    focus_soon(vec!["#erasure-form input[name=\"admin_password\"]".into()]);
                }
            }
            asking.try_set(None);
            reload_audit.run(());
            busy.try_set(false);
        });
    };
    let cancel = move |_| {
        asking.set(None);
        focus_soon(vec!["#erasure-form button[type=\"submit\"]".into()]);
    };

    let confirmation = move || {
        asking.get().map(|code| {
            view! {
                <div class="warning" id="erasure-confirm">
                    <p>{text::lang().get().erasure_warning(&code)}</p>
                    <div class="actions">
                        <button type="button" on:click=cancel>{move || t().cancel}</button>
                        <button type="button" id="erase-confirm" class="danger"
                            aria-disabled=move || busy.get().to_string() on:click=confirm>
                            {move || t().erase_for_good}
                        </button>
                    </div>
                </div>
            }
        })
    };
    let refusal = move || {
        error.get().map(|e| {
            view! { <p class="error" role="alert" id="erasure-error">{password_refusal(&e)}</p> }
        })
    };
    let result = move || {
        done.get()
            .map(|(code, entries)| text::lang().get().erased(&code, entries))
    };
    // Another user code, or another password, is another request: the confirmation goes.
    let typed = move |value: RwSignal<String>| {
        move |ev: leptos::ev::Event| {
            value.set(event_target_value(&ev));
            asking.set(None);
        }
    };

    view! {
        <section class="admin" aria-labelledby="erasure-title">
            <h2 id="erasure-title">{move || t().erasure_title}</h2>
            <p class="note">{move || t().erasure_purpose}</p>
            <form id="erasure-form" class="form" on:submit=ask>
                <label>{move || t().user_code}
                    <input name="user_code" required autocomplete="off" maxlength=CODE_MAX_CHARS
                        on:input=typed(user_code) prop:value=user_code/>
                </label>
                <label>{move || t().admin_password}
                    <input name="admin_password" type="password" required autocomplete="off"
                        on:input=typed(password) prop:value=password/>
                </label>
                {refusal}
                <div class="actions">
                    <button type="submit">{move || t().erase}</button>
                </div>
            </form>
            <div aria-live="polite">{confirmation}</div>
            <p class="note" role="status" id="erasure-result" tabindex="-1">{result}</p>
        </section>
    }
}
