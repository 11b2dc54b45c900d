// Compare: 2–4 variants of one request (model, persona, chain of thought, template version,
// reframing rules) run on the same input and seed, streaming side by side at the same time.
import { el, append, clear, replace, field, showError, errorBox, formatNumber, useStylesheet } from '../dom.js';
import { streamChat, listModels, getJson, promptPath } from '../api.js';
import { paramsPanel, samplingFields, reasoningPrompt, answerPrompt, modelSelect, modelSummary } from '../params.js';

const STORE_KEY = 'quill.compare';
let state = null;
let ui = null;
let keyHandler = null;

function loadSaved() {
  try { return JSON.parse(localStorage.getItem(STORE_KEY) || 'null'); } catch { return null; }
}

function save() {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify({
      input: ui.input.value, params: state.params, template: state.templateName,
      variants: state.variants.map(({ model, persona, cot, version, reframe }) => ({ model, persona, cot, version, reframe })),
    }));
  } catch { /* storage refused: settings last for this page */ }
}

const newVariant = (base = {}) => ({ model: base.model || '', persona: base.persona || '', cot: base.cot || 'off',
  version: base.version || '', reframe: !!base.reframe });

export async function mount(container) {
  useStylesheet('css/compare.css');
  const saved = loadSaved() || {};
  state = {
    models: [], personas: [], templates: [], versions: [], controllers: [], running: 0,
    params: saved.params || { temperature: '0', max_tokens: '64', seed: '42', stop: '' },
    templateName: saved.template || '',
    variants: (saved.variants && saved.variants.length >= 2 ? saved.variants : [{}, { cot: 'zero-shot' }]).slice(0, 4).map(newVariant),
  };
  ui = {
    alerts: el('div', { class: 'alerts' }),
    input: el('textarea', { id: 'compare-input', rows: 3, placeholder: 'The same user message for every variant (Ctrl+Enter runs, Esc stops)' }),
    templateSelect: el('select', { id: 'compare-template' }, el('option', { value: '', text: 'No template: use the message above' })),
    templateForm: el('div', { class: 'template-form', id: 'compare-variables' }),
    columns: el('div', { class: 'compare-columns', id: 'compare-columns' }),
    run: el('button', { type: 'button', id: 'compare-run', text: 'Run all' }),
    stop: el('button', { type: 'button', id: 'compare-stop', class: 'danger', text: 'Stop', disabled: true }),
    add: el('button', { type: 'button', id: 'compare-add', class: 'ghost', text: '+ Variant' }),
    params: el('div', { class: 'compare-params' }),
  };
  ui.input.value = saved.input || 'Once upon a time';
  ui.variableInputs = {};
  replace(container, el('div', { class: 'compare-layout' },
    el('section', { class: 'panel compare-input' },
      field('Input', ui.input),
      field('Template', ui.templateSelect, 'variants can then differ by version and reframing rules'),
      ui.templateForm,
      el('details', { class: 'compare-shared' }, el('summary', { text: 'Shared parameters (same seed for every variant)' }), ui.params),
      el('div', { class: 'row' }, ui.add, el('span', { class: 'grow' }), ui.stop, ui.run)),
    ui.alerts, ui.columns));
  replace(ui.params, paramsPanel(state.params, save));
  ui.run.addEventListener('click', runAll);
  ui.stop.addEventListener('click', stopAll);
  ui.add.addEventListener('click', () => {
    if (state.variants.length >= 4) return;
    state.variants.push(newVariant(state.variants[state.variants.length - 1]));
    save();
    renderColumns();
  });
  ui.input.addEventListener('input', save);
  ui.templateSelect.addEventListener('change', () => selectTemplate(ui.templateSelect.value));
  keyHandler = (e) => {
    if (e.key === 'Escape' && state.running) { e.preventDefault(); stopAll(); }
    else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); runAll(); }
  };
  document.addEventListener('keydown', keyHandler);
  renderColumns();
  await Promise.all([
    listModels().then((m) => { state.models = m; }).catch((e) => showError(ui.alerts, e)),
    getJson('/api/personas').then((r) => { state.personas = r.data || []; }).catch(() => {}),
    getJson('/api/prompts').then((r) => { state.templates = r.data || []; }).catch(() => {}),
  ]);
  if (!state) return;
  for (const t of state.templates) ui.templateSelect.appendChild(el('option', { value: t.name, text: t.name }));
  const usable = state.models.filter((m) => !m.error);
  for (const v of state.variants) if (!state.models.some((m) => m.id === v.model) && usable[0]) v.model = usable[0].id;
  if (state.templateName && state.templates.some((t) => t.name === state.templateName)) {
    ui.templateSelect.value = state.templateName;
    await selectTemplate(state.templateName);
  } else {
    state.templateName = '';
    renderColumns();
  }
}

