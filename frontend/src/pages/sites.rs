//! The sites page (`sites:manage`): hide a site from every statistic, list and export, or show it
//! again (`PATCH /api/v1/sites/{code}`).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::{failure, loading};
use crate::text::t;

#[component]
pub fn SitesPage() -> impl IntoView {
    let sites = LocalResource::new(api::sites);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(None::<String>);

    let toggle = move |code: String, hidden: bool| {
        busy.set(Some(code.clone()));
        error.set(None);
        spawn_local(async move {
            if let Err(e) = api::set_site_hidden(&code, hidden).await {
                error.try_set(Some(e));
            }
            busy.try_set(None);
            sites.refetch();
        });
    };

    let rows = move || match sites.get() {
        Some(Ok(list)) if list.is_empty() => {
            view! { <p class="note">{move || t().no_sites}</p> }.into_any()
        }
        Some(Ok(list)) => {
            let rows = list
                .into_iter()
                .map(|site| {
                    let code = site.code.clone();
                    let hidden = site.hidden;
                    let waiting = {
                        let code = code.clone();
                        move || busy.get().as_deref() == Some(code.as_str())
                    };
                    view! {
                        <tr data-site=site.code.clone() data-hidden=hidden.to_string()>
                            <th scope="row">{site.code.clone()}</th>
                            <td>{site.name.clone()}</td>
                            <td>{move || if hidden { t().hidden } else { t().visible }}</td>
                            <td>
                                <button type="button" class="site-toggle" disabled=waiting
                                    on:click=move |_| toggle(code.clone(), !hidden)>
                                    {move || if hidden { t().show } else { t().hide }}
                                </button>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table id="sites-table">
                        <thead><tr>
                            <th scope="col">{move || t().code}</th>
                            <th scope="col">{move || t().name}</th>
                            <th scope="col">{move || t().visible}</th>
                            <th scope="col"></th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }
        Some(Err(e)) => failure(&e).into_any(),
        None => loading().into_any(),
    };

    view! {
        <h1>{move || t().sites_title}</h1>
        {move || error.get().map(|e| failure(&e))}
        {rows}
    }
}
