// Draw each metrics chart from the JSON next to its canvas; the tables carry the same figures.
(function () {
  "use strict";
  var COLOURS = ["#0b4f8a", "#b35c00", "#2e7d32", "#6a3d9a", "#a3123a", "#00695c", "#5d4037"];

  function draw(canvas) {
    var source = document.querySelector('script[data-chart="' + canvas.id + '"]');
    if (!source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    var kind = canvas.dataset.kind || "bar";
    var unit = canvas.dataset.unit || "";
    new window.Chart(canvas, {
      type: kind,
      data: {
        labels: data.labels,
        datasets: [{
          data: data.values,
          backgroundColor: kind === "line" ? COLOURS[0] : COLOURS,
          borderColor: COLOURS[0],
          borderWidth: kind === "line" ? 2 : 0,
          tension: 0.2
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (item) { return item.formattedValue + unit; } } }
        },
        scales: {
          y: { beginAtZero: true, max: unit === "%" ? 100 : undefined, ticks: { precision: 0, color: "#333" } },
          x: { ticks: { color: "#333" } }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-kind]").forEach(draw);
  });
})();
