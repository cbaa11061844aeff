// Callhub's service worker. It does two things:
// 1. Keeps the app shell (pages, /pkg/ bundle, icons, manifest) for offline starts: network
//    first, the cached copy only when the network fails, so a new build is always picked up.
//    The API, the sockets and uploaded media are never cached (they are per user and live).
// 2. Handles clicks on the notifications the page shows through this registration
//    (app/src/worker.rs): focuses a tab of ours and tells it which call and which button, or
//    whom to call (someone asked about is free now).
// 3. The Web Push seam (README, Not done yet): a `push` message carrying a notification's
//    payload shows it like the page would. Nothing subscribes yet.
// Hand-written JS on purpose: it has to run where the wasm app does not (the worker scope).

const CACHE = 'callhub-shell-v1';
const NEVER = ['/api/', '/ws/', '/media/'];

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function isShell(request) {
  if (request.method !== 'GET') return false;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return false;
  return !NEVER.some((prefix) => url.pathname.startsWith(prefix));
}

self.addEventListener('fetch', (event) => {
  if (!isShell(event.request)) return; // the browser fetches it as if we were not here
  event.respondWith((async () => {
    try {
      const response = await fetch(event.request);
      if (response.ok) {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(event.request, copy)));
      }
      return response;
    } catch (offline) {
      const cached = await caches.match(event.request);
      if (cached) return cached;
      throw offline;
    }
  })());
});

// The tab to bring forward: the most recently focused of ours (matchAll lists it first);
// every tab of ours shows the ringing overlay. With none open, a new one.
async function openFromNotification(notification, action) {
  notification.close();
  const data = notification.data || {};
  const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const tab = tabs[0];
  if (!tab) return self.clients.openWindow('/contacts');
  // The page's WorkerMsg (app/src/protocol/tabs.rs): someone is free now (issue 23), or a call.
  if (data.user_id !== undefined) {
    tab.postMessage({ type: 'available-click', user_id: data.user_id });
  } else {
    tab.postMessage({ type: 'notification-click', call_id: data.call_id, action: action || null });
  }
  return tab.focus();
}

self.addEventListener('notificationclick', (event) => {
  event.waitUntil(openFromNotification(event.notification, event.action));
});

// Web Push: the server would send {title, body, tag, call_id} for a call ringing a user with no
// open tab. Shown as the page shows its own (same tag, so never twice).
self.addEventListener('push', (event) => {
  const payload = event.data ? event.data.json() : null;
  if (!payload || !payload.title) return;
  event.waitUntil(self.registration.showNotification(payload.title, {
    body: payload.body,
    tag: payload.tag,
    icon: '/icons/icon-192.png',
    data: { call_id: payload.call_id },
  }));
});
