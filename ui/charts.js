// uPlot wrappers: canvas charts that stay fast on long series and follow their container's width.

const PALETTE = ['#2457c5', '#d92d20', '#079455', '#dc6803', '#7a5af8', '#0e9384', '#c11574', '#475467'];
export const color = (i) => PALETTE[i % PALETTE.length];

const live = new Set();
let observer;

function observe(el, plot) {
  live.add(plot);
  observer ??= new ResizeObserver((entries) => {
    for (const e of entries) {
      const p = e.target._plot;
      if (p) p.setSize({ width: Math.max(200, e.contentRect.width), height: p.height });
    }
  });
  el._plot = plot;
  observer.observe(el);
}

/** Destroys the charts of the page being left. */
export function disposeCharts() {
  for (const p of live) p.destroy();
  live.clear();
  observer?.disconnect();
  observer = undefined;
}

function size(el, height) {
  return { width: Math.max(200, el.clientWidth || el.parentElement?.clientWidth || 600), height };
}

/**
 * A line chart: `x` values and series `{label, values}` aligned to them. The container records how many
 * points it drew (data-points), which the browser tests read.
 */
export function lineChart(
  el,
  { x, series, xLabel, yLabel, height = 280, xLog = false, yRange, time = false, points = true },
) {
  const opts = {
    ...size(el, height),
    scales: {
      x: { time, ...(xLog ? { distr: 3 } : {}) },
      y: yRange ? { range: () => yRange } : {},
    },
    axes: [{ label: xLabel }, { label: yLabel }],
    legend: { live: true },
    series: [
      { label: xLabel },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: s.color ?? color(i),
        width: 2,
        dash: s.dash,
        spanGaps: true,
        points: { show: points && x.length <= 60 },
        ...(s.marks ? { width: 0, points: { show: true, size: 9, fill: s.color ?? color(i) } } : {}),
      })),
    ],
  };
  const plot = new window.uPlot(opts, [x, ...series.map((s) => s.values)], el);
  el.dataset.points = String(series.reduce((a, s) => a + s.values.length, 0));
  observe(el, plot);
  return plot;
}

/** A bar chart over categories (labels on the x axis). */
export function barChart(el, { labels, series, yLabel, height = 260 }) {
  const x = labels.map((_, i) => i);
  const bars = window.uPlot.paths.bars({ size: [0.7 / Math.max(1, series.length), 64], gap: 2 });
  const opts = {
    ...size(el, height),
    scales: {
      x: { time: false, range: () => [-0.6, labels.length - 0.4] },
      y: { range: (u, lo, hi) => [0, Math.max(1, hi * 1.1)] },
    },
    axes: [
      {
        values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) ? (labels[t] ?? '') : '')),
        rotate: 0,
        splits: () => x,
      },
      { label: yLabel },
    ],
    legend: { live: false },
    series: [
      { label: 'category', value: (u, v) => labels[v] ?? '' },
      ...series.map((s, i) => ({
        label: s.label,
        fill: s.color ?? color(i),
        stroke: s.color ?? color(i),
        paths: bars,
        points: { show: false },
      })),
    ],
  };
  const plot = new window.uPlot(opts, [x, ...series.map((s) => s.values)], el);
  el.dataset.points = String(series.reduce((a, s) => a + s.values.length, 0));
  observe(el, plot);
  return plot;
}

/** A grey image (values in [0, 1], row-major) on a canvas, one pixel per value; CSS scales it up. */
export function imageCanvas(values, w, h) {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const ctx = c.getContext('2d');
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const v = Math.max(0, Math.min(255, Math.round((values[i] ?? 0) * 255)));
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  return c;
}
