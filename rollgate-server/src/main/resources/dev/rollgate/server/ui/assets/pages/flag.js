// One flag: what it is, its variants, its state in every environment, the rule editor for the
// environment chosen at the top (checked by the server's own compile as the user types, through
// a dry run), why a context gets what it gets, and its history from the audit trail.
import {all, api, get, path} from '../lib/api.js';
import {h, badge, stateBadge, when, errorBox, notify, confirmChange, table, equivalents, put} from '../lib/dom.js';
import {changedFields} from '../lib/changes.js';
import {isProtected, switchFlag} from '../lib/flags.js';
import {paintLifecycle} from './flag-lifecycle.js';
import {JsonSyntaxError, formatJson, lineColumn, parseJson, pathSegments, rangeOf} from '../lib/flag-json.js';

/** How long the editor waits after the last keystroke before asking the server. */
const CHECK_DELAY_MS = 300;

export async function render(view) {
  const {project, main} = view;
  const key = view.params.flag;
  let flag;
  try {
    flag = await get(path`/api/v1/projects/${project}/flags/${key}`);
  } catch (e) {
    if (e.status !== 404) throw e;
    main.append(h('h1', {}, `No flag ${key}`), errorBox(e),
      h('p', {}, h('a', {href: view.url('flags')}, `All flags of ${project}`)));
    return;
  }
  view.setTitle(`${flag.key} · ${project}/${view.env}`);
  const page = {view, flag, key: flag.key};
  const head = h('div', {class: 'flag-head'});
  const environments = h('section', {'aria-labelledby': 'flag-envs-title'});
  const variants = h('section', {'aria-labelledby': 'flag-variants-title'});
  const editor = h('section', {'aria-labelledby': 'rule-title', class: 'rule-editor'});
  const why = h('section', {'aria-labelledby': 'why-title', class: 'why'});
  const lifecycle = h('div', {class: 'flag-lifecycle'});
  const history = h('section', {'aria-labelledby': 'history-title'});
  page.paint = () => {
    paintHead(page, head);
    paintEnvironments(page, environments);
    paintVariants(page, variants);
  };
  /** After a change made here or elsewhere: the flag as it is now, everywhere on the page. */
  page.reload = async () => {
    Object.assign(flag, await get(path`/api/v1/projects/${project}/flags/${flag.key}`));
    page.paint();
    page.editor.reset();
    await Promise.all([page.history(), paintLifecycle(page, lifecycle)]);
  };
  page.history = () => paintHistory(page, history);
  page.paint();
  page.editor = ruleEditor(page, editor);
  whyPanel(page, why);
  main.append(head, h('div', {class: 'flag-grid'}, environments, variants), h('div', {class: 'flag-work'}, editor, why), lifecycle, history,
    equivalents([
      `rollgate flags get ${flag.key} --project ${project}`,
      `rollgate flags set-targeting ${flag.key} --project ${project} --env ${view.env} --rules @rules.json [--dry-run] --comment "…"`,
      `rollgate flags explain ${flag.key} --project ${project} --env ${view.env} --context '{"targetingKey": "…"}'`,
      `rollgate flags prerequisites add|remove|list ${flag.key} [FLAG --variant V] --project ${project} --env ${view.env}`,
      `rollgate flags schedules create ${flag.key} --project ${project} --env ${view.env} --at +2h --percentage 50 --comment "…"`,
      `rollgate audit list --resource projects/${project}/flags/${flag.key}`],
      `GET /api/v1/projects/${project}/flags/${flag.key}`,
      `PATCH /api/v1/projects/${project}/flags/${flag.key}/environments/${view.env}?dryRun=true  {"targeting": {…}, "defaultVariant": "…"}  (checks, writes nothing)`,
      `PATCH /api/v1/projects/${project}/flags/${flag.key}/environments/${view.env}  {"targeting": {…}}  (If-Match, X-Rollgate-Comment)`,
      `POST /api/v1/projects/${project}/environments/${view.env}/flags/${flag.key}/explain  {"context": {"targetingKey": "…"}}`,
      `PATCH /api/v1/projects/${project}/flags/${flag.key}/environments/${view.env}  {"prerequisites": [{"flag": "…", "variants": ["on"]}]}`,
      `POST|GET /api/v1/projects/${project}/flags/${flag.key}/environments/${view.env}/schedules  {"at": "…", "change": {"percentage": 50}, "comment": "…"}`,
      `DELETE /api/v1/projects/${project}/flags/${flag.key}/environments/${view.env}/schedules/{id}  (cancels)`,
      `GET /api/v1/audit?resource=projects/${project}/flags/${flag.key}`,
      `CLI, offline on the exported document: rollgate eval --flags flagd.json --flag ${flag.key} --context '{"targetingKey": "…"}' --explain  (flagd.json from GET /api/v1/projects/${project}/environments/${view.env}/flagd)`));
  await Promise.all([page.history(), paintLifecycle(page, lifecycle)]);
}

