// Settings (admins only; the registry keeps everyone else out): API tokens, webhooks and the
// current project's environments. Secrets are shown once, in a dialog, and never kept: the
// element holding one is removed when the dialog closes.
import {api, get, path} from '../lib/api.js';
import {h, clear, badge, when, notify, errorBox, confirmChange, table, equivalents} from '../lib/dom.js';
import {invalidateScopes, pageUrl} from '../app.js';

const TABS = [
  {id: 'tokens', label: 'Tokens', draw: tokens},
  {id: 'webhooks', label: 'Webhooks', draw: webhooks},
  {id: 'environments', label: 'Environments', draw: environments},
];

const WEBHOOK_EVENTS = [
  ['flag.changed', 'any change to a flag'],
  ['segment.changed', 'any change to a segment'],
  ['rollout.started', ''], ['rollout.advanced', ''], ['rollout.paused', ''], ['rollout.resumed', ''],
  ['rollout.awaiting_approval', ''], ['rollout.rolled_back', ''], ['rollout.completed', ''], ['rollout.aborted', ''],
];

// A message to show once the page has been drawn again (after a change the top bar must show).
let pending = null;

export async function render(view) {
  const {main, params} = view;
  const tab = TABS.find(t => t.id === params.tab);
  main.append(
    h('div', {class: 'page-head'}, h('h1', {}, 'Settings'), h('p', {class: 'muted'}, 'Admins only: tokens, webhooks and environments.')),
    h('nav', {class: 'tabs', 'aria-label': 'Settings'}, h('ul', {}, TABS.map(t =>
      h('li', {}, h('a', {href: view.url(`settings/${t.id}`), 'aria-current': t === tab ? 'page' : null}, t.label))))));
  if (pending) { notify(pending); pending = null; }
  if (!tab) {
    main.append(h('p', {}, `There is no settings tab "${params.tab}".`));
    return;
  }
  view.setTitle(`Settings: ${tab.label}`);
  const section = h('section', {class: 'settings-tab', 'aria-label': tab.label});
  main.append(section);
  await tab.draw(view, section);
}

/** The secret of something just created, once, with a copy button; nothing keeps it afterwards. */
function showSecret({title, secret, explain}) {
  return new Promise(resolve => {
    const input = h('input', {id: 'secret-value', readonly: true, value: secret, spellcheck: 'false', autocomplete: 'off', class: 'secret'});
    const copied = h('span', {class: 'muted', role: 'status'});
    const copy = h('button', {type: 'button'}, 'Copy');
    const done = h('button', {type: 'button', class: 'primary'}, 'I have stored it');
    const dialog = h('dialog', {class: 'confirm secret-dialog', 'aria-labelledby': 'secret-title', 'aria-describedby': 'secret-warning'},
      h('h2', {id: 'secret-title'}, title),
      h('p', {id: 'secret-warning', class: 'warning'}, badge('Shown once', 'warn'), ' ',
        'Copy it now and keep it in a secret store. Rollgate keeps only what it needs to check it and cannot show it again. ', explain || ''),
      h('label', {for: 'secret-value'}, 'Secret'),
      h('div', {class: 'secret-row'}, input, copy),
      copied,
      h('div', {class: 'actions'}, done));
    copy.addEventListener('click', async () => {
      try { await navigator.clipboard.writeText(input.value); copied.textContent = 'Copied to the clipboard.'; }
      catch { input.select(); copied.textContent = 'Copying was refused: the secret is selected, copy it with Ctrl+C.'; }
    });
    const close = () => { input.value = ''; dialog.close(); dialog.remove(); resolve(); };
    done.addEventListener('click', close);
    dialog.addEventListener('cancel', e => { e.preventDefault(); close(); });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
    input.select();
  });
}

/** Draws the tab again with what changed, and says so once it is drawn. */
function reload(view, message) {
  pending = message;
  view.navigate(location.pathname, {replace: true});
}

function field(id, label, control, hint) {
  return h('div', {class: 'field'}, h('label', {for: id}, label), control, hint ? h('span', {class: 'hint'}, hint) : null);
}

