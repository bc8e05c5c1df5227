import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bufferSource, isWardenError, severityRank, type ByteSource } from '../../../core/index.js';
import { scanBytes, scanFile } from '../../scan/engine.js';
import { buildPolicy } from '../../scan/policy.js';
import { DEFAULT_LIMITS, type FindingInput, type ScanContext } from '../../scan/types.js';
import { pickleScanner, scanPickle } from './index.js';
import { callPickle, py, picklePy, torchStateDictPickle } from './samples.js';
import { PickleWriter } from './writer.js';

/** A ScanContext that records findings, metrics and nested scans (nested payloads are scanned too). */
function recorder(strict = false) {
  const findings: FindingInput[] = [];
  const metrics: Record<string, number> = {};
  const nested: { name: string; size: number; format?: string }[] = [];
  let ticks = 0;
  const ctx: ScanContext = {
    path: 'mem.pkl',
    member: '',
    depth: 0,
    policy: buildPolicy({}, strict),
    limits: DEFAULT_LIMITS,
    emit: (f) => findings.push(f),
    async scanNested(name: string, src: ByteSource, opts?: { format?: string }) {
      nested.push({ name, size: src.size, ...(opts?.format ? { format: opts.format } : {}) });
      await scanPickle(src, ctx);
    },
    checkDeadline: () => void ticks++,
    metric: (n, v) => void (metrics[n] = (metrics[n] ?? 0) + v),
  };
  return { ctx, findings, metrics, nested, ticks: () => ticks };
}

async function scan(bytes: Uint8Array, strict = false) {
  const r = recorder(strict);
  let error: unknown = null;
  try {
    await scanPickle(bufferSource(bytes), r.ctx);
  } catch (e) {
    error = e;
  }
  return { ...r, error, titles: r.findings.map((f) => `${f.severity}:${f.title}`) };
}

