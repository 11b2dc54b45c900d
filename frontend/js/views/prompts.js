// Prompts: browse and search the template library, a template's versions and labels, side-by-side
// diff of any two versions, edit and save as a new version (a 409 shows what changed meanwhile),
// move labels, linter findings with one-click rewrites, and a live preview with its token count.
import { el, replace, clear, showError, debounce, field } from '../dom.js';
import { getJson, postJson, putJson, promptPath, ApiError } from '../api.js';

const RULES = ['itemize', 'decompose', 'restrain', 'pattern', 'specialize'];

let root = null;
let s = null; // view state

export async function mount(container, { rest } = {}) {
  root = container;
  if (!document.querySelector('link[href="./css/prompts.css"]')) {
    document.head.appendChild(el('link', { rel: 'stylesheet', href: './css/prompts.css' }));
  }
  s = { name: null, latest: null, versions: [], labels: {}, base: null, models: [], lintAbort: null, previewAbort: null };
  const search = el('input', { id: 'prompt-search', type: 'search', placeholder: 'Search name, description, tags', 'aria-label': 'Search prompts' });
  search.addEventListener('input', debounce(() => loadList(search.value), 200));
  const list = el('ul', { id: 'prompt-list', class: 'prompt-list' });
  const detail = el('div', { id: 'prompt-detail', class: 'prompt-detail' },
    el('p', { class: 'muted', text: 'Choose a template on the left.' }));
  s.nodes = { search, list, detail };
  replace(container, el('section', { class: 'prompts-view' },
    el('aside', { class: 'prompt-side panel' }, search, list), detail));
  await Promise.all([loadModels(), loadList('')]);
  const wanted = rest ? decodeURIComponent(rest) : null;
  if (wanted) await select(wanted);
}

export function unmount() {
  s?.lintAbort?.abort();
  s?.previewAbort?.abort();
  root = null;
  s = null;
}

export function onRoute(rest) {
  if (rest && s && decodeURIComponent(rest) !== s.name) select(decodeURIComponent(rest));
}

/** The usable models, the server's default model first (it counts the tokens unless the user picks another). */
async function loadModels() {
  try {
    const [r, tokenizers] = await Promise.all([getJson('/v1/models'), getJson('/api/tokenizers').catch(() => ({}))]);
    const ids = (r.data || []).filter((m) => !m.error).map((m) => m.id);
    const def = tokenizers.default;
    s.models = ids.includes(def) ? [def, ...ids.filter((id) => id !== def)] : ids;
  } catch { s.models = []; }
}

async function loadList(q) {
  try {
    const r = await getJson('/api/prompts' + (q ? '?q=' + encodeURIComponent(q) : ''));
    if (!s) return;
    replace(s.nodes.list, (r.data || []).map((p) => el('li', {},
      el('button', { type: 'button', class: ['prompt-item', p.name === s.name ? 'active' : ''], dataset: { name: p.name },
        on: { click: () => { location.hash = '#/prompts/' + p.name; } } },
      el('span', { class: 'prompt-name', text: p.name }),
      el('small', { class: 'muted', text: `v${p.latest_version} · ${p.description || ''}` })))));
    if (!r.data || !r.data.length) s.nodes.list.appendChild(el('li', { class: 'muted', text: 'No template matches.' }));
  } catch (e) {
    showError(s.nodes.list.parentElement, e);
  }
}

/** Opens a template: its latest version in the editor, history, labels, diff, lint and preview. */
async function select(name) {
  s.name = name;
  s.nodes.list.querySelectorAll('.prompt-item').forEach((b) => b.classList.toggle('active', b.dataset.name === name));
  const detail = s.nodes.detail;
  replace(detail, el('p', { class: 'muted', text: 'Loading ' + name + '…' }));
  try {
    const [latest, versions] = await Promise.all([getJson(promptPath(name)), getJson(promptPath(name) + '/versions')]);
    if (!s || s.name !== name) return;
    s.latest = latest;
    s.base = latest.version;
    s.versions = versions.data;
    s.labels = versions.labels || {};
    renderDetail();
  } catch (e) {
    replace(detail);
    showError(detail, e);
  }
}

