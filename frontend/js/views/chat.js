// Chat: a conversation with one model, streamed token by token. Conversations live in this
// browser (localStorage) and export as JSON. Model and user text are rendered as text or through
// dom.js's Markdown renderer, never as HTML.
import { el, append, clear, replace, field, showError, errorBox, renderMarkdown, copyText, download, formatNumber, useStylesheet } from '../dom.js';
import { streamChat, listModels, getJson, postJson, promptPath, getApiKey } from '../api.js';
import { paramsPanel, samplingFields, reasoningPrompt, answerPrompt, codeSnippets, modelSelect, modelSummary, DEFAULT_PARAMS } from '../params.js';
import { probabilityView, probabilityLegend } from '../tokens.js';

const STORE_KEY = 'quill.conversations';
const CURRENT_KEY = 'quill.currentConversation';
const TOP_LOGPROBS = 5;

let state = null; // per mount: {conversations, current, models, ...}
let ui = null; // element references
let keyHandler = null;

// ---- conversations in localStorage

function loadConversations() {
  try {
    const list = JSON.parse(localStorage.getItem(STORE_KEY) || '[]');
    return Array.isArray(list) ? list.filter((c) => c && Array.isArray(c.messages)) : [];
  } catch { return []; }
}

function save() {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(state.conversations));
    localStorage.setItem(CURRENT_KEY, state.current.id);
  } catch (e) {
    showError(ui.alerts, { message: 'could not keep the conversation in this browser: ' + e.message });
  }
}

function newConversation(base) {
  return {
    id: 'c' + Date.now().toString(36) + Math.random().toString(36).slice(2, 6),
    title: 'New chat',
    created: new Date().toISOString(),
    model: base ? base.model : null,
    system: base ? base.system : '',
    params: base ? { ...base.params } : { ...DEFAULT_PARAMS },
    cot: base ? base.cot : 'off',
    messages: [],
  };
}

const conv = () => state.current;

// ---- mount