// ---- Header -------------------------------------------------------------------------------

function owner(flag) {
  if (flag.owner) return flag.owner;
  const owners = [...new Set(Object.values(flag.environments || {})
    .map(c => c.metadata && c.metadata.owner).filter(Boolean))];
  return owners.length ? owners.join(', ') : null;
}

function paintHead(page, el) {
  const {view, flag} = page;
  const who = owner(flag);
  const resource = `projects/${view.project}/flags/${flag.key}`;
  put(el,
    h('div', {class: 'page-head'},
      h('h1', {}, flag.key),
      flag.name && flag.name !== flag.key ? h('span', {class: 'flag-name'}, flag.name) : null,
      flag.archived ? badge('Archived: not served', 'warn') : badge('Active', 'ok'),
      h('span', {class: 'muted'}, `version ${flag.version} · updated `, when(flag.updatedAt))),
    flag.description ? h('p', {class: 'flag-description'}, flag.description) : null,
    h('dl', {class: 'facts flag-facts'},
      h('dt', {}, 'Kind'), h('dd', {}, h('code', {}, flag.kind)),
      h('dt', {}, 'Tags'), h('dd', {}, (flag.tags || []).length
        ? h('span', {class: 'tags'}, flag.tags.map(t => h('a', {class: 'tag', href: view.url(`flags?tag=${encodeURIComponent(t)}`)}, t)))
        : h('span', {class: 'muted'}, 'none')),
      who ? [h('dt', {}, 'Owner'), h('dd', {}, who)] : null,
      h('dt', {}, 'Created'), h('dd', {}, when(flag.createdAt))),
    h('p', {class: 'flag-links'},
      h('a', {href: view.url(`flags/${encodeURIComponent(flag.key)}/rollout`)}, `Rollout in ${view.env}`),
      h('a', {href: view.url(`audit?resource=${encodeURIComponent(resource)}`)}, 'Audit trail of this flag'),
      h('a', {href: view.url('flags')}, 'All flags')));
}

// ---- Environments and variants --------------------------------------------------------------

function flagUrl(view, env, key) {
  return `/ui/p/${encodeURIComponent(view.project)}/${encodeURIComponent(env)}/flags/${encodeURIComponent(key)}`;
}

function paintEnvironments(page, el) {
  const {view, flag} = page;
  const envs = view.environments.length ? view.environments.map(e => e.key) : Object.keys(flag.environments);
  const rows = envs.map(env => {
    const config = flag.environments[env];
    const current = env === view.env;
    if (!config) return h('tr', {}, h('th', {scope: 'row'}, env), h('td', {colspan: 3, class: 'muted'}, 'no configuration'));
    return h('tr', {class: current ? 'current' : null, dataset: {env}},
      h('th', {scope: 'row'},
        current ? h('strong', {}, env) : h('a', {href: flagUrl(view, env, flag.key)}, env),
        current ? h('span', {class: 'muted'}, ' (editing)') : null,
        isProtected(env) ? [' ', badge('Protected', 'warn')] : null),
      h('td', {}, view.canEdit && !flag.archived ? flagSwitch(page, env) : stateBadge(config.state)),
      h('td', {}, config.defaultVariant ? h('code', {}, config.defaultVariant) : h('span', {class: 'muted'}, 'caller\'s default')),
      h('td', {}, config.valid === false
        ? [badge('Invalid: serves PARSE_ERROR', 'bad'),
          h('ul', {class: 'flag-problems'}, (config.problems || []).map(p => h('li', {}, h('code', {}, p.path), `: ${p.message}`)))]
        : hasTargeting(config.targeting) ? badge('Rule set', 'ok') : badge('No rule', 'off'),
        (config.prerequisites || []).length ? [' ', badge(`${config.prerequisites.length} prerequisite${config.prerequisites.length > 1 ? 's' : ''}`, 'off')] : null));
  });
  put(el, h('h2', {id: 'flag-envs-title'}, 'Environments'),
    table(`State of ${flag.key} in every environment`, ['Environment', 'State', 'Default variant', 'Targeting'], rows,
      {class: 'dense flag-envs'}));
  el.querySelector('caption').className = 'visually-hidden';
}

function hasTargeting(targeting) {
  return targeting && typeof targeting === 'object' && Object.keys(targeting).length > 0;
}