function renderDetail() {
  const t = s.latest;
  const detail = s.nodes.detail;
  const editor = el('textarea', { id: 'prompt-editor', rows: 18, spellcheck: false, 'aria-label': 'Template file text' });
  editor.value = t.content;
  const message = el('input', { id: 'prompt-message', placeholder: 'What changed (version message)', 'aria-label': 'Version message' });
  const status = el('span', { id: 'prompt-save-status', class: 'muted', role: 'status' });
  const saveButton = el('button', { id: 'prompt-save', type: 'button', text: 'Save as new version', on: { click: () => saveVersion() } });
  const conflict = el('div', { id: 'prompt-conflict' });
  const lint = el('ul', { id: 'prompt-lint', class: 'lint-list' });
  editor.addEventListener('input', debounce(() => runLint(), 300));
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); saveVersion(); }
  });
  s.nodes = { ...s.nodes, editor, message, status, conflict, lint };

  replace(detail,
    el('div', { class: 'prompt-head' },
      el('h2', { text: t.name }),
      el('div', { class: 'row', id: 'prompt-labels' }, labelBadges())),
    el('p', { class: 'muted', text: (t.template && t.template.description) || '' }),
    el('div', { class: 'prompt-grid' },
      el('section', { class: 'panel prompt-edit' },
        el('h3', { text: `Edit (from version ${s.base})` }),
        editor,
        el('div', { class: 'row' }, message, saveButton, status),
        el('small', { class: 'hint', text: 'Ctrl+Enter saves. Saving identical text makes no version; if someone saved meanwhile you get their changes to compare.' }),
        conflict,
        el('h3', { text: 'Linter' }), lint),
      el('section', { class: 'panel prompt-preview-panel' }, previewPanel())),
    el('section', { class: 'panel' }, historyPanel()),
    el('section', { class: 'panel' }, diffPanel()));
  runLint();
  runPreview();
  if (s.versions.length > 1) showDiff(s.versions.length - 1, s.versions.length);
}

function labelBadges() {
  const entries = Object.entries(s.labels).filter(([label]) => label !== 'latest');
  return [el('span', { class: 'badge accent', text: `latest → v${s.versions.length ? s.versions[s.versions.length - 1].version : '?'}` }),
    entries.map(([label, v]) => el('span', { class: 'badge', dataset: { label }, text: `${label} → v${v}` }))];
}

// ---- history and labels

function historyPanel() {
  const byVersion = {};
  for (const [label, v] of Object.entries(s.labels).filter(([l]) => l !== 'latest')) (byVersion[v] = byVersion[v] || []).push(label);
  const rows = s.versions.slice().reverse().map((v) => el('tr', { dataset: { version: String(v.version) } },
    el('td', { text: 'v' + v.version }),
    el('td', { class: 'plain', text: v.message || '' }),
    el('td', { class: 'muted', text: new Date(v.created).toLocaleString() }),
    el('td', {}, (byVersion[v.version] || []).map((l) => el('span', { class: 'badge', text: l }))),
    el('td', {}, el('button', { type: 'button', class: 'ghost small', text: 'Diff with previous', disabled: v.version === 1,
      on: { click: () => showDiff(v.version - 1, v.version) } }))));
  const labelName = el('input', { id: 'label-name', placeholder: 'label, e.g. production', 'aria-label': 'Label', value: 'production' });
  const labelVersion = el('select', { id: 'label-version', 'aria-label': 'Version for the label' },
    s.versions.slice().reverse().map((v) => el('option', { value: String(v.version), text: 'v' + v.version })));
  const moveStatus = el('span', { class: 'muted', role: 'status' });
  const box = el('div', {},
    el('h3', { text: `History (${s.versions.length} version${s.versions.length === 1 ? '' : 's'})` }),
    el('div', { class: 'table-wrap' }, el('table', { id: 'prompt-history', class: 'history' },
      el('thead', {}, el('tr', {}, ['Version', 'Message', 'Saved', 'Labels', ''].map((h) => el('th', { text: h })))),
      el('tbody', {}, rows))),
    el('div', { class: 'row label-move' }, el('span', { text: 'Move label' }), labelName, el('span', { text: 'to' }), labelVersion,
      el('button', { id: 'label-move', type: 'button', class: 'ghost', text: 'Move', on: { click: async () => {
        try {
          const r = await putJson(promptPath(s.name) + '/labels/' + encodeURIComponent(labelName.value.trim()),
            { version: Number(labelVersion.value) });
          s.labels = r.labels;
          moveStatus.textContent = `${r.label} → v${r.version}`;
          replace(document.getElementById('prompt-labels'), labelBadges());
          box.replaceWith(historyPanel());
        } catch (e) { showError(box, e); }
      } } }), moveStatus));
  return box;
}

