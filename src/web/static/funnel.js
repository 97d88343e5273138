// funnel.js -- the chart of /corong (page_funnel.c): a bar per step of
// the table[data-group="corong"], drawn with Chart.js (Debian's
// libjs-chart.js, /static/chart.min.js).  The table is the page; this
// only draws what it says (hidden or missing counts are not drawn).
"use strict";
(function () {
  var canvas = document.getElementById("grafik-corong");
  if (!canvas || typeof Chart === "undefined") return;
  // hidden without JavaScript (page_funnel.c): shown before it is measured
  canvas.closest("figure").hidden = false;
  var labels = [], values = [];
  // On a phone the axis may take at most about half the width: a long
  // step's name ("Membeli pelatihan pertama") goes on two lines there,
  // broken at the space nearest its middle, so none is cut off.
  var narrow = canvas.parentElement.clientWidth < 480;
  function wrap(text) {
    if (!narrow || text.length <= 14) return text;
    var best = -1;
    for (var i = 0; i < text.length; i++)
      if (text[i] === " " && (best < 0 || Math.abs(i - text.length / 2) < Math.abs(best - text.length / 2)))
        best = i;
    return best < 0 ? text : [text.slice(0, best), text.slice(best + 1)];
  }
  var rows = document.querySelectorAll('table[data-group="corong"] tbody tr[data-step]');
  rows.forEach(function (tr) {
    var th = tr.querySelector("th"), td = tr.querySelector("td[data-count]");
    var n = td ? Number(td.getAttribute("data-count")) : -1;
    labels.push(wrap(th ? th.textContent : ""));
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
