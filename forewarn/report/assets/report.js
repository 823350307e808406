(function () {
  "use strict";
  // Hiding itself is CSS (the checkboxes work without JavaScript); this script remembers the
  // choices in this browser, offers to forget them, and sets classes for browsers without :has().
  var KEY = "forewarn:hide";
  function load() {
    var list;
    try { list = JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { list = []; }
    return Array.isArray(list) ? list : [];
  }
  var chosen = load();
  var boxes = document.querySelectorAll('input[name="hide"]');
  var reset = document.getElementById("forget");
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(chosen)); } catch (e) { /* private mode */ }
  }
  var status = document.getElementById("hide-status");
  function apply() {
    var set = {};
    var hidden = 0;
    chosen.forEach(function (id) { set[id] = true; });
    document.querySelectorAll("section.flagged").forEach(function (sec) {
      var ids = (sec.getAttribute("data-warnings") || "").split(" ");
      var hide = ids.some(function (id) { return set[id]; });
      sec.classList.toggle("hide", hide);
      var box = sec.querySelector("input.reveal");
      sec.classList.toggle("shown", !!(box && box.checked));
      if (hide && !(box && box.checked)) { hidden += 1; }
    });
    // Said beside the boxes: the blocks themselves may be screens below, out of sight and hearing.
    if (status && boxes.length) {
      status.textContent = hidden === 0 ? "Nothing is hidden." :
        hidden === 1 ? "1 place in the work hidden, behind a notice." :
        hidden + " places in the work hidden, each behind a notice.";
    }
  }
  boxes.forEach(function (box) {
    box.checked = chosen.indexOf(box.value) >= 0;
    box.addEventListener("change", function () {
      // Only this box's warning changes: a choice for a warning this report lacks is kept
      // (rebuilding the list from this page's boxes forgot it for every other report), and so
      // is one made in another report since this page was opened (read again, not the list
      // read at load, which would overwrite it).
      chosen = load().filter(function (id) { return id !== box.value; });
      if (box.checked) { chosen.push(box.value); }
      save();
      apply();
    });
  });
  document.querySelectorAll("input.reveal").forEach(function (box) {
    box.addEventListener("change", apply);
  });
  // An evidence link goes to its block (#r-N), shown even when its text is hidden; when the
  // text is shown, on to the passage itself.
  document.querySelectorAll("a[data-passage]").forEach(function (link) {
    link.addEventListener("click", function (ev) {
      var id = link.getAttribute("data-passage");
      var target = document.getElementById(id);
      if (target && target.getClientRects().length) {
        ev.preventDefault();
        location.hash = id;
      }
    });
  });
  // One Tab stop per bar: a long work's bars held hundreds of marks between a keyboard and the
  // next row of the table. Left and right, Home and End move along a bar ("How to read this" says
  // so once this runs); the mark last visited is the bar's Tab stop.
  document.querySelectorAll(".bar").forEach(function (bar) {
    var marks = Array.prototype.slice.call(bar.querySelectorAll("a.mark"));
    marks.forEach(function (m, i) { m.tabIndex = i === 0 ? 0 : -1; });
    bar.addEventListener("keydown", function (ev) {
      var i = marks.indexOf(document.activeElement);
      var to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: marks.length - 1 }[ev.key];
      if (i < 0 || to === undefined || ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
      ev.preventDefault();
      to = Math.max(0, Math.min(marks.length - 1, to));
      marks[i].tabIndex = -1;
      marks[to].tabIndex = 0;
      marks[to].focus();
    });
  });
  var keys = document.getElementById("bar-keys");
  if (keys) { keys.hidden = false; }
  var note = document.getElementById("remembered");
  if (note) { note.hidden = false; }  // true only with this script: hidden in the page without it
  if (reset) {
    reset.hidden = false;
    reset.addEventListener("click", function () {
      chosen = [];
      try { localStorage.removeItem(KEY); } catch (e) { /* private mode */ }
      boxes.forEach(function (b) { b.checked = false; });
      document.querySelectorAll("input.reveal").forEach(function (b) { b.checked = false; });
      apply();
    });
  }
  apply();
})();