// ---- diff

function versionSelect(id, selected) {
  return el('select', { id, 'aria-label': id === 'diff-from' ? 'Diff from version' : 'Diff to version' },
    s.versions.map((v) => el('option', { value: String(v.version), text: 'v' + v.version, selected: v.version === selected })));
}

function diffPanel() {
  const last = s.versions.length;
  const from = versionSelect('diff-from', Math.max(1, last - 1));
  const to = versionSelect('diff-to', last);
  const out = el('div', { id: 'prompt-diff' }, el('p', { class: 'muted', text: last > 1 ? '' : 'Only one version so far.' }));
  const update = () => showDiff(Number(from.value), Number(to.value));
  from.addEventListener('change', update);
  to.addEventListener('change', update);
  s.nodes.diff = out;
  return el('div', {}, el('h3', { text: 'Compare versions' }),
    el('div', { class: 'row' }, field('From', from), field('To', to)), out);
}

async function showDiff(a, b) {
  const out = s.nodes.diff || document.getElementById('prompt-diff');
  const from = document.getElementById('diff-from');
  const to = document.getElementById('diff-to');
  if (from) from.value = String(a);
  if (to) to.value = String(b);
  try {
    const d = await getJson(`${promptPath(s.name)}/diff?from=${a}&to=${b}`);
    replace(out, renderDiff(d));
  } catch (e) {
    replace(out);
    showError(out, e);
  }
}

/** Field changes, then each section's hunks with old lines on the left and new ones on the right. */
export function renderDiff(d) {
  const parts = [];
  if (d.fields && d.fields.length) {
    parts.push(el('ul', { class: 'diff-fields' }, d.fields.map((f) => el('li', {},
      el('code', { text: f.field }), ': ',
      el('span', { class: 'del', text: f.before === null ? '(none)' : JSON.stringify(f.before) }), ' → ',
      el('span', { class: 'add', text: f.after === null ? '(none)' : JSON.stringify(f.after) })))));
  }
  for (const section of d.sections || []) {
    const rows = [];
    for (const hunk of section.hunks) {
      rows.push(el('tr', { class: 'hunk' }, el('td', { colspan: 4, text: `@@ -${hunk.oldStart ?? hunk.old_start},${hunk.oldCount ?? hunk.old_count} +${hunk.newStart ?? hunk.new_start},${hunk.newCount ?? hunk.new_count} @@` })));
      const lines = hunk.lines;
      for (let i = 0; i < lines.length;) {
        if (lines[i].op === ' ') {
          rows.push(diffRow(lines[i], lines[i]));
          i++;
          continue;
        }
        const del = [];
        const add = [];
        while (i < lines.length && lines[i].op === '-') del.push(lines[i++]);
        while (i < lines.length && lines[i].op === '+') add.push(lines[i++]);
        for (let k = 0; k < Math.max(del.length, add.length); k++) rows.push(diffRow(del[k], add[k]));
      }
    }
    parts.push(el('h4', { text: section.section }),
      el('div', { class: 'table-wrap' }, el('table', { class: 'diff-table' }, el('tbody', {}, rows))));
  }
  if (!parts.length) parts.push(el('p', { class: 'muted', text: `v${d.from} and v${d.to} are the same.` }));
  return [el('p', { class: 'muted', text: `v${d.from} → v${d.to}` }), ...parts];
}

function diffRow(left, right) {
  const same = left && right && left.op === ' ';
  const num = (l, which) => (l ? String(which === 'old' ? (l.oldLine ?? l.old_line) : (l.newLine ?? l.new_line)) : '');
  return el('tr', {},
    el('td', { class: 'ln', text: num(left, 'old') }),
    el('td', { class: ['code', left ? (same ? '' : 'del') : 'empty'], text: left ? left.text : '' }),
    el('td', { class: 'ln', text: num(right, 'new') }),
    el('td', { class: ['code', right ? (same ? '' : 'add') : 'empty'], text: right ? right.text : '' }));
}