export async function mount(container) {
  const conversations = loadConversations();
  let currentId = null;
  try { currentId = localStorage.getItem(CURRENT_KEY); } catch { /* none */ }
  let current = conversations.find((c) => c.id === currentId) || conversations[0];
  if (!current) {
    current = newConversation();
    conversations.unshift(current);
  }
  state = { conversations, current, models: [], personas: [], templates: [], controller: null, busy: false,
    lastRequest: null, template: null, showProbabilities: false, markdown: true };
  try {
    state.markdown = localStorage.getItem('quill.markdown') !== 'false';
    state.showProbabilities = localStorage.getItem('quill.probabilities') === 'true';
  } catch { /* defaults */ }
  useStylesheet('css/chat.css');

  ui = {};
  ui.alerts = el('div', { class: 'alerts' });
  ui.conversationList = el('ul', { class: 'conversation-list' });
  ui.modelSlot = el('div', { class: 'model-slot' }, el('span', { class: 'muted', text: 'Loading models…' }));
  ui.modelInfo = el('div', { class: 'model-info muted' });
  ui.system = el('textarea', { id: 'system-prompt', rows: 3, placeholder: 'System prompt (optional): who the model is, what it must do' });
  ui.personaSelect = el('select', { id: 'persona-select' }, el('option', { value: '', text: 'Persona…' }));
  ui.templateSelect = el('select', { id: 'template-select' }, el('option', { value: '', text: 'No template (free chat)' }));
  ui.templateForm = el('div', { class: 'template-form' });
  ui.messages = el('div', { class: 'messages', id: 'messages', 'aria-live': 'polite' });
  ui.input = el('textarea', { id: 'chat-input', rows: 3, placeholder: 'Message… (Ctrl+Enter sends, Esc stops)' });
  ui.send = el('button', { type: 'button', id: 'send', text: 'Send' });
  ui.stop = el('button', { type: 'button', id: 'stop', class: 'danger', text: 'Stop', disabled: true });
  ui.regenerate = el('button', { type: 'button', id: 'regenerate', class: 'ghost', text: 'Regenerate' });
  ui.cot = el('select', { id: 'cot-mode' },
    el('option', { value: 'off', text: 'Chain of thought: off' }),
    el('option', { value: 'zero-shot', text: "Zero-shot (Let's think step by step.)" }),
    el('option', { value: 'two-stage', text: 'Two-stage (reasoning, then answer)' }));
  ui.figures = el('div', { class: 'figures', id: 'figures' });
  ui.params = el('div', { class: 'params-slot' });
  ui.probToggle = el('input', { type: 'checkbox', id: 'show-probabilities' });
  ui.mdToggle = el('input', { type: 'checkbox', id: 'render-markdown' });
  ui.code = el('pre', { class: 'code-snippet', id: 'code-snippet', hidden: true });

  const sidebar = el('aside', { class: 'chat-sidebar panel' },
    el('div', { class: 'row' },
      el('button', { type: 'button', id: 'new-chat', text: 'New chat', on: { click: () => switchTo(null) } }),
      el('button', { type: 'button', class: 'ghost', id: 'export-chats', text: 'Export JSON', on: { click: exportConversations } })),
    ui.conversationList);

  const settings = el('details', { class: 'chat-settings', open: true },
    el('summary', { text: 'Model, persona, template' }),
    el('div', { class: 'row' }, field('Model', ui.modelSlot), ui.modelInfo),
    el('div', { class: 'system-row' }, field('Persona', ui.personaSelect, 'fills the system prompt'), field('System prompt', ui.system)),
    field('Template', ui.templateSelect, 'a stored prompt: its variables become a form'),
    ui.templateForm);

  const composer = el('div', { class: 'composer' }, ui.input,
    el('div', { class: 'row' }, ui.cot, el('span', { class: 'grow' }),
      el('span', { class: 'hint' }, el('kbd', { text: 'Ctrl' }), '+', el('kbd', { text: 'Enter' }), ' send · ', el('kbd', { text: 'Esc' }), ' stop'),
      ui.regenerate, ui.stop, ui.send));

  const right = el('aside', { class: 'chat-params panel' },
    el('h3', { text: 'Parameters' }), ui.params,
    el('label', { class: 'check' }, ui.probToggle, ' Probabilities (logprobs, top ' + TOP_LOGPROBS + ')'),
    el('label', { class: 'check' }, ui.mdToggle, ' Render Markdown'),
    el('h3', { text: 'Copy request as' }),
    el('div', { class: 'row' }, ...['curl', 'python', 'java'].map((k) =>
      el('button', { type: 'button', class: 'ghost small', dataset: { copy: k }, text: k === 'curl' ? 'curl' : k[0].toUpperCase() + k.slice(1), on: { click: () => showCode(k) } }))),
    ui.code);

  replace(container, el('div', { class: 'chat-layout' }, sidebar,
    el('section', { class: 'chat-main' }, settings, ui.alerts, ui.messages, ui.figures, composer), right));

  ui.send.addEventListener('click', send);
  ui.stop.addEventListener('click', stop);
  ui.regenerate.addEventListener('click', regenerate);
  ui.cot.addEventListener('change', () => { conv().cot = ui.cot.value; save(); });
  ui.system.addEventListener('input', () => { conv().system = ui.system.value; save(); });
  ui.personaSelect.addEventListener('change', () => {
    const p = state.personas.find((x) => x.name === ui.personaSelect.value);
    if (p) { ui.system.value = p.system_prompt; conv().system = p.system_prompt; save(); }
  });
  ui.templateSelect.addEventListener('change', () => selectTemplate(ui.templateSelect.value));
  ui.probToggle.addEventListener('change', () => {
    state.showProbabilities = ui.probToggle.checked;
    try { localStorage.setItem('quill.probabilities', String(state.showProbabilities)); } catch { /* default */ }
    renderMessages();
  });
  ui.mdToggle.addEventListener('change', () => {
    state.markdown = ui.mdToggle.checked;
    try { localStorage.setItem('quill.markdown', String(state.markdown)); } catch { /* default */ }
    renderMessages();
  });
  keyHandler = (e) => {
    if (e.key === 'Escape' && state.busy) { e.preventDefault(); stop(); }
    else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && document.activeElement === ui.input) { e.preventDefault(); send(); }
  };
  document.addEventListener('keydown', keyHandler);

  showConversation();
  await Promise.all([loadModels(), loadPersonas(), loadTemplates()]);
}

