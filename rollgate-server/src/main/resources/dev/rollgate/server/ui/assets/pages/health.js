// Is this server fit to serve: readiness (word and colour, with the reason when not), liveness,
// the replicas and the store; and the project's health checks, their results and violations
// (health-checks.js). Checked again every 30 s (?refresh=<seconds> changes that) and on
// "Check now".
import {get} from '../lib/api.js';
import {h, badge, relative, when, errorBox, equivalents, table} from '../lib/dom.js';
import {healthChecks} from './health-checks.js';

const DEFAULT_SECONDS = 30;

export async function render(view) {
  const {main} = view;
  const requested = Number(new URLSearchParams(location.search).get('refresh'));
  const seconds = Number.isFinite(requested) && requested >= 1 ? Math.min(requested, 3600) : DEFAULT_SECONDS;

  const checkNow = h('button', {type: 'button', id: 'health-check-now'}, 'Check now');
  const updated = h('span', {id: 'health-updated', class: 'muted'}, 'not checked yet');
  const readiness = h('section', {class: 'panel', 'aria-labelledby': 'health-ready-title'});
  const replica = h('section', {class: 'panel', 'aria-labelledby': 'health-replica-title'});
  const store = h('section', {class: 'panel', 'aria-labelledby': 'health-store-title'});
  const replicas = h('section', {'aria-labelledby': 'health-replicas-title'});
  const checks = healthChecks(view);

  main.append(
    h('div', {class: 'page-head'}, h('h1', {}, 'Health'),
      h('p', {class: 'muted'}, `This server, its replicas and its store, and the project's health checks; checked every ${seconds} s.`)),
    h('div', {class: 'health-bar'}, checkNow, h('span', {}, 'Updated ', updated)),
    h('div', {class: 'grid health-grid'}, readiness, replica, store),
    replicas,
    checks.element,
    checks.resultsArea,
    checks.violationsArea,
    equivalents(['rollgate health', 'rollgate metrics', 'rollgate wait-ready',
      'rollgate health-checks list', 'rollgate health-checks create NAME --type http --target-url URL',
      'rollgate health-checks run CHECK', 'rollgate health-checks results CHECK',
      'rollgate health-checks violations --state open', 'rollgate health-checks delete CHECK'],
    'GET /ready', 'GET /health', 'GET /api/v1/status',
    'GET/POST /api/v1/projects/{p}/health-checks', 'DELETE /api/v1/projects/{p}/health-checks/{id}  (If-Match, X-Rollgate-Comment)',
    'POST /api/v1/projects/{p}/health-checks/{id}/run', 'GET /api/v1/projects/{p}/health-checks/{id}/results?limit=20',
    'GET /api/v1/projects/{p}/health/violations?state=open|resolved'));

  let last = null;
  let running = false;
  const tick = () => {
    if (!last) return;
    updated.textContent = relative(last);
    updated.title = last.toISOString();
  };
  const check = async () => {
    if (running) return;
    running = true;
    checkNow.disabled = true;
    main.setAttribute('aria-busy', 'true');
    try {
      const [ready, live, status] = await Promise.all([
        get('/ready').then(body => ({ok: true, body}), e => ({ok: false, error: e, body: e.body})),
        get('/health').then(body => ({ok: true, body}), e => ({ok: false, error: e})),
        get('/api/v1/status').catch(e => (e.status === 404 ? null : {error: e})),
        checks.refresh().catch(() => { /* each part shows its own error */ }),
      ]);
      drawReadiness(readiness, ready, live);
      drawReplica(replica, status);
      drawStore(store, status);
      drawReplicas(replicas, status);
      last = new Date();
      tick();
    } finally {
      running = false;
      checkNow.disabled = false;
      main.removeAttribute('aria-busy');
    }
  };
  checkNow.addEventListener('click', check);
  const refresher = setInterval(check, seconds * 1000);
  const ticker = setInterval(tick, 1000);
  view.onCleanup(() => { clearInterval(refresher); clearInterval(ticker); });
  await check();
}

