// Tokenizer inspector: text in, tokens out as coloured spans for one or several tokenizers side by
// side (served models', vocabulary files', and the reference tokenizers shipped with Quill).
// Whitespace is made visible, pieces of characters are shown as bytes, ids are on hover or inline.
import { el, replace, showError, debounce, formatNumber } from '../dom.js';
import { getJson, postJson } from '../api.js';

const STORAGE = 'quill.tokenizer';
const REFERENCES = ['r50k_base', 'cl100k_base', 'o200k_base'];

/** Presets: the text and why it is interesting. */
export const PRESETS = {
  numbers: {
    label: 'Numbers',
    text: '1234567890\n3.14159 and 2.71828\n1999 2024 1850\n12345 × 6789 = 83810205\n$1,299.99',
    explain: 'How a number splits decides what the model sees. GPT-2 (r50k) merges digit runs as its '
      + 'training data happened to (1234567890 → 123|45|678|90), so the same digit lands in differently '
      + 'sized pieces from one number to the next. cl100k, o200k and Llama 3 cut digits into groups of '
      + 'up to three from the left (123|456|789|0): a group is not a place value, so the units digit of '
      + '83810205 sits in a different position of its token than in 12345. Qwen2 and SmolLM split every '
      + 'digit, SentencePiece Llama 2 uses single digits after a "▁". Column arithmetic needs digits '
      + 'aligned by place value and a carry passed digit by digit; a model that sees uneven chunks has '
      + 'to learn every chunk pairing separately, which is why long multiplications go wrong.',
  },
  spelling: {
    label: 'Spelling',
    text: 'strawberry\nHow many r\'s are in "strawberry"?\nStrawberry STRAWBERRY straw berry\ns t r a w b e r r y',
    explain: 'A model never sees letters, only token ids: " strawberry" is one or a few tokens whose '
      + 'spelling the model must have memorised. Counting the r\'s means recalling letters inside a '
      + 'token it cannot look into; capitalisation or a leading space gives a different token with a '
      + 'different split. Spelled out with spaces, every letter becomes its own token and counting is easy.',
  },
  whitespace: {
    label: 'Whitespace',
    text: 'def f(x):\n\treturn x  +  1\n\n\n    # four spaces\nend   ',
    explain: 'Spaces, tabs and newlines are tokens too: code indentation costs tokens, and some '
      + 'tokenizers merge runs of spaces into one token while others spend one per space.',
  },
  unicode: {
    label: 'Unicode',
    text: 'naïve café — 東京 🦙👍🏽',
    explain: 'Characters missing from a vocabulary fall back to bytes: byte-level BPE splits them into '
      + 'byte tokens that are not whole characters (shown as hex), SentencePiece uses <0xNN> byte-fallback tokens.',
  },
};

let root = null;
let state = null;

function load() {
  try { return JSON.parse(localStorage.getItem(STORAGE) || 'null'); } catch { return null; }
}
function save() {
  try { localStorage.setItem(STORAGE, JSON.stringify({ text: state.text, selected: state.selected, inline: state.inline })); } catch { /* ignore */ }
}

/** Visible whitespace: space ·, tab →, newline ↵ (and a real line break after it). */
export function visible(s) {
  return s.replace(/ /g, '·').replace(/\t/g, '→').replace(/\r/g, '␍').replace(/\n/g, '↵\n');
}
const hex = (bytes) => bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

