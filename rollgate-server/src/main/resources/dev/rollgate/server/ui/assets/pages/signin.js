import {api} from '../lib/api.js';
import {h, errorBox} from '../lib/dom.js';

const REASONS = {
  'expired': 'Your session expired or was signed out. Sign in again.',
  'signed-out': 'You are signed out.',
};

export async function render(view) {
  const params = new URLSearchParams(location.search);
  const next = params.get('next');
  // Only addresses of the UI itself: the form must not send anyone elsewhere.
  const target = next && /^\/ui\/[^/\\]/.test(next) && !next.startsWith('/ui/sign-in') ? next : '/ui/';
  const token = h('input', {id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false'});
  const problem = h('div');
  const form = h('form', {class: 'sign-in', onsubmit: async e => {
    e.preventDefault();
    problem.replaceChildren();
    try {
      const session = await api('POST', '/api/v1/session', {body: {token: token.value.trim()}});
      token.value = '';
      view.setSession(session);
      view.navigate(target, {replace: true});
    } catch (err) {
      problem.append(errorBox(err));
      token.focus();
    }
  }},
    h('h1', {}, 'Sign in to Rollgate'),
    REASONS[params.get('reason')] ? h('p', {class: 'notice', role: 'status'}, REASONS[params.get('reason')]) : null,
    h('label', {for: 'token'}, 'API token'),
    token,
    h('p', {class: 'hint'}, 'An admin, editor or viewer token (rgt_…). It is exchanged for a session cookie and not kept in the browser.'),
    problem,
    h('button', {type: 'submit', class: 'primary'}, 'Sign in'));
  view.main.append(form);
  token.focus();
}
