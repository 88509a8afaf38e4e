//! The stacked bar chart of one feature, a bar per period (upright) or per site (lying down):
//! ECharts (SVG renderer) fed with an option built by
//! `charming`, plus what charming cannot say (decal patterns, the tooltip's formatter, borders).
//! Colours are safe for colour-blind users and each outcome also has its own pattern. The tooltip
//! also splits the errors by cause. A click or a tap on a segment reports its period and outcome
//! (the chart finds the segment itself: ECharts' own click event misses most taps). By keyboard,
//! the focused chart moves a highlighted segment with the arrow keys, shows and announces it, and
//! Enter opens it. Small segments keep a visible height; the "% share" scale stacks every bar to
//! 100 %. The values' axis writes its numbers as the language does ("1 800", "100 %" in French).
//! Buttons save it as a PNG or SVG image. Compared with the year before, a dashed line draws the totals a year earlier (on the
//! counts' scale only: shares of two years do not stack).

use std::cell::RefCell;
use std::rc::Rc;

use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisType, Tooltip, Trigger};
use charming::series::Bar;
use charming::Chart;
use histo_api_types::{Bucket, FeatureInfo, Statistics};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use crate::api;
use crate::components::entries::Drill;
use crate::text::{self, t, Lang};

#[wasm_bindgen]
extern "C" {
    /// An ECharts instance (`echarts.init(…)`).
    type Instance;

    #[wasm_bindgen(js_namespace = echarts, js_name = init)]
    fn init_chart(element: &web_sys::HtmlElement, theme: &JsValue, options: &JsValue) -> Instance;

    #[wasm_bindgen(method, js_name = setOption)]
    fn set_option(this: &Instance, option: &JsValue, not_merge: bool);

    #[wasm_bindgen(method, js_name = convertToPixel)]
    fn convert_to_pixel(this: &Instance, finder: &JsValue, value: &JsValue) -> JsValue;

    #[wasm_bindgen(method, js_name = convertFromPixel)]
    fn convert_from_pixel(this: &Instance, finder: &JsValue, value: &JsValue) -> JsValue;

    #[wasm_bindgen(method)]
    fn resize(this: &Instance);

    #[wasm_bindgen(method, js_name = getDataURL)]
    fn get_data_url(this: &Instance, options: &JsValue) -> String;

    #[wasm_bindgen(method, js_name = dispatchAction)]
    fn dispatch_action(this: &Instance, action: &JsValue);

    #[wasm_bindgen(method)]
    fn dispose(this: &Instance);
}

/// The colour of each outcome, the same on every feature and in the legend, table and entries:
/// blue, amber, vermilion and grey stay apart for deuteranopes and protanopes too (unlike green
/// and red), and differ in lightness.
pub fn outcome_colour(outcome: &str) -> &'static str {
    match outcome {
        "success" => "#005ab5",
        "no_result" => "#f2b705",
        "error" => "#cc3311",
        "stopped" => "#888888",
        _ => "#4b4b4b",
    }
}

/// The pattern of each outcome over its colour (an ECharts decal), so that no outcome is told by
/// colour alone; `index.html` draws the same patterns on the swatches of tables and lists.
fn outcome_decal(outcome: &str) -> Value {
    match outcome {
        "no_result" => {
            json!({"symbol": "circle", "symbolSize": 0.5, "dashArrayX": [[4, 4], [0, 4, 4, 0]],
            "dashArrayY": [4, 0], "color": "rgba(0, 0, 0, 0.4)"})
        }
        "error" => {
            json!({"symbol": "rect", "symbolSize": 1, "dashArrayX": [1, 0], "dashArrayY": [2, 4],
            "rotation": -std::f64::consts::FRAC_PI_4, "color": "rgba(255, 255, 255, 0.55)"})
        }
        "stopped" => {
            json!({"symbol": "rect", "symbolSize": 1, "dashArrayX": [1, 0], "dashArrayY": [1, 3],
            "rotation": 0, "color": "rgba(255, 255, 255, 0.6)"})
        }
        _ => json!({"symbol": "none"}),
    }
}

/// The smallest height of a segment that is not zero, as a share of the highest bar: one use next
/// to thousands stays visible (and clickable); the tooltip and the table give the exact figures.
const MIN_SEGMENT: f64 = 0.015;
/// How far (in pixels) a click or tap may land from a segment and still open it.
const REACH: f64 = 12.0;