export async function mount(container) {
  root = container;
  ensureCss('./css/tokenizer.css');
  const saved = load() || {};
  state = { text: saved.text ?? PRESETS.numbers.text, selected: saved.selected || null, inline: !!saved.inline,
    tokenizers: [], controllers: [], preset: saved.text ? null : 'numbers' };

  const input = el('textarea', { id: 'tok-input', rows: 6, spellcheck: false, 'aria-label': 'Text to tokenize' });
  input.value = state.text;
  const rerun = debounce(() => run(), 250);
  input.addEventListener('input', () => {
    // Runs still in flight are for older text: stop them now, not when the debounced run starts,
    // so none of them can mark the results done.
    for (const c of state.controllers) c.abort();
    state.controllers = [];
    state.text = input.value; state.preset = null; results.dataset.busy = 'true'; showExplain(); save(); rerun();
  });

  const presets = el('div', { class: 'row tok-presets' }, el('span', { class: 'muted', text: 'Presets:' }),
    Object.entries(PRESETS).map(([key, p]) => el('button', {
      type: 'button', class: 'ghost small', dataset: { preset: key }, text: p.label,
      on: { click: () => { state.text = p.text; input.value = p.text; state.preset = key; showExplain(); save(); run(); } },
    })));
  const inlineBox = el('input', { type: 'checkbox', id: 'tok-inline' });
  inlineBox.checked = state.inline;
  inlineBox.addEventListener('change', () => { state.inline = inlineBox.checked; save(); renderAll(); });

  const picker = el('fieldset', { class: 'tok-picker', id: 'tok-picker' }, el('legend', { text: 'Tokenizers' }),
    el('span', { class: 'muted', text: 'Loading…' }));
  const explain = el('div', { class: 'tok-explain panel', id: 'tok-explain', hidden: true });
  // data-busy is true from an edit until every column has its answer (what tests wait for)
  const results = el('div', { class: 'tok-results', id: 'tok-results', dataset: { busy: 'true' } });
  state.nodes = { input, picker, explain, results };

  replace(container, el('section', { class: 'tok-view' },
    el('div', { class: 'tok-top' },
      el('div', { class: 'tok-input-col' }, input, presets,
        el('label', { class: 'row' }, inlineBox, 'Show ids inline'),
        el('p', { class: 'hint', text: 'Hover a token for its id, vocabulary string and bytes. · is a space, → a tab, ↵ a newline; hex is a piece of a character.' })),
      picker),
    explain, results));
  showExplain();

  try {
    const list = await getJson('/api/tokenizers');
    state.tokenizers = list.data || [];
    if (!state.selected) {
      state.selected = [list.default, ...REFERENCES].filter((id, i, a) => id && a.indexOf(id) === i
        && state.tokenizers.some((t) => t.id === id));
    }
    state.selected = state.selected.filter((id) => state.tokenizers.some((t) => t.id === id));
  } catch (e) {
    showError(container, e);
    state.tokenizers = REFERENCES.map((id) => ({ id, source: 'reference', label: id }));
    state.selected = state.selected || REFERENCES.slice();
  }
  renderPicker();
  run();
}

export function unmount() {
  state?.controllers.forEach((c) => c.abort());
  root = null;
  state = null;
}

function ensureCss(href) {
  if (!document.querySelector(`link[href="${href}"]`)) {
    document.head.appendChild(el('link', { rel: 'stylesheet', href }));
  }
}

function showExplain() {
  const box = state.nodes.explain;
  const p = state.preset && PRESETS[state.preset];
  box.hidden = !p;
  if (p) replace(box, el('strong', { text: p.label + ': ' }), p.explain);
}

function renderPicker() {
  const groups = { model: 'Models', file: 'Vocabulary files', reference: 'Reference (shipped with Quill)' };
  const boxes = Object.entries(groups).map(([source, title]) => {
    const items = state.tokenizers.filter((t) => t.source === source);
    if (!items.length) return null;
    return el('div', { class: 'tok-group' }, el('div', { class: 'field-label', text: title }),
      items.map((t) => {
        const box = el('input', { type: 'checkbox', value: t.id, dataset: { tokenizer: t.id } });
        box.checked = state.selected.includes(t.id);
        box.disabled = !!t.error;
        box.addEventListener('change', () => {
          state.selected = box.checked ? [...state.selected, t.id] : state.selected.filter((s) => s !== t.id);
          save();
          run();
        });
        return el('label', { class: 'tok-choice', title: t.error || t.label }, box, el('span', { text: t.label }),
          t.error ? el('small', { class: 'muted', text: ' (unavailable)' }) : null);
      }));
  });
  replace(state.nodes.picker, el('legend', { text: 'Tokenizers' }), boxes);
}

