//! The entries behind one bar (feature, period, maybe outcome, sites): how many there are, pages of
//! 50 with a "more" button, a CSV download of the same selection (named after it), and a clear note
//! when the period was purged. On a phone each entry is a card.

use histo_api_types::{FeatureInfo, LogEntry};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, Query};
use crate::components::paged::{Load, Paged};
use crate::components::{failure, Swatch};
use crate::text::{self, t};

const PAGE: u32 = 50;

/// The list. `timezone` is the company's (dates are shown in it); `uses` is how many uses the
/// statistics count behind the bar, when known.
#[component]
pub fn Entries(
    info: FeatureInfo,
    period: String,
    outcome: Option<String>,
    sites: Vec<String>,
    #[prop(into)] timezone: Signal<String>,
    #[prop(into)] uses: Signal<Option<u64>>,
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

    let file_name = file_name(&info.code, &period, outcome.as_deref(), &sites);
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
    let count = move || {
        let shown = items.with(Vec::len) as u64;
        let known = (!purged.get()).then(|| uses.get()).flatten();
        (state.get() != Load::Loading || shown > 0)
            .then(|| text::lang().get().shown_of(shown, known))
    };
    let info = StoredValue::new(info);
    let rows = move || {
        let lang = text::lang().get();
        let texts = lang.texts();
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
                    <tr data-id=entry.id.clone() data-outcome=entry.outcome.clone() tabindex="-1">
                        <td data-label=texts.date_time>{lang.date_time(&entry.occurred_at, &zone)}</td>
                        <td data-label=texts.site>{entry.site.clone()}</td>
                        <td data-label=texts.user_code>{entry.user_code.clone()}</td>
                        <td data-label=texts.outcome>
                            <span><Swatch outcome=entry.outcome.clone()/>{label_of(&info.outcomes, &entry.outcome, lang)}</span>
                        </td>
                        <td data-label=texts.cause>{entry.cause.as_ref().map(|c| label_of(&info.causes, c, lang))}</td>
                        <td data-label=texts.code>{entry.code.clone().map(|code| view! { <code>{code}</code> })}</td>
                        <td data-label=texts.detail>{detail}</td>
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
                <Show when=move || items.with(|list| !list.is_empty())>
                    <button type="button" id="export-csv" on:click=download.clone()>{move || t().download_csv}</button>
                </Show>
                <button type="button" id="close-entries" on:click=move |_| on_close.run(())>{move || t().close}</button>
            </div>
            <p id="entries-count" class="count-line" aria-live="polite">{count}</p>
            {move || exporting.get().map(|e| failure(&e))}
            <Show when=move || purged.get()>
                <p id="purged" class="note" role="status">{move || t().purged}</p>
            </Show>
            <Show when=move || state.get() == Load::Ready && items.with(Vec::is_empty) && !purged.get()>
                <p class="note">{move || t().no_entries}</p>
            </Show>
            <Show when=move || items.with(|list| !list.is_empty())>
                <div class="table-wrap">
                    <table class="entries-table stack">
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
            {entries.footer("more-entries", "#entries tbody tr")}
        </section>
    }
}

/// The CSV file's name says what it holds: `histo-email-2026-03-error-LYON.csv`.
fn file_name(feature: &str, period: &str, outcome: Option<&str>, sites: &[String]) -> String {
    let mut parts = vec!["histo", feature, period];
    parts.extend(outcome);
    parts.extend(sites.iter().map(String::as_str));
    format!("{}.csv", parts.join("-"))
}

/// The label of a code among labelled codes; the code itself when unknown.
fn label_of(list: &[histo_api_types::Labelled], code: &str, lang: text::Lang) -> String {
    list.iter()
        .find(|l| l.code == code)
        .map(|l| lang.pick(&l.label))
        .unwrap_or_else(|| code.to_owned())
}
