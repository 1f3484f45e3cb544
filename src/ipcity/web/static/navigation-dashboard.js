// Charts of a navigation run: one ECharts instance per figure, options built on the server (charts.to_echarts).
(function () {
  const holder = document.getElementById("chart-data");
  if (!holder || !window.echarts) return;
  const options = JSON.parse(holder.textContent);
  const charts = [];
  for (const [key, option] of Object.entries(options)) {
    const el = document.getElementById("chart-" + key);
    if (!el) continue;
    const chart = echarts.init(el, null, {renderer: "svg"});
    chart.setOption(option);
    el.dataset.ready = "1";
    charts.push(chart);
  }
  window.addEventListener("resize", () => charts.forEach(c => c.resize()));
})();
