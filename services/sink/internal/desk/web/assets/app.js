// The claim desk works without this file. It only replaces the browser's
// slow native tooltips on chart points and highlighted claims with one
// that shows at once and follows the pointer or the keyboard focus.
(function () {
  "use strict";
  var tip = document.getElementById("tip");
  if (!tip) { return; }

  function target(el) {
    return el && el.closest ? el.closest("[data-tip]") : null;
  }
  function place(x, y) {
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.min(x + 14, window.innerWidth - w - 8);
    var top = y + 16 + h > window.innerHeight ? y - h - 12 : y + 16;
    tip.style.left = Math.max(8, left) + "px";
    tip.style.top = Math.max(8, top) + "px";
  }
  function show(el, x, y) {
    tip.textContent = el.getAttribute("data-tip");
    tip.hidden = false;
    place(x, y);
  }
  function hide() { tip.hidden = true; }

  // The native title would show as well, late and twice: keep it for
  // readers without this script only.
  function quiet(el) {
    if (el.tagName.toLowerCase() === "mark" && el.hasAttribute("title")) {
      el.removeAttribute("title");
    }
    var t = el.querySelector(":scope > title");
    if (t) { t.remove(); }
  }

  document.addEventListener("pointerover", function (ev) {
    var el = target(ev.target);
    if (!el) { return; }
    quiet(el);
    show(el, ev.clientX, ev.clientY);
  });
  document.addEventListener("pointermove", function (ev) {
    if (!tip.hidden && target(ev.target)) { place(ev.clientX, ev.clientY); }
  });
  document.addEventListener("pointerout", function (ev) {
    var el = target(ev.target);
    if (el && !el.contains(ev.relatedTarget)) { hide(); }
  });
  document.addEventListener("focusin", function (ev) {
    var el = target(ev.target);
    if (!el) { return; }
    quiet(el);
    var r = el.getBoundingClientRect();
    show(el, r.left + r.width / 2, r.bottom);
  });
  document.addEventListener("focusout", hide);
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { hide(); }
  });
  document.documentElement.classList.add("js");
}());