/** The switch: word and colour; production asks (lib/flags.js). */
function flagSwitch(page, env) {
  const {view, flag} = page;
  const on = () => flag.environments[env].state === 'ENABLED';
  const button = h('button', {type: 'button', role: 'switch', class: 'switch', 'aria-label': `${flag.key} in ${env}`});
  const paint = () => {
    button.setAttribute('aria-checked', String(on()));
    button.replaceChildren(h('span', {class: 'knob', 'aria-hidden': 'true'}), on() ? 'On' : 'Off');
    button.classList.toggle('on', on());
  };
  paint();
  button.addEventListener('click', async () => {
    button.disabled = true;
    const cell = button.closest('td');
    cell.querySelectorAll('.error').forEach(x => x.remove());
    try {
      const setting = await switchFlag(view.project, flag, env, !on());
      if (setting) {
        if (env === view.env) page.editor.stateChanged(setting.state);
        page.paint();
        await page.history();
        const again = document.querySelector(`tr[data-env="${CSS.escape(env)}"] button[role="switch"]`);
        if (again) again.focus();
        return;
      }
    } catch (e) {
      cell.append(errorBox(e));
      if (e.status === 412) cell.append(reloadButton(page));
    }
    button.disabled = false;
    paint();
    button.focus();
  });
  return button;
}

function reloadButton(page) {
  return h('button', {type: 'button', onclick: () => page.reload().catch(e => notify(e.message, 'bad'))}, 'Reload the flag');
}

function paintVariants(page, el) {
  const {flag, view} = page;
  const current = flag.environments[view.env];
  const rows = Object.entries(flag.variants || {}).map(([name, value]) => [
    h('code', {}, name),
    h('code', {class: 'json'}, JSON.stringify(value)),
    current && current.defaultVariant === name ? badge('Default', 'off') : h('span', {class: 'muted'}, '—')]);
  put(el, h('h2', {id: 'flag-variants-title'}, 'Variants'),
    table(`Variants of ${flag.key} (${flag.kind})`, ['Name', 'Value (JSON)', `In ${view.env}`], rows, {class: 'dense'}));
  el.querySelector('caption').className = 'visually-hidden';
}

// ---- The rule editor ------------------------------------------------------------------------

/** The targeting as the editor shows it: indented JSON, or nothing for none. */
function targetingText(targeting) {
  return hasTargeting(targeting) ? formatJson(targeting) : '';
}

/** The editor's text read: {targeting, node} or {error} (a JsonSyntaxError). */
function readTargeting(text) {
  if (!text.trim()) return {targeting: null, node: null};
  try {
    const {value, node} = parseJson(text);
    if (value === null) return {targeting: null, node: null};
    if (typeof value !== 'object' || Array.isArray(value)) {
      return {problem: 'Targeting must be a JsonLogic object such as {"if": [condition, "variant"]}, or empty for none.', node};
    }
    return {targeting: value, node};
  } catch (e) {
    if (e instanceof JsonSyntaxError) return {error: e};
    throw e;
  }
}

/**
 * Variant names that targeting serves but the flag has not: the branches of an `if` chain and
 * the entries of a `fractional` where they decide the result. The server accepts them (the
 * evaluation answers ERROR GENERAL), so they are only warned about.
 */
function unknownVariants(value, node, variants, at = 'targeting', out = []) {
  if (!node) return out;
  if (typeof value === 'string') {
    if (!(value in variants)) out.push({at, name: value, range: {start: node.start, end: node.end}});
    return out;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  const keys = Object.keys(value);
  if (keys.length !== 1) return out;
  const op = keys[0];
  const args = value[op];
  const argsNode = node.members.get(op).node;
  if (!Array.isArray(args)) return out;
  if (op === 'if' || op === '?:') {
    args.forEach((branch, i) => {
      if (i % 2 === 1 || (i === args.length - 1 && i % 2 === 0 && i > 0)) {
        unknownVariants(branch, argsNode.items[i], variants, `${at}${op === 'if' ? '.if' : '["?:"]'}[${i}]`, out);
      }
    });
  } else if (op === 'fractional') {
    args.forEach((entry, i) => {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && !(entry[0] in variants)) {
        const n = argsNode.items[i].items[0];
        out.push({at: `${at}.fractional[${i}][0]`, name: entry[0], range: {start: n.start, end: n.end}});
      }
    });
  }
  return out;
}