function drawReadiness(section, ready, live) {
  const body = ready.body || {};
  const isReady = ready.ok && body.status === 'ready';
  const unreachable = !ready.body;
  section.replaceChildren(
    h('h2', {id: 'health-ready-title'}, 'Readiness'),
    h('p', {class: 'verdict-line', id: 'health-ready'},
      isReady ? badge('Ready', 'ok') : unreachable ? badge('Unreachable', 'bad') : badge('Not ready', 'bad'), ' ',
      isReady ? 'The store answers, every environment\'s flags are compiled and this replica follows the store.'
        : unreachable ? `The server did not answer: ${ready.error && ready.error.message}.`
        : h('span', {id: 'health-reason'}, body.reason || 'no reason given')),
    h('dl', {class: 'facts'},
      h('dt', {}, 'Store'), h('dd', {}, unreachable ? '—' : body.store ? badge('Answers', 'ok') : badge('Unreachable', 'bad')),
      h('dt', {}, 'Flags'), h('dd', {}, unreachable ? '—' : body.snapshots ? badge('Loaded', 'ok') : badge('Not loaded', 'bad')),
      h('dt', {}, 'Process'), h('dd', {}, live.ok ? badge('Up', 'ok') : badge('Down', 'bad'),
        live.ok ? null : h('span', {class: 'muted'}, ` ${live.error && live.error.message}`))));
}

function drawReplica(section, status) {
  const title = h('h2', {id: 'health-replica-title'}, 'This replica');
  if (!status || status.error || !status.replica) {
    section.replaceChildren(title, unavailable(status));
    return;
  }
  const r = status.replica;
  section.replaceChildren(title, h('dl', {class: 'facts', id: 'health-this-replica'},
    h('dt', {}, 'Id'), h('dd', {}, h('code', {}, r.id)),
    h('dt', {}, 'Version'), h('dd', {}, r.version || '—'),
    h('dt', {}, 'Started'), h('dd', {}, when(r.startedAt), r.startedAt ? h('span', {class: 'muted'}, ` (${r.startedAt})`) : null),
    h('dt', {}, 'Role'), h('dd', {}, leaderBadge(r.leader))));
}

function drawStore(section, status) {
  const title = h('h2', {id: 'health-store-title'}, 'Store');
  if (!status || status.error || !status.store) {
    section.replaceChildren(title, unavailable(status));
    return;
  }
  const s = status.store;
  section.replaceChildren(title, h('dl', {class: 'facts', id: 'health-store'},
    h('dt', {}, 'Kind'), h('dd', {id: 'health-store-kind'}, storeName(s.kind)),
    h('dt', {}, 'Version'), h('dd', {}, s.version || '—')));
}

function drawReplicas(section, status) {
  const title = h('h2', {id: 'health-replicas-title'}, 'Replicas');
  if (status && !status.error && status.replicas === null) {
    section.replaceChildren(title, h('p', {}, badge('Unknown', 'warn'), ' The store cannot be read now, so the replicas that share it are not listed.'));
    return;
  }
  if (!status || status.error || !Array.isArray(status.replicas)) {
    section.replaceChildren(title, unavailable(status));
    return;
  }
  const self = status.replica && status.replica.id;
  const caption = `${status.replicas.length} replica${status.replicas.length === 1 ? '' : 's'} sharing the store`;
  section.replaceChildren(title, table(caption,
    ['Replica', 'Version', 'Started', 'Last seen', 'Role'],
    status.replicas.map(r => [
      [h('code', {}, r.id), r.id === self ? h('span', {class: 'muted'}, ' (this one)') : null],
      r.version || '—',
      when(r.startedAt),
      r.lastSeenAt ? when(r.lastSeenAt) : h('span', {class: 'muted'}, '—'),
      leaderBadge(r.leader),
    ]), {class: 'dense', id: 'health-replicas'}));
}

function leaderBadge(leader) {
  return leader ? badge('Leader', 'ok') : badge('Follower', 'off');
}

function storeName(kind) {
  const k = String(kind || '').toLowerCase();
  return k === 'sqlite' ? 'SQLite (embedded)' : k === 'postgresql' || k === 'postgres' ? 'PostgreSQL' : kind || '—';
}

function unavailable(status) {
  if (status && status.error) return errorBox(status.error);
  return h('p', {class: 'muted'}, 'Not reported by this server (it has no GET /api/v1/status yet).');
}
