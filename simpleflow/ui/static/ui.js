// simpleflow ui: history search, and reloading a page that shows something open (paused while a person
// is typing). Written for this page; nothing is fetched from elsewhere.
(function () {
  "use strict";

  function busy() {
    var active = document.activeElement;
    if (active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return true;
    if (document.querySelector("details[open]") !== null) return true;
    return edited();
  }

  // Whether a field holds something typed or picked and not submitted yet (a reload would lose it).
  function edited() {
    var fields = document.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i += 1) {
      var field = fields[i];
      if (field.tagName === "SELECT") {
        // (With no option marked selected in the page, the first one is: it is the default.)
        var loaded = 0;
        for (var j = 0; j < field.options.length; j += 1) {
          if (field.options[j].defaultSelected) loaded = j;
        }
        if (field.selectedIndex !== loaded) return true;
      } else if (field.type !== "hidden" && field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
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
