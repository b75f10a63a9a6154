// The rollout of one flag in one environment: where it is, why, the health of both cohorts as it
// is judged, what happened so far, and the manual controls. The page follows the server's live
// feed (server-sent events), so it moves by itself when the controller advances or rolls back.
import {api, get, path} from '../lib/api.js';
import {h, clear, badge, when, num, notify, errorBox, confirmChange, table, equivalents, put} from '../lib/dom.js';
import {timeChart} from '../lib/charts.js';

export const STATES = {
  RUNNING: ['Running', 'ok'],
  PAUSED: ['Paused', 'warn'],
  AWAITING_APPROVAL: ['Awaiting approval', 'warn'],
  COMPLETED: ['Completed', 'ok'],
  ROLLED_BACK: ['Rolled back', 'bad'],
  ABORTED: ['Aborted', 'off'],
};
const VERDICTS = {
  PASS: ['Pass', 'ok'], FAIL: ['Fail', 'bad'], INCONCLUSIVE: ['Inconclusive', 'warn'],
  INSUFFICIENT_DATA: ['Insufficient data', 'warn'], ERROR: ['Error', 'bad'],
};
const CHECK_STATUS = {PASS: ['Pass', 'ok'], FAIL: ['Fail', 'bad'], INCONCLUSIVE: ['Inconclusive', 'warn'], SKIPPED: ['Skipped', 'off']};
const CHECK_NAMES = {
  canaryErrorRate: 'Canary error rate (window)',
  canaryP99: 'Canary p99 (window)',
  errorRateVsControl: 'Error rate against control (stage, always-valid)',
  p99VsControl: 'p99 against control (stage)',
};
const ENDED = new Set(['COMPLETED', 'ROLLED_BACK', 'ABORTED']);
const LIVE = new Set(['RUNNING', 'PAUSED', 'AWAITING_APPROVAL']);

export function rolloutBadge(state) {
  const [word, tone] = STATES[state] || [state, 'off'];
  return badge(word, tone);
}

