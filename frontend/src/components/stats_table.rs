//! The figures of the chart as a table: its accessible twin. Every non-zero count is a button that
//! opens the entries behind it, like a click on the chart. On a phone each period is a card.

use histo_api_types::{FeatureInfo, Statistics};
use leptos::prelude::*;

use crate::components::chart::BarClick;
use crate::components::Swatch;
use crate::text;

/// One row per period, one column per outcome (counts, or shares of the period's total), then the
/// total. Each count cell carries `data-period`, `data-outcome` (`total` for the last column) and
/// `data-count` (for the tests).
#[component]
pub fn StatsTable(
    stats: Statistics,
    info: FeatureInfo,
    #[prop(into)] share: Signal<bool>,
    on_bar: BarClick,
) -> impl IntoView {
    move || {
        let lang = text::lang().get();
        let share = share.get();
        let texts = lang.texts();
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
            .map(|bucket| {
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
                        <th scope="row">{lang.period(&bucket.period)}</th>
                        {cells}
                        {count_cell(lang.number(total), total, &bucket.period, None, texts.total.to_owned(), on_bar)}
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table id="stats-table" class="figures stack" tabindex="-1" data-scale=if share { "share" } else { "count" }>
                    <caption>{lang.pick(&info.label)}</caption>
                    <thead>
                        <tr><th scope="col">{texts.period}</th>{head}<th scope="col">{texts.total}</th></tr>
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
        let p = period.clone();
        view! {
            <button type="button" class="count"
                on:click=move |_| on_bar.run((p.clone(), outcome.clone()))>{shown}</button>
        }
        .into_any()
    };
    view! { <td data-period=period data-outcome=column data-count=count data-label=label>{content}</td> }
}
