import {all, get, path} from '../lib/api.js';
import {h, svg, badge, stateBadge, when, errorBox, equivalents} from '../lib/dom.js';
import {isProtected, isStale, lastHour, switchFlag, STALE_DAYS} from '../lib/flags.js';

export async function render(view) {
  const {project, env, main} = view;
  const envs = view.environments.map(e => e.key);
  const [flags, usage] = await Promise.all([
    all(path`/api/v1/projects/${project}/flags`, 1000),
    get(path`/api/v1/projects/${project}/environments/${env}/usage`).catch(() => ({flags: {}})),
  ]);
  const query = new URLSearchParams(location.search);
  const search = h('input', {id: 'flag-search', type: 'search', value: query.get('q') || '', placeholder: 'key, name or description', autocomplete: 'off'});
  const tags = [...new Set(flags.flatMap(f => f.tags || []))].sort();
  const tag = h('select', {id: 'flag-tag'}, h('option', {value: ''}, 'All tags'),
    tags.map(t => h('option', {value: t, selected: t === query.get('tag')}, t)));
  const staleOnly = h('input', {id: 'flag-stale', type: 'checkbox', checked: query.get('stale') === '1'});
  const count = h('p', {class: 'muted', id: 'flag-count', 'aria-live': 'polite'});

  const rows = flags.map(flag => ({flag, row: row(view, flag, envs, usage.flags[flag.key])}));
  const apply = () => {
    const q = search.value.trim().toLowerCase();
    let shown = 0;
    for (const {flag, row} of rows) {
      const visible = (!q || flag.key.toLowerCase().includes(q) || (flag.name || '').toLowerCase().includes(q) || (flag.description || '').toLowerCase().includes(q))
        && (!tag.value || (flag.tags || []).includes(tag.value))
        && (!staleOnly.checked || isStale(flag, usage.flags[flag.key]));
      row.hidden = !visible;
      if (visible) shown++;
    }
    count.textContent = `${shown} of ${flags.length} flags`;
    const params = new URLSearchParams();
    if (search.value) params.set('q', search.value);
    if (tag.value) params.set('tag', tag.value);
    if (staleOnly.checked) params.set('stale', '1');
    history.replaceState(null, '', location.pathname + (params.size ? `?${params}` : ''));
  };
  search.addEventListener('input', apply);
  tag.addEventListener('change', apply);
  staleOnly.addEventListener('change', apply);

  main.append(
    h('div', {class: 'page-head'}, h('h1', {}, 'Flags'), h('p', {class: 'muted'}, `${project} · switches act on ${env}`)),
    h('form', {class: 'filters', role: 'search', onsubmit: e => e.preventDefault()},
      h('label', {for: 'flag-search'}, 'Search'), search,
      h('label', {for: 'flag-tag'}, 'Tag'), tag,
      h('span', {class: 'check'}, staleOnly, h('label', {for: 'flag-stale'}, 'Stale only'))),
    count,
    h('div', {class: 'table-wrap'}, h('table', {class: 'flags dense'},
      h('caption', {class: 'visually-hidden'}, `Flags of ${project}, with their state in every environment`),
      h('thead', {}, h('tr', {},
        h('th', {scope: 'col'}, 'Flag'),
        envs.map(e => h('th', {scope: 'col', class: e === env ? 'current' : null}, e)),
        h('th', {scope: 'col'}, 'Last evaluated'),
        h('th', {scope: 'col'}, 'Last hour'))),
      h('tbody', {}, rows.map(r => r.row)))),
    flags.length === 0 ? h('p', {}, 'No flags yet. Create one with the API (below).') : '',
    h('p', {class: 'hint'}, `Stale: unchanged for ${STALE_DAYS} days and not evaluated in the last hour on this server. Last evaluated and the sparkline count this replica's evaluations.`),
    equivalents([`rollgate flags list --project ${project} --env ${env}`,
      `rollgate flags disable|enable {flag} --project ${project} --env ${env} --comment "…"`],
      `GET /api/v1/projects/${project}/flags`,
      `PATCH /api/v1/projects/${project}/flags/{flag}/environments/${env}  {"state": "DISABLED"}  (If-Match, X-Rollgate-Comment)`,
      `GET /api/v1/projects/${project}/environments/${env}/usage`));
  apply();
}

