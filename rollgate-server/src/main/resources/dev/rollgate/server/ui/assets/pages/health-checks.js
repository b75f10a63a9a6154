// The project's health checks on the Health page: each check's status (word and colour), last
// run, interval and open violation; "Check now" and delete for editors, with a form to create one
// (the API's field errors shown at their fields); the results of the check the address selects
// (?check=<id>); and the violations, open ones first. The page refreshes it with its readiness.
import {api, get, path} from '../lib/api.js';
import {h, put, badge, when, errorBox, table, notify, confirmChange} from '../lib/dom.js';

const TYPES = [
  ['http', 'HTTP: a URL answers with a status'],
  ['prometheus', 'Prometheus: a query stays within a threshold'],
  ['metric', 'Metric: a value services push stays within a threshold'],
  ['audit', 'Audit: the audit trail\'s chain verifies'],
];
const COMPARISONS = ['<', '<=', '>', '>=', '==', '!='];

/**
 * The section and what redraws it. refresh() reads the checks, the violations and the selected
 * check's results again; the create form is drawn once, so a refresh never clears what is typed.
 */
export function healthChecks(view) {
  const selected = new URLSearchParams(location.search).get('check');
  const base = path`/api/v1/projects/${view.project}`;
  const listArea = h('div', {id: 'health-checks-list'});
  const resultsArea = h('section', {id: 'health-results', 'aria-labelledby': 'health-results-title'});
  const violationsArea = h('section', {id: 'health-violations', 'aria-labelledby': 'health-violations-title'});
  let refreshing = null;

  const refresh = () => {
    if (refreshing) return refreshing;
    refreshing = (async () => {
      const [checks, open, resolved, results] = await Promise.all([
        get(`${base}/health-checks`).then(r => r.items, e => e),
        get(`${base}/health/violations?state=open&limit=100`).then(r => r.items, e => e),
        get(`${base}/health/violations?state=resolved&limit=50`).then(r => r.items, e => e),
        selected ? get(`${base + path`/health-checks/${selected}/results`}?limit=20`).then(r => r.items, e => e) : null,
      ]);
      drawChecks(view, listArea, checks, open, {base, refresh});
      drawResults(view, resultsArea, selected, checks, results);
      drawViolations(view, violationsArea, open, resolved);
    })().catch(e => put(listArea, errorBox(e))).finally(() => { refreshing = null; });
    return refreshing;
  };

  const element = h('section', {id: 'health-checks', 'aria-labelledby': 'health-checks-title'},
    h('h2', {id: 'health-checks-title'}, 'Checks'),
    h('p', {class: 'hint'}, `Project ${view.project}'s health checks, run by the leading replica on their intervals. `,
      'A check that fails its number of times in a row opens a violation, and may switch a flag off or pause rollouts (set with the CLI or the API).'),
    view.canEdit ? createForm(view, base, refresh) : null,
    listArea);
  return {element, resultsArea, violationsArea, refresh};
}

function statusBadge(check) {
  if (check.status === 'passing') return badge('Passing', 'ok');
  if (check.status === 'failing') return badge('Failing', 'bad');
  return badge('Unknown', 'off');
}

