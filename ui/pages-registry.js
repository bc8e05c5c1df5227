// Overview, models (versions, lineage, evidence, approvals, promotion) and scan findings.
import { api, card, h, num, sev, stat, table } from './lib.js';
import { barChart } from './charts.js';

const short = (d) => (d ? `${d.slice(0, 19)}…` : '–');
const when = (t) => (t ? t.replace('T', ' ').slice(0, 19) : '–');

function gateRow(g) {
  return h(
    'div',
    { class: 'card', 'data-gate': `${g.ref}:${g.alias}` },
    h(
      'h2',
      {},
      `${g.ref} → ${g.alias}: `,
      h('span', { class: g.passed ? 'pass' : 'fail' }, g.passed ? 'passes' : 'blocked'),
    ),
    table(
      [
        ['clause', (c) => c.clause],
        ['', (c) => h('span', { class: c.passed ? 'pass' : 'fail' }, c.passed ? 'met' : 'unmet')],
        ['detail', (c) => c.detail],
      ],
      g.clauses,
      'no clauses',
    ),
  );
}

function categoryChart(title, rows) {
  const used = rows.filter((r) => r.count > 0);
  const shown = used.length ? used : rows.slice(0, 6);
  const el = h('div', { class: 'chart', 'data-chart': title });
  const c = card(title, el, h('p', { class: 'muted' }, shown.map((r) => `${r.id} ${r.title}`).join(' · ')));
  return {
    node: c,
    draw: () =>
      barChart(el, {
        labels: shown.map((r) => r.id.replace(/:20\d\d$/, '')),
        series: [{ label: 'open findings', values: shown.map((r) => r.count) }],
        yLabel: 'findings',
      }),
  };
}

export async function overviewPage(root) {
  const o = await api('/overview');
  const sevs = ['critical', 'high', 'medium', 'low'];
  const charts = [
    categoryChart('OWASP ML Top 10 (2023)', o.categories.owaspMl),
    categoryChart('MITRE ATLAS', o.categories.atlas),
    categoryChart('OWASP LLM Top 10 (2025)', o.categories.owaspLlm),
  ];
  root.append(
    h(
      'div',
      { class: 'grid' },
      card(
        'Posture',
        h(
          'div',
          { class: 'stats' },
          stat('models', o.models.length),
          stat('open findings', o.findings.total, o.findings.total ? 'fail' : 'pass'),
          ...sevs.map((s) => stat(s, o.findings.bySeverity[s] ?? 0, `sev-${s}`)),
        ),
        h('p', { class: 'muted' }, 'Open findings: low or above, on the latest version of each model.'),
      ),
      card(
        'Models',
        table(
          [
            [
              'model',
              (m) => h('a', { href: `#/models?ref=${encodeURIComponent(`${m.name}@${m.latest}`)}` }, m.name),
            ],
            ['versions', (m) => m.versions],
            [
              'aliases',
              (m) =>
                Object.entries(m.aliases)
                  .map(([a, v]) => `${a}→${v}`)
                  .join(', ') || '–',
            ],
          ],
          o.models,
        ),
      ),
      card(
        'Evidence on latest versions',
        table(
          [
            ['kind', (e) => e.kind],
            ['reports', (e) => e.count],
          ],
          o.evidence,
        ),
      ),
      ...charts.map((c) => c.node),
    ),
    h('h2', {}, 'Gates'),
    h(
      'div',
      { class: 'grid' },
      o.gates.length ? o.gates.map(gateRow) : h('p', { class: 'muted' }, 'no promotion policy'),
    ),
  );
  for (const c of charts) c.draw();
}