function ruleEditor(page, el) {
  const {view, flag} = page;
  const env = view.env;
  const variantNames = () => Object.keys(flag.variants || {});
  const config = () => flag.environments[env];

  if (!config()) {
    el.append(h('h2', {id: 'rule-title'}, `Rule in ${env}`), h('p', {class: 'muted'}, `${flag.key} has no configuration in ${env}.`));
    return {reset() {}, stateChanged() {}};
  }

  if (!view.canEdit) {
    // Readers see the rule; nothing here can change it.
    const paintRead = () => {
      const c = config();
      put(el, h('h2', {id: 'rule-title'}, `Rule in ${env}`),
        h('dl', {class: 'facts'},
          h('dt', {}, 'State'), h('dd', {}, stateBadge(c.state)),
          h('dt', {}, 'Default variant'), h('dd', {}, c.defaultVariant ? h('code', {}, c.defaultVariant) : 'caller\'s default')),
        h('h3', {id: 'rule-text-label'}, 'Targeting (JsonLogic, read-only)'),
        hasTargeting(c.targeting)
          ? h('pre', {class: 'rule-read', tabindex: '0', 'aria-labelledby': 'rule-text-label'}, targetingText(c.targeting))
          : h('p', {class: 'muted'}, 'No targeting: everyone gets the default variant.'));
    };
    paintRead();
    return {reset: paintRead, stateChanged: paintRead};
  }

  const text = h('textarea', {id: 'rule-text', class: 'code', spellcheck: 'false', autocomplete: 'off',
    autocapitalize: 'off', wrap: 'off', 'aria-describedby': 'rule-help rule-problem'});
  const defaultVariant = h('select', {id: 'rule-default', 'aria-describedby': 'rule-problem'});
  const state = h('select', {id: 'rule-state', 'aria-describedby': 'rule-problem'},
    h('option', {value: 'ENABLED'}, 'On (ENABLED)'), h('option', {value: 'DISABLED'}, 'Off (DISABLED)'));
  const status = h('p', {id: 'rule-status', class: 'rule-status', role: 'status'});
  const problem = h('div', {id: 'rule-problem', class: 'rule-problem'});
  const saved = h('div', {class: 'rule-saved'});
  const save = h('button', {type: 'submit', class: 'primary'}, isProtected(env) ? `Save to ${env}…` : 'Save');
  const revert = h('button', {type: 'button'}, 'Discard changes');
  const form = h('form', {class: 'rule-form', novalidate: true},
    h('div', {class: 'rule-fields'},
      h('label', {for: 'rule-state'}, 'State'), state,
      h('label', {for: 'rule-default'}, 'Default variant'), defaultVariant),
    h('label', {for: 'rule-text'}, `Targeting in ${env} (JsonLogic, flagd format)`),
    h('p', {id: 'rule-help', class: 'hint'},
      'A JsonLogic object that returns a variant name, for example {"if": [{"==": [{"var": "plan"}, "pro"]}, "on"]}; empty for none. ',
      'The server checks it as you type (a dry run: nothing is saved).'),
    text, status, problem,
    h('div', {class: 'actions'}, save, revert),
    saved);

  let baseline = null;       // what the server holds: {state, defaultVariant, text}
  let timer = null;
  let inFlight = null;
  let seq = 0;
  let known = {ok: true};    // the last check's outcome

  const fillVariants = selected => {
    put(defaultVariant,
      h('option', {value: ''}, '(none: the caller\'s default)'),
      variantNames().map(v => h('option', {value: v, selected: v === selected}, v)));
    defaultVariant.value = selected || '';
  };

  const reset = () => {
    const c = config();
    baseline = {state: c.state, defaultVariant: c.defaultVariant || '', text: targetingText(c.targeting)};
    state.value = baseline.state;
    fillVariants(baseline.defaultVariant);
    text.value = baseline.text;
    fit();
    clearProblem();
    status.textContent = '';
    known = {ok: true};
    changed();
  };

  const fit = () => { text.rows = Math.min(30, Math.max(5, text.value.split('\n').length + 1)); };

  /** The fields that differ from what the server holds, as the PATCH body takes them. */
  const changes = parsed => {
    const out = {};
    if (state.value !== baseline.state) out.state = state.value;
    if (defaultVariant.value !== baseline.defaultVariant) out.defaultVariant = defaultVariant.value || null;
    if (text.value !== baseline.text) {
      const before = baseline.text.trim() ? JSON.stringify(parseJson(baseline.text).value) : 'null';
      if (JSON.stringify(parsed.targeting) !== before) out.targeting = parsed.targeting;
    }
    return out;
  };

  const changed = () => {
    const dirty = state.value !== baseline.state || defaultVariant.value !== baseline.defaultVariant || text.value !== baseline.text;
    revert.disabled = !dirty;
    save.disabled = !dirty || !known.ok;
    return dirty;
  };

  function clearProblem() {
    problem.replaceChildren();
    problem.className = 'rule-problem';
    status.classList.remove('visually-hidden');
    for (const c of [text, defaultVariant, state]) c.removeAttribute('aria-invalid');
  }

  /** A problem under the editor: what, where (path, line, column) and the text it names. */
  function showProblem({source, at, message, range, control = text, tone = 'bad'}) {
    clearProblem();
    problem.className = `rule-problem ${tone}`;
    // The status says it to screen readers; on screen the box below says it at length.
    if (tone === 'bad') { control.setAttribute('aria-invalid', 'true'); status.classList.add('visually-hidden'); }
    const where = range ? lineColumn(text.value, range.start) : null;
    problem.append(
      h('p', {class: 'problem-head'},
        h('strong', {}, source, ': '),
        at ? [h('code', {class: 'problem-path'}, at), ' '] : null,
        where ? h('span', {class: 'problem-where'}, `(line ${where.line}, column ${where.column}) `) : null,
        h('span', {class: 'problem-message'}, message)),
      range ? excerpt(text.value, range) : null,
      range ? h('button', {type: 'button', class: 'link', onclick: () => {
        text.focus();
        text.setSelectionRange(range.start, Math.max(range.end, range.start + 1));
        scrollToSelection(text, range.start);
      }}, 'Select it in the editor') : null);
  }

  function localProblem(parsed) {
    if (parsed.error) {
      const e = parsed.error;
      showProblem({source: 'JSON syntax', message: e.message, range: {start: e.offset, end: e.offset + 1}});
      status.textContent = `Not valid JSON: ${e.message}. Nothing was sent to the server.`;
      return true;
    }
    if (parsed.problem) {
      showProblem({source: 'Targeting', message: parsed.problem, range: parsed.node && {start: parsed.node.start, end: parsed.node.end}});
      status.textContent = parsed.problem;
      return true;
    }
    return false;
  }

  function warnUnknown(parsed) {
    const unknown = unknownVariants(parsed.targeting, parsed.node, flag.variants || {});
    if (!unknown.length) return false;
    const u = unknown[0];
    showProblem({source: 'Warning', at: u.at, tone: 'warn', range: u.range,
      message: `"${u.name}" is not a variant of ${flag.key} (${variantNames().join(', ')}): callers it reaches get their code default with reason ERROR.`});
    return true;
  }

  /** The server's answer to a dry run or a save, shown at the part of the rule it names. */
  function serverProblem(e, parsed) {
    const details = (e.body && e.body.details) || [];
    const mine = details.find(d => d.field && (d.field === 'targeting' || d.field.startsWith('targeting.') || d.field.startsWith('targeting[')))
      || details.find(d => d.field === 'defaultVariant' || d.field === 'state')
      || details[0];
    if (!mine) {
      clearProblem();
      problem.className = 'rule-problem bad';
      problem.append(errorBox(e));
      text.setAttribute('aria-invalid', 'true');
      return e.message;
    }
    const message = mine.message || e.message;
    if (mine.field === 'defaultVariant' || mine.field === 'state') {
      showProblem({source: 'Server', at: mine.field, message, control: mine.field === 'state' ? state : defaultVariant});
    } else if (mine.field && mine.field.startsWith('targeting') && parsed.node) {
      const range = rangeOf(parsed.node, pathSegments(mine.field).slice(1));
      showProblem({source: 'Server', at: mine.field, message, range});
    } else {
      showProblem({source: 'Server', at: mine.field || mine.path || null,
        message: mine.environment && mine.environment !== env ? `in ${mine.environment}: ${message}` : message});
    }
    return `${mine.field || mine.path || ''} ${message}`.trim();
  }

  async function check() {
    const mine = ++seq;
    if (inFlight) inFlight.abort();
    inFlight = null;
    const parsed = readTargeting(text.value);
    if (localProblem(parsed)) { known = {ok: false}; changed(); return; }
    if (!changed()) {
      clearProblem();
      status.textContent = 'No unsaved changes.';
      known = {ok: true};
      changed();
      return;
    }
    const body = {targeting: parsed.targeting, defaultVariant: defaultVariant.value || null};
    if (state.value !== baseline.state) body.state = state.value;
    const controller = new AbortController();
    inFlight = controller;
    status.textContent = 'Checking with the server…';
    try {
      await api('PATCH', path`/api/v1/projects/${view.project}/flags/${flag.key}/environments/${env}` + '?dryRun=true',
        {body, version: flag.version, signal: controller.signal});
      if (mine !== seq) return;
      known = {ok: true};
      if (!warnUnknown(parsed)) clearProblem();
      status.textContent = 'The server compiles this rule (dry run, nothing saved). Save to apply it.';
    } catch (e) {
      if (controller.signal.aborted || mine !== seq) return;
      if (e.status === 412) {
        known = {ok: false};
        conflict(e);
      } else if (e.status === 400) {
        known = {ok: false};
        status.textContent = `The server refuses this rule: ${serverProblem(e, parsed)}`;
      } else {
        // Not a verdict on the rule (a lost connection, a rate limit): saving may still work.
        known = {ok: true};
        clearProblem();
        problem.append(errorBox(e));
        status.textContent = 'The rule could not be checked.';
      }
    } finally {
      if (inFlight === controller) inFlight = null;
      changed();
    }
  }

  function schedule() {
    fit();
    clearTimeout(timer);
    known = {ok: false};
    changed();
    status.textContent = 'Editing…';
    timer = setTimeout(check, CHECK_DELAY_MS);
  }

  function conflict(e) {
    clearProblem();
    problem.className = 'rule-problem bad';
    problem.append(h('div', {class: 'error', role: 'alert'},
      h('p', {}, h('strong', {}, 'The flag changed since this page loaded. '),
        `Someone (or another tab) saved ${flag.key} after version ${flag.version}; saving now would overwrite their change. `,
        'Reload to see it: your text is kept below so you can copy it.'),
      e.body && e.body.requestId ? h('p', {class: 'muted'}, `${e.body.code} (request ${e.body.requestId})`) : null,
      h('button', {type: 'button', class: 'primary', onclick: async () => {
        const draft = text.value;
        await page.reload();
        saved.replaceChildren(h('details', {open: true, class: 'draft'},
          h('summary', {}, 'Your unsaved text from before the reload'),
          h('pre', {tabindex: '0'}, draft || '(empty)')));
        text.focus();
      }}, 'Reload the flag')));
    status.textContent = 'The flag changed since this page loaded: reload it.';
  }

  async function submit(event) {
    event.preventDefault();
    clearTimeout(timer);
    const parsed = readTargeting(text.value);
    if (localProblem(parsed)) { text.focus(); return; }
    const body = changes(parsed);
    if (!Object.keys(body).length) { reset(); status.textContent = 'No unsaved changes.'; return; }
    const lines = [];
    if ('targeting' in body) lines.push(body.targeting ? 'the targeting rule changes' : 'the targeting rule is removed (everyone gets the default variant)');
    if ('defaultVariant' in body) lines.push(`the default variant goes from ${baseline.defaultVariant || '(none)'} to ${body.defaultVariant || '(none)'}`);
    if ('state' in body) lines.push(body.state === 'DISABLED' ? 'the flag is turned off (callers fall back to their code default, reason DISABLED)' : 'the flag is turned on');
    const disabling = body.state === 'DISABLED';
    const answer = await confirmChange({
      title: `Save ${flag.key} in ${env}`,
      message: `In ${env}, ${lines.join('; ')}. It is served at once and recorded in the audit trail.`,
      action: 'Save',
      danger: disabling,
      requireComment: isProtected(env),
      typeToConfirm: disabling && isProtected(env) ? flag.key : null,
    });
    if (!answer) { save.focus(); return; }
    save.disabled = true;
    status.textContent = 'Saving…';
    try {
      const setting = await api('PATCH', path`/api/v1/projects/${view.project}/flags/${flag.key}/environments/${env}`,
        {body, version: flag.version, comment: answer.comment});
      flag.version = setting.version;
      flag.environments[env] = {...flag.environments[env], state: setting.state, defaultVariant: setting.defaultVariant,
        targeting: setting.targeting, metadata: setting.metadata};
      flag.updatedAt = new Date().toISOString();
      reset();
      saved.replaceChildren();
      status.textContent = `Saved: version ${setting.version} is served in ${env}.`;
      notify(`${flag.key} saved in ${env} (version ${setting.version}).`);
      page.paint();
      await page.history();
      text.focus();
    } catch (e) {
      if (e.status === 412) conflict(e);
      else if (e.status === 400) status.textContent = `The server refuses this rule: ${serverProblem(e, parsed)}`;
      else { clearProblem(); problem.append(errorBox(e)); status.textContent = 'Not saved.'; }
      changed();
    }
  }

  text.addEventListener('input', schedule);
  defaultVariant.addEventListener('change', schedule);
  state.addEventListener('change', schedule);
  form.addEventListener('submit', submit);
  revert.addEventListener('click', () => { clearTimeout(timer); reset(); status.textContent = 'Changes discarded.'; text.focus(); });
  view.onCleanup(() => { clearTimeout(timer); if (inFlight) inFlight.abort(); });

  el.append(h('h2', {id: 'rule-title'}, `Rule in ${env}`), form);
  reset();
  return {
    reset,
    /** The switch changed the state: the editor follows unless the user changed it too. */
    stateChanged(next) {
      if (state.value === baseline.state) state.value = next;
      baseline.state = next;
      changed();
    },
  };
}

