// Import flags into the chosen environment from another tool's format: a flagd document (all or
// nothing, or as flagd takes it) or Unleash's client-features payload. The answer lists what was
// created, updated, kept and removed, and every warning; a refusal lists each problem.
import {api, path} from '../lib/api.js';
import {h, errorBox, notify, confirmChange, equivalents, put} from '../lib/dom.js';
import {isProtected} from '../lib/flags.js';

const FORMATS = {
  flagd: {label: 'flagd flag document', hint: 'The JSON file flagd reads: {"flags": {...}, "$evaluators": {...}}.'},
  unleash: {label: 'Unleash client features', hint: 'What Unleash\'s GET /api/client/features returns for one environment, segments included.'},
};

export async function render(view) {
  const {project, env, main} = view;
  main.append(h('div', {class: 'page-head'}, h('h1', {}, `Import into ${env}`), h('p', {class: 'muted'}, `${project} · ${env}`)));
  if (!view.canEdit) {
    main.append(h('p', {}, 'Importing changes flags: it takes the editor or admin role.'));
    return;
  }
  const format = h('select', {id: 'import-format'},
    Object.entries(FORMATS).map(([value, f]) => h('option', {value}, f.label)));
  const hint = h('p', {id: 'import-format-hint', class: 'hint'});
  const file = h('input', {id: 'import-file', type: 'file', accept: '.json,application/json'});
  const text = h('textarea', {id: 'import-text', class: 'code', rows: 12, spellcheck: 'false', autocomplete: 'off',
    'aria-describedby': 'import-format-hint'});
  const lenient = h('input', {id: 'import-lenient', type: 'checkbox'});
  const replace = h('input', {id: 'import-replace', type: 'checkbox'});
  const flagdOptions = h('fieldset', {class: 'import-options'},
    h('legend', {}, 'flagd options'),
    h('div', {}, lenient, h('label', {for: 'import-lenient'}, ' As flagd takes it: store flags that do not compile (they answer PARSE_ERROR) and list them as warnings')),
    h('div', {}, replace, h('label', {for: 'import-replace'}, ` Replace: remove the flags of ${env} that the document does not name`)));
  const result = h('div', {class: 'import-result', 'aria-live': 'polite'});
  const submit = h('button', {type: 'submit', class: 'primary'}, `Import into ${env}…`);
  const paintFormat = () => {
    hint.textContent = FORMATS[format.value].hint;
    flagdOptions.hidden = format.value !== 'flagd';
  };
  format.addEventListener('change', paintFormat);
  paintFormat();
  file.addEventListener('change', async () => {
    if (file.files.length) text.value = await file.files[0].text();
  });
  const form = h('form', {class: 'import-form', novalidate: true},
    h('div', {class: 'import-fields'},
      h('div', {}, h('label', {for: 'import-format'}, 'Format'), format, hint),
      h('div', {}, h('label', {for: 'import-file'}, 'File'), file)),
    h('label', {for: 'import-text'}, 'Document (JSON): chosen from a file, or pasted'), text,
    flagdOptions,
    h('div', {class: 'actions'}, submit),
    result);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    result.replaceChildren();
    let body;
    try {
      body = JSON.parse(text.value);
    } catch (err) {
      result.replaceChildren(h('p', {class: 'field-error', role: 'alert'}, `The document is not JSON: ${err.message}.`));
      text.focus();
      return;
    }
    const kind = format.value;
    const answer = await confirmChange({
      title: `Import into ${env}`,
      message: kind === 'flagd'
        ? `The flags the document names are created or replaced in ${env}${replace.checked ? `, and the other flags of ${env} are removed` : ''}. All or nothing.`
        : `Each Unleash feature becomes a flag in ${env} that answers as Unleash did (users keep their buckets). All or nothing.`,
      action: 'Import', danger: replace.checked, requireComment: isProtected(env)});
    if (!answer) return;
    const query = new URLSearchParams();
    if (kind === 'flagd' && lenient.checked) query.set('strict', 'false');
    if (kind === 'flagd' && replace.checked) query.set('mode', 'replace');
    const url = `${path`/api/v1/projects/${project}/environments/${env}`}/${kind}${query.size ? `?${query}` : ''}`;
    submit.disabled = true;
    try {
      const summary = await api('PUT', url, {body, comment: answer.comment});
      put(result, summaryOf(view, summary));
      notify(`Imported into ${env}.`);
    } catch (err) {
      result.replaceChildren(errorBox(err)); // the details list each flag or feature and why
    } finally {
      submit.disabled = false;
    }
  });
  main.append(form,
    equivalents([`rollgate import flagd flags.json --project ${project} --env ${env} [--lenient] [--replace] --comment "…"`,
      `rollgate import unleash features.json --project ${project} --env ${env} --comment "…"`],
      `PUT /api/v1/projects/${project}/environments/${env}/flagd[?strict=false&mode=replace]`,
      `PUT /api/v1/projects/${project}/environments/${env}/unleash`));
}

function summaryOf(view, summary) {
  const link = key => h('a', {href: view.url(`flags/${encodeURIComponent(key)}`)}, key);
  const list = (title, keys) => keys && keys.length
    ? h('div', {class: `import-${title.toLowerCase()}`}, h('h3', {}, `${title} (${keys.length})`),
      h('ul', {class: 'inline-list'}, keys.map(k => h('li', {}, link(k)))))
    : null;
  const warnings = summary.warnings || [];
  return h('section', {'aria-labelledby': 'import-done', class: 'import-summary'},
    h('h2', {id: 'import-done'}, 'Imported'),
    list('Created', summary.created), list('Updated', summary.updated),
    list('Unchanged', summary.unchanged), list('Removed', summary.removed),
    (summary.renamed || []).length
      ? h('div', {}, h('h3', {}, 'Renamed'), h('ul', {}, summary.renamed.map(r => h('li', {}, `${r.feature} → `, link(r.key)))))
      : null,
    warnings.length
      ? h('div', {class: 'import-warnings'}, h('h3', {}, `Warnings (${warnings.length})`),
        h('ul', {}, warnings.map(w => h('li', {}, h('strong', {}, w.flag || w.feature), ': ',
          w.path ? [h('code', {}, w.path), ' '] : null, w.message))))
      : null);
}
