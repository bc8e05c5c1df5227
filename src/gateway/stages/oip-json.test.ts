import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/index.js';
import { parseOipJson } from './oip-json.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

// The parser's value with its Float64Array views turned back into arrays, comparable with JSON.parse's.
function plain(v: unknown): unknown {
  if (v instanceof Float64Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** The parser's contract: undefined, or exactly what JSON.parse returns (to the bit, -0 included). */
function agrees(text: string, depth = 16): 'fast' | 'fallback' {
  const fast = parseOipJson(bytes(text), depth);
  if (fast === undefined) return 'fallback';
  const slow: unknown = JSON.parse(text);
  expect(plain(fast)).toStrictEqual(slow);
  return 'fast';
}

describe('parseOipJson', () => {
  it('reads an OIP v2 body, with "data" as a Float64Array of exactly the values JSON.parse gives', () => {
    const data = Array.from({ length: 784 }, (_, i) => Math.round(((i * 7919) % 997) / 0.997) / 1000);
    const text = JSON.stringify({
      id: 'req-1',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 1, 28, 28], data }],
      parameters: { binary: false, n: null, f: 1.5 },
    });
    const v = parseOipJson(bytes(text), 16) as { inputs: { data: unknown; shape: unknown }[] };
    expect(v.inputs[0]!.data).toBeInstanceOf(Float64Array);
    expect(Array.isArray(v.inputs[0]!.shape)).toBe(true);
    expect(agrees(text)).toBe('fast');
  });

  it('keeps nested rows as arrays of Float64Arrays, and non-numeric data as ordinary arrays', () => {
    const v = parseOipJson(bytes('{"data":[[1,2],[3,4.5]],"b":{"data":[true,false]}}'), 16) as {
      data: unknown[];
      b: { data: unknown };
    };
    expect(v.data[0]).toBeInstanceOf(Float64Array);
    expect(plain(v)).toStrictEqual({
      data: [
        [1, 2],
        [3, 4.5],
      ],
      b: { data: [true, false] },
    });
    expect(agrees(' \n{ "data" : [ 1 , -0 , 0.5e1 , 2E-3 ] , "x" : [ ] , "y" : { } }\t')).toBe('fast');
  });

  it('gives every number in the exact range the bits JSON.parse gives, and leaves the rest to it', () => {
    const rand = seededRandom(7);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
    let fast = 0;
    for (let k = 0; k < 20_000; k++) {
      const int = rand() < 0.3 ? '0' : `${1 + Math.floor(rand() * 9)}${digits(Math.floor(rand() * 12))}`;
      const frac = rand() < 0.7 ? `.${digits(1 + Math.floor(rand() * 18))}` : '';
      const exp =
        rand() < 0.3 ? `e${rand() < 0.5 ? '-' : rand() < 0.5 ? '+' : ''}${Math.floor(rand() * 40)}` : '';
      const n = `${rand() < 0.3 ? '-' : ''}${int}${frac}${exp}`;
      if (agrees(`{"data":[${n},${n}],"s":${n}}`) === 'fast') fast++;
    }
    expect(fast).toBeGreaterThan(8000); // most are inside the fast path, the others were checked to fall back
  });

  it('rounds 16-19 digit mantissas exactly as JSON.parse does, halfway points included', () => {
    const rand = seededRandom(3);
    let fast = 0;
    let total = 0;
    for (let k = 0; k < 4000; k++) {
      const x = (0.5 + rand()) * 10 ** Math.floor(rand() * 12 - 6);
      // float32 values printed as doubles (numpy's tolist()), and decimals within 10^-19 of the exact
      // halfway point between x and the next double: the cases a double-rounding shortcut gets wrong
      const cases = [String(Math.fround(x)), String(x)];
      const mid = halfway(x);
      for (const n of [16, 17, 18, 19]) cases.push(significant(mid, n, false), significant(mid, n, true));
      for (const c of cases) {
        total++;
        if (agrees(`{"data":[${c},-${c}]}`) === 'fast') fast++;
      }
    }
    expect(fast / total).toBeGreaterThan(0.85);
  });

  it('falls back on everything outside its subset or outside JSON', () => {
    const rejected = [
      '',
      ' ',
      '{"data":[01]}',
      '{"data":[1.]}',
      '{"data":[.5]}',
      '{"data":[+1]}',
      '{"data":[1e]}',
      '{"data":[-]}',
      '{"data":[1,]}',
      '{"data":[1 2]}',
      '{"data":[1]',
      '{"data":[1]}x',
      '{"a":1,}',
      '{"a" 1}',
      '{a:1}',
      "{'a':1}",
      '{"a":"\\n"}', // escapes are JSON.parse's
      '{"a":"é"}', // so is non-ASCII text
      '{"__proto__":{"x":1}}',
      '\ufeff{"a":1}',
      '{"a":tru}',
      '{"a":nul}',
      '{"a":NaN}',
      '{"a":Infinity}',
      '{"data":[1e400]}',
      '{"data":[12345678901234567890]}',
      '{"data":[1,true]}',
    ];
    for (const text of rejected) expect(parseOipJson(bytes(text), 16), text).toBeUndefined();
    expect(plain(parseOipJson(bytes('[true,false,null,"x",{}]'), 16))).toStrictEqual([
      true,
      false,
      null,
      'x',
      {},
    ]);
  });

  it('falls back past the nesting limit and accepts bodies at it', () => {
    const nest = (d: number) => '['.repeat(d) + ']'.repeat(d);
    expect(parseOipJson(bytes(nest(4)), 4)).toBeDefined();
    expect(parseOipJson(bytes(nest(5)), 4)).toBeUndefined();
    expect(parseOipJson(bytes(`{"data":${nest(3)}}`), 4)).toBeDefined();
    expect(parseOipJson(bytes(`{"data":${nest(4)}}`), 4)).toBeUndefined();
    expect(parseOipJson(bytes(nest(100_000)), 16)).toBeUndefined();
  });

  it('holds a body far larger than its arena, and the next parse reuses the arena', () => {
    const big = Array.from({ length: 300_000 }, (_, i) => i / 8);
    const rows = [big.slice(0, 1000), big.slice(1000)];
    expect(agrees(JSON.stringify({ data: rows }))).toBe('fast');
    const first = parseOipJson(bytes('{"data":[1,2,3]}'), 16) as { data: Float64Array };
    expect(Array.from(first.data)).toEqual([1, 2, 3]);
    parseOipJson(bytes('{"data":[7,8,9]}'), 16);
    expect(Array.from(first.data)).toEqual([7, 8, 9]); // documented: a view, valid until the next parse
  });

  it('never throws on mutated bodies, and whatever it accepts is what JSON.parse returns', () => {
    const rand = seededRandom(11);
    const seed = JSON.stringify({
      id: 'x',
      inputs: [
        {
          name: 'a',
          datatype: 'FP32',
          shape: [2, 3],
          data: [
            [0.5, -1, 2e-3],
            [3, 4.25, -0],
          ],
        },
        { name: 'b', datatype: 'BOOL', shape: [2], data: [true, false], parameters: { k: null } },
      ],
    });
    const alphabet = '{}[]",:-+.eE0123456789 tfnul\\\n\u00e9';
    let fast = 0;
    for (let k = 0; k < 20_000; k++) {
      const chars = [...seed];
      for (let m = 1 + Math.floor(rand() * 3); m > 0; m--) {
        const at = Math.floor(rand() * chars.length);
        const c = alphabet[Math.floor(rand() * alphabet.length)]!;
        const op = rand();
        if (op < 0.33) chars.splice(at, 1);
        else if (op < 0.66) chars.splice(at, 0, c);
        else chars[at] = c;
      }
      const text = chars.join('');
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      const v = parseOipJson(bytes(text), 16);
      if (!valid) expect(v, text).toBeUndefined();
      else if (agrees(text) === 'fast') fast++;
    }
    expect(fast).toBeGreaterThan(1000);
  });
});