/** The lines around a range of text, the range marked, with line numbers. */
function excerpt(source, range) {
  const lines = source.split('\n');
  const from = lineColumn(source, range.start).line;
  const to = Math.max(from, lineColumn(source, Math.max(range.start, range.end - 1)).line);
  const first = Math.max(1, from - 1);
  const last = Math.min(lines.length, to + 1, first + 9);
  let offset = lines.slice(0, first - 1).reduce((n, l) => n + l.length + 1, 0);
  const out = [];
  for (let n = first; n <= last; n++) {
    const line = lines[n - 1];
    const s = Math.max(range.start, offset) - offset;
    const e = Math.min(range.end, offset + line.length) - offset;
    const gutter = h('span', {class: 'gutter', 'aria-hidden': 'true'}, `${String(n).padStart(3, ' ')} `);
    if (e > s) {
      out.push(h('span', {class: 'line'}, gutter, line.slice(0, s), h('mark', {}, line.slice(s, e)), line.slice(e)));
    } else if (n === from) {
      // A point (the end of the text, a line break): a marked space where it is.
      out.push(h('span', {class: 'line'}, gutter, line.slice(0, s), h('mark', {}, ' '), line.slice(s)));
    } else {
      out.push(h('span', {class: 'line'}, gutter, line));
    }
    offset += line.length + 1;
  }
  if (last < to) out.push(h('span', {class: 'line muted'}, '    …'));
  return h('pre', {class: 'excerpt', 'aria-label': `Line ${from}${to > from ? ` to ${to}` : ''} of the rule, the problem marked`}, out);
}

