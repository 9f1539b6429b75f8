// The supervisors' dashboard charts, drawn from the JSON the page carries (#dashboard-data).
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  function bars(id, series, colour) {
    var chart = echarts.init(document.getElementById(id));
    chart.setOption({
      grid: {left: 40, right: 10, top: 10, bottom: 60},
      tooltip: {},
      xAxis: {type: "category", data: series.labels, axisLabel: {rotate: 30}},
      yAxis: {type: "value", minInterval: 1},
      series: [{type: "bar", data: series.values, itemStyle: {color: colour}}]
    });
    return chart;
  }
  var charts = [
    bars("chart-status", data.status, "#0d6efd"),
    bars("chart-overdue", data.overdue, "#dc3545"),
    bars("chart-sla", data.sla, "#198754")
  ];
  var pie = echarts.init(document.getElementById("chart-categories"));
  pie.setOption({tooltip: {trigger: "item"}, series: [{type: "pie", radius: ["35%", "70%"], data: data.categories}]});
  charts.push(pie);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