/** A share in percent (0..100) as people write it: 1 %, 12.5 %. */
const share = p => p === null || p === undefined ? '—' : `${Number(p.toFixed(2))} %`;
/** A rate (0..1) in percent, with more decimals where it is small. */
const rate = x => x === null || x === undefined || Number.isNaN(x) ? '—' : `${Number((x * 100).toFixed(Math.abs(x) < 0.01 ? 2 : 1))} %`;
const ms = x => x === null || x === undefined ? '—' : `${Number(x.toFixed(x < 10 ? 1 : 0))} ms`;
const count = n => n === null || n === undefined ? '—' : Number(n).toLocaleString('en-GB');

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor(s % 3600 / 60) ? ` ${Math.floor(s % 3600 / 60)} min` : ''}`;
}

export async function render(view) {
  const {project, env, main} = view;
  const flagKey = view.params.flag;
  const base = path`/api/v1/projects/${project}/environments/${env}/flags/${flagKey}/rollout`;
  const metricsPath = path`/api/v1/projects/${project}/environments/${env}/flags/${flagKey}/metrics`;
  const flag = await get(path`/api/v1/projects/${project}/flags/${flagKey}`);
  const first = await fetchRollout(base);
  view.setTitle(`Rollout of ${flagKey} · ${project}/${env}`);

  const s = {rollout: first, history: [], metrics: null, receivedAt: Date.now(), controlsKey: null, charts: null};
  const liveBadge = h('span', {id: 'live-status'}, badge('Connecting', 'off'));
  const body = h('div', {id: 'rollout-body'});
  main.append(
    h('div', {class: 'page-head'},
      h('h1', {}, 'Rollout of ', h('code', {}, flagKey)),
      h('p', {class: 'muted'}, `${project} · ${env} · `,
        h('a', {href: view.url(`flags/${encodeURIComponent(flagKey)}`)}, 'the flag'), ' · ',
        h('a', {href: view.url('flags')}, 'all flags')),
      h('p', {class: 'live'}, 'Updates: ', liveBadge)),
    body,
    equivalents([
      `rollgate rollouts status ${flagKey} --project ${project} --env ${env} --watch`,
      `rollgate rollouts history ${flagKey} --project ${project} --env ${env}`,
      `rollgate rollouts start ${flagKey} --project ${project} --env ${env} --treatment on --stages 1,100`,
      `rollgate rollouts pause|resume|advance|promote|rollback|abort ${flagKey} --project ${project} --env ${env} --comment "…"`],
      `GET ${base}`, `GET ${base}/history`, `GET ${base}/live  (server-sent events: rollout, metrics)`,
      `GET ${metricsPath}?step=10`,
      `POST ${base}  {"treatment": "on", "plan": {"stages": [{"percent": 1}, {"percent": 100}]}}`,
      `POST ${base}/{pause|resume|advance|promote|rollback|abort}  (If-Match: version, X-Rollgate-Comment)`));

  const ui = {
    head: h('div', {class: 'rollout-head'}),
    facts: h('div', {class: 'panel'}),
    verdict: h('div', {class: 'panel verdict'}),
    timeline: h('div', {}),
    controls: h('div', {class: 'rollout-controls'}),
    problem: h('div', {class: 'control-error'}),
    cohorts: h('div', {}),
    checks: h('div', {}),
    charts: h('div', {class: 'grid charts'}),
    history: h('div', {}),
  };

  const refreshHistory = async () => {
    if (!s.rollout) { s.history = []; return; }
    try { s.history = (await get(`${base}/history`)).items; } catch (e) { s.history = e; }
  };

  const paint = () => {
    const r = s.rollout;
    if (!r) {
      destroyCharts(s);
      s.controlsKey = null;
      put(body, noRollout(view, flag, base, async started => { s.rollout = started; s.receivedAt = Date.now(); await refreshHistory(); rebuild(); }));
      return;
    }
    if (!body.contains(ui.head)) {
      clear(body).append(
        ui.head,
        h('div', {class: 'grid rollout-top'}, ui.facts, ui.verdict),
        section('Stages', 'rollout-stages', ui.timeline),
        ui.controls,
        ui.problem,
        section('Health of the latest window', 'rollout-health', ui.cohorts, ui.checks),
        section('Control and canary over the last windows', 'rollout-charts', ui.charts),
        section('History', 'rollout-history', ui.history));
    }
    put(ui.head, 
      h('p', {class: 'state-line'}, rolloutBadge(r.state), ' ',
        h('span', {id: 'rollout-share'}, `${r.treatment} at ${share(r.percent)}`),
        h('span', {class: 'muted'}, r.state === 'ROLLED_BACK' || r.state === 'ABORTED'
          ? ` (it had reached ${share(r.plan.stages[r.stage].percent)}, stage ${r.stage + 1} of ${r.stages}); ${r.control} stays the default`
          : ` against ${r.control}, stage ${r.stage + 1} of ${r.stages}`)),
      h('p', {id: 'rollout-reason'}, h('span', {class: 'muted'}, 'Reason: '), r.reason || '—'));
    put(ui.facts, facts(r, s));
    put(ui.verdict, verdictPanel(r));
    put(ui.timeline, timeline(r));
    put(ui.cohorts, cohortTable(r));
    put(ui.checks, checkTable(r));
    const key = `${r.id}/${r.version}/${r.state}`;
    if (key !== s.controlsKey) {
      s.controlsKey = key;
      put(ui.controls, controls(view, r, base, ui.problem, async after => {
        s.rollout = after;
        s.receivedAt = Date.now();
        await refreshHistory();
        paint();
      }));
    }
    put(ui.history, historyTable(s.history));
    paintCharts(s, ui.charts);
  };
  const rebuild = () => { clear(body); paint(); };

  // The time in stage goes on between events; the server's figure is the base.
  const ticker = setInterval(() => {
    const el = document.getElementById('rollout-time');
    if (el && s.rollout && s.rollout.timeInStageSeconds !== null && s.rollout.state === 'RUNNING') {
      put(el, ...timeInStage(s.rollout, s.receivedAt));
    }
  }, 1000);
  view.onCleanup(() => clearInterval(ticker));
  view.onCleanup(() => destroyCharts(s));

  await refreshHistory();
  if (s.rollout) {
    const windowS = s.rollout.plan.windowSeconds || 10;
    s.metrics = await get(`${metricsPath}?from=${Date.now() - 30 * windowS * 1000}&step=${windowS}`).catch(() => null);
  }
  paint();

  // The live feed: the rollout whenever it changes, its metrics on the server's interval.
  const live = new EventSource(`${base}/live`);
  view.onCleanup(() => live.close());
  live.addEventListener('open', () => put(liveBadge, badge('Live', 'ok')));
  live.addEventListener('error', () => put(liveBadge, 
    live.readyState === EventSource.CLOSED ? badge('Disconnected: reload the page', 'bad') : badge('Reconnecting', 'warn')));
  live.addEventListener('rollout', async e => {
    const data = JSON.parse(e.data);
    const metrics = data.metrics;
    delete data.metrics;
    const next = data.state ? data : null;
    const before = s.rollout;
    const moved = !before || !next || before.id !== next.id || before.version !== next.version;
    const fresh = !before !== !next || (before && next && before.id !== next.id);
    s.rollout = next;
    s.receivedAt = Date.now();
    if (metrics) s.metrics = metrics;
    if (moved) await refreshHistory();
    if (fresh) rebuild(); else paint();
  });
  live.addEventListener('metrics', e => {
    s.metrics = JSON.parse(e.data);
    if (s.rollout) paintCharts(s, ui.charts);
  });
}

async function fetchRollout(base) {
  try {
    return await get(base);
  } catch (e) {
    if (e.status === 404 && e.body && e.body.message && e.body.message.startsWith('rollout of')) return null;
    throw e;
  }
}

function section(title, id, ...content) {
  return h('section', {'aria-labelledby': id}, h('h2', {id}, title), ...content);
}

function timeInStage(r, receivedAt) {
  const stage = r.plan.stages[r.stage] || {};
  const elapsed = r.timeInStageSeconds + (r.state === 'RUNNING' ? (Date.now() - receivedAt) / 1000 : 0);
  const min = stage.minDurationSeconds || 0;
  return [
    `${duration(elapsed)} of at least ${duration(min)}`,
    stage.maxDurationSeconds ? h('span', {class: 'muted'}, ` (at most ${duration(stage.maxDurationSeconds)})`) : null,
    min > 0 ? h('progress', {max: min, value: Math.min(min, elapsed), 'aria-label': 'Time in stage against its minimum'}) : null,
  ];
}

function facts(r, s) {
  const stage = r.plan.stages[r.stage] || {};
  const checks = r.plan.checks || {};
  return h('dl', {class: 'facts'},
    h('dt', {}, 'State'), h('dd', {id: 'rollout-state'}, rolloutBadge(r.state)),
    h('dt', {}, 'Treatment share'), h('dd', {id: 'rollout-percent'}, share(r.percent)),
    h('dt', {}, 'Stage'), h('dd', {}, `${r.stage + 1} of ${r.stages}`, stage.requireApproval ? ' (needs approval)' : ''),
    h('dt', {}, 'Time in stage'), h('dd', {id: 'rollout-time'},
      r.timeInStageSeconds === null || r.timeInStageSeconds === undefined ? 'ended' : timeInStage(r, s.receivedAt)),
    h('dt', {}, 'Requests to pass'), h('dd', {}, `${count(stage.minRequests)} per cohort in the stage`),
    h('dt', {}, 'Limits'), h('dd', {}, `error rate under ${rate(checks.maxErrorRate)}, p99 under ${ms(checks.maxP99Ms)}`,
      checks.compareP99 ? `, p99 at most ${checks.maxP99Ratio} × control's` : '',
      checks.compareErrorRate ? ', error rate no worse than control\'s' : ''),
    h('dt', {}, 'Window'), h('dd', {}, `${r.plan.windowSeconds} s, judged up to `, when(r.judgedUntil)),
    h('dt', {}, 'Started'), h('dd', {}, when(r.createdAt), h('span', {class: 'muted'}, ` · id ${r.id}`)));
}