function scrollToSelection(textarea, offset) {
  const line = lineColumn(textarea.value, offset).line;
  const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 18;
  textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

// ---- Why: one evaluation explained ------------------------------------------------------------

const REASON_TONES = {TARGETING_MATCH: 'ok', SPLIT: 'ok', STATIC: 'off', DEFAULT: 'off', DISABLED: 'warn', PREREQUISITE_FAILED: 'warn', ERROR: 'bad'};

function whyPanel(page, el) {
  const {view, flag} = page;
  const query = new URLSearchParams(location.search);
  const targetingKey = h('input', {id: 'why-key', autocomplete: 'off', spellcheck: 'false', value: query.get('key') || ''});
  const attributes = h('textarea', {id: 'why-attrs', class: 'code', rows: 3, spellcheck: 'false', 'aria-describedby': 'why-attrs-help why-problem'},
    query.get('attrs') || '');
  const problem = h('p', {id: 'why-problem', class: 'field-error'});
  const result = h('div', {class: 'why-result', 'aria-live': 'polite'});
  const form = h('form', {class: 'why-form', novalidate: true},
    h('div', {class: 'why-fields'},
      h('div', {}, h('label', {for: 'why-key'}, 'Targeting key'), targetingKey),
      h('div', {}, h('label', {for: 'why-attrs'}, 'Attributes (JSON object)'), attributes,
        h('p', {id: 'why-attrs-help', class: 'hint'}, 'For example {"plan": "pro", "email": "ana@example.com"}.'))),
    problem,
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, `Explain in ${view.env}`)));

  async function explain() {
    problem.textContent = '';
    attributes.removeAttribute('aria-invalid');
    let attrs = {};
    if (attributes.value.trim()) {
      try {
        attrs = parseJson(attributes.value).value;
      } catch (e) {
        if (!(e instanceof JsonSyntaxError)) throw e;
        attributes.setAttribute('aria-invalid', 'true');
        problem.textContent = `Attributes: ${e.message}.`;
        return;
      }
      if (!attrs || typeof attrs !== 'object' || Array.isArray(attrs)) {
        attributes.setAttribute('aria-invalid', 'true');
        problem.textContent = 'Attributes must be a JSON object.';
        return;
      }
    }
    const context = {...attrs};
    if (targetingKey.value) context.targetingKey = targetingKey.value;
    const params = new URLSearchParams(location.search);
    targetingKey.value ? params.set('key', targetingKey.value) : params.delete('key');
    attributes.value.trim() ? params.set('attrs', attributes.value.trim()) : params.delete('attrs');
    history.replaceState(null, '', location.pathname + (params.size ? `?${params}` : ''));
    result.replaceChildren(h('p', {class: 'muted'}, 'Evaluating…'));
    try {
      const answer = await api('POST', path`/api/v1/projects/${view.project}/environments/${view.env}/flags/${flag.key}/explain`,
        {body: {context}});
      result.replaceChildren(explanation(answer, view));
    } catch (e) {
      result.replaceChildren(errorBox(e));
    }
  }

  form.addEventListener('submit', e => { e.preventDefault(); explain(); });
  el.append(h('h2', {id: 'why-title'}, `Why: what a context gets in ${view.env}`),
    h('p', {class: 'hint'}, 'Evaluates the served flag as OFREP does, for this context only: nothing is counted or recorded.'),
    form, result);
  if (query.has('key') || query.has('attrs')) explain();
}

