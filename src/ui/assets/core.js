'use strict';
// tracecollector viewer: shared helpers (DOM building, the API client, the read-key form,
// formatting, a collapsible JSON tree, SVG bar charts). Plain scripts, loaded in order by
// index.html; everything shared hangs off window.TC. Trace data is untrusted: text only ever
// goes into the page through textContent / text nodes, never as HTML.

const TC = (window.TC = { pages: {} });

// ---------------------------------------------------------------- DOM
const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'open', 'tabIndex']);

// h('a', {class: 'x', href: '/ui/', testid: 'nav', onclick: fn}, 'text', child, [more])
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  append(el, children);
  setAttrs(el, attrs);
  return el;
}

function setAttrs(el, attrs) {
  if (!attrs) return el;
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'style') throw new Error('no inline styles (CSP)');
    if (k === 'class') el.setAttribute('class', v);
    else if (k === 'testid') el.dataset.testid = v;
    else if (k === 'text') el.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVGNS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null) continue;
    if (k === 'testid') el.setAttribute('data-testid', v);
    else if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c) el.append(c);
  return el;
}

function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// ---------------------------------------------------------------- formatting
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const pad2 = (n) => String(n).padStart(2, '0');

function fmtInt(v) {
  return isNum(v) ? Math.round(v).toLocaleString('en-US') : '—';
}
function fmtNum(v) {
  if (!isNum(v)) return '—';
  return String(Number(v.toPrecision(6)));
}
function fmtCost(v) {
  if (!isNum(v)) return '—';
  if (v === 0) return '$0';
  const a = Math.abs(v);
  if (a < 0.000001) return (v < 0 ? '-' : '') + '<$0.000001';
  if (a >= 100) return (v < 0 ? '-$' : '$') + a.toFixed(2);
  return (v < 0 ? '-$' : '$') + String(Number(a.toPrecision(4)));
}
function fmtMs(ms) {
  if (!isNum(ms)) return '—';
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(ms)} ms`;
  if (a < 60000) return `${(ms / 1000).toFixed(a < 10000 ? 2 : 1)} s`;
  if (a < 3600000) return `${Math.floor(a / 60000)} min ${Math.round((a % 60000) / 1000)} s`;
  return `${Math.floor(a / 3600000)} h ${Math.round((a % 3600000) / 60000)} min`;
}
function fmtDate(d) {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}
// ISO text (as stored) -> local "YYYY-MM-DD HH:MM:SS"; text that is not a date comes back as is.
function fmtTime(iso) {
  if (iso == null || iso === '') return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : fmtDate(d);
}
function fmtEpoch(secs) {
  return isNum(secs) ? fmtDate(new Date(secs * 1000)) : '—';
}
function truncate(text, n) {
  const t = String(text ?? '');
  return t.length > n ? t.slice(0, n - 1) + '…' : t;
}
function plural(n, one, many) {
  return `${fmtInt(n)} ${n === 1 ? one : many || one + 's'}`;
}

// An event marks an error as §10 of docs/api.md defines it (metadata only, here).
const ERROR_STATUS = new Set(['error', 'failed', 'failure', 'timeout']);
function marksError(meta) {
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return false;
  const e = meta.error;
  if (e != null && e !== false && e !== '' && e !== 0) return true;
  const st = (v) => typeof v === 'string' && ERROR_STATUS.has(v.toLowerCase());
  return st(meta.status) || st(meta.outcome);
}

// ---------------------------------------------------------------- read key (sessionStorage)
const KEY_NAME = 'tracecollector.readKey';
const keyStore = {
  get() {
    try { return sessionStorage.getItem(KEY_NAME) || ''; } catch { return ''; }
  },
  set(k) {
    try { sessionStorage.setItem(KEY_NAME, k); } catch { /* storage off: key lives until reload */ }
    renderKeyStatus();
  },
  clear() {
    try { sessionStorage.removeItem(KEY_NAME); } catch { /* ignore */ }
    renderKeyStatus();
  },
};

function renderKeyStatus() {
  const box = document.getElementById('keystatus');
  if (!box) return;
  clear(box);
  if (!keyStore.get()) return;
  box.append(h('span', { class: 'muted', text: 'read key set' }), ' ',
    h('button', {
      class: 'linkbtn', type: 'button', testid: 'key-forget', text: 'forget',
      onclick: () => { keyStore.clear(); TC.route(); },
    }));
}

// ---------------------------------------------------------------- API client
class ApiError extends Error {
  constructor(status, code, message, parameter) {
    super(message);
    this.status = status;
    this.code = code;
    this.parameter = parameter;
  }
}

// GET a JSON document of the public API; throws ApiError (status 0: the collector is unreachable).
async function api(path, signal) {
  const headers = { Accept: 'application/json' };
  const key = keyStore.get();
  if (key) headers.Authorization = 'Bearer ' + key;
  let res;
  try {
    res = await fetch(path, { headers, signal, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'unreachable', 'The collector could not be reached (' + (e && e.message || e) + ').');
  }
  let body = null;
  try { body = await res.json(); } catch (e) { if (e && e.name === 'AbortError') throw e; }
  if (!res.ok) {
    const err = (body && body.error) || {};
    throw new ApiError(res.status, err.code || 'http_' + res.status,
      err.message || `The collector answered HTTP ${res.status} ${res.statusText}.`, err.parameter);
  }
  if (body == null) throw new ApiError(res.status, 'bad_answer', 'The collector answered something that is not JSON.');
  return body;
}

function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') u.set(k, String(v));
  const t = u.toString();
  return t ? '?' + t : '';
}

// ---------------------------------------------------------------- messages and the key form
function keyForm(message, onDone) {
  const input = h('input', {
    type: 'password', name: 'key', autocomplete: 'off', required: true, testid: 'key-input',
    placeholder: 'read key', 'aria-label': 'API key with the read scope',
  });
  const form = h('form', { class: 'keyform', testid: 'key-form' },
    h('h2', { text: 'API key needed' }),
    h('p', { text: message }),
    h('p', { class: 'muted', text: 'The key is kept in this browser tab only (sessionStorage) and sent as "Authorization: Bearer …".' }),
    h('div', { class: 'row' }, input, h('button', { type: 'submit', testid: 'key-submit', text: 'Use key' })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const k = input.value.trim();
    if (!k) return;
    keyStore.set(k);
    onDone();
  });
  queueMicrotask(() => input.focus());
  return form;
}

// An error as a message in `box` (replacing its content): 401 asks for a key, 403 says the key
// lacks the read scope, 0 the collector is unreachable, 404 not found.
function showError(box, err, retry) {
  if (err && err.name === 'AbortError') return;
  clear(box);
  const again = () => (retry ? retry() : TC.route());
  if (err instanceof ApiError && err.status === 401) {
    const had = keyStore.get();
    if (had) keyStore.clear();
    box.append(keyForm(had
      ? 'The collector refused that key (401 unauthorized). Enter a key with the read scope.'
      : 'This collector has API keys turned on. Enter a key with the read scope (auth.read_keys or auth.admin_keys).', again));
    return;
  }
  let title = 'Something went wrong';
  let detail = err && err.message ? err.message : String(err);
  if (err instanceof ApiError) {
    if (err.status === 0) title = 'Cannot reach the collector';
    else if (err.status === 403) title = 'This key lacks the read scope';
    else if (err.status === 404) title = 'Not found';
    else if (err.status === 503) title = 'The collector is unavailable right now';
    else if (err.status === 400) title = err.parameter ? `Invalid value for "${err.parameter}"` : 'Invalid request';
    else title = `Error ${err.status} (${err.code})`;
  }
  const msg = h('div', { class: 'error', testid: 'error', role: 'alert' },
    h('strong', { text: title }), h('p', { text: detail }),
    h('button', { type: 'button', text: 'Retry', onclick: again }));
  box.append(msg);
  if (err instanceof ApiError && err.status === 403) {
    keyStore.clear();
    box.append(keyForm('Enter another key, with the read scope (auth.read_keys or auth.admin_keys).', again));
  }
}

// ---------------------------------------------------------------- collapsible JSON
const JSON_CHUNK = 200;
const LONG_STRING = 600;

// openDepth: levels shown open at first; 'auto' opens everything of a small value, one level of a large one.
function jsonTree(value, openDepth = 'auto') {
  if (openDepth === 'auto') openDepth = (JSON.stringify(value) || '').length <= 6000 ? 12 : 1;
  return h('div', { class: 'json', testid: 'json' }, jsonNode(null, value, 0, openDepth));
}

function jsonKey(key) {
  return key == null ? null : h('span', { class: 'jkey', text: `${key}: ` });
}

function jsonNode(key, value, depth, openDepth) {
  if (value !== null && typeof value === 'object') {
    const isArr = Array.isArray(value);
    const keys = isArr ? null : Object.keys(value);
    const n = isArr ? value.length : keys.length;
    const meta = isArr ? `[${n}]` : `{${n}}`;
    if (n === 0) return h('div', { class: 'jleaf' }, jsonKey(key), h('span', { class: 'jmeta', text: isArr ? '[]' : '{}' }));
    const det = h('details', { class: 'jnode' }, h('summary', null, jsonKey(key), h('span', { class: 'jmeta', text: meta })));
    let filled = false;
    const fill = () => {
      if (filled) return;
      filled = true;
      const box = h('div', { class: 'jchildren' });
      det.append(box);
      const more = (start) => {
        const end = Math.min(n, start + JSON_CHUNK);
        for (let i = start; i < end; i++) {
          box.append(isArr ? jsonNode(i, value[i], depth + 1, openDepth) : jsonNode(keys[i], value[keys[i]], depth + 1, openDepth));
        }
        if (end < n) {
          const btn = h('button', {
            type: 'button', class: 'linkbtn', text: `show ${Math.min(JSON_CHUNK, n - end)} more of ${n - end}`,
            onclick: () => { btn.remove(); more(end); },
          });
          box.append(btn);
        }
      };
      more(0);
    };
    det.addEventListener('toggle', () => { if (det.open) fill(); });
    if (depth < openDepth) { fill(); det.open = true; }
    return det;
  }
  const leaf = h('div', { class: 'jleaf' }, jsonKey(key));
  if (typeof value === 'string') {
    // Shown as the text it is (quotes around it, newlines as line breaks), not JSON-escaped.
    const span = h('span', { class: 'jstr' });
    if (value.length > LONG_STRING) {
      span.textContent = `"${value.slice(0, LONG_STRING)}…`;
      const btn = h('button', {
        type: 'button', class: 'linkbtn', text: `show all ${fmtInt(value.length)} characters`,
        onclick: () => { span.textContent = `"${value}"`; btn.remove(); },
      });
      leaf.append(span, ' ', btn);
    } else {
      span.textContent = `"${value}"`;
      leaf.append(span);
    }
    return leaf;
  }
  const cls = value === null ? 'jnull' : typeof value === 'number' ? 'jnum' : 'jbool';
  leaf.append(h('span', { class: cls, text: String(value) }));
  return leaf;
}

