// The shell: who is signed in, the top bar (project and environment, the same on every page),
// and the router that draws the page an address names. Addresses:
//   /ui/p/{project}/{environment}/{page...}   every page, so any of them can be pasted and shared
//   /ui/sign-in?next=...                      the sign-in form
import {api, get, path, useSession} from './lib/api.js';
import {h, clear, errorBox} from './lib/dom.js';
import {pages, match} from './pages/index.js';

const root = document.getElementById('app');
let session = null;
let cleanups = [];
// Each route() takes a number; a page whose number is no longer the latest stops drawing, so a
// slow page cannot draw over the one the user went to next.
let routeNumber = 0;
let projectsCache = null;
const environmentsCache = new Map();

export function navigate(url, {replace = false} = {}) {
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
  route();
}

/** The address of a page in a project and environment. */
export function pageUrl(project, env, rest = 'flags') {
  return `/ui/p/${encodeURIComponent(project)}/${encodeURIComponent(env)}/${rest}`;
}

function signInUrl(reason) {
  const next = location.pathname.startsWith('/ui/sign-in') ? '/ui/' : location.pathname + location.search;
  return `/ui/sign-in?next=${encodeURIComponent(next)}${reason ? `&reason=${reason}` : ''}`;
}

function signedOut() {
  session = null;
  useSession(null);
  if (!location.pathname.startsWith('/ui/sign-in')) navigate(signInUrl('expired'), {replace: true});
}

async function route() {
  const number = ++routeNumber;
  cleanups.forEach(fn => { try { fn(); } catch { /* a page's own leftovers */ } });
  cleanups = [];
  const url = new URL(location.href);
  if (url.pathname.startsWith('/ui/sign-in')) {
    return render(number, null, {page: {id: 'sign-in', title: 'Sign in', load: () => import('./pages/signin.js')}, params: {}});
  }
  const m = url.pathname.match(/^\/ui\/p\/([^/]+)\/([^/]+)(\/.*)?$/);
  if (!session) {
    // The page's project lists are asked for beside the session, not after it.
    if (m) environmentList(decodeURIComponent(m[1])).catch(() => {});
    projectList().catch(() => {});
    try {
      session = await get('/api/v1/session');
      useSession(session, signedOut);
    } catch (e) {
      if (e.status === 401 || e.status === 404) {
        const expired = e.body && e.body.code === 'session_expired';
        return navigate(signInUrl(expired ? 'expired' : null), {replace: true});
      }
      return fatal(e);
    }
  }
  if (!m) return goHome();
  const project = decodeURIComponent(m[1]);
  const env = decodeURIComponent(m[2]);
  const found = match(m[3] || '/flags');
  if (!found) return render(number, {project, env}, {page: {id: 'missing', title: 'Not found', load: async () => ({render: v => v.main.append(h('h1', {}, 'No such page'), h('p', {}, h('a', {href: pageUrl(project, env)}, 'Go to the flags')))})}, params: {}});
  return render(number, {project, env}, found);
}

async function goHome() {
  try {
    const projects = await projectList();
    const project = projects.find(p => p.key === 'default') || projects[0];
    if (!project) return fatal(new Error('There is no project yet: create one with POST /api/v1/projects.'));
    navigate(pageUrl(project.key, defaultEnvironment(await environmentList(project.key))), {replace: true});
  } catch (e) { fatal(e); }
}

/** The environment a project opens in: production, else its first. */
function defaultEnvironment(envs) {
  const env = envs.find(e => e.key === 'production') || envs[0];
  return env ? env.key : '-';
}

// Kept as promises, so that asking twice while the first answer is on its way asks once; a
// failed answer is forgotten, so the next page asks again.
function projectList() {
  if (!projectsCache) {
    projectsCache = get('/api/v1/projects').then(r => r.items);
    projectsCache.catch(() => { projectsCache = null; });
  }
  return projectsCache;
}

function environmentList(project) {
  if (!environmentsCache.has(project)) {
    const items = get(path`/api/v1/projects/${project}/environments`).then(r => r.items);
    items.catch(() => environmentsCache.delete(project));
    environmentsCache.set(project, items);
  }
  return environmentsCache.get(project);
}

/** Forgets cached projects and environments after the settings page changed them. */
export function invalidateScopes() {
  projectsCache = null;
  environmentsCache.clear();
}

