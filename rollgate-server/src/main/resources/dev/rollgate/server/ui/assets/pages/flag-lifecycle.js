// The flag page's lifecycle panels for the environment chosen at the top: the prerequisites the
// flag needs before its own rules apply, and its scheduled changes. Each write goes against the
// flag's (or the schedule's) version, so a change made meanwhile is a conflict, not lost.
import {all, api, get, path} from '../lib/api.js';
import {h, badge, when, errorBox, notify, confirmChange, table, put} from '../lib/dom.js';
import {isProtected} from '../lib/flags.js';

const SCHEDULE_TONES = {PENDING: 'ok', APPLIED: 'off', FAILED: 'bad', CANCELLED: 'off'};

/** Paints both panels into el; page.reload() repaints them with the rest of the page. */
export async function paintLifecycle(page, el) {
  const prerequisites = h('section', {'aria-labelledby': 'prereq-title', class: 'prerequisites'});
  const schedules = h('section', {'aria-labelledby': 'schedules-title', class: 'schedules'});
  put(el, prerequisites, schedules);
  paintPrerequisites(page, prerequisites);
  await paintSchedules(page, schedules);
}

// ---- Prerequisites ----------------------------------------------------------------------------

function paintPrerequisites(page, el) {
  const {view, flag} = page;
  const env = view.env;
  const config = flag.environments[env];
  if (!config) {
    put(el, h('h2', {id: 'prereq-title'}, `Prerequisites in ${env}`), h('p', {class: 'muted'}, `No configuration in ${env}.`));
    return;
  }
  const list = config.prerequisites || [];
  const problem = h('div', {class: 'prereq-problem', 'aria-live': 'polite'});
  const rows = list.map(p => [
    h('a', {href: view.url(`flags/${encodeURIComponent(p.flag)}`)}, h('code', {}, p.flag)),
    h('span', {}, p.variants.map((v, i) => [i ? ' or ' : '', h('code', {}, v)])),
    view.canEdit ? h('button', {type: 'button', class: 'small', 'aria-label': `Remove prerequisite ${p.flag}`,
      onclick: () => save(page, list.filter(x => x.flag !== p.flag), `no longer requires ${p.flag}`, problem)}, 'Remove') : null]);
  put(el, h('h2', {id: 'prereq-title'}, `Prerequisites in ${env}`),
    h('p', {class: 'hint'}, `${flag.key} applies its own rules only when each of these flags serves one of the listed variants `
      + 'to the same context; otherwise it serves its default variant (reason PREREQUISITE_FAILED).'),
    list.length
      ? table(`Prerequisites of ${flag.key} in ${env}`, ['Flag', 'Must serve', ''], rows, {class: 'dense prereq-table'})
      : h('p', {class: 'muted prereq-none'}, 'None: the flag\'s own rules always apply.'),
    view.canEdit && !flag.archived ? addForm(page, list, problem) : null,
    problem);
}

