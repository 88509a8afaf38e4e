//! The statistics page: the uses of the eight features over the period and sites chosen (cards that
//! say what they count), then for the chosen feature the stacked bar chart (or its table, or the
//! uses site by site of one period), in counts or shares, over the last twelve months (the
//! default), a calendar year, one month or years, and the entries behind a bar. Everything that the page shows is read from the URL query, and every
//! change is a navigation:
//! `?feature=email&granularity=month&year=2026&site=LYON&view=table&scale=share&period=2026-03&outcome=error&cause=configuration&user_code=JDUPONT&compare=previous`
//! (`view=sites`: the uses site by site).

use futures::future::try_join_all;
use histo_api_types::{Bucket, FeatureInfo, Site, SiteStatistics, Statistics};
use leptos::prelude::*;

use crate::api::Features;
use crate::api::{self, ApiError, Query};
use crate::components::chart::{BarChart, BarClick, Bars};
use crate::components::entries::{Drill, Entries};
use crate::components::stats_table::StatsTable;
use crate::components::{failure, focus_soon, loading, page_title};
use crate::route::{self, Location, Page};
use crate::span::{Month, Span};
use crate::text::{self, t, HIDDEN_SITES, SITES};

/// What the figures are about.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub feature: String,
    pub span: Span,
    pub sites: Vec<String>,
}

/// How the figures are shown: `view=table`, `view=sites`, or the chart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum View {
    Chart,
    Table,
    /// The uses of one period, site by site (see `Span::single_period`).
    Sites,
}

/// The whole state of the page, as in the URL.
#[derive(Clone, Debug, PartialEq)]
pub struct DashboardState {
    pub selection: Selection,
    pub view: View,
    pub share: bool,
    /// Beside each period, the same period a year earlier.
    pub compare: bool,
    pub drill: Option<Drill>,
}

const DEFAULT_FEATURE: &str = "email";

impl DashboardState {
    pub fn read(location: &Location, now: Month) -> DashboardState {
        let query = &location.query;
        DashboardState {
            selection: Selection {
                feature: query.get("feature").unwrap_or(DEFAULT_FEATURE).to_owned(),
                span: Span::read(query, now),
                sites: query.all("site"),
            },
            view: match query.get("view") {
                Some("table") => View::Table,
                Some("sites") => View::Sites,
                _ => View::Chart,
            },
            share: query.get("scale") == Some("share"),
            compare: query.get("compare") == Some("previous"),
            drill: query.get("period").map(|period| Drill {
                period: period.to_owned(),
                outcome: query.get("outcome").map(str::to_owned),
                cause: query.get("cause").map(str::to_owned),
                user_code: query.get("user_code").map(str::to_owned),
            }),
        }
    }

    pub fn location(&self) -> Location {
        let selection = &self.selection;
        let mut query = selection
            .span
            .write(Query::new().add("feature", &selection.feature))
            .add_all("site", &selection.sites);
        match self.view {
            View::Chart => {}
            View::Table => query = query.add("view", "table"),
            View::Sites => query = query.add("view", "sites"),
        }
        if self.share {
            query = query.add("scale", "share");
        }
        if self.compare {
            query = query.add("compare", "previous");
        }
        if let Some(drill) = &self.drill {
            query = query
                .add("period", &drill.period)
                .add_opt("outcome", drill.outcome.as_ref())
                .add_opt("cause", drill.cause.as_ref())
                .add_opt("user_code", drill.user_code.as_ref());
        }
        Location {
            page: Page::Statistics,
            query,
        }
    }
}

/// The queries of `GET /api/v1/stats` (and of its export) for a selection, compared with the year
/// before or not: one per year that the span touches; and the months of the span (`None`: years).
fn stats_queries(
    selection: &Selection,
    compare: bool,
    now: Month,
) -> (Vec<Query>, Option<(Month, Month)>) {
    let query = |granularity: &str| {
        Query::new()
            .add("feature", &selection.feature)
            .add("granularity", granularity)
            .add_opt("compare", compare.then_some("previous"))
    };
    let sites = &selection.sites;
    let Some((from, to)) = selection.span.months(now) else {
        let (from, to) = selection.span.years(now);
        let years = query("year")
            .add("from", from)
            .add("to", to)
            .add_all("site", sites);
        return (vec![years], None);
    };
    let years = (from.year..=to.year)
        .map(|year| query("month").add("year", year).add_all("site", sites))
        .collect();
    (years, Some((from, to)))
}

