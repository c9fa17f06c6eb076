// Caches static assets and the offline page only. Never pages that need a login, never the API.
// Served by /sw.js (web/routes/pwa.py), which fills in this release's content-hashed file names:
// a new release has a new version, so a new cache, and the old one is deleted on activation.
const CACHE = "kindred-static-" + "__VERSION__";
const ICON = "__ICON__";
const PRECACHE = ["__PRECACHE__"];
// A hashed name (app.3f9c2b1a7d04.css) never changes content: once cached, it is never refetched.
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/") && HASHED.test(url.pathname)) {
    event.respondWith(
      caches.open(CACHE).then((cache) => cache.match(request).then((hit) => hit || fetch(request).then((response) => {
        if (response.ok) cache.put(request, response.clone());
        return response;
      })))
    );
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    // Stale-while-revalidate: fast from the cache, refreshed in the background so a new
    // release reaches people on their next visit.
    event.respondWith(
      caches.open(CACHE).then((cache) => cache.match(request).then((hit) => {
        const fresh = fetch(request).then((response) => {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
        if (hit) {
          event.waitUntil(fresh.catch(() => undefined));
          return hit;
        }
        return fresh;
      }))
    );
    return;
  }
  if (request.mode === "navigate") {
    // Pages always come from the network; only the offline page is ever served from the cache.
    event.respondWith(fetch(request).catch(() => caches.match("/offline")));
  }
});

// Web Push: the payload only ever says that something is new (no names, no content).
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Kindred", {
      body: data.body || "There's something new for you.",
      icon: ICON,
      badge: ICON,
      tag: "kindred",
      data: { url: data.url || "/notices" },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if ("focus" in client) {
          return client.navigate(target.href).then((c) => (c || client).focus());
        }
      }
      return self.clients.openWindow(target.href);
    })
  );
});