function verdictPanel(r) {
  const ev = r.evidence;
  const [word, tone] = ev ? VERDICTS[ev.verdict] || [ev.verdict, 'off'] : ['No verdict yet', 'off'];
  return [
    h('h2', {id: 'rollout-verdict-title'}, 'Latest verdict'),
    h('p', {id: 'rollout-verdict'}, badge(word, tone), ' ', verdictWords(r)),
    ev ? h('p', {class: 'muted'}, 'Window ', h('time', {datetime: ev.windowStart}, ev.windowStart.slice(11, 19)), '–',
      h('time', {datetime: ev.windowEnd}, ev.windowEnd.slice(11, 19)), ' UTC') : null,
  ];
}

/** The latest verdict and what it does, in a sentence. */
export function verdictWords(r) {
  const ev = r.evidence;
  const stages = r.plan.stages;
  const next = stages[r.stage + 1];
  if (!ev) {
    return r.state === 'RUNNING'
      ? `No window judged yet: each ${r.plan.windowSeconds} s window is judged about 2 s after it ends.`
      : `No window was judged: ${actionWords(r, null, next)}.`;
  }
  const canary = (ev.cohorts && ev.cohorts.canary) || {};
  const control = (ev.cohorts && ev.cohorts.control) || {};
  const cw = canary.window || {}, cs = canary.stage || {}, ks = control.stage || {}, kw = control.window || {};
  const checks = ev.checks || [];
  let what;
  switch (ev.verdict) {
    case 'FAIL':
      what = checks.filter(c => c.status === 'FAIL').map((c, i) => {
        const words = checkWords(c, cw, cs, ks);
        return i ? words[0].toLowerCase() + words.slice(1) : words;
      }).join('; ') || ev.summary;
      break;
    case 'PASS':
      what = `Every check passed over ${count(cw.requests)} canary and ${count(kw.requests)} control requests in the window`;
      break;
    case 'INSUFFICIENT_DATA':
      what = `Not enough requests yet: canary ${count(cw.requests)} in the window and ${count(cs.requests)} in the stage, control ${count(ks.requests)} in the stage; the stage needs ${count((stages[r.stage] || {}).minRequests)} per cohort`;
      break;
    case 'INCONCLUSIVE':
      what = `Not yet clear: ${checks.filter(c => c.status === 'INCONCLUSIVE').map(c => (CHECK_NAMES[c.name] || c.name).toLowerCase()).join(', ')}`;
      break;
    default:
      what = ev.summary ? ev.summary[0].toUpperCase() + ev.summary.slice(1) : ev.verdict;
  }
  const current = !r.stageStartedAt || Date.parse(ev.windowEnd) > Date.parse(r.stageStartedAt);
  if (!current && !ENDED.has(r.state)) {
    return `Stage ${r.stage + 1} (${share(stages[r.stage].percent)}) started ${ago(r.stageStartedAt)}; none of its windows is judged yet. The stage before: ${what}.`;
  }
  return `${what}: ${actionWords(r, ev, next)}.`;
}