function row(view, flag, envs, usage) {
  const cells = envs.map(e => {
    const config = flag.environments[e];
    if (!config) return h('td', {}, h('span', {class: 'muted'}, '—'));
    if (e === view.env && view.canEdit) return h('td', {class: 'current'}, toggle(view, flag, e));
    return h('td', {class: e === view.env ? 'current' : null}, stateBadge(config.state));
  });
  return h('tr', {dataset: {flag: flag.key}},
    h('th', {scope: 'row'},
      h('a', {href: view.url(`flags/${encodeURIComponent(flag.key)}`)}, flag.key),
      flag.name && flag.name !== flag.key ? h('span', {class: 'muted'}, ` ${flag.name}`) : null,
      isStale(flag, usage) ? [' ', badge('Stale', 'warn')] : null,
      invalidIn(flag).length ? [' ', h('span', {title: invalidIn(flag).join('\n')}, badge('Invalid', 'bad'))] : null,
      flag.archived ? [' ', badge('Archived', 'off')] : null,
      (flag.tags || []).length ? h('span', {class: 'tags'}, flag.tags.map(t => h('span', {class: 'tag'}, t))) : null),
    cells,
    h('td', {}, when(usage && usage.lastEvaluatedAt)),
    h('td', {}, sparkline(usage)));
}

/** "env: path: message" for each problem of a flag imported as flagd takes it (valid: false). */
function invalidIn(flag) {
  return Object.entries(flag.environments || {}).filter(([, c]) => c.valid === false)
    .flatMap(([env, c]) => (c.problems || []).map(p => `${env}: ${p.path}: ${p.message}`));
}

/** The switch: state by word and colour, a change asked for first where the environment is protected. */
function toggle(view, flag, env) {
  const state = () => flag.environments[env].state === 'ENABLED';
  const button = h('button', {type: 'button', role: 'switch', class: 'switch'});
  const paint = () => {
    button.setAttribute('aria-checked', String(state()));
    button.setAttribute('aria-label', `${flag.key} in ${env}`);
    button.replaceChildren(h('span', {class: 'knob', 'aria-hidden': 'true'}), state() ? 'On' : 'Off');
    button.classList.toggle('on', state());
  };
  paint();
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await switchFlag(view.project, flag, env, !state());
    } catch (e) {
      const cell = button.closest('td');
      cell.append(errorBox(e));
      if (e.status === 412) {
        const fresh = await get(path`/api/v1/projects/${view.project}/flags/${flag.key}`);
        Object.assign(flag, fresh);
      }
    } finally {
      button.disabled = false;
      paint();
      if (isProtected(env)) button.focus();
    }
  });
  return button;
}

/** Per-minute evaluations of the last hour as a small line, with its total in words. */
export function sparkline(usage) {
  const points = usage && usage.perMinute;
  if (!points || !points.length) return h('span', {class: 'muted'}, 'none');
  const max = Math.max(1, ...points);
  const total = lastHour(usage);
  const w = 60, hgt = 16;
  const coords = points.map((v, i) => `${(i * w / Math.max(1, points.length - 1)).toFixed(1)},${(hgt - 1 - v / max * (hgt - 2)).toFixed(1)}`).join(' ');
  return h('span', {class: 'spark'},
    svg('svg', {width: w, height: hgt, viewBox: `0 0 ${w} ${hgt}`, role: 'img', 'aria-label': `${total} evaluations in the last hour`},
      svg('polyline', {points: coords, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.5})),
    h('span', {class: 'visually-hidden'}, `${total} evaluations`));
}
