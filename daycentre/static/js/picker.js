// Searchable name lists: typing part of a name (accents aside) keeps in the list only the people
// and families people.pick finds. Without this script the box's button narrows the list instead.
(function () {
  "use strict";
  var MIN_LETTERS = 2;

  function matches(option, kind, found) {
    if (!option.value || option.value === "0") { return true; }  // "—", "Choose ..."
    if (kind === "family") { return found.families.has(Number(option.value)); }
    if (kind === "beneficiary") {
      var id = Number(option.value.slice(1));
      return option.value[0] === "f" ? found.families.has(id) : found.people.has(id);
    }
    return found.people.has(Number(option.value));
  }

  function show(select, kind, found) {
    var current = select.selectedOptions[0];
    Array.prototype.forEach.call(select.options, function (option) {
      option.hidden = found ? !matches(option, kind, found) : false;
    });
    if (current && current.hidden) {
      var first = Array.prototype.find.call(select.options, function (o) { return !o.hidden; });
      if (first) { first.selected = true; }
    }
  }

  document.querySelectorAll("input[data-picker-for]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-picker-for"));
    var form = box.form;
    if (!select || !form) { return; }
    var kind = select.getAttribute("data-picker");
    var token = form.querySelector("input[name=csrf_token]");
    var button = box.parentElement.querySelector("[data-picker-button]");
    if (button) { button.remove(); }  // typing searches; Enter in the box searches too
    var timer = null;
    var asked = 0;

    function search() {
      var text = box.value.trim();
      if (text.length < MIN_LETTERS) { show(select, kind, null); return; }
      var mine = ++asked;
      fetch(box.getAttribute("data-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
        body: JSON.stringify({ q: text })
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (found) {
        if (!found || mine !== asked) { return; }
        show(select, kind, { people: new Set(found.people), families: new Set(found.families) });
      }).catch(function () { show(select, kind, null); });
    }

    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); search(); }
    });
  });

  // A list already on the page (the volunteers): typing hides the rows whose names do not match,
  // with the server's rule (core.text.matches_words): every word begins a word, accents aside.
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/-/g, " ");
  }

  document.querySelectorAll("input[data-filter-rows]").forEach(function (box) {
    var table = document.getElementById(box.getAttribute("data-filter-rows"));
    if (!table) { return; }
    box.addEventListener("input", function () {
      var parts = fold(box.value).split(/\s+/).filter(Boolean);
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var words = fold(row.cells[0] ? row.cells[0].textContent : "").split(/\s+/);
        row.hidden = !parts.every(function (part) {
          return words.some(function (word) { return word.indexOf(part) === 0; });
        });
      });
    });
  });
})();
