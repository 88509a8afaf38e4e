//! The sites page (`sites:manage`): hide a site from every statistic, list and export, show it again,
//! or give it a clearer name (`PATCH /api/v1/sites/{code}`).

use histo_api_types::{Site, SiteInput};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::{failure, loading};
use crate::text::t;

#[component]
pub fn SitesPage() -> impl IntoView {
    let sites = LocalResource::new(api::sites);
    let error = RwSignal::new(None::<ApiError>);
    // The site being changed (its buttons wait), and the one whose name is being edited.
    let busy = RwSignal::new(None::<String>);
    let renaming = RwSignal::new(None::<String>);

    let change = move |code: String, change: SiteInput| {
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
            busy.try_set(None);
            sites.refetch();
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
                );
            }
        };
        let draft = RwSignal::new(name.clone());
        let save = {
            let code = code.clone();
            move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let name = Some(draft.get_untracked());
                change(code.clone(), SiteInput { hidden, name });
            }
        };
        let start = {
            let code = code.clone();
            move |_| renaming.set(Some(code.clone()))
        };
        let shown_name = name.clone();
        view! {
            <tr data-site=code.clone() data-hidden=hidden.to_string()>
                <th scope="row">{code.clone()}</th>
                <td class="site-name">
                    <Show when=move || editing.get() fallback=move || shown_name.clone()>
                        <form class="rename" on:submit=save.clone()>
                            <input name="name" required maxlength="100" aria-label=move || t().new_name
                                prop:value=draft on:input=move |ev| draft.set(event_target_value(&ev))/>
                            <button type="submit" disabled=waiting>{move || t().save}</button>
                            <button type="button" on:click=move |_| renaming.set(None)>{move || t().cancel}</button>
                        </form>
                    </Show>
                </td>
                <td>{move || if hidden { t().hidden } else { t().visible }}</td>
                <td class="actions">
                    <button type="button" class="site-toggle" disabled=waiting on:click=toggle>
                        {move || if hidden { t().show } else { t().hide }}
                    </button>
                    <button type="button" class="site-rename" disabled=waiting on:click=start>
                        {move || t().rename}
                    </button>
                </td>
            </tr>
        }
    };

    let rows = move || match sites.get() {
        Some(Ok(list)) if list.is_empty() => {
            view! { <p class="note">{move || t().no_sites}</p> }.into_any()
        }
        Some(Ok(list)) => view! {
            <div class="table-wrap">
                <table id="sites-table">
                    <thead><tr>
                        <th scope="col">{move || t().code}</th>
                        <th scope="col">{move || t().name}</th>
                        <th scope="col">{move || t().visible}</th>
                        <th scope="col"></th>
                    </tr></thead>
                    <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any(),
        Some(Err(e)) => failure(&e).into_any(),
        None => loading().into_any(),
    };

    view! {
        <h1>{move || t().sites_title}</h1>
        {move || error.get().map(|e| failure(&e))}
        {rows}
    }
}
