//! The root component: the sign-in page while no token is held, else the header and the page that
//! the address names (statistics, sites, settings).

use histo_api_types::Scope;
use leptos::prelude::*;

use crate::api::{self, Features};
use crate::auth;
use crate::components::{LangSwitch, Link, SkipLink};
use crate::pages::{
    dashboard::Dashboard, settings::SettingsPage, signin::SignIn, sites::SitesPage,
};
use crate::route::{self, Location, Page};
use crate::text::{self, t};

#[component]
pub fn App() -> impl IntoView {
    let lang_code = text::lang().get_untracked().code();
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", lang_code);
    }
    move || match auth::signal().get() {
        None => view! { <SignIn/> }.into_any(),
        Some(_) => view! { <Shell/> }.into_any(),
    }
}

/// Header, navigation and the current page.
#[component]
fn Shell() -> impl IntoView {
    let features: Features = LocalResource::new(api::features);
    provide_context(features);
    let claims = Memo::new(move |_| auth::current_claims());
    let allows = move |scope| claims.get().is_some_and(|c| auth::grants(&c, scope));
    let page = Memo::new(move |_| route::location().get().page);
    let link = move |to: Page| {
        view! {
            <Link to=Location::new(to) current=Signal::derive(move || page.get() == to)>
                {move || match to {
                    Page::Statistics => t().nav_dashboard,
                    Page::Sites => t().nav_sites,
                    Page::Settings => t().nav_settings,
                }}
            </Link>
        }
    };
    view! {
        <SkipLink target="#content" focus=vec!["#content".into()]>{move || t().skip_to_content}</SkipLink>
        <Show when=move || page.get() == Page::Statistics>
            <SkipLink target="#figures" focus=vec!["#chart".into(), "#stats-table".into(), "#figures-title".into()]>
                {move || t().skip_to_figures}
            </SkipLink>
        </Show>
        <header class="top">
            <strong class="brand">{move || t().app_title}</strong>
            <nav aria-label="Histo">
                {link(Page::Statistics)}
                <Show when=move || allows(Scope::SitesManage)>{link(Page::Sites)}</Show>
                <Show when=move || allows(Scope::SettingsAdmin)>{link(Page::Settings)}</Show>
            </nav>
            <span class="who">
                {move || claims.get().map(|c| format!("{} · {}", c.sub, c.company)).unwrap_or_default()}
            </span>
            <LangSwitch/>
            <button id="sign-out" type="button" on:click=move |_| auth::sign_out()>{move || t().sign_out}</button>
        </header>
        <main id="content" tabindex="-1">
            {move || match page.get() {
                Page::Sites => view! { <SitesPage/> }.into_any(),
                Page::Settings => view! { <SettingsPage/> }.into_any(),
                Page::Statistics => view! { <Dashboard/> }.into_any(),
            }}
        </main>
    }
}
