// The models page's parts: the lineage graph (SVG built node by node) and the promotion form.
import { api, card, h } from './lib.js';

/** Lineage as an SVG: data sets and ancestors to the left, each node one column right of what it came from. */
export function lineageSvg(g) {
  const NS = 'http://www.w3.org/2000/svg';
  const s = (tag, attrs, text) => {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const col = new Map(g.nodes.map((n) => [n.id, 0]));
  for (let pass = 0; pass < g.nodes.length; pass++)
    for (const e of g.edges) col.set(e.from, Math.max(col.get(e.from) ?? 0, (col.get(e.to) ?? 0) + 1));
  const rows = new Map();
  const pos = new Map();
  for (const n of g.nodes) {
    const c = col.get(n.id) ?? 0;
    const r = rows.get(c) ?? 0;
    rows.set(c, r + 1);
    pos.set(n.id, { x: 20 + c * 220, y: 30 + r * 60 });
  }
  const width = 20 + (Math.max(0, ...col.values()) + 1) * 220;
  const height = 30 + Math.max(1, ...rows.values()) * 60;
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': 'lineage graph',
  });
  svg.append(s('defs', {}));
  for (const e of g.edges) {
    const a = pos.get(e.to);
    const b = pos.get(e.from);
    if (!a || !b) continue;
    svg.append(
      s('line', { x1: a.x + 170, y1: a.y, x2: b.x, y2: b.y, stroke: '#98a2b3', 'stroke-width': 1.5 }),
    );
    svg.append(
      s('text', { x: (a.x + 170 + b.x) / 2 - 30, y: (a.y + b.y) / 2 - 4, fill: '#667085' }, e.relation),
    );
  }
  for (const n of g.nodes) {
    const p = pos.get(n.id);
    const root = n.id === g.root;
    svg.append(
      s('rect', {
        x: p.x,
        y: p.y - 16,
        width: 170,
        height: 32,
        rx: 6,
        fill: n.kind === 'dataset' ? '#ecfdf3' : root ? '#dbe6fb' : '#f2f4f7',
        stroke: root ? '#2457c5' : '#d0d5dd',
      }),
    );
    svg.append(
      s(
        'text',
        { x: p.x + 8, y: p.y + 4 },
        `${n.kind === 'dataset' ? '▤ ' : ''}${n.label}${n.aliases?.length ? ` [${n.aliases.join(',')}]` : ''}`.slice(
          0,
          30,
        ),
      ),
    );
  }
  return svg;
}

export function promoteForm(v, onDone) {
  const alias = h(
    'select',
    { id: 'promote-alias', 'aria-label': 'alias' },
    [...new Set([...v.gates.map((g) => g.alias), 'staging'])].map((a) => h('option', { value: a }, a)),
  );
  const out = h('p', { role: 'status', id: 'promote-result' });
  const btn = h('button', { type: 'button', id: 'promote' }, `Promote ${v.ref}`);
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      const r = await api(`/versions/${encodeURIComponent(v.ref)}/promote`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ alias: alias.value }),
      });
      out.className = 'pass';
      out.textContent = `${r.ref} is now ${r.alias}${r.previous ? ` (was ${r.previous})` : ''}`;
      onDone();
    } catch (e) {
      out.className = 'fail';
      out.textContent = `${e.status ?? ''} ${e.message}`;
    } finally {
      btn.disabled = false;
    }
  });
  return card('Promote', h('div', { class: 'toolbar' }, alias, btn), out);
}
