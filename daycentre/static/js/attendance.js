// The roll works without this script; with it, "All present" sets every child back to present,
// and marking a child absent unticks and locks the meals of that child.
(function () {
  "use strict";
  var form = document.querySelector(".roll-form");
  if (!form) { return; }

  function syncMeals(row) {
    var checked = row.querySelector("input[data-status]:checked");
    var absent = checked && checked.value !== "present";
    row.querySelectorAll("[data-meals] input[type=checkbox]").forEach(function (box) {
      if (absent) {
        box.checked = false;
        box.disabled = true;
      } else if (box.disabled) {
        box.disabled = false;
        box.checked = true;
      }
    });
  }

  form.querySelectorAll("[data-roll-row]").forEach(function (row) {
    syncMeals(row);
    row.addEventListener("change", function (event) {
      if (event.target.matches("input[data-status]")) { syncMeals(row); }
    });
  });

  var allPresent = form.querySelector("[data-all-present]");
  if (allPresent) {
    allPresent.hidden = false;
    allPresent.addEventListener("click", function () {
      form.querySelectorAll("input[data-status][value=present]").forEach(function (radio) {
        radio.checked = true;
      });
      form.querySelectorAll("[data-roll-row]").forEach(syncMeals);
    });
  }
})();
