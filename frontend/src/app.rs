//! The root component: the sign-in page while no token is held, else the header and the page that
//! the path names (`/` statistics, `/sites`, `/settings`).

use histo_api_types::FeatureInfo;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::auth;
use crate::components::{LangSwitch, Link, SkipLink};
use crate::pages::{
    dashboard::Dashboard, settings::SettingsPage, signin::SignIn, sites::SitesPage,
};
use crate::route::{self, Location};
use crate::text::{self, t};

/// The features with their labels, loaded once after sign-in and shared by every page.
pub type Features = LocalResource<Result<Vec<FeatureInfo>, ApiError>>;

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
    let claims = Memo::new(move |_| auth::current_claims().unwrap_or_default());
    let allows = move |scope: &'static str| claims.get().allows(scope);
    let path = Memo::new(move |_| route::location().get().path);
    view! {
        <SkipLink target="#content" focus=vec!["#content".into()]>{move || t().skip_to_content}</SkipLink>
        <Show when=move || path.get() == "/">
            <SkipLink target="#figures" focus=vec!["#chart".into(), "#stats-table".into(), "#figures-title".into()]>
                {move || t().skip_to_figures}
            </SkipLink>
        </Show>
        <header class="top">
            <strong class="brand">{move || t().app_title}</strong>
            <nav aria-label="Histo">
                <Link to=Location::new("/") current=Signal::derive(move || path.get() == "/")>
                    {move || t().nav_dashboard}
                </Link>
                <Show when=move || allows("sites:manage")>
                    <Link to=Location::new("/sites") current=Signal::derive(move || path.get() == "/sites")>
                        {move || t().nav_sites}
                    </Link>
                </Show>
                <Show when=move || allows("settings:admin")>
                    <Link to=Location::new("/settings") current=Signal::derive(move || path.get() == "/settings")>
                        {move || t().nav_settings}
                    </Link>
                </Show>
            </nav>
            <span class="who">{move || { let c = claims.get(); format!("{} · {}", c.sub, c.company) }}</span>
            <LangSwitch/>
            <button id="sign-out" type="button" on:click=move |_| auth::sign_out()>{move || t().sign_out}</button>
        </header>
        <main id="content" tabindex="-1">
            {move || match path.get().as_str() {
                "/sites" => view! { <SitesPage/> }.into_any(),
                "/settings" => view! { <SettingsPage/> }.into_any(),
                _ => view! { <Dashboard/> }.into_any(),
            }}
        </main>
    }
}