/// The heights drawn, per outcome then per bar: `None` for an empty segment.
type Heights = Vec<Vec<Option<f64>>>;

/// A drawn chart, its tooltip formatter and the heights it drew, dropped together on cleanup.
struct Drawn {
    instance: Instance,
    formatter: Closure<dyn Fn(JsValue) -> JsValue>,
    axis_label: Closure<dyn Fn(JsValue) -> JsValue>,
    /// The option drawn last (saved as an image again).
    option: JsValue,
    heights: Heights,
    horizontal: bool,
}

/// A click on a bar: its period (its site's code, for sites) and, for a segment, its outcome (or a
/// cause of its errors).
pub type BarClick = Callback<Drill>;

/// What the bars stand for.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Bars {
    /// Periods, upright, named by `Bucket::period`.
    #[default]
    Periods,
    /// Sites, lying down: `Bucket::period` holds a site's code, and these are their names.
    Sites(Vec<String>),
}

impl Bars {
    /// The name of bar `index` of `bucket`: its period in words, or its site's name.
    pub fn name(&self, index: usize, bucket: &Bucket, lang: Lang) -> String {
        match self {
            Bars::Periods => lang.period(&bucket.period),
            Bars::Sites(names) => names
                .get(index)
                .cloned()
                .unwrap_or_else(|| bucket.period.clone()),
        }
    }

    fn horizontal(&self) -> bool {
        matches!(self, Bars::Sites(_))
    }
}

