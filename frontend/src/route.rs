//! The address bar as a signal: path (the page) and query (the page's state). Changing the view pushes
//! a history entry, so that the back button, a reload and a shared link show the same screen.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::api::Query;

/// A path and its query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Location {
    pub path: String,
    pub query: Query,
}

impl Location {
    pub fn new(path: &str) -> Location {
        Location {
            path: path.to_owned(),
            query: Query::new(),
        }
    }

    pub fn href(&self) -> String {
        format!("{}{}", self.path, self.query.encode())
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
        path: location.pathname().unwrap_or_else(|_| "/".into()),
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
