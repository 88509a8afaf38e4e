//! The sign-in page: company, user code and password, exchanged for a token by
//! `POST /api/v1/auth/token`. The URL is left alone, so that after signing in the same page shows. In
//! a frame of the host application there is no form: the host page is asked for a new link.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::auth;
use crate::components::{failure, LangSwitch};
use crate::text::t;

#[component]
pub fn SignIn() -> impl IntoView {
    if auth::framed() {
        return FramedSignIn().into_any();
    }
    PasswordSignIn().into_any()
}

/// In a frame of the host application: no form, the host page is asked for a new link.
#[component]
fn FramedSignIn() -> impl IntoView {
    auth::ask_host_for_a_link();
    view! {
        <main class="sign-in">
            <div class="corner"><LangSwitch/></div>
            <h1>{move || t().app_title}</h1>
            <p class="note" role="status" id="framed-sign-in">{move || t().framed_link_expired}</p>
        </main>
    }
}

#[component]
fn PasswordSignIn() -> impl IntoView {
    let company = RwSignal::new(String::new());
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let (c, u, p) = (
            company.get_untracked(),
            user.get_untracked(),
            password.get_untracked(),
        );
        spawn_local(async move {
            match api::sign_in(&c, &u, &p).await {
                Ok(answer) => auth::sign_in(answer.access_token),
                Err(e) => {
                    busy.try_set(false);
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <main class="sign-in">
            <div class="corner"><LangSwitch/></div>
            <h1>{move || format!("{} — {}", t().app_title, t().sign_in_title)}</h1>
            <Show when=move || auth::expired().get()>
                <p class="note" role="status">{move || t().session_expired}</p>
            </Show>
            <form id="sign-in-form" on:submit=submit>
                <label>{move || t().company}
                    <input name="company" required autocomplete="organization"
                        on:input=move |ev| company.set(event_target_value(&ev)) prop:value=company/>
                </label>
                <label>{move || t().user_code}
                    <input name="user_code" required autocomplete="username"
                        on:input=move |ev| user.set(event_target_value(&ev)) prop:value=user/>
                </label>
                <label>{move || t().password}
                    <input name="password" type="password" required autocomplete="current-password"
                        on:input=move |ev| password.set(event_target_value(&ev)) prop:value=password/>
                </label>
                <button type="submit" disabled=busy>{move || t().sign_in}</button>
            </form>
            {move || error.get().map(|e| match e {
                ApiError::Unauthorized | ApiError::Forbidden(_) =>
                    view! { <p class="error" role="alert">{move || t().wrong_credentials}</p> }.into_any(),
                other => failure(&other).into_any(),
            })}
        </main>
    }
}