/** An interval in the unit people say it in. */
export function interval(seconds) {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** What a check looks at, in a few words. */
function target(c) {
  switch (c.type) {
    case 'http': return h('code', {class: 'url'}, `${c.method || 'GET'} ${c.url}`);
    case 'prometheus': return h('code', {}, `${c.query} ${c.comparison} ${c.threshold}`);
    case 'metric': return [h('code', {}, `${c.metric} ${c.comparison} ${c.threshold}`), h('span', {class: 'muted'}, ` in ${c.environment}`)];
    case 'audit': return h('span', {}, 'the audit chain');
    default: return '—';
  }
}

function resultsUrl(view, id) {
  const params = new URLSearchParams(location.search);
  params.set('check', id);
  return `${view.url('health')}?${params}`;
}

function drawChecks(view, area, checks, open, {base, refresh}) {
  if (checks instanceof Error) { put(area, errorBox(checks)); return; }
  const openByCheck = new Map((open instanceof Error ? [] : open).map(v => [v.checkId, v]));
  const rows = checks.map(c => {
    const violation = openByCheck.get(c.id);
    return h('tr', {dataset: {check: c.id}},
      h('th', {scope: 'row'}, h('a', {href: resultsUrl(view, c.id)}, c.name),
        c.description ? h('div', {class: 'muted'}, c.description) : null),
      h('td', {}, c.type),
      h('td', {}, target(c)),
      h('td', {class: 'check-status'}, statusBadge(c),
        c.status === 'failing' && c.consecutiveFailures > 0 ? h('span', {class: 'muted'}, ` ${c.consecutiveFailures} in a row`) : null),
      h('td', {}, when(c.lastRunAt)),
      h('td', {}, `every ${interval(c.intervalSeconds)}`),
      h('td', {}, violation ? [badge('Open', 'bad'), ' since ', when(violation.openedAt)]
        : c.openViolation ? badge('Open', 'bad') : h('span', {class: 'muted'}, 'none')),
      view.canEdit ? h('td', {class: 'row-actions'},
        h('button', {type: 'button', 'aria-label': `Check now: ${c.name}`, onclick: e => runNow(base, c, e.target, refresh)}, 'Check now'),
        h('button', {type: 'button', class: 'danger', 'aria-label': `Delete the check ${c.name}`, onclick: () => remove(base, c, area, refresh)}, 'Delete')) : null);
  });
  const headers = ['Check', 'Type', 'Looks at', 'Status', 'Last run', 'Interval', 'Open violation'];
  if (view.canEdit) headers.push('Actions');
  if (!rows.length) rows.push(h('tr', {}, h('td', {colspan: headers.length, class: 'muted'},
    view.canEdit ? 'No health checks yet: create one above.' : 'No health checks yet.')));
  put(area, table(`${checks.length} health check${checks.length === 1 ? '' : 's'}`, headers, rows, {class: 'dense', id: 'health-checks-table'}));
}

async function runNow(base, check, button, refresh) {
  button.disabled = true;
  try {
    const answer = await api('POST', base + path`/health-checks/${check.id}/run`);
    const r = answer.result;
    notify(`${check.name}: ${r.ok ? 'passed' : 'failed'}: ${r.message} (${r.durationMs} ms).`, r.ok ? 'ok' : 'bad');
    await refresh();
  } catch (e) {
    notify(`${check.name} could not run: ${e.message}`, 'bad');
    button.disabled = false;
  }
}

async function remove(base, check, area, refresh) {
  const answer = await confirmChange({
    title: `Delete the check ${check.name}`,
    message: `The health monitor stops running ${check.name}; its results and violations are deleted with it.`,
    action: 'Delete', danger: true, requireComment: true,
  });
  if (!answer) return;
  try {
    await api('DELETE', base + path`/health-checks/${check.id}`, {version: check.version, comment: answer.comment});
    notify(`Deleted the check ${check.name}.`);
    await refresh();
  } catch (e) {
    area.prepend(errorBox(e));
  }
}

function drawResults(view, area, selected, checks, results) {
  if (!selected) { put(area); area.hidden = true; return; }
  area.hidden = false;
  const check = Array.isArray(checks) ? checks.find(c => c.id === selected) : null;
  const title = h('h2', {id: 'health-results-title'}, 'Results', check ? [' of ', check.name] : null);
  const close = h('a', {href: view.url('health')}, 'Close');
  if (results instanceof Error) { put(area, title, errorBox(results), close); return; }
  put(area, title,
    h('p', {class: 'hint'}, 'The check\'s latest runs, newest first (scheduled runs and "Check now" alike). ', close),
    table(`The ${results.length} latest result${results.length === 1 ? '' : 's'}${check ? ` of ${check.name}` : ''}`,
      ['Run', 'Result', 'Observed', 'Duration', 'Message'],
      results.length ? results.map(r => [
        when(r.at),
        r.ok ? badge('Passed', 'ok') : badge('Failed', 'bad'),
        h('span', {class: 'num'}, r.observed === null || r.observed === undefined ? '—' : String(r.observed)),
        h('span', {class: 'num'}, `${r.durationMs} ms`),
        r.message,
      ]) : [h('tr', {}, h('td', {colspan: 5, class: 'muted'}, 'Not run yet.'))],
      {class: 'dense', id: 'health-results-table'}));
}

function drawViolations(view, area, open, resolved) {
  const title = h('h2', {id: 'health-violations-title'}, 'Violations');
  if (open instanceof Error) { put(area, title, errorBox(open)); return; }
  const all = [...open, ...(resolved instanceof Error ? [] : resolved)];
  const rows = all.map(v => h('tr', {dataset: {violation: v.id}, class: v.state === 'open' ? 'open' : null},
    h('th', {scope: 'row'}, h('a', {href: resultsUrl(view, v.checkId)}, v.checkName)),
    h('td', {}, v.state === 'open' ? badge('Open', 'bad') : badge('Resolved', 'ok'),
      v.resolvedAt ? [' ', when(v.resolvedAt)] : null),
    h('td', {}, when(v.openedAt)),
    h('td', {}, when(v.lastFailureAt)),
    h('td', {class: 'num'}, String(v.failures)),
    h('td', {class: 'evidence'}, v.evidence ? v.evidence.message : '—'),
    h('td', {}, v.actionTaken || h('span', {class: 'muted'}, 'none'))));
  if (!rows.length) rows.push(h('tr', {}, h('td', {colspan: 7, class: 'muted'}, 'No violations.')));
  put(area, title,
    h('p', {class: 'hint'}, 'Open violations first, then the latest resolved ones; a violation resolves at the next run that passes.'),
    resolved instanceof Error ? errorBox(resolved) : null,
    table(`${open.length} open, ${resolved instanceof Error ? '?' : resolved.length} resolved`,
      ['Check', 'State', 'Opened', 'Last failure', 'Failures', 'Evidence', 'Action taken'], rows,
      {class: 'dense', id: 'health-violations-table'}));
}

function createForm(view, base, refresh) {
  const fields = {};
  const control = (name, el) => { fields[name] = el; return el; };
  const name = control('name', h('input', {id: 'check-name', required: true, maxlength: 100, autocomplete: 'off', spellcheck: 'false', placeholder: 'checkout-api'}));
  const type = control('type', h('select', {id: 'check-type'}, TYPES.map(([t, what]) => h('option', {value: t}, what))));
  const url = control('url', h('input', {id: 'check-url', type: 'text', inputmode: 'url', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://checkout.example.com/health'}));
  const query = control('query', h('input', {id: 'check-query', autocomplete: 'off', spellcheck: 'false', placeholder: 'sum(rate(http_errors_total[5m]))'}));
  const metric = control('metric', h('input', {id: 'check-metric', autocomplete: 'off', spellcheck: 'false', placeholder: 'consumer_lag'}));
  const environment = control('environment', h('select', {id: 'check-environment'},
    view.environments.map(e => h('option', {value: e.key, selected: e.key === view.env}, e.key))));
  const comparison = control('comparison', h('select', {id: 'check-comparison'}, COMPARISONS.map(c => h('option', {value: c, selected: c === '<='}, c))));
  const threshold = control('threshold', h('input', {id: 'check-threshold', type: 'number', step: 'any', inputmode: 'decimal'}));
  const intervalSeconds = control('intervalSeconds', h('input', {id: 'check-interval', type: 'number', min: 10, step: 1, value: 300}));
  const problem = h('div', {id: 'check-problem'});

  const wrap = (key, id, label, el, hint, types) => h('div', {class: 'field', dataset: {field: key, types: types ? types.join(' ') : ''}},
    h('label', {for: id}, label), el,
    hint ? h('span', {class: 'hint'}, hint) : null,
    h('p', {class: 'field-error', id: `${id}-error`, role: 'alert'}));
  const wrappers = [
    wrap('name', 'check-name', 'Name', name, 'letters, digits, - and _'),
    wrap('type', 'check-type', 'Type', type),
    wrap('url', 'check-url', 'URL', url, 'http or https; must answer 200', ['http']),
    wrap('query', 'check-query', 'PromQL query', query, 'against the server\'s ROLLGATE_PROMETHEUS_URL', ['prometheus']),
    wrap('metric', 'check-metric', 'Metric', metric, 'pushed with POST /api/v1/events', ['metric']),
    wrap('environment', 'check-environment', 'Environment', environment, 'whose SDK token pushes it', ['metric']),
    wrap('comparison', 'check-comparison', 'Must be', comparison, null, ['prometheus', 'metric']),
    wrap('threshold', 'check-threshold', 'Threshold', threshold, null, ['prometheus', 'metric']),
    wrap('intervalSeconds', 'check-interval', 'Every (seconds)', intervalSeconds, '10 s to 7 days; 300 by default'),
  ];
  const showType = () => wrappers.forEach(w => {
    const types = w.dataset.types;
    w.hidden = Boolean(types) && !types.split(' ').includes(type.value);
  });
  type.addEventListener('change', showType);
  showType();

  const clearErrors = () => {
    put(problem);
    for (const w of wrappers) {
      w.querySelector('.field-error').textContent = '';
      const el = fields[w.dataset.field];
      el.removeAttribute('aria-invalid');
      el.removeAttribute('aria-describedby');
    }
  };
  /** Shows a message at its field; false when the form has no such field (or it is hidden). */
  const fieldError = (field, message) => {
    const w = wrappers.find(x => x.dataset.field === field && !x.hidden);
    if (!w) return false;
    const el = fields[field];
    const error = w.querySelector('.field-error');
    error.textContent = message;
    el.setAttribute('aria-invalid', 'true');
    el.setAttribute('aria-describedby', error.id);
    return true;
  };

  const form = h('form', {class: 'create', id: 'check-create', novalidate: true, 'aria-labelledby': 'check-create-title'},
    h('h3', {id: 'check-create-title'}, 'New check'),
    h('div', {class: 'create-fields'}, wrappers),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, 'Create check')),
    problem);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    clearErrors();
    if (!name.value.trim()) { fieldError('name', 'A name is required.'); name.focus(); return; }
    const body = {name: name.value.trim(), type: type.value};
    if (type.value === 'http') body.url = url.value.trim();
    if (type.value === 'prometheus') body.query = query.value;
    if (type.value === 'metric') { body.metric = metric.value.trim(); body.environment = environment.value; }
    if (type.value === 'prometheus' || type.value === 'metric') {
      body.comparison = comparison.value;
      if (threshold.value.trim() !== '') body.threshold = Number(threshold.value);
    }
    if (intervalSeconds.value.trim() !== '') body.intervalSeconds = Number(intervalSeconds.value);
    try {
      const created = await api('POST', `${base}/health-checks`, {body});
      notify(`Created the ${created.type} check ${created.name}; its first run is due now.`);
      form.reset();
      showType();
      await refresh();
    } catch (err) {
      if (err.status === 409 && fieldError('name', err.message)) { name.focus(); return; }
      const details = (err.body && err.body.details) || [];
      let first = null;
      const elsewhere = details.filter(d => {
        const shown = d.field && fieldError(d.field, d.message);
        if (shown && !first) first = fields[d.field];
        return !shown;
      });
      if (first) first.focus();
      if (!details.length || elsewhere.length) problem.append(errorBox(err));
    }
  });
  return form;
}
