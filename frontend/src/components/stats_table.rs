//! The figures of the chart as a table, a row per period or per site: its accessible twin. Every non-zero count is a button that
//! opens the entries behind it, like a click on the chart; so is each cause of the errors, in a
//! last column (for a feature whose uses can fail). Compared with the year before, the total a year
//! earlier and the change in % follow the total. On a phone each period is a card.

use histo_api_types::{Bucket, FeatureInfo, Statistics};
use leptos::prelude::*;

use crate::components::chart::{BarClick, Bars};
use crate::components::entries::Drill;
use crate::components::Swatch;
use crate::text::{self, Lang};

/// One row per period (or site), one column per outcome (counts, or shares of the period's total), then the
/// total and the causes of the errors. Each count cell carries `data-period`, `data-outcome`
/// (`total` for the total, `causes` for the causes) and `data-count` (for the tests); each cause's
/// button carries `data-cause`.
#[component]
pub fn StatsTable(
    stats: Statistics,
    /// Periods (the default) or sites.
    #[prop(optional)]
    bars: Bars,
    info: FeatureInfo,
    #[prop(into)] share: Signal<bool>,
    on_bar: BarClick,
    /// A copy for the printed page only (no id: the one on screen is the table view's).
    #[prop(optional)]
    printed: bool,
) -> impl IntoView {
    move || {
        let lang = text::lang().get();
        let share = share.get();
        let texts = lang.texts();
        let with_causes = !info.causes.is_empty();
        let compared = stats.buckets.iter().any(|b| b.previous.is_some());
        let head = info
            .outcomes
            .iter()
            .map(|o| {
                view! { <th scope="col"><Swatch outcome=o.code.clone()/>{lang.pick(&o.label)}</th> }
            })
            .collect_view();
        let rows = stats
            .buckets
            .iter()
            .enumerate()
            .map(|(index, bucket)| {
                let total = bucket.counts.total();
                let cells = info
                    .outcomes
                    .iter()
                    .map(|o| {
                        let count = bucket.counts.get(&o.code);
                        let shown = if share { lang.percent(count, total) } else { lang.number(count) };
                        count_cell(shown, count, &bucket.period, Some(&o.code), lang.pick(&o.label), on_bar)
                    })
                    .collect_view();
                view! {
                    <tr>
                        <th scope="row">{bars.name(index, bucket, lang)}</th>
                        {cells}
                        {count_cell(lang.number(total), total, &bucket.period, None, texts.total.to_owned(), on_bar)}
                        {bucket.previous.as_ref().map(|previous| {
                            let before = previous.counts.total();
                            view! {
                                <td data-period=bucket.period.clone() data-outcome="previous" data-count=before
                                    data-label=texts.year_before>{lang.number(before)}</td>
                                <td data-period=bucket.period.clone() data-outcome="change"
                                    data-label=texts.change_percent>{lang.change(total, before)}</td>
                            }
                        })}
                        {with_causes.then(|| causes_cell(bucket, &info, lang, on_bar))}
                    </tr>
                }
            })
            .collect_view();
        let (first_column, caption) = match bars {
            Bars::Periods => (texts.period, lang.pick(&info.label)),
            Bars::Sites(_) => (
                texts.site,
                format!("{} — {}", lang.pick(&info.label), texts.by_site),
            ),
        };
        view! {
            <div class="table-wrap">
                <table id=(!printed).then_some("stats-table") class="figures stack" tabindex="-1" data-scale=if share { "share" } else { "count" }>
                    <caption>{caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{first_column}</th>{head}<th scope="col">{texts.total}</th>
                            {compared.then(|| view! {
                                <th scope="col">{texts.year_before}</th><th scope="col">{texts.change_percent}</th>
                            })}
                            {with_causes.then(|| view! { <th scope="col">{texts.error_causes}</th> })}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    }
}

/// A cell of one count, shown as `shown`; `label` names its column on a phone's card.
fn count_cell(
    shown: String,
    count: u64,
    period: &str,
    outcome: Option<&str>,
    label: String,
    on_bar: BarClick,
) -> impl IntoView {
    let (period, outcome) = (period.to_owned(), outcome.map(str::to_owned));
    let column = outcome.clone().unwrap_or_else(|| "total".into());
    let content = if count == 0 {
        shown.into_any()
    } else {
        let drill = Drill {
            period: period.clone(),
            outcome,
            ..Drill::default()
        };
        view! {
            <button type="button" class="count"
                on:click=move |_| on_bar.run(drill.clone())>{shown}</button>
        }
        .into_any()
    };
    view! { <td data-period=period data-outcome=column data-count=count data-label=label>{content}</td> }
}

/// The errors of a period by cause: a button "Configuration : 2" per cause that happened, opening
/// those errors.
fn causes_cell(bucket: &Bucket, info: &FeatureInfo, lang: Lang, on_bar: BarClick) -> impl IntoView {
    let buttons = info
        .causes
        .iter()
        .filter_map(|cause| {
            let count = bucket.causes.get(&cause.code);
            (count > 0).then(|| {
                let drill = Drill {
                    period: bucket.period.clone(),
                    outcome: Some("error".into()),
                    cause: Some(cause.code.clone()),
                    user_code: None,
                };
                view! {
                    <button type="button" class="count" data-cause=cause.code.clone() data-count=count
                        on:click=move |_| on_bar.run(drill.clone())>
                        {format!("{}{}{}", lang.pick(&cause.label), lang.colon(), lang.number(count))}
                    </button>
                }
            })
        })
        .collect_view();
    view! {
        <td class="causes" data-period=bucket.period.clone() data-outcome="causes"
            data-count=bucket.causes.total() data-label=lang.texts().error_causes>{buttons}</td>
    }
}