/** The exact decimal expansion of the point halfway between x (> 0, normal) and the next double up. */
function halfway(x: number): string {
  const word = new BigUint64Array(new Float64Array([x]).buffer)[0]!;
  const exponent = Number((word >> 52n) & 0x7ffn);
  const odd = 2n * ((word & ((1n << 52n) - 1n)) | (1n << 52n)) + 1n; // halfway = odd * 2^(exponent - 1076)
  const shift = exponent - 1076;
  if (shift >= 0) return (odd << BigInt(shift)).toString();
  const digits = (odd * 5n ** BigInt(-shift)).toString().padStart(1 - shift, '0');
  return `${digits.slice(0, digits.length + shift)}.${digits.slice(digits.length + shift)}`;
}

/** `dec` cut to n significant digits, or cut and then raised by one in the last kept digit. */
function significant(dec: string, n: number, up: boolean): string {
  const [int = '', frac = ''] = dec.split('.');
  const all = int + frac;
  const first = all.search(/[1-9]/);
  let kept = all.slice(0, first + n);
  if (up) kept = (BigInt(kept) + 1n).toString().padStart(kept.length, '0');
  const at = int.length + (kept.length - all.slice(0, first + n).length); // a carry adds a digit in front
  const s =
    kept.length <= at ? kept + '0'.repeat(at - kept.length) : `${kept.slice(0, at)}.${kept.slice(at)}`;
  return s
    .replace(/^0+(?=\d)/, '')
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}
