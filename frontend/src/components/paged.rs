//! A list read page by page (the entries behind a bar, the audit trail): the items read so far, the
//! cursor of the next page, whether a page is being read, and the "more" button.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;
use crate::components::{failure, focus_soon, loading};
use crate::text::t;

/// Whether the last page asked for has come.
#[derive(Clone, Debug, PartialEq)]
pub enum Load {
    Loading,
    Ready,
    Failed(ApiError),
}

impl Load {
    /// The `data-state` of the list's element (the browser tests wait on it).
    pub fn name(&self) -> &'static str {
        match self {
            Load::Loading => "loading",
            Load::Ready => "ready",
            Load::Failed(_) => "error",
        }
    }
}

/// One page as the API answers it: its items and the cursor of the next one.
pub type Page<T> = Result<(Vec<T>, Option<String>), ApiError>;

/// The pages of a list read so far.
pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    next: RwSignal<Option<String>>,
    pub state: RwSignal<Load>,
    /// Reads the page after the given cursor (the first page for `None`) and adds its items, then
    /// puts the focus on the element of the selector given, if any.
    read: Callback<(Option<String>, Option<String>)>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Paged<T> {
    /// An empty list, reading its first page with `fetch(None)`; `fetch(Some(cursor))` reads the
    /// pages after it.
    pub fn new<F, Fut>(fetch: F) -> Self
    where
        F: Fn(Option<String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Page<T>> + 'static,
    {
        let (items, next, state) = (
            RwSignal::new(Vec::new()),
            RwSignal::new(None),
            RwSignal::new(Load::Loading),
        );
        let fetch = StoredValue::new(fetch);
        let read = Callback::new(move |(cursor, focus): (Option<String>, Option<String>)| {
            state.set(Load::Loading);
            let page = fetch.with_value(|fetch| fetch(cursor));
            spawn_local(async move {
                match page.await {
                    Ok((page, cursor)) => {
                        items.try_update(|list| list.extend(page));
                        next.try_set(cursor);
                        state.try_set(Load::Ready);
                        if let Some(focus) = focus {
                            focus_soon(vec![focus]);
                        }
                    }
                    Err(error) => {
                        state.try_set(Load::Failed(error));
                    }
                }
            });
        });
        read.run((None, None));
        Paged {
            items,
            next,
            state,
            read,
        }
    }

    /// Reads the list again from its first page.
    pub fn reload(self) {
        self.items.set(Vec::new());
        self.next.set(None);
        self.read.run((None, None));
    }

    /// Below the list: "loading" (first page), the failure, and the button (with this id) that
    /// reads the next page while there is one. The button stays while that page loads, and the
    /// focus then moves to the first new item of `rows` (a selector of the list's items), so that
    /// keyboard and screen-reader users go on reading where the new items start.
    pub fn footer(self, id: &'static str, rows: &'static str) -> impl IntoView {
        let loading_more = move || self.state.get() == Load::Loading;
        let more = move |_| {
            let Some(cursor) = self.next.get_untracked() else {
                return;
            };
            if self.state.get_untracked() == Load::Loading {
                return;
            }
            let shown = self.items.with_untracked(Vec::len);
            self.read.run((
                Some(cursor),
                Some(format!("{rows}:nth-child({})", shown + 1)),
            ));
        };
        view! {
            {move || match self.state.get() {
                Load::Loading if self.items.with(Vec::is_empty) => loading().into_any(),
                Load::Failed(error) => failure(&error).into_any(),
                _ => ().into_any(),
            }}
            <Show when=move || self.next.with(Option::is_some)>
                <button type="button" id=id class="more" aria-disabled=move || loading_more().to_string()
                    on:click=more>{move || if loading_more() { t().loading } else { t().more }}</button>
            </Show>
        }
    }
}
