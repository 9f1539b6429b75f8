// The finance dashboard's charts, drawn from the JSON the page carries (#dashboard-data) with
// its translated labels (#dashboard-labels).
(function () {
  "use strict";
  if (!window.echarts) { return; }
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const t = JSON.parse(document.getElementById("dashboard-labels").textContent);
  const num = (values) => values.map(Number);
  echarts.init(document.getElementById("chart-months")).setOption({
    title: {text: t.months, textStyle: {fontSize: 14}}, tooltip: {trigger: "axis"},
    legend: {bottom: 0, data: [t.billed, t.collected, t.rate]}, grid: {top: 50, bottom: 60},
    xAxis: {type: "category", data: data.months},
    yAxis: [{type: "value"}, {type: "value", max: 100, axisLabel: {formatter: "{value}%"}}],
    series: [
      {name: t.billed, type: "bar", data: num(data.billed)},
      {name: t.collected, type: "bar", data: num(data.collected)},
      {name: t.rate, type: "line", yAxisIndex: 1, data: data.rates},
    ],
  });
  echarts.init(document.getElementById("chart-methods")).setOption({
    title: {text: t.methods, textStyle: {fontSize: 14}}, tooltip: {trigger: "item"},
    series: [{type: "pie", radius: ["35%", "65%"], top: 30,
              data: data.methods.map((m) => ({name: m.method, value: Number(m.amount)}))}],
  });
  echarts.init(document.getElementById("chart-aging")).setOption({
    title: {text: t.aging, textStyle: {fontSize: 14}}, tooltip: {trigger: "axis"},
    xAxis: {type: "category", data: t.buckets}, yAxis: {type: "value"},
    series: [{type: "bar", data: data.aging.map((a) => Number(a.amount))}],
  });
})();
