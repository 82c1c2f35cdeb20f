// chart.js wrappers (window.Chart from vendor/chart.umd.min.js). Every chart is paired with a table.
import { h, table } from "./ui.js";

const live = new Set();
const PALETTE = ["#4f46e5", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#14b8a6", "#f97316", "#64748b", "#ec4899"];

export function destroyCharts() {
  for (const c of live) c.destroy();
  live.clear();
}

function chartsAvailable() {
  return typeof window.Chart === "function";
}

// Returns a container holding a canvas with the chart (or a note when chart.js was not built).
export function chart({ type, labels, series, valueFormat, label, small, horizontal, stacked }) {
  const box = h("div", { class: `chart-box ${small ? "small" : ""}` });
  if (!chartsAvailable()) {
    return h("p", { class: "chart-note" }, "Charts are unavailable: the chart library was not built (run `make frontend`). The table shows the same data.");
  }
  const canvas = h("canvas", { role: "img", "aria-label": label || "chart" });
  box.append(canvas);
  const round = type === "doughnut" || type === "pie";
  const datasets = series.map((s, i) => ({
    label: s.label,
    data: s.values,
    borderColor: round ? "#fff" : PALETTE[i % PALETTE.length],
    backgroundColor: round ? labels.map((_, j) => PALETTE[j % PALETTE.length]) : type === "line" ? PALETTE[i % PALETTE.length] + "22" : PALETTE[i % PALETTE.length],
    fill: type === "line" && series.length === 1,
    tension: 0.25,
    spanGaps: true,
    pointRadius: type === "line" ? 2 : undefined,
    borderWidth: type === "line" ? 2 : round ? 2 : 0,
    borderRadius: type === "bar" ? 4 : undefined,
    maxBarThickness: 42,
  }));
  const tick = (v) => (valueFormat ? valueFormat(v) : v);
  const instance = new window.Chart(canvas, {
    type,
    data: { labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: horizontal ? "y" : "x",
      plugins: {
        legend: { display: round || series.length > 1, position: round ? "right" : "top", labels: { boxWidth: 12 } },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label || ctx.label}: ${tick(ctx.parsed?.y ?? ctx.parsed?.x ?? ctx.parsed)}` } },
      },
      scales: round ? {} : {
        x: { stacked, grid: { display: horizontal }, ticks: horizontal ? { callback: tick } : { maxRotation: 0, autoSkipPadding: 12 } },
        y: { stacked, beginAtZero: true, grid: { color: "#eef0f4" }, ticks: horizontal ? {} : { callback: tick } },
      },
    },
  });
  live.add(instance);
  return box;
}

// A chart and its accessible data table side by side (stacked on narrow screens).
export function chartWithTable({ title, type, labels, series, valueFormat, columns, rows, side = true, horizontal, small, caption }) {
  return h("div", { class: `figure ${side ? "side" : ""}` },
    chart({ type, labels, series, valueFormat, label: title, horizontal, small }),
    h("div", { class: "table-scroll" }, table({ columns, rows, caption: caption || `${title} (data table)` })),
  );
}

// A line chart of this period and the previous one (dashed), aligned day by day, with its data table.
// `previous` may be null (no comparison asked): then it is the plain one-series chart.
export function comparisonChartWithTable({ title, labels, current, previous, valueFormat, columns, rows, caption }) {
  const series = [{ label: "This period", values: current }];
  if (previous) series.push({ label: "Previous period", values: previous });
  const figure = chartWithTable({ title, type: "line", labels, series, valueFormat, columns, rows, caption });
  const canvas = figure.querySelector("canvas");
  if (canvas) {
    canvas.dataset.series = series.map((s) => s.label).join("|");
    const instance = chartsAvailable() ? window.Chart.getChart(canvas) : null;
    if (instance && previous) {
      instance.data.datasets[1].borderDash = [6, 4];
      instance.data.datasets[1].borderColor = "#64748b";
      instance.data.datasets[1].backgroundColor = "#64748b22";
      instance.update();
    }
  }
  return figure;
}