export function unmount() {
  if (state && state.controller) state.controller.abort();
  if (keyHandler) document.removeEventListener('keydown', keyHandler);
  keyHandler = null;
  state = null;
  ui = null;
}

async function loadModels() {
  try {
    state.models = await listModels();
  } catch (e) {
    replace(ui.modelSlot, errorBox(e));
    return;
  }
  if (!state.models.length) {
    replace(ui.modelSlot, el('span', { class: 'error-message', text: 'No model installed: copy a .gguf file into the models directory or run quill pull.' }));
    return;
  }
  const usable = state.models.filter((m) => !m.error);
  if (!conv().model || !state.models.some((m) => m.id === conv().model)) conv().model = (usable[0] || state.models[0]).id;
  const select = modelSelect(state.models, conv().model);
  select.id = 'model-select';
  select.addEventListener('change', () => { conv().model = select.value; save(); showModelInfo(); });
  replace(ui.modelSlot, select);
  ui.modelSelectEl = select;
  showModelInfo();
}

function currentModel() {
  return state.models.find((m) => m.id === conv().model) || null;
}

function showModelInfo() {
  const m = currentModel();
  replace(ui.modelInfo, m ? modelSummary(m) : '');
}

async function loadPersonas() {
  try {
    state.personas = (await getJson('/api/personas')).data || [];
  } catch { state.personas = []; return; }
  for (const p of state.personas) ui.personaSelect.appendChild(el('option', { value: p.name, text: p.name + (p.description ? ' — ' + p.description : '') }));
}

async function loadTemplates() {
  try {
    state.templates = (await getJson('/api/prompts')).data || [];
  } catch { state.templates = []; return; }
  for (const t of state.templates) ui.templateSelect.appendChild(el('option', { value: t.name, text: t.name }));
}

// ---- conversations list

function switchTo(id) {
  if (state.busy) stop();
  if (id === null) {
    const fresh = newConversation(conv());
    state.conversations.unshift(fresh);
    state.current = fresh;
  } else {
    state.current = state.conversations.find((c) => c.id === id) || state.current;
  }
  save();
  showConversation();
  if (ui.modelSelectEl && conv().model) ui.modelSelectEl.value = conv().model;
  showModelInfo();
}

function showConversation() {
  ui.system.value = conv().system || '';
  ui.cot.value = conv().cot || 'off';
  ui.probToggle.checked = state.showProbabilities;
  ui.mdToggle.checked = state.markdown;
  replace(ui.params, paramsPanel(conv().params, () => save()));
  renderConversationList();
  renderMessages();
  clear(ui.figures);
}

function renderConversationList() {
  clear(ui.conversationList);
  for (const c of state.conversations) {
    const item = el('li', { class: c === conv() ? 'active' : '' },
      el('button', { type: 'button', class: 'ghost conv-open', text: c.title || 'New chat', title: c.created, on: { click: () => switchTo(c.id) } }),
      el('button', { type: 'button', class: 'ghost small conv-delete', text: '×', title: 'Delete this conversation', 'aria-label': 'Delete', on: { click: () => deleteConversation(c.id) } }));
    ui.conversationList.appendChild(item);
  }
}

function deleteConversation(id) {
  state.conversations = state.conversations.filter((c) => c.id !== id);
  if (!state.conversations.length) state.conversations.push(newConversation(conv()));
  if (conv().id === id) state.current = state.conversations[0];
  save();
  showConversation();
}

function exportConversations() {
  const data = { exported: new Date().toISOString(), format: 'quill-conversations-1', conversations: state.conversations };
  download('quill-conversations.json', JSON.stringify(data, null, 2));
}

// ---- messages

