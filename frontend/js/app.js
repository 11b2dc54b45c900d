// The app shell: hash routes (#/chat, #/prompts, #/compare, #/tokenizer), each view a module in
// ./views/<name>.js exporting mount(container) and optionally unmount(). Views load on first
// visit, so one view's failure never breaks the others.
import { el, replace, errorBox } from './dom.js';
import { getApiKey, setApiKey } from './api.js';

export const VIEWS = ['chat', 'prompts', 'compare', 'tokenizer'];
const TITLES = { chat: 'Chat', prompts: 'Prompts', compare: 'Compare', tokenizer: 'Tokenizer' };

const container = document.getElementById('view');
let current = null; // {name, module}
let generation = 0; // guards against a slow import finishing after the user moved on

/** The view and the rest of the hash: #/prompts/qa/answer-check -> {name: 'prompts', rest: 'qa/answer-check'}. */
export function parseRoute(hash = location.hash) {
  const path = hash.replace(/^#\/?/, '');
  const [name, ...rest] = path.split('/');
  return { name: VIEWS.includes(name) ? name : 'chat', rest: rest.join('/') };
}

async function route() {
  const { name, rest } = parseRoute();
  document.querySelectorAll('.app-nav a').forEach((a) => a.setAttribute('aria-current', a.dataset.view === name ? 'page' : 'false'));
  if (current && current.name === name) {
    if (current.module.onRoute) current.module.onRoute(rest);
    return;
  }
  const mine = ++generation;
  if (current && current.module.unmount) {
    try { current.module.unmount(); } catch (e) { console.warn('unmount failed', e); }
  }
  current = null;
  replace(container, el('p', { class: 'muted loading', text: 'Loading…' }));
  document.title = `${TITLES[name]} · Quill`;
  document.body.dataset.view = name;
  let module;
  try {
    module = await import(`./views/${name}.js`);
  } catch (e) {
    if (mine !== generation) return;
    replace(container, errorBox({ message: `the ${TITLES[name]} view could not be loaded: ${e.message}` }));
    return;
  }
  if (mine !== generation) return;
  replace(container);
  current = { name, module };
  try {
    await module.mount(container, { rest });
  } catch (e) {
    console.warn(e);
    container.prepend(errorBox(e));
  }
}

// ---- theme: follows the system unless the user picked one (kept in localStorage)
const THEME_KEY = 'quill.theme';
function applyTheme(theme) {
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}
function effectiveTheme() {
  return document.documentElement.dataset.theme
    || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}
try { applyTheme(localStorage.getItem(THEME_KEY)); } catch { /* no storage */ }
document.getElementById('theme-toggle').addEventListener('click', () => {
  const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
  applyTheme(next);
  try { localStorage.setItem(THEME_KEY, next); } catch { /* no storage */ }
});

// ---- API key: only needed when the server sets quill.api-keys
const keyButton = document.getElementById('api-key-button');
function showKeyState() {
  keyButton.textContent = getApiKey() ? 'Key ✓' : 'Key';
}
keyButton.addEventListener('click', () => {
  const input = el('input', { type: 'password', id: 'api-key-input', placeholder: 'API key', autocomplete: 'off' });
  input.value = getApiKey();
  const dialog = el('dialog', { class: 'key-dialog' },
    el('form', { method: 'dialog' },
      el('h3', { text: 'API key' }),
      el('p', { class: 'muted', text: 'Sent as "Authorization: Bearer …" to this server only, and kept in this browser.' }),
      input,
      el('div', { class: 'row end' },
        el('button', { type: 'submit', value: 'cancel', class: 'ghost', text: 'Cancel', formnovalidate: true }),
        el('button', { type: 'submit', value: 'save', text: 'Save' }))));
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'save') setApiKey(input.value.trim());
    showKeyState();
    dialog.remove();
  });
  document.body.appendChild(dialog);
  dialog.showModal();
});
showKeyState();

window.addEventListener('hashchange', route);
if (!location.hash) history.replaceState(null, '', '#/chat');
route();
