// The roll without signal. Marks taken or saved while the phone is offline are kept on it
// (localStorage: the roll's fields only, the children's marks and meals, never a name) until
// the server has them; while they wait, the page says "not yet sent". They are sent when the network
// returns, or when the roll is opened again. The server merges child by child: a child someone
// else changed meanwhile comes back with both marks, to choose one ([data-keep] radios).
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline-roll]");
  if (!form) { return; }
  var action = form.getAttribute("action");
  var rollPath = new URL(action, location.href).pathname;
  var KEY = "daycentre.roll:" + action;
  var unsent = document.querySelector("[data-roll-pending]");
  var sending = false;

  function fields() {
    var found = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token") { found.push([name, value]); }
    });
    return found;
  }

  function kept() {
    try {
      var entry = JSON.parse(localStorage.getItem(KEY));
      return entry && entry.fields ? entry : null;
    } catch (error) { return null; }
  }

  function show(waiting) {
    if (unsent) { unsent.hidden = !waiting; }
    form.classList.toggle("roll-unsent", waiting);
  }

  function keep() {
    try {
      localStorage.setItem(KEY, JSON.stringify({savedAt: Date.now(), fields: fields()}));
    } catch (error) { /* storage full or off: the page still holds the marks */ }
    show(true);
  }

  function forget() {
    localStorage.removeItem(KEY);
    show(false);
  }

  function restore(entry) {
    var values = {};
    entry.fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    form.querySelectorAll("input").forEach(function (input) {
      var name = input.name;
      if (!name || name === "csrf_token" || input.type === "submit" || input.type === "button") {
        return;
      }
      var sent = values[name] || [];
      if (input.type === "radio" || input.type === "checkbox") {
        input.disabled = false;
        input.checked = sent.indexOf(input.value) !== -1;
      } else {
        input.value = sent.length ? sent[0] : "";
      }
    });
    // attendance.js locks the meals of the children now absent.
    form.querySelectorAll("input[data-status]:checked").forEach(function (radio) {
      radio.dispatchEvent(new Event("change", {bubbles: true}));
    });
  }

  function showAnswer(response) {
    return response.text().then(function (html) {
      forget();
      history.replaceState(null, "", response.url);
      document.open();
      document.write(html);
      document.close();
    });
  }

  function post(entry, token) {
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.append("csrf_token", token);
    return fetch(action, {method: "POST", body: body, credentials: "same-origin"})
      .then(function (response) {
        // The roll saved (redirected to itself), merged with conflicts or refused (shown with
        // what was sent): the page now holds the marks. Anything else (signed out meanwhile,
        // a busy server, an expired form) keeps them here for the next try.
        if (new URL(response.url).pathname !== rollPath || response.status !== 200) {
          throw new Error("not sent");
        }
        return showAnswer(response);
      });
  }

  function freshToken() {
    // The page may come from the phone's copy, its form token long expired.
    return fetch(action, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
      if (!response.ok || new URL(response.url).pathname !== rollPath) {
        throw new Error("not signed in");
      }
      return response.text();
    }).then(function (html) {
      var field = new DOMParser().parseFromString(html, "text/html")
        .querySelector("input[name=csrf_token]");
      if (!field) { throw new Error("no form"); }
      return field.value;
    });
  }

  function send(token) {
    var entry = kept();
    if (!entry || sending || !navigator.onLine) { return; }
    sending = true;
    (token ? Promise.resolve(token) : freshToken())
      .then(function (value) { return post(entry, value); })
      .catch(function () { sending = false; show(true); });
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine && !kept()) { return; }  // the ordinary save, the page answers it
    event.preventDefault();
    keep();
    var token = form.querySelector("input[name=csrf_token]");
    send(token ? token.value : null);
  });
  form.addEventListener("change", function (event) {
    if (event.isTrusted && (!navigator.onLine || kept())) { keep(); }
  });
  window.addEventListener("online", function () { send(null); });

  // A conflict: picking one of the two marks puts it in the child's controls.
  form.querySelectorAll("input[data-keep]").forEach(function (choice) {
    choice.addEventListener("change", function () {
      var row = choice.closest("[data-roll-row]");
      var status = row.querySelector("input[data-status][value='" + choice.dataset.status + "']");
      if (status) { status.checked = true; }
      var meals = (choice.dataset.meals || "").split(",");
      row.querySelectorAll("[data-meals] input[type=checkbox]").forEach(function (box) {
        box.disabled = false;
        box.checked = meals.indexOf(box.value) !== -1;
      });
      ["arrives", "leaves", "note"].forEach(function (name) {
        var input = row.querySelector("input[name^='" + name + "-']");
        if (input) { input.value = choice.dataset[name] || ""; }
      });
      if (status) { status.dispatchEvent(new Event("change", {bubbles: true})); }
    });
  });

  var waiting = kept();
  if (waiting) {
    restore(waiting);
    show(true);
    send(null);
  }
})();
