// The environment's releases: each service version, its type, where its runbook is (word and
// colour), its wave and times; filtered by service, type and phase (the API's own filters, kept in
// the address); and for editors the form that plans a release, with the API's field errors beside
// the fields they name.
import {all, api, get, path} from '../lib/api.js';
import {h, when, table, equivalents, errorBox, notify, put} from '../lib/dom.js';
import {phaseBadge, PHASES, TYPES, waveWords} from './release.js';

const FILTERS = ['service', 'type', 'phase'];

export async function render(view) {
  const {project, env, main} = view;
  const list = path`/api/v1/projects/${project}/environments/${env}/releases`;
  const query = new URLSearchParams(location.search);

  const service = h('input', {id: 'release-service-filter', type: 'search', value: query.get('service') || '',
    autocomplete: 'off', spellcheck: 'false', placeholder: 'every service'});
  const type = h('select', {id: 'release-type-filter'}, h('option', {value: ''}, 'Every type'),
    TYPES.map(t => h('option', {value: t, selected: t === query.get('type')}, t)));
  const phase = h('select', {id: 'release-phase-filter'}, h('option', {value: ''}, 'Every phase'),
    Object.entries(PHASES).map(([p, [word]]) => h('option', {value: p, selected: p === query.get('phase')}, word)));
  const shown = h('p', {class: 'muted', id: 'release-count', 'aria-live': 'polite'});
  const results = h('div', {id: 'releases-table'});

  const load = async () => {
    const params = new URLSearchParams();
    if (service.value.trim()) params.set('service', service.value.trim());
    if (type.value) params.set('type', type.value);
    if (phase.value) params.set('phase', phase.value);
    history.replaceState(null, '', location.pathname + (params.size ? `?${params}` : ''));
    params.set('limit', '500');
    let releases;
    try {
      releases = (await get(`${list}?${params}`)).items;
    } catch (e) {
      put(results, errorBox(e));
      shown.textContent = '';
      return;
    }
    const filtered = FILTERS.some(f => params.has(f));
    shown.textContent = `${releases.length} release${releases.length === 1 ? '' : 's'}${filtered ? ' match' : ''}`;
    put(results, releases.length
      ? table(`Releases in ${env}, newest first`, ['Release', 'Type', 'Phase', 'Wave', 'Flag', 'Started', 'Updated'],
        releases.map(r => row(view, r)), {class: 'dense releases'})
      : h('p', {id: 'no-releases'}, filtered ? 'No release matches these filters.'
        : `No releases in ${env} yet.${view.canEdit ? ' Plan one below.' : ''}`));
  };
  let typing = null;
  service.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(load, 250); });
  type.addEventListener('change', load);
  phase.addEventListener('change', load);
  view.onCleanup(() => clearTimeout(typing));

  main.append(
    h('div', {class: 'page-head'}, h('h1', {}, 'Releases'), h('p', {class: 'muted'}, `${project} · ${env}`)),
    h('form', {class: 'filters', role: 'search', onsubmit: e => { e.preventDefault(); load(); }},
      h('label', {for: 'release-service-filter'}, 'Service'), service,
      h('label', {for: 'release-type-filter'}, 'Type'), type,
      h('label', {for: 'release-phase-filter'}, 'Phase'), phase),
    shown,
    results,
    view.canEdit ? await planForm(view, list) : null,
    h('p', {class: 'hint'}, 'Each release\'s waves, checks, approvals, KPI comparison, timeline and report are on its page.'),
    equivalents([`rollgate releases list --project ${project} --env ${env} [--service S] [--type T] [--phase P]`,
      `rollgate releases plan checkout 1.5.0 --type minor --flag checkout-svc --project ${project} --env ${env}`],
      `GET ${list}?service=&type=&phase=`,
      `POST ${list}  {"service": "checkout", "version": "1.5.0", "type": "minor", "flag": "checkout-svc", "notes": "…", "startAt": "…"}`));
  await load();
}

function row(view, r) {
  return h('tr', {dataset: {release: r.id, phase: r.phase}},
    h('th', {scope: 'row'}, h('a', {href: view.url(`releases/${encodeURIComponent(r.id)}`)}, `${r.service} ${r.version}`)),
    h('td', {}, r.type),
    h('td', {}, phaseBadge(r.phase)),
    h('td', {}, waveWords(r)),
    h('td', {}, h('a', {href: view.url(`flags/${encodeURIComponent(r.flag)}`)}, r.flag)),
    h('td', {}, r.startedAt ? when(r.startedAt) : r.startAt ? ['scheduled ', when(r.startAt)] : h('span', {class: 'muted'}, 'not started')),
    h('td', {}, when(r.updatedAt)));
}

