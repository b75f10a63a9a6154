// One release: where its runbook stands and why, its waves, the pre- and post-checks, the KPI
// comparison, its signed approvals (verified on request), the timeline, the manual controls that
// make sense in its phase, and the report. While it is under way the page reads it again every
// 5 s (?refresh=<seconds> changes that), and draws again only when it moved.
import {api, get, path} from '../lib/api.js';
import {h, badge, when, notify, errorBox, confirmChange, table, equivalents, put} from '../lib/dom.js';

export const PHASES = {
  PLANNED: ['Planned', 'off'],
  PRECHECKS: ['Pre-checks', 'warn'],
  AWAITING_APPROVAL: ['Awaiting approval', 'warn'],
  ROLLING_OUT: ['Rolling out', 'ok'],
  POSTCHECKS: ['Post-checks', 'ok'],
  PAUSED: ['Paused', 'warn'],
  COMPLETED: ['Completed', 'ok'],
  ROLLED_BACK: ['Rolled back', 'bad'],
  ABORTED: ['Aborted', 'off'],
};
export const TYPES = ['patch', 'minor', 'major', 'hotfix', 'migration'];
const ENDED = new Set(['COMPLETED', 'ROLLED_BACK', 'ABORTED']);
const WAVE_STATUS = {
  pending: ['Pending', 'off'], running: ['Running', 'ok'], completed: ['Completed', 'ok'],
  rolled_back: ['Rolled back', 'bad'], aborted: ['Aborted', 'off'],
};
const RESULT = {PASS: ['Pass', 'ok'], FAIL: ['Fail', 'bad'], INSUFFICIENT_DATA: ['Insufficient data', 'warn']};
const DEFAULT_SECONDS = 5;

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor(s % 3600 / 60) ? ` ${Math.floor(s % 3600 / 60)} min` : ''}`;
}

export function phaseBadge(phase) {
  const [word, tone] = PHASES[phase] || [phase, 'off'];
  return badge(word, tone);
}

/** The wave a release is in, in words: "2 of 3: pilot tenants". */
export function waveWords(r) {
  const waves = (r.plan && r.plan.waves) || r.waves || [];
  if (r.wave === null || r.wave === undefined) return h('span', {class: 'muted'}, `none yet (${waves.length} planned)`);
  return `${r.wave + 1} of ${waves.length}${r.waveName ? `: ${r.waveName}` : ''}`;
}

const share = p => p === null || p === undefined ? '—' : `${Number(Number(p).toFixed(2))} %`;
const rate = x => x === null || x === undefined ? '—' : `${Number((x * 100).toFixed(Math.abs(x) < 0.01 ? 3 : 2))} %`;
const ms = x => x === null || x === undefined ? '—' : `${Number(x.toFixed(x < 10 ? 1 : 0))} ms`;
const plain = x => x === null || x === undefined ? '—' : Number(Number(x).toPrecision(4)).toString();

export async function render(view) {
  const {project, env, main} = view;
  const id = view.params.release;
  const base = path`/api/v1/projects/${project}/environments/${env}/releases/${id}`;
  const requested = Number(new URLSearchParams(location.search).get('refresh'));
  const seconds = Number.isFinite(requested) && requested >= 1 ? Math.min(requested, 3600) : DEFAULT_SECONDS;
  let release = await get(base);
  view.setTitle(`Release ${release.service} ${release.version} · ${project}/${env}`);

  const ui = {
    head: h('div', {class: 'release-head'}),
    facts: h('section', {class: 'panel', 'aria-labelledby': 'release-facts-title'}),
    controls: h('div', {class: 'release-controls'}),
    problem: h('div', {class: 'control-error', id: 'release-problem'}),
    waves: h('div', {}),
    approvals: h('div', {}),
    verified: h('div', {id: 'release-verify-result', 'aria-live': 'polite'}),
    checks: h('div', {}),
    kpi: h('div', {}),
    timeline: h('div', {}),
    notes: h('div', {}),
  };
  const updates = h('span', {id: 'release-updates', class: 'muted'});
  main.append(
    h('div', {class: 'page-head'},
      h('h1', {}, 'Release ', h('code', {}, `${release.service} ${release.version}`)),
      h('p', {class: 'muted'}, `${project} · ${env} · `, h('a', {href: view.url('releases')}, 'all releases'), ' · ', updates)),
    ui.head,
    h('div', {class: 'grid release-top'}, ui.facts, reportPanel(base, release)),
    ui.controls,
    ui.problem,
    section('Waves', 'release-waves-title', ui.waves),
    section('Approvals', 'release-approvals-title', ui.approvals, ui.verified),
    section('Checks', 'release-checks-title', ui.checks),
    section('KPI comparison', 'release-kpi-title', ui.kpi),
    section('Timeline', 'release-timeline-title', ui.timeline),
    section('Release notes', 'release-notes-title', ui.notes),
    equivalents([
      `rollgate releases show ${id} --project ${project} --env ${env}`,
      `rollgate releases start|pause|resume|advance|rollback|abort ${id} --project ${project} --env ${env} --comment "…"`,
      `rollgate releases approve ${id} --project ${project} --env ${env} --comment "…"`,
      `rollgate releases report ${id} --format markdown|pdf --out FILE --project ${project} --env ${env}`,
      'rollgate verify-approval --public-key @key.json --approvals @release.json'],
      `GET ${base}`,
      `POST ${base}/{start|pause|resume|advance|rollback|abort}  {"comment": "…"}  (If-Match: revision)`,
      `POST ${base}/approvals  {"comment": "…"}`,
      `GET ${base}/approvals/verify`,
      `GET ${base}/report?format=json|markdown|pdf`));

  let shownKey = null;
  const paint = () => {
    const r = release;
    const key = `${r.revision}`;
    if (key === shownKey) return;
    shownKey = key;
    put(ui.head,
      h('p', {class: 'state-line'}, h('span', {id: 'release-phase'}, phaseBadge(r.phase)), ' ',
        h('span', {class: 'badge off', id: 'release-type'}, r.type), ' ',
        r.phase === 'PAUSED' && r.pausedFrom ? h('span', {class: 'muted'}, `paused in ${(PHASES[r.pausedFrom] || [r.pausedFrom])[0].toLowerCase()} · `) : null,
        h('span', {id: 'release-wave'}, 'wave ', waveWords(r))),
      h('p', {id: 'release-reason'}, h('span', {class: 'muted'}, 'Reason: '), r.reason || '—'));
    put(ui.facts, h('h2', {id: 'release-facts-title'}, 'Release'), facts(view, r));
    put(ui.controls, controls(view, r, base, ui.problem, after => { release = after; paint(); schedule(); }));
    put(ui.waves, wavesTable(r));
    put(ui.approvals, approvals(view, r, base, ui.verified, ui.problem, after => { release = after; paint(); schedule(); }));
    put(ui.checks, checksTables(r));
    put(ui.kpi, kpiTable(r));
    put(ui.timeline, timelineTable(r));
    put(ui.notes, r.notes ? h('pre', {class: 'release-notes'}, r.notes) : h('p', {class: 'muted'}, 'No notes.'));
  };

  // Read again while the release is under way; an ended release no longer moves.
  let timer = null;
  let reading = false;
  const refresh = async () => {
    if (reading) return;
    reading = true;
    try {
      release = await get(base);
      paint();
      updates.textContent = `read ${new Date().toISOString().slice(11, 19)} UTC`;
    } catch (e) {
      if (e.status !== 401) put(ui.problem, errorBox(e));
    } finally {
      reading = false;
      schedule();
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = null;
    if (!ENDED.has(release.phase)) {
      timer = setTimeout(refresh, seconds * 1000);
      updates.dataset.refresh = String(seconds);
      if (!updates.textContent) updates.textContent = `read again every ${seconds} s while under way`;
    } else {
      updates.textContent = 'ended: no longer read again';
      delete updates.dataset.refresh;
    }
  };
  view.onCleanup(() => clearTimeout(timer));
  paint();
  schedule();
}

function section(title, id, ...content) {
  return h('section', {'aria-labelledby': id}, h('h2', {id}, title), ...content);
}

function facts(view, r) {
  const plan = r.plan || {};
  return h('dl', {class: 'facts', id: 'release-facts'},
    h('dt', {}, 'Service'), h('dd', {}, r.service),
    h('dt', {}, 'Version'), h('dd', {}, h('code', {}, r.version)),
    h('dt', {}, 'Flag'), h('dd', {}, h('a', {href: view.url(`flags/${encodeURIComponent(r.flag)}`)}, r.flag),
      ` serves `, h('code', {}, r.treatment), r.control ? [' against ', h('code', {}, r.control)] : null),
    h('dt', {}, 'Window'), h('dd', {}, `${duration(plan.windowSeconds)}; post-checks watch ${duration(plan.postcheckWindowSeconds)}`),
    h('dt', {}, 'Approvals'), h('dd', {}, plan.requireApproval ? `${plan.approvalsRequired} required` : 'not required'),
    plan.pointOfNoReturn !== null && plan.pointOfNoReturn !== undefined
      ? [h('dt', {}, 'Point of no return'), h('dd', {}, `wave ${plan.pointOfNoReturn + 1}: from there nothing rolls back by itself`)] : null,
    plan.requireBackup || r.backupRef ? [h('dt', {}, 'Backup'), h('dd', {}, r.backupRef ? h('code', {}, r.backupRef) : badge('Needed before start', 'warn'))] : null,
    r.startAt ? [h('dt', {}, 'Starts'), h('dd', {}, when(r.startAt), h('span', {class: 'muted'}, ` (${r.startAt})`))] : null,
    h('dt', {}, 'Planned'), h('dd', {}, when(r.createdAt), h('span', {class: 'muted'}, ` by ${r.createdBy}`)),
    h('dt', {}, 'Started'), h('dd', {}, r.startedAt ? when(r.startedAt) : h('span', {class: 'muted'}, 'not yet')),
    r.endedAt ? [h('dt', {}, 'Ended'), h('dd', {}, when(r.endedAt))] : null,
    h('dt', {}, 'Updated'), h('dd', {}, when(r.updatedAt), h('span', {class: 'muted'}, ` · revision ${r.revision} · id ${r.id}`)));
}

function reportPanel(base, r) {
  const name = `release-${r.service}-${r.version}`;
  return h('section', {class: 'panel', 'aria-labelledby': 'release-report-title'},
    h('h2', {id: 'release-report-title'}, 'Report'),
    h('p', {}, 'Version, type, approvals, waves, the KPI comparison, checks and the audit events, as the store has them now.'),
    h('ul', {class: 'inline-list', id: 'release-report'},
      h('li', {}, h('a', {href: `${base}/report?format=markdown`, download: `${name}.md`, id: 'report-markdown'}, 'Markdown')),
      h('li', {}, h('a', {href: `${base}/report?format=pdf`, download: `${name}.pdf`, id: 'report-pdf'}, 'PDF')),
      h('li', {}, h('a', {href: `${base}/report?format=json`, download: `${name}.json`, id: 'report-json'}, 'JSON'))));
}

function wavesTable(r) {
  const waves = r.waves || [];
  if (!waves.length) return h('p', {class: 'muted'}, 'No waves in the plan.');
  const rows = waves.map((w, i) => {
    const [word, tone] = WAVE_STATUS[w.status] || [w.status, 'off'];
    const current = r.wave === i && !ENDED.has(r.phase);
    return h('tr', {class: current ? 'current' : null, 'aria-current': current ? 'step' : null, dataset: {wave: String(i + 1)}},
      h('td', {class: 'num'}, String(i + 1)),
      h('th', {scope: 'row'}, w.name || `wave ${i + 1}`),
      h('td', {}, w.segment ? h('code', {}, w.segment) : h('span', {class: 'muted'}, 'everyone')),
      h('td', {class: 'num'}, share(w.percent)),
      h('td', {}, `≥ ${duration(w.minDurationSeconds)}`, w.maxDurationSeconds ? h('span', {class: 'muted'}, `, ≤ ${duration(w.maxDurationSeconds)}`) : null),
      h('td', {}, badge(word, tone)),
      h('td', {}, w.startedAt ? when(w.startedAt) : h('span', {class: 'muted'}, '—')),
      h('td', {}, w.endedAt ? when(w.endedAt) : h('span', {class: 'muted'}, '—')));
  });
  return [
    h('ol', {class: 'timeline', 'aria-label': 'Waves of the release'}, waves.map((w, i) => {
      const status = w.status || 'pending';
      const cls = status === 'completed' ? 'done' : status === 'running' ? 'current' : status === 'rolled_back' ? 'failed' : 'todo';
      return h('li', {class: cls, 'aria-current': status === 'running' ? 'step' : null},
        h('strong', {}, `${i + 1}. ${w.name || 'wave'}`), ' ', share(w.percent), ' ', h('span', {class: 'stage-status'}, (WAVE_STATUS[status] || [status])[0].toLowerCase()));
    })),
    table('Waves: who each reaches, for how long, and how it went', ['#', 'Wave', 'Segment', 'Share', 'Duration', 'Status', 'Started', 'Ended'],
      rows, {class: 'dense waves', id: 'release-waves'}),
  ];
}

function approvals(view, r, base, verified, problem, done) {
  const plan = r.plan || {};
  const list = r.approvals || [];
  const out = [];
  out.push(h('p', {id: 'release-approvals-needed'}, plan.requireApproval
    ? `${list.length} of ${plan.approvalsRequired} required approval${plan.approvalsRequired === 1 ? '' : 's'}${r.phase === 'AWAITING_APPROVAL' ? ': the release waits for them' : ''}.`
    : `This ${r.type} release needs no approval${list.length ? `; it has ${list.length}` : ''}.`));
  if (list.length) {
    out.push(table('Approvals, each signed by the server\'s Ed25519 key', ['Approver', 'Time', 'Phase', 'Comment', 'Key'],
      list.map(a => [a.approver, when(a.at), (PHASES[a.phase] || [a.phase])[0], a.comment, h('code', {}, a.keyId)]),
      {class: 'dense approvals', id: 'release-approvals'}));
    const verify = h('button', {type: 'button', id: 'release-verify', onclick: async () => {
      verify.disabled = true;
      try {
        const result = await get(`${base}/approvals/verify`);
        put(verified, h('p', {id: 'release-verify-verdict'}, result.valid ? badge('Valid', 'ok') : badge('Invalid', 'bad'), ' ',
          result.valid ? `Every signature checks against key ${result.keyId}.` : `A signature does not check against key ${result.keyId}: the approvals were changed after they were signed.`),
          table('Signature of each approval', ['Approver', 'Time', 'Signature'], result.approvals.map(a =>
            [a.approver, when(a.at), a.valid ? badge('Valid', 'ok') : badge('Invalid', 'bad')]), {class: 'dense verify'}));
      } catch (e) {
        put(verified, errorBox(e));
      } finally {
        verify.disabled = false;
      }
    }}, 'Verify signatures');
    out.push(h('div', {class: 'actions'}, verify));
  } else {
    out.push(h('p', {class: 'muted'}, 'No approvals yet.'));
  }
  const canApprove = view.session && (view.session.role === 'admin' || view.session.role === 'approver');
  const mine = list.some(a => a.approver === view.session.name);
  if (canApprove && !ENDED.has(r.phase) && (plan.requireApproval || r.phase === 'AWAITING_APPROVAL') && !mine) {
    const approve = h('button', {type: 'button', class: 'primary', id: 'release-approve', onclick: async () => {
      const answer = await confirmChange({
        title: `Approve ${r.service} ${r.version} in ${view.env}`,
        message: `Your approval is recorded with your name and the time, signed by the server. ${r.phase === 'AWAITING_APPROVAL' && list.length + 1 >= plan.approvalsRequired ? 'It is the last one needed: the first wave starts at once.' : ''}`,
        action: 'Approve', requireComment: true,
      });
      if (!answer) return;
      approve.disabled = true;
      problem.replaceChildren();
      try {
        const after = await api('POST', `${base}/approvals`, {body: {comment: answer.comment}});
        notify(`${r.service} ${r.version}: approved; the release is ${(PHASES[after.phase] || [after.phase])[0].toLowerCase()}.`);
        done(after);
      } catch (e) {
        put(problem, errorBox(e));
        approve.disabled = false;
      }
    }}, 'Approve');
    out.push(h('div', {class: 'actions'}, approve), h('p', {class: 'hint'}, 'Approving asks for a comment, signed with the approval and kept in the audit trail.'));
  }
  return out;
}

function checksTables(r) {
  const plan = r.plan || {};
  const one = (title, id, planned, results) => {
    if (!planned.length) return h('p', {id, class: 'muted'}, `${title}: none in the plan.`);
    if (!results) {
      return table(`${title}: not run yet`, ['Check', 'Type', 'Result'],
        planned.map(c => [c.name, c.type, badge('Not run', 'off')]), {class: 'dense checks', id});
    }
    return table(title, ['Check', 'Type', 'Result', 'Observed', 'Message', 'Took', 'At'],
      results.map(c => [c.name, c.type, c.ok ? badge('Pass', 'ok') : badge('Fail', 'bad'),
        c.observed === null || c.observed === undefined ? '—' : String(c.observed), c.message || '—',
        c.durationMs === null || c.durationMs === undefined ? '—' : `${c.durationMs} ms`, when(c.at)]),
      {class: 'dense checks', id});
  };
  return [
    one('Pre-checks', 'release-prechecks', plan.prechecks || [], r.prechecks),
    one('Post-checks', 'release-postchecks', plan.postchecks || [], r.postchecks),
    (plan.healthChecks || []).length ? h('p', {class: 'hint'}, 'Health checks whose open violation rolls the release back: ',
      plan.healthChecks.map((c, i) => [i ? ', ' : '', h('code', {}, c)])) : null,
  ];
}

function kpiTable(r) {
  const kpi = r.kpi;
  if (!kpi) {
    return h('p', {class: 'muted', id: 'release-kpi'}, ENDED.has(r.phase)
      ? 'No KPI comparison: the release ended before its post-checks.'
      : 'Not compared yet: the post-checks compare error rate and p95 before the release with after it.');
  }
  const format = k => k.name === 'errorRate' ? rate : k.name === 'p95' ? ms : plain;
  const window = w => w ? `${w.from.slice(0, 16).replace('T', ' ')} – ${w.to.slice(11, 16)} UTC` : '—';
  const interval = (k, f) => {
    if (k.name === 'p95' && k.limit !== undefined) return `after ≥ ${f(k.afterInterval && k.afterInterval[0])}, limit ${f(k.limit)}`;
    if (!k.interval) return '—';
    const [lo, hi] = k.interval;
    const d = k.name === 'errorRate' ? v => `${Number((v * 100).toFixed(3))} pts` : plain;
    return lo !== null && lo !== undefined ? `difference ≥ ${d(lo)}` : hi !== null && hi !== undefined ? `difference ≤ ${d(hi)}` : '—';
  };
  return [
    h('p', {id: 'release-kpi-verdict'}, kpi.passed ? badge('Passed', 'ok') : badge('Failed', 'bad'), ' ',
      `Before: ${window(kpi.before)}; after: ${window(kpi.after)}; judged at alpha ${kpi.alpha}, so that noise alone does not fail a release.`),
    table('Each KPI before the release and after it', ['KPI', 'Rule', 'Before', 'After', 'Interval', 'Status'],
      (kpi.kpis || []).map(k => {
        const f = format(k);
        const [word, tone] = RESULT[k.status] || [k.status, 'off'];
        return h('tr', {dataset: {kpi: k.name}},
          h('th', {scope: 'row'}, h('code', {}, k.name)), h('td', {}, k.rule),
          h('td', {class: 'num'}, f(k.before)), h('td', {class: 'num'}, f(k.after)),
          h('td', {}, interval(k, f)), h('td', {}, badge(word, tone)));
      }), {class: 'dense kpi', id: 'release-kpi'}),
  ];
}

function timelineTable(r) {
  const events = r.timeline || [];
  if (!events.length) return h('p', {class: 'muted'}, 'Nothing happened yet.');
  return table('What happened, in order', ['Time', 'Event', 'Actor', 'Phase', 'Wave', 'Reason'],
    events.map(e => h('tr', {dataset: {event: e.event}},
      h('td', {}, when(e.at)), h('td', {}, h('code', {}, e.event)), h('td', {}, e.actor),
      h('td', {}, (PHASES[e.phase] || [e.phase || '—'])[0]),
      h('td', {class: 'num'}, e.wave === null || e.wave === undefined ? '—' : String(e.wave + 1)),
      h('td', {}, e.reason || h('span', {class: 'muted'}, '—')))),
    {class: 'dense release-timeline', id: 'release-timeline'});
}

/** Whether the release's treatment is served: its split is in the flag. */
function serving(r) {
  const p = r.phase === 'PAUSED' ? r.pausedFrom : r.phase;
  return p === 'ROLLING_OUT' || p === 'POSTCHECKS';
}

/** The manual controls that make sense in the release's phase, for editors. */
function controls(view, r, base, problem, done) {
  if (!view.canEdit || ENDED.has(r.phase)) return null;
  const name = `${r.service} ${r.version}`;
  const actions = [];
  let backup = null;
  if (r.phase === 'PLANNED') {
    actions.push({action: 'start', label: 'Start', primary: true,
      message: `The pre-checks run now${r.plan.requireApproval ? ', then the release waits for its approvals' : ''}; then the first wave of ${r.flag} gets ${r.treatment}.`});
    if (r.plan.requireBackup && !r.backupRef) {
      backup = h('input', {id: 'release-backup', autocomplete: 'off', spellcheck: 'false', maxlength: 512});
    }
  }
  if (['PRECHECKS', 'AWAITING_APPROVAL', 'ROLLING_OUT', 'POSTCHECKS'].includes(r.phase)) {
    actions.push({action: 'pause', label: 'Pause', message: 'The release stays where it is and no window is judged until it is resumed.'});
  }
  if (r.phase === 'PAUSED') {
    actions.push({action: 'resume', label: 'Resume', primary: true, message: `The release goes on ${(PHASES[r.pausedFrom] || [r.pausedFrom])[0].toLowerCase()}; windows are judged from now on.`});
  }
  if (r.phase === 'ROLLING_OUT') {
    const last = r.wave + 1 >= (r.plan.waves || []).length;
    actions.push({action: 'advance', label: last ? 'Advance to post-checks' : `Advance to wave ${r.wave + 2}`,
      message: last ? 'The last wave ends now and the post-checks start.' : `Wave ${r.wave + 2} (${r.plan.waves[r.wave + 1].name}) starts now, without waiting for this wave's checks.`});
  }
  if (serving(r)) {
    actions.push({action: 'rollback', label: 'Roll back', danger: true, message: `${r.flag} serves ${r.control} to everyone again at once; the release ends as rolled back.`});
  }
  actions.push({action: 'abort', label: 'Abort', danger: true,
    message: serving(r) ? `The split of ${r.flag} is removed and ${r.control} stays the default; the release ends as aborted.` : 'The release ends as aborted; nothing was served yet.'});
  const buttons = actions.map(a => h('button', {type: 'button', class: a.danger ? 'danger' : a.primary ? 'primary' : null, dataset: {action: a.action}, onclick: async e => {
    const button = e.currentTarget;
    const revision = r.revision; // what the person saw: a release that moved since answers 412
    if (a.action === 'start' && backup && !backup.value.trim()) {
      put(problem, h('p', {class: 'field-error', role: 'alert'}, `A ${r.type} release needs a backup reference before it starts.`));
      backup.focus();
      return;
    }
    const answer = await confirmChange({title: `${a.label}: ${name} in ${view.env}`, message: a.message, action: a.label, danger: !!a.danger, requireComment: true});
    if (!answer) return;
    button.disabled = true;
    problem.replaceChildren();
    try {
      const body = {comment: answer.comment};
      if (a.action === 'start' && backup) body.backupRef = backup.value.trim();
      const after = await api('POST', `${base}/${a.action}`, {body, version: revision});
      notify(`${name}: ${a.label.toLowerCase()} done; the release is ${(PHASES[after.phase] || [after.phase])[0].toLowerCase()}.`);
      done(after);
    } catch (err) {
      put(problem, errorBox(err), err.status === 412 ? h('p', {}, 'The release moved while you decided; it is read again. Look before you act.') : null);
      button.disabled = false;
      if (err.status === 412) done(await get(base).catch(() => r));
    }
  }}, a.label));
  return h('section', {'aria-labelledby': 'release-controls-title', class: 'panel', id: 'release-controls'},
    h('h2', {id: 'release-controls-title'}, 'Manual controls'),
    backup ? h('div', {class: 'plan-field'}, h('label', {for: 'release-backup'}, 'Backup reference (needed to start)'), backup) : null,
    h('div', {class: 'actions'}, buttons),
    h('p', {class: 'hint'}, 'Each asks for a comment, kept in the audit trail beside the timeline\'s event.'));
}
