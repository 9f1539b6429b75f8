// The radar of a scorecard's six dimensions (0–100), drawn from a json_script block.
(function () {
  "use strict";
  document.querySelectorAll("[data-radar]").forEach(function (element) {
    var source = document.getElementById(element.dataset.radar);
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(element);
    chart.setOption({
      animation: false,
      tooltip: {},
      radar: { indicator: data.indicators, radius: "65%" },
      series: [{ type: "radar", data: [{ value: data.values, name: data.name, areaStyle: { opacity: 0.2 } }] }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
