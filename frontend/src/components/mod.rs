//! Parts shared by the pages: links inside the app, loading and error notes, the chart, the table of
//! figures, the list of entries and lists read page by page.

pub mod chart;
pub mod entries;
pub mod paged;
pub mod stats_table;

use leptos::prelude::*;

use crate::api::ApiError;
use crate::route::{self, Location};
use crate::text::{self, t};

/// A link to a place in the app: a real `<a href>` (new tab, copy link) that changes the page
/// without reloading on a plain click.
#[component]
pub fn Link(
    to: Location,
    #[prop(into)] current: Signal<bool>,
    children: Children,
) -> impl IntoView {
    let href = to.href();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if ev.button() == 0 && !ev.ctrl_key() && !ev.meta_key() && !ev.shift_key() && !ev.alt_key()
        {
            ev.prevent_default();
            route::navigate(to.clone());
        }
    };
    view! {
        <a href=href on:click=on_click aria-current=move || current.get().then_some("page")>
            {children()}
        </a>
    }
}

/// The button that switches between French and English (labelled in the other language).
#[component]
pub fn LangSwitch() -> impl IntoView {
    view! {
        <button id="lang-switch" type="button" on:click=move |_| text::toggle_lang()
            lang=move || match text::lang().get() { text::Lang::Fr => "en", text::Lang::En => "fr" }>
            {move || t().language_switch}
        </button>
    }
}

/// "Loading…", announced politely to screen readers.
pub fn loading() -> impl IntoView {
    view! { <p class="loading" role="status" data-state="loading">{move || t().loading}</p> }
}

/// A failed request, as a clear message.
pub fn failure(error: &ApiError) -> impl IntoView {
    let error = error.clone();
    let kind = match &error {
        ApiError::Forbidden(_) => "forbidden",
        ApiError::Network => "network",
        _ => "error",
    };
    view! { <p class="error" role="alert" data-state=kind>{move || text::error_message(&error)}</p> }
}
