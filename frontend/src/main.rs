//! Histo web app: a Leptos client-side rendered (CSR) application compiled to WebAssembly.
//!
//! `scripts/build-web.sh` builds it into `frontend/dist/`, which the Histo server serves at `/`.
//! The page shell (`frontend/index.html`) loads ECharts with a plain `<script>` before this module,
//! so `window.echarts` is available to the chart.
//!
//! Layout: `app.rs` (sign-in gate, header, pages by path), `api.rs` (typed API calls), `auth.rs`
//! (the token and its scopes), `route.rs` (the address bar as a signal), `text.rs` (French and
//! English), `pages/` (one file per page), `components/` (chart, table, entries, small parts).

mod api;
mod app;
mod auth;
mod components;
mod pages;
mod route;
mod span;
mod storage;
mod text;

fn main() {
    console_error_panic_hook::set_once();
    // The app-wide signals (language, token, address) are made here, before any reactive owner
    // exists: made inside a component or memo, they would be disposed with it.
    text::lang();
    auth::signal();
    auth::note();
    route::location();
    auth::init();
    route::listen();
    leptos::mount::mount_to_body(app::App);
}
