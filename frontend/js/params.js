// Generation parameters shared by Chat and Compare: the panel, the request body built from it,
// Kojima's chain-of-thought prompts, and "copy as curl / Python / Java".
import { el, field } from './dom.js';

/** Every sampling parameter the panel offers; an empty field means "the server's default". */
export const PARAMS = [
  { key: 'temperature', label: 'Temperature', min: 0, max: 2, step: 0.05, hint: '0 = greedy; server default 0.8' },
  { key: 'top_p', label: 'Top-p', min: 0, max: 1, step: 0.01, hint: '(0, 1]; default 0.95' },
  { key: 'top_k', label: 'Top-k', min: 0, max: 1000, step: 1, integer: true, hint: '0 = off; default 40' },
  { key: 'min_p', label: 'Min-p', min: 0, max: 1, step: 0.01, hint: '0 = off; default 0.05' },
  { key: 'max_tokens', label: 'Max tokens', min: 1, max: 1000000, step: 1, integer: true, hint: 'empty = until the context is full' },
  { key: 'seed', label: 'Seed', min: -9007199254740991, max: 9007199254740991, step: 1, integer: true, hint: 'same seed, same output' },
  { key: 'presence_penalty', label: 'Presence penalty', min: -2, max: 2, step: 0.1, hint: '−2 to 2' },
  { key: 'frequency_penalty', label: 'Frequency penalty', min: -2, max: 2, step: 0.1, hint: '−2 to 2' },
  { key: 'repetition_penalty', label: 'Repetition penalty', min: 0, max: 10, step: 0.05, hint: "llama.cpp's; 1 = off" },
];

export const DEFAULT_PARAMS = { temperature: '0.8', max_tokens: '256', stop: '' };

/**
 * The parameters panel. values: object of key -> string (as typed; kept as typed so the server,
 * not the browser, judges a bad value and says why). onChange(values) after every edit.
 */
export function paramsPanel(values, onChange) {
  const root = el('div', { class: 'params' });
  for (const p of PARAMS) {
    const input = el('input', {
      type: 'number', name: p.key, step: String(p.step), min: String(p.min), max: String(p.max),
      placeholder: 'default', dataset: { param: p.key }, inputmode: p.integer ? 'numeric' : 'decimal',
    });
    input.value = values[p.key] ?? '';
    input.addEventListener('input', () => { values[p.key] = input.value; onChange(values); });
    root.appendChild(field(p.label, input, p.hint));
  }
  const stop = el('input', { type: 'text', name: 'stop', placeholder: 'e.g. \\n\\n | END', dataset: { param: 'stop' } });
  stop.value = values.stop ?? '';
  stop.addEventListener('input', () => { values.stop = stop.value; onChange(values); });
  root.appendChild(field('Stop strings', stop, 'separate with |; \\n is a newline'));
  return root;
}

/** The stop field's text as strings: "a | b\\n" -> ["a", "b\n"]. */
export function parseStops(s) {
  return String(s || '').split('|').map((x) => x.trim().replace(/\\n/g, '\n').replace(/\\t/g, '\t')).filter(Boolean);
}

/** Sampling fields for a request body: numbers where the text is a number, the text itself otherwise. */
export function samplingFields(values) {
  const out = {};
  for (const p of PARAMS) {
    const raw = values[p.key];
    if (raw === undefined || raw === null || String(raw).trim() === '') continue;
    const n = Number(raw);
    // A non-number goes to the server as typed: its 400 names the field and what is allowed.
    out[p.key] = Number.isFinite(n) ? n : String(raw);
  }
  const stops = parseStops(values.stop);
  if (stops.length) out.stop = stops;
  return out;
}

// ---- chain of thought (Kojima et al. 2022): the same prompts as the server's ChainOfThought

export const COT_TRIGGER = "Let's think step by step.";
export const ANSWER_TRIGGER = 'Therefore, the answer is';

/** Stage 1: Q: {question}\nA: {trigger}. */
export function reasoningPrompt(question, trigger = COT_TRIGGER) {
  return 'Q: ' + String(question).trim() + '\nA: ' + trigger;
}

/** Stage 2: the stage-1 prompt, the generated reasoning, then the answer trigger. */
export function answerPrompt(reasoning1, reasoning, trigger = ANSWER_TRIGGER) {
  const r = String(reasoning).replace(/\s+$/, '');
  const sep = !r || /^\s/.test(r) ? '' : ' ';
  return reasoning1 + sep + r + '\n' + trigger;
}

// ---- copy as code

