//! The entries behind one bar (feature, period, maybe outcome or cause of the errors, sites): how
//! many there are, pages of 50 with a "more" button, a CSV download of the same selection (named
//! after it), and a clear note when the period was purged. A click on a user code keeps that user's
//! entries only; the cause and user filters are shown, each with a button that removes it. On a
//! phone each entry is a card.

use histo_api_types::{FeatureInfo, LogEntry};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, Query};
use crate::components::paged::{Load, Paged};
use crate::components::{failure, Swatch};
use crate::text::{self, t};

const PAGE: u32 = 50;

/// The entries opened: a bar's period, maybe one of its outcomes, or one cause of its errors, and
/// maybe one user's only.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Drill {
    pub period: String,
    pub outcome: Option<String>,
    pub cause: Option<String>,
    pub user_code: Option<String>,
}

/// The list. `uses` is how many uses the statistics count behind the bar, when known; `on_drill` opens other entries (another filter).
#[component]
pub fn Entries(
    info: FeatureInfo,
    drill: Drill,
    sites: Vec<String>,
    #[prop(into)] uses: Signal<Option<u64>>,
    on_drill: Callback<Drill>,
    on_close: Callback<()>,
) -> impl IntoView {
    let opened = StoredValue::new(drill.clone());
    let Drill {
        period,
        outcome,
        cause,
        user_code,
    } = drill;
    let selection = Query::new()
        .add("feature", &info.code)
        .add("period", &period)
        .add_opt("outcome", outcome.clone())
        .add_opt("cause", cause.clone())
        .add_opt("user_code", user_code.clone())
        .add_all("site", &sites);
    let selection = StoredValue::new(selection);
    let purged = RwSignal::new(false);
    let kept_from = RwSignal::new(None::<String>);
    let exporting = RwSignal::new(None::<ApiError>);
    let entries = Paged::<LogEntry>::new(move |cursor| {
        let query = selection
            .get_value()
            .add("limit", PAGE)
            .add_opt("cursor", cursor);
        async move {
            let page = api::logs(&query).await?;
            purged.try_set(page.purged);
            kept_from.try_set(Some(page.retained_from));
            Ok((page.items, page.next_cursor))
        }
    });
    let (items, state) = (entries.items, entries.state);

    let file_name = file_name(
        &info.code,
        &period,
        [outcome.as_deref(), cause.as_deref(), user_code.as_deref()],
        &sites,
    );
    let download = move |_| {
        let query = api::csv_format(selection.get_value(), text::lang().get_untracked());
        let file_name = file_name.clone();
        exporting.set(None);
        spawn_local(async move {
            if let Err(error) =
                api::download_export("/api/v1/logs/export", &query, &file_name).await
            {
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
        let (period, outcome, cause, user_code) = (
            period.clone(),
            outcome.clone(),
            cause.clone(),
            user_code.clone(),
        );
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
            if let Some(code) = &cause {
                parts.push(label_of(&info.causes, code, lang));
            }
            parts.extend(user_code.clone());
            parts.join(" — ")
        }
    };
    let count = move || {
        let shown = items.with(Vec::len) as u64;
        let known = (!purged.get()).then(|| uses.get()).flatten();
        (state.get() != Load::Loading || shown > 0)
            .then(|| text::lang().get().shown_of(shown, known))
    };
    // The filters of cause and user, each removable.
    let filters = {
        let info = info.clone();
        move || {
            let lang = text::lang().get();
            let drill = opened.get_value();
            let remove =
                move |id: &'static str, name: &str, value: String, edit: fn(&mut Drill)| {
                    let shown = format!("{name}{}{value}", lang.colon());
                    let label = format!("{} {shown}", t().remove_filter);
                    let mut next = opened.get_value();
                    edit(&mut next);
                    view! {
                        <button type="button" id=id class="filter" aria-label=label
                            on:click=move |_| on_drill.run(next.clone())>
                            {shown}<span aria-hidden="true">" ×"</span>
                        </button>
                    }
                };
            let cause = drill.cause.as_ref().map(|code| {
                remove(
                    "remove-cause",
                    t().cause,
                    label_of(&info.causes, code, lang),
                    |d| d.cause = None,
                )
            });
            let user = drill
                .user_code
                .clone()
                .map(|code| remove("remove-user", t().user_code, code, |d| d.user_code = None));
            (cause.is_some() || user.is_some()).then(|| {
                view! {
                    <div class="filters" role="group" aria-label=t().filters>{cause}{user}</div>
                }
            })
        }
    };
    let info = StoredValue::new(info);
    let rows = move || {
        let lang = text::lang().get();
        let texts = lang.texts();
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
                        <td data-label=texts.date_time>{lang.date_time(&entry.occurred_at)}</td>
                        <td data-label=texts.site>{entry.site.clone()}</td>
                        <td data-label=texts.user_code>{user_button(entry.user_code.clone(), opened, on_drill)}</td>
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
            {filters}
            <p id="entries-count" class="count-line" aria-live="polite">{count}</p>
            {move || exporting.get().map(|e| failure(&e))}
            {move || {
                let kept = kept_from.get()?;
                let lang = text::lang().get();
                if purged.get() {
                    let note = format!("{} {}.", t().purged, lang.kept_since(&kept));
                    Some(view! { <p id="purged" class="note" role="status">{note}</p> }.into_any())
                } else {
                    // A year that began before the first month kept has lost its oldest entries.
                    let first = if period.contains('-') { period.clone() } else { format!("{period}-01") };
                    (first < kept).then(|| {
                        let note = format!("{}{}{}", lang.kept_since(&kept), lang.colon(), t().older_entries_gone);
                        view! { <p id="purged" class="note" role="status" data-partly="true">{note}</p> }.into_any()
                    })
                }
            }}
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

/// The CSV file's name says what it holds: `histo-email-2026-03-error-configuration-LYON.csv`.
fn file_name<'a>(
    feature: &'a str,
    period: &'a str,
    filters: impl IntoIterator<Item = Option<&'a str>>,
    sites: &'a [String],
) -> String {
    let mut parts = vec!["histo", feature, period];
    parts.extend(filters.into_iter().flatten());
    parts.extend(sites.iter().map(String::as_str));
    format!("{}.csv", parts.join("-"))
}

/// A user code that keeps that user's entries only.
fn user_button(
    code: String,
    opened: StoredValue<Drill>,
    on_drill: Callback<Drill>,
) -> impl IntoView {
    let label = format!("{} {code}", t().only_user);
    let mut next = opened.get_value();
    next.user_code = Some(code.clone());
    view! {
        <button type="button" class="count" data-user=code.clone() aria-label=label
            on:click=move |_| on_drill.run(next.clone())>{code.clone()}</button>
    }
}

/// The label of a code among labelled codes; the code itself when unknown.
fn label_of(list: &[histo_api_types::Labelled], code: &str, lang: text::Lang) -> String {
    list.iter()
        .find(|l| l.code == code)
        .map(|l| lang.pick(&l.label))
        .unwrap_or_else(|| code.to_owned())
}