/// The chart. Made again when its figures change, drawn again when the language or the scale
/// changes; the container has the id `chart` and `data-state="ready"` once drawn (for the tests).
#[component]
pub fn BarChart(
    stats: Statistics,
    /// Periods (the default) or sites.
    #[prop(optional)]
    bars: Bars,
    info: FeatureInfo,
    /// The title of what is shown (feature and period), for the chart's accessible name.
    #[prop(into)]
    title: Signal<String>,
    /// Shares (100 % stacked bars) instead of counts.
    #[prop(into)]
    share: Signal<bool>,
    /// The name of the image files, without extension.
    file_name: String,
    on_bar: BarClick,
) -> impl IntoView {
    let stats = Rc::new(stats);
    let info = Rc::new(info);
    let bars = Rc::new(bars);
    // Sites lie down: a line of 40 pixels each, and room for the axis and the legend.
    let height = bars
        .horizontal()
        .then(|| format!("height:{}px", 40 * stats.buckets.len() + 100));
    let container = NodeRef::<leptos::html::Div>::new();
    let live: Rc<RefCell<Option<Drawn>>> = Rc::default();

    let drawn = live.clone();
    let (figures, feature, kind) = (stats.clone(), info.clone(), bars.clone());
    let scale = share;
    Effect::new(move |_| {
        let (lang, share) = (text::lang().get(), share.get());
        let Some(element) = container.get() else {
            return;
        };
        let mut drawn = drawn.borrow_mut();
        let chart = drawn.get_or_insert_with(|| {
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &"renderer".into(), &"svg".into());
            let horizontal = kind.horizontal();
            let (figures, feature, kind) = (figures.clone(), feature.clone(), kind.clone());
            let formatter = Closure::<dyn Fn(JsValue) -> JsValue>::new(move |params: JsValue| {
                let bar =
                    js_sys::Reflect::get(&js_sys::Array::from(&params).get(0), &"dataIndex".into())
                        .ok()
                        .and_then(|v| v.as_f64())
                        .unwrap_or(0.0) as usize;
                tooltip(&figures, &feature, &kind, bar, text::lang().get_untracked()).into()
            });
            // ECharts writes "1,800" in every language: the language's own way instead.
            let axis_label = Closure::<dyn Fn(JsValue) -> JsValue>::new(move |value: JsValue| {
                let (lang, value) = (text::lang().get_untracked(), value.as_f64().unwrap_or(0.0));
                if scale.get_untracked() {
                    lang.percent_value(value).into()
                } else {
                    lang.decimal(value).into()
                }
            });
            Drawn {
                instance: init_chart(&element, &JsValue::NULL, &options),
                formatter,
                axis_label,
                option: JsValue::NULL,
                heights: Vec::new(),
                horizontal,
            }
        });
        let (option, heights) = build(&figures, &feature, &kind, lang, share);
        let option = js_sys::JSON::parse(&option.to_string()).unwrap_or(JsValue::NULL);
        if let Ok(tooltip) = js_sys::Reflect::get(&option, &"tooltip".into()) {
            let _ = js_sys::Reflect::set(&tooltip, &"formatter".into(), chart.formatter.as_ref());
        }
        let value_axis = if chart.horizontal { "xAxis" } else { "yAxis" };
        if let Ok(label) = js_sys::Reflect::get(&option, &value_axis.into())
            .and_then(|axis| js_sys::Reflect::get(&axis, &"axisLabel".into()))
        {
            let _ = js_sys::Reflect::set(&label, &"formatter".into(), chart.axis_label.as_ref());
        }
        chart.instance.set_option(&option, true);
        chart.option = option;
        chart.heights = heights;
        let _ = element.set_attribute("data-state", "ready");
        let _ = element.set_attribute("data-scale", if share { "share" } else { "count" });
        // Milliseconds since the page was opened: the browser tests print it.
        if let Some(performance) = window().performance() {
            let _ = element.set_attribute("data-drawn-at", &(performance.now() as u64).to_string());
        }
    });

    let resized = live.clone();
    let on_resize = window_event_listener(leptos::ev::resize, move |_| {
        if let Some(chart) = resized.borrow().as_ref() {
            chart.instance.resize();
        }
    });

    let periods: Vec<String> = stats.buckets.iter().map(|b| b.period.clone()).collect();
    let outcomes: Vec<String> = info.outcomes.iter().map(|o| o.code.clone()).collect();
    let open = {
        let (periods, outcomes) = (periods.clone(), outcomes.clone());
        move |(bar, outcome): (usize, usize)| {
            if let (Some(period), Some(code)) = (periods.get(bar), outcomes.get(outcome)) {
                on_bar.run(Drill {
                    period: period.clone(),
                    outcome: Some(code.clone()),
                    ..Drill::default()
                });
            }
        }
    };

    // A click or a tap (the browser makes a click of a tap): the segment under it, or the nearest.
    let clicked = live.clone();
    let open_clicked = open.clone();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(element) = container.get_untracked() else {
            return;
        };
        let bounds = element.get_bounding_client_rect();
        let (x, y) = (
            ev.client_x() as f64 - bounds.left(),
            ev.client_y() as f64 - bounds.top(),
        );
        let found = clicked
            .borrow()
            .as_ref()
            .and_then(|chart| segment_at(chart, x, y));
        if let Some(found) = found {
            open_clicked(found);
        }
    };

    // The segment chosen by keyboard: (bar, outcome) indexes.
    let chosen = RwSignal::new(None::<(usize, usize)>);
    let keyboard = live.clone();
    let (last_bar, last_outcome) = (
        periods.len().saturating_sub(1),
        outcomes.len().saturating_sub(1),
    );
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let (bar, outcome) = chosen.get_untracked().unwrap_or((0, 0));
        let moved = match ev.key().as_str() {
            "Enter" | " " => {
                ev.prevent_default();
                open((bar, outcome));
                return;
            }
            "ArrowRight" => ((bar + 1).min(last_bar), outcome),
            "ArrowLeft" => (bar.saturating_sub(1), outcome),
            "Home" => (0, outcome),
            "End" => (last_bar, outcome),
            "ArrowUp" => (bar, (outcome + 1).min(last_outcome)),
            "ArrowDown" => (bar, outcome.saturating_sub(1)),
            _ => return,
        };
        ev.prevent_default();
        chosen.set(Some(moved));
        if let Some(chart) = keyboard.borrow().as_ref() {
            show_segment(&chart.instance, moved.0, moved.1);
        }
    };
    // The chart as an image: the SVG that is drawn, or a PNG drawn again off screen.
    let saving = live.clone();
    let save = move |png: bool| {
        let Some(element) = container.get_untracked() else {
            return;
        };
        if let Some(chart) = saving.borrow().as_ref() {
            let url = if png {
                png_url(chart, element.client_width(), element.client_height())
            } else {
                Some(chart.instance.get_data_url(&JsValue::NULL))
            };
            let extension = if png { "png" } else { "svg" };
            if let Some(url) = url {
                let _ = api::save_url(&url, &format!("{file_name}.{extension}"));
            }
        }
    };
    let save_png = save.clone();
    let cleanup = SendWrapper::new((live, on_resize));
    on_cleanup(move || {
        let (live, on_resize) = cleanup.take();
        on_resize.remove();
        let taken = live.borrow_mut().take();
        if let Some(chart) = taken {
            chart.instance.dispose();
        }
    });

    let label = move || format!("{} — {}", title.get(), t().chart_hint);
    let (buckets, labelled) = (stats.buckets.clone(), info.outcomes.clone());
    let kind = (*bars).clone();
    let announced = move || {
        chosen.get().and_then(|(bar, outcome)| {
            let lang = text::lang().get();
            let bucket = buckets.get(bar)?;
            let outcome = labelled.get(outcome)?;
            let count = bucket.counts.get(&outcome.code);
            Some(format!(
                "{}{}{} — {}{}{} ({})",
                t().chosen,
                lang.colon(),
                kind.name(bar, bucket, lang),
                lang.pick(&outcome.label),
                lang.colon(),
                lang.number(count),
                lang.percent(count, bucket.counts.total())
            ))
        })
    };
    view! {
        <div id="chart" class="chart" node_ref=container data-state="drawing" tabindex="0" style=height
            data-bars=if bars.horizontal() { "sites" } else { "periods" }
            role="group" aria-label=label aria-describedby="chart-choice" on:keydown=on_key on:click=on_click></div>
        <p id="chart-choice" class="choice" aria-live="polite">{announced}</p>
        <p class="hint">{move || t().chart_hint}</p>
        <div class="exports">
            <button type="button" id="save-png" on:click=move |_| save_png(true)>{move || t().save_png}</button>
            <button type="button" id="save-svg" on:click=move |_| save(false)>{move || t().save_svg}</button>
        </div>
    }
}

