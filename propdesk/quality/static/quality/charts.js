// Quality charts: lines of a rate per period, with the target drawn as a dashed line.
(function () {
  "use strict";
  function draw(element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(element);
    var series = data.series.map(function (line, index) {
      var item = { name: line.name, type: "line", data: line.data, connectNulls: true };
      if (index === 0 && data.target !== null) {
        item.markLine = {
          symbol: "none",
          lineStyle: { type: "dashed", color: "#dc3545" },
          label: { formatter: data.target_label + " " + data.target + "%" },
          data: [{ yAxis: data.target }]
        };
      }
      return item;
    });
    // The axis starts a little below the lowest value or the target, whichever is lower, so the
    // target line is drawn even in a month without figures.
    function lowest(v) {
      var low = isFinite(v.min) ? v.min : 100;
      if (data.target !== null) { low = Math.min(low, data.target); }
      return Math.max(0, Math.floor(low - 5));
    }
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 72, top: 36, bottom: 32 },
      xAxis: { type: "category", data: data.periods },
      yAxis: { type: "value", name: data.axis_label, min: lowest, max: 100 },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