function renderMessages() {
  clear(ui.messages);
  if (!conv().messages.length) {
    ui.messages.appendChild(el('p', { class: 'muted empty', text: 'Send a message to start. Output streams in as the model writes it.' }));
  }
  conv().messages.forEach((m, i) => ui.messages.appendChild(messageView(m, i)));
  ui.messages.scrollTop = ui.messages.scrollHeight;
}

/** The message body: plain text, Markdown (sanitised, as DOM), or coloured tokens. */
function bodyView(m) {
  if (m.role === 'assistant' && state.showProbabilities && m.logprobs && m.logprobs.length && !m.streaming) {
    return el('div', { class: 'msg-body' }, probabilityView(m.logprobs));
  }
  if (state.markdown && !m.streaming) return el('div', { class: 'msg-body md' }, renderMarkdown(m.content));
  return el('div', { class: 'msg-body plain', text: m.content });
}

function messageView(m, index) {
  const box = el('article', { class: `msg msg-${m.role}`, dataset: { index: String(index), role: m.role } });
  const actions = el('div', { class: 'msg-actions' });
  if (m.role === 'user' && !state.busy) {
    actions.appendChild(el('button', { type: 'button', class: 'ghost small msg-edit', text: 'Edit', on: { click: () => editMessage(index, box) } }));
  }
  actions.appendChild(el('button', { type: 'button', class: 'ghost small', text: 'Copy', on: { click: () => copyText(m.content) } }));
  const head = el('header', { class: 'msg-head' }, el('strong', { text: m.role === 'user' ? 'You' : (m.model || 'Assistant') }),
    m.template ? el('span', { class: 'badge accent', text: 'template ' + m.template }) : null,
    m.cot && m.cot !== 'off' ? el('span', { class: 'badge', text: 'CoT ' + m.cot }) : null,
    m.finish ? el('span', { class: 'badge' + (m.finish === 'cancelled' ? ' warn' : ''), text: m.finish }) : null,
    actions);
  box.appendChild(head);
  if (m.reasoning !== undefined && m.reasoning !== null) {
    box.appendChild(el('details', { class: 'reasoning', open: !!m.streamingReasoning },
      el('summary', { text: 'Reasoning' + (m.streamingReasoning ? ' (streaming…)' : '') }),
      el('div', { class: 'plain reasoning-text', text: m.reasoning })));
  }
  if (m.sent && m.sent !== m.content) {
    box.appendChild(el('details', { class: 'sent-prompt' }, el('summary', { text: 'Prompt sent' }), el('div', { class: 'plain', text: m.sent })));
  }
  box.appendChild(bodyView(m));
  if (m.role === 'assistant' && state.showProbabilities && m.logprobs && m.logprobs.length && !m.streaming) box.appendChild(probabilityLegend());
  if (m.error) box.appendChild(errorBox(m.error));
  return box;
}

function editMessage(index, box) {
  const m = conv().messages[index];
  const area = el('textarea', { class: 'edit-area', rows: 3 });
  area.value = m.content;
  const editor = el('div', { class: 'msg-editor' }, area, el('div', { class: 'row end' },
    el('button', { type: 'button', class: 'ghost', text: 'Cancel', on: { click: renderMessages } }),
    el('button', { type: 'button', class: 'edit-send', text: 'Save & resend', on: { click: () => {
      if (!area.value.trim()) return;
      conv().messages.splice(index);
      conv().messages.push({ role: 'user', content: area.value });
      save();
      renderMessages();
      generate();
    } } })));
  box.querySelector('.msg-body').replaceWith(editor);
  area.focus();
}

// ---- sending

function setBusy(busy) {
  state.busy = busy;
  ui.send.disabled = busy;
  ui.regenerate.disabled = busy;
  ui.stop.disabled = !busy;
  document.body.classList.toggle('streaming', busy);
}

function send() {
  if (state.busy) return;
  if (state.template) { runTemplate(); return; }
  const text = ui.input.value;
  if (!text.trim()) { ui.input.focus(); return; }
  ui.input.value = '';
  const c = conv();
  if (!c.messages.length || c.title === 'New chat') c.title = text.trim().slice(0, 40);
  c.messages.push({ role: 'user', content: text });
  save();
  renderConversationList();
  renderMessages();
  generate();
}