/// The chart drawn again as a PNG (`data:` address), twice as sharp, on a white ground: ECharts
/// makes PNGs from a canvas only, so a canvas chart of the same size is drawn off screen.
fn png_url(chart: &Drawn, width: i32, height: i32) -> Option<String> {
    let document = document();
    let element: web_sys::HtmlElement = document.create_element("div").ok()?.unchecked_into();
    let _ = element.set_attribute(
        "style",
        &format!("position:fixed;left:-10000px;top:0;width:{width}px;height:{height}px"),
    );
    document.body()?.append_child(&element).ok()?;
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"renderer".into(), &"canvas".into());
    let instance = init_chart(&element, &JsValue::NULL, &options);
    instance.set_option(&chart.option, true);
    let image = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&image, &"type".into(), &"png".into());
    let _ = js_sys::Reflect::set(&image, &"pixelRatio".into(), &2.into());
    let _ = js_sys::Reflect::set(&image, &"backgroundColor".into(), &"#ffffff".into());
    let url = instance.get_data_url(&image);
    instance.dispose();
    element.remove();
    Some(url)
}

/// `{gridIndex: 0}`: the chart's one grid, for the pixel conversions.
fn grid() -> JsValue {
    let finder = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&finder, &"gridIndex".into(), &0.into());
    finder.into()
}

/// (x, y) as (along the axis of the bars, along the axis of the values).
fn oriented(chart: &Drawn, x: f64, y: f64) -> (f64, f64) {
    if chart.horizontal {
        (y, x)
    } else {
        (x, y)
    }
}

/// The pixel of the point (bar, value) in the chart, along the bars' axis and the values' axis.
fn pixel(chart: &Drawn, bar: f64, value: f64) -> Option<(f64, f64)> {
    let (first, second) = oriented(chart, bar, value);
    let point = js_sys::Array::of2(&first.into(), &second.into());
    let answer = js_sys::Array::from(&chart.instance.convert_to_pixel(&grid(), &point));
    Some(oriented(
        chart,
        answer.get(0).as_f64()?,
        answer.get(1).as_f64()?,
    ))
}

