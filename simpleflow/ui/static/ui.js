// simpleflow ui: the history search; the reload of a page that shows something open. An open execution's
// page is updated in place (it asks /execution/update for what changed since its last event); the list
// reloads whole. Either pauses while a person types in a field or reads an unfolded value that the reload
// would lose, and the header says so. Written for these pages; nothing is fetched from elsewhere.
(function () {
  "use strict";

  var TIMELINE_EVERY = 30000; // ms: the timeline (a row per task) is redrawn at most this often (its caption says so)
  var body = document.body;
  var seconds = parseFloat(body.getAttribute("data-refresh") || "0");
  var updateUrl = body.getAttribute("data-update");
  var note = document.getElementById("refresh-note");
  var noteText = note ? note.textContent : "";
  var search = document.getElementById("history-search");
  var table = document.getElementById("history-table");
  var timelineAt = Date.now();

  // Whether an update in place keeps what *field* holds (the history search: only rows are added).
  function kept(field) {
    return updateUrl !== null && field === search;
  }

  function busy() {
    var active = document.activeElement;
    if (active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) && !kept(active)) return true;
    // (An update in place replaces the parts and task rows only: a value unfolded elsewhere stays open.)
    var unfolded = updateUrl !== null ? "[data-part] details[open], #task-rows details[open]" : "details[open]";
    if (document.querySelector(unfolded) !== null) return true;
    return edited();
  }

  // Whether a field holds something typed or picked and not submitted yet (a reload would lose it).
  function edited() {
    var fields = document.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i += 1) {
      var field = fields[i];
      if (kept(field)) continue;
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

  function say(text, paused) {
    if (!note) return;
    note.textContent = text;
    note.classList.toggle("paused", paused);
  }

  function showState() {
    if (busy()) say("reload paused while you type or read", true);
    else say(noteText, false);
  }

  // The history search: the rows holding every word typed (rows added by an update too).
  var rows = [];
  var texts = [];
  var words = [];
  var shown = document.getElementById("history-shown");

  function addRows(added) {
    added.forEach(function (row) {
      rows.push(row);
      texts.push(row.textContent.toLowerCase());
    });
  }

  function filter(from) {
    var count = 0;
    rows.forEach(function (row, i) {
      if (i >= from) {
        var match = words.every(function (word) { return texts[i].indexOf(word) !== -1; });
        row.classList.toggle("hidden", !match);
      }
      if (!row.classList.contains("hidden")) count += 1;
    });
    shown.textContent = words.length ? count + " of " + rows.length + " shown" : "";
  }

  if (search && table) {
    addRows(Array.prototype.filter.call(table.tBodies[0].rows, function (row) { return !row.classList.contains("gap"); }));
    search.addEventListener("input", function () {
      words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      filter(0);
    });
  }

  // Rows parsed from the server's markup (escaped as the page is), in a template: a <tr> needs a table.
  function parsedRows(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    return Array.prototype.slice.call(holder.content.querySelectorAll("tr"));
  }

  function eachPart(action) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-part]"), function (element) {
      action(element.getAttribute("data-part"), element);
    });
  }

  function digests() {
    var pieces = [];
    var timelineDue = Date.now() - timelineAt >= TIMELINE_EVERY;
    eachPart(function (name, element) {
      if (name !== "timeline" || timelineDue) pieces.push(name + ":" + element.getAttribute("data-digest"));
    });
    return pieces.join(",");
  }

  function applyParts(parts) {
    eachPart(function (name, element) {
      if (!Object.prototype.hasOwnProperty.call(parts, name)) return;
      element.innerHTML = parts[name][1];
      element.setAttribute("data-digest", parts[name][0]);
      if (name === "timeline") timelineAt = Date.now();
    });
  }

  // Rows ([key, html]) put in place of the row of *tbody* with the same data-key, or added at its end.
  function applyRows(tbody, rows) {
    var byKey = Object.create(null); // (a plain {} cannot hold the key "__proto__", a workflow id SWF takes)
    Array.prototype.forEach.call(tbody.rows, function (row) { byKey[row.getAttribute("data-key")] = row; });
    rows.forEach(function (item) {
      var row = parsedRows(item[1])[0];
      if (item[0] in byKey) tbody.replaceChild(row, byKey[item[0]]);
      else tbody.appendChild(row);
    });
  }

  // Whether a task's row is one a big run's page leaves out (in the gap between its first and latest rows):
  // the "more" that shows it brings it as it is then.
  function leftOut(place) {
    var button = document.getElementById("tasks-more");
    if (!button) return false;
    return place >= parseInt(button.getAttribute("data-head"), 10) && place < parseInt(button.getAttribute("data-before"), 10);
  }

  function applyTasks(tasks) {
    tasks = tasks.filter(function (item) { return !leftOut(item[2]); });
    if (!tasks.length) return;
    applyRows(document.getElementById("task-rows"), tasks);
    document.getElementById("tasks-table").hidden = false;
    document.getElementById("no-task").hidden = true;
  }

  function applyChildren(children) {
    var tbody = document.getElementById("child-rows");
    if (!children || !children.length || !tbody) return;
    applyRows(tbody, children);
    document.getElementById("children").hidden = false;
  }

  function applyEvents(html) {
    if (!html || !table) return;
    var added = parsedRows(html);
    var from = rows.length;
    added.forEach(function (row) { table.tBodies[0].appendChild(row); });
    addRows(added);
    filter(from);
  }

  function update() {
    var url = updateUrl + "&after=" + encodeURIComponent(body.getAttribute("data-last") || "0") +
      "&have=" + encodeURIComponent(digests());
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (answer.ok) return answer.json();
        return answer.json().catch(function () { return {}; }).then(function (failure) {
          var error = new Error(failure.error || "HTTP " + answer.status);
          error.gone = answer.status === 404; // the run (or its domain) is not there: asking again will not help
          throw error;
        });
      })
      .then(function (change) {
        if (change.reload) {
          window.location.reload(); // the run closed (or the page shows another history): the whole page
          return;
        }
        if (busy()) { // a field or a value opened while the answer came: the next update will bring it all
          showState();
          schedule();
          return;
        }
        applyParts(change.parts);
        applyTasks(change.tasks);
        applyChildren(change.children);
        applyEvents(change.events);
        body.setAttribute("data-last", String(change.last));
        showState();
        schedule();
      })
      .catch(function (error) {
        if (error.gone) {
          say("updates stopped: " + error.message, true);
          return;
        }
        say("update failed (" + error.message + "): trying again", true);
        schedule();
      });
  }

  // "show more": the page of rows (or of the timeline) just before those shown after the gap.
  function showMore(button) {
    var kind = button.getAttribute("data-kind");
    var url = button.getAttribute("data-more") + "&before=" + encodeURIComponent(button.getAttribute("data-before"));
    var gap = button.closest(".gap");
    var count = gap.querySelector(".hidden-count");
    var failed = gap.querySelector(".more-failed");
    button.disabled = true;
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (answer.ok) return answer.json();
        return answer.json().catch(function () { return {}; }).then(function (failure) {
          throw new Error(failure.error || "HTTP " + answer.status);
        });
      })
      .then(function (page) {
        if (kind === "timeline") {
          var picture = document.createElement("div");
          picture.className = "picture";
          picture.innerHTML = page.html; // (an SVG simpleflow wrote, every label escaped, as the page's own)
          var earlier = document.getElementById("timeline-earlier");
          earlier.insertBefore(picture, earlier.firstChild);
        } else {
          var added = parsedRows(page.html);
          var next = gap.nextSibling;
          added.forEach(function (row) { gap.parentNode.insertBefore(row, next); });
          if (kind === "events") {
            var from = rows.length;
            addRows(added);
            filter(from);
          }
        }
        failed.hidden = true;
        button.setAttribute("data-before", String(page.before));
        count.textContent = String(page.hidden);
        if (page.hidden <= 0) gap.parentNode.removeChild(gap);
        else button.disabled = false;
      })
      .catch(function (error) {
        failed.textContent = "could not load more: " + error.message;
        failed.hidden = false;
        button.disabled = false;
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.more") : null;
    if (button && !button.disabled) showMore(button);
  });

  function tick() {
    if (document.hidden || busy()) {
      showState();
      schedule();
      return;
    }
    if (updateUrl !== null) update();
    else window.location.reload();
  }

  function schedule() {
    window.setTimeout(tick, seconds * 1000);
  }

  if (seconds > 0) {
    ["focusin", "focusout", "input", "change"].forEach(function (type) {
      document.addEventListener(type, function () { window.setTimeout(showState, 0); });
    });
    document.addEventListener("toggle", showState, true); // (a details' toggle does not bubble)
    schedule();
  }
})();
