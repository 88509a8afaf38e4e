//! The sites page: the company's sites; for `sites:manage`, hide a site from every statistic, list
//! and export, show it again, or give it a clearer name (`PATCH /api/v1/sites/{code}`). After a
//! change the list is read again, the changed row drawn anew, and the focus goes back to the button
//! that was used.

use histo_api_types::limits::SITE_NAME_MAX_CHARS;
use histo_api_types::{Scope, Site, SiteInput};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::auth;
use crate::components::{failure, focus_soon, loading, page_title};
use crate::text::t;

#[component]
pub fn SitesPage() -> impl IntoView {
    // Read here rather than by a resource, so that the focus moves once the new list is drawn.
    let sites = RwSignal::new(None::<Result<Vec<Site>, ApiError>>);
    spawn_local(async move {
        sites.try_set(Some(api::sites().await));
    });
    let manages = auth::current_claims().is_some_and(|c| auth::grants(&c, Scope::SitesManage));
    let error = RwSignal::new(None::<ApiError>);
    // The site being changed (its buttons wait), and the one whose name is being edited.
    let busy = RwSignal::new(None::<String>);
    let renaming = RwSignal::new(None::<String>);
    page_title(move || format!("{} — {}", t().sites_title, t().app_title));

    // `then` names the button of the site's row that gets the focus once the list is read again.
    let change = move |code: String, change: SiteInput, then: &'static str| {
        if busy.get_untracked().is_some() {
            return;
        }
        busy.set(Some(code.clone()));
        error.set(None);
        spawn_local(async move {
            match api::change_site(&code, &change).await {
                Ok(_) => {
                    renaming.try_set(None);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            sites.try_set(Some(api::sites().await));
            busy.try_set(None);
            // Codes are letters, digits and `_.-`: safe in a selector between quotes.
            focus_soon(vec![
                format!("#sites-table tr[data-site=\"{code}\"] {then}"),
                "#content".into(),
            ]);
        });
    };

    let row = move |site: Site| {
        let Site { code, name, hidden } = site;
        let waiting = {
            let code = code.clone();
            Signal::derive(move || busy.get().as_deref() == Some(code.as_str()))
        };
        let editing = {
            let code = code.clone();
            Signal::derive(move || renaming.get().as_deref() == Some(code.as_str()))
        };
        let toggle = {
            let code = code.clone();
            move |_| {
                change(
                    code.clone(),
                    SiteInput {
                        hidden: !hidden,
                        name: None,
                    },
                    ".site-toggle",
                )
            }
        };
        let draft = RwSignal::new(name.clone());
        let save = {
            let code = code.clone();
            move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let name = Some(draft.get_untracked());
                change(code.clone(), SiteInput { hidden, name }, ".site-rename");
            }
        };
        let start = {
            let code = code.clone();
            move |_| {
                renaming.set(Some(code.clone()));
                focus_soon(vec![format!(
                    "#sites-table tr[data-site=\"{code}\"] input[name=\"name\"]"
                )]);
            }
        };
        let stop = {
            let code = code.clone();
            move |_| {
                renaming.set(None);
                focus_soon(vec![format!(
                    "#sites-table tr[data-site=\"{code}\"] .site-rename"
                )]);
            }
        };
        let shown_name = name.clone();
        view! {
            <tr data-site=code.clone() data-hidden=hidden.to_string()>
                <th scope="row" data-label=move || t().code>{code.clone()}</th>
                <td class="site-name" data-label=move || t().name>
                    <Show when=move || editing.get() fallback=move || shown_name.clone()>
                        <form class="rename" on:submit=save.clone()>
                            <input name="name" required maxlength=SITE_NAME_MAX_CHARS aria-label=move || t().new_name
                                prop:value=draft on:input=move |ev| draft.set(event_target_value(&ev))/>
                            <button type="submit" aria-disabled=move || waiting.get().to_string()>{move || t().save}</button>
                            <button type="button" on:click=stop.clone()>{move || t().cancel}</button>
                        </form>
                    </Show>
                </td>
                <td data-label=move || t().visibility>{move || if hidden { t().hidden } else { t().visible }}</td>
                <Show when=move || manages>
                    <td class="actions" data-label=move || t().actions>
                        <button type="button" class="site-toggle" aria-disabled=move || waiting.get().to_string()
                            on:click=toggle.clone()>
                            {move || if hidden { t().show } else { t().hide }}
                        </button>
                        <button type="button" class="site-rename" aria-disabled=move || waiting.get().to_string()
                            on:click=start.clone()>
                            {move || t().rename}
                        </button>
                    </td>
                </Show>
            </tr>
        }
    };

    // The table is drawn once; after a change only the rows of sites that changed are drawn again.
    let listed = Memo::new(move |_| match sites.get() {
        Some(Ok(list)) if list.is_empty() => Listed::Empty,
        Some(Ok(_)) => Listed::Sites,
        Some(Err(e)) => Listed::Failed(e),
        None => Listed::Loading,
    });
    let each = move || sites.get().and_then(Result::ok).unwrap_or_default();
    let rows = move || match listed.get() {
        Listed::Empty => view! { <p class="note">{move || t().no_sites}</p> }.into_any(),
        Listed::Sites => view! {
            <div class="table-wrap">
                <table id="sites-table" class="stack">
                    <thead><tr>
                        <th scope="col">{move || t().code}</th>
                        <th scope="col">{move || t().name}</th>
                        <th scope="col">{move || t().visibility}</th>
                        <Show when=move || manages>
                            <th scope="col">{move || t().actions}</th>
                        </Show>
                    </tr></thead>
                    <tbody>
                        <For each children=row
                            key=|site| (site.code.clone(), site.name.clone(), site.hidden)/>
                    </tbody>
                </table>
            </div>
        }
        .into_any(),
        Listed::Failed(e) => failure(&e).into_any(),
        Listed::Loading => loading().into_any(),
    };

    view! {
        <h1>{move || t().sites_title}</h1>
        <Show when=move || !manages>
            <p class="note" id="sites-read-only">{move || t().sites_read_only}</p>
        </Show>
        {move || error.get().map(|e| failure(&e))}
        {rows}
    }
}

/// What the sites page shows in place of its table.
#[derive(Clone, PartialEq)]
enum Listed {
    Loading,
    Failed(ApiError),
    Empty,
    Sites,
}