function regenerate() {
  if (state.busy) return;
  const msgs = conv().messages;
  while (msgs.length && msgs[msgs.length - 1].role === 'assistant') msgs.pop();
  if (!msgs.length) return;
  save();
  renderMessages();
  generate();
}

function stop() {
  if (state && state.controller) state.controller.abort();
}

function baseBody() {
  const body = { model: conv().model || undefined, ...samplingFields(conv().params) };
  if (state.showProbabilities) { body.logprobs = true; body.top_logprobs = TOP_LOGPROBS; }
  return body;
}

/** The messages the model gets: the system prompt, then the history (the last user turn as given). */
function wireMessages(lastUserContent) {
  const out = [];
  if (conv().system && conv().system.trim()) out.push({ role: 'system', content: conv().system });
  // The reply being streamed, and failed replies with no text, are not part of the history.
  const msgs = conv().messages.filter((m) => !m.streaming && (!m.error || m.content));
  msgs.forEach((m, i) => {
    const last = i === msgs.length - 1;
    out.push({ role: m.role, content: last && lastUserContent !== undefined ? lastUserContent : (m.sent || m.content) });
  });
  return out;
}

async function generate() {
  const c = conv();
  const last = c.messages[c.messages.length - 1];
  if (!last || last.role !== 'user') return;
  const mode = c.cot || 'off';
  if (mode === 'off') {
    await streamInto({ ...baseBody(), messages: wireMessages() }, { cot: 'off' });
  } else {
    const stage1 = reasoningPrompt(last.content);
    last.sent = stage1;
    if (mode === 'zero-shot') {
      await streamInto({ ...baseBody(), messages: wireMessages(stage1) }, { cot: mode });
    } else {
      await twoStage(stage1, (reasoning) => answerPrompt(stage1, reasoning), (sent) => ({ ...baseBody(), messages: wireMessages(sent) }));
    }
  }
}

/**
 * Kojima's two stages: stage 1 streams the reasoning into a collapsible block, stage 2 sends the
 * stage-1 prompt, the reasoning and the answer trigger, and streams the answer.
 */
async function twoStage(stage1, stage2Prompt, bodyFor, extra = {}) {
  const msg = { role: 'assistant', content: '', model: conv().model, cot: 'two-stage', reasoning: '', streamingReasoning: true, streaming: true, ...extra };
  conv().messages.push(msg);
  renderMessages();
  const first = await stream(bodyFor(stage1), msg, true);
  msg.streamingReasoning = false;
  if (first.aborted || msg.error) { finish(msg, first); return; }
  renderMessages();
  const second = await stream(bodyFor(stage2Prompt(msg.reasoning)), msg, false);
  finish(msg, second, first);
}

async function streamInto(body, extra) {
  const msg = { role: 'assistant', content: '', model: body.model || conv().model, streaming: true, ...extra };
  conv().messages.push(msg);
  renderMessages();
  const result = await stream(body, msg, false);
  finish(msg, result);
}

/**
 * Streams one completion into `msg.content` (or `msg.reasoning` when toReasoning). Pieces are
 * appended to one Text node once per animation frame, so a fast model never floods the page with
 * layout work and the page stays responsive while it streams.
 */
