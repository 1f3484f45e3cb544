// Charts of the plan-supervision dashboard (ECharts, data embedded in the page as JSON).
(function () {
  const payload = JSON.parse(document.getElementById("chart-data").textContent);
  const data = payload.data, labels = payload.labels;
  const colours = {completed: "#1f7a3a", ongoing: "#4f9d69", on_track: "#3b7dd8", due_soon: "#d89b2b",
                   overdue: "#b3261e", stale: "#8c5a9e"};
  const order = ["completed", "ongoing", "on_track", "due_soon", "overdue", "stale"];
  function chart(id, option) {
    const el = document.getElementById(id);
    if (!el || !window.echarts) return;
    const c = echarts.init(el, null, {renderer: "svg"});
    c.setOption(option);
    window.addEventListener("resize", () => c.resize());
  }
  chart("chart-status", {
    tooltip: {trigger: "item"}, legend: {bottom: 0},
    series: [{type: "pie", radius: ["35%", "62%"], center: ["50%", "45%"],
      label: {position: "inside", formatter: "{c}", color: "#fff", fontWeight: "bold"},
      data: order.filter(k => data.by_status[k]).map(k => ({name: labels[k], value: data.by_status[k],
                                                           itemStyle: {color: colours[k]}}))}]
  });
  const sectionNames = data.sections.map(s => s.number + "");
  chart("chart-sections", {
    tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {top: 50},
    xAxis: {type: "category", data: sectionNames}, yAxis: [{type: "value"}, {type: "value", max: 100}],
    series: [{name: labels.overdue, type: "bar", data: data.sections.map(s => s.overdue), itemStyle: {color: colours.overdue}},
             {name: labels.completed, type: "bar", data: data.sections.map(s => s.completed), itemStyle: {color: colours.completed}},
             {name: "%", type: "line", yAxisIndex: 1, data: data.sections.map(s => s.completion)}]
  });
  const deadlines = Object.keys(data.deadlines);
  chart("chart-deadlines", {
    tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {top: 60, bottom: 30},
    xAxis: {type: "category", data: deadlines, axisLabel: {interval: 0}}, yAxis: {type: "value"},
    series: order.map(k => ({name: labels[k], type: "bar", stack: "s", itemStyle: {color: colours[k]},
                             data: deadlines.map(d => data.deadlines[d][k] || 0)}))
  });
  chart("chart-points", {
    tooltip: {trigger: "axis"},
    xAxis: {type: "category", data: data.points.map(p => p.number + "")}, yAxis: {type: "value", max: 100},
    series: [{type: "bar", data: data.points.map(p => ({value: p.completion || 0,
                                                        itemStyle: {color: colours[p.status]}}))}]
  });
})();