// ---------------------------------------------------------------- SVG bar charts
// Horizontal bars, largest first: label, bar, value. rows: [{label, value}].
function hbarChart(title, rows, fmt, testid) {
  const W = 440, LABEL = 140, VALUE = 76, ROW = 26, TOP = 6;
  rows = rows.slice().sort((a, b) => (isNum(b.value) ? b.value : 0) - (isNum(a.value) ? a.value : 0));
  const max = Math.max(0, ...rows.map((r) => (isNum(r.value) ? r.value : 0)));
  const H = TOP * 2 + Math.max(1, rows.length) * ROW;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title, testid });
  svg.append(s('title', { text: title }));
  const barW = W - LABEL - VALUE - 8;
  rows.forEach((r, i) => {
    const y = TOP + i * ROW;
    const v = isNum(r.value) ? r.value : 0;
    const w = max > 0 ? Math.max(v > 0 ? 1 : 0, (v / max) * barW) : 0;
    svg.append(
      s('text', { x: LABEL - 8, y: y + ROW / 2 + 4, 'text-anchor': 'end', class: 'clabel', text: truncate(r.label, 18) },
        s('title', { text: r.label })),
      s('rect', { x: LABEL, y: y + 4, width: w.toFixed(2), height: ROW - 8, rx: 2, class: 'cbar', testid: 'chart-bar' },
        s('title', { text: `${r.label}: ${fmt(r.value)}` })),
      s('text', { x: LABEL + w + 6, y: y + ROW / 2 + 4, class: 'cvalue', text: fmt(r.value) }));
  });
  if (!rows.length) svg.append(s('text', { x: LABEL, y: TOP + 16, class: 'clabel', text: 'no data' }));
  return h('figure', { class: 'chartbox' }, h('figcaption', { text: title }), svg);
}