function ago(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 5 ? 'just now' : `${duration(s)} ago`;
}

function checkWords(c, cw, cs, ks) {
  switch (c.name) {
    case 'canaryErrorRate':
      return `Canary error rate ${rate(c.observed)} (limit ${rate(c.threshold)}) over ${count(cw.requests)} requests`;
    case 'canaryP99':
      return `Canary p99 ${ms(c.observed)} (limit ${ms(c.threshold)}) over ${count(cw.requests)} requests`;
    case 'errorRateVsControl':
      return `Canary error rate ${rate(cs.errorRate)} against the control's ${rate(ks.errorRate)} over the stage (${count(cs.requests)} and ${count(ks.requests)} requests; at least ${num(c.interval ? c.interval[0] * 100 : null, 2)} points worse)`;
    case 'p99VsControl':
      return `Canary p99 ${num(c.observed, 2)} × the control's (limit ${num(c.threshold, 2)} ×)`;
    default:
      return `${c.name} ${c.observed} (limit ${c.threshold})`;
  }
}

function actionWords(r, ev, next) {
  const stage = r.plan.stages[r.stage] || {};
  const then = {pause: 'then pause', rollback: 'then roll back', advance: 'then advance'}[r.plan.onInsufficientData] || 'then pause';
  switch (r.state) {
    case 'ROLLED_BACK': return 'rolled back';
    case 'COMPLETED': return `completed: ${r.treatment} is the default`;
    case 'ABORTED': return 'aborted';
    case 'PAUSED': return 'paused, no window is judged until it resumes';
    case 'AWAITING_APPROVAL': return next ? `waiting for approval to advance to ${share(next.percent)}` : 'waiting for approval to complete';
    default:
      if (ev.verdict === 'FAIL') return 'rolling back';
      if (ev.verdict === 'ERROR') return r.plan.onError === 'rollback' ? 'rolling back' : 'pausing';
      if (ev.verdict === 'PASS') {
        const target = next ? `advancing to ${share(next.percent)}` : 'completing';
        return r.timeInStageSeconds >= (stage.minDurationSeconds || 0) ? target : `${target} once the stage has lasted ${duration(stage.minDurationSeconds)}`;
      }
      return `waiting (the stage may last ${duration(stage.maxDurationSeconds)}, ${then})`;
  }
}