async function render(number, scope, {page, params}) {
  const main = h('main', {id: 'main', tabindex: '-1'});
  const current = () => number === routeNumber;
  const canEdit = session && (session.role === 'admin' || session.role === 'editor');
  const view = {
    page, params, main, session, canEdit, isAdmin: session && session.role === 'admin',
    project: scope && scope.project, env: scope && scope.env,
    environments: scope ? await environmentList(scope.project).catch(() => []) : [],
    url: rest => pageUrl(scope.project, scope.env, rest),
    // A page left before it finished drawing is cleaned up at once.
    navigate, onCleanup: fn => { if (current()) cleanups.push(fn); else fn(); }, setSession: s => { session = s; useSession(s, signedOut); },
    setTitle: t => { document.title = `${t} · Rollgate`; },
  };
  if (!current()) return;
  clear(root);
  if (scope) root.append(topBar(view));
  root.append(h('div', {id: 'notices', class: 'notices', 'aria-live': 'polite'}), main);
  view.setTitle(scope ? `${page.title} · ${scope.project}/${scope.env}` : page.title);
  if (page.role === 'admin' && !view.isAdmin) {
    main.append(h('h1', {}, page.title), h('p', {}, 'Only admins see this page.'));
    return;
  }
  try {
    const module = await page.load();
    if (!current()) return;
    await module.render(view);
    // When the page became usable: the browser tests measure it (docs/benchmarks.md).
    performance.mark(`rollgate:ready:${page.id}`);
  } catch (e) {
    if (e.status === 401) return;
    main.append(errorBox(e));
  }
  main.focus({preventScroll: true});
}

function topBar(view) {
  const current = view.page.section || view.page.id;
  const projectSelect = h('select', {id: 'scope-project', onchange: async e => {
    const envs = await environmentList(e.target.value).catch(() => []);
    navigate(pageUrl(e.target.value, defaultEnvironment(envs)));
  }});
  const envSelect = h('select', {id: 'scope-env', onchange: e => navigate(scopeSwitch(view, e.target.value))});
  projectList().then(projects => projects.forEach(p =>
    projectSelect.append(h('option', {value: p.key, selected: p.key === view.project}, p.name || p.key)))).catch(() => {});
  view.environments.forEach(e => envSelect.append(h('option', {value: e.key, selected: e.key === view.env}, e.name || e.key)));
  const signOut = h('button', {type: 'button', class: 'link', onclick: async () => {
    try { await api('DELETE', '/api/v1/session'); } catch { /* signed out either way */ }
    session = null; useSession(null);
    navigate('/ui/sign-in?reason=signed-out', {replace: true});
  }}, 'Sign out');
  return h('header', {class: 'top'},
    h('a', {class: 'brand', href: view.url('flags')}, h('img', {src: '/ui/assets/icon.svg', alt: '', width: 24, height: 24}), 'Rollgate'),
    h('div', {class: 'scope'},
      h('label', {for: 'scope-project'}, 'Project'), projectSelect,
      h('label', {for: 'scope-env'}, 'Environment'), envSelect),
    h('nav', {'aria-label': 'Main'}, h('ul', {}, pages.filter(p => p.nav && (!p.role || p.role === view.session.role)).map(p =>
      h('li', {}, h('a', {href: view.url(p.pattern.split('/:')[0]), 'aria-current': p.id === current ? 'page' : null}, p.nav))))),
    h('div', {class: 'who'}, h('span', {}, view.session.name, ' ', h('span', {class: 'badge role'}, view.session.role)), signOut));
}

/** The same page in another environment (a flag stays the flag; a detail page goes to its list). */
function scopeSwitch(view, env) {
  const rest = location.pathname.split('/').slice(5).join('/');
  const lists = {experiment: 'experiments', release: 'releases'};
  const keep = lists[view.page.id] || rest || 'flags';
  return pageUrl(view.project, env, keep);
}

function fatal(e) {
  clear(root).append(h('main', {id: 'main'}, h('h1', {}, 'Rollgate'), errorBox(e)));
}

// Links inside the UI change the page without reloading it.
document.addEventListener('click', e => {
  const a = e.target.closest && e.target.closest('a[href^="/ui/"]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', route);
route();