// ---- Tokens

async function tokens(view, section) {
  const [list, projects] = await Promise.all([get('/api/v1/tokens'), get('/api/v1/projects')]);
  const items = [...list.items].sort((a, b) => (a.revoked - b.revoked) || b.createdAt.localeCompare(a.createdAt));

  const name = h('input', {id: 'token-name', required: true, maxlength: 200, autocomplete: 'off'});
  const role = h('select', {id: 'token-role'}, ['viewer', 'editor', 'approver', 'admin', 'sdk'].map(r => h('option', {value: r}, r)));
  const project = h('select', {id: 'token-project'}, projects.items.map(p =>
    h('option', {value: p.key, selected: p.key === view.project}, p.name && p.name !== p.key ? `${p.key} (${p.name})` : p.key)));
  const environment = h('select', {id: 'token-environment'});
  const fillEnvironments = async () => {
    const envs = project.value === view.project ? view.environments
      : (await get(path`/api/v1/projects/${project.value}/environments`)).items;
    environment.replaceChildren(...envs.map(e => h('option', {value: e.key, selected: e.key === view.env}, e.key)));
  };
  await fillEnvironments();
  project.addEventListener('change', () => fillEnvironments().catch(e => problem.replaceChildren(errorBox(e))));
  const binding = h('fieldset', {class: 'binding', hidden: true},
    h('legend', {}, 'Bound to (sdk tokens only)'),
    field('token-project', 'Project', project),
    field('token-environment', 'Environment', environment));
  role.addEventListener('change', () => { binding.hidden = role.value !== 'sdk'; });
  const problem = h('div', {});
  const form = h('form', {class: 'create', 'aria-labelledby': 'token-create-title'},
    h('h2', {id: 'token-create-title'}, 'New token'),
    h('div', {class: 'create-fields'},
      field('token-name', 'Name', name),
      field('token-role', 'Role', role),
      binding),
    h('p', {class: 'hint'}, 'Names are unique, whatever their case, revoked tokens included: the audit trail names actors by them. Roles: viewer reads; editor changes flags and segments; admin does everything; sdk evaluates one environment.'),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, 'Create token')),
    problem);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    clear(problem);
    if (!name.value.trim()) { problem.append(h('p', {class: 'field-error', role: 'alert'}, 'A name is required.')); name.focus(); return; }
    const body = {name: name.value, role: role.value};
    if (role.value === 'sdk') { body.project = project.value; body.environment = environment.value; }
    const answer = await confirmChange({
      title: `Create the ${role.value} token ${body.name}`,
      message: role.value === 'sdk' ? `It evaluates the flags of ${body.project}/${body.environment} and nothing else.`
        : role.value === 'admin' ? 'It can do everything, including making and revoking tokens.'
        : `Anyone holding it can act as a ${role.value}.`,
      action: 'Create token',
    });
    if (!answer) return;
    try {
      const created = await api('POST', '/api/v1/tokens', {body, comment: answer.comment});
      await showSecret({title: `The secret of ${created.name}`, secret: created.secret,
        explain: created.role === 'sdk' ? 'Applications send it as X-API-Key.' : 'Sign in or send it as Authorization: Bearer <secret>.'});
      reload(view, `Token ${created.name} created.`);
    } catch (err) {
      problem.append(errorBox(err));
    }
  });

  const rows = items.map(t => {
    const mine = t.id === view.session.tokenId;
    return h('tr', {dataset: {token: t.name}, class: t.revoked ? 'revoked' : null},
      h('th', {scope: 'row'}, t.name, mine ? h('span', {class: 'muted'}, ' (your session)') : null,
        h('div', {class: 'muted id'}, h('code', {}, t.id))),
      h('td', {}, badge(t.role, t.role === 'admin' ? 'warn' : 'off')),
      h('td', {}, t.project ? h('code', {}, `${t.project}/${t.environment}`) : h('span', {class: 'muted'}, 'every project')),
      h('td', {}, when(t.createdAt)),
      h('td', {}, t.revoked ? [badge('Revoked', 'off'), ' ', when(t.revokedAt)] : badge('Active', 'ok')),
      h('td', {class: 'row-actions'},
        h('a', {href: `${view.url('audit')}?${new URLSearchParams({resource: `tokens/${t.id}`})}`}, 'Audit'),
        t.revoked ? null : h('button', {type: 'button', class: 'danger', 'aria-label': `Revoke ${t.name}`,
          onclick: () => revoke(view, t, mine, problem)}, 'Revoke')));
  });
  if (!rows.length) rows.push(h('tr', {}, h('td', {colspan: 6, class: 'muted'}, 'No tokens yet.')));
  const listed = items.some(t => t.id === view.session.tokenId);
  section.append(
    form,
    table(`${items.filter(t => !t.revoked).length} active and ${items.filter(t => t.revoked).length} revoked tokens`,
      ['Name', 'Role', 'Binding', 'Created', 'State', 'Actions'], rows, {class: 'dense tokens'}),
    listed ? '' : h('p', {class: 'hint'}, `You are signed in as ${view.session.name}, a token that is not listed: the one set by ROLLGATE_ADMIN_TOKEN in the server's environment, which only that setting changes.`),
    equivalents(['rollgate tokens list', 'rollgate tokens create NAME --role admin|editor|viewer|sdk [--project P --env E]', 'rollgate tokens revoke ID'],
      'GET /api/v1/tokens', 'POST /api/v1/tokens  {"name", "role", "project", "environment"}', 'DELETE /api/v1/tokens/{id}  (X-Rollgate-Comment)'));
}

