//! The sign-in page: company, user code and password, exchanged for a token by
//! `POST /api/v1/auth/token`. The URL is left alone, so that after signing in the same page shows. In
//! a frame of the host application there is no form: the host page is asked for a new link.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::auth::{self, SignInNote};
use crate::components::{failure, page_title, LangSwitch};
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
    page_title(move || t().app_title.to_owned());
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
    let password_field = NodeRef::<leptos::html::Input>::new();
    page_title(move || format!("{} — {}", t().sign_in_title, t().app_title));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
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
                    // The focus stays in the form, on the field most likely wrong.
                    if let Some(field) = password_field.get_untracked() {
                        field.select();
                        let _ = field.focus();
                    }
                }
            }
        });
    };
    view! {
        <main class="sign-in">
            <div class="corner"><LangSwitch/></div>
            <h1>{move || format!("{} — {}", t().app_title, t().sign_in_title)}</h1>
            {move || auth::note().get().map(|note| {
                let message = move || match note {
                    SignInNote::SessionExpired => t().session_expired,
                    SignInNote::LinkInvalid => t().link_invalid,
                    SignInNote::LinkExpired => t().link_expired,
                };
                view! { <p class="note" role="status" id="sign-in-note">{message}</p> }
            })}
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
                        node_ref=password_field aria-describedby="sign-in-error"
                        on:input=move |ev| password.set(event_target_value(&ev)) prop:value=password/>
                </label>
                <button type="submit" aria-disabled=move || busy.get().to_string()>{move || t().sign_in}</button>
            </form>
            <div id="sign-in-error">
                {move || error.get().map(|e| match e {
                    ApiError::Unauthorized | ApiError::Forbidden(_) =>
                        view! { <p class="error" role="alert">{move || t().wrong_credentials}</p> }.into_any(),
                    other => failure(&other).into_any(),
                })}
            </div>
        </main>
    }
}