export function unmount() {
  if (state) stopAll();
  if (keyHandler) document.removeEventListener('keydown', keyHandler);
  keyHandler = null;
  state = null;
  ui = null;
}

async function selectTemplate(name) {
  state.templateName = name;
  state.versions = [];
  clear(ui.templateForm);
  ui.variableInputs = {};
  ui.input.disabled = !!name;
  if (name) {
    try {
      const [detail, history] = await Promise.all([getJson(promptPath(name)), getJson(promptPath(name) + '/versions')]);
      if (!state || state.templateName !== name) return;
      state.versions = (history.data || history.versions || []).map((v) => v.version).filter((v) => v !== undefined);
      if (!state.versions.length) state.versions = [detail.version];
      for (const v of (detail.template && detail.template.variables) || []) {
        const input = el('textarea', { rows: 2, dataset: { variable: v.name }, placeholder: v.example || v.description || v.name });
        if (v.defaultValue !== null && v.defaultValue !== undefined) input.value = v.defaultValue;
        ui.variableInputs[v.name] = input;
        ui.templateForm.appendChild(field(v.name + (v.required ? ' *' : ''), input, v.description));
      }
    } catch (e) {
      showError(ui.templateForm, e);
    }
  }
  save();
  renderColumns();
}

// ---- columns

function renderColumns() {
  if (!ui) return;
  clear(ui.columns);
  ui.columns.dataset.count = String(state.variants.length);
  state.variants.forEach((v, i) => ui.columns.appendChild(columnView(v, i)));
  ui.add.disabled = state.variants.length >= 4;
}

function columnView(v, i) {
  const col = el('article', { class: 'panel compare-column', dataset: { variant: String(i) } });
  const model = modelSelect(state.models.length ? state.models : [{ id: v.model || '', architecture: 'loading…' }], v.model);
  model.addEventListener('change', () => { v.model = model.value; save(); info.textContent = summary(); });
  const summary = () => { const m = state.models.find((x) => x.id === v.model); return m ? modelSummary(m) : ''; };
  const info = el('div', { class: 'muted small', text: summary() });
  const persona = el('select', { class: 'variant-persona' }, el('option', { value: '', text: 'No persona' }),
    ...state.personas.map((p) => el('option', { value: p.name, text: p.name, selected: p.name === v.persona })));
  persona.addEventListener('change', () => { v.persona = persona.value; save(); });
  const cot = el('select', { class: 'variant-cot' },
    el('option', { value: 'off', text: 'CoT off', selected: v.cot === 'off' }),
    el('option', { value: 'zero-shot', text: "Zero-shot CoT (Let's think step by step.)", selected: v.cot === 'zero-shot' }),
    el('option', { value: 'two-stage', text: 'Two-stage CoT (reasoning, then answer)', selected: v.cot === 'two-stage' }));
  cot.addEventListener('change', () => { v.cot = cot.value; save(); });
  const summaryLine = el('summary', { text: describe(v) });
  // Every change of a setting shows in the collapsed summary line too.
  col.addEventListener('change', () => { summaryLine.textContent = describe(v); });
  const controls = [field('Model', model), info, field('Persona', persona), field('Chain of thought', cot)];
  if (state.templateName) {
    const version = el('select', { class: 'variant-version' }, el('option', { value: '', text: 'latest' }),
      ...state.versions.map((n) => el('option', { value: String(n), text: 'v' + n, selected: String(n) === String(v.version) })));
    version.addEventListener('change', () => { v.version = version.value; save(); });
    const reframe = el('input', { type: 'checkbox', class: 'variant-reframe', checked: v.reframe });
    reframe.addEventListener('change', () => { v.reframe = reframe.checked; save(); });
    controls.push(field('Version', version), el('label', { class: 'check' }, reframe, ' Reframing rules (all five)'));
  }
  const remove = state.variants.length > 2
    ? el('button', { type: 'button', class: 'ghost small', text: 'Remove', on: { click: () => { state.variants.splice(i, 1); save(); renderColumns(); } } })
    : null;
  v.output = el('div', { class: 'compare-output plain' });
  v.stats = el('div', { class: 'compare-stats muted' });
  v.errorSlot = el('div');
  append(col, el('header', { class: 'row' }, el('h3', { class: 'grow', text: 'Variant ' + String.fromCharCode(65 + i) }), remove),
    el('details', { class: 'variant-settings', open: true }, summaryLine, ...controls),
    v.errorSlot, v.output, v.stats);
  return col;
}