const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('scanPickle', () => {
  it('reports a dangerous import as critical with the policy reason and the byte offset', async () => {
    const r = await scan(callPickle('os', 'system', ['id'], 4));
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      id: 'pickle.dangerous-global',
      severity: 'critical',
      title: 'Pickle imports dangerous global os.system',
      location: { offset: 14 },
    });
    expect(r.findings[0]?.detail).toMatch(/spawns processes/);
    expect(r.metrics).toMatchObject({ pickle_streams: 1, pickle_globals: 1 });
  });

  it('reports unknown imports at the policy severity (high under strict) and allowed ones not at all', async () => {
    const bytes = picklePy([py.call('mylib.models', 'Net'), py.call('collections', 'OrderedDict')], 2);
    expect((await scan(bytes)).titles).toEqual(['medium:Pickle imports unknown global mylib.models.Net']);
    expect((await scan(bytes, true)).titles).toEqual(['high:Pickle imports unknown global mylib.models.Net']);
  });

  it('reports each global once per stream, at its first offset', async () => {
    const w = new PickleWriter(2).mark();
    for (let i = 0; i < 3; i++) w.global('os', 'system').str('x').tuple1().reduce();
    const r = await scan(w.tuple().stop().bytes());
    expect(r.findings.map((f) => f.location?.offset)).toEqual([3]);
  });

  it('scans every stacked stream and finds a payload in a later one', async () => {
    const bytes = concat(picklePy(py.dict({ model: 'safe' }), 4), callPickle('builtins', 'eval', ['1'], 4));
    const r = await scan(bytes);
    expect(r.titles).toEqual(['critical:Pickle imports dangerous global builtins.eval']);
    expect(r.metrics.pickle_streams).toBe(2);
  });

  it('treats non-pickle bytes after a complete stream as data (legacy torch storages)', async () => {
    const storage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 37) & 0xff);
    const legacy = concat(
      picklePy(0x1950a86a20f9469cfc6cn, 2),
      picklePy(1001, 2),
      picklePy(py.dict({ protocol_version: 1001 }), 2),
      torchStateDictPickle({ tensors: 3 }),
      picklePy(['0', '1', '2'], 2),
      Uint8Array.of(0x10, 0, 0, 0, 0, 0, 0, 0),
      storage,
    );
    const r = await scan(legacy);
    expect([r.error, r.findings]).toEqual([null, []]);
    expect(r.metrics.pickle_streams).toBe(5);
    expect(r.metrics.pickle_trailing_bytes).toBe(8 + 4096);
    // a second stream that starts like a pickle but breaks is data too, after the findings of the first
    const broken = concat(callPickle('os', 'system', ['id'], 2), Uint8Array.of(0x80, 2, 0x4b));
    const b = await scan(broken);
    expect([b.error, b.findings.length]).toEqual([null, 1]);
  });

  it('keeps findings made before a parse error of the first stream, then throws a typed error', async () => {
    const w = new PickleWriter(2).global('builtins', 'exec').mark().op(0x58).raw([0xff, 0xff, 0xff, 0x20]);
    const r = await scan(w.bytes());
    expect(r.titles).toEqual(['critical:Pickle imports dangerous global builtins.exec']);
    expect(isWardenError(r.error) && r.error.code).toBe('TRUNCATED');
  });

  it('scans constant payloads of pickle.loads as nested pickles', async () => {
    const inner = callPickle('subprocess', 'Popen', ['sh'], 4);
    const r = await scan(picklePy(py.call('pickle', 'loads', [inner]), 4));
    expect(r.nested).toEqual([
      { name: `pickle.loads@${20 + inner.length + 1}`, size: inner.length, format: 'pickle' },
    ]);
    expect(r.titles).toEqual([
      'high:Pickle imports dangerous global pickle.loads',
      'critical:Pickle imports dangerous global subprocess.Popen',
    ]);
  });

  it('records persistent ids and opcode metrics, calls checkDeadline on long streams', async () => {
    const w = new PickleWriter(4).emptyList();
    for (let b = 0; b < 150; b++) {
      w.mark();
      for (let i = 0; i < 1000; i++) w.int(i);
      w.appends();
    }
    const r = await scan(w.stop().bytes());
    expect(r.metrics.pickle_opcodes).toBe(3 + 150 * 1002);
    expect(r.ticks()).toBeGreaterThanOrEqual(2);
    const t = await scan(torchStateDictPickle({ tensors: 4 }));
    expect([t.findings, t.metrics.pickle_persistent_ids]).toEqual([[], 4]);
  });

  it('emits through the engine: scanBytes detects, scans and reports', async () => {
    const r = await scanBytes('evil.pkl', callPickle('posix', 'system', ['id'], 0));
    expect(r.item).toMatchObject({ format: 'pickle', status: 'findings' });
    expect(r.findings[0]).toMatchObject({ detector: 'pickle', location: { path: 'evil.pkl', offset: 0 } });
  });

  it('exposes a Scanner that detects pickles cheaply', () => {
    expect(pickleScanner.format).toBe('pickle');
    expect(pickleScanner.detect(Buffer.from([0x80, 4, 0x95]), 100)).toBe(true);
    expect(pickleScanner.detect(Buffer.from('{"a": 1}'), 8)).toBe(false);
  });
});

describe('corpus pickles', () => {
  const root = fileURLToPath(new URL('../../../../test/fixtures/corpus', import.meta.url));
  const entries: [string, { malicious: boolean; category: string; format: string }][] = [];
  for (const c of ['modelaudit', 'modelscan', 'picklescan']) {
    const file = join(root, c, 'labels.json');
    if (!existsSync(file)) continue;
    const labels = JSON.parse(readFileSync(file, 'utf8')) as Record<
      string,
      { malicious: boolean; category: string; format: string }
    >;
    for (const [rel, l] of Object.entries(labels)) {
      const path = join(root, c, rel);
      // raw pickles: the pickle format itself, and legacy torch files (stacked pickles)
      if (l.format === 'pickle' || (l.format === 'pytorch' && readFileSync(path)[0] === 0x80))
        entries.push([join(c, rel), l]);
    }
  }

  it('has the corpus', () => expect(entries.length).toBeGreaterThan(80));

  it.each(entries)('%s', async (rel, label) => {
    const r = await scanFile(join(root, rel));
    const worst = Math.max(-1, ...r.findings.map((f) => severityRank(f.severity)));
    if (label.malicious) expect(worst, JSON.stringify(r.item)).toBeGreaterThanOrEqual(severityRank('high'));
    else if (label.category === 'benign') expect(worst).toBeLessThanOrEqual(severityRank('low'));
    else expect(worst).toBeLessThanOrEqual(severityRank('medium'));
    if (r.item.error) expect(['FORMAT_INVALID', 'TRUNCATED']).toContain(r.item.error.code);
  });
});
