// Workshop presentation: shows one slide at a time, moved with the arrow
// keys, Page Up/Down, Space, Home/End, the buttons and a click on the
// slide; keeps #slide-N in the address (#slide-2b for a follow-on slide;
// #slide-2 opens 2a); full screen on request. Without this script the
// slides simply follow one another. No network is used.
(function () {
  "use strict";
  var deck = document.getElementById("presentation");
  if (!deck) { return; }
  var slides = Array.prototype.slice.call(deck.querySelectorAll(".slide"));
  if (slides.length === 0) { return; }
  var controls = deck.querySelector(".deck-controls");
  var count = deck.querySelector('[data-deck="count"]');
  var current = 0, opening = false;
  var total = count.textContent.split(" / ")[1] || String(slides.length);

  // position is the place (1-based) of the slide numbered id ("3", "2b";
  // "2" finds 2a), 0 when there is none.
  function position(id) {
    for (var i = 0; i < slides.length; i++) {
      var s = slides[i].getAttribute("data-slide");
      if (s === id || s === id + "a") { return i + 1; }
    }
    return 0;
  }

  function fromHash() {
    var m = /^#slide-(\d+[a-z]?)$/.exec(window.location.hash);
    return m ? position(m[1]) : 0;
  }

  function show(n, focus) {
    n = Math.max(1, Math.min(slides.length, n));
    current = n;
    slides.forEach(function (s, i) {
      var on = i === n - 1;
      s.classList.toggle("current", on);
      s.setAttribute("aria-hidden", on ? "false" : "true");
    });
    var id = slides[n - 1].getAttribute("data-slide");
    count.textContent = id + " / " + total;
    var hash = "#slide-" + id;
    if (window.location.hash !== hash) {
      history.replaceState(null, "", hash);
    }
    if (focus) {
      slides[n - 1].focus({ preventScroll: true });
    }
    // The controls and the slide fill the screen: once the facilitator
    // moves, bring them into view (not on opening, which would hide the
    // page's notices).
    var r = deck.getBoundingClientRect();
    if (!opening && Math.abs(r.top) > 1 && !document.fullscreenElement) {
      window.scrollBy(0, r.top);
    }
  }

  deck.classList.add("js-deck");
  controls.hidden = false;
  slides.forEach(function (s) { s.setAttribute("tabindex", "-1"); });
  var start = fromHash() || position(deck.getAttribute("data-start") || "1") || 1;
  opening = true;
  show(start, false);
  opening = false;

  document.addEventListener("keydown", function (e) {
    var el = document.activeElement;
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    // Keys typed into a form field belong to the field; Space on a button or link presses it.
    if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) { return; }
    if ((e.key === " " || e.key === "Spacebar") && el && /^(BUTTON|A|SUMMARY)$/.test(el.tagName)) { return; }
    switch (e.key) {
      case "ArrowRight": case "PageDown": case " ": case "Spacebar":
        show(current + 1, true); break;
      case "ArrowLeft": case "PageUp":
        show(current - 1, true); break;
      case "Home":
        show(1, true); break;
      case "End":
        show(slides.length, true); break;
      default:
        return;
    }
    e.preventDefault();
  });

  deck.addEventListener("click", function (e) {
    var action = e.target.closest("[data-deck]");
    if (action) {
      switch (action.getAttribute("data-deck")) {
        case "prev": show(current - 1, false); break;
        case "next": show(current + 1, false); break;
        case "fullscreen":
          if (document.fullscreenElement) {
            document.exitFullscreen();
          } else if (deck.requestFullscreen) {
            deck.requestFullscreen();
          }
          break;
      }
      return;
    }
    // A click on the slide itself moves on, unless it lands on something to use.
    if (e.target.closest("a, button, input, select, textarea, label, form, summary, abbr")) { return; }
    if (e.target.closest(".slide")) { show(current + 1, false); }
  });

  window.addEventListener("hashchange", function () {
    var n = fromHash();
    if (n && n !== current) { show(n, false); }
  });
}());