function shellQuote(s) {
  return "'" + String(s).replace(/'/g, "'\\''") + "'";
}

/** A JSON value as a Python literal. */
export function toPython(v, indent = '') {
  const next = indent + '    ';
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    return '[\n' + v.map((x) => next + toPython(x, next)).join(',\n') + ',\n' + indent + ']';
  }
  const keys = Object.keys(v);
  if (!keys.length) return '{}';
  return '{\n' + keys.map((k) => next + JSON.stringify(k) + ': ' + toPython(v[k], next)).join(',\n') + ',\n' + indent + '}';
}

// Fields the OpenAI Python SDK takes as keyword arguments; the rest go in extra_body.
const PY_KWARGS = new Set(['model', 'messages', 'temperature', 'top_p', 'max_tokens', 'seed', 'stop',
  'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'stream', 'stream_options']);

/** The request as curl, Python (OpenAI SDK) and Java (java.net.http) snippets. */
export function codeSnippets(body, origin = location.origin, withKey = false) {
  const url = origin + '/v1/chat/completions';
  const json = JSON.stringify(body, null, 2);
  const curl = ['curl ' + (body.stream ? '-N ' : '') + url + ' \\', "  -H 'Content-Type: application/json' \\"]
    .concat(withKey ? ['  -H "Authorization: Bearer $QUILL_API_KEY" \\'] : [])
    .concat(['  -d ' + shellQuote(json)]).join('\n');

  const kwargs = [];
  const extra = {};
  for (const [k, v] of Object.entries(body)) {
    if (PY_KWARGS.has(k)) kwargs.push(`    ${k}=${toPython(v, '    ')},`);
    else extra[k] = v;
  }
  if (Object.keys(extra).length) kwargs.push(`    extra_body=${toPython(extra, '    ')},`);
  const python = [
    'import os',
    'from openai import OpenAI',
    '',
    `client = OpenAI(base_url=${JSON.stringify(origin + '/v1')}, api_key=os.environ.get("QUILL_API_KEY", "none"))`,
    'response = client.chat.completions.create(',
    ...kwargs,
    ')',
    body.stream
      ? 'for chunk in response:\n    if chunk.choices and chunk.choices[0].delta.content:\n        print(chunk.choices[0].delta.content, end="", flush=True)'
      : 'print(response.choices[0].message.content)',
  ].join('\n');

  // In a text block \ starts an escape and """ ends it: escape both so the JSON arrives unchanged.
  const block = json.replace(/\\/g, '\\\\').replace(/"""/g, '\\"""').split('\n').map((l) => '        ' + l).join('\n');
  const java = [
    'import java.net.URI;',
    'import java.net.http.HttpClient;',
    'import java.net.http.HttpRequest;',
    'import java.net.http.HttpResponse;',
    '',
    'public class QuillChat {',
    '    public static void main(String[] args) throws Exception {',
    '        String body = """',
    block,
    '        """;',
    `        HttpRequest request = HttpRequest.newBuilder(URI.create(${JSON.stringify(url)}))`,
    '                .header("Content-Type", "application/json")',
    ...(withKey ? ['                .header("Authorization", "Bearer " + System.getenv("QUILL_API_KEY"))'] : []),
    '                .POST(HttpRequest.BodyPublishers.ofString(body))',
    '                .build();',
    body.stream
      ? '        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines())\n                .body().forEach(System.out::println); // data: {...} lines'
      : '        System.out.println(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body());',
    '    }',
    '}',
  ].join('\n');
  return { curl, python, java };
}

/** A model's one-line description for pickers: "llama · F32 · ctx 2048 · 293K params". */
export function modelSummary(m) {
  if (m.error) return 'cannot be used: ' + m.error;
  const parts = [m.architecture, m.weight_type];
  const ctx = m.serving_context_length || m.context_length;
  if (ctx) parts.push('ctx ' + ctx + (m.context_length && m.serving_context_length && m.context_length !== m.serving_context_length ? ` (trained ${m.context_length})` : ''));
  if (m.parameter_count) parts.push(humanCount(m.parameter_count) + ' params');
  if (m.loaded) parts.push('loaded');
  return parts.filter(Boolean).join(' · ');
}

export function humanCount(n) {
  if (n >= 1e9) return (n / 1e9).toFixed(1) + 'B';
  if (n >= 1e6) return (n / 1e6).toFixed(1) + 'M';
  if (n >= 1e3) return (n / 1e3).toFixed(1) + 'K';
  return String(n);
}

/** A <select> of models, each option labelled with its id and summary; unusable ones disabled. */
export function modelSelect(models, selected) {
  const select = el('select', { name: 'model', class: 'model-select' });
  for (const m of models) {
    const o = el('option', { value: m.id, text: `${m.id} — ${modelSummary(m)}` });
    if (m.error) o.disabled = true;
    if (m.id === selected) o.selected = true;
    select.appendChild(o);
  }
  return select;
}