fn within(period: &str, months: Option<(Month, Month)>) -> bool {
    months.is_none_or(|(from, to)| Month::parse(period).is_some_and(|m| from <= m && m <= to))
}

/// `GET /api/v1/stats` for a selection (compared with the year before or not), the months outside
/// the span left out.
async fn statistics(
    selection: Selection,
    compare: bool,
    now: Month,
) -> Result<Statistics, ApiError> {
    let (queries, months) = stats_queries(&selection, compare, now);
    let years = try_join_all(queries.iter().map(api::stats)).await?;
    let mut years = years.into_iter();
    let mut stats = years
        .next()
        .ok_or_else(|| ApiError::Decode("no statistics".into()))?;
    stats.buckets.extend(years.flat_map(|year| year.buckets));
    stats.buckets.retain(|b| within(&b.period, months));
    Ok(stats)
}

/// The table of the statistics as a CSV file, from `GET /api/v1/stats/export` with the parameters
/// of the view: the files of the years touched put together (one header, the span's months).
async fn export_statistics(
    selection: Selection,
    compare: bool,
    now: Month,
    lang: text::Lang,
    file_name: String,
) -> Result<(), ApiError> {
    let (queries, months) = stats_queries(&selection, compare, now);
    let files = try_join_all(queries.into_iter().map(|query| {
        let query = api::csv_format(query, lang);
        async move { api::export("/api/v1/stats/export", &query).await }
    }))
    .await?;
    let mut csv = Vec::new();
    for (index, file) in files.iter().enumerate() {
        for (line, text) in String::from_utf8_lossy(file)
            .split_inclusive('\n')
            .enumerate()
        {
            let period = text.split([';', ',']).next().unwrap_or_default();
            let kept = if line == 0 {
                index == 0
            } else {
                within(period, months)
            };
            if kept {
                csv.extend_from_slice(text.as_bytes());
            }
        }
    }
    api::save_file(&csv, "text/csv;charset=utf-8", &file_name)
}

/// The first month with uses of a feature on the sites chosen (`None`: none yet): where the
/// "previous period" button stops. Counts outlive the purge of entries, so this reaches back to
/// the first use ever counted, 50 years at most.
async fn first_use(
    feature: String,
    sites: Vec<String>,
    now: Month,
) -> Result<Option<Month>, ApiError> {
    let query = Query::new().add("feature", &feature);
    let years = api::stats(
        &query
            .clone()
            .add("granularity", "year")
            .add("from", now.year - 49)
            .add("to", now.year)
            .add_all("site", &sites),
    )
    .await?;
    let Some(year) = years.buckets.iter().find(|b| b.counts.total() > 0) else {
        return Ok(None);
    };
    let months = api::stats(
        &query
            .add("granularity", "month")
            .add("year", &year.period)
            .add_all("site", &sites),
    )
    .await?;
    Ok(months
        .buckets
        .iter()
        .find(|b| b.counts.total() > 0)
        .and_then(|b| Month::parse(&b.period)))
}

/// A feature's uses over the span: all of them, and those that succeeded.
#[derive(Clone, Debug, PartialEq)]
struct Uses {
    feature: String,
    total: u64,
    success: u64,
}

/// `GET /api/v1/stats/overview` over the span: one call per year or month, added up.
async fn uses(span: Span, sites: Vec<String>, now: Month) -> Result<Vec<Uses>, ApiError> {
    let periods = span.overview_periods(now);
    let answers = try_join_all(periods.iter().map(|period| api::overview(period, &sites))).await?;
    let mut uses: Vec<Uses> = Vec::new();
    for totals in answers.into_iter().flat_map(|answer| answer.features) {
        let success = totals.counts.get("success");
        match uses.iter_mut().find(|u| u.feature == totals.feature) {
            Some(known) => {
                known.total += totals.total;
                known.success += success;
            }
            None => uses.push(Uses {
                feature: totals.feature,
                total: totals.total,
                success,
            }),
        }
    }
    Ok(uses)
}