function addForm(page, list, problem) {
  const {view, flag} = page;
  const other = h('select', {id: 'prereq-flag'});
  const variants = h('input', {id: 'prereq-variants', autocomplete: 'off', spellcheck: 'false', placeholder: 'on',
    'aria-describedby': 'prereq-variants-help'});
  const form = h('form', {class: 'prereq-form', novalidate: true},
    h('div', {class: 'prereq-fields'},
      h('div', {}, h('label', {for: 'prereq-flag'}, 'Flag'), other),
      h('div', {}, h('label', {for: 'prereq-variants'}, 'Must serve (variants, comma-separated)'), variants,
        h('p', {id: 'prereq-variants-help', class: 'hint'}, 'Choosing a flag fills in its variants; keep those that let this flag apply.'))),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Add prerequisite')));
  // The project's other flags, loaded once the form is shown.
  const flags = new Map();
  all(path`/api/v1/projects/${view.project}/flags`).then(items => {
    for (const f of items) if (f.key !== flag.key) flags.set(f.key, f);
    put(other, h('option', {value: ''}, '(choose a flag)'), [...flags.keys()].map(k => h('option', {value: k}, k)));
  }).catch(e => problem.replaceChildren(errorBox(e)));
  other.addEventListener('change', () => {
    const f = flags.get(other.value);
    variants.value = f ? (Object.keys(f.variants).includes('on') ? 'on' : Object.keys(f.variants).join(', ')) : '';
  });
  form.addEventListener('submit', e => {
    e.preventDefault();
    problem.replaceChildren();
    const names = variants.value.split(',').map(s => s.trim()).filter(Boolean);
    if (!other.value) { problem.replaceChildren(h('p', {class: 'field-error', role: 'alert'}, 'Choose the flag it requires.')); other.focus(); return; }
    if (!names.length) { problem.replaceChildren(h('p', {class: 'field-error', role: 'alert'}, 'Name at least one variant.')); variants.focus(); return; }
    const next = list.filter(x => x.flag !== other.value).concat([{flag: other.value, variants: names}]);
    save(page, next, `requires ${other.value} to serve ${names.join(' or ')}`, problem);
  });
  return form;
}

async function save(page, list, sentence, problem) {
  const {view, flag} = page;
  const env = view.env;
  let comment = null;
  if (isProtected(env)) {
    const answer = await confirmChange({title: `Prerequisites of ${flag.key} in ${env}`,
      message: `In ${env}, ${flag.key} ${sentence}.`, action: 'Save', requireComment: true});
    if (!answer) return;
    comment = answer.comment;
  }
  try {
    const setting = await api('PATCH', path`/api/v1/projects/${view.project}/flags/${flag.key}/environments/${env}`,
      {body: {prerequisites: list.length ? list : null}, version: flag.version, comment});
    notify(`${flag.key} ${sentence} in ${env} (version ${setting.version}).`);
    await page.reload();
  } catch (e) {
    // A cycle, a missing flag or variant (400) or a change made meanwhile (412): said where it happened.
    problem.replaceChildren(errorBox(e));
  }
}

// ---- Scheduled changes ------------------------------------------------------------------------

function describe(change) {
  if (!change) return '';
  if ('percentage' in change) return `${change.variant || 'on'} to ${change.percentage}% (a percentage step)`;
  if ('weights' in change) return `split weights ${Object.entries(change.weights).map(([k, v]) => `${k} ${v}`).join(', ')}`;
  const parts = [];
  if ('state' in change) parts.push(change.state === 'DISABLED' ? 'turn off (DISABLED)' : 'turn on (ENABLED)');
  if ('defaultVariant' in change) parts.push(`default variant ${change.defaultVariant ?? '(none)'}`);
  if ('targeting' in change) parts.push(change.targeting ? `targeting ${JSON.stringify(change.targeting)}` : 'remove the targeting');
  return parts.join('; ');
}

async function paintSchedules(page, el) {
  const {view, flag} = page;
  const env = view.env;
  const base = path`/api/v1/projects/${view.project}/flags/${flag.key}/environments/${env}/schedules`;
  let items;
  try {
    items = flag.environments[env] ? (await get(base)).items : [];
  } catch (e) {
    put(el, h('h2', {id: 'schedules-title'}, `Scheduled changes in ${env}`), errorBox(e));
    return;
  }
  const problem = h('div', {class: 'schedule-problem', 'aria-live': 'polite'});
  const rows = items.map(s => h('tr', {dataset: {schedule: s.id}},
    h('td', {class: 'nowrap'}, when(s.at)),
    h('td', {}, describe(s.change)),
    h('td', {}, badge(s.state, SCHEDULE_TONES[s.state] || 'off'), s.late ? [' ', badge('Late', 'warn')] : null,
      s.reason ? h('div', {class: 'muted schedule-reason'}, s.reason) : null),
    h('td', {}, s.comment || h('span', {class: 'muted'}, 'no comment')),
    h('td', {}, view.canEdit && s.state === 'PENDING'
      ? h('button', {type: 'button', class: 'small', 'aria-label': `Cancel the change at ${s.at}`,
        onclick: () => cancel(page, base, s, problem)}, 'Cancel')
      : null)));
  put(el, h('h2', {id: 'schedules-title'}, `Scheduled changes in ${env}`),
    h('p', {class: 'hint'}, 'Applied once at their time by the server (actor scheduler, on behalf of whoever scheduled them), '
      + 'checked again then: one that no longer applies ends FAILED and the flag stays as it was.'),
    items.length
      ? table(`Scheduled changes of ${flag.key} in ${env}`, ['When', 'Change', 'State', 'Comment', ''], rows, {class: 'dense schedule-table'})
      : h('p', {class: 'muted schedule-none'}, 'None.'),
    view.canEdit && !flag.archived && flag.environments[env] ? scheduleForm(page, base, problem) : null,
    problem);
}

/** A datetime-local value an hour from now, in the browser's time zone. */
function inAnHour() {
  const d = new Date(Date.now() + 3600_000);
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function scheduleForm(page, base, problem) {
  const {view, flag} = page;
  const variants = Object.keys(flag.variants || {});
  const at = h('input', {id: 'schedule-at', type: 'datetime-local', value: inAnHour(), 'aria-describedby': 'schedule-at-help'});
  const kind = h('select', {id: 'schedule-kind'},
    h('option', {value: 'percentage'}, 'A percentage step'),
    h('option', {value: 'off'}, 'Turn off (DISABLED)'),
    h('option', {value: 'on'}, 'Turn on (ENABLED)'),
    h('option', {value: 'default'}, 'Change the default variant'));
  const percentage = h('input', {id: 'schedule-percentage', type: 'number', min: '0', max: '100', step: '0.01', value: '50'});
  const variant = h('select', {id: 'schedule-variant'}, variants.map(v => h('option', {value: v, selected: v === 'on'}, v)));
  const comment = h('input', {id: 'schedule-comment', autocomplete: 'off', maxlength: 1000});
  const percentageField = h('div', {}, h('label', {for: 'schedule-percentage'}, 'Percentage'), percentage);
  const variantField = h('div', {}, h('label', {for: 'schedule-variant'}, 'Variant'), variant);
  const showFields = () => {
    percentageField.hidden = kind.value !== 'percentage';
    variantField.hidden = kind.value !== 'percentage' && kind.value !== 'default';
  };
  kind.addEventListener('change', showFields);
  showFields();
  const form = h('form', {class: 'schedule-form', novalidate: true},
    h('h3', {}, 'Schedule a change'),
    h('div', {class: 'schedule-fields'},
      h('div', {}, h('label', {for: 'schedule-at'}, 'When (your time zone)'), at,
        h('p', {id: 'schedule-at-help', class: 'hint'}, 'Within 366 days.')),
      h('div', {}, h('label', {for: 'schedule-kind'}, 'Change'), kind),
      percentageField, variantField,
      h('div', {}, h('label', {for: 'schedule-comment'}, 'Comment (kept in the audit trail)'), comment)),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, 'Schedule')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    problem.replaceChildren();
    const when = new Date(at.value);
    if (!at.value || Number.isNaN(when.getTime())) {
      problem.replaceChildren(h('p', {class: 'field-error', role: 'alert'}, 'Give the date and time of the change.'));
      at.focus();
      return;
    }
    const change = kind.value === 'percentage' ? {percentage: Number(percentage.value), variant: variant.value}
      : kind.value === 'off' ? {state: 'DISABLED'}
        : kind.value === 'on' ? {state: 'ENABLED'}
          : {defaultVariant: variant.value};
    const body = {at: when.toISOString(), change};
    if (comment.value.trim()) body.comment = comment.value.trim();
    try {
      await api('POST', base, {body, comment: body.comment});
      notify(`Scheduled for ${flag.key} in ${view.env}: ${describe(change)}.`);
      await page.reload();
    } catch (err) {
      problem.replaceChildren(errorBox(err));
    }
  });
  return form;
}

async function cancel(page, base, schedule, problem) {
  const {view, flag} = page;
  const answer = await confirmChange({title: `Cancel a scheduled change of ${flag.key}`,
    message: `In ${view.env}, "${describe(schedule.change)}" will not happen at ${new Date(schedule.at).toLocaleString()}.`,
    action: 'Cancel the change', requireComment: isProtected(view.env)});
  if (!answer) return;
  try {
    await api('DELETE', `${base}/${encodeURIComponent(schedule.id)}`, {version: schedule.version, comment: answer.comment});
    notify(`Cancelled the change of ${flag.key} at ${schedule.at}.`);
    await page.reload();
  } catch (e) {
    problem.replaceChildren(errorBox(e));
  }
}
