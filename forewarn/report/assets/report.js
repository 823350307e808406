(function () {
  "use strict";
  var KEY = "forewarn:hide";
  var chosen;
  try { chosen = JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { chosen = []; }
  var boxes = document.querySelectorAll('input[name="hide"]');
  function apply() {
    var set = {};
    chosen.forEach(function (id) { set[id] = true; });
    document.querySelectorAll("section.flagged").forEach(function (sec) {
      var ids = (sec.getAttribute("data-warnings") || "").split(" ");
      var hide = ids.some(function (id) { return set[id]; });
      var notice = sec.querySelector(".notice"), content = sec.querySelector(".content");
      var button = sec.querySelector("button.reveal");
      notice.hidden = !hide;
      content.hidden = hide;
      button.setAttribute("aria-expanded", hide ? "false" : "true");
      button.textContent = "Show";
    });
  }
  boxes.forEach(function (box) {
    box.checked = chosen.indexOf(box.value) >= 0;
    box.addEventListener("change", function () {
      chosen = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).map(function (b) { return b.value; });
      try { localStorage.setItem(KEY, JSON.stringify(chosen)); } catch (e) { /* private mode */ }
      apply();
    });
  });
  document.querySelectorAll("button.reveal").forEach(function (button) {
    button.addEventListener("click", function () {
      var content = document.getElementById(button.getAttribute("aria-controls"));
      var show = content.hidden;
      content.hidden = !show;
      button.setAttribute("aria-expanded", show ? "true" : "false");
      button.textContent = show ? "Hide" : "Show";
    });
  });
  apply();
})();