function timeline(r) {
  const stages = r.plan.stages;
  return h('ol', {class: 'timeline', 'aria-label': 'Stages of the rollout'}, stages.map((st, i) => {
    let status;
    if (r.state === 'COMPLETED') status = 'done';
    else if (i < r.stage) status = 'done';
    else if (i === r.stage) status = r.state === 'ROLLED_BACK' ? 'rolled back here' : r.state === 'ABORTED' ? 'aborted here' : 'current';
    else status = ENDED.has(r.state) ? 'not reached' : 'next';
    const cls = status === 'done' ? 'done' : status === 'current' ? 'current' : status.endsWith('here') ? 'failed' : 'todo';
    return h('li', {class: cls, 'aria-current': status === 'current' ? 'step' : null},
      h('strong', {}, share(st.percent)), ' ', h('span', {class: 'stage-status'}, status),
      h('span', {class: 'stage-plan muted'}, ` ≥ ${duration(st.minDurationSeconds)}, ≥ ${count(st.minRequests)} req.${st.requireApproval ? ', approval' : ''}`));
  }));
}

function cohortTable(r) {
  const ev = r.evidence;
  if (!ev || !ev.cohorts || !ev.cohorts.canary) return h('p', {class: 'muted'}, 'No window judged yet.');
  const row = (name, variant, c) => {
    const w = c.window || {}, st = c.stage || {};
    const interval = w.errorRateInterval ? ` (${rate(w.errorRateInterval[0])}–${rate(w.errorRateInterval[1])})` : '';
    return h('tr', {},
      h('th', {scope: 'row'}, name), h('td', {}, h('code', {}, variant)),
      h('td', {class: 'num'}, count(w.requests)), h('td', {class: 'num'}, count(w.errors)),
      h('td', {class: 'num'}, rate(w.errorRate), h('span', {class: 'muted'}, interval)),
      h('td', {class: 'num'}, ms(w.p50)), h('td', {class: 'num'}, ms(w.p95)), h('td', {class: 'num'}, ms(w.p99)),
      h('td', {class: 'num'}, count(st.requests)), h('td', {class: 'num'}, count(st.errors)),
      h('td', {class: 'num'}, rate(st.errorRate)), h('td', {class: 'num'}, ms(st.p99)));
  };
  return table('Per cohort: the latest window, and the stage so far',
    ['Cohort', 'Variant', 'Window requests', 'Errors', 'Error rate (interval)', 'p50', 'p95', 'p99',
      'Stage requests', 'Errors', 'Error rate', 'p99'],
    [row('Canary', r.treatment, ev.cohorts.canary), row('Control', r.control, ev.cohorts.control || {})],
    {class: 'dense cohorts'});
}

function checkTable(r) {
  const ev = r.evidence;
  if (!ev || !ev.checks || !ev.checks.length) return null;
  const value = (c, v) => v === null || v === undefined ? '—'
    : c.name === 'canaryP99' ? ms(v) : c.name === 'p99VsControl' ? `${num(v, 2)} ×`
    : c.name === 'errorRateVsControl' ? `${v >= 0 ? '+' : ''}${num(v * 100, 2)} points` : rate(v);
  const interval = c => {
    const i = c.interval || c.windowInterval;
    if (!i) return c.reason ? c.reason : '—';
    return `${value(c, i[0])} to ${value(c, i[1])}${c.alpha ? ` (alpha ${num(c.alpha, 4)})` : ''}`;
  };
  return table('Checks of the latest window', ['Check', 'Status', 'Observed', 'Limit', 'Interval'],
    ev.checks.map(c => {
      const [word, tone] = CHECK_STATUS[c.status] || [c.status, 'off'];
      return [CHECK_NAMES[c.name] || c.name, badge(word, tone), value(c, c.observed), value(c, c.threshold), interval(c)];
    }), {class: 'dense checks'});
}

function historyTable(history) {
  if (history instanceof Error) return errorBox(history);
  if (!history.length) return h('p', {class: 'muted'}, 'No transitions yet.');
  const rows = [...history].reverse().map(t => [
    when(t.time), t.actor, t.action, `${t.from ? (STATES[t.from] || [t.from])[0] : '—'} → ${(STATES[t.to] || [t.to])[0]}`,
    String(t.stage + 1), share(t.percent), t.reason || '—', t.comment || h('span', {class: 'muted'}, '—')]);
  return table('Transitions, newest first', ['Time', 'Actor', 'Action', 'From → to', 'Stage', 'Share', 'Reason', 'Comment'],
    rows, {class: 'dense history'});
}