function describe(v) {
  return [v.model || 'default model', v.persona ? 'persona ' + v.persona : null, v.cot !== 'off' ? 'CoT ' + v.cot : null,
    state.templateName ? (v.version ? 'v' + v.version : 'latest') : null, v.reframe && state.templateName ? 'reframed' : null]
    .filter(Boolean).join(' · ');
}

/** The request one variant sends; `userContent` replaces the typed input (a two-stage CoT stage). */
function requestFor(v, userContent) {
  const body = { model: v.model || undefined, ...samplingFields(state.params) };
  if (state.templateName) {
    const variables = {};
    for (const [k, input] of Object.entries(ui.variableInputs)) if (input.value !== '') variables[k] = input.value;
    body.quill = { prompt: state.templateName + (v.version ? '@' + v.version : ''), variables };
    if (v.persona) body.quill.persona = v.persona;
    // The server runs every CoT mode on a template and streams the reasoning as reasoning_content.
    if (v.cot !== 'off') body.quill.cot = v.cot;
    if (v.reframe) body.quill.rules = 'all';
    return body;
  }
  const persona = state.personas.find((p) => p.name === v.persona);
  const text = ui.input.value;
  const content = userContent !== undefined ? userContent : v.cot === 'zero-shot' ? reasoningPrompt(text) : text;
  body.messages = (persona ? [{ role: 'system', content: persona.system_prompt }] : [])
    .concat([{ role: 'user', content }]);
  return body;
}

// ---- running

function runAll() {
  if (!state || state.running) return;
  if (!state.templateName && !ui.input.value.trim()) { ui.input.focus(); return; }
  clear(ui.alerts);
  const t0 = performance.now();
  state.running = state.variants.length;
  ui.run.disabled = true;
  ui.stop.disabled = false;
  document.body.classList.add('streaming');
  state.variants.forEach((v) => runVariant(v, t0));
}

function stopAll() {
  if (!state) return;
  for (const v of state.variants) if (v.controller) v.controller.abort();
}

