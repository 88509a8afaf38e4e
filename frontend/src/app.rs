//! The root component.

use leptos::logging::error;
use leptos::prelude::*;

use crate::{api, text};

/// The page: title and API status.
///
/// The status element has the id `health` and a `data-state` attribute (`loading`, `ok` or
/// `error`) for the browser tests.
#[component]
pub fn App() -> impl IntoView {
    let health = LocalResource::new(api::health);

    let state = Memo::new(move |_| match health.get() {
        None => ("loading", text::HEALTH_LOADING.to_owned()),
        Some(Ok(h)) => ("ok", text::health_ok(&h)),
        Some(Err(e)) => {
            error!("GET /healthz: {e:?}");
            ("error", text::health_error(&e))
        }
    });

    view! {
        <main>
            <h1>{text::APP_TITLE}</h1>
            <p id="health" data-state=move || state.get().0>{move || state.get().1}</p>
        </main>
    }
}