/** The manual controls that make sense in the rollout's state, for editors. */
function controls(view, r, base, problem, done) {
  if (!view.canEdit || !LIVE.has(r.state)) return null;
  const next = r.plan.stages[r.stage + 1];
  const actions = [];
  if (r.state === 'RUNNING' || r.state === 'AWAITING_APPROVAL') {
    actions.push({action: 'pause', label: 'Pause', message: `The split stays at ${share(r.percent)} and no window is judged until the rollout is resumed.`});
  }
  if (r.state === 'PAUSED') {
    actions.push({action: 'resume', label: 'Resume', message: `Stage ${r.stage + 1} (${share(r.percent)}) starts over: its time and its evidence.`});
  }
  actions.push({
    action: 'advance',
    label: next ? `${r.state === 'AWAITING_APPROVAL' ? 'Approve: advance' : 'Advance'} to ${share(next.percent)}` : 'Complete',
    message: next ? `${r.treatment} goes to ${share(next.percent)} now (stage ${r.stage + 2} of ${r.stages}), without waiting for the checks of this stage.`
      : `The rollout completes now: ${r.treatment} becomes the default variant in ${view.env}.`,
  });
  if (next) {
    actions.push({action: 'promote', label: 'Promote to 100 %', message: `${r.treatment} becomes the default variant in ${view.env} for everyone now, and the rollout completes.`});
  }
  actions.push({action: 'rollback', label: 'Roll back', danger: true, message: `The canary share goes to 0 at once and ${r.control} stays the default: the rollout ends as rolled back.`});
  actions.push({action: 'abort', label: 'Abort', danger: true, message: `The split is removed and ${r.control} stays the default: the rollout ends as aborted (not counted as a failure).`});
  const buttons = actions.map(a => h('button', {type: 'button', class: a.danger ? 'danger' : null, onclick: async e => {
    const button = e.currentTarget;
    const version = r.version; // what the person saw: a rollout that moved since answers 412
    const answer = await confirmChange({
      title: `${a.label}: ${r.flag} in ${view.env}`, message: a.message, action: a.label, danger: !!a.danger, requireComment: true,
    });
    if (!answer) return;
    button.disabled = true;
    problem.replaceChildren();
    try {
      const after = await api('POST', `${base}/${a.action}`, {version, comment: answer.comment});
      notify(`${r.flag}: ${a.label.toLowerCase()} done, the rollout is ${(STATES[after.state] || [after.state])[0].toLowerCase()}.`);
      await done(after);
    } catch (err) {
      put(problem, errorBox(err), err.status === 412 ? h('p', {}, 'The rollout changed while you decided; the page shows it as it is now. Look again before you act.') : null);
      button.disabled = false;
    }
  }}, a.label));
  return h('section', {'aria-labelledby': 'rollout-controls-title', class: 'panel'},
    h('h2', {id: 'rollout-controls-title'}, 'Manual controls'),
    h('div', {class: 'actions'}, buttons),
    h('p', {class: 'hint'}, 'Each asks for a comment, kept in the history and the audit trail.'));
}

function destroyCharts(s) {
  if (s.charts) {
    s.charts.errors.destroy();
    s.charts.p99.destroy();
    s.charts = null;
  }
}

/** Both cohorts' error rate and p99 per window, from the metrics the feed sends. */
function paintCharts(s, container) {
  const r = s.rollout;
  const key = `${r.id}`;
  if (!s.charts || s.charts.key !== key) {
    destroyCharts(s);
    const series = [
      {label: `Control (${r.control})`, color: '--chart-control'},
      {label: `Canary (${r.treatment})`, color: '--chart-canary', dash: [6, 3]},
    ];
    s.charts = {
      key,
      errors: timeChart({title: 'Error rate per window', series, format: v => rate(v / 100)}),
      p99: timeChart({title: 'p99 latency per window', series, format: v => ms(v)}),
    };
    container.replaceChildren(s.charts.errors.element, s.charts.p99.element);
  }
  const m = s.metrics;
  if (!m || !m.points) { s.charts.errors.set([]); s.charts.p99.set([]); return; }
  const step = m.stepSeconds || r.plan.windowSeconds || 10;
  const byStart = new Map(m.points.map(p => [Math.floor(Date.parse(p.start) / 1000), p.variants || {}]));
  const from = Math.floor(Date.parse(m.from) / 1000);
  const to = Math.floor(Date.parse(m.to) / 1000);
  const xs = [], ce = [], ke = [], cp = [], kp = [];
  for (let t = from; t < to; t += step) {
    const v = byStart.get(t) || {};
    const control = v[r.control], canary = v[r.treatment];
    xs.push(t);
    ke.push(control && control.requests ? control.errorRate * 100 : null);
    ce.push(canary && canary.requests ? canary.errorRate * 100 : null);
    kp.push(control ? control.p99 ?? null : null);
    cp.push(canary ? canary.p99 ?? null : null);
  }
  s.charts.errors.set(xs, ke, ce);
  s.charts.p99.set(xs, kp, cp);
}

