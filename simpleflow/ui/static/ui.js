// simpleflow ui: history search, and reloading a page that shows something open (paused while a person
// is typing). Written for this page; nothing is fetched from elsewhere.
(function () {
  "use strict";

  function busy() {
    var active = document.activeElement;
    if (active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return true;
    var search = document.getElementById("history-search");
    if (search && search.value) return true;
    return document.querySelector("details[open]") !== null;
  }

  var seconds = parseFloat(document.body.getAttribute("data-refresh") || "0");
  if (seconds > 0) {
    var reload = function () {
      if (document.hidden || busy()) {
        window.setTimeout(reload, seconds * 1000);
        return;
      }
      window.location.reload();
    };
    window.setTimeout(reload, seconds * 1000);
  }

  var search = document.getElementById("history-search");
  var table = document.getElementById("history-table");
  if (search && table) {
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    var shown = document.getElementById("history-shown");
    search.addEventListener("input", function () {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var count = 0;
      rows.forEach(function (row, i) {
        var match = words.every(function (word) { return texts[i].indexOf(word) !== -1; });
        row.classList.toggle("hidden", !match);
        if (match) count += 1;
      });
      shown.textContent = words.length ? count + " of " + rows.length + " shown" : "";
    });
  }
})();
