//! The entries behind one bar (feature, period, maybe outcome, sites): pages of 50 with a "more"
//! button, a CSV download of the same selection, and a clear note when the period was purged.

use histo_api_types::{FeatureInfo, LogEntry};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, Query};
use crate::components::failure;
use crate::components::paged::{Load, Paged};
use crate::text::{self, t};

const PAGE: u32 = 50;

/// The list. `timezone` is the company's (dates are shown in it).
#[component]
pub fn Entries(
    info: FeatureInfo,
    period: String,
    outcome: Option<String>,
    sites: Vec<String>,
    #[prop(into)] timezone: Signal<String>,
    on_close: Callback<()>,
) -> impl IntoView {
    let selection = Query::new()
        .add("feature", &info.code)
        .add("period", &period)
        .add_opt("outcome", outcome.clone())
        .add_all("site", &sites);
    let selection = StoredValue::new(selection);
    let purged = RwSignal::new(false);
    let exporting = RwSignal::new(None::<ApiError>);
    let entries = Paged::<LogEntry>::new(move |cursor| {
        let query = selection
            .get_value()
            .add("limit", PAGE)
            .add_opt("cursor", cursor);
        async move {
            let page = api::logs(&query).await?;
            purged.try_set(page.purged);
            Ok((page.items, page.next_cursor))
        }
    });
    let (items, state) = (entries.items, entries.state);

    let file_name = format!("histo-{}-{}.csv", info.code, period);
    let download = move |_| {
        let lang = text::lang().get_untracked().code();
        let query = selection
            .get_value()
            .add("sep", "semicolon")
            .add("bom", "true")
            .add("lang", lang);
        let file_name = file_name.clone();
        exporting.set(None);
        spawn_local(async move {
            if let Err(error) = api::download_export(&query, &file_name).await {
                exporting.try_set(Some(error));
            }
        });
    };

    let heading = NodeRef::<leptos::html::H2>::new();
    // Keyboard and screen-reader users land on the list that they opened.
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });

    let title = {
        let info = info.clone();
        let (period, outcome) = (period.clone(), outcome.clone());
        move || {
            let lang = text::lang().get();
            let mut parts = vec![
                t().entries_of.to_owned(),
                lang.pick(&info.label),
                lang.period(&period),
            ];
            if let Some(code) = &outcome {
                parts.push(label_of(&info.outcomes, code, lang));
            }
            parts.join(" — ")
        }
    };
    let info = StoredValue::new(info);
    let rows = move || {
        let lang = text::lang().get();
        let zone = timezone.get();
        let info = info.get_value();
        items
            .get()
            .into_iter()
            .map(|entry| {
                let detail = entry.detail.as_ref().map(|d| {
                    info.detail
                        .as_ref()
                        .map(|field| label_of(&field.values, &d.changed, lang))
                        .unwrap_or_else(|| d.changed.clone())
                });
                view! {
                    <tr data-id=entry.id.clone() data-outcome=entry.outcome.clone()>
                        <td>{lang.date_time(&entry.occurred_at, &zone)}</td>
                        <td>{entry.site.clone()}</td>
                        <td>{entry.user_code.clone()}</td>
                        <td>{label_of(&info.outcomes, &entry.outcome, lang)}</td>
                        <td>{entry.cause.as_ref().map(|c| label_of(&info.causes, c, lang))}</td>
                        <td><code>{entry.code.clone()}</code></td>
                        <td>{detail}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <section id="entries" class="entries" aria-labelledby="entries-title"
            data-state=move || state.get().name()>
            <div class="entries-head">
                <h2 id="entries-title" tabindex="-1" node_ref=heading>{title}</h2>
                <button type="button" id="export-csv" on:click=download>{move || t().download_csv}</button>
                <button type="button" id="close-entries" on:click=move |_| on_close.run(())>{move || t().close}</button>
            </div>
            {move || exporting.get().map(|e| failure(&e))}
            <Show when=move || purged.get()>
                <p id="purged" class="note" role="status">{move || t().purged}</p>
            </Show>
            <Show when=move || state.get() == Load::Ready && items.with(Vec::is_empty) && !purged.get()>
                <p class="note">{move || t().no_entries}</p>
            </Show>
            <Show when=move || items.with(|list| !list.is_empty())>
                <div class="table-wrap">
                    <table class="entries-table">
                        <thead>
                            <tr>
                                <th scope="col">{move || t().date_time}</th>
                                <th scope="col">{move || t().site}</th>
                                <th scope="col">{move || t().user_code}</th>
                                <th scope="col">{move || t().outcome}</th>
                                <th scope="col">{move || t().cause}</th>
                                <th scope="col">{move || t().code}</th>
                                <th scope="col">{move || t().detail}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </Show>
            {entries.footer("more-entries")}
        </section>
    }
}

/// The label of a code among labelled codes; the code itself when unknown.
fn label_of(list: &[histo_api_types::Labelled], code: &str, lang: text::Lang) -> String {
    list.iter()
        .find(|l| l.code == code)
        .map(|l| lang.pick(&l.label))
        .unwrap_or_else(|| code.to_owned())
}
