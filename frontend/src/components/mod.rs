//! Parts shared by the pages: links inside the app, the page's title, focus moves, loading and error
//! notes, the chart, the table of figures, the list of entries and lists read page by page.

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

/// Keeps the browser tab's title ("Sites — Histo") in step with the page and the language.
pub fn page_title(title: impl Fn() -> String + 'static) {
    Effect::new(move |_| document().set_title(&title()));
}

/// Moves the focus to the element of the first of `selectors` that finds one, once the views being
/// changed now are drawn, so that the focus never falls back to the page's body when the element
/// that had it goes away.
pub fn focus_soon(selectors: Vec<String>) {
    request_animation_frame(move || {
        let found = selectors.iter().find_map(|selector| {
            let element = document().query_selector(selector).ok().flatten()?;
            wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element).ok()
        });
        if let Some(element) = found {
            let _ = element.focus();
        }
    });
}

/// A link that skips to a part of the page (shown when focused), putting the focus there.
#[component]
pub fn SkipLink(target: &'static str, focus: Vec<String>, children: Children) -> impl IntoView {
    let on_click = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        focus_soon(focus.clone());
    };
    view! { <a class="skip-link" href=target on:click=on_click>{children()}</a> }
}

/// The colour and pattern of an outcome, as on the chart (decorative: its label is beside it).
#[component]
pub fn Swatch(outcome: String) -> impl IntoView {
    let style = format!("background-color:{}", chart::outcome_colour(&outcome));
    view! { <span class="swatch" data-outcome=outcome style=style aria-hidden="true"></span> }
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
