//! The figures of the chart as a table: its accessible twin. Every non-zero count is a button that
//! opens the entries behind it, like a click on the chart.

use histo_api_types::{FeatureInfo, Statistics};
use leptos::prelude::*;

use crate::components::chart::BarClick;
use crate::text::{self, Lang};

/// One row per period, one column per outcome, then the total. Each count cell carries
/// `data-period`, `data-outcome` (`total` for the last column) and `data-count` (for the tests).
#[component]
pub fn StatsTable(stats: Statistics, info: FeatureInfo, on_bar: BarClick) -> impl IntoView {
    let lang = text::lang().get_untracked();
    let texts = lang.texts();
    let head = info
        .outcomes
        .iter()
        .map(|o| view! { <th scope="col">{lang.pick(&o.label)}</th> })
        .collect_view();
    let rows = stats
        .buckets
        .iter()
        .map(|bucket| {
            let cells = info
                .outcomes
                .iter()
                .map(|o| {
                    count_cell(
                        lang,
                        bucket.counts.get(&o.code),
                        &bucket.period,
                        Some(&o.code),
                        on_bar,
                    )
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{lang.period(&bucket.period)}</th>
                    {cells}
                    {count_cell(lang, bucket.counts.total(), &bucket.period, None, on_bar)}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table id="stats-table" class="figures">
                <caption>{lang.pick(&info.label)}</caption>
                <thead>
                    <tr><th scope="col">{texts.period}</th>{head}<th scope="col">{texts.total}</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn count_cell(
    lang: Lang,
    count: u64,
    period: &str,
    outcome: Option<&str>,
    on_bar: BarClick,
) -> impl IntoView {
    let (period, outcome) = (period.to_owned(), outcome.map(str::to_owned));
    let column = outcome.clone().unwrap_or_else(|| "total".into());
    let shown = lang.number(count);
    let content = if count == 0 {
        shown.into_any()
    } else {
        let p = period.clone();
        view! {
            <button type="button" class="count"
                on:click=move |_| on_bar.run((p.clone(), outcome.clone()))>{shown}</button>
        }
        .into_any()
    };
    view! { <td data-period=period data-outcome=column data-count=count>{content}</td> }
}
