//! The company's admin password: the first one set without a current password (the API tells no
//! one whether one is set: the form says to leave it empty while none is, and the server's 409 says
//! when one is), later ones with it; the new one typed twice, at least 8 characters, checked here
//! before the server checks it again.

use histo_api_types::limits::PASSWORD_MAX_CHARS;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::password_refusal;
use crate::api::{self, ApiError};
use crate::components::focus_soon;
use crate::text::t;

/// Why the password was not saved.
#[derive(Clone, Debug, PartialEq)]
enum Problem {
    /// Shorter than 8 or longer than 1,024 characters.
    Length,
    /// The two new ones differ.
    Differ,
    /// The server's refusal, and whether a current password was given.
    Refused(ApiError, bool),
}

#[component]
pub fn AdminPassword(reload_audit: Callback<()>) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        saved.set(false);
        let (old, password) = (current.get_untracked(), new.get_untracked());
        let length = password.chars().count();
        let found = if !(8..=1024).contains(&length) {
            Some((Problem::Length, "new_password"))
        } else if password != again.get_untracked() {
            Some((Problem::Differ, "new_password_again"))
        } else {
            None
        };
        if let Some((found, field)) = found {
            problem.set(Some(found));
            focus_soon(vec![format!(
                "#admin-password-form input[name=\"{field}\"]"
            )]);
            return;
        }
        let old = (!old.is_empty()).then_some(old);
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let given = old.is_some();
            match api::set_admin_password(old, &password).await {
                Ok(()) => {
                    for field in [current, new, again] {
                        field.try_set(String::new());
                    }
                    saved.try_set(true);
                }
                Err(e) => {
                    problem.try_set(Some(Problem::Refused(e, given)));
                    focus_soon(vec![
                        "#admin-password-form input[name=\"current_password\"]".into(),
                    ]);
                }
            }
            // A change, and a wrong password too, go to the audit trail.
            reload_audit.run(());
            busy.try_set(false);
        });
    };

    let message = move || {
        problem.get().map(|found| {
            let texts = t();
            let text = match &found {
                Problem::Length | Problem::Refused(ApiError::Refused(422, _), _) => {
                    texts.password_length.to_owned()
                }
                Problem::Differ => texts.passwords_differ.to_owned(),
                Problem::Refused(ApiError::Forbidden(_), _) => {
                    texts.wrong_current_password.to_owned()
                }
                Problem::Refused(ApiError::Refused(409, _), false) => {
                    texts.admin_password_already_set.to_owned()
                }
                Problem::Refused(ApiError::Refused(409, _), true) => {
                    texts.admin_password_changed_meanwhile.to_owned()
                }
                Problem::Refused(other, _) => password_refusal(other),
            };
            view! { <p class="error" role="alert" id="admin-password-error">{text}</p> }
        })
    };
    let field = move |name: &'static str,
                      label: fn() -> &'static str,
                      autocomplete: &'static str,
                      value: RwSignal<String>| {
        view! {
            <label>{move || label()}
                <input name=name type="password" autocomplete=autocomplete maxlength=PASSWORD_MAX_CHARS
                    on:input=move |ev| value.set(event_target_value(&ev)) prop:value=value/>
            </label>
        }
    };

    view! {
        <section class="admin" aria-labelledby="admin-password-title">
            <h2 id="admin-password-title">{move || t().admin_password}</h2>
            <p class="note">{move || t().admin_password_purpose}</p>
            <form id="admin-password-form" class="form" on:submit=submit>
                {field("current_password", || t().current_password, "current-password", current)}
                {field("new_password", || t().new_password, "new-password", new)}
                {field("new_password_again", || t().new_password_again, "new-password", again)}
                {message}
                <div class="actions">
                    <button type="submit" aria-disabled=move || busy.get().to_string()>
                        {move || t().change_admin_password}
                    </button>
                </div>
            </form>
            <p class="note" role="status" id="admin-password-saved">
                {move || saved.get().then(|| t().admin_password_saved)}
            </p>
        </section>
    }
}
