(function () {
  "use strict";
  var d = document;
  function value(cell) {
    if (!cell) return "";
    var v = cell.getAttribute("data-sort");
    if (v !== null && v !== "" && !isNaN(Number(v))) return Number(v);
    return (v !== null && v !== "" ? v : cell.textContent).trim().toLowerCase();
  }
  d.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, column) {
      th.tabIndex = 0;
      th.classList.add("sorts");
      function sort() {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var direction = th.getAttribute("aria-sort") === "descending" ? 1 : -1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var x = value(a.cells[column]), y = value(b.cells[column]);
          if (typeof x === "number" && typeof y === "number") return (x - y) * direction;
          if (typeof x === "number") return -1;
          if (typeof y === "number") return 1;
          return x.localeCompare(y) * direction;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
  });
  var box = d.getElementById("only-flagged");
  if (box) {
    box.closest(".filter").hidden = false;
    box.addEventListener("change", function () { d.body.classList.toggle("only-flagged", box.checked); });
  }
  d.querySelectorAll(".table-wrap").forEach(function (wrap) {
    if (wrap.scrollWidth > wrap.clientWidth + 1) wrap.classList.add("overflowing");
  });
  d.documentElement.setAttribute("data-ready", "1");
})();