async function stream(body, msg, toReasoning) {
  state.lastRequest = { ...body, stream: true };
  state.controller = new AbortController();
  setBusy(true);
  const figures = { chunks: 0 };
  showFigures(null, figures);
  let pending = '';
  let live = null;
  let textNode = null;
  let frame = 0;
  const flush = () => {
    frame = 0;
    if (!ui || !pending) return;
    if (!textNode || !textNode.isConnected) {
      const target = ui.messages.querySelector(toReasoning ? '.msg:last-child .reasoning-text' : '.msg:last-child .msg-body');
      if (!target) return;
      textNode = target.appendChild(document.createTextNode(''));
    }
    textNode.appendData(pending);
    pending = '';
    const near = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 80;
    if (near) ui.messages.scrollTop = ui.messages.scrollHeight;
    showFigures(live, figures);
  };
  const result = await streamChat(body, {
    signal: state.controller.signal,
    onDelta: (piece, chunk, running) => {
      live = running;
      figures.chunks++;
      if (toReasoning) msg.reasoning += piece;
      else msg.content += piece;
      pending += piece;
      if (!frame) frame = requestAnimationFrame(flush);
    },
    onError: (e) => { msg.error = { message: e.message, status: e.status, param: e.param }; },
  });
  if (frame) cancelAnimationFrame(frame);
  flush();
  if (!toReasoning) msg.logprobs = (msg.logprobs || []).concat(result.logprobs);
  state.controller = null;
  if (ui) showFigures(result, figures, true);
  return result;
}

function finish(msg, result, earlier) {
  msg.streaming = false;
  msg.finish = msg.error ? 'error' : result.finishReason;
  msg.usage = result.usage;
  msg.timings = result.timings;
  if (earlier && earlier.usage && result.usage) msg.reasoningUsage = earlier.usage;
  if (!ui) return;
  setBusy(false);
  save();
  renderMessages();
  renderConversationList();
}

/** Live figures: time to first token, tokens/s, and the context used as a bar. */
function showFigures(result, figures, final = false) {
  if (!ui) return;
  const m = currentModel();
  const ctx = m ? (m.serving_context_length || m.context_length) : null;
  let ttft = null;
  let rate = null;
  let used = null;
  let tokens = figures.chunks;
  if (result && result.timings) {
    const t = result.timings;
    if (t.firstToken !== null) ttft = t.firstToken - t.started;
    if (final && result.usage) tokens = result.usage.completion_tokens;
    const end = t.finished ?? performance.now();
    if (t.firstToken !== null && tokens > 1 && end > t.firstToken) rate = (tokens - 1) / ((end - t.firstToken) / 1000);
    if (result.usage) used = result.usage.total_tokens;
  }
  const pct = used && ctx ? Math.min(100, (100 * used) / ctx) : 0;
  const meter = el('div', { class: 'meter' + (pct > 85 ? ' high' : ''), title: used && ctx ? `${used} of ${ctx} tokens` : 'context used' },
    el('span', { style: { width: pct + '%' } }));
  replace(ui.figures,
    el('span', { class: 'fig', dataset: { fig: 'ttft' } }, 'first token ', el('strong', { text: ttft === null ? '–' : formatNumber(ttft, 0) + ' ms' })),
    el('span', { class: 'fig', dataset: { fig: 'tokens' } }, 'tokens ', el('strong', { text: String(tokens) })),
    el('span', { class: 'fig', dataset: { fig: 'rate' } }, el('strong', { text: rate === null ? '–' : formatNumber(rate, 1) }), ' tok/s'),
    el('span', { class: 'fig ctx', dataset: { fig: 'context' } }, 'context ', meter,
      el('strong', { text: used && ctx ? `${used} / ${ctx}` : (ctx ? `– / ${ctx}` : '–') })));
}

// ---- templates

async function selectTemplate(name) {
  clear(ui.templateForm);
  state.template = null;
  ui.input.disabled = false;
  ui.send.textContent = 'Send';
  if (!name) return;
  let detail;
  try {
    detail = await getJson(promptPath(name));
  } catch (e) {
    showError(ui.templateForm, e);
    return;
  }
  const t = detail.template || {};
  const inputs = {};
  const rows = (t.variables || []).map((v) => {
    const input = el('textarea', { rows: 2, name: v.name, dataset: { variable: v.name }, placeholder: v.example || v.description || v.name });
    if (v.defaultValue !== null && v.defaultValue !== undefined) input.value = v.defaultValue;
    inputs[v.name] = input;
    input.addEventListener('input', () => schedulePreview());
    return field(v.name + (v.required ? ' *' : ''), input, v.description);
  });
  const preview = el('div', { class: 'template-preview plain', id: 'template-preview' });
  const previewMeta = el('div', { class: 'muted template-preview-meta' });
  state.template = { name, version: detail.version, kind: t.kind, inputs, preview, previewMeta, rendered: null };
  append(ui.templateForm,
    el('p', { class: 'muted' }, el('strong', { text: name }), ` v${detail.version} · ${t.kind === 'CHAT' ? 'chat' : 'text'} template · `, t.description || ''),
    rows.length ? rows : el('p', { class: 'muted', text: 'This template has no variables.' }),
    el('div', { class: 'row' }, el('button', { type: 'button', class: 'ghost', id: 'template-preview-button', text: 'Preview', on: { click: renderTemplate } }),
      el('button', { type: 'button', id: 'template-run', text: 'Run template', on: { click: runTemplate } })),
    previewMeta, preview);
  ui.input.disabled = true;
  ui.send.textContent = 'Run template';
}