/** A datetime-local value as an RFC 3339 instant (the browser's time zone), or null. */
function instant(local) {
  if (!local) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The form that plans a release: the type's default plan applies (docs/releases.md). */
async function planForm(view, list) {
  const flags = await all(path`/api/v1/projects/${view.project}/flags`, 1000).catch(() => []);
  const inEnv = flags.filter(f => !f.archived && f.environments && f.environments[view.env]);
  const fields = {};
  const field = (name, label, control, hint) => {
    const id = `plan-${name}`;
    const error = h('p', {class: 'field-error', id: `${id}-error`});
    control.id = id;
    control.setAttribute('aria-describedby', [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' '));
    fields[name] = {control, error};
    return h('div', {class: 'plan-field'},
      h('label', {for: id}, label), control,
      hint ? h('p', {class: 'hint', id: `${id}-hint`}, hint) : null,
      error);
  };
  const service = h('input', {autocomplete: 'off', spellcheck: 'false', required: true, placeholder: 'checkout'});
  const version = h('input', {autocomplete: 'off', spellcheck: 'false', required: true, placeholder: '1.5.0'});
  const type = h('select', {}, TYPES.map(t => h('option', {value: t, selected: t === 'minor'}, t)));
  const flag = h('select', {required: true}, h('option', {value: ''}, 'Choose the flag'),
    inEnv.map(f => h('option', {value: f.key}, f.key)));
  const variant = h('select', {});
  const notes = h('textarea', {rows: 4, maxlength: 100000});
  const startAt = h('input', {type: 'datetime-local'});
  const backupRef = h('input', {autocomplete: 'off', spellcheck: 'false', maxlength: 512});
  const fillVariants = () => {
    const f = inEnv.find(x => x.key === flag.value);
    put(variant, h('option', {value: ''}, 'Automatic: named as the version, or true / on'),
      Object.keys((f && f.variants) || {}).map(v => h('option', {value: v}, v)));
  };
  flag.addEventListener('change', fillVariants);
  fillVariants();
  const problem = h('div', {class: 'control-error', id: 'plan-problem'});
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Plan release');
  const form = h('form', {class: 'plan-release', id: 'plan-release', 'aria-labelledby': 'plan-title', novalidate: true},
    h('h2', {id: 'plan-title'}, 'Plan a release'),
    h('p', {class: 'hint'}, `A release of a service's version, carried by a flag's variant in ${view.env}. Its type's runbook applies: patch and hotfix a canary, minor three tenant waves, major blue/green with an approval, migration waves with a point of no return and a backup. It starts when an editor starts it, or at its start time.`),
    h('div', {class: 'plan-fields'},
      field('service', 'Service', service),
      field('version', 'Version', version, 'A semantic version, greater than the service\'s last completed release.'),
      field('type', 'Type', type),
      field('flag', 'Flag', flag, inEnv.length ? null : `No flag has a configuration in ${view.env} yet.`),
      field('variant', 'Variant', variant),
      field('startAt', 'Start time (optional)', startAt, 'In your time zone; the maintenance notice goes out a day before.'),
      field('backupRef', 'Backup reference (migrations)', backupRef)),
    field('notes', 'Release notes (Markdown)', notes),
    problem,
    h('div', {class: 'actions'}, submit));
  const clearErrors = () => {
    for (const {control, error} of Object.values(fields)) { control.removeAttribute('aria-invalid'); error.textContent = ''; }
    problem.replaceChildren();
  };
  const showError = (name, message) => {
    const f = fields[name];
    f.control.setAttribute('aria-invalid', 'true');
    f.error.textContent = message;
    return f.control;
  };
  form.addEventListener('submit', async e => {
    e.preventDefault();
    clearErrors();
    const missing = [['service', service], ['version', version], ['flag', flag]].filter(([, c]) => !c.value.trim());
    if (missing.length) {
      missing.forEach(([name]) => showError(name, 'is required'));
      fields[missing[0][0]].control.focus();
      return;
    }
    const body = {service: service.value.trim(), version: version.value.trim(), type: type.value, flag: flag.value};
    if (variant.value) body.variant = variant.value;
    if (notes.value.trim()) body.notes = notes.value;
    if (startAt.value) body.startAt = instant(startAt.value);
    if (backupRef.value.trim()) body.backupRef = backupRef.value.trim();
    submit.disabled = true;
    try {
      const release = await api('POST', list, {body});
      notify(`${release.service} ${release.version} is planned.`);
      view.navigate(view.url(`releases/${encodeURIComponent(release.id)}`));
    } catch (err) {
      submit.disabled = false;
      // The API names the field it refuses: the message goes beside it.
      const details = (err.body && err.body.details) || [];
      let first = null;
      const rest = [];
      for (const d of details) {
        const name = d.field && d.field.split(/[.[]/)[0];
        if (name && fields[name]) first = first || showError(name, d.message);
        else rest.push(d);
      }
      if (!first || rest.length) problem.replaceChildren(errorBox(err));
      (first || submit).focus();
    }
  });
  return form;
}