/// The name of the files of the figures, without extension: `histo-email-2025-12-2026-11`.
fn file_name(stats: &Statistics) -> String {
    let first = stats.buckets.first().map(|b| b.period.as_str());
    let last = stats.buckets.last().map(|b| b.period.as_str());
    let mut parts = vec!["histo", stats.feature.as_str()];
    parts.extend(first);
    parts.extend(last.filter(|last| Some(*last) != first));
    parts.join("-")
}

/// The uses by site as bars: the chosen sites only (all when none is chosen), their names.
fn site_bars(answer: SiteStatistics, chosen: &[String]) -> (Statistics, Bars) {
    let sites: Vec<_> = answer
        .sites
        .into_iter()
        .filter(|s| chosen.is_empty() || chosen.contains(&s.site))
        .collect();
    let names = sites.iter().map(|s| s.name.clone()).collect();
    let stats = Statistics {
        feature: answer.feature,
        granularity: answer.period,
        timezone: answer.timezone,
        hidden_sites: answer.hidden_sites,
        buckets: sites
            .into_iter()
            .map(|s| Bucket {
                period: s.site,
                counts: s.counts,
                causes: s.causes,
                previous: None,
            })
            .collect(),
    };
    (stats, Bars::Sites(names))
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

/// The sites chosen, by name: "tous sites", "site Lyon", "2 sites : Lyon, Paris".
fn sites_phrase(chosen: &[String], known: &[Site], lang: text::Lang) -> String {
    let name = |code: &String| {
        known
            .iter()
            .find(|s| &s.code == code)
            .map_or_else(|| code.clone(), |s| s.name.clone())
    };
    match chosen {
        [] => lang.texts().all_sites.to_lowercase(),
        [one] => format!("{} {}", lang.texts().site.to_lowercase(), name(one)),
        many => format!(
            "{}{}{}",
            lang.count(many.len() as u64, &SITES),
            lang.colon(),
            many.iter().map(name).collect::<Vec<_>>().join(", ")
        ),
    }
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let now = Month::now();
    let features = expect_context::<Features>();
    let state = Memo::new(move |_| DashboardState::read(&route::location().get(), now));
    let selection = Memo::new(move |_| state.get().selection);
    let span = Memo::new(move |_| selection.get().span);
    let chosen_sites = Memo::new(move |_| selection.get().sites);
    let view = Memo::new(move |_| state.get().view);
    let site_period = Memo::new(move |_| span.get().single_period(now));
    let share = Memo::new(move |_| state.get().share);
    let compare = Memo::new(move |_| state.get().compare);
    let opened = Memo::new(move |_| {
        let state = state.get();
        state
            .drill
            .map(|drill| (state.selection.feature, state.selection.sites, drill))
    });

    let overview = LocalResource::new(move || uses(span.get(), chosen_sites.get(), now));
    // While new figures load, the old ones stay on screen, dimmed and marked busy.
    let pending = RwSignal::new(false);
    let stats = LocalResource::new(move || {
        let (selection, compare) = (selection.get(), compare.get());
        pending.set(true);
        async move {
            let answer = statistics(selection, compare, now).await;
            pending.try_set(false);
            answer
        }
    });
    let by_site = LocalResource::new(move || {
        let wanted = (view.get() == View::Sites)
            .then(|| (selection.with(|s| s.feature.clone()), site_period.get().0));
        async move {
            match wanted {
                Some((feature, period)) => Some(api::site_stats(&feature, &period).await),
                None => None,
            }
        }
    });
    let extent = LocalResource::new(move || {
        first_use(
            selection.with(|s| s.feature.clone()),
            chosen_sites.get(),
            now,
        )
    });
    let settings = LocalResource::new(api::settings);
    let sites = LocalResource::new(api::sites);
    let sites_open = RwSignal::new(false);
    let known_sites = move || sites.get().and_then(Result::ok).unwrap_or_default();
    let feature_name = move || {
        let lang = text::lang().get();
        features
            .get()
            .and_then(Result::ok)
            .and_then(|f| find(&f, &selection.get().feature))
            .map(|f| lang.pick(&f.label))
            .unwrap_or_default()
    };
    let figures_title = Signal::derive(move || {
        format!(
            "{} — {}",
            feature_name(),
            span.get().label(text::lang().get(), now)
        )
    });
    page_title(move || {
        let lang = text::lang().get();
        let span = span.get();
        let when = match span {
            Span::LastTwelve => lang.texts().over_last_twelve.to_owned(),
            _ => span.label(lang, now),
        };
        format!(
            "{} — {} {when} — {}",
            t().nav_dashboard,
            feature_name(),
            t().app_title
        )
    });
    let on_bar: BarClick = Callback::new(move |drill| change(state, |s| s.drill = Some(drill)));
    // A site's bar opens its entries of the period shown: the site becomes the one chosen.
    let on_site: BarClick = Callback::new(move |drill: Drill| {
        change(state, |s| {
            s.selection.sites = vec![drill.period.clone()];
            s.drill = Some(Drill {
                period: site_period.get_untracked().0,
                ..drill
            });
        })
    });
    let sites_title = Signal::derive(move || {
        let lang = text::lang().get();
        format!(
            "{} — {} — {}",
            feature_name(),
            t().by_site,
            lang.period(&site_period.get().0)
        )
    });

    // Closing the entries puts the focus back where they were opened from.
    let close_entries = Callback::new(move |()| {
        let Some(drill) = state.get_untracked().drill else {
            return;
        };
        change(state, |s| s.drill = None);
        let cell = match &drill.cause {
            Some(cause) => format!(
                "#stats-table td[data-period=\"{}\"] button[data-cause=\"{cause}\"]",
                drill.period
            ),
            None => format!(
                "#stats-table td[data-period=\"{}\"][data-outcome=\"{}\"] button",
                drill.period,
                drill.outcome.as_deref().unwrap_or("total")
            ),
        };
        focus_soon(vec![cell, "#chart".into(), "#figures-title".into()]);
    });
    // Escape closes the sites' list first, then the entries.
    let on_escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() != "Escape" {
            return;
        }
        if sites_open.get_untracked() {
            sites_open.set(false);
            focus_soon(vec!["#sites-button".into()]);
        } else if state.get_untracked().drill.is_some() {
            close_entries.run(());
        }
    });
    on_cleanup(move || on_escape.remove());

    let caption = move || {
        let lang = text::lang().get();
        let span = span.get();
        let until = if span.reaches(now) {
            format!(" ({}\u{A0}{})", t().until, lang.today())
        } else {
            String::new()
        };
        format!(
            "{} {}{until} · {}",
            t().uses,
            span.phrase(lang, now),
            sites_phrase(&chosen_sites.get(), &known_sites(), lang)
        )
    };
    let cards = move || match (overview.get(), features.get()) {
        (Some(Ok(uses)), Some(Ok(features))) => {
            let lang = text::lang().get();
            let span = span.get();
            uses.into_iter()
                .map(|uses| {
                    let code = uses.feature.clone();
                    let info = find(&features, &code);
                    let name = info.as_ref().map(|f| lang.pick(&f.label)).unwrap_or(code.clone());
                    let several_outcomes = info.is_some_and(|f| f.outcomes.len() > 1);
                    // A rate says something only where a use can fail; else the pace.
                    let aside = match (several_outcomes, uses.total) {
                        (_, 0) => String::new(),
                        (true, total) => format!("{} {}", lang.percent(uses.success, total), t().success_rate),
                        (false, total) => format!(
                            "{} {}",
                            lang.decimal(total as f64 / span.elapsed(now) as f64),
                            if span.is_years() { t().per_year } else { t().per_month }
                        ),
                    };
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
                        <button type="button" class="card" data-feature=uses.feature.clone()
                            data-total=uses.total aria-pressed=move || chosen().to_string() on:click=pick>
                            <span class="card-name">{name}</span>
                            <span class="card-total">{lang.number(uses.total)}</span>
                            <span class="card-rate">{aside}</span>
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
            Some(info) if stats.buckets.iter().all(|b| b.counts.total() == 0) => {
                let lang = text::lang().get();
                let first = extent
                    .get()
                    .and_then(Result::ok)
                    .map(|first| first.map(Month::key));
                let retention = settings
                    .get()
                    .and_then(Result::ok)
                    .map(|s| s.retention_months);
                let note = lang.no_uses(
                    &lang.pick(&info.label),
                    &span.get().phrase(lang, now),
                    first.as_ref().map(Option::as_deref),
                    retention,
                );
                view! { <p id="no-uses" class="note empty">{note}</p> }.into_any()
            }
            Some(info) if view.get() == View::Sites => {
                let (period, whole) = site_period.get();
                let note = text::lang().get().by_site_note(&period, whole);
                let figures = match by_site.get() {
                    Some(Some(Ok(answer))) => {
                        let (stats, bars) = site_bars(answer, &chosen_sites.get());
                        if stats.buckets.is_empty() {
                            let lang = text::lang().get();
                            let when = format!("{} {}", t().in_period, lang.period_long(&period));
                            let note = lang.no_uses(&lang.pick(&info.label), &when, None, None);
                            view! { <p id="no-site-uses" class="note empty">{note}</p> }.into_any()
                        } else {
                            let file_name = format!("histo-{}-{period}-sites", stats.feature);
                            view! {
                                <BarChart stats=stats.clone() bars=bars.clone() info=info.clone()
                                    title=sites_title share file_name on_bar=on_site/>
                                <StatsTable stats bars info share on_bar=on_site/>
                            }
                            .into_any()
                        }
                    }
                    Some(Some(Err(error))) => failure(&error).into_any(),
                    _ => loading().into_any(),
                };
                view! { <p id="sites-period" class="note">{note}</p> {figures} }.into_any()
            }
            Some(info) if view.get() == View::Table => {
                view! { <StatsTable stats info share on_bar/> }.into_any()
            }
            Some(info) => {
                let file_name = file_name(&stats);
                // Printed beside the chart (see index.html).
                view! {
                    <BarChart stats=stats.clone() info=info.clone() title=figures_title share file_name on_bar/>
                    <div class="print-only"><StatsTable stats info share on_bar printed=true/></div>
                }
                .into_any()
            }
            None => ().into_any(),
        },
        (Some(Err(error)), _) | (_, Some(Err(error))) => failure(&error).into_any(),
        _ => loading().into_any(),
    };

    let exporting = RwSignal::new(None::<ApiError>);
    let export = move |_| {
        let Some(Ok(stats)) = stats.get_untracked() else {
            return;
        };
        let file_name = format!("{}.csv", file_name(&stats));
        let (selection, compare) = (selection.get_untracked(), compare.get_untracked());
        let lang = text::lang().get_untracked();
        exporting.set(None);
        leptos::task::spawn_local(async move {
            if let Err(error) = export_statistics(selection, compare, now, lang, file_name).await {
                exporting.try_set(Some(error));
            }
        });
    };
    let exportable = move || {
        view.get() != View::Sites
            && matches!(stats.get(), Some(Ok(s)) if s.buckets.iter().any(|b| b.counts.total() > 0))
    };

    // A span that reaches before the first month kept says that its older entries are gone.
    let retention_note = move || {
        let kept = settings.get()?.ok()?.retained_from;
        let first = match span.get().months(now) {
            Some((from, _)) => from,
            None => Month {
                year: span.get().years(now).0,
                month: 1,
            },
        };
        (first.key() < kept).then(|| {
            let lang = text::lang().get();
            let note = format!(
                "{}{}{}",
                lang.kept_since(&kept),
                lang.colon(),
                t().older_totals_only
            );
            view! { <p id="retention-note" class="note">{note}</p> }
        })
    };

    let hidden_badge = move || {
        let hidden = stats
            .get()
            .and_then(Result::ok)
            .map_or(0, |s| s.hidden_sites);
        (hidden > 0).then(|| {
            let lang = text::lang().get();
            view! { <span id="hidden-badge" class="badge" data-count=hidden>{lang.count(hidden, &HIDDEN_SITES)}</span> }
        })
    };

    let entries = move || {
        let (feature, sites, drill) = opened.get()?;
        let info = features
            .get()
            .and_then(Result::ok)
            .and_then(|f| find(&f, &feature))?;
        let counted = drill.clone();
        let uses = Signal::derive(move || {
            let stats = stats.get()?.ok()?;
            let bucket = stats.buckets.iter().find(|b| b.period == counted.period)?;
            match (&counted.user_code, &counted.cause, &counted.outcome) {
                (Some(_), _, _) => None,
                (None, Some(cause), _) => Some(bucket.causes.get(cause)),
                (None, None, Some(code)) => Some(bucket.counts.get(code)),
                (None, None, None) => Some(bucket.counts.total()),
            }
        });
        Some(view! {
            <Entries info drill sites uses on_drill=on_bar on_close=close_entries/>
        })
    };

    let toggle = move |id: &'static str,
                       pressed: Signal<bool>,
                       label: fn() -> &'static str,
                       pick: fn(&mut DashboardState)| {
        view! {
            <button type="button" id=id aria-pressed=move || pressed.get().to_string()
                on:click=move |_| change(state, pick)>
                {move || label()}
            </button>
        }
    };
    let by_years = Signal::derive(move || span.get().is_years());
    let by_months = Signal::derive(move || !span.get().is_years());
    let preset = move |id: &'static str, label: fn() -> &'static str, target: Span| {
        let pressed = {
            let target = target.clone();
            move || span.get() == target
        };
        view! {
            <button type="button" id=id aria-pressed=move || pressed().to_string()
                on:click=move |_| {
                    let target = target.clone();
                    change(state, |s| { s.selection.span = target; s.drill = None; })
                }>
                {move || label()}
            </button>
        }
    };
    // The period buttons stop where nothing more can be shown: before the first use counted, and
    // after the current period. They stay focusable, saying why they do nothing.
    let at_start = Memo::new(move |_| match extent.get() {
        Some(Ok(Some(first))) => span.get().starts_by(first, now),
        Some(Ok(None)) => true,
        _ => false,
    });
    let at_end = Memo::new(move |_| span.get().reaches(now));
    let shift = move |step: i32, stop: Memo<bool>| {
        move |_| {
            if !stop.get_untracked() {
                change(state, |s| {
                    s.selection.span = s.selection.span.shifted(step, now);
                    s.drill = None;
                })
            }
        }
    };
    let step_title =
        move |stop: Memo<bool>, go: fn() -> &'static str, why: fn() -> &'static str| {
            move || if stop.get() { why() } else { go() }
        };

    view! {
        <h1 class="page-title">{move || t().nav_dashboard}</h1>
        <section class="overview" aria-labelledby="uses-title">
            <h2 id="uses-title" class="caption">{caption}</h2>
            <div class="cards">{cards}</div>
        </section>
        <section id="figures" class="figures-panel" aria-labelledby="figures-title">
            <h2 id="figures-title" tabindex="-1">{figures_title}</h2>
            <div class="controls">
                <div class="group" role="group" aria-label=move || t().span_kind>
                    {toggle("by-month", by_months, || t().by_month, |s| {
                        s.selection.span = s.selection.span.by(false, Month::now());
                        s.drill = None;
                    })}
                    {toggle("by-year", by_years, || t().by_year, |s| {
                        s.selection.span = s.selection.span.by(true, Month::now());
                        s.drill = None;
                    })}
                </div>
                <Show when=move || by_months.get()>
                    <div class="group presets" role="group" aria-label=move || t().presets>
                        {preset("last-twelve", || t().last_twelve, Span::LastTwelve)}
                        {preset("this-year", || t().this_year, Span::calendar_year(now.year))}
                        {preset("this-month", || t().this_month, Span::one_month(now))}
                        {preset("last-month", || t().last_month, Span::one_month(now.plus(-1)))}
                    </div>
                </Show>
                <div class="group period-nav" role="group" aria-label=move || t().period>
                    <button type="button" id="previous-period" on:click=shift(-1, at_start)
                        aria-disabled=move || at_start.get().to_string()
                        aria-label=step_title(at_start, || t().previous, || t().no_earlier)
                        title=step_title(at_start, || t().previous, || t().no_earlier)>"‹"</button>
                    <span id="period-label">{move || span.get().label(text::lang().get(), now)}</span>
                    <button type="button" id="next-period" on:click=shift(1, at_end)
                        aria-disabled=move || at_end.get().to_string()
                        aria-label=step_title(at_end, || t().next, || t().no_later)
                        title=step_title(at_end, || t().next, || t().no_later)>"›"</button>
                </div>
                <div class="group" role="group" aria-label=move || t().view_kind>
                    {toggle("show-chart", Signal::derive(move || view.get() == View::Chart), || t().chart, |s| s.view = View::Chart)}
                    {toggle("show-table", Signal::derive(move || view.get() == View::Table), || t().table, |s| s.view = View::Table)}
                    {toggle("show-sites", Signal::derive(move || view.get() == View::Sites), || t().by_site, |s| s.view = View::Sites)}
                </div>
                <div class="group" role="group" aria-label=move || t().scale_kind>
                    {toggle("show-counts", Signal::derive(move || !share.get()), || t().counts, |s| s.share = false)}
                    {toggle("show-shares", share.into(), || t().shares, |s| s.share = true)}
                </div>
                // The uses by site are not compared.
                <Show when=move || view.get() != View::Sites>
                    {toggle("compare", compare.into(), || t().compare, |s| s.compare = !s.compare)}
                </Show>
                <SiteFilter sites chosen=chosen_sites open=sites_open state/>
                {hidden_badge}
            </div>
            {retention_note}
            <div class="figures" aria-busy=move || pending.get().to_string()>{figures}</div>
            <Show when=exportable>
                <div class="exports">
                    <button type="button" id="export-stats" on:click=export>{move || t().download_table}</button>
                </div>
            </Show>
            {move || exporting.get().map(|e| failure(&e))}
        </section>
        {entries}
    }
}

/// The site filter: a button naming the sites chosen, opening a list of check boxes; Escape (see
/// the page) or a click elsewhere closes it.
#[component]
fn SiteFilter(
    sites: LocalResource<Result<Vec<Site>, ApiError>>,
    chosen: Memo<Vec<String>>,
    open: RwSignal<bool>,
    state: Memo<DashboardState>,
) -> impl IntoView {
    let wrapper = NodeRef::<leptos::html::Div>::new();
    let on_outside = window_event_listener(leptos::ev::click, move |ev| {
        let inside = wrapper
            .get_untracked()
            .zip(ev.target())
            .is_some_and(|(wrapper, target)| {
                wasm_bindgen::JsCast::dyn_ref::<web_sys::Node>(&target)
                    .is_some_and(|node| wrapper.contains(Some(node)))
            });
        if !inside {
            open.set(false);
        }
    });
    on_cleanup(move || on_outside.remove());
    let button_label = move || {
        let lang = text::lang().get();
        let known = sites.get().and_then(Result::ok).unwrap_or_default();
        let names: Vec<String> = chosen
            .get()
            .iter()
            .map(|code| {
                known
                    .iter()
                    .find(|s| &s.code == code)
                    .map_or_else(|| code.clone(), |s| s.name.clone())
            })
            .collect();
        match names.as_slice() {
            [] => t().all_sites.to_owned(),
            [one] => format!("{}{}{one}", t().site, lang.colon()),
            [first, second] => format!("{}{}{first}, {second}", t().site_filter, lang.colon()),
            [first, second, more @ ..] => format!(
                "{}{}{first}, {second} +{}",
                t().site_filter,
                lang.colon(),
                more.len()
            ),
        }
    };
    let boxes = move || {
        match sites.get() {
        Some(Ok(list)) => list
            .into_iter()
            .filter(|site| !site.hidden)
            .map(|site| {
                let code = site.code.clone();
                let checked = {
                    let code = code.clone();
                    move || chosen.get().contains(&code)
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
            .collect_view()
            .into_any(),
        Some(Err(error)) => failure(&error).into_any(),
        None => loading().into_any(),
    }
    };
    view! {
        <div class="sites-filter" node_ref=wrapper>
            <button type="button" id="sites-button" aria-expanded=move || open.get().to_string()
                aria-controls="site-list" on:click=move |_| open.update(|o| *o = !*o)>
                {button_label}
            </button>
            <div id="site-list" class="site-list" hidden=move || !open.get()>{boxes}</div>
        </div>
    }
}