function explanation(answer, view) {
  return h('div', {},
    h('dl', {class: 'facts why-answer'},
      h('dt', {}, 'Variant'), h('dd', {class: 'why-variant'}, answer.variant ? h('code', {}, answer.variant) : h('span', {class: 'muted'}, 'none: the caller\'s code default')),
      h('dt', {}, 'Value'), h('dd', {}, answer.value === null || answer.value === undefined ? h('span', {class: 'muted'}, 'none') : h('code', {}, JSON.stringify(answer.value))),
      h('dt', {}, 'Reason'), h('dd', {class: 'why-reason'}, badge(answer.reason, REASON_TONES[answer.reason] || 'off')),
      answer.errorCode ? [h('dt', {}, 'Error'), h('dd', {}, h('code', {}, answer.errorCode), answer.errorMessage ? ` ${answer.errorMessage}` : '')] : null,
      h('dt', {}, 'Flag version'), h('dd', {}, answer.flagVersion ?? h('span', {class: 'muted'}, `not served in ${view.env}`))),
    h('h3', {id: 'why-steps-title'}, 'Steps'),
    h('ol', {class: 'why-steps', 'aria-labelledby': 'why-steps-title'}, (answer.steps || []).map(step => h('li', {},
      h('span', {class: 'step-note'}, step.note),
      ' ', h('code', {class: 'step-at'}, step.at),
      step.expression ? h('div', {}, h('code', {class: 'step-expr'}, step.expression),
        step.result !== undefined ? [' → ', h('code', {}, JSON.stringify(step.result))] : null)
        : step.result !== undefined ? [' → ', h('code', {}, JSON.stringify(step.result))] : null,
      step.details ? h('div', {class: 'muted'}, h('code', {}, JSON.stringify(step.details))) : null))));
}

