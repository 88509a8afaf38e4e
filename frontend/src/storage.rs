//! The browser's localStorage and sessionStorage, when available.

use web_sys::Storage;

pub fn local() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn session() -> Option<Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}
