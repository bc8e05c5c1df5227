// Overview, models (versions, lineage, evidence, approvals, promotion) and scan findings.
import { api, card, h, num, sev, stat, table } from './lib.js';
import { barChart } from './charts.js';
import { lineageSvg, promoteForm } from './lineage.js';

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
