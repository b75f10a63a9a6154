// Charts shared by the rollout and experiment pages: live time series (uPlot, loaded on demand)
// and the forest plot (plain SVG). Colours come from app.css's variables, so both themes work;
// every chart also says its numbers in words, so nothing rests on colour alone.
import {h, svg, clear} from './dom.js';

let loading = null;

/** uPlot, loaded once (script and stylesheet) the first time a page needs it. */
export function loadUplot() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      document.head.append(h('link', {rel: 'stylesheet', href: '/ui/vendor/uPlot.min.css'}));
      const script = h('script', {src: '/ui/vendor/uPlot.iife.min.js'});
      script.addEventListener('load', () => resolve(window.uPlot));
      script.addEventListener('error', () => { loading = null; reject(new Error('the chart library did not load')); });
      document.head.append(script);
    });
  }
  return loading;
}

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || 'currentColor';
}

const darkScheme = window.matchMedia('(prefers-color-scheme: dark)');

/**
 * A time series chart of a few series that can be given new data at any time (live pages).
 * spec: {title, unit ('%' or 'ms'), height, series: [{label, color: '--chart-control', dash}],
 * format: value -> text}. Returns {element, set(xs, ...ys), destroy()}; xs are epoch seconds,
 * ys arrays of numbers or null (a gap). The caption says the latest value of each series.
 */
export function timeChart(spec) {
  const height = spec.height || 180;
  const format = spec.format || (v => String(v));
  const plotArea = h('div', {class: 'chart-plot', 'aria-hidden': 'true'});
  const latest = h('span', {class: 'chart-latest'});
  const element = h('figure', {class: 'chart'},
    h('figcaption', {}, h('strong', {}, spec.title), ' ', latest),
    plotArea);
  let data = [[], ...spec.series.map(() => [])];
  let plot = null;
  let width = 0;
  let destroyed = false;

  const options = () => ({
    width, height,
    legend: {show: true, live: true},
    cursor: {drag: {x: false, y: false}},
    scales: {x: {time: true}, y: {range: (u, min, max) => [0, max > 0 ? max * 1.15 : 1]}},
    axes: [
      {stroke: cssVar('--muted'), grid: {stroke: cssVar('--line'), width: 1}, ticks: {stroke: cssVar('--line')}},
      {stroke: cssVar('--muted'), grid: {stroke: cssVar('--line'), width: 1}, ticks: {stroke: cssVar('--line')},
        size: 60, values: (u, splits) => splits.map(v => format(v))},
    ],
    series: [
      {label: 'Time', value: (u, v) => v == null ? '—' : new Date(v * 1000).toISOString().slice(11, 19) + ' UTC'},
      ...spec.series.map(s => ({
        label: s.label, stroke: cssVar(s.color), width: 2, dash: s.dash, spanGaps: false,
        points: {show: true, size: 4}, value: (u, v) => v == null ? '—' : format(v),
      })),
    ],
  });

  const draw = () => {
    if (destroyed || !window.uPlot || width <= 0) return;
    if (plot) plot.destroy();
    clear(plotArea);
    plot = new window.uPlot(options(), data, plotArea);
  };
  const observer = new ResizeObserver(entries => {
    const w = Math.floor(entries[0].contentRect.width);
    if (w <= 0 || w === width) return;
    width = w;
    if (plot) plot.setSize({width, height}); else draw();
  });
  observer.observe(plotArea);
  const onScheme = () => draw();
  darkScheme.addEventListener('change', onScheme);
  loadUplot().then(draw).catch(e => plotArea.replaceChildren(h('p', {class: 'muted'}, e.message)));

  return {
    element,
    set(xs, ...ys) {
      data = [xs, ...ys];
      const words = spec.series.map((s, i) => {
        const values = ys[i] || [];
        let last = null;
        for (let j = values.length - 1; j >= 0 && last === null; j--) last = values[j] ?? null;
        return `${s.label} ${last === null ? '—' : format(last)}`;
      });
      const any = ys.some(values => (values || []).some(v => v !== null && v !== undefined));
      latest.textContent = any ? `latest: ${words.join(', ')}` : 'no outcomes in these windows yet';
      if (plot) plot.setData(data); else draw();
    },
    destroy() {
      destroyed = true;
      observer.disconnect();
      darkScheme.removeEventListener('change', onScheme);
      if (plot) plot.destroy();
      plot = null;
    },
  };
}

