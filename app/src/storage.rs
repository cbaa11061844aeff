//! The browser's localStorage (survives reloads, shared by the user's tabs). On the server there
//! is none: reads give `None` and writes do nothing.

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[cfg(feature = "hydrate")]
pub(crate) fn storage_get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Stores `value` under `key`, or removes the key for `None`.
#[cfg(feature = "hydrate")]
pub(crate) fn storage_set(key: &str, value: Option<&str>) {
    if let Some(storage) = storage() {
        let _ = match value {
            Some(value) => storage.set_item(key, value),
            None => storage.remove_item(key),
        };
    }
}

#[cfg(not(feature = "hydrate"))]
pub(crate) fn storage_get(_key: &str) -> Option<String> {
    None
}

#[cfg(not(feature = "hydrate"))]
pub(crate) fn storage_set(_key: &str, _value: Option<&str>) {}