/** Tokenizes the text with every selected tokenizer in parallel; a newer run cancels the older one. */
async function run() {
  if (!state) return;
  state.controllers.forEach((c) => c.abort());
  const controllers = [];
  state.controllers = controllers;
  state.results = state.results || {};
  const text = state.text;
  const ids = state.selected.slice();
  // columns in the order they were chosen; each fills in when its answer arrives
  const columns = {};
  replace(state.nodes.results, ids.map((id) => {
    const col = el('div', { class: 'tok-col panel', dataset: { tokenizer: id, state: 'loading' } });
    columns[id] = col;
    fillColumn(col, id, state.results[id] && state.results[id].text === text ? state.results[id].data : null);
    return col;
  }));
  state.nodes.results.dataset.busy = 'true';
  if (!ids.length) {
    state.nodes.results.appendChild(el('p', { class: 'muted', text: 'Choose one or more tokenizers.' }));
  }
  await Promise.all(ids.map(async (id) => {
    const controller = new AbortController();
    controllers.push(controller);
    try {
      const data = await postJson('/api/tokenize', { tokenizer: id, content: text, add_special: false }, { signal: controller.signal });
      if (!state || state.controllers !== controllers) return;
      state.results[id] = { text, data };
      fillColumn(columns[id], id, data);
    } catch (e) {
      if (e.name === 'AbortError' || !state || state.controllers !== controllers) return;
      const col = columns[id];
      replace(col, el('h3', { text: labelOf(id) }));
      showError(col, e);
      col.dataset.state = 'error';
    }
  }));
  if (state && state.controllers === controllers) state.nodes.results.dataset.busy = 'false';
}

function labelOf(id) {
  const t = state.tokenizers.find((x) => x.id === id);
  return t ? t.label : id;
}

function renderAll() {
  for (const col of state.nodes.results.querySelectorAll('.tok-col')) {
    const r = state.results && state.results[col.dataset.tokenizer];
    if (r) fillColumn(col, col.dataset.tokenizer, r.data);
  }
}

function fillColumn(col, id, data) {
  if (!data) {
    replace(col, el('h3', { text: labelOf(id) }), el('p', { class: 'muted', text: 'Tokenizing…' }));
    return;
  }
  const ratio = data.token_count ? data.char_count / data.token_count : 0;
  const spans = el('div', { class: ['tok-spans', state.inline ? 'with-ids' : ''], 'aria-label': 'tokens' });
  data.tokens.forEach((t, i) => spans.appendChild(tokenSpan(t, i)));
  col.dataset.state = 'done';
  col.dataset.ids = data.ids.join(',');
  replace(col,
    el('h3', { text: labelOf(id) }),
    el('div', { class: 'row tok-stats' },
      el('span', { class: 'badge accent tok-count', text: `${formatNumber(data.token_count, 0)} tokens` }),
      el('span', { class: 'badge', text: `${formatNumber(data.char_count, 0)} characters` }),
      el('span', { class: 'badge', text: `${formatNumber(data.byte_count, 0)} bytes` }),
      el('span', { class: 'badge', text: `${formatNumber(ratio, 2)} chars/token` }),
      el('span', { class: 'badge', text: `vocabulary ${formatNumber(data.vocab_size, 0)}` })),
    spans,
    el('details', { class: 'tok-idlist' }, el('summary', { text: 'Token ids' }),
      el('code', { class: 'plain tok-ids', text: '[' + data.ids.join(', ') + ']' })));
}

function tokenSpan(t, i) {
  const pieceOfChar = !t.utf8 && t.bytes.length > 0;
  const shown = t.byte_fallback || pieceOfChar ? '<' + hex(t.bytes) + '>' : visible(t.text);
  const special = t.type === 'control' || t.type === 'user_defined';
  const title = `id ${t.id} · ${JSON.stringify(t.piece)} · bytes ${hex(t.bytes) || '(none)'}`
    + (t.byte_fallback ? ' · byte fallback' : pieceOfChar ? ' · part of a character' : '') + (special ? ' · special' : '');
  return el('span', {
    class: ['tok', 'c' + (i % 6), t.byte_fallback || pieceOfChar ? 'bytes' : '', special ? 'special' : ''],
    title, dataset: { id: String(t.id) },
  }, el('span', { class: 'tok-text', text: shown }), state.inline ? el('sub', { class: 'tok-id', text: String(t.id) }) : null);
}
