//! The address bar as a signal: the page (by its path) and the query (the page's state). Changing the
//! view pushes a history entry, so that the back button, a reload and a shared link show the same
//! screen.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::api::Query;

/// The pages of the web app, each at its path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Page {
    /// `/`: the statistics, and the entries behind them.
    #[default]
    Statistics,
    /// `/sites`: the sites, hidden or shown.
    Sites,
    /// `/settings`: retention, the audit trail, alerts.
    Settings,
}

impl Page {
    pub fn path(self) -> &'static str {
        match self {
            Page::Statistics => "/",
            Page::Sites => "/sites",
            Page::Settings => "/settings",
        }
    }

    /// The page at `path`; the statistics for any other path.
    fn at(path: &str) -> Page {
        [Page::Sites, Page::Settings]
            .into_iter()
            .find(|page| page.path() == path)
            .unwrap_or_default()
    }
}

/// A page and its query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Location {
    pub page: Page,
    pub query: Query,
}

impl Location {
    pub fn new(page: Page) -> Location {
        Location {
            page,
            query: Query::new(),
        }
    }

    pub fn href(&self) -> String {
        format!("{}{}", self.page.path(), self.query.encode())
    }
}

thread_local! {
    static LOCATION: RwSignal<Location> = RwSignal::new(read());
}

/// The current location, as a signal.
pub fn location() -> RwSignal<Location> {
    LOCATION.with(|l| *l)
}

/// Reads the address bar.
fn read() -> Location {
    let location = window().location();
    Location {
        page: Page::at(&location.pathname().unwrap_or_default()),
        query: Query::parse(&location.search().unwrap_or_default()),
    }
}

/// Shows another location and adds it to the history (nothing happens if it is the current one).
pub fn navigate(to: Location) {
    if to == location().get_untracked() {
        return;
    }
    if let Ok(history) = window().history() {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&to.href()));
    }
    location().set(to);
}

/// Follows the back and forward buttons.
pub fn listen() {
    let handle = window_event_listener(leptos::ev::popstate, move |_| location().set(read()));
    // The listener lives as long as the page.
    std::mem::forget(handle);
}