async function revoke(view, token, mine, problem) {
  const answer = await confirmChange({
    title: `Revoke ${token.name}`,
    message: `Every request with it is refused at once and its open streams end, on every replica.${mine ? ' It is the token you signed in with: you will be signed out.' : ''} This cannot be undone.`,
    action: 'Revoke', danger: true, requireComment: true,
  });
  if (!answer) return;
  try {
    await api('DELETE', path`/api/v1/tokens/${token.id}`, {comment: answer.comment});
    reload(view, `Token ${token.name} revoked.`);
  } catch (e) {
    problem.replaceChildren(errorBox(e));
  }
}

// ---- Webhooks

async function webhooks(view, section) {
  const list = (await get('/api/v1/webhooks')).items;
  const deliveries = await Promise.all(list.map(w =>
    get(`${path`/api/v1/webhooks/${w.id}/deliveries`}?limit=10`).then(d => d.items, e => e)));

  const url = h('input', {id: 'webhook-url', type: 'url', required: true, placeholder: 'https://hooks.example.com/rollgate', autocomplete: 'off', spellcheck: 'false'});
  const description = h('input', {id: 'webhook-description', maxlength: 500, autocomplete: 'off'});
  const all = h('input', {type: 'checkbox', id: 'webhook-event-all', value: '*'});
  const boxes = WEBHOOK_EVENTS.map(([event]) => h('input', {type: 'checkbox', id: `webhook-event-${event}`, value: event}));
  all.addEventListener('change', () => boxes.forEach(b => { b.disabled = all.checked; }));
  const problem = h('div', {});
  const form = h('form', {class: 'create', 'aria-labelledby': 'webhook-create-title'},
    h('h2', {id: 'webhook-create-title'}, 'New webhook'),
    h('div', {class: 'create-fields'},
      field('webhook-url', 'URL', url, 'http or https; public addresses only unless the server allows private ones'),
      field('webhook-description', 'Description (optional)', description)),
    h('fieldset', {class: 'events'}, h('legend', {}, 'Events'),
      h('span', {class: 'check'}, all, h('label', {for: 'webhook-event-all'}, h('code', {}, '*'), ' every event')),
      WEBHOOK_EVENTS.map(([event, what], i) => h('span', {class: 'check'}, boxes[i],
        h('label', {for: `webhook-event-${event}`}, h('code', {}, event), what ? h('span', {class: 'muted'}, ` ${what}`) : null)))),
    h('p', {class: 'hint'}, 'Deliveries are signed: Rollgate-Signature: t=<unix seconds>,v1=<HMAC-SHA256 of "<t>.<body>" under the secret>.'),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, 'Create webhook')),
    problem);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    clear(problem);
    const events = all.checked ? ['*'] : boxes.filter(b => b.checked).map(b => b.value);
    if (!url.value.trim()) { problem.append(h('p', {class: 'field-error', role: 'alert'}, 'A URL is required.')); url.focus(); return; }
    if (!events.length) { problem.append(h('p', {class: 'field-error', role: 'alert'}, 'Choose at least one event.')); all.focus(); return; }
    const body = {url: url.value.trim(), events};
    if (description.value.trim()) body.description = description.value.trim();
    const answer = await confirmChange({
      title: 'Create a webhook',
      message: `Rollgate will POST ${events.join(', ')} to ${body.url}, with the change's data.`,
      action: 'Create webhook',
    });
    if (!answer) return;
    try {
      const created = await api('POST', '/api/v1/webhooks', {body, comment: answer.comment});
      await showSecret({title: 'The webhook\'s signing secret', secret: created.secret,
        explain: 'The receiver checks each delivery\'s Rollgate-Signature with it.'});
      reload(view, 'Webhook created.');
    } catch (err) {
      problem.append(errorBox(err));
    }
  });

  const rows = list.map((w, i) => h('tr', {dataset: {webhook: w.id}},
    h('th', {scope: 'row'}, h('code', {class: 'url'}, w.url), w.description ? h('div', {class: 'muted'}, w.description) : null,
      h('div', {class: 'muted id'}, h('code', {}, w.id))),
    h('td', {}, w.events.map(ev => h('code', {class: 'event'}, ev))),
    h('td', {}, when(w.createdAt)),
    h('td', {}, deliverySummary(deliveries[i])),
    h('td', {class: 'row-actions'},
      h('a', {href: `${view.url('audit')}?${new URLSearchParams({resource: `webhooks/${w.id}`})}`}, 'Audit'),
      h('button', {type: 'button', class: 'danger', 'aria-label': `Delete the webhook to ${w.url}`,
        onclick: () => deleteWebhook(view, w, problem)}, 'Delete'))));
  if (!rows.length) rows.push(h('tr', {}, h('td', {colspan: 5, class: 'muted'}, 'No webhooks yet.')));
  section.append(
    form,
    table(`${list.length} webhook${list.length === 1 ? '' : 's'}`, ['URL', 'Events', 'Created', 'Latest deliveries', 'Actions'], rows, {class: 'dense webhooks'}),
    ...list.map((w, i) => deliveryTable(w, deliveries[i])).filter(Boolean),
    equivalents(['rollgate webhooks list', 'rollgate webhooks create URL --event rollout.rolled_back', 'rollgate webhooks delete ID', 'rollgate webhooks deliveries ID'],
      'GET /api/v1/webhooks', 'POST /api/v1/webhooks  {"url", "events", "description"}',
      'DELETE /api/v1/webhooks/{id}  (X-Rollgate-Comment)', 'GET /api/v1/webhooks/{id}/deliveries?limit=10'));
}