// Vertical columns along a time axis (one per day): rows: [{label, value}].
function columnChart(title, rows, fmt, testid) {
  const W = 440, H = 180, LEFT = 8, BOTTOM = 30, TOP = 18;
  const n = Math.max(1, rows.length);
  const max = Math.max(0, ...rows.map((r) => (isNum(r.value) ? r.value : 0)));
  const slot = (W - LEFT * 2) / n;
  const colW = Math.max(2, Math.min(48, slot * 0.7));
  const plotH = H - TOP - BOTTOM;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title, testid });
  svg.append(s('title', { text: title }),
    s('line', { x1: LEFT, x2: W - LEFT, y1: H - BOTTOM + 0.5, y2: H - BOTTOM + 0.5, class: 'caxis' }));
  const every = Math.ceil(n / 8); // at most ~8 labels
  rows.forEach((r, i) => {
    const v = isNum(r.value) ? r.value : 0;
    const hgt = max > 0 ? Math.max(v > 0 ? 1 : 0, (v / max) * plotH) : 0;
    const x = LEFT + i * slot + (slot - colW) / 2;
    svg.append(s('rect', { x: x.toFixed(2), y: (H - BOTTOM - hgt).toFixed(2), width: colW.toFixed(2), height: hgt.toFixed(2), rx: 2, class: 'cbar', testid: 'chart-bar' },
      s('title', { text: `${r.label}: ${fmt(r.value)}` })));
    if (n <= 16) svg.append(s('text', { x: x + colW / 2, y: H - BOTTOM - hgt - 4, 'text-anchor': 'middle', class: 'cvalue', text: fmt(r.value) }));
    if (i % every === 0) svg.append(s('text', { x: x + colW / 2, y: H - BOTTOM + 16, 'text-anchor': 'middle', class: 'clabel', text: r.label }));
  });
  if (!rows.length) svg.append(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'clabel', text: 'no data' }));
  return h('figure', { class: 'chartbox' }, h('figcaption', { text: title }), svg);
}

// A table: cols [{label, get(row) -> text, num?: bool, value?(row) -> raw, testid?}]
function table(cols, rows, opts = {}) {
  const head = h('tr', null, cols.map((c) => h('th', { class: c.num ? 'num' : null, text: c.label, title: c.title })));
  const body = h('tbody');
  for (const r of rows) body.append(tableRow(cols, r, opts.rowTestid));
  return h('table', { class: 'grid', testid: opts.testid }, h('thead', null, head), body);
}
function tableRow(cols, r, testid) {
  return h('tr', { testid }, cols.map((c) => {
    const v = c.get(r);
    const td = h('td', { class: c.num ? 'num' : null, testid: c.testid });
    if (c.value) td.dataset.value = String(c.value(r) ?? '');
    append(td, [v]);
    return td;
  }));
}

Object.assign(TC, {
  h, s, append, clear, setAttrs, isNum, fmtInt, fmtNum, fmtCost, fmtMs, fmtTime, fmtEpoch, fmtDate,
  truncate, plural, marksError, keyStore, renderKeyStatus, ApiError, api, qs, keyForm, showError,
  jsonTree, hbarChart, columnChart, table, tableRow,
});
