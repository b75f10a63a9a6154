// The stale-flag report of the project in the chosen environment: flags nothing evaluated, flags
// that served one variant to everyone, flags nobody changed, each with its evidence, what to do,
// and (for editors) the archive button.
import {api, get, path} from '../lib/api.js';
import {h, when, table, equivalents, errorBox, notify, confirmChange, put} from '../lib/dom.js';
import {isProtected} from '../lib/flags.js';

const PERIODS = [7, 14, 30, 60, 90, 180, 365];
const LISTS = [
  ['notEvaluated', 'Not evaluated', 'Older than the period, and evaluated neither directly nor as a prerequisite of an evaluated flag.'],
  ['fullyRolledOut', 'Fully rolled out', 'Unchanged for the period, and every evaluation in it served one variant (or none: switched off).'],
  ['unchanged', 'Unchanged', 'Not changed for the period: review whether its rollout or experiment is over.'],
];

export async function render(view) {
  const {project, env, main} = view;
  const query = new URLSearchParams(location.search);
  const chosen = Number(query.get('days')) || 30;
  const days = h('select', {id: 'stale-days'}, PERIODS.map(d => h('option', {value: String(d), selected: d === chosen}, `${d} days`)));
  const body = h('div', {class: 'stale-report', 'aria-live': 'polite'});
  const load = async () => {
    const params = new URLSearchParams(location.search);
    params.set('days', days.value);
    history.replaceState(null, '', `${location.pathname}?${params}`);
    put(body, h('p', {class: 'muted'}, 'Loading…'));
    try {
      const report = await get(`${path`/api/v1/projects/${project}/stale-flags`}?days=${days.value}`);
      paint(view, body, report, load);
    } catch (e) {
      put(body, errorBox(e));
    }
  };
  days.addEventListener('change', load);
  main.append(
    h('div', {class: 'page-head'}, h('h1', {}, 'Stale flags'), h('p', {class: 'muted'}, `${project} · ${env}`)),
    h('p', {class: 'hint'}, 'From the evaluations every replica and SDK reports (kept 400 days). ',
      'Before archiving, find where code still uses a flag: ', h('code', {}, 'rollgate code-refs --dir src'), '.'),
    h('form', {class: 'filters', onsubmit: e => e.preventDefault()}, h('label', {for: 'stale-days'}, 'Period'), days),
    body,
    equivalents([`rollgate stale-flags --project ${project} --env ${env} --days 30`,
      `rollgate stale-flags --project ${project} --days 30 --fail-on-stale  (exit 1 when a flag is unused or fully rolled out)`],
      `GET /api/v1/projects/${project}/stale-flags?days=30`,
      `PATCH /api/v1/projects/${project}/flags/{flag}  {"archived": true}  (If-Match, X-Rollgate-Comment)`));
  await load();
}

function paint(view, el, report, reload) {
  const lists = report.environments[view.env];
  if (!lists) {
    put(el, h('p', {}, `No flags in ${view.env}.`));
    return;
  }
  put(el, LISTS.map(([key, title, hint]) => {
    const findings = lists[key];
    const id = `stale-${key}`;
    return h('section', {'aria-labelledby': id, class: `stale-list ${key}`},
      h('h2', {id}, `${title} for ${report.days} days `, h('span', {class: 'count muted'}, `(${findings.length})`)),
      h('p', {class: 'hint'}, hint),
      findings.length
        ? table(`${title} in ${view.env}`, ['Flag', 'Evidence', 'What to do', 'Last evaluated', ''],
          findings.map(f => h('tr', {dataset: {flag: f.flag}},
            h('th', {scope: 'row'}, h('a', {href: view.url(`flags/${encodeURIComponent(f.flag)}`)}, f.flag)),
            h('td', {}, f.evidence),
            h('td', {}, f.suggestion),
            h('td', {}, f.lastEvaluatedAt ? when(f.lastEvaluatedAt) : h('span', {class: 'muted'}, 'never')),
            h('td', {}, view.canEdit && key !== 'unchanged' ? archiveButton(view, f, reload) : null))),
          {class: 'dense stale-table'})
        : h('p', {class: 'muted'}, 'None.'));
  }));
}

function archiveButton(view, finding, reload) {
  const problem = h('div', {class: 'stale-problem'});
  const button = h('button', {type: 'button', class: 'small', 'aria-label': `Archive ${finding.flag}`}, 'Archive…');
  button.addEventListener('click', async () => {
    problem.replaceChildren();
    const answer = await confirmChange({
      title: `Archive ${finding.flag}`,
      message: `${finding.flag} leaves the lists and is served in no environment (callers get their code default). ${finding.evidence}.`,
      action: 'Archive', danger: true, requireComment: isProtected(view.env)});
    if (!answer) return;
    try {
      const flag = await get(path`/api/v1/projects/${view.project}/flags/${finding.flag}`);
      await api('PATCH', path`/api/v1/projects/${view.project}/flags/${finding.flag}`,
        {body: {archived: true}, version: flag.version, comment: answer.comment});
      notify(`${finding.flag} is archived.`);
      await reload();
    } catch (e) {
      problem.replaceChildren(errorBox(e)); // a flag others require is a 409 naming them
    }
  });
  return [button, problem];
}
