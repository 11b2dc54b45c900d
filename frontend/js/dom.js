// Safe DOM building. Text from a user, a model or the server only ever becomes a Text node (or a
// textContent); nothing here assigns innerHTML, so markup in such text is shown, never parsed.

const SAFE_URL = /^(https?:|mailto:|#|\/(?!\/)|\.\.?\/)/i;

/**
 * Builds an element. attrs: `class`, `text` (textContent), `dataset` (object), `style` (object of
 * CSS properties), `on` (object of event name to handler), boolean or string attributes; `href` and
 * `src` must be http(s), relative or fragment links. Children: nodes, strings (as text), arrays,
 * null/false (skipped).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'style') Object.assign(node.style, value);
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else if (key.startsWith('on')) throw new Error('event handlers go in attrs.on, not ' + key);
    else if (key === 'innerHTML' || key === 'outerHTML') throw new Error('innerHTML is not allowed');
    else if ((key === 'href' || key === 'src') && !SAFE_URL.test(String(value))) continue;
    else if (value === true) node.setAttribute(key, '');
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

/** Appends children (nodes, strings as text, nested arrays; null/false skipped). */
export function append(parent, children) {
  for (const c of [children].flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return parent;
}

/** Removes every child. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** Replaces the children of node. */
export function replace(node, ...children) {
  clear(node);
  return append(node, children);
}

export const text = (s) => document.createTextNode(String(s ?? ''));

/** An inline error box: the server's message (and status/param when known), as text. */
export function errorBox(err, { onDismiss } = {}) {
  const status = err && err.status ? `${err.status}` : '';
  const param = err && err.param ? ` (${err.param})` : '';
  const box = el('div', { class: 'error-box', role: 'alert' },
    status ? el('strong', { text: `Error ${status}${param}: ` }) : el('strong', { text: 'Error: ' }),
    el('span', { class: 'error-message', text: err && err.message ? err.message : String(err) }));
  if (onDismiss) box.appendChild(el('button', { type: 'button', class: 'ghost small', text: 'Dismiss', on: { click: onDismiss } }));
  return box;
}

/** Shows err inline in container (replacing a previous one there). */
export function showError(container, err) {
  const old = container.querySelector(':scope > .error-box');
  if (old) old.remove();
  const box = errorBox(err, { onDismiss: () => box.remove() });
  container.prepend(box);
  return box;
}

/** A labelled form control: <label><span>label</span>control</label>. */
export function field(label, control, hint) {
  return el('label', { class: 'field' }, el('span', { class: 'field-label', text: label }), control,
    hint ? el('small', { class: 'hint', text: hint }) : null);
}

export function formatNumber(n, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Copies text to the clipboard; falls back to a selected textarea where the API is refused. */
export async function copyText(s) {
  try {
    await navigator.clipboard.writeText(s);
    return true;
  } catch {
    const ta = el('textarea', { class: 'offscreen', readonly: true });
    ta.value = s;
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand && document.execCommand('copy');
    ta.remove();
    return !!ok;
  }
}

/** Saves a string as a file through a temporary object URL (nothing leaves the machine). */
export function download(filename, content, type = 'application/json') {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = el('a', { download: filename });
  a.href = url;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---- Markdown: a small subset, built as DOM nodes (never HTML strings).
// Blocks: fenced code, ATX headings, block quotes, bullet and numbered lists, horizontal rules,
// paragraphs. Inline: code spans, **bold**, *italic* / _italic_, [links](http...), line breaks.
// Raw HTML in the source is not interpreted: it stays visible text.

/** Renders Markdown source into a DocumentFragment. */
export function renderMarkdown(src) {
  const frag = document.createDocumentFragment();
  const lines = String(src ?? '').replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = line.match(/^\s*(```|~~~)\s*([\w+-]*)\s*$/);
    if (fence) {
      const body = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i++; // closing fence (or end of text while streaming)
      const code = el('code', { text: body.join('\n') });
      if (fence[2]) code.dataset.lang = fence[2];
      frag.appendChild(el('pre', { class: 'md-code' }, code));
      continue;
    }
    if (!line.trim()) { i++; continue; }
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    if (heading) {
      frag.appendChild(append(el('h' + Math.min(6, heading[1].length + 2), { class: 'md-h' }), inline(heading[2])));
      i++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) { frag.appendChild(el('hr')); i++; continue; }
    if (/^\s*>/.test(line)) {
      const body = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) body.push(lines[i++].replace(/^\s*>\s?/, ''));
      frag.appendChild(el('blockquote', {}, renderMarkdown(body.join('\n'))));
      continue;
    }
    const bullet = /^\s*[-*+]\s+(.*)$/;
    const numbered = /^\s*\d+[.)]\s+(.*)$/;
    if (bullet.test(line) || numbered.test(line)) {
      const re = bullet.test(line) ? bullet : numbered;
      const list = el(re === bullet ? 'ul' : 'ol');
      while (i < lines.length && re.test(lines[i])) {
        list.appendChild(append(el('li'), inline(lines[i].match(re)[1])));
        i++;
      }
      frag.appendChild(list);
      continue;
    }
    const para = [];
    while (i < lines.length && lines[i].trim() && !/^(#{1,6}\s|\s*(```|~~~)|\s*>|\s*[-*+]\s+|\s*\d+[.)]\s+)/.test(lines[i])) {
      para.push(lines[i++]);
    }
    if (!para.length) para.push(lines[i++]);
    const p = el('p');
    para.forEach((l, k) => {
      if (k > 0) p.appendChild(el('br'));
      append(p, inline(l));
    });
    frag.appendChild(p);
  }
  return frag;
}

/** Inline Markdown as an array of nodes. */
export function inline(s) {
  const out = [];
  const re = /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|\b_([^_\s][^_]*)_\b|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  let m;
  while ((m = re.exec(s)) !== null) {
    if (m.index > last) out.push(text(s.slice(last, m.index)));
    if (m[1]) out.push(el('code', { text: m[2] }));
    else if (m[3] || m[4]) out.push(append(el('strong'), inline(m[3] || m[4])));
    else if (m[5] || m[6]) out.push(append(el('em'), inline(m[5] || m[6])));
    else if (m[7]) {
      const safe = SAFE_URL.test(m[8]);
      out.push(safe ? el('a', { href: m[8], rel: 'noopener noreferrer', target: '_blank' }, m[7]) : text(m[0]));
    }
    last = re.lastIndex;
  }
  if (last < s.length) out.push(text(s.slice(last)));
  return out;
}

/** Debounces fn by ms. */
export function debounce(fn, ms = 250) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}