// ---- History ---------------------------------------------------------------------------------

/** Fields every write changes, left out of the compact diff (the version has its own column). */
const NOISE = new Set(['version', 'updatedAt', 'createdAt']);

async function paintHistory(page, el) {
  const {view, flag} = page;
  const resource = `projects/${view.project}/flags/${flag.key}`;
  let events;
  try {
    events = await all(`/api/v1/audit?resource=${encodeURIComponent(resource)}`);
  } catch (e) {
    el.replaceChildren(h('h2', {id: 'history-title'}, 'History'), errorBox(e));
    return;
  }
  events.reverse();
  // An event is a group of two rows, what and why above, the change below across the table, so
  // the change keeps its width on a phone too.
  const groups = events.map(event => h('tbody', {dataset: {seq: event.seq}},
    h('tr', {},
      h('td', {class: 'nowrap'}, when(event.time)),
      h('td', {}, event.actor || event.actorId || '—'),
      h('td', {}, h('code', {}, event.action), event.resource !== resource ? h('div', {class: 'muted'}, event.resource.slice(resource.length + 1)) : null),
      h('td', {class: 'history-comment'}, event.comment || h('span', {class: 'muted'}, 'no comment'))),
    h('tr', {class: 'history-change'},
      h('td', {colspan: 4}, h('span', {class: 'visually-hidden'}, 'Change: '), changesOf(event)))));
  put(el, h('h2', {id: 'history-title'}, 'History'),
    h('p', {class: 'hint'}, `${events.length} ${events.length === 1 ? 'event' : 'events'} from the audit trail, newest first. `,
      h('a', {href: view.url(`audit?resource=${encodeURIComponent(resource)}`)}, 'Open in the audit log')),
    events.length
      ? h('div', {class: 'table-wrap'}, h('table', {class: 'dense history'},
        h('caption', {class: 'visually-hidden'}, `Audit events of ${flag.key}, newest first, each with its change below it`),
        h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', 'Comment'].map(x => h('th', {scope: 'col'}, x)))),
        groups))
      : h('p', {class: 'muted'}, 'No events.'));
}

function changesOf(event) {
  const {before, after} = event;
  const full = h('details', {class: 'full-json'}, h('summary', {}, 'Full JSON'),
    h('div', {class: 'before-after'},
      h('div', {}, h('h4', {}, 'Before'), h('pre', {tabindex: '0'}, before === null || before === undefined ? 'null' : formatJson(before))),
      h('div', {}, h('h4', {}, 'After'), h('pre', {tabindex: '0'}, after === null || after === undefined ? 'null' : formatJson(after)))));
  if (!before || !after) {
    const v = (after || before || {}).version;
    return h('div', {}, h('span', {}, !before ? `created${v ? ` (version ${v})` : ''}` : 'removed'), full);
  }
  // Targeting is compared whole: a rule reads better as one value than as its JSON's members.
  const diffs = changedFields(before, after, {skip: NOISE, leaf: k => k === 'targeting'}).changed;
  const version = before.version !== after.version && after.version !== undefined ? `version ${before.version} → ${after.version}` : null;
  return h('div', {},
    diffs.length
      ? h('ul', {class: 'diff'}, diffs.map(d => h('li', {},
        h('code', {class: 'diff-path'}, d.path), ': ',
        h('del', {}, compact(d.before)), ' → ', h('ins', {}, compact(d.after)))))
      : h('span', {class: 'muted'}, 'no field changed'),
    version ? h('div', {class: 'muted'}, version) : null,
    full);
}

function compact(value) {
  if (value === undefined) return '(absent)';
  const s = JSON.stringify(value);
  return s.length > 140 ? `${s.slice(0, 137)}…` : s;
}
