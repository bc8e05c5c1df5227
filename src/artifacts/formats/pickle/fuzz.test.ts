/**
 * Mutation fuzzing of the pickle scanner: corpus and writer-made pickles are bit-flipped,
 * truncated, padded, spliced, given huge length fields and deep nesting; every case must end in
 * findings and/or a typed scan error, never an exception or a hang.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanBytes } from '../../scan/engine.js';
import { joblibPickle } from './joblib-writer.js';
import { pickleScanner } from './index.js';
import { OP } from './opcodes.js';
import { callPickle, picklePy, py, torchStateDictPickle } from './samples.js';
import { PickleWriter } from './writer.js';
import { seededRandom as rng } from '../../../core/index.js';

const ALLOWED_ERRORS = new Set(['FORMAT_INVALID', 'TRUNCATED', 'LIMIT_EXCEEDED']);
const CASE_BUDGET_MS = 3000;

function corpusSeeds(): Uint8Array[] {
  const seeds: Uint8Array[] = [];
  for (const c of ['modelaudit', 'picklescan']) {
    const base = new URL(`../../../../test/fixtures/corpus/${c}/`, import.meta.url);
    const labels = JSON.parse(readFileSync(fileURLToPath(new URL('labels.json', base)), 'utf8')) as Record<
      string,
      { format: string }
    >;
    for (const [rel, l] of Object.entries(labels)) {
      if (l.format !== 'pickle' && l.format !== 'pytorch') continue;
      const bytes = readFileSync(fileURLToPath(new URL(rel, base)));
      if (bytes[0] !== 0x50) seeds.push(bytes); // zip-based torch files belong to the zip scanner
    }
  }
  return seeds;
}

function writerSeeds(): Uint8Array[] {
  const seeds = [
    torchStateDictPickle({ tensors: 3 }),
    joblibPickle([
      { shape: [4], dtype: 'f8' },
      { shape: [2], dtype: 'O', data: ['x'] },
    ]),
  ];
  for (let p = 0; p <= 5; p++) {
    seeds.push(callPickle('os', 'system', ['id'], p));
    seeds.push(
      picklePy([1, 'two', py.tuple(3n ** 40n, null), py.dict({ k: Uint8Array.of(1, 2) }), py.float(0.5)], p),
    );
  }
  const w = new PickleWriter(5).str('m').memoize().str('n').memoize().op(OP.STACK_GLOBAL).frame(40);
  seeds.push(
    w.bytearray(Uint8Array.of(7)).nextBuffer().readonlyBuffer().ext(3).tuple3().tuple2().stop().bytes(),
  );
  return seeds;
}

const LENGTH_OPS = new Map<number, number>([
  [OP.BINBYTES8, 8],
  [OP.BINUNICODE8, 8],
  [OP.BYTEARRAY8, 8],
  [OP.FRAME, 8],
  [OP.BINBYTES, 4],
  [OP.BINUNICODE, 4],
  [OP.BINSTRING, 4],
  [OP.LONG4, 4],
]);
const HUGE: number[][] = [
  [0, 0, 0, 0, 0, 0, 0, 0x80], // 2^63
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0],
  [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0],
];

function mutate(seed: Uint8Array, r: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(r() * n);
  const b = Uint8Array.from(seed);
  switch (pick(7)) {
    case 0: {
      for (let i = 0, n = 1 + pick(8); i < n && b.length; i++) b[pick(b.length)]! ^= 1 << pick(8);
      return b;
    }
    case 1:
      return b.subarray(0, pick(b.length + 1));
    case 2: {
      const at = pick(b.length + 1);
      const ins = Uint8Array.from({ length: 1 + pick(16) }, () =>
        r() < 0.5 ? pick(256) : 0x28 + pick(0x70),
      );
      return Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
    }
    case 3: {
      const at = pick(b.length);
      return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1 + pick(8))]);
    }
    case 4: {
      // huge length fields on every length-prefixed opcode found at a plausible position
      for (let i = 0; i < b.length; i++) {
        const width = LENGTH_OPS.get(b[i]!);
        if (width !== undefined && r() < 0.5)
          b.set((HUGE[pick(HUGE.length)] as number[]).slice(0, width).slice(0, b.length - i - 1), i + 1);
      }
      return b;
    }
    case 5: {
      const n = pick(3000);
      const prefix = new Uint8Array(n).fill(r() < 0.5 ? OP.MARK : OP.EMPTY_LIST);
      return Uint8Array.from([...prefix, ...b]);
    }
    default: {
      // splice: this seed twice, or cut and re-joined
      const cut = pick(b.length + 1);
      return Uint8Array.from([...b.subarray(0, cut), ...b, ...b.subarray(cut)]);
    }
  }
}

/** A random opcode soup with small operands: exercises every handler with odd stacks. */
function soup(r: () => number): Uint8Array {
  const ops = Object.values(OP);
  const out: number[] = [0x80, 4];
  for (let i = 0, n = 1 + Math.floor(r() * 60); i < n; i++) {
    out.push(ops[Math.floor(r() * ops.length)] as number);
    for (let j = Math.floor(r() * 4); j > 0; j--) out.push(r() < 0.3 ? 0x0a : Math.floor(r() * 256));
  }
  return Uint8Array.from(out);
}

