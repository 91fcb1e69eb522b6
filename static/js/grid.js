// The data-entry grid: Enter and the up/down arrows move along a column,
// and each breakdown shows its running sum against the total. The page
// works without this script; it only saves keystrokes.
(function () {
  "use strict";
  var table = document.querySelector("table.entry-grid");
  if (!table) return;
  var fr = table.getAttribute("data-lang") === "fr";

  // read follows the page's notation: spaces group thousands everywhere;
  // the comma is decimal in French and groups thousands otherwise.
  function read(s) {
    s = s.replace(/[\s\u00a0\u202f]/g, "");
    if (s === "") return null;
    s = fr ? s.replace(",", ".") : s.replace(/,/g, "");
    if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(s)) return NaN;
    return parseFloat(s);
  }
  function show(x) {
    var s = String(Math.round(x * 10000) / 10000);
    return fr ? s.replace(".", ",") : s;
  }

  function sum(row) {
    var out = row.querySelector("output[data-sum]");
    if (!out) return;
    var total = read(row.querySelector("[data-total]").value);
    var s = 0, any = false, bad = false;
    row.querySelectorAll("[data-cell]").forEach(function (c) {
      var x = read(c.value);
      if (x === null) return;
      if (isNaN(x)) bad = true; else { s += x; any = true; }
    });
    var off = any && !bad && total !== null && !isNaN(total) && Math.abs(s - total) > 1e-6;
    out.textContent = any ? "Σ " + show(s) + (off ? " ≠ " + show(total) : "") : "";
    out.classList.toggle("sum-off", off);
  }

  table.addEventListener("input", function (e) {
    var row = e.target.closest("tr");
    if (row && (e.target.hasAttribute("data-cell") || e.target.hasAttribute("data-total"))) sum(row);
  });
  table.querySelectorAll("tbody tr").forEach(sum);

  table.addEventListener("keydown", function (e) {
    var el = e.target, col = el.getAttribute("data-col");
    if (!col || e.altKey || e.ctrlKey || e.metaKey) return;
    var down = e.key === "ArrowDown" || (e.key === "Enter" && el.tagName !== "TEXTAREA");
    var up = e.key === "ArrowUp" && el.tagName !== "TEXTAREA";
    if (!down && !up) return;
    var row = el.closest("tr");
    for (var r = up ? row.previousElementSibling : row.nextElementSibling; r; r = up ? r.previousElementSibling : r.nextElementSibling) {
      var next = r.querySelector('[data-col="' + col + '"]');
      if (next) {
        var d = next.closest("details");
        if (d) d.open = true;
        e.preventDefault();
        next.focus();
        if (next.select) next.select();
        return;
      }
    }
    if (e.key === "Enter") e.preventDefault(); // no accidental save from the last row
  });
  // Enter in a grid field never submits the form (a browser may still send
  // the key's keypress after the keydown moved the focus).
  table.addEventListener("keypress", function (e) {
    if (e.key === "Enter" && e.target.getAttribute("data-col") && e.target.tagName !== "TEXTAREA") e.preventDefault();
  });
})();