/** Lineage as an SVG: data sets and ancestors to the left, each node one column right of what it came from. */
function lineageSvg(g) {
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

function promoteForm(v, onDone) {
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

export async function modelsPage(root, { params }) {
  const ref = params.get('ref');
  const m = await api(`/models${ref ? `?ref=${encodeURIComponent(ref)}` : ''}`);
  const v = m.selected;
  const list = card(
    'Registry',
    ...m.models.map((x) =>
      h(
        'div',
        { class: 'versions' },
        h('strong', {}, x.name),
        x.versions.map((y) =>
          h(
            'a',
            {
              href: `#/models?ref=${encodeURIComponent(y.ref)}`,
              'aria-current': v && y.ref === v.ref ? 'true' : null,
            },
            `${y.ref}${y.aliases.length ? ` [${y.aliases.join(', ')}]` : ''} · ${y.approvals} approval(s)`,
          ),
        ),
      ),
    ),
  );
  if (!v) return void root.append(list);
  const evidence = table(
    [
      ['#', (e) => e.id],
      ['kind', (e) => e.kind],
      ['verdict', (e) => h('span', { class: e.verdict === 'pass' ? 'pass' : 'fail' }, e.verdict)],
      ['findings', (e) => `${e.findings.total} (high ${e.findings.high ?? 0})`],
      [
        'key metrics',
        (e) =>
          Object.entries(e.metrics)
            .filter(([k]) => !k.includes('@') && !k.startsWith('class.'))
            .slice(0, 5)
            .map(([k, x]) => `${k}=${num(x)}`)
            .join(', '),
      ],
      ['added', (e) => `${when(e.addedAt)} by ${e.addedBy}`],
    ],
    v.evidence,
  );
  root.append(
    h(
      'div',
      { class: 'grid' },
      list,
      card(
        `${v.ref}`,
        table(
          [
            ['', (r) => r[0]],
            ['', (r) => r[1]],
          ],
          [
            ['digest', h('code', {}, short(v.digest))],
            ['format', v.format],
            ['files', v.files.map((f) => `${f.name} (${f.format}, ${f.size} B)`).join('; ')],
            ['signer', v.signer ?? 'unsigned'],
            ['created', `${when(v.createdAt)} by ${v.createdBy}`],
            ['aliases', v.aliases.join(', ') || '–'],
            ['parents', v.parents.map((p) => `${p.relation} ${p.ref}`).join(', ') || '–'],
          ],
        ),
      ),
      h(
        'div',
        { class: 'card wide lineage', 'data-lineage': String(v.lineage.nodes.length) },
        h('h2', {}, 'Lineage'),
        lineageSvg(v.lineage),
      ),
      h('div', { class: 'card wide' }, h('h2', {}, 'Evidence'), evidence),
      card(
        'Approvals',
        table(
          [
            ['who', (a) => a.principal],
            ['role', (a) => a.role],
            ['current', (a) => (a.current ? 'yes' : 'expired')],
            ['comment', (a) => a.comment],
            ['when', (a) => when(a.createdAt)],
          ],
          v.approvalList,
          'no approvals',
        ),
      ),
      m.canPromote
        ? promoteForm(v, () => setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')), 600))
        : null,
    ),
    h('h2', {}, 'Gates'),
    h('div', { class: 'grid' }, v.gates.map(gateRow)),
  );
}

export async function scansPage(root) {
  const s = await api('/scans');
  const filter = h('input', {
    type: 'search',
    placeholder: 'filter findings',
    'aria-label': 'filter findings',
    id: 'scan-filter',
  });
  const body = h('div', {});
  const render = () => {
    const q = filter.value.toLowerCase();
    const rows = s.findings.filter((f) => !q || JSON.stringify(f).toLowerCase().includes(q));
    body.replaceChildren(
      table(
        [
          ['severity', (f) => sev(f.severity)],
          ['model', (f) => f.ref],
          ['finding', (f) => h('span', { title: f.detail }, f.title)],
          ['file', (f) => h('code', {}, f.file ?? '–')],
          ['member', (f) => h('code', {}, f.member ?? '–')],
          ['offset', (f) => f.offset ?? '–'],
          [
            'refs',
            (f) => [...(f.refs.owasp ?? []), ...(f.refs.atlas ?? []), ...(f.refs.cwe ?? [])].join(' '),
          ],
        ],
        rows,
        'no findings',
      ),
    );
  };
  filter.addEventListener('input', render);
  render();
  root.append(
    h(
      'div',
      { class: 'grid' },
      card(
        'Scans',
        table(
          [
            ['model', (x) => x.ref],
            ['verdict', (x) => h('span', { class: x.verdict === 'pass' ? 'pass' : 'fail' }, x.verdict)],
            [
              'files',
              (x) => x.items.map((i) => `${i.name.split('/').pop()} (${i.format}: ${i.status})`).join('; '),
            ],
            ['when', (x) => when(x.addedAt)],
          ],
          s.scans,
        ),
      ),
      h(
        'div',
        { class: 'card wide' },
        h('h2', {}, `Findings (${s.findings.length})`),
        h('div', { class: 'toolbar' }, filter),
        body,
      ),
    ),
  );
}