/** Outcomes seen, to prove the mutations reach both findings and every error kind. */
const seen = new Map<string, number>();

async function check(name: string, bytes: Uint8Array): Promise<void> {
  expect(() => pickleScanner.detect(Buffer.from(bytes.subarray(0, 4096)), bytes.length)).not.toThrow();
  const t0 = Date.now();
  const res = await scanBytes(name, bytes, { format: 'pickle', limits: { timeoutMs: CASE_BUDGET_MS } });
  const ms = Date.now() - t0;
  const code = res.item.error?.code;
  if (code !== undefined && !ALLOWED_ERRORS.has(code))
    throw new Error(
      `${name}: ${code} ${res.item.error?.message} (input ${Buffer.from(bytes.subarray(0, 64)).toString('hex')})`,
    );
  expect(['findings', 'clean', 'error']).toContain(res.item.status);
  expect(ms, name).toBeLessThan(CASE_BUDGET_MS);
  const key = code ?? res.item.status;
  seen.set(key, (seen.get(key) ?? 0) + 1);
}

describe('pickle fuzzing', () => {
  const seeds = [...corpusSeeds(), ...writerSeeds()];

  it('has seeds', () => expect(seeds.length).toBeGreaterThan(60));

  it('never throws or hangs on mutated corpus and writer pickles', async () => {
    const r = rng(0x5eed);
    let cases = 0;
    for (let round = 0; round < 18; round++) {
      for (const [i, seed] of seeds.entries()) {
        await check(`seed${i}/round${round}`, mutate(seed, r));
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(1500);
    for (const outcome of ['findings', 'clean', 'FORMAT_INVALID', 'TRUNCATED'])
      expect(seen.get(outcome) ?? 0, `${outcome} in ${JSON.stringify([...seen])}`).toBeGreaterThan(20);
  });

  it('never throws or hangs on random opcode soups', async () => {
    const r = rng(42);
    for (let i = 0; i < 1500; i++) await check(`soup${i}`, soup(r));
  });

  it('bounds deep nesting and huge structures', async () => {
    const deep = (op: number, n: number) => Uint8Array.from([0x80, 4, ...new Uint8Array(n).fill(op)]);
    await check('marks', deep(OP.MARK, 1_100_000));
    await check('lists', deep(OP.EMPTY_LIST, 1_100_000));
    const nested = new PickleWriter(4).none();
    for (let i = 0; i < 300_000; i++) nested.mark().tuple();
    await check('tuples', nested.stop().bytes());
    const dicts = new PickleWriter(4).emptyDict();
    for (let i = 0; i < 100_000; i++)
      dicts.emptyDict().dup().memoize().pop().str('k').emptyDict().setitem().setitem();
    await check('dict-chain', dicts.stop().bytes());
    expect(seen.get('LIMIT_EXCEEDED')).toBeGreaterThanOrEqual(2);
  });
});
