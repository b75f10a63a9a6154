// The audit trail: every change with who, why and what it changed, and the check that the
// hash chain is whole and signed. The API lists events oldest first, so this page does too and
// loads more on demand; "after event" (a seq) starts the list further on.
import {get} from '../lib/api.js';
import {h, clear, badge, relative, errorBox, equivalents} from '../lib/dom.js';
import {changedFields} from '../lib/changes.js';

const PAGE = 100;
const FILTERS = ['resource', 'actor', 'actorId', 'action', 'from', 'to', 'after'];

export async function render(view) {
  const {main} = view;
  const query = new URLSearchParams(location.search);
  const filters = Object.fromEntries(FILTERS.map(f => [f, query.get(f) || '']));

  const inputs = {
    resource: h('input', {id: 'audit-resource', value: filters.resource, placeholder: 'projects/default/flags/new-checkout', autocomplete: 'off', spellcheck: 'false'}),
    actor: h('input', {id: 'audit-actor', value: filters.actor, placeholder: 'name', autocomplete: 'off'}),
    actorId: h('input', {id: 'audit-actor-id', value: filters.actorId, placeholder: 'token id', autocomplete: 'off', spellcheck: 'false'}),
    action: h('input', {id: 'audit-action', value: filters.action, placeholder: 'flag.disable', autocomplete: 'off', spellcheck: 'false'}),
    from: h('input', {id: 'audit-from', type: 'datetime-local', step: 1, value: toLocalInput(filters.from)}),
    to: h('input', {id: 'audit-to', type: 'datetime-local', step: 1, value: toLocalInput(filters.to)}),
    after: h('input', {id: 'audit-after', type: 'number', min: 0, step: 1, value: filters.after, class: 'seq-input'}),
  };
  const form = h('form', {class: 'filters audit-filters', role: 'search', 'aria-label': 'Audit filters'},
    field('audit-resource', 'Resource', inputs.resource),
    field('audit-actor', 'Actor', inputs.actor),
    field('audit-actor-id', 'Actor id', inputs.actorId),
    field('audit-action', 'Action', inputs.action),
    field('audit-from', 'From (UTC)', inputs.from),
    field('audit-to', 'To (UTC)', inputs.to),
    field('audit-after', 'After event', inputs.after),
    h('div', {class: 'audit-filter-actions'},
      h('button', {type: 'submit', class: 'primary'}, 'Apply filters'),
      h('a', {href: view.url('audit')}, 'Clear')));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const name of FILTERS) {
      let value = inputs[name].value.trim();
      if ((name === 'from' || name === 'to') && value) value = fromLocalInput(value);
      if (value) next.set(name, value);
    }
    view.navigate(location.pathname + (next.size ? `?${next}` : ''), {replace: true});
  });

  const head = h('p', {class: 'muted', id: 'audit-head'});
  const count = h('p', {class: 'muted', id: 'audit-count', 'aria-live': 'polite'});
  const body = h('tbody', {});
  const more = h('button', {type: 'button', hidden: true}, 'Load more');
  const problem = h('div', {});

  main.append(
    h('div', {class: 'page-head'}, h('h1', {}, 'Audit log'),
      h('p', {class: 'muted'}, 'Every change, oldest first, with its actor, comment and what it changed. Events about tokens and webhooks are shown to admins only.')),
    form,
    verifyPanel(view, body),
    head,
    count,
    h('div', {class: 'table-wrap'}, h('table', {class: 'dense audit'},
      h('caption', {class: 'visually-hidden'}, 'Audit events, oldest first'),
      h('thead', {}, h('tr', {},
        ['Seq', 'Time (UTC)', 'Actor', 'Action', 'Resource', 'Comment', 'Change'].map(x => h('th', {scope: 'col'}, x)))),
      body)),
    problem,
    h('div', {class: 'actions'}, more),
    equivalents(['rollgate audit list --resource projects/… --limit 100', 'rollgate audit verify'],
      `GET /api/v1/audit?${apiQuery(filters, filters.after) || 'limit=100'}`,
      'GET /api/v1/audit/verify[?seq=…&hash=…&signature=…]',
      'GET /api/v1/audit/checkpoint'));

  // Where the chain ends, so "the latest events" is one link away (the list is oldest first).
  get('/api/v1/audit/checkpoint').then(cp => {
    const latest = new URLSearchParams(location.search);
    latest.set('after', String(Math.max(0, cp.seq - PAGE)));
    head.replaceChildren(`The chain has ${cp.seq} events (its head is event ${cp.seq}).`);
    if (cp.seq > PAGE) head.append(' ', h('a', {href: `${location.pathname}?${latest}`}, `Show the last ${PAGE} events`));
  }).catch(() => {});

  let shown = 0;
  let cursor = filters.after || null;
  const load = async () => {
    more.disabled = true;
    clear(problem);
    try {
      const page = await get(`/api/v1/audit?${apiQuery(filters, cursor)}`);
      page.items.forEach(event => body.append(eventRow(view, event)));
      shown += page.items.length;
      cursor = page.nextCursor;
      more.hidden = !cursor;
      count.textContent = `${shown} event${shown === 1 ? '' : 's'}${filters.after ? ` after event ${filters.after}` : ''}${describe(filters)}, oldest first${cursor ? '; more below' : ''}.`;
      if (!shown) body.append(h('tr', {}, h('td', {colspan: 7, class: 'muted'}, 'No events match.')));
      markBroken(body);
    } catch (e) {
      problem.append(errorBox(e));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', load);
  await load();
  // A link with verify=1 (such as the one to a broken link) verifies as it opens.
  if (query.get('verify') === '1') main.querySelector('#verify-run').click();
}

function field(id, label, input) {
  return h('div', {class: 'field'}, h('label', {for: id}, label), input);
}

/** The API's query for the filters, from a cursor (the seq after which to start). */
function apiQuery(filters, cursor) {
  const q = new URLSearchParams();
  for (const name of ['resource', 'actor', 'actorId', 'action', 'from', 'to']) {
    if (filters[name]) q.set(name, filters[name]);
  }
  q.set('limit', String(PAGE));
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

function describe(filters) {
  const parts = [];
  if (filters.resource) parts.push(`on ${filters.resource} and below`);
  if (filters.actor) parts.push(`by ${filters.actor}`);
  if (filters.actorId) parts.push(`by id ${filters.actorId}`);
  if (filters.action) parts.push(`with action ${filters.action}`);
  if (filters.from) parts.push(`from ${filters.from}`);
  if (filters.to) parts.push(`to ${filters.to}`);
  return parts.length ? ` ${parts.join(', ')}` : '';
}

function filterLink(view, name, value, text) {
  const q = new URLSearchParams({[name]: value});
  return h('a', {href: `${view.url('audit')}?${q}`, title: `Only events with ${name} ${value}`}, text);
}

function eventRow(view, e) {
  const date = new Date(e.time);
  return h('tr', {dataset: {seq: String(e.seq)}},
    h('td', {class: 'num seq'}, String(e.seq)),
    h('td', {class: 'nowrap'}, h('time', {datetime: e.time, title: relative(date)}, utc(date))),
    h('td', {},
      e.actorId ? filterLink(view, 'actorId', e.actorId, e.actor) : filterLink(view, 'actor', e.actor, e.actor),
      h('div', {class: 'muted id'}, e.actorId ? h('code', {}, e.actorId) : 'no actor id (before ids existed)')),
    h('td', {}, filterLink(view, 'action', e.action, h('code', {}, e.action))),
    h('td', {class: 'resource'}, filterLink(view, 'resource', e.resource, e.resource)),
    h('td', {class: 'comment'}, e.comment ? e.comment : h('span', {class: 'muted'}, '—')),
    h('td', {class: 'change'}, changeDetails(e)));
}

/** Before and after as a compact diff: only the fields that changed, by their dotted path. */
function changeDetails(e) {
  const {changed, same: unchanged} = changedFields(e.before, e.after);
  const code = v => v === undefined ? '—' : h('code', {}, JSON.stringify(v));
  const summary = e.before == null && e.after == null ? 'no data'
    : e.before == null ? `created: ${changed.length} field${changed.length === 1 ? '' : 's'}`
    : e.after == null ? `deleted: ${changed.length} field${changed.length === 1 ? '' : 's'}`
    : changed.length === 0 ? 'no field changed'
    : `${changed.length} change${changed.length === 1 ? '' : 's'}`;
  if (e.before == null && e.after == null) return h('span', {class: 'muted'}, summary);
  return h('details', {class: 'diff'},
    h('summary', {}, summary),
    h('table', {class: 'dense diff'},
      h('caption', {class: 'visually-hidden'}, `Fields of event ${e.seq} before and after`),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Field'), h('th', {scope: 'col'}, 'Before'), h('th', {scope: 'col'}, 'After'))),
      h('tbody', {}, changed.map(d => h('tr', {},
        h('th', {scope: 'row'}, h('code', {}, d.path)),
        h('td', {class: d.before !== undefined ? 'was' : 'muted'}, code(d.before)),
        h('td', {class: d.after !== undefined ? 'now' : 'muted'}, code(d.after)))))),
    unchanged ? h('p', {class: 'hint'}, `${unchanged} field${unchanged === 1 ? '' : 's'} unchanged.`) : null,
    h('details', {class: 'whole'}, h('summary', {}, 'Whole documents'),
      h('div', {class: 'before-after'},
        h('div', {}, h('h4', {}, 'Before'), h('pre', {}, e.before == null ? 'null' : JSON.stringify(e.before, null, 2))),
        h('div', {}, h('h4', {}, 'After'), h('pre', {}, e.after == null ? 'null' : JSON.stringify(e.after, null, 2))))));
}

function utc(date) {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** An ISO instant as a datetime-local input's value, in UTC like the table's times. */
function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 19);
}

/** A datetime-local input's value, read as UTC, as an ISO instant. */
function fromLocalInput(value) {
  const d = new Date(`${value.length === 16 ? `${value}:00` : value}Z`);
  return Number.isNaN(d.getTime()) ? value : d.toISOString().replace(/\.000Z$/, 'Z');
}

// The broken link of the last verification, marked wherever its event is in the list.
let brokenSeq = null;

function markBroken(body) {
  body.querySelectorAll('tr.broken').forEach(tr => {
    tr.classList.remove('broken');
    tr.querySelector('.broken-mark')?.remove();
  });
  if (brokenSeq === null) return;
  const row = body.querySelector(`tr[data-seq="${brokenSeq}"]`);
  if (!row) return;
  row.classList.add('broken');
  row.querySelector('td.seq').append(h('span', {class: 'broken-mark'}, ' ', badge('Broken link', 'bad')));
}

function verifyPanel(view, body) {
  const pasted = h('textarea', {id: 'verify-checkpoint', rows: 2, spellcheck: 'false', class: 'checkpoint',
    placeholder: '{"seq": 1042, "hash": "9f2c…", "signature": "5be1…", …}'});
  const pasteProblem = h('p', {class: 'field-error', id: 'verify-checkpoint-error', role: 'alert'});
  const result = h('div', {id: 'verify-result', role: 'status', 'aria-live': 'polite'});
  const against = h('details', {class: 'against', open: pasted.value ? true : null},
    h('summary', {}, 'Against a checkpoint kept earlier'),
    h('label', {for: 'verify-checkpoint'}, 'Checkpoint to verify against (optional)'),
    pasted, pasteProblem);
  const verifyButton = h('button', {type: 'button', class: 'primary', id: 'verify-run'}, 'Verify the chain');
  const showButton = h('button', {type: 'button'}, 'Show the checkpoint');
  const checkpointBox = h('div', {class: 'checkpoint-box'});
  let blobUrl = null;
  view.onCleanup(() => { if (blobUrl) URL.revokeObjectURL(blobUrl); brokenSeq = null; });

  verifyButton.addEventListener('click', async () => {
    pasteProblem.textContent = '';
    let checkpoint = null;
    if (pasted.value.trim()) {
      checkpoint = parseCheckpoint(pasted.value);
      if (!checkpoint) {
        pasteProblem.textContent = 'Paste a checkpoint as JSON (from "Show the checkpoint" or GET /api/v1/audit/checkpoint) with seq, hash and signature.';
        against.open = true;
        pasted.focus();
        return;
      }
    }
    verifyButton.disabled = true;
    result.replaceChildren(h('p', {class: 'muted'}, 'Verifying every event…'));
    try {
      const q = checkpoint ? `?${new URLSearchParams({seq: String(checkpoint.seq), hash: checkpoint.hash, signature: checkpoint.signature})}` : '';
      const answer = await get(`/api/v1/audit/verify${q}`);
      brokenSeq = answer.valid ? null : answer.firstBroken.seq;
      result.replaceChildren(verification(view, answer));
      markBroken(body);
    } catch (e) {
      result.replaceChildren(errorBox(e));
    } finally {
      verifyButton.disabled = false;
    }
  });

  showButton.addEventListener('click', async () => {
    showButton.disabled = true;
    try {
      const cp = await get('/api/v1/audit/checkpoint');
      const text = JSON.stringify(cp, null, 2);
      if (blobUrl) URL.revokeObjectURL(blobUrl);
      blobUrl = URL.createObjectURL(new Blob([text + '\n'], {type: 'application/json'}));
      const copied = h('span', {class: 'muted', role: 'status'});
      checkpointBox.replaceChildren(
        h('p', {}, `The chain's head, event ${cp.seq}, signed with key `, h('code', {}, cp.keyId),
          ` (${cp.algorithm}). Keep it outside Rollgate, where those who can write its database cannot; paste it here later to prove nothing up to event ${cp.seq} was changed or cut.`),
        h('pre', {id: 'checkpoint-json', tabindex: '0', 'aria-label': 'Checkpoint'}, text),
        h('div', {class: 'actions'},
          h('a', {class: 'button', href: blobUrl, download: `rollgate-checkpoint-${cp.seq}.json`}, 'Download checkpoint'),
          h('button', {type: 'button', onclick: async () => {
            try { await navigator.clipboard.writeText(text); copied.textContent = 'Copied.'; }
            catch { copied.textContent = 'Copying was refused: select the text and copy it.'; }
          }}, 'Copy'),
          h('button', {type: 'button', onclick: () => { pasted.value = text; against.open = true; pasted.focus(); }}, 'Verify against it'),
          copied));
    } catch (e) {
      checkpointBox.replaceChildren(errorBox(e));
    } finally {
      showButton.disabled = false;
    }
  });

  return h('section', {class: 'panel verify', 'aria-labelledby': 'verify-title'},
    h('div', {class: 'verify-head'},
      h('h2', {id: 'verify-title'}, 'Is the trail intact?'),
      verifyButton, showButton,
      h('span', {class: 'hint'}, 'Recomputes every event\'s hash and checks its signature; only a checkpoint kept outside Rollgate also shows events cut from the end.')),
    against,
    result,
    checkpointBox);
}

/** A checkpoint pasted as JSON, or as seq=…&hash=…&signature=…; null when it is neither. */
function parseCheckpoint(text) {
  let value = null;
  try { value = JSON.parse(text); } catch {
    const q = new URLSearchParams(text.trim().replace(/^.*\?/, ''));
    value = {seq: q.get('seq'), hash: q.get('hash'), signature: q.get('signature')};
  }
  if (!value || typeof value !== 'object') return null;
  const seq = Number(value.seq);
  if (!Number.isInteger(seq) || seq < 0 || typeof value.hash !== 'string' || typeof value.signature !== 'string') return null;
  return {seq, hash: value.hash.trim(), signature: value.signature.trim()};
}

function verification(view, v) {
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (v.valid) {
    return h('div', {class: 'verdict ok'},
      h('p', {}, badge('Valid', 'ok'), ' ',
        h('strong', {}, `The chain of ${plural(v.events, 'event')} is whole and every signature checks out.`)),
      h('p', {}, `${plural(v.unsignedEvents, 'unsigned event')} (written before signatures existed). Signed with key `,
        v.keyId ? h('code', {}, v.keyId) : 'none', '.',
        v.checkpointSeq !== undefined ? ` It still reaches the checkpoint's event ${v.checkpointSeq} with the checkpoint's hash.` : ' Without a checkpoint, events cut from the end would not show.'));
  }
  const broken = v.firstBroken;
  const from = new URLSearchParams({after: String(Math.max(0, broken.seq - 1)), verify: '1'});
  return h('div', {class: 'verdict bad'},
    h('p', {}, badge('Invalid', 'bad'), ' ',
      h('strong', {}, `The first broken link is event `, h('span', {class: 'broken-seq'}, String(broken.seq)), `: ${broken.reason}.`)),
    h('p', {}, broken.id ? ['Event id ', h('code', {}, broken.id), '. '] : null,
      'Someone changed the audit table outside Rollgate, or restored it from elsewhere. ',
      h('a', {href: `${view.url('audit')}?${from}`}, `Show the events from ${broken.seq}`), '.'));
}
