// The running gateway (its own metrics), the guard's blocks, and the audit chain.
import { api, card, h, ms, stat, table } from './lib.js';
import { barChart, lineChart } from './charts.js';

const when = (t) => (t ? t.replace('T', ' ').slice(0, 19) : '–');
const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);

function chart(title, name, wide = false) {
  const el = h('div', { class: 'chart', 'data-chart': name });
  return { el, node: h('div', { class: wide ? 'card wide' : 'card' }, h('h2', {}, title), el) };
}

/** A two-column table of a `{key: count}` record. */
function countsTable(key, count, record, empty) {
  return table(
    [
      [key, (r) => r[0]],
      [count, (r) => r[1]],
    ],
    Object.entries(record),
    empty,
  );
}

function bars(c, record, label) {
  const entries = Object.entries(record);
  if (entries.length === 0)
    return void c.el.replaceWith(h('p', { class: 'muted', 'data-empty': c.el.dataset.chart }, 'none so far'));
  barChart(c.el, {
    labels: entries.map(([k]) => k),
    series: [{ label, values: entries.map(([, v]) => v) }],
    yLabel: label,
  });
}

export async function gatewayPage(root) {
  const g = await api('/gateway');
  const total = g.requests.reduce((a, r) => a + r.count, 0);
  const timeline = chart('Requests per minute (audit chain)', 'timeline', true);
  const latency = chart('Latency percentiles by action', 'latency');
  const denied = chart('Refused requests by reason', 'denied');
  const drift = chart('Input drift (PSI) per feature', 'drift', true);
  root.append(
    h(
      'div',
      { class: 'grid' },
      card(
        'Traffic',
        h(
          'div',
          { class: 'stats' },
          stat('requests', total),
          stat('refused', sum(g.denied), sum(g.denied) ? 'fail' : ''),
          stat('extraction alarms', sum(g.extractionAlarms), sum(g.extractionAlarms) ? 'fail' : ''),
          stat('drift alarms', sum(g.driftAlarms), sum(g.driftAlarms) ? 'fail' : ''),
        ),
      ),
      card(
        'Models served',
        table(
          [
            ['model', (m) => m.name],
            ['backend', (m) => `${m.kind} v${m.version}`],
            ['extraction watch', (m) => (m.extraction ? 'on' : 'off')],
            ['drift watch', (m) => (m.drift ? 'on' : 'off')],
          ],
          g.models,
        ),
      ),
      timeline.node,
      latency.node,
      denied.node,
      card(
        'Latency',
        table(
          [
            ['action', (l) => l.action],
            ['requests', (l) => l.count],
            ['p50', (l) => ms(l.p50)],
            ['p90', (l) => ms(l.p90)],
            ['p99', (l) => ms(l.p99)],
          ],
          g.latency,
        ),
      ),
      card('Extraction alarms by model', countsTable('model', 'alarms', g.extractionAlarms, 'no alarm')),
      h(
        'div',
        { class: 'card', 'data-alarms': String(g.alarms.length) },
        h('h2', {}, 'Latest alarms'),
        table(
          [
            ['time', (a) => a.ts.replace('T', ' ').slice(0, 19)],
            ['alarm', (a) => h('span', { class: 'fail' }, a.action)],
            ['principal', (a) => a.actor],
            ['model', (a) => a.resource],
          ],
          g.alarms,
          'no alarm',
        ),
      ),
      drift.node,
    ),
  );
  if (g.timeline.t.length)
    lineChart(timeline.el, {
      x: g.timeline.t,
      series: [
        { label: 'allowed', values: g.timeline.allow },
        { label: 'refused', values: g.timeline.deny, color: '#d92d20' },
      ],
      xLabel: 'time',
      yLabel: 'requests / min',
      time: true,
    });
  else timeline.el.replaceWith(h('p', { class: 'muted' }, 'no requests yet'));
  // the chart shows the served routes; the dashboard's own requests are in the table
  const served = g.latency.filter((l) => !l.action.startsWith('ui.'));
  if (served.length)
    barChart(latency.el, {
      labels: served.map((l) => l.action),
      series: ['p50', 'p90', 'p99'].map((p) => ({
        label: `${p} (ms)`,
        values: served.map((l) => (l[p] ?? 0) * 1000),
      })),
      yLabel: 'ms',
    });
  else latency.el.replaceWith(h('p', { class: 'muted' }, 'no requests yet'));
  bars(denied, g.denied, 'refused');
  const features = g.drift.slice(0, 400);
  bars(drift, Object.fromEntries(features.map((d) => [`${d.model}:${d.feature}`, d.psi])), 'PSI');
}

