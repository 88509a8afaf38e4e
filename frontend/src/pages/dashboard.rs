//! The statistics page: this year's totals of the eight features, then for the chosen feature the
//! stacked bar chart (or its table) month by month or year by year, and the entries behind a bar.
//! Everything that the page shows is read from the URL query, and every change is a navigation:
//! `?feature=email&granularity=month&year=2026&site=LYON&view=table&period=2026-03&outcome=error`.

use histo_api_types::FeatureInfo;
use leptos::prelude::*;

use crate::api::{self, Query};
use crate::app::Features;
use crate::components::chart::{BarChart, BarClick};
use crate::components::entries::Entries;
use crate::components::stats_table::StatsTable;
use crate::components::{failure, loading};
use crate::route::{self, Location};
use crate::text::{self, t};

/// The months of a year, or a range of years.
#[derive(Clone, Debug, PartialEq)]
pub enum Span {
    Months { year: i32 },
    Years { from: i32, to: i32 },
}

/// What the figures are about.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub feature: String,
    pub span: Span,
    pub sites: Vec<String>,
}

/// The bar whose entries are open.
#[derive(Clone, Debug, PartialEq)]
pub struct Drill {
    pub period: String,
    pub outcome: Option<String>,
}

/// The whole state of the page, as in the URL.
#[derive(Clone, Debug, PartialEq)]
pub struct DashboardState {
    pub selection: Selection,
    pub table: bool,
    pub drill: Option<Drill>,
}

const DEFAULT_FEATURE: &str = "email";
const DEFAULT_YEARS: i32 = 5;

impl DashboardState {
    pub fn read(location: &Location, this_year: i32) -> DashboardState {
        let query = &location.query;
        let number = |key| query.get(key).and_then(|v| v.parse::<i32>().ok());
        let span = if query.get("granularity") == Some("year") {
            let to = number("to").unwrap_or(this_year);
            let from = number("from").unwrap_or(to - DEFAULT_YEARS + 1).min(to);
            Span::Years { from, to }
        } else {
            Span::Months {
                year: number("year").unwrap_or(this_year),
            }
        };
        DashboardState {
            selection: Selection {
                feature: query.get("feature").unwrap_or(DEFAULT_FEATURE).to_owned(),
                span,
                sites: query.all("site"),
            },
            table: query.get("view") == Some("table"),
            drill: query.get("period").map(|period| Drill {
                period: period.to_owned(),
                outcome: query.get("outcome").map(str::to_owned),
            }),
        }
    }

    pub fn location(&self) -> Location {
        let mut query = self.selection.query();
        if self.table {
            query = query.add("view", "table");
        }
        if let Some(drill) = &self.drill {
            query = query
                .add("period", &drill.period)
                .add_opt("outcome", drill.outcome.as_ref());
        }
        Location {
            path: "/".into(),
            query,
        }
    }
}

impl Span {
    /// The same length of time, one step earlier (-1) or later (+1).
    fn shifted(&self, step: i32) -> Span {
        match *self {
            Span::Months { year } => Span::Months { year: year + step },
            Span::Years { from, to } => {
                let width = to - from + 1;
                Span::Years {
                    from: from + step * width,
                    to: to + step * width,
                }
            }
        }
    }

    fn label(&self) -> String {
        match self {
            Span::Months { year } => year.to_string(),
            Span::Years { from, to } => format!("{from} – {to}"),
        }
    }
}

impl Selection {
    /// The query of `GET /api/v1/stats`, also the start of the page's URL query.
    fn query(&self) -> Query {
        let query = Query::new().add("feature", &self.feature);
        let query = match self.span {
            Span::Months { year } => query.add("granularity", "month").add("year", year),
            Span::Years { from, to } => query
                .add("granularity", "year")
                .add("from", from)
                .add("to", to),
        };
        query.add_all("site", &self.sites)
    }
}

/// Changes the page state by a navigation (so that the back button undoes it).
fn change(state: Memo<DashboardState>, edit: impl FnOnce(&mut DashboardState)) {
    let mut next = state.get_untracked();
    edit(&mut next);
    route::navigate(next.location());
}

