// Calls to Quill's own server (same origin only). Errors carry the server's message, status and
// param, so views can show them inline.

const KEY_STORAGE = 'quill.apiKey';

export function getApiKey() {
  try { return localStorage.getItem(KEY_STORAGE) || ''; } catch { return ''; }
}

export function setApiKey(key) {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch { /* storage refused (private mode): the key lasts for this page only */ }
}

/** An error answered by the server (OpenAI's shape {"error": {message, type, param, code}}) or the network. */
export class ApiError extends Error {
  constructor(message, { status = 0, type = null, param = null, code = null, body = null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
    this.body = body;
  }
}

export function headers(extra = {}) {
  const h = { 'Content-Type': 'application/json', Accept: 'application/json', ...extra };
  const key = getApiKey();
  if (key) h.Authorization = 'Bearer ' + key;
  return h;
}

async function errorFrom(response) {
  let body = null;
  let text = '';
  try {
    text = await response.text();
    body = text ? JSON.parse(text) : null;
  } catch { /* not JSON: keep the text */ }
  const e = body && body.error ? body.error : null;
  let message = e && e.message ? e.message : (text || response.statusText || 'request failed');
  if (response.status === 401) message += ' (set the key with the Key button in the header)';
  if (response.status === 413 && !e) message = 'the request is larger than the server accepts (quill.max-body-size)';
  return new ApiError(message, { status: response.status, type: e && e.type, param: e && e.param, code: e && e.code, body });
}

/** fetch with the API key; throws ApiError for a network failure or a non-2xx answer. */
export async function request(method, path, body, { signal, raw = false } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(),
      body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
      signal,
    });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError('cannot reach the Quill server: ' + (err && err.message ? err.message : err));
  }
  if (!response.ok) throw await errorFrom(response);
  if (raw) return response;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

export const getJson = (path, opts) => request('GET', path, undefined, opts);
export const postJson = (path, body, opts) => request('POST', path, body ?? {}, opts);
export const putJson = (path, body, opts) => request('PUT', path, body ?? {}, opts);

/** Prompt names contain slashes that stay path separators; each segment is escaped. */
export const promptPath = (name) => '/api/prompts/' + String(name).split('/').map(encodeURIComponent).join('/');

/** GET /v1/models: the data array. */
export async function listModels(opts) {
  const r = await getJson('/v1/models', opts);
  return r.data || [];
}

/**
 * Splits a server-sent-events byte stream into `data:` payloads as they arrive. Frames may be
 * split across reads or several may come in one read; comments and other fields are ignored.
 */
export async function readSse(body, onData) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
      const data = frame.split(/\r?\n/).filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, '')).join('\n');
      if (data) onData(data);
    }
    if (done) return;
  }
}

/**
 * POSTs a chat completion with stream:true and reports it as it arrives.
 * - onDelta(text, chunk): each piece of content (chunk.choices[0].logprobs holds its token logprobs)
 * - onChunk(chunk): every parsed chunk (role, finish_reason, usage)
 * - onDone(result): {text, finishReason, usage, logprobs, aborted, timings}
 * - onError(ApiError): a refused request, a network failure, or an error sent inside the stream
 * Aborting `signal` closes the connection, which stops the generation on the server.
 * Returns a promise of the result (rejected with the error, unless onError is given).
 */
export async function streamChat(body, { onDelta, onChunk, onDone, onError, signal } = {}) {
  const started = performance.now();
  const result = { text: '', finishReason: null, usage: null, logprobs: [], aborted: false,
    timings: { started, firstToken: null, finished: null } };
  try {
    const response = await request('POST', '/v1/chat/completions',
      { ...body, stream: true, stream_options: { include_usage: true } }, { signal, raw: true });
    let streamError = null;
    await readSse(response.body, (data) => {
      if (data === '[DONE]') return;
      let chunk;
      try { chunk = JSON.parse(data); } catch { return; }
      if (chunk.error) {
        streamError = new ApiError(chunk.error.message || 'generation failed', { status: 500, ...chunk.error });
        return;
      }
      if (chunk.usage) result.usage = chunk.usage;
      const choice = chunk.choices && chunk.choices[0];
      if (choice) {
        const lp = choice.logprobs && choice.logprobs.content;
        if (lp) result.logprobs.push(...lp);
        const piece = choice.delta && choice.delta.content;
        if (piece) {
          if (result.timings.firstToken === null) result.timings.firstToken = performance.now();
          result.text += piece;
          if (onDelta) onDelta(piece, chunk);
        }
        if (choice.finish_reason) result.finishReason = choice.finish_reason;
      }
      if (onChunk) onChunk(chunk);
    });
    if (streamError) throw streamError;
  } catch (err) {
    result.timings.finished = performance.now();
    if (err && err.name === 'AbortError') {
      result.aborted = true;
      result.finishReason = 'cancelled';
      if (onDone) onDone(result);
      return result;
    }
    const e = err instanceof ApiError ? err : new ApiError(String(err && err.message ? err.message : err));
    if (onError) { onError(e); return result; }
    throw e;
  }
  result.timings.finished = performance.now();
  if (onDone) onDone(result);
  return result;
}