const DELIVERY_TONE = {DELIVERED: 'ok', PENDING: 'warn', FAILED: 'bad'};

function deliveryBadge(status) {
  return badge(status.charAt(0) + status.slice(1).toLowerCase(), DELIVERY_TONE[status] || 'off');
}

function deliverySummary(items) {
  if (items instanceof Error) return h('span', {class: 'muted'}, `not available (${items.message})`);
  if (!items.length) return h('span', {class: 'muted'}, 'none yet');
  const counts = {};
  items.forEach(d => { counts[d.status] = (counts[d.status] || 0) + 1; });
  return h('span', {class: 'delivery-summary'}, 'latest ', deliveryBadge(items[0].status), ' ',
    h('span', {class: 'muted'}, `of ${items.length}: ${Object.entries(counts).map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ')}`));
}

function deliveryTable(webhook, items) {
  if (items instanceof Error || !items.length) return null;
  return h('details', {class: 'deliveries', dataset: {webhook: webhook.id}},
    h('summary', {}, `Latest deliveries to ${webhook.url}`),
    table(`The ${items.length} latest deliveries to ${webhook.url}, newest first`,
      ['Event', 'Created', 'Status', 'Attempts', 'Last attempt', 'Next attempt'],
      items.map(d => {
        const lastAttempt = (d.attemptLog || [])[d.attemptLog.length - 1];
        return [
          h('code', {}, d.event),
          when(d.createdAt),
          deliveryBadge(d.status),
          h('span', {class: 'num'}, String(d.attempts)),
          lastAttempt ? [
            lastAttempt.statusCode ? `HTTP ${lastAttempt.statusCode}` : '',
            lastAttempt.error ? [lastAttempt.statusCode ? ' ' : '', h('code', {}, lastAttempt.error)] : null,
            h('span', {class: 'muted'}, ` in ${lastAttempt.durationMs} ms, `), when(lastAttempt.time)] : h('span', {class: 'muted'}, 'not tried yet'),
          d.status === 'PENDING' ? when(d.nextAttemptAt) : h('span', {class: 'muted'}, '—'),
        ];
      }), {class: 'dense'}));
}