let previewTimer = null;
function schedulePreview() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(renderTemplate, 400);
}

function templateVariables() {
  const vars = {};
  for (const [k, input] of Object.entries(state.template.inputs)) if (input.value !== '') vars[k] = input.value;
  return vars;
}

/** Renders the template with the form's values (POST /api/prompts/{name}/render). */
async function renderTemplate() {
  const t = state.template;
  if (!t) return null;
  const cot = conv().cot === 'off' ? undefined : conv().cot;
  const persona = ui.personaSelect.value || undefined;
  try {
    const r = await postJson(promptPath(t.name) + '/render', { variables: templateVariables(), model: conv().model, cot, persona, version: t.version });
    if (state.template !== t) return null;
    t.rendered = r;
    const text = r.text !== undefined ? r.text : (r.messages || []).map((m) => `[${m.role}]\n${m.content}`).join('\n\n');
    replace(t.preview, text);
    replace(t.previewMeta, `${r.tokens ?? '?'} tokens` + (r.lint && r.lint.length ? ` · ${r.lint.length} linter finding(s)` : ''));
    return r;
  } catch (e) {
    if (state.template === t) { replace(t.preview); showError(t.preview, e); t.rendered = null; }
    return null;
  }
}

/**
 * Runs the selected template: off / zero-shot through the "quill" extension of
 * /v1/chat/completions (the server renders it); two-stage as two streamed calls on the rendered
 * prompts. A template run is a turn of its own: its messages replace the history.
 */
async function runTemplate() {
  if (state.busy || !state.template) return;
  const t = state.template;
  const r = await renderTemplate();
  if (!r) return;
  const shown = r.text !== undefined ? r.text : (r.messages || []).map((m) => m.content).join('\n\n');
  const c = conv();
  if (c.title === 'New chat') c.title = t.name;
  const mode = c.cot || 'off';
  c.messages.push({ role: 'user', content: shown, template: `${t.name}@${t.version}`, cot: mode });
  save();
  renderConversationList();
  const sampling = baseBody();
  if (mode === 'two-stage') {
    const stage1 = r.cot.reasoning_prompt;
    await twoStage(stage1, (reasoning) => answerPrompt(stage1, reasoning, r.cot.answer_trigger),
      (sent) => ({ ...sampling, messages: [{ role: 'user', content: sent }] }), { template: t.name });
    return;
  }
  const quill = { prompt: `${t.name}@${t.version}`, variables: templateVariables() };
  if (ui.personaSelect.value) quill.persona = ui.personaSelect.value;
  if (mode === 'zero-shot') quill.cot = 'zero-shot';
  await streamInto({ ...sampling, quill }, { cot: mode, template: t.name });
}

// ---- copy as code

function showCode(kind) {
  const body = state.lastRequest || { ...baseBody(), messages: wireMessages(), stream: true };
  const code = codeSnippets(body, location.origin, !!getApiKey())[kind];
  ui.code.hidden = false;
  replace(ui.code, el('code', { text: code }));
  ui.code.dataset.kind = kind;
  copyText(code).then((ok) => {
    const note = el('div', { class: 'muted copied', text: ok ? `Copied as ${kind}.` : 'Select the text to copy it.' });
    ui.code.after(note);
    setTimeout(() => note.remove(), 1500);
  });
}
