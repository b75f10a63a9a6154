// Building the page: elements are made with h(), never from HTML strings, so nothing a flag,
// a comment or an audit payload contains can become markup.

/** An element: h('a', {href: '/x', class: 'y', onclick: fn}, 'text', child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      el.className = value;
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An SVG element (sparklines, the forest plot). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

/** Replaces an element's children, leaving out null, undefined and false (append would print them). */
export function put(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter(c => c !== null && c !== undefined && c !== false));
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** A state as word and colour together, never colour alone. */
export function badge(text, tone) {
  return h('span', {class: `badge ${tone || ''}`}, text);
}

export function stateBadge(state) {
  return state === 'ENABLED' ? badge('On', 'ok') : badge('Off', 'off');
}

/** When something happened, as a time element whose title is the exact instant. */
export function when(iso) {
  if (!iso) return h('span', {class: 'muted'}, 'never');
  const date = new Date(iso);
  return h('time', {datetime: iso, title: date.toISOString()}, relative(date));
}

export function relative(date, now = Date.now()) {
  const seconds = Math.round((now - date.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const [n, unit] =
    abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.round(abs / 60), 'min'] :
    abs < 86400 ? [Math.round(abs / 3600), 'h'] : [Math.round(abs / 86400), 'd'];
  return seconds >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/** A number with a fixed count of decimals, or an em dash when there is none. */
export function num(value, digits = 2) {
  return value === null || value === undefined || Number.isNaN(value) ? '—' : Number(value).toFixed(digits);
}

export function percent(value, digits = 1) {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)} %`;
}

/** A notice in the page's live region, read out by screen readers. */
export function notify(message, tone = 'ok') {
  const region = document.getElementById('notices');
  if (!region) return;
  const item = h('p', {class: `notice ${tone}`}, message);
  region.append(item);
  setTimeout(() => item.remove(), 8000);
}

/** An error from the API as the page shows it: message, code and request id. */
export function errorBox(error) {
  const body = error && error.body;
  return h('div', {class: 'error', role: 'alert'},
    h('strong', {}, body ? `${body.status} ${body.code}: ` : 'Error: '),
    body ? body.message : String(error && error.message || error),
    body && body.requestId ? h('span', {class: 'muted'}, ` (request ${body.requestId})`) : null,
    body && body.details ? h('ul', {}, body.details.map(d =>
      h('li', {}, [d.field || d.path, d.message].filter(Boolean).join(': ')))) : null);
}

/**
 * Asks before a change: a modal dialog with what will happen, an optional or required comment
 * (recorded in the audit trail), and, for the most dangerous changes, the word to type.
 * Resolves to {comment} when confirmed, null when cancelled.
 */
export function confirmChange({title, message, action = 'Confirm', danger = false,
    requireComment = false, typeToConfirm = null}) {
  return new Promise(resolve => {
    // Checked here rather than by the browser, so the reason is said in the dialog itself.
    const comment = h('textarea', {id: 'confirm-comment', rows: 2, maxlength: 1000,
      'aria-required': requireComment ? 'true' : null});
    const typed = typeToConfirm ? h('input', {id: 'confirm-typed', autocomplete: 'off',
      spellcheck: 'false'}) : null;
    const problem = h('p', {class: 'field-error', role: 'alert'});
    const ok = h('button', {type: 'submit', class: danger ? 'danger' : 'primary'}, action);
    const cancel = h('button', {type: 'button', value: 'cancel'}, 'Cancel');
    const form = h('form', {method: 'dialog', novalidate: true},
      h('h2', {id: 'confirm-title'}, title),
      h('p', {}, message),
      h('label', {for: 'confirm-comment'}, requireComment ? 'Comment (required, kept in the audit trail)' : 'Comment (kept in the audit trail)'),
      comment,
      typed ? [h('label', {for: 'confirm-typed'}, 'Type ', h('code', {}, typeToConfirm), ' to confirm'), typed] : null,
      problem,
      h('div', {class: 'actions'}, cancel, ok));
    const dialog = h('dialog', {'aria-labelledby': 'confirm-title', class: 'confirm'}, form);
    const close = result => { dialog.close(); dialog.remove(); resolve(result); };
    cancel.addEventListener('click', () => close(null));
    dialog.addEventListener('cancel', e => { e.preventDefault(); close(null); });
    form.addEventListener('submit', e => {
      e.preventDefault();
      const text = comment.value.trim();
      if (requireComment && !text) { problem.textContent = 'A comment is required.'; comment.focus(); return; }
      if (/[^\x20-\x7e\xa0-\xff]/.test(text)) { problem.textContent = 'The comment must be in Latin-1 characters (it travels in an HTTP header).'; comment.focus(); return; }
      if (typed && typed.value !== typeToConfirm) { problem.textContent = `Type ${typeToConfirm} exactly.`; typed.focus(); return; }
      close({comment: text || null});
    });
    document.body.append(dialog);
    dialog.showModal();
    (typed && !requireComment ? typed : comment).focus();
  });
}

/**
 * A table with a caption; rows are arrays of cells (nodes or text). Its wrapper scrolls sideways
 * on narrow screens, so it is a named, focusable region the keyboard can scroll.
 */
export function table(caption, headers, rows, attrs = {}) {
  return h('div', {class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': caption}, h('table', attrs,
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map(x => h('th', {scope: 'col'}, x)))),
    h('tbody', {}, rows.map(r => r instanceof Node ? r : h('tr', {}, r.map(c => h('td', {}, c)))))));
}

/** Says which CLI commands and API calls do what this page does (docs/cli.md, docs/server.md). */
export function equivalents(cli, ...calls) {
  const list = (label, items) => [h('p', {}, label), h('ul', {}, items.map(c => h('li', {}, h('code', {}, c))))];
  return h('details', {class: 'equivalents'},
    h('summary', {}, 'CLI and API equivalents'),
    ...list('CLI', cli), ...list('API', calls));
}