async function deleteWebhook(view, webhook, problem) {
  const answer = await confirmChange({
    title: 'Delete the webhook',
    message: `Deliveries to ${webhook.url} stop, and its delivery log is deleted with it.`,
    action: 'Delete', danger: true, requireComment: true,
  });
  if (!answer) return;
  try {
    await api('DELETE', path`/api/v1/webhooks/${webhook.id}`, {comment: answer.comment});
    reload(view, 'Webhook deleted.');
  } catch (e) {
    problem.replaceChildren(errorBox(e));
  }
}

// ---- Environments

async function environments(view, section) {
  const {project} = view;
  const list = (await get(path`/api/v1/projects/${project}/environments`)).items;
  const key = h('input', {id: 'env-key', required: true, maxlength: 128, autocomplete: 'off', spellcheck: 'false'});
  const name = h('input', {id: 'env-name', maxlength: 200, autocomplete: 'off'});
  const description = h('input', {id: 'env-description', maxlength: 1000, autocomplete: 'off'});
  const problem = h('div', {});
  const form = h('form', {class: 'create', 'aria-labelledby': 'env-create-title', novalidate: true},
    h('h2', {id: 'env-create-title'}, `New environment of ${project}`),
    h('div', {class: 'create-fields'},
      field('env-key', 'Key', key), field('env-name', 'Name (optional)', name), field('env-description', 'Description (optional)', description)),
    h('p', {class: 'hint'}, 'The key is in every address and SDK token and cannot change; the name and description can.'),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, 'Create environment')),
    problem);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    clear(problem);
    if (!key.value.trim()) { problem.append(h('p', {class: 'field-error', role: 'alert'}, 'A key is required.')); key.focus(); return; }
    const body = {key: key.value.trim()};
    if (name.value.trim()) body.name = name.value.trim();
    if (description.value.trim()) body.description = description.value.trim();
    const answer = await confirmChange({
      title: `Create the environment ${body.key}`,
      message: `${project} gets the environment ${body.key}; its flags have no configuration there until one is set.`,
      action: 'Create environment',
    });
    if (!answer) return;
    try {
      await api('POST', path`/api/v1/projects/${project}/environments`, {body, comment: answer.comment});
      changed(view, `Environment ${body.key} created.`, view.env);
    } catch (err) {
      problem.append(errorBox(err));
    }
  });

  const rows = list.map(env => environmentRow(view, env, problem));
  section.append(
    form,
    table(`${list.length} environment${list.length === 1 ? '' : 's'} of ${project}`,
      ['Key', 'Name', 'Description', 'Created', 'Updated', 'Actions'], rows, {class: 'dense environments'}),
    equivalents([`rollgate environments list --project ${project}`, `rollgate environments create|update|delete KEY --project ${project}`],
      `GET /api/v1/projects/${project}/environments`,
      `POST /api/v1/projects/${project}/environments  {"key", "name", "description"}`,
      `PATCH /api/v1/projects/${project}/environments/{env}  {"name", "description"}  (If-Match)`,
      `DELETE /api/v1/projects/${project}/environments/{env}  (If-Match, X-Rollgate-Comment)`));
}

