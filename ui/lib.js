// DOM and API helpers: every value from the server reaches the page as text nodes, never as markup.

const TOKEN = 'warden.token';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN),
  set: (t) => sessionStorage.setItem(TOKEN, t),
  clear: () => sessionStorage.removeItem(TOKEN),
};

/** A refusal or failure of the API, with the gateway's error body. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? 'HTTP_ERROR';
  }
}

/** Time of the last API call, fetch to parsed JSON (the page records it beside its own time). */
export const timing = { fetchMs: 0 };

export async function api(path, init = {}) {
  const t0 = performance.now();
  const headers = { accept: 'application/json', ...(init.headers ?? {}) };
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  const r = await fetch(`/api/ui${path}`, { ...init, headers, cache: 'no-store' });
  const body = await r.json().catch(() => null);
  timing.fetchMs = performance.now() - t0;
  if (!r.ok) throw new ApiError(r.status, body);
  return body;
}

export const pct = (v) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : `${(v * 100).toFixed(1)}%`;
export const num = (v, d = 3) =>
  v === null || v === undefined || Number.isNaN(v)
    ? '–'
    : Number.isInteger(v)
      ? String(v)
      : Number(v).toFixed(d);
export const ms = (s) => (s === null || s === undefined ? '–' : `${(s * 1000).toFixed(2)} ms`);

export function card(title, ...body) {
  return h('div', { class: 'card' }, title ? h('h2', {}, title) : null, ...body);
}

/** A table from rows and column specs `[header, row => cell]`. */
export function table(columns, rows, empty = 'nothing yet') {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map(([head]) => h('th', { scope: 'col' }, head)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            {},
            columns.map(([, cell]) => h('td', {}, cell(r))),
          ),
        ),
      ),
    ),
  );
}

export function stat(label, value, cls) {
  return h(
    'div',
    { class: 'stat' },
    h('b', { class: cls }, String(value)),
    h('span', { class: 'muted' }, label),
  );
}

export const sev = (s) => h('span', { class: `sev-${s}` }, s);
