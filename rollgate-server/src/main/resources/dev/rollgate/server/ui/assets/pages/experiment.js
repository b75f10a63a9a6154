// One experiment: the decision and why, whether the units split as planned, each metric's effects
// with their intervals (a forest plot and the numbers), and the definition; start and stop.
import {api, get, path} from '../lib/api.js';
import {h, badge, when, num, notify, errorBox, confirmChange, table, equivalents, put} from '../lib/dom.js';
import {forestPlot} from '../lib/charts.js';

const STATES = {DRAFT: ['Draft', 'warn'], RUNNING: ['Running', 'ok'], STOPPED: ['Stopped', 'off']};
const STATUS_WORDS = {
  insufficient_data: 'not enough data', zero_variance: 'no variance', control_mean_zero: 'control mean is zero',
};

export function experimentBadge(state) {
  const [word, tone] = STATES[state] || [state, 'off'];
  return badge(word, tone);
}

const signed = (v, digits) => v === null || v === undefined ? '—' : `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(digits)}`;
const pValue = p => p === null || p === undefined ? '—' : p < 0.0001 ? p.toExponential(1) : Number(p.toPrecision(2)).toString();
const count = n => n === null || n === undefined ? '—' : Number(n).toLocaleString('en-GB');
const capital = s => s ? s[0].toUpperCase() + s.slice(1) : s;

/** How a metric's values and absolute effects read: rates in %, points, ms, plain numbers. */
function units(kind) {
  if (kind === 'conversion' || kind === 'error_rate') {
    return {mean: v => v === null || v === undefined ? '—' : `${(v * 100).toFixed(2)} %`, effect: v => `${signed(v * 100, 2)} pts`, axis: v => `${signed(v * 100, 1)} pts`};
  }
  if (kind === 'latency') {
    return {mean: v => v === null || v === undefined ? '—' : `${v.toFixed(1)} ms`, effect: v => `${signed(v, 1)} ms`, axis: v => `${signed(v, 0)} ms`};
  }
  const digits = v => Math.abs(v) >= 100 ? 1 : Math.abs(v) >= 1 ? 2 : 4;
  return {mean: v => v === null || v === undefined ? '—' : v.toFixed(digits(v)), effect: v => signed(v, digits(v)), axis: v => signed(v, digits(v || 1))};
}
const relativeUnits = {effect: v => `${signed(v * 100, 1)} %`, axis: v => `${signed(v * 100, 0)} %`};

export async function render(view) {
  const {project, env, main} = view;
  const key = view.params.experiment;
  const base = path`/api/v1/projects/${project}/environments/${env}/experiments/${key}`;
  const body = h('div', {id: 'experiment-body'});
  main.append(
    h('div', {class: 'page-head'}, h('h1', {}, 'Experiment ', h('code', {}, key)),
      h('p', {class: 'muted'}, `${project} · ${env} · `, h('a', {href: view.url('experiments')}, 'all experiments'))),
    body,
    equivalents([`rollgate experiments results ${key} --project ${project} --env ${env}`,
      `rollgate experiments start|stop ${key} --project ${project} --env ${env} --comment "…"`],
      `GET ${base}`, `GET ${base}/results`,
      `POST ${base}/start  (If-Match: version, X-Rollgate-Comment)`, `POST ${base}/stop  (If-Match: version, X-Rollgate-Comment)`));
  view.setTitle(`Experiment ${key} · ${project}/${env}`);

  const load = async () => {
    const [experiment, results] = await Promise.all([get(base), get(`${base}/results`)]);
    paint(view, body, base, experiment, results, load);
  };
  await load();
}