/** A flag without a rollout here: say so, and let an editor start one. */
function noRollout(view, flag, base, started) {
  const config = (flag.environments || {})[view.env] || {};
  const control = config.defaultVariant;
  const treatments = Object.keys(flag.variants || {}).filter(v => v !== control);
  const out = [h('p', {id: 'no-rollout'}, `${flag.key} has no rollout in ${view.env}.`)];
  if (!view.canEdit) return out;
  if (!control) {
    out.push(h('p', {}, `It has no default variant in ${view.env} to compare a treatment against; set one on the flag first.`));
    return out;
  }
  if (config.state !== 'ENABLED') {
    out.push(h('p', {class: 'hint'}, `The flag is off in ${view.env}: a rollout needs it on.`));
  }
  const treatment = h('select', {id: 'start-treatment'}, treatments.map(v => h('option', {value: v}, v)));
  const stages = h('input', {id: 'start-stages', value: '1, 10, 25, 50, 100', autocomplete: 'off', inputmode: 'decimal'});
  const minDuration = h('input', {id: 'start-min', type: 'number', min: 0, step: 1, inputmode: 'numeric', placeholder: '6 windows'});
  const windowInput = h('input', {id: 'start-window', type: 'number', min: 1, max: 3600, step: 1, inputmode: 'numeric', placeholder: 'server default'});
  const problem = h('div', {class: 'field-error', role: 'alert'});
  const form = h('form', {class: 'stack start-rollout', 'aria-labelledby': 'start-title', novalidate: true},
    h('h2', {id: 'start-title'}, 'Start a rollout'),
    h('p', {class: 'hint'}, `The treatment is served to a growing share of ${view.env}'s users, against the control ${control} (the default), and rolled back by itself if it is less healthy.`),
    h('label', {for: 'start-treatment'}, 'Treatment'), treatment,
    h('label', {for: 'start-stages'}, 'Stages (treatment share in %, increasing)'), stages,
    h('label', {for: 'start-min'}, 'Least time per stage (s)'), minDuration,
    h('label', {for: 'start-window'}, 'Window (s)'), windowInput,
    problem,
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, 'Start rollout…')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    problem.replaceChildren();
    const percents = stages.value.split(/[\s,;]+/).filter(Boolean).map(Number);
    if (!percents.length || percents.some(p => !(p >= 0.01 && p <= 100)) || percents.some((p, i) => i && p <= percents[i - 1])) {
      problem.textContent = 'Stages: increasing numbers from 0.01 to 100, separated by commas.';
      stages.focus();
      return;
    }
    const plan = {stages: percents.map(percent => minDuration.value ? {percent, minDurationSeconds: Number(minDuration.value)} : {percent})};
    if (windowInput.value) plan.windowSeconds = Number(windowInput.value);
    const answer = await confirmChange({
      title: `Start a rollout of ${flag.key} in ${view.env}`,
      message: `${treatment.value} goes to ${share(percents[0])} of ${view.env} now, then ${percents.slice(1).map(share).join(', ') || 'nothing more'} as each stage passes its checks.`,
      action: 'Start rollout', requireComment: true,
    });
    if (!answer) return;
    try {
      const rollout = await api('POST', base, {body: {treatment: treatment.value, plan}, comment: answer.comment});
      notify(`${flag.key}: rollout of ${treatment.value} started at ${share(rollout.percent)}.`);
      await started(rollout);
    } catch (err) {
      problem.replaceChildren(errorBox(err));
    }
  });
  out.push(form);
  return out;
}
