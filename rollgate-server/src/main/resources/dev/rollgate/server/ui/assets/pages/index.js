// Every page of the UI, in navigation order. A page is one entry here and one module in this
// folder exporting render(view); an entry with `nav` gets a link in the top bar.
export const pages = [
  {id: 'flags', pattern: 'flags', nav: 'Flags', title: 'Flags', load: () => import('./flags.js')},
  {id: 'flag', pattern: 'flags/:flag', title: 'Flag', section: 'flags', load: () => import('./flag.js')},
  {id: 'rollout', pattern: 'flags/:flag/rollout', title: 'Rollout', section: 'flags', load: () => import('./rollout.js')},
  {id: 'stale', pattern: 'stale-flags', nav: 'Stale flags', title: 'Stale flags', load: () => import('./stale.js')},
  {id: 'import', pattern: 'import', nav: 'Import', title: 'Import', load: () => import('./import.js')},
  {id: 'experiments', pattern: 'experiments', nav: 'Experiments', title: 'Experiments', load: () => import('./experiments.js')},
  {id: 'experiment', pattern: 'experiments/:experiment', title: 'Experiment', section: 'experiments', load: () => import('./experiment.js')},
  {id: 'releases', pattern: 'releases', nav: 'Releases', title: 'Releases', load: () => import('./releases.js')},
  {id: 'release', pattern: 'releases/:release', title: 'Release', section: 'releases', load: () => import('./release.js')},
  {id: 'health', pattern: 'health', nav: 'Health', title: 'Health', load: () => import('./health.js')},
  {id: 'audit', pattern: 'audit', nav: 'Audit', title: 'Audit', load: () => import('./audit.js')},
  {id: 'settings', pattern: 'settings/:tab', nav: 'Settings', title: 'Settings', role: 'admin', defaults: {tab: 'tokens'}, load: () => import('./settings.js')},
];

/** The page an address names, with its parameters, or null. */
export function match(rest) {
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  for (const page of pages) {
    const pattern = page.pattern.split('/');
    const params = {...(page.defaults || {})};
    if (parts.length !== pattern.length && !(page.defaults && parts.length === pattern.length - 1)) continue;
    let ok = true;
    pattern.forEach((p, i) => {
      if (p.startsWith(':')) { if (parts[i] !== undefined) params[p.slice(1)] = parts[i]; }
      else if (p !== parts[i]) ok = false;
    });
    if (ok) return {page, params};
  }
  return null;
}
