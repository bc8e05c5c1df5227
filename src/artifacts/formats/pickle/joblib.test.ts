import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../../core/index.js';
import { buildPolicy } from '../../scan/policy.js';
import { DEFAULT_LIMITS, type FindingInput, type ScanContext } from '../../scan/types.js';
import { dtypeInfo, shapeCount } from './joblib.js';
import { joblibPickle } from './joblib-writer.js';
import { py } from './samples.js';
import { scanPickle } from './scanner.js';
import { CallResult, GlobalRef, SeqValue, T_TUPLE, type Value } from './values.js';

async function scan(bytes: Uint8Array) {
  const findings: FindingInput[] = [];
  const metrics: Record<string, number> = {};
  const ctx: ScanContext = {
    path: 'model.joblib',
    member: '',
    depth: 0,
    policy: buildPolicy(),
    limits: DEFAULT_LIMITS,
    emit: (f) => findings.push(f),
    scanNested: () => Promise.resolve(),
    checkDeadline() {},
    metric: (n, v) => void (metrics[n] = (metrics[n] ?? 0) + v),
  };
  let error: unknown = null;
  try {
    await scanPickle(bufferSource(bytes), ctx);
  } catch (e) {
    error = e;
  }
  return {
    findings,
    metrics,
    error,
    ids: findings.map((f) => `${f.severity}:${f.id}:${f.title.split(' ').pop()}`),
  };
}

/** Array bytes that would execute os.system if a plain unpickler read them as opcodes. */
const TRAP = new TextEncoder().encode('cos\nsystem\n(S"id"\ntR.');

function trapArray(len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = TRAP[i % TRAP.length] as number;
  return out;
}

describe('joblib arrays', () => {
  it('skips raw array bytes (with joblib >= 1.2 alignment padding) and keeps scanning after them', async () => {
    const arrays = [
      { shape: [3, 4], dtype: 'f8', data: trapArray(96) },
      { shape: [5], dtype: 'i4', data: trapArray(20) },
      { shape: [], dtype: 'u1', data: trapArray(1) },
    ];
    const clean = await scan(joblibPickle(arrays));
    expect([clean.error, clean.ids]).toEqual([null, []]);
    expect(clean.metrics.pickle_joblib_arrays).toBe(3);
    const evil = await scan(joblibPickle(arrays, { trailer: py.call('os', 'system', ['id']) }));
    expect(evil.ids).toEqual(['critical:pickle.dangerous-global:os.system']);
  });

  it('handles dumps without padding (joblib < 1.2) and protocols 1-5', async () => {
    for (const protocol of [1, 2, 3, 4, 5]) {
      for (const alignment of [true, false]) {
        const bytes = joblibPickle([{ shape: [7], dtype: 'f4', data: trapArray(28) }], {
          protocol,
          alignment,
          trailer: py.call('builtins', 'eval', ['1']),
        });
        const r = await scan(bytes);
        expect([protocol, alignment, r.error, r.ids]).toEqual([
          protocol,
          alignment,
          null,
          ['critical:pickle.dangerous-global:builtins.eval'],
        ]);
      }
    }
  });

  it('scans the nested pickle of an object array', async () => {
    const bytes = joblibPickle([
      { shape: [2], dtype: 'O', data: ['a', py.call('subprocess', 'run', ['ls'])] },
      { shape: [2], dtype: 'f8' },
    ]);
    const r = await scan(bytes);
    expect([r.error, r.ids]).toEqual([null, ['critical:pickle.dangerous-global:subprocess.run']]);
    expect(r.metrics.pickle_joblib_arrays).toBe(2);
  });

  it('reports an unparsable wrapper instead of failing', async () => {
    const bytes = joblibPickle([{ shape: [2], dtype: 'f8' }]);
    // replace the dtype string 'f8' by 'zz' (no size known)
    const i = Buffer.from(bytes).indexOf('f8');
    const broken = Uint8Array.from(bytes);
    broken.set([0x7a, 0x7a], i);
    const r = await scan(broken);
    expect([r.error, r.ids]).toEqual([null, ['medium:pickle.joblib-unparsed:located']]);
  });

  it('reports TRUNCATED when the declared array runs past the end of the file', async () => {
    const bytes = joblibPickle([{ shape: [1000], dtype: 'f8', data: new Uint8Array(16) }]);
    const r = await scan(bytes);
    expect(r.error).toMatchObject({ code: 'TRUNCATED' });
  });
});

describe('joblib helpers', () => {
  const tuple = (...items: Value[]) => new SeqValue(T_TUPLE, items);
  const dtype = (spec: string, state: Value[]) => {
    const c = new CallResult(new GlobalRef('numpy', 'dtype', 0), tuple(spec, false, true), 'REDUCE', 0);
    c.state = tuple(...state);
    return c;
  };

  it('computes element counts of shape tuples', () => {
    expect(shapeCount(tuple(3, 4))).toBe(12);
    expect(shapeCount(tuple())).toBe(1);
    expect(shapeCount(tuple(2n, 5))).toBe(10);
    expect(shapeCount(tuple(-1))).toBeNull();
    expect(shapeCount(tuple('3'))).toBeNull();
    expect(shapeCount(undefined)).toBeNull();
  });

  it('reads item sizes and object-ness from numpy dtype reduce states', () => {
    expect(dtypeInfo(dtype('f8', [3, '<', null, null, null, -1, -1, 0]))).toEqual({
      itemsize: 8,
      hasobject: false,
    });
    expect(dtypeInfo(dtype('U5', [3, '<', null, null, null, 20, 4, 8]))).toEqual({
      itemsize: 20,
      hasobject: false,
    });
    expect(dtypeInfo(dtype('O8', [3, '|', null, null, null, -1, -1, 63]))).toEqual({
      itemsize: 8,
      hasobject: true,
    });
    expect(dtypeInfo(dtype('V12', [3, '|', null, null, null, 12, 1, 27]))).toEqual({
      itemsize: 12,
      hasobject: true,
    });
    expect(dtypeInfo(dtype('b1', [3, '|', null, null, null, -1, -1, 0]))).toEqual({
      itemsize: 1,
      hasobject: false,
    });
    expect(dtypeInfo(dtype('zz', []))).toBeNull();
    expect(dtypeInfo('f8')).toBeNull();
  });
});
