// A valid CNP fills the empty date of birth and sex fields; the server does the same when saving
// (people.services.save_person), so the form works without this script.
(function () {
  "use strict";
  var cnp = document.getElementById("cnp");
  var birth = document.getElementById("birth_date");
  var sex = document.getElementById("sex");
  if (!cnp || !birth) { return; }
  var WEIGHTS = "279146358279";
  var CENTURY = { "1": 1900, "2": 1900, "3": 1800, "4": 1800, "5": 2000, "6": 2000 };

  function decode(text) {
    var digits = text.replace(/\s/g, "");
    if (!/^\d{13}$/.test(digits) || !CENTURY[digits[0]]) { return null; }
    var sum = 0;
    for (var i = 0; i < 12; i++) { sum += digits[i] * WEIGHTS[i]; }
    var check = sum % 11 === 10 ? 1 : sum % 11;
    if (check !== Number(digits[12])) { return null; }
    var year = CENTURY[digits[0]] + Number(digits.slice(1, 3));
    var month = Number(digits.slice(3, 5));
    var day = Number(digits.slice(5, 7));
    var when = new Date(Date.UTC(year, month - 1, day));
    if (when.getUTCMonth() !== month - 1 || when.getUTCDate() !== day) { return null; }
    return {
      birth: year + "-" + digits.slice(3, 5) + "-" + digits.slice(5, 7),
      sex: Number(digits[0]) % 2 ? "male" : "female"
    };
  }

  cnp.addEventListener("input", function () {
    var found = decode(cnp.value);
    if (!found) { return; }
    if (!birth.value) { birth.value = found.birth; }
    if (sex && !sex.value) { sex.value = found.sex; }
  });
})();