/// The segment at (x, y), or the nearest within `REACH` pixels along the same bar.
fn segment_at(chart: &Drawn, x: f64, y: f64) -> Option<(usize, usize)> {
    let bars = chart.heights.first()?.len();
    let point = js_sys::Array::of2(&x.into(), &y.into());
    let answer = js_sys::Array::from(&chart.instance.convert_from_pixel(&grid(), &point));
    let (along, across) = oriented(chart, x, y);
    let (bar, _) = oriented(chart, answer.get(0).as_f64()?, answer.get(1).as_f64()?);
    let bar = bar.round();
    if bar < 0.0 || bar >= bars as f64 {
        return None;
    }
    // Only inside the bar's band of the axis, not on the axis labels beside the grid.
    let (centre, _) = pixel(chart, bar, 0.0)?;
    let (next, _) = pixel(chart, bar + 1.0, 0.0)?;
    if (along - centre).abs() > (next - centre).abs() / 2.0 {
        return None;
    }
    let bar = bar as usize;
    let mut base = 0.0;
    let mut nearest = None::<(f64, usize)>;
    for (outcome, heights) in chart.heights.iter().enumerate() {
        let Some(height) = heights.get(bar).copied().flatten() else {
            continue;
        };
        let (_, start) = pixel(chart, bar as f64, base)?;
        let (_, end) = pixel(chart, bar as f64, base + height)?;
        let (low, high) = (start.min(end), start.max(end));
        let distance = if across < low {
            low - across
        } else {
            (across - high).max(0.0)
        };
        if nearest.is_none_or(|(best, _)| distance < best) {
            nearest = Some((distance, outcome));
        }
        base += height;
    }
    nearest
        .filter(|(distance, _)| *distance <= REACH)
        .map(|(_, outcome)| (bar, outcome))
}

/// Highlights one segment (a dark border) and shows its tooltip, as the mouse would.
fn show_segment(instance: &Instance, bar: usize, outcome: usize) {
    let action = |kind: &str| {
        let action = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&action, &"type".into(), &kind.into());
        let _ = js_sys::Reflect::set(&action, &"seriesIndex".into(), &(outcome as u32).into());
        let _ = js_sys::Reflect::set(&action, &"dataIndex".into(), &(bar as u32).into());
        action.into()
    };
    let downplay = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&downplay, &"type".into(), &"downplay".into());
    instance.dispatch_action(&downplay);
    instance.dispatch_action(&action("highlight"));
    instance.dispatch_action(&action("showTip"));
}