function environmentRow(view, env, problem) {
  const row = h('tr', {dataset: {environment: env.key}});
  const show = () => row.replaceChildren(
    h('th', {scope: 'row'}, h('code', {}, env.key), env.key === view.env ? h('span', {class: 'muted'}, ' (selected)') : null),
    h('td', {}, env.name || ''),
    h('td', {}, env.description || h('span', {class: 'muted'}, '—')),
    h('td', {}, when(env.createdAt)),
    h('td', {}, when(env.updatedAt)),
    h('td', {class: 'row-actions'},
      h('button', {type: 'button', 'aria-label': `Edit ${env.key}`, onclick: edit}, 'Edit'),
      h('button', {type: 'button', class: 'danger', 'aria-label': `Delete ${env.key}`, onclick: remove}, 'Delete')));
  const edit = () => {
    const id = `env-edit-${env.key}`;
    const name = h('input', {id: `${id}-name`, value: env.name || '', maxlength: 200, 'aria-label': `Name of ${env.key}`});
    const description = h('input', {id: `${id}-description`, value: env.description || '', maxlength: 1000, 'aria-label': `Description of ${env.key}`});
    const save = h('button', {type: 'button', class: 'primary'}, 'Save');
    save.addEventListener('click', async () => {
      const body = {};
      if (name.value !== (env.name || '')) body.name = name.value;
      if (description.value !== (env.description || '')) body.description = description.value;
      if (!Object.keys(body).length) { show(); return; }
      const answer = await confirmChange({
        title: `Change the environment ${env.key}`,
        message: Object.entries(body).map(([k, v]) => `${k}: "${env[k] || ''}" → "${v}"`).join('; '),
        action: 'Save',
      });
      if (!answer) return;
      try {
        await api('PATCH', path`/api/v1/projects/${view.project}/environments/${env.key}`, {body, version: env.version, comment: answer.comment});
        changed(view, `Environment ${env.key} changed.`, view.env);
      } catch (e) {
        problem.replaceChildren(errorBox(e));
      }
    });
    row.replaceChildren(
      h('th', {scope: 'row'}, h('code', {}, env.key)),
      h('td', {}, name), h('td', {}, description),
      h('td', {}, when(env.createdAt)), h('td', {}, when(env.updatedAt)),
      h('td', {class: 'row-actions'}, save, h('button', {type: 'button', onclick: show}, 'Cancel')));
    name.focus();
  };
  const remove = async () => {
    const answer = await confirmChange({
      title: `Delete the environment ${env.key}`,
      message: `Every flag's configuration in ${view.project}/${env.key} is deleted with it, and SDKs using it get nothing more. This cannot be undone.`,
      action: 'Delete', danger: true, requireComment: true, typeToConfirm: env.key,
    });
    if (!answer) return;
    try {
      await api('DELETE', path`/api/v1/projects/${view.project}/environments/${env.key}`, {version: env.version, comment: answer.comment});
      const stay = env.key === view.env ? null : view.env;
      changed(view, `Environment ${env.key} deleted.`, stay);
    } catch (e) {
      problem.replaceChildren(errorBox(e));
    }
  };
  show();
  return row;
}

/** After environments changed: the shell forgets its list, and the page is drawn again with it. */
async function changed(view, message, env) {
  invalidateScopes();
  let target = env;
  if (!target) {
    const left = (await get(path`/api/v1/projects/${view.project}/environments`)).items;
    target = (left.find(e => e.key === 'production') || left[0] || {key: '-'}).key;
  }
  pending = message;
  view.navigate(pageUrl(view.project, target, 'settings/environments'), {replace: true});
}