function paint(view, body, base, x, results, reload) {
  const query = new URLSearchParams(location.search);
  const scale = query.get('scale') === 'absolute' ? 'absolute' : 'relative';
  const scaleSelect = h('select', {id: 'effect-scale'},
    h('option', {value: 'relative', selected: scale === 'relative'}, 'relative to the control (%)'),
    h('option', {value: 'absolute', selected: scale === 'absolute'}, 'absolute (the metric\'s units)'));
  scaleSelect.addEventListener('change', () => {
    const params = new URLSearchParams(location.search);
    if (scaleSelect.value === 'relative') params.delete('scale'); else params.set('scale', scaleSelect.value);
    history.replaceState(null, '', location.pathname + (params.size ? `?${params}` : ''));
    paint(view, body, base, x, results, reload);
    document.getElementById('effect-scale').focus();
  });
  const level = `${Number(((1 - results.alpha) * 100).toFixed(2))} %`;
  put(body,
    h('p', {class: 'state-line'}, experimentBadge(x.state), ' ',
      `on `, h('a', {href: view.url(`flags/${encodeURIComponent(x.flag)}`)}, x.flag),
      h('span', {class: 'muted'}, ` · ${x.startedAt ? 'started ' : 'created '}`), when(x.startedAt || x.createdAt),
      x.stoppedAt ? [h('span', {class: 'muted'}, ' · stopped '), when(x.stoppedAt)] : null),
    h('div', {class: 'grid experiment-top'}, decisionPanel(results), srmPanel(results)),
    controls(view, x, base, reload),
    h('section', {'aria-labelledby': 'sample-title'}, h('h2', {id: 'sample-title'}, 'Sample size'), sampleTable(x, results)),
    h('section', {'aria-labelledby': 'metrics-title'},
      h('h2', {id: 'metrics-title'}, 'Metrics'),
      h('p', {class: 'hint'}, `Effects of each variant against the control ${results.control}, with ${level} ${results.analysis === 'sequential' ? 'always-valid (sequential) intervals: valid however often you look' : 'fixed-horizon intervals, read once the planned size is reached'}. A filled box is the estimate, the line its interval, the dashed line no difference.`),
      h('div', {class: 'filters'}, h('label', {for: 'effect-scale'}, 'Plot effects'), scaleSelect),
      results.metrics.length ? results.metrics.map(m => metricSection(x, results, m, scale, level)) : h('p', {class: 'muted'}, 'No metric has results.')),
    h('section', {'aria-labelledby': 'definition-title'}, h('h2', {id: 'definition-title'}, 'Definition'), definition(x)));
}

function decisionPanel(results) {
  const d = results.decision || {};
  const [word, tone] = d.decision === 'ship' ? [`Ship ${d.winner}`, 'ok'] : d.decision === 'no_ship' ? ['Do not ship', 'bad'] : ['Keep running', 'warn'];
  return h('section', {class: 'panel', 'aria-labelledby': 'decision-title'},
    h('h2', {id: 'decision-title'}, 'Decision'),
    h('p', {id: 'experiment-decision'}, badge(word, tone), ' ', h('span', {class: 'decision-code muted'}, `(${d.decision})`)),
    h('p', {id: 'experiment-decision-reason'}, d.reason ? `${capital(d.reason)}.` : ''));
}

function srmPanel(results) {
  const sr = results.sampleRatio || {};
  const total = Object.values(results.units || {}).reduce((a, b) => a + b, 0);
  const [word, tone] = total === 0 ? ['No units yet', 'off'] : sr.srm ? ['Sample ratio mismatch', 'bad'] : ['Sample ratio as planned', 'ok'];
  const weights = Object.entries(sr.weights || {}).map(([v, w]) => `${v} ${w}`).join(' : ');
  return h('section', {class: 'panel', 'aria-labelledby': 'srm-title'},
    h('h2', {id: 'srm-title'}, 'Sample ratio check'),
    h('p', {id: 'experiment-srm'}, badge(word, tone), ' ',
      total === 0 ? 'No unit has been exposed yet.'
        : `χ² ${num(sr.chiSquare, 3)}, p = ${pValue(sr.pValue)} against the planned weights ${weights} (a mismatch is p < 0.001).`),
    sr.srm ? h('p', {}, 'Units did not split as planned: the assignment or the exposure logging is broken, and no result can be trusted.') : null);
}

function sampleTable(x, results) {
  const weights = x.variants || {};
  const totalWeight = Object.values(weights).reduce((a, b) => a + b, 0) || 1;
  const unitsByVariant = results.units || {};
  const totalUnits = Object.values(unitsByVariant).reduce((a, b) => a + b, 0);
  const planned = x.plannedSampleSize;
  const rows = Object.keys(weights).map(v => {
    const n = unitsByVariant[v] || 0;
    return [
      h('span', {}, h('code', {}, v), v === x.control ? h('span', {class: 'muted'}, ' control') : null),
      String(weights[v]),
      `${(weights[v] / totalWeight * 100).toFixed(1)} %`,
      count(n),
      totalUnits ? `${(n / totalUnits * 100).toFixed(1)} %` : '—',
      planned ? [`${count(n)} of ${count(planned)} `, h('progress', {max: planned, value: Math.min(n, planned), 'aria-label': `${v}: units against the plan`})] : '—',
    ];
  });
  return [
    table('Units per variant against the plan', ['Variant', 'Weight', 'Planned share', 'Units', 'Observed share', 'Planned units'], rows, {class: 'dense sample'}),
    h('p', {class: 'hint'}, planned
      ? `Fixed horizon: the experiment is read once every variant has ${count(planned)} units.`
      : `Sequential: no planned size; the results are valid whenever they are read. N* = ${count(results.nStar ?? x.nStar)} units is where the intervals are tightest.`),
  ];
}

/** Which way is good for a metric, from its role. */
function goodDirection(m) {
  return m.role === 'guardrail' ? (m.bad === 'increase' ? 'decrease' : 'increase') : m.direction;
}