// ---- save

async function saveVersion() {
  const { editor, message, status, conflict } = s.nodes;
  clear(conflict);
  status.textContent = 'Saving…';
  try {
    const r = await postJson(promptPath(s.name) + '/versions',
      { base_version: s.base, content: editor.value, message: message.value.trim() || undefined });
    if (!r.created) {
      status.textContent = `No change: identical to v${r.version}.`;
      return;
    }
    const text = editor.value;
    await select(s.name);
    s.nodes.editor.value = text;
    s.nodes.status.textContent = `Saved as v${r.version}.`;
  } catch (e) {
    status.textContent = '';
    if (e instanceof ApiError && e.status === 409) showConflict(e);
    else showError(conflict, e);
  }
}

/** Someone saved meanwhile: show what they changed since our base, and let the user choose. */
async function showConflict(e) {
  const current = e.body && e.body.error && e.body.error.current_version;
  const box = el('div', { class: 'conflict error-box', role: 'alert' },
    el('strong', { text: `Not saved (${e.status}): ` }),
    el('span', { class: 'error-message', text: e.message }));
  replace(s.nodes.conflict, box);
  if (!current) return;
  const diff = el('div', { class: 'conflict-diff' }, el('p', { class: 'muted', text: 'Loading their changes…' }));
  box.appendChild(el('div', { class: 'grow' },
    el('p', { text: `Version ${current} was saved after v${s.base}, which you edited. Their changes:` }), diff,
    el('div', { class: 'row' },
      el('button', { type: 'button', class: 'ghost', text: 'Discard mine, load v' + current, on: { click: () => select(s.name) } }),
      el('button', { type: 'button', text: `Keep mine, save on top of v${current}`,
        on: { click: () => { s.base = current; saveVersion(); } } }))));
  try {
    replace(diff, renderDiff(await getJson(`${promptPath(s.name)}/diff?from=${s.base}&to=${current}`)));
  } catch (err) {
    replace(diff);
    showError(diff, err);
  }
}

// ---- lint

async function runLint() {
  s.lintAbort?.abort();
  const controller = new AbortController();
  s.lintAbort = controller;
  const list = s.nodes.lint;
  try {
    const r = await postJson('/api/prompts/lint', { content: s.nodes.editor.value }, { signal: controller.signal });
    if (s.lintAbort !== controller) return;
    replace(list, r.findings.length ? r.findings.map(findingItem)
      : el('li', { class: 'muted', text: 'No findings: the reframing rules have nothing to add.' }));
  } catch (e) {
    if (e.name === 'AbortError' || !s || s.lintAbort !== controller) return;
    replace(list, el('li', {}, el('div', { class: 'error-box', role: 'alert' }, el('strong', { text: `Error ${e.status || ''}: ` }),
      el('span', { class: 'error-message', text: e.message }))));
  }
}

function findingItem(f) {
  return el('li', { class: 'finding', dataset: { rule: f.rule } },
    el('div', { class: 'row' }, el('span', { class: 'badge accent', text: f.rule }), el('small', { class: 'muted', text: f.location })),
    f.excerpt ? el('blockquote', { class: 'plain excerpt', text: f.excerpt }) : null,
    el('div', { text: f.message }),
    f.replacement
      ? el('div', { class: 'rewrite' }, el('div', { class: 'plain add', text: f.replacement }),
        el('button', { type: 'button', class: 'small apply-rewrite', text: 'Apply rewrite', on: { click: () => applyRewrite(f) } }))
      : el('div', { class: 'hint', text: f.suggestion }));
}

/** Replaces the finding's excerpt in the file text: the occurrence after the front matter. */
function applyRewrite(f) {
  const editor = s.nodes.editor;
  const text = editor.value;
  const frontEnd = text.startsWith('---') ? text.indexOf('\n---', 3) : -1;
  let at = text.indexOf(f.excerpt, frontEnd < 0 ? 0 : frontEnd);
  if (at < 0) at = text.indexOf(f.excerpt);
  if (at < 0) {
    showError(s.nodes.conflict, new Error('the text changed since this finding; lint again'));
    return;
  }
  editor.value = text.slice(0, at) + f.replacement + text.slice(at + f.excerpt.length);
  editor.focus();
  editor.setSelectionRange(at, at + f.replacement.length);
  runLint();
}

