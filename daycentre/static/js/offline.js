// On every page: installs the worker that opens the roll without signal (service-worker.js),
// drops the marks kept on this phone for more than 24 hours, and erases everything kept for
// working offline when the person signs out.
(function () {
  "use strict";
  var PREFIX = "daycentre.roll:";
  var KEEP_MS = 24 * 60 * 60 * 1000;

  function keptKeys() {
    var keys = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        if (localStorage.key(i).indexOf(PREFIX) === 0) { keys.push(localStorage.key(i)); }
      }
    } catch (error) { /* storage switched off: nothing was kept */ }
    return keys;
  }

  keptKeys().forEach(function (key) {
    var entry = null;
    try { entry = JSON.parse(localStorage.getItem(key)); } catch (error) { entry = null; }
    if (!entry || !entry.savedAt || Date.now() - entry.savedAt > KEEP_MS) {
      localStorage.removeItem(key);
    }
  });

  function eraseAll() {
    keptKeys().forEach(function (key) { localStorage.removeItem(key); });
    if (!window.caches) { return Promise.resolve(); }
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("daycentre-") === 0;
      }).map(function (name) { return caches.delete(name); }));
    });
  }

  document.querySelectorAll("form[action$='/auth/logout']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.erased) { return; }
      event.preventDefault();
      form.dataset.erased = "yes";
      eraseAll().catch(function () {}).then(function () { form.submit(); });
    });
  });

  var script = document.currentScript;
  var worker = script && script.dataset.worker;
  if (worker && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(worker, {scope: "/"}).catch(function () {});
  }
})();