function metricSection(x, results, m, scale, level) {
  const u = units(m.kind);
  const good = goodDirection(m);
  // In the definition's order, whatever order the results list them in.
  const order = Object.keys(x.variants || {});
  const rank = v => (order.indexOf(v) + order.length + 1) % (order.length + 1);
  const treatments = Object.entries(m.variants).filter(([v]) => v !== results.control)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  const control = m.variants[results.control] || {};
  const verdictOf = s => {
    if (!s.absolute) return ['no estimate', 'none'];
    if (s.absolute.status !== 'ok') return [STATUS_WORDS[s.absolute.status] || s.absolute.status, 'none'];
    const p = s.adjustedPValue ? s.adjustedPValue.holm : (s.sequentialPValue ?? s.absolute.pValue);
    const better = good === 'increase' ? s.absolute.effect > 0 : s.absolute.effect < 0;
    if (p < results.alpha) return better ? ['better', 'ok'] : ['worse', 'bad'];
    return ['no clear difference', 'none'];
  };
  const effectOf = s => {
    const c = s && (scale === 'relative' ? s.relative : s.absolute);
    return c && c.status === 'ok' ? c : null;
  };
  const fmt = scale === 'relative' ? relativeUnits : u;
  const plotRows = treatments.map(([v, s]) => {
    const c = effectOf(s);
    const [, tone] = verdictOf(s);
    return {
      label: v, tone,
      effect: c ? c.effect : null, lower: c && c.ci ? c.ci[0] : null, upper: c && c.ci ? c.ci[1] : null,
      text: c ? `${fmt.effect(c.effect)} [${c.ci ? `${fmt.effect(c.ci[0])}, ${fmt.effect(c.ci[1])}` : '—'}]` : 'no estimate',
    };
  });
  const describe = plotRows.map(r => r.effect === null ? `${r.label}: no estimate`
    : `${r.label} ${fmt.effect(r.effect)}, ${level} interval ${fmt.effect(r.lower)} to ${fmt.effect(r.upper)}`).join('; ');
  const cuped = cupedStatus(m);
  const id = `metric-${m.metric.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const rows = [
    h('tr', {}, h('th', {scope: 'row'}, h('code', {}, results.control), h('span', {class: 'muted'}, ' control')),
      h('td', {class: 'num'}, count(control.n)), h('td', {class: 'num'}, control.n ? u.mean(control.mean) : '—'),
      h('td', {colspan: 9, class: 'muted'}, 'the reference')),
    ...treatments.map(([v, s]) => {
      const [word, tone] = verdictOf(s);
      const a = s.absolute || {}, r = s.relative || {};
      const ok = a.status === 'ok';
      return h('tr', {dataset: {variant: v}},
        h('th', {scope: 'row'}, h('code', {}, v)),
        h('td', {class: 'num'}, count(s.n)), h('td', {class: 'num'}, s.n ? u.mean(s.mean) : '—'),
        h('td', {class: 'num'}, ok ? u.effect(a.effect) : '—'),
        h('td', {class: 'num'}, ok && a.ci ? `${u.effect(a.ci[0])} to ${u.effect(a.ci[1])}` : '—'),
        h('td', {class: 'num'}, r.status === 'ok' ? relativeUnits.effect(r.effect) : '—'),
        h('td', {class: 'num'}, r.status === 'ok' && r.ci ? `${relativeUnits.effect(r.ci[0])} to ${relativeUnits.effect(r.ci[1])}` : '—'),
        h('td', {class: 'num'}, pValue(s.sequentialPValue ?? a.pValue)),
        h('td', {class: 'num'}, pValue(s.adjustedPValue && s.adjustedPValue.holm)),
        h('td', {class: 'num'}, pValue(s.adjustedPValue && s.adjustedPValue.benjaminiHochberg)),
        h('td', {class: 'num'}, s.chanceToBeatControl === undefined ? '—' : `${(s.chanceToBeatControl * 100).toFixed(1)} %`),
        h('td', {}, badge(word, tone === 'none' ? 'off' : tone)));
    }),
  ];
  const role = m.role === 'primary'
    ? `primary, ${m.direction === 'decrease' ? 'lower' : 'higher'} is better`
    : `guardrail, must not ${m.bad === 'increase' ? 'rise' : 'fall'}`;
  return h('section', {class: 'metric', 'aria-labelledby': id, dataset: {metric: m.metric}},
    h('h3', {id}, h('code', {}, m.metric), h('span', {class: 'muted'}, ` ${m.kind === m.metric ? '' : `${m.kind} · `}${role}`), ' ', cuped),
    plotRows.every(r => r.effect === null)
      ? h('p', {class: 'muted'}, `No estimate to plot yet: ${[...new Set(treatments.map(([, s]) => verdictOf(s)[0]))].join(', ')}.`)
      : forestPlot({
      rows: plotRows,
      format: fmt.axis,
      zeroLabel: `0 = ${results.control}`,
      label: `Forest plot of ${m.metric}, ${scale} effect against ${results.control}: ${describe || 'no treatment'}`,
    }),
    table(`${m.metric}: each variant against ${results.control}`,
      ['Variant', 'Units', 'Mean', 'Effect', `${level} interval`, 'Relative', `${level} interval`,
        results.analysis === 'sequential' ? 'p (sequential)' : 'p', 'p Holm', 'p BH', 'Chance to beat', 'Verdict'],
      rows, {class: 'dense effects'}));
}

function cupedStatus(m) {
  if (m.kind === 'mean' || m.kind === 'ratio') return badge('CUPED: not for ratio metrics', 'off');
  if (m.kind === 'error_rate' || m.kind === 'latency') return badge('CUPED: not for request metrics', 'off');
  const on = Object.values(m.variants).filter(v => v.cuped);
  if (!on.length) return badge('CUPED off: no pre-period data', 'off');
  const theta = on[0].absolute && on[0].absolute.theta;
  return badge(`CUPED on${theta !== undefined && theta !== null ? ` (θ = ${num(theta, 3)})` : ''}`, 'ok');
}

function definition(x) {
  const weights = x.variants || {};
  const total = Object.values(weights).reduce((a, b) => a + b, 0) || 1;
  return h('dl', {class: 'facts'},
    h('dt', {}, 'Hypothesis'), h('dd', {}, x.hypothesis || h('span', {class: 'muted'}, 'none given')),
    h('dt', {}, 'Flag'), h('dd', {}, h('code', {}, x.flag)),
    h('dt', {}, 'Variants'), h('dd', {}, Object.entries(weights).map(([v, w], i) => [i ? ', ' : '', h('code', {}, v),
      ` weight ${w} (${(w / total * 100).toFixed(1)} %)${v === x.control ? ', the control' : ''}`])),
    h('dt', {}, 'Primary metric'), h('dd', {}, h('code', {}, x.primaryMetric), `, ${x.direction === 'decrease' ? 'a decrease' : 'an increase'} is a win`),
    h('dt', {}, 'Guardrails'), h('dd', {}, (x.guardrails || []).length
      ? x.guardrails.map((g, i) => [i ? ', ' : '', h('code', {}, g.metric), ` must not ${g.bad === 'increase' ? 'rise' : 'fall'}`])
      : h('span', {class: 'muted'}, 'none')),
    h('dt', {}, 'Planned sample size'), h('dd', {}, x.plannedSampleSize ? `${count(x.plannedSampleSize)} units per variant (fixed horizon)` : `none: sequential, N* = ${count(x.nStar)}`),
    h('dt', {}, 'Significance'), h('dd', {}, `alpha ${x.alpha}`),
    h('dt', {}, 'Created'), h('dd', {}, when(x.createdAt), h('span', {class: 'muted'}, ` · id ${x.id} · version ${x.version}`)));
}

function controls(view, x, base, reload) {
  if (!view.canEdit || x.state === 'STOPPED') return null;
  const start = x.state === 'DRAFT';
  const weights = Object.entries(x.variants || {}).map(([v, w]) => `${v} ${w}`).join(', ');
  const problem = h('div', {class: 'control-error'});
  const button = h('button', {type: 'button', class: start ? 'primary' : 'danger', onclick: async () => {
    const answer = await confirmChange({
      title: `${start ? 'Start' : 'Stop'} experiment ${x.key} in ${view.env}`,
      message: start
        ? `${x.flag} splits the traffic its targeting leaves to the default between ${weights} in ${view.env}, sticky per unit, until the experiment is stopped.`
        : `The split of ${x.flag} ends and ${x.control} is served again; the results stay, and without a winner the decision becomes no_ship. A stopped experiment cannot start again.`,
      action: start ? 'Start experiment' : 'Stop experiment', danger: !start, requireComment: true,
    });
    if (!answer) return;
    button.disabled = true;
    try {
      await api('POST', `${base}/${start ? 'start' : 'stop'}`, {version: x.version, comment: answer.comment});
      notify(`Experiment ${x.key} ${start ? 'started' : 'stopped'}.`);
      await reload();
    } catch (e) {
      problem.replaceChildren(errorBox(e));
      button.disabled = false;
    }
  }}, start ? 'Start experiment' : 'Stop experiment');
  return h('section', {class: 'panel', 'aria-labelledby': 'experiment-controls-title'},
    h('h2', {id: 'experiment-controls-title'}, 'Controls'),
    h('div', {class: 'actions'}, button),
    h('p', {class: 'hint'}, start ? 'Starting asks for a comment, kept in the audit trail.' : 'Stopping asks for a comment, kept in the audit trail.'),
    problem);
}