// ---- preview

function previewPanel() {
  const t = s.latest.template || {};
  const vars = (t.variables || []).map((v) => {
    const def = v.defaultValue ?? v.default;
    const input = el('textarea', { rows: 2, dataset: { var: v.name }, 'aria-label': v.name,
      placeholder: def !== null && def !== undefined ? `default: ${def}` : '' });
    input.value = v.example ?? '';
    input.addEventListener('input', debounce(runPreview, 300));
    return field(v.name + (v.required ? ' *' : ''), input, v.description);
  });
  const rules = el('div', { class: 'row', id: 'preview-rules' }, RULES.map((r) => {
    const box = el('input', { type: 'checkbox', value: r });
    box.addEventListener('change', runPreview);
    return el('label', { class: 'row' }, box, r);
  }));
  const model = el('select', { id: 'preview-model', 'aria-label': 'Model for the token count' },
    el('option', { value: '', text: '(no token count)' }),
    s.models.map((m, i) => el('option', { value: m, text: m, selected: i === 0 })));
  model.addEventListener('change', runPreview);
  s.nodes.previewModel = model;
  s.nodes.preview = el('div', { id: 'prompt-preview', class: 'preview' });
  s.nodes.previewTokens = el('span', { id: 'preview-tokens', class: 'badge accent' });
  return el('div', {},
    el('h3', { text: `Preview (v${s.base})` }),
    el('form', { id: 'prompt-vars', on: { submit: (e) => e.preventDefault() } }, vars.length ? vars : el('p', { class: 'muted', text: 'No variables.' })),
    field('Reframing rules', rules),
    el('div', { class: 'row' }, field('Count tokens with', model), s.nodes.previewTokens),
    s.nodes.preview);
}

async function runPreview() {
  if (!s || !s.nodes.preview) return;
  s.previewAbort?.abort();
  const controller = new AbortController();
  s.previewAbort = controller;
  const variables = {};
  s.nodes.detail.querySelectorAll('[data-var]').forEach((i) => { if (i.value !== '') variables[i.dataset.var] = i.value; });
  // A required variable left empty would only get a 422: say what is missing instead.
  const missing = ((s.latest.template || {}).variables || [])
    .filter((v) => v.required && (v.defaultValue ?? v.default) == null && !(v.name in variables)).map((v) => v.name);
  if (missing.length) {
    s.nodes.previewTokens.textContent = '';
    replace(s.nodes.preview, el('p', { class: 'muted preview-missing', text: 'Fill in ' + missing.join(', ') + ' to see the rendered prompt.' }));
    return;
  }
  const rules = [...s.nodes.detail.querySelectorAll('#preview-rules input:checked')].map((b) => b.value);
  const model = s.nodes.previewModel.value;
  const out = s.nodes.preview;
  try {
    const r = await postJson(promptPath(s.name) + '/render',
      { version: s.base, variables, rules, ...(model ? { model } : {}) }, { signal: controller.signal });
    if (s.previewAbort !== controller) return;
    s.nodes.previewTokens.textContent = r.tokens !== undefined && r.tokens !== null ? `${r.tokens} tokens` : '';
    const blocks = r.messages
      ? r.messages.map((m) => el('div', { class: 'msg' }, el('span', { class: 'badge', text: m.role }), el('div', { class: 'plain', text: m.content })))
      : [el('div', { class: 'plain', text: r.text })];
    const changes = (r.changes || []).map((c) => el('li', {}, el('span', { class: 'badge', text: c.rule }), ' ', c.explanation || ''));
    replace(out, blocks, changes.length ? el('details', {}, el('summary', { text: `${changes.length} reframing change(s)` }), el('ul', {}, changes)) : null);
  } catch (e) {
    if (e.name === 'AbortError' || !s || s.previewAbort !== controller) return;
    s.nodes.previewTokens.textContent = '';
    replace(out);
    showError(out, e);
  }
}
