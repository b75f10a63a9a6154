// The environment's experiments: what each tests, on which flag, and where it is.
import {get, path} from '../lib/api.js';
import {h, when, table, equivalents} from '../lib/dom.js';
import {experimentBadge} from './experiment.js';

export async function render(view) {
  const {project, env, main} = view;
  const list = path`/api/v1/projects/${project}/environments/${env}/experiments`;
  const experiments = (await get(list)).items;
  const query = new URLSearchParams(location.search);
  const state = h('select', {id: 'experiment-state'},
    [['', 'Every state'], ['RUNNING', 'Running'], ['DRAFT', 'Draft'], ['STOPPED', 'Stopped']].map(([value, label]) =>
      h('option', {value, selected: value === (query.get('state') || '')}, label)));
  const shown = h('p', {class: 'muted', 'aria-live': 'polite'});
  const order = {RUNNING: 0, DRAFT: 1, STOPPED: 2};
  const sorted = [...experiments].sort((a, b) => (order[a.state] ?? 3) - (order[b.state] ?? 3)
    || (b.startedAt || b.createdAt).localeCompare(a.startedAt || a.createdAt));
  const rows = sorted.map(x => ({x, row: h('tr', {dataset: {experiment: x.key}},
    h('th', {scope: 'row'}, h('a', {href: view.url(`experiments/${encodeURIComponent(x.key)}`)}, x.key),
      x.hypothesis ? h('span', {class: 'muted'}, ` ${x.hypothesis}`) : null),
    h('td', {}, experimentBadge(x.state)),
    h('td', {}, h('a', {href: view.url(`flags/${encodeURIComponent(x.flag)}`)}, x.flag)),
    h('td', {}, h('code', {}, x.primaryMetric), h('span', {class: 'muted'}, ` ${x.direction === 'decrease' ? '↓ lower is better' : '↑ higher is better'}`)),
    h('td', {}, Object.entries(x.variants || {}).map(([v, w]) => `${v} ${w}`).join(' · ')),
    h('td', {}, x.plannedSampleSize ? `fixed, ${Number(x.plannedSampleSize).toLocaleString('en-GB')} units per variant` : 'sequential'),
    h('td', {}, x.startedAt ? when(x.startedAt) : h('span', {class: 'muted'}, 'not started')),
    h('td', {}, x.stoppedAt ? when(x.stoppedAt) : h('span', {class: 'muted'}, '—')))}));
  const apply = () => {
    let n = 0;
    for (const {x, row} of rows) {
      row.hidden = !!state.value && x.state !== state.value;
      if (!row.hidden) n++;
    }
    shown.textContent = `${n} of ${experiments.length} experiments`;
    const params = new URLSearchParams();
    if (state.value) params.set('state', state.value);
    history.replaceState(null, '', location.pathname + (params.size ? `?${params}` : ''));
  };
  state.addEventListener('change', apply);

  main.append(
    h('div', {class: 'page-head'}, h('h1', {}, 'Experiments'), h('p', {class: 'muted'}, `${project} · ${env}`)),
    h('form', {class: 'filters', role: 'search', onsubmit: e => e.preventDefault()},
      h('label', {for: 'experiment-state'}, 'State'), state),
    shown,
    experiments.length
      ? table(`Experiments in ${env}`, ['Experiment', 'State', 'Flag', 'Primary metric', 'Variants and weights', 'Analysis', 'Started', 'Stopped'],
        rows.map(r => r.row), {class: 'dense experiments'})
      : h('p', {}, `No experiments in ${env} yet. Create one with the API (below); it starts as a draft.`),
    h('p', {class: 'hint'}, 'Units and results are on each experiment\'s page.'),
    equivalents([`rollgate experiments list --project ${project} --env ${env}`,
      `rollgate experiments create checkout-v2 --project ${project} --env ${env} --flag new-checkout --variant off=50 --variant on=50 --primary-metric purchase`],
      `GET ${list}`,
      `POST ${list}  {"key": "checkout-v2", "flag": "new-checkout", "variants": {"off": 50, "on": 50}, "primaryMetric": "purchase"}`,
      `GET ${list}/{key}/results`));
  apply();
}
