import { describe, expect, it } from 'vitest';
import { isWardenError, seededRandom } from '../../core/index.js';
import type { ModelMetadata } from '../tensor.js';
import { parseOipJson } from './oip-json.js';
import { validateInfer } from './validate.js';

const meta: ModelMetadata = {
  name: 'm',
  versions: ['1'],
  platform: 'x',
  inputs: [
    { name: 'a', datatype: 'FP32', shape: [-1, 4] },
    { name: 'b', datatype: 'INT64', shape: [2] },
  ],
  outputs: [],
};
const base = () => ({
  inputs: [
    { name: 'a', datatype: 'FP32', shape: [1, 4], data: [0.1, 0.2, 0.3, 0.4] },
    { name: 'b', datatype: 'INT64', shape: [2], data: [1, 2] },
  ],
});
const WEIRD: unknown[] = [
  null,
  true,
  -1,
  0,
  1e308,
  -0,
  'x',
  '',
  [],
  {},
  [[]],
  [1, [2]],
  NaN,
  Infinity,
  2 ** 53,
  { length: 4 },
  '__proto__',
];

// Mutates one random place of a JSON value: replace it with something weird, delete it, or wrap it.
function mutate(v: unknown, rand: () => number, depth = 0): unknown {
  const pick = () => WEIRD[Math.floor(rand() * WEIRD.length)];
  if (depth > 4 || v === null || typeof v !== 'object' || rand() < 0.2) return rand() < 0.5 ? pick() : [v];
  if (Array.isArray(v)) {
    const c = [...(v as unknown[])];
    if (c.length === 0 || rand() < 0.2) c.push(pick());
    else {
      const i = Math.floor(rand() * c.length);
      if (rand() < 0.2) c.splice(i, 1);
      else c[i] = mutate(c[i], rand, depth + 1);
    }
    return c;
  }
  const o = { ...(v as Record<string, unknown>) };
  const keys = Object.keys(o);
  const k = keys[Math.floor(rand() * keys.length)] ?? 'x';
  if (rand() < 0.15) delete o[k];
  else if (rand() < 0.1) o[`extra${depth}`] = pick();
  else o[k] = mutate(o[k], rand, depth + 1);
  return o;
}

describe('validateInfer fuzz', () => {
  it('mutated bodies either validate or fail with GATEWAY_INPUT_INVALID, nothing else', () => {
    const rand = seededRandom(42);
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      let body: unknown = base();
      for (let m = 1 + Math.floor(rand() * 3); m > 0; m--) body = mutate(body, rand);
      try {
        const v = validateInfer(body, meta, { maxDim: 8 });
        accepted++;
        expect(v.inputs.map((t) => t.name)).toEqual(['a', 'b']);
      } catch (e) {
        if (!isWardenError(e) || e.code !== 'GATEWAY_INPUT_INVALID') throw e;
      }
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it('a body read by the fast parser validates exactly as the same body read by JSON.parse', () => {
    const rand = seededRandom(43);
    const outcome = (body: unknown) => {
      try {
        const v = validateInfer(body, meta, { maxDim: 8 });
        return {
          ...v,
          inputs: v.inputs.map((t) => ({ ...t, data: Array.from(t.data as ArrayLike<number>) })),
        };
      } catch (e) {
        if (!isWardenError(e)) throw e;
        return { code: e.code, message: e.message };
      }
    };
    let fast = 0;
    for (let i = 0; i < 5000; i++) {
      let body: unknown = base();
      for (let m = Math.floor(rand() * 3); m > 0; m--) body = mutate(body, rand);
      if (rand() < 0.3) nest(body);
      const text = JSON.stringify(body);
      const parsed = parseOipJson(Buffer.from(text), 16);
      if (parsed === undefined) continue;
      fast++;
      expect(outcome(parsed)).toStrictEqual(outcome(JSON.parse(text)));
    }
    expect(fast).toBeGreaterThan(2500);
  });
});

// Rewrites the first input's flat data as rows of its shape's last dimension (OIP's nested form).
function nest(body: unknown): void {
  const inputs = (body as { inputs?: unknown } | null)?.inputs;
  const t = (Array.isArray(inputs) ? inputs[0] : undefined) as
    { data?: unknown; shape?: unknown } | undefined;
  if (!t || !Array.isArray(t.data) || !Array.isArray(t.shape) || t.shape.length !== 2) return;
  const w = Number(t.shape[1]);
  if (!(w > 0)) return;
  const rows: unknown[] = [];
  for (let r = 0; r < t.data.length; r += w) rows.push(t.data.slice(r, r + w));
  t.data = rows;
}
