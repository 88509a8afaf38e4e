//! The stacked bar chart of one feature: ECharts (SVG renderer) fed with an option built by
//! `charming`. charming's `WasmRenderer` has no event API and cannot pick the SVG renderer, so the
//! instance is made here and a click on a bar segment reports its period and outcome. By keyboard,
//! the focused chart moves a highlighted segment with the arrow keys, announces it, and Enter opens it.

use std::cell::RefCell;
use std::rc::Rc;

use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisType, ItemStyle, Tooltip, Trigger};
use charming::series::Bar;
use charming::{Chart, WasmRenderer};
use histo_api_types::{FeatureInfo, Statistics};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::text::{self, t, Lang};

#[wasm_bindgen]
extern "C" {
    /// An ECharts instance (`echarts.init(…)`).
    type Instance;

    #[wasm_bindgen(js_namespace = echarts, js_name = init)]
    fn init_chart(element: &web_sys::HtmlElement, theme: &JsValue, options: &JsValue) -> Instance;

    #[wasm_bindgen(method)]
    fn on(this: &Instance, event: &str, handler: &Closure<dyn Fn(JsValue)>);

    #[wasm_bindgen(method)]
    fn resize(this: &Instance);

    #[wasm_bindgen(method, js_name = dispatchAction)]
    fn dispatch_action(this: &Instance, action: &JsValue);

    #[wasm_bindgen(method)]
    fn dispose(this: &Instance);
}

/// The colour of each outcome, the same on every feature.
pub fn outcome_colour(outcome: &str) -> &'static str {
    match outcome {
        "success" => "#2e7d32",
        "no_result" => "#f9a825",
        "error" => "#c62828",
        "stopped" => "#607d8b",
        _ => "#5470c6",
    }
}

/// A drawn chart with its click handler, kept alive together and dropped on cleanup.
type Drawn = Rc<RefCell<Option<(Instance, Closure<dyn Fn(JsValue)>)>>>;

/// A click on a bar: its period and, for a segment, its outcome.
pub type BarClick = Callback<(String, Option<String>)>;

/// The chart. Made again when its figures change; the container has the id `chart` and
/// `data-state="ready"` once drawn (for the browser tests).
#[component]
pub fn BarChart(stats: Statistics, info: FeatureInfo, on_bar: BarClick) -> impl IntoView {
    let lang = text::lang().get_untracked();
    let periods: Vec<String> = stats.buckets.iter().map(|b| b.period.clone()).collect();
    let outcomes: Vec<String> = info.outcomes.iter().map(|o| o.code.clone()).collect();
    let option = build(&stats, &info, lang);
    let container = NodeRef::<leptos::html::Div>::new();
    // The instance, its click handler and the resize listener live exactly as long as this view.
    let live: Drawn = Rc::default();

    let drawn = live.clone();
    let clickable = (periods.clone(), outcomes.clone());
    Effect::new(move |_| {
        let Some(element) = container.get() else {
            return;
        };
        if drawn.borrow().is_some() {
            return;
        }
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"renderer".into(), &"svg".into());
        let instance = init_chart(&element, &JsValue::NULL, &options);
        WasmRenderer::update(instance.unchecked_ref(), &option);
        let (periods, outcomes) = clickable.clone();
        let click = Closure::<dyn Fn(JsValue)>::new(move |params: JsValue| {
            let index = |key: &str| {
                js_sys::Reflect::get(&params, &key.into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .map(|v| v as usize)
            };
            if let (Some(series), Some(bar)) = (index("seriesIndex"), index("dataIndex")) {
                if let (Some(period), Some(outcome)) = (periods.get(bar), outcomes.get(series)) {
                    on_bar.run((period.clone(), Some(outcome.clone())));
                }
            }
        });
        instance.on("click", &click);
        let _ = element.set_attribute("data-state", "ready");
        // Milliseconds since the page was opened: the browser tests print it.
        if let Some(performance) = window().performance() {
            let _ = element.set_attribute("data-drawn-at", &(performance.now() as u64).to_string());
        }
        *drawn.borrow_mut() = Some((instance, click));
    });

    let resized = live.clone();
    let on_resize = window_event_listener(leptos::ev::resize, move |_| {
        if let Some((instance, _)) = resized.borrow().as_ref() {
            instance.resize();
        }
    });
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
                if let (Some(period), Some(code)) = (periods.get(bar), outcomes.get(outcome)) {
                    on_bar.run((period.clone(), Some(code.clone())));
                }
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
        if let Some((instance, _)) = keyboard.borrow().as_ref() {
            show_segment(instance, moved.0, moved.1);
        }
    };
    let cleanup = SendWrapper::new((live, on_resize));
    on_cleanup(move || {
        let (live, on_resize) = cleanup.take();
        on_resize.remove();
        let taken = live.borrow_mut().take();
        if let Some((instance, _click)) = taken {
            instance.dispose();
        }
    });

    let label = format!("{} — {}", lang.pick(&info.label), lang.texts().chart_hint);
    let announced = move || {
        chosen.get().and_then(|(bar, outcome)| {
            let lang = text::lang().get();
            let bucket = stats.buckets.get(bar)?;
            let outcome = info.outcomes.get(outcome)?;
            let colon = match lang {
                Lang::Fr => " : ",
                Lang::En => ": ",
            };
            Some(format!(
                "{} — {}{colon}{}",
                lang.period(&bucket.period),
                lang.pick(&outcome.label),
                lang.number(bucket.counts.get(&outcome.code))
            ))
        })
    };
    view! {
        <div id="chart" class="chart" node_ref=container data-state="drawing" tabindex="0"
            role="group" aria-label=label aria-describedby="chart-choice" on:keydown=on_key></div>
        <p id="chart-choice" class="sr-only" aria-live="polite">{announced}</p>
        <p class="hint">{move || t().chart_hint}</p>
    }
}

/// Highlights one segment and shows its tooltip, as the mouse would.
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

/// The ECharts option: one stacked bar series per outcome, in the feature's order.
fn build(stats: &Statistics, info: &FeatureInfo, lang: Lang) -> Chart {
    let labels: Vec<String> = stats
        .buckets
        .iter()
        .map(|b| match b.period.split_once('-') {
            Some((_, month)) => {
                let index = month.parse::<usize>().unwrap_or(1).clamp(1, 12) - 1;
                lang.texts().months[index].to_owned()
            }
            None => b.period.clone(),
        })
        .collect();
    let mut chart = Chart::new()
        .animation(false)
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().bottom(0))
        .grid(Grid::new().left(48).right(16).top(16).bottom(72))
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(Axis::new().type_(AxisType::Value).min_interval(1));
    for outcome in &info.outcomes {
        let values: Vec<i64> = stats
            .buckets
            .iter()
            .map(|b| b.counts.get(&outcome.code) as i64)
            .collect();
        chart = chart.series(
            Bar::new()
                .name(lang.pick(&outcome.label))
                .stack("total")
                .item_style(ItemStyle::new().color(outcome_colour(&outcome.code)))
                .data(values),
        );
    }
    chart
}
