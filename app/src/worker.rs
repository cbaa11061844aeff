//! Our service worker (`public/sw.js`) seen from the page: registering it, the notification
//! permission, showing and closing notifications through its registration (so they also work in
//! the installed app), and the clicks it reports back. Browser only; what to show and when is
//! decided in [`crate::attention`].

use std::rc::Rc;

use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use web_sys::{MessageEvent, Notification, NotificationOptions, ServiceWorkerRegistration};

use crate::attention::{tag, Notice, NoticeKind, Permission};
use crate::i18n::t;
use crate::protocol::{CallId, NotificationButton, WorkerMsg};
use crate::voicemail::FreeNotice;

/// The worker's script, at the root so that its scope is the whole site.
const SCRIPT: &str = "/sw.js";

fn has(target: &JsValue, name: &str) -> bool {
    js_sys::Reflect::get(target, &JsValue::from_str(name)).is_ok_and(|v| !v.is_undefined())
}

/// The worker API, where the browser offers it (secure origins only).
fn container() -> Option<web_sys::ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    has(&navigator, "serviceWorker").then(|| navigator.service_worker())
}

/// Registers the worker and hands `on_message` what it posts to this tab.
pub fn register(on_message: impl Fn(WorkerMsg) + 'static) {
    let Some(container) = container() else {
        return;
    };
    let on_message = Rc::new(on_message);
    let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if let Ok(message) = parse_message(&event.data()) {
            on_message(message);
        }
    });
    container.set_onmessage(Some(listener.as_ref().unchecked_ref()));
    // Listens for the page's whole life.
    listener.forget();
    let registered = container.register(SCRIPT);
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = JsFuture::from(registered).await {
            web_sys::console::warn_2(&"[callhub] service worker not registered:".into(), &error);
        }
    });
}

/// The worker posts plain objects; they go through JSON to the shared type.
fn parse_message(data: &JsValue) -> Result<WorkerMsg, ()> {
    let text = js_sys::JSON::stringify(data).map_err(|_| ())?;
    serde_json::from_str(&String::from(text)).map_err(|_| ())
}

/// Whether notifications may be shown.
pub fn permission() -> Permission {
    let Some(window) = web_sys::window() else {
        return Permission::Unsupported;
    };
    if !has(&window, "Notification") || container().is_none() {
        return Permission::Unsupported;
    }
    match Notification::permission() {
        web_sys::NotificationPermission::Granted => Permission::Granted,
        web_sys::NotificationPermission::Denied => Permission::Denied,
        _ => Permission::Ask,
    }
}

/// Asks the user (from a click: browsers ignore the request otherwise); the answer.
pub async fn request_permission() -> Permission {
    if permission() == Permission::Unsupported {
        return Permission::Unsupported;
    }
    if let Ok(asked) = Notification::request_permission() {
        if let Ok(answer) = JsFuture::from(asked).await {
            return Permission::parse(&answer.as_string().unwrap_or_default());
        }
    }
    permission()
}

async fn registration() -> Option<ServiceWorkerRegistration> {
    let ready = container()?.ready().ok()?;
    JsFuture::from(ready).await.ok().map(JsCast::unchecked_into)
}

/// Shows `notice` (replacing any notification with its tag).
pub fn show(notice: Notice) {
    wasm_bindgen_futures::spawn_local(async move {
        let Some(registration) = registration().await else {
            return;
        };
        let options = NotificationOptions::new();
        options.set_tag(&notice.tag());
        options.set_body(&notice.body);
        options.set_icon(&notice.icon);
        let data = js_sys::Object::new();
        // A plain number: an i64 would become a BigInt, which the worker cannot post as JSON.
        let _ = js_sys::Reflect::set(&data, &"call_id".into(), &(notice.call.0 as f64).into());
        options.set_data(&data);
        if notice.kind == NoticeKind::Ringing {
            // A call waits for an answer: the notification stays until it stops ringing.
            options.set_require_interaction(true);
            let buttons = js_sys::Array::new();
            for button in NotificationButton::ALL {
                let action = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&action, &"action".into(), &button.action().into());
                let _ =
                    js_sys::Reflect::set(&action, &"title".into(), &t(button.label_key()).into());
                buttons.push(&action);
            }
            options.set_actions(&buttons);
        }
        display(&registration, &notice.title, &options).await;
    });
}

/// Shows that someone asked about is free now; a click calls them (`WorkerMsg::AvailableClick`).
pub fn show_free(notice: FreeNotice) {
    wasm_bindgen_futures::spawn_local(async move {
        let Some(registration) = registration().await else {
            return;
        };
        let options = NotificationOptions::new();
        options.set_tag(&notice.tag);
        options.set_body(&notice.body);
        options.set_icon(&notice.icon);
        let data = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&data, &"user_id".into(), &(notice.user.0 as f64).into());
        options.set_data(&data);
        display(&registration, &notice.title, &options).await;
    });
}

async fn display(
    registration: &ServiceWorkerRegistration,
    title: &str,
    options: &NotificationOptions,
) {
    let shown = match registration.show_notification_with_options(title, options) {
        Ok(shown) => JsFuture::from(shown).await.map(|_| ()),
        Err(error) => Err(error),
    };
    if let Err(error) = shown {
        web_sys::console::warn_2(&"[callhub] notification not shown:".into(), &error);
    }
}

/// Closes the ringing notification of `call`, whichever tab showed it.
pub fn close(call: CallId) {
    wasm_bindgen_futures::spawn_local(async move {
        let Some(registration) = registration().await else {
            return;
        };
        let Ok(listed) = registration.get_notifications() else {
            return;
        };
        let Ok(list) = JsFuture::from(listed).await else {
            return;
        };
        let ringing = tag(call, NoticeKind::Ringing);
        for notification in js_sys::Array::from(&list).iter() {
            let notification: Notification = notification.unchecked_into();
            if notification.tag().as_deref() == Some(ringing.as_str()) {
                notification.close();
            }
        }
    });
}
