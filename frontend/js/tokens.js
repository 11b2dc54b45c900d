// The probabilities view: each generated token coloured by the probability the model gave it,
// with the top alternatives on hover (or focus). Token text is only ever set as textContent.
import { el } from './dom.js';

/** Hue from red (unlikely) to green (certain) for a probability in [0, 1]. */
export function probabilityColor(p) {
  const hue = Math.round(120 * Math.max(0, Math.min(1, p)));
  return `hsla(${hue}, 75%, 50%, 0.28)`;
}

const pct = (lp) => (100 * Math.exp(lp)).toFixed(lp > Math.log(0.001) ? 1 : 3) + '%';

/** Whitespace made visible in the alternatives list, so " the" and "the" can be told apart. */
export function visibleToken(s) {
  return String(s).replace(/ /g, '·').replace(/\n/g, '↵').replace(/\t/g, '→') || '∅';
}

let tooltip = null;
function showTooltip(target, entry) {
  if (!tooltip) {
    tooltip = el('div', { class: 'token-tooltip', role: 'tooltip' });
    document.body.appendChild(tooltip);
  }
  tooltip.replaceChildren(
    el('div', { class: 'tt-head' }, el('code', { text: visibleToken(entry.token) }), ' ', el('strong', { text: pct(entry.logprob) })),
    el('table', {}, ...(entry.top_logprobs || []).map((alt) => el('tr', { class: alt.token === entry.token ? 'chosen' : '' },
      el('td', {}, el('code', { text: visibleToken(alt.token) })),
      el('td', { class: 'num', text: pct(alt.logprob) }),
      el('td', {}, el('span', { class: 'tt-bar', style: { width: Math.max(1, Math.round(60 * Math.exp(alt.logprob))) + 'px' } }))))));
  const r = target.getBoundingClientRect();
  tooltip.hidden = false;
  const w = tooltip.offsetWidth;
  tooltip.style.left = Math.max(4, Math.min(window.innerWidth - w - 4, r.left)) + 'px';
  tooltip.style.top = (r.bottom + 6) + 'px';
}
function hideTooltip() { if (tooltip) tooltip.hidden = true; }

/** Token spans for chat logprobs entries ({token, logprob, top_logprobs}). */
export function probabilityView(entries) {
  const root = el('div', { class: 'prob-view plain' });
  entries.forEach((entry, i) => {
    const p = Math.exp(entry.logprob);
    const span = el('span', {
      class: 'tok', tabindex: '0', text: entry.token,
      dataset: { index: String(i), p: p.toFixed(4) },
      style: { backgroundColor: probabilityColor(p) },
      'aria-label': `${visibleToken(entry.token)} ${pct(entry.logprob)}`,
      on: { mouseenter: (e) => showTooltip(e.currentTarget, entry), focus: (e) => showTooltip(e.currentTarget, entry),
        mouseleave: hideTooltip, blur: hideTooltip },
    });
    root.appendChild(span);
  });
  return root;
}

/** A legend for the colours. */
export function probabilityLegend() {
  return el('div', { class: 'prob-legend muted' }, 'probability: ',
    ...[0.05, 0.25, 0.5, 0.75, 0.99].map((p) => el('span', { class: 'tok', style: { backgroundColor: probabilityColor(p) }, text: Math.round(p * 100) + '%' })));
}
