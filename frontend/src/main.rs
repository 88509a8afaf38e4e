//! Histo web app: a Leptos client-side rendered (CSR) application compiled to WebAssembly.
//!
//! `scripts/build-web.sh` builds it into `frontend/dist/`, which the Histo server serves at `/`.
//! The page shell (`frontend/index.html`) loads ECharts with a plain `<script>` before this module,
//! so `window.echarts` is available to the charts.
//!
//! For now the app only shows the API status (`GET /healthz`).

mod api;
mod app;
mod text;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
