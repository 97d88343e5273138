// funnel.js -- the chart of /corong (page_funnel.c): a bar per step of
// the table[data-group="corong"], drawn with Chart.js (Debian's
// libjs-chart.js, /static/chart.min.js).  The table is the page; this
// only draws what it says (hidden or missing counts are not drawn).
"use strict";
(function () {
  var canvas = document.getElementById("grafik-corong");
  if (!canvas || typeof Chart === "undefined") return;
  var labels = [], values = [];
  var rows = document.querySelectorAll('table[data-group="corong"] tbody tr[data-step]');
  rows.forEach(function (tr) {
    var th = tr.querySelector("th"), td = tr.querySelector("td[data-count]");
    var n = td ? Number(td.getAttribute("data-count")) : -1;
    labels.push(th ? th.textContent : "");
    values.push(n >= 0 ? n : null);
  });
  canvas.parentElement.setAttribute("data-drawn", "1");
  new Chart(canvas, {
    type: "bar",
    data: { labels: labels, datasets: [{ label: "Jumlah orang", data: values,
      backgroundColor: "#0b5cad" }] },
    options: {
      indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } },
                y: { ticks: { autoSkip: false } } }
    }
  });
})();