async function runVariant(v, t0) {
  v.controller = new AbortController();
  replace(v.output);
  clear(v.errorSlot);
  const col = v.output.closest('.compare-column');
  col.classList.add('running');
  delete col.dataset.firstToken;
  delete col.dataset.done;
  let chunks = 0;
  // Two-stage CoT shows the reasoning in a collapsible block above the answer.
  let reasoningNode = null;
  if (v.cot === 'two-stage') {
    reasoningNode = document.createTextNode('');
    v.output.appendChild(el('details', { class: 'reasoning', open: true },
      el('summary', { text: 'Reasoning' }), el('div', { class: 'reasoning-text' }, reasoningNode)));
  }
  const textNode = v.output.appendChild(document.createTextNode(''));
  const streamPart = async (body, node) => {
    let pending = '';
    let frame = 0;
    const flush = () => { frame = 0; node.appendData(pending); pending = ''; showStats(v, null, chunks); };
    const add = (piece) => {
      if (!col.dataset.firstToken) col.dataset.firstToken = String(Math.round(performance.now() - t0));
      chunks++;
      pending += piece;
      if (!frame) frame = requestAnimationFrame(flush);
    };
    const result = await streamChat(body, {
      signal: v.controller.signal,
      onDelta: add,
      onError: (e) => { v.errorSlot.appendChild(errorBox(e)); },
    });
    if (frame) cancelAnimationFrame(frame);
    if (pending) flush();
    return result;
  };
  let result;
  if (v.cot === 'two-stage' && !state.templateName) {
    // Kojima's two stages as two calls: the reasoning, then the prompt, the reasoning and the answer trigger.
    const stage1 = reasoningPrompt(ui.input.value);
    const first = await streamPart(requestFor(v, stage1), reasoningNode);
    result = first;
    if (!first.aborted && first.finishReason) {
      result = await streamPart(requestFor(v, answerPrompt(stage1, first.text)), textNode);
    }
  } else if (v.cot === 'two-stage') {
    result = await streamTemplateTwoStage(v, streamChat, reasoningNode, textNode, col, t0, () => chunks++);
    showStats(v, null, chunks);
  } else {
    result = await streamPart(requestFor(v), textNode);
  }
  v.controller = null;
  col.dataset.done = String(Math.round(performance.now() - t0));
  col.classList.remove('running');
  showStats(v, result, chunks);
  if (!state) return;
  state.running--;
  if (!state.running) {
    ui.run.disabled = false;
    ui.stop.disabled = true;
    document.body.classList.remove('streaming');
  }
}

/** A template run with two-stage CoT: the server streams reasoning_content deltas, then the answer. */
async function streamTemplateTwoStage(v, stream, reasoningNode, textNode, col, t0, count) {
  const mark = () => { if (!col.dataset.firstToken) col.dataset.firstToken = String(Math.round(performance.now() - t0)); count(); };
  return stream(requestFor(v), {
    signal: v.controller.signal,
    onDelta: (piece) => { mark(); textNode.appendData(piece); },
    onChunk: (chunk) => {
      const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
      if (delta && delta.reasoning_content) { mark(); reasoningNode.appendData(delta.reasoning_content); }
    },
    onError: (e) => { v.errorSlot.appendChild(errorBox(e)); },
  });
}

function showStats(v, result, chunks) {
  if (!result) { replace(v.stats, `${chunks} chunks…`); return; }
  const t = result.timings;
  const ttft = t.firstToken === null ? null : t.firstToken - t.started;
  const tokens = result.usage ? result.usage.completion_tokens : chunks;
  const seconds = (t.finished - t.started) / 1000;
  const rate = t.firstToken !== null && tokens > 1 ? (tokens - 1) / ((t.finished - t.firstToken) / 1000) : null;
  replace(v.stats,
    el('span', { dataset: { stat: 'prompt' } }, 'prompt ', el('strong', { text: result.usage ? String(result.usage.prompt_tokens) : '–' })),
    el('span', { dataset: { stat: 'tokens' } }, 'tokens ', el('strong', { text: String(tokens) })),
    el('span', { dataset: { stat: 'ttft' } }, 'first ', el('strong', { text: ttft === null ? '–' : formatNumber(ttft, 0) + ' ms' })),
    el('span', { dataset: { stat: 'time' } }, 'total ', el('strong', { text: formatNumber(seconds, 2) + ' s' })),
    el('span', { dataset: { stat: 'rate' } }, el('strong', { text: rate === null ? '–' : formatNumber(rate, 1) }), ' tok/s'),
    el('span', { class: 'badge', dataset: { stat: 'finish' }, text: result.finishReason || 'error' }));
}