/** Round, readable tick values covering [lo, hi]. */
export function ticks(lo, hi, count = 4) {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/**
 * A forest plot: one row per variant, its effect as a dot and its interval as a line, against a
 * zero line (no difference from the control). rows: [{label, effect, lower, upper, tone
 * ('ok'|'bad'|'none'), text}] where lower/upper may be null (open). Redrawn at the width it
 * gets. format: value -> axis text. label: the accessible description.
 */
export function forestPlot({rows, format, zeroLabel, label}) {
  const element = h('div', {class: 'forest'});
  const rowHeight = 30;
  const top = 24;
  const bottom = 26;
  let width = 0;

  const draw = () => {
    const wide = width >= 560;
    const labelW = Math.min(160, Math.max(70, width * 0.22));
    const textW = wide ? 215 : 0;
    const x0 = labelW + 8;
    const x1 = width - textW - 12;
    const finite = rows.flatMap(r => [r.effect, r.lower, r.upper]).filter(v => v !== null && v !== undefined && Number.isFinite(v));
    let lo = Math.min(0, ...finite);
    let hi = Math.max(0, ...finite);
    const pad = (hi - lo || Math.abs(hi) || 1) * 0.08;
    lo -= pad; hi += pad;
    const x = v => x0 + (v - lo) / (hi - lo) * (x1 - x0);
    const height = top + rows.length * rowHeight + bottom;
    const parts = [];
    for (const t of ticks(lo, hi, width < 480 ? 3 : 5)) {
      parts.push(svg('line', {class: 'gridline', x1: x(t), x2: x(t), y1: top - 4, y2: height - bottom}),
        svg('text', {class: 'tick', x: x(t), y: height - 8, 'text-anchor': 'middle'}, format(t)));
    }
    parts.push(svg('line', {class: 'zero', x1: x(0), x2: x(0), y1: top - 8, y2: height - bottom + 2}),
      svg('text', {class: 'zero-label', x: x(0), y: 12, 'text-anchor': 'middle'}, zeroLabel));
    rows.forEach((r, i) => {
      const y = top + i * rowHeight + rowHeight / 2;
      const tone = r.tone || 'none';
      parts.push(svg('text', {class: 'row-label', x: labelW, y: y + 4, 'text-anchor': 'end'}, r.label));
      if (r.effect === null || r.effect === undefined) {
        parts.push(svg('text', {class: 'tick', x: x0 + 4, y: y + 4}, 'no estimate'));
      } else {
        const a = r.lower === null || r.lower === undefined ? x0 : x(r.lower);
        const b = r.upper === null || r.upper === undefined ? x1 : x(r.upper);
        parts.push(svg('line', {class: `ci ${tone}`, x1: a, x2: b, y1: y, y2: y}),
          svg('line', {class: `ci ${tone}`, x1: a, x2: a, y1: y - 6, y2: y + 6}),
          svg('line', {class: `ci ${tone}`, x1: b, x2: b, y1: y - 6, y2: y + 6}),
          svg('rect', {class: `dot ${tone}`, x: x(r.effect) - 5, y: y - 5, width: 10, height: 10}));
      }
      if (wide && r.text) parts.push(svg('text', {class: 'row-text', x: width - 4, y: y + 4, 'text-anchor': 'end'}, r.text));
    });
    element.replaceChildren(svg('svg', {width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label},
      svg('title', {}, label), ...parts));
  };
  new ResizeObserver(entries => {
    const w = Math.floor(entries[0].contentRect.width);
    if (w > 0 && w !== width) { width = w; draw(); }
  }).observe(element);
  return element;
}
