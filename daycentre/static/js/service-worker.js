// The roll without signal. This worker keeps two things on the phone: the app's own static files
// and the roll pages the person opened (the group's children, their allergies and marks). It
// serves them when the network is gone. Every other page, and every request but a GET, goes to
// the network as if the worker were not there, and is never kept. What is kept is dropped after
// 24 hours and at sign-out (offline.js, and the server's Clear-Site-Data).
"use strict";

var STATIC = "daycentre-static-v1";
var ROLLS = "daycentre-rolls-v1";
var KEEP_MS = 24 * 60 * 60 * 1000;
var KEPT_AT = "x-daycentre-kept-at";
var ROLL_PAGE = /^\/attendance\/groups\/\d+\/roll$/;
var STATIC_FILES = [
  "/static/vendor/pico/pico.min.css",
  "/static/css/app.css",
  "/static/css/print.css",
  "/static/js/attendance.js",
  "/static/js/offline.js",
  "/static/js/roll-offline.js",
  "/static/favicon.svg"
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC).then(function (cache) {
      // One missing file must not stop the others from being kept.
      return Promise.all(STATIC_FILES.map(function (url) {
        return cache.add(url).catch(function () {});
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name !== STATIC && name !== ROLLS;
      }).map(function (name) { return caches.delete(name); }));
    }).then(dropOldRolls).then(function () { return self.clients.claim(); })
  );
});

function keptAt(response) {
  return Number(response.headers.get(KEPT_AT) || 0);
}

function dropOldRolls() {
  return caches.open(ROLLS).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.map(function (request) {
        return cache.match(request).then(function (response) {
          if (!response || Date.now() - keptAt(response) > KEEP_MS) {
            return cache.delete(request);
          }
          return null;
        });
      }));
    });
  });
}

function keep(cacheName, request, response) {
  if (cacheName !== ROLLS) {
    return caches.open(cacheName).then(function (cache) { return cache.put(request, response); });
  }
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set(KEPT_AT, String(Date.now()));
    return caches.open(ROLLS).then(function (cache) {
      return cache.put(request, new Response(body, {status: response.status, headers: headers}));
    });
  });
}

function networkFirst(event, cacheName) {
  var request = event.request;
  return fetch(request).then(function (response) {
    // Only a page or file answered as asked: never a sign-in page a redirect led to.
    if (response.ok && !response.redirected && response.type === "basic") {
      event.waitUntil(keep(cacheName, request, response.clone()).catch(function () {}));
    }
    return response;
  }).catch(function () {
    return caches.open(cacheName).then(function (cache) {
      return cache.match(request, {ignoreVary: true});
    }).then(function (found) {
      if (found && (cacheName !== ROLLS || Date.now() - keptAt(found) <= KEEP_MS)) {
        return found;
      }
      return Response.error();
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(networkFirst(event, STATIC));
  } else if (ROLL_PAGE.test(url.pathname)) {
    event.respondWith(networkFirst(event, ROLLS));
  }
});