export async function guardPage(root) {
  const g = await api('/guard');
  const det = chart('Blocked prompts by detector', 'detectors');
  const timeline = chart('Chat requests per minute', 'guard-timeline', true);
  root.append(
    h(
      'div',
      { class: 'grid' },
      card(
        'Guard',
        h(
          'div',
          { class: 'stats' },
          stat('chat requests', g.chats),
          stat('blocked', g.blocked, g.blocked ? 'fail' : 'pass'),
        ),
      ),
      det.node,
      card('Blocked by route', countsTable('route', 'blocked', g.byRoute, 'nothing blocked')),
      timeline.node,
    ),
  );
  bars(det, g.byDetector, 'blocked prompts');
  if (g.timeline.t.length)
    lineChart(timeline.el, {
      x: g.timeline.t,
      series: [
        { label: 'passed', values: g.timeline.allow },
        { label: 'refused', values: g.timeline.deny, color: '#d92d20' },
      ],
      xLabel: 'time',
      yLabel: 'requests / min',
      time: true,
    });
  else timeline.el.replaceWith(h('p', { class: 'muted' }, 'no chat requests yet'));
}

const PAGE = 25;

export async function auditPage(root, { params }) {
  const q = params.get('q') ?? '';
  const decision = params.get('decision') ?? '';
  const offset = Number(params.get('offset') ?? 0) || 0;
  const qs = new URLSearchParams({
    limit: String(PAGE),
    offset: String(offset),
    ...(q ? { q } : {}),
    ...(decision ? { decision } : {}),
  });
  const [page, chain] = await Promise.all([api(`/audit?${qs}`), api('/audit/verify')]);
  const verdict = (name, v) =>
    h(
      'div',
      { class: 'stat', 'data-chain': name, 'data-ok': String(v.ok) },
      h('b', { class: v.ok ? 'pass' : 'fail' }, v.ok ? 'intact' : 'broken'),
      h(
        'span',
        { class: 'muted' },
        `${name}: ${v.records} records${v.firstBad ? `; first bad #${v.firstBad.seq}: ${v.firstBad.reason}` : ''}`,
      ),
    );
  const search = h('input', {
    type: 'search',
    id: 'audit-q',
    value: q,
    placeholder: 'actor, action, resource, detail',
    'aria-label': 'search the audit log',
  });
  const pick = h(
    'select',
    { id: 'audit-decision', 'aria-label': 'decision' },
    ['', 'allow', 'deny', 'error', 'admin', 'alarm'].map((d) =>
      h('option', { value: d, selected: d === decision }, d || 'any decision'),
    ),
  );
  const go = (off) => {
    const p = new URLSearchParams({
      ...(search.value ? { q: search.value } : {}),
      ...(pick.value ? { decision: pick.value } : {}),
      ...(off ? { offset: String(off) } : {}),
    });
    location.hash = `#/audit?${p}`;
  };
  const form = h(
    'form',
    { class: 'toolbar', role: 'search' },
    search,
    pick,
    h('button', { type: 'submit' }, 'Search'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go(0);
  });
  const prev = h(
    'button',
    { type: 'button', class: 'secondary', id: 'audit-prev', disabled: offset === 0 },
    '← newer',
  );
  const next = h(
    'button',
    { type: 'button', class: 'secondary', id: 'audit-next', disabled: offset + PAGE >= page.total },
    'older →',
  );
  prev.addEventListener('click', () => go(Math.max(0, offset - PAGE)));
  next.addEventListener('click', () => go(offset + PAGE));
  root.append(
    h(
      'div',
      { class: 'grid' },
      card(
        'Hash chains',
        h('div', { class: 'stats' }, verdict('gateway', chain.gateway), verdict('registry', chain.registry)),
      ),
      h(
        'div',
        { class: 'card wide' },
        h('h2', {}, 'Log'),
        form,
        h(
          'p',
          { class: 'muted', id: 'audit-count' },
          `${page.total} record(s); showing ${page.total ? offset + 1 : 0}–${Math.min(page.total, offset + PAGE)}`,
        ),
        table(
          [
            ['#', (r) => r.seq],
            ['time', (r) => when(r.ts)],
            ['actor', (r) => r.actor],
            ['action', (r) => r.action],
            ['resource', (r) => r.resource],
            [
              'decision',
              (r) =>
                h(
                  'span',
                  { class: r.decision === 'allow' ? 'pass' : r.decision === 'admin' ? '' : 'fail' },
                  r.decision,
                ),
            ],
            ['status', (r) => r.status],
            ['detail', (r) => h('code', {}, r.detail.length > 160 ? `${r.detail.slice(0, 160)}…` : r.detail)],
          ],
          page.records,
          'no matching record',
        ),
        h('div', { class: 'toolbar' }, prev, next),
      ),
    ),
  );
}