fn find(features: &[FeatureInfo], code: &str) -> Option<FeatureInfo> {
    features.iter().find(|f| f.code == code).cloned()
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let this_year = js_sys::Date::new_0().get_full_year() as i32;
    let features = expect_context::<Features>();
    let state = Memo::new(move |_| DashboardState::read(&route::location().get(), this_year));
    let selection = Memo::new(move |_| state.get().selection);
    let table = Memo::new(move |_| state.get().table);
    let opened = Memo::new(move |_| {
        let state = state.get();
        state
            .drill
            .map(|drill| (state.selection.feature, state.selection.sites, drill))
    });

    let overview =
        LocalResource::new(move || async move { api::overview(&this_year.to_string()).await });
    // While new figures load, the old ones stay on screen, dimmed and marked busy.
    let pending = RwSignal::new(false);
    let stats = LocalResource::new(move || {
        let query = selection.get().query();
        pending.set(true);
        async move {
            let answer = api::stats(&query).await;
            pending.try_set(false);
            answer
        }
    });
    let sites = LocalResource::new(api::sites);
    let timezone = Signal::derive(move || {
        stats
            .get()
            .and_then(Result::ok)
            .map(|s| s.timezone)
            .unwrap_or_else(|| "Europe/Paris".into())
    });
    let on_bar: BarClick = Callback::new(move |(period, outcome)| {
        change(state, |s| s.drill = Some(Drill { period, outcome }))
    });

    let cards = move || match (overview.get(), features.get()) {
        (Some(Ok(overview)), Some(Ok(features))) => {
            let lang = text::lang().get();
            overview
                .features
                .into_iter()
                .map(|totals| {
                    let code = totals.feature.clone();
                    let name = find(&features, &code).map(|f| lang.pick(&f.label)).unwrap_or(code.clone());
                    let rate = (totals.total > 0).then(|| {
                        format!("{} {}", lang.percent(totals.counts.get("success"), totals.total), t().success_rate)
                    });
                    let chosen = {
                        let code = code.clone();
                        move || selection.get().feature == code
                    };
                    let pick = move |_| {
                        let code = code.clone();
                        change(state, |s| {
                            s.selection.feature = code;
                            s.drill = None;
                        })
                    };
                    view! {
                        <button type="button" class="card" data-feature=totals.feature.clone()
                            data-total=totals.total aria-pressed=move || chosen().to_string() on:click=pick>
                            <span class="card-name">{name}</span>
                            <span class="card-total">{lang.number(totals.total)}</span>
                            <span class="card-rate">{rate}</span>
                        </button>
                    }
                })
                .collect_view()
                .into_any()
        }
        (Some(Err(error)), _) | (_, Some(Err(error))) => failure(&error).into_any(),
        _ => loading().into_any(),
    };

    let figures = move || match (stats.get(), features.get()) {
        (Some(Ok(stats)), Some(Ok(features))) => match find(&features, &stats.feature) {
            Some(info) if table.get() => view! { <StatsTable stats info on_bar/> }.into_any(),
            Some(info) => view! { <BarChart stats info on_bar/> }.into_any(),
            None => ().into_any(),
        },
        (Some(Err(error)), _) | (_, Some(Err(error))) => failure(&error).into_any(),
        _ => loading().into_any(),
    };

    let hidden_badge = move || {
        let hidden = stats
            .get()
            .and_then(Result::ok)
            .map_or(0, |s| s.hidden_sites);
        (hidden > 0).then(|| {
            let lang = text::lang().get();
            view! { <span id="hidden-badge" class="badge" data-count=hidden>{format!("{} {}", lang.number(hidden), t().hidden_sites)}</span> }
        })
    };

    let entries = move || {
        let (feature, sites, drill) = opened.get()?;
        let info = features
            .get()
            .and_then(Result::ok)
            .and_then(|f| find(&f, &feature))?;
        let on_close = Callback::new(move |()| change(state, |s| s.drill = None));
        Some(view! {
            <Entries info period=drill.period outcome=drill.outcome sites timezone on_close/>
        })
    };

    let granularity_button = move |years: bool| {
        let pressed = move || matches!(selection.get().span, Span::Years { .. }) == years;
        let choose = move |_| {
            change(state, |s| {
                s.selection.span = match (&s.selection.span, years) {
                    (Span::Months { year }, true) => Span::Years {
                        from: year - DEFAULT_YEARS + 1,
                        to: *year,
                    },
                    (Span::Years { to, .. }, false) => Span::Months { year: *to },
                    (span, _) => span.clone(),
                };
                s.drill = None;
            })
        };
        let id = if years { "by-year" } else { "by-month" };
        view! {
            <button type="button" id=id aria-pressed=move || pressed().to_string() on:click=choose>
                {move || if years { t().by_year } else { t().by_month }}
            </button>
        }
    };
    let view_button = move |as_table: bool| {
        let id = if as_table { "show-table" } else { "show-chart" };
        view! {
            <button type="button" id=id aria-pressed=move || (table.get() == as_table).to_string()
                on:click=move |_| change(state, |s| s.table = as_table)>
                {move || if as_table { t().table } else { t().chart }}
            </button>
        }
    };
    let shift = move |step: i32| {
        move |_| {
            change(state, |s| {
                s.selection.span = s.selection.span.shifted(step);
                s.drill = None;
            })
        }
    };

    let site_filter = move || match sites.get() {
        Some(Ok(list)) => {
            let boxes = list
                .into_iter()
                .filter(|site| !site.hidden)
                .map(|site| {
                    let code = site.code.clone();
                    let checked = {
                        let code = code.clone();
                        move || selection.get().sites.contains(&code)
                    };
                    let toggle = move |_| {
                        let code = code.clone();
                        change(state, |s| {
                            let sites = &mut s.selection.sites;
                            match sites.iter().position(|c| *c == code) {
                                Some(i) => {
                                    sites.remove(i);
                                }
                                None => sites.push(code),
                            }
                            s.drill = None;
                        })
                    };
                    view! {
                        <label class="site-choice">
                            <input type="checkbox" value=site.code.clone() prop:checked=checked on:change=toggle/>
                            {site.name.clone()}
                        </label>
                    }
                })
                .collect_view();
            view! {
                <details class="sites-filter">
                    <summary>{move || {
                        let chosen = selection.get().sites.len();
                        if chosen == 0 { t().all_sites.to_owned() } else { format!("{} ({chosen})", t().sites_filter) }
                    }}</summary>
                    <div class="site-list">{boxes}</div>
                </details>
            }
            .into_any()
        }
        Some(Err(error)) => failure(&error).into_any(),
        None => ().into_any(),
    };

    view! {
        <section class="overview" aria-label=move || t().this_year>
            <h1 class="sr-only">{move || format!("{} {this_year}", t().this_year)}</h1>
            <div class="cards">{cards}</div>
        </section>
        <section class="figures-panel" aria-labelledby="figures-title">
            <h2 id="figures-title">{move || {
                let lang = text::lang().get();
                let name = features.get().and_then(Result::ok)
                    .and_then(|f| find(&f, &selection.get().feature)).map(|f| lang.pick(&f.label))
                    .unwrap_or_default();
                format!("{name} — {}", selection.get().span.label())
            }}</h2>
            <div class="controls">
                <div class="group" role="group">{granularity_button(false)}{granularity_button(true)}</div>
                <div class="group period-nav" role="group">
                    <button type="button" id="previous-period" on:click=shift(-1)
                        aria-label=move || t().previous title=move || t().previous>"‹"</button>
                    <span id="period-label">{move || selection.get().span.label()}</span>
                    <button type="button" id="next-period" on:click=shift(1)
                        aria-label=move || t().next title=move || t().next>"›"</button>
                </div>
                <div class="group" role="group">{view_button(false)}{view_button(true)}</div>
                {site_filter}
                {hidden_badge}
            </div>
            <div class="figures" aria-busy=move || pending.get().to_string()>{figures}</div>
        </section>
        {entries}
    }
}
