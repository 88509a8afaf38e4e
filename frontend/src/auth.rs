//! The signed-in token: taken from `/#access_token=…` (then removed from the address bar) or from the
//! sign-in page, kept in sessionStorage, and read for its claims (the scopes decide which pages show).
//! The server checks every request anyway: the claims only shape the interface.

use std::cell::Cell;

use histo_api_types::{default_right, Scope, TokenClaims};
use leptos::prelude::*;

const TOKEN_KEY: &str = "histo.token";
const FRAGMENT: &str = "#access_token=";

thread_local! {
    static TOKEN: RwSignal<Option<String>> = RwSignal::new(None);
    static NOTE: RwSignal<Option<SignInNote>> = RwSignal::new(None);
    /// Whether the server has accepted the current token at least once.
    static ACCEPTED: Cell<bool> = const { Cell::new(false) };
}

/// Why the sign-in page is shown instead of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInNote {
    /// The token worked, then ran out or was refused.
    SessionExpired,
    /// The link's token is not one (garbage), or the server never accepted it.
    LinkInvalid,
    /// The link's token had run out before it was used.
    LinkExpired,
}

/// The token, as a signal: `None` shows the sign-in page.
pub fn signal() -> RwSignal<Option<String>> {
    TOKEN.with(|t| *t)
}

/// Why the last token was refused or ran out (the sign-in page says so).
pub fn note() -> RwSignal<Option<SignInNote>> {
    NOTE.with(|n| *n)
}

/// The server answered a request made with `token`.
pub fn accepted(token: &str) {
    if self::token().as_deref() == Some(token) {
        ACCEPTED.with(|a| a.set(true));
    }
}

/// The token, without tracking.
pub fn token() -> Option<String> {
    signal().get_untracked()
}

/// Reads the token at start: the address bar's fragment first, else the tab's storage. A fragment
/// that arrives later (the host application opening the same tab again) signs in too.
pub fn init() {
    if !take_fragment() {
        let stored = crate::storage::session().and_then(|s| s.get_item(TOKEN_KEY).ok().flatten());
        if let Some(token) = stored {
            match claims(&token) {
                Some(c) if !has_expired(&c) => {
                    ACCEPTED.with(|a| a.set(true));
                    signal().set(Some(token));
                }
                _ => note().set(Some(SignInNote::SessionExpired)),
            }
        }
    }
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        take_fragment();
    });
    // The listener lives as long as the page.
    std::mem::forget(handle);
}

/// Signs in with `#access_token=…` if the address has it, and removes it from the address bar.
fn take_fragment() -> bool {
    let location = window().location();
    let hash = location.hash().unwrap_or_default();
    if let Some(token) = hash.strip_prefix(FRAGMENT) {
        let token = token.split('&').next().unwrap_or_default().to_owned();
        // The token must not stay in the address bar (history, screenshots, shared links).
        let clean = format!(
            "{}{}",
            location.pathname().unwrap_or_else(|_| "/".into()),
            location.search().unwrap_or_default()
        );
        let _ = window()
            .history()
            .and_then(|h| h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean)));
        match claims(&token) {
            Some(c) if has_expired(&c) => note().set(Some(SignInNote::LinkExpired)),
            Some(_) => {
                sign_in(token);
                return true;
            }
            None => note().set(Some(SignInNote::LinkInvalid)),
        }
    }
    false
}

/// Keeps a new token.
pub fn sign_in(token: String) {
    if let Some(storage) = crate::storage::session() {
        let _ = storage.set_item(TOKEN_KEY, &token);
    }
    note().set(None);
    ACCEPTED.with(|a| a.set(false));
    signal().set(Some(token));
}

/// Forgets the token (sign-out).
pub fn sign_out() {
    if let Some(storage) = crate::storage::session() {
        let _ = storage.remove_item(TOKEN_KEY);
    }
    signal().set(None);
}

/// The server refused `token`: if it is still the one signed in, sign out, saying why (a link never
/// accepted is not a session).
pub fn expire(token: &str) {
    if self::token().as_deref() == Some(token) {
        let why = if ACCEPTED.with(Cell::get) {
            SignInNote::SessionExpired
        } else {
            SignInNote::LinkInvalid
        };
        note().set(Some(why));
        sign_out();
    }
}

/// Whether the web app is shown in a frame of the host application (`HISTO_FRAME_ANCESTORS`): its
/// users are signed in by the host's links, so a password form is of no use there.
pub fn framed() -> bool {
    let own = window();
    match own.top() {
        Ok(Some(top)) => wasm_bindgen::JsValue::from(top) != wasm_bindgen::JsValue::from(own),
        // A top that cannot be read is another page's.
        _ => true,
    }
}

/// The message a framed web app posts to the host page when it needs a new link: the host answers
/// by loading the frame with a fresh `signInUrl`. It carries no token or data, so any origin may
/// read it.
pub const LINK_NEEDED: &str = "histo:sign-in-needed";

/// Asks the host page for a new link.
pub fn ask_host_for_a_link() {
    if let Ok(Some(parent)) = window().parent() {
        let _ = parent.post_message(&wasm_bindgen::JsValue::from_str(LINK_NEEDED), "*");
    }
}

/// Whether the token grants `scope`, reading numbered rights by the default map (a server with
/// another map still decides: a page it refuses says so).
pub fn grants(claims: &TokenClaims, scope: Scope) -> bool {
    claims.scopes(default_right).contains(scope)
}

fn has_expired(claims: &TokenClaims) -> bool {
    (claims.exp as f64) * 1000.0 < js_sys::Date::now()
}

/// The claims of a JWT, read without checking the signature (the server does that).
pub fn claims(token: &str) -> Option<TokenClaims> {
    let payload = token.split('.').nth(1)?;
    let mut base64 = payload.replace('-', "+").replace('_', "/");
    while base64.len() % 4 != 0 {
        base64.push('=');
    }
    let json = window().atob(&base64).ok()?;
    serde_json::from_str(&json).ok()
}

/// The signed-in claims, as a reactive value.
pub fn current_claims() -> Option<TokenClaims> {
    signal().get().as_deref().and_then(claims)
}