/// The tooltip of one bar: its period or site, its total, and each outcome's count and share.
fn tooltip(stats: &Statistics, info: &FeatureInfo, bars: &Bars, bar: usize, lang: Lang) -> String {
    let Some(bucket) = stats.buckets.get(bar) else {
        return String::new();
    };
    let total = bucket.counts.total();
    let colon = lang.colon();
    let mut html = format!(
        "<strong>{}</strong><br>{}{colon}<strong>{}</strong>",
        escape(&bars.name(bar, bucket, lang)),
        escape(lang.texts().total),
        lang.number(total)
    );
    for outcome in info.outcomes.iter().rev() {
        let count = bucket.counts.get(&outcome.code);
        html.push_str(&format!(
            "<br><span class=\"swatch\" data-outcome=\"{}\" style=\"background-color:{}\"></span>{}{colon}{} ({})",
            escape(&outcome.code),
            outcome_colour(&outcome.code),
            escape(&lang.pick(&outcome.label)),
            lang.number(count),
            lang.percent(count, total)
        ));
        if outcome.code == "error" {
            for cause in &info.causes {
                let count = bucket.causes.get(&cause.code);
                if count > 0 {
                    html.push_str(&format!(
                        "<br><span class=\"cause\">{}{colon}{}</span>",
                        escape(&lang.pick(&cause.label)),
                        lang.number(count)
                    ));
                }
            }
        }
    }
    if let Some(previous) = &bucket.previous {
        let before = previous.counts.total();
        html.push_str(&format!(
            "<br><span class=\"previous\">{} ({}){colon}{} ({})</span>",
            escape(lang.texts().year_before),
            escape(&lang.period(&previous.period)),
            lang.number(before),
            lang.change(total, before)
        ));
    }
    html
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The names of the bars: months ("mars"; with the year on the first bar and on each January when
/// the bars span several years) or years.
fn bar_names(stats: &Statistics, lang: Lang) -> Vec<String> {
    let year = |period: &str| period.split_once('-').map(|(year, _)| year.to_owned());
    let first_year = stats.buckets.first().and_then(|b| year(&b.period));
    let several_years = stats.buckets.iter().any(|b| year(&b.period) != first_year);
    stats
        .buckets
        .iter()
        .enumerate()
        .map(|(i, b)| match b.period.split_once('-') {
            Some((year, month)) if several_years && (i == 0 || month == "01") => {
                format!("{}\n{year}", lang.month_name(month))
            }
            Some((_, month)) => lang.month_name(month).to_owned(),
            None => b.period.clone(),
        })
        .collect()
}

/// The ECharts option and the heights it draws: one stacked bar series per outcome, in the
/// feature's order; counts, or shares of each bar's total.
fn build(
    stats: &Statistics,
    info: &FeatureInfo,
    bars: &Bars,
    lang: Lang,
    share: bool,
) -> (Value, Heights) {
    let values: Vec<Vec<f64>> = info
        .outcomes
        .iter()
        .map(|outcome| {
            stats
                .buckets
                .iter()
                .map(|b| {
                    let count = b.counts.get(&outcome.code) as f64;
                    let total = b.counts.total() as f64;
                    match (share, total > 0.0) {
                        (true, true) => count * 100.0 / total,
                        (true, false) => 0.0,
                        (false, _) => count,
                    }
                })
                .collect()
        })
        .collect();
    let highest = (0..stats.buckets.len())
        .map(|bar| values.iter().map(|v| v[bar]).sum::<f64>())
        .fold(0.0, f64::max);
    let heights: Heights = values
        .iter()
        .map(|series| {
            series
                .iter()
                .map(|&v| (v > 0.0).then(|| v.max(highest * MIN_SEGMENT)))
                .collect()
        })
        .collect();

    let names = match bars {
        Bars::Periods => bar_names(stats, lang),
        Bars::Sites(names) => names.clone(),
    };
    let categories = Axis::new().type_(AxisType::Category).data(names);
    let values = Axis::new().type_(AxisType::Value).min_interval(1);
    let chart = Chart::new()
        .animation(false)
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().bottom(0));
    let (value_axis, mut chart) = match bars {
        Bars::Periods => (
            "yAxis",
            chart
                .grid(Grid::new().left(48).right(16).top(16).bottom(80))
                .x_axis(categories)
                .y_axis(values),
        ),
        Bars::Sites(_) => (
            "xAxis",
            chart
                // Site names of any length.
                .grid(
                    Grid::new()
                        .left(16)
                        .right(24)
                        .top(8)
                        .bottom(64)
                        .contain_label(true),
                )
                .x_axis(values)
                .y_axis(categories),
        ),
    };
    for outcome in &info.outcomes {
        chart = chart.series(Bar::new().name(lang.pick(&outcome.label)).stack("total"));
    }
    let mut option = serde_json::to_value(&chart).unwrap_or_default();
    // What charming has no words for: the patterns (ECharts draws decals only with `aria` on; its
    // generated description stays off, the chart has its own name), the borders between segments,
    // the highlighted segment, a tooltip kept inside the chart (phones), and a legend that does not
    // hide series (the table is there to compare).
    option["aria"] = json!({"enabled": true, "label": {"enabled": false}, "decal": {"show": true}});
    option["tooltip"]["confine"] = json!(true);
    option["tooltip"]["axisPointer"] = json!({"type": "shadow"});
    option["legend"]["selectedMode"] = json!(false);
    if bars.horizontal() {
        // The largest total on top.
        option["yAxis"]["inverse"] = json!(true);
    } else {
        option["xAxis"]["axisLabel"] = json!({"lineHeight": 14});
    }
    // Its formatter is the language's (see `BarChart`).
    option[value_axis]["axisLabel"] = json!({});
    if share {
        option[value_axis]["max"] = json!(100);
        option[value_axis]["minInterval"] = json!(0);
    }
    if let Some(series) = option["series"].as_array_mut() {
        for ((series, outcome), heights) in series.iter_mut().zip(&info.outcomes).zip(&heights) {
            series["data"] = json!(heights);
            series["itemStyle"] = json!({
                "color": outcome_colour(&outcome.code), "borderColor": "#ffffff", "borderWidth": 1,
                "decal": outcome_decal(&outcome.code),
            });
            series["emphasis"] = json!({"focus": "none",
                "itemStyle": {"borderColor": "#1f2328", "borderWidth": 3}});
        }
    }
    let compared: Vec<Option<u64>> = stats
        .buckets
        .iter()
        .map(|b| b.previous.as_ref().map(|p| p.counts.total()))
        .collect();
    if !share && compared.iter().any(Option::is_some) {
        if let Some(series) = option["series"].as_array_mut() {
            series.push(json!({
                "type": "line", "name": lang.texts().year_before, "data": compared, "z": 3,
                "symbol": "circle", "symbolSize": 7, "silent": true,
                "itemStyle": {"color": "#1f2328"}, "lineStyle": {"color": "#1f2328", "width": 2, "type": "dashed"},
            }));
        }
    }
    (option, heights)
}
