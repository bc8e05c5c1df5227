// The request thread's JSON parser for inference bodies. JSON.parse spends most of an inference request's
// parse time turning decimal digits into doubles (V8 takes its general strtod path for every fraction) and
// then builds an array the validator copies once more. This parser reads the bytes directly and writes the
// numbers of every "data" array straight into a Float64Array, using the exact fast path for decimals (below
// 2^53 as an integer mantissa and a power of ten up to 10^22: one correctly rounded IEEE operation) and, for
// 16-19 digit mantissas, double-double arithmetic with a residual check, so every value is bit-identical to
// JSON.parse's. It accepts a strict subset of JSON and answers undefined for anything outside it (escapes,
// non-ASCII bytes, more than 19 significant digits, large exponents, a "__proto__" key, nesting past
// maxDepth, any syntax error); the caller then parses with JSON.parse, which also produces the error
// message. So a body it accepts is one JSON.parse accepts, with the same value.
// The numbers land in an arena reused by the next parse: a fresh off-heap array per request costs a
// malloc here and a free on V8's sweeper threads, which on a busy two-core server is CPU taken from requests.

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const TWO53 = 2 ** 53;
const BAIL = Symbol('bail');

const EMPTY = Buffer.alloc(0);
let b: Buffer = EMPTY;
let i = 0;
let maxDepth = 0;
/** Where the numbers go; `used` doubles of it hold this parse's arrays so far. */
let arena = new Float64Array(1 << 14);
let used = 0;
/** An arena grown past this many doubles by a large body is dropped after it (not kept for every request). */
const KEEP = 1 << 20;

/**
 * Parses `bytes` as described above; undefined means "use JSON.parse". Arrays of numbers under a "data"
 * key come back as Float64Array views of the arena (nested levels as arrays of them); the next parse
 * overwrites them, so copy them (the validator does) before it.
 */
export function parseOipJson(bytes: Uint8Array, depthLimit: number): unknown {
  // one receiver class for every element load (a plain Uint8Array would make them polymorphic)
  b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  i = 0;
  used = 0;
  maxDepth = depthLimit;
  try {
    ws();
    const v = value(0, false);
    if (v === BAIL) return undefined;
    ws();
    return i === b.length ? v : undefined;
  } finally {
    b = EMPTY;
    if (arena.length > KEEP) arena = new Float64Array(1 << 14);
  }
}

function ws(): void {
  let c = b[i];
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++i];
}

function value(depth: number, typed: boolean): unknown {
  const c = b[i];
  if (c === 0x22) return str();
  if (c === 0x7b) return depth >= maxDepth ? BAIL : obj(depth + 1);
  if (c === 0x5b) {
    if (depth >= maxDepth) return BAIL;
    return typed ? typedArr(depth + 1) : arr(depth + 1, false);
  }
  if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) return numbers(i, true);
  if (c === 0x74) return literal(TRUE, true);
  if (c === 0x66) return literal(FALSE, false);
  if (c === 0x6e) return literal(NULL, null);
  return BAIL;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function literal(word: readonly number[], v: unknown): unknown {
  for (let j = 0; j < word.length; j++) if (b[i + j] !== word[j]) return BAIL;
  i += word.length;
  return v;
}

// Printable ASCII without escapes; everything else is left to JSON.parse.
function str(): string | typeof BAIL {
  const start = ++i;
  let c = b[i];
  while (c !== 0x22) {
    if (c === undefined || c < 0x20 || c > 0x7e || c === 0x5c) return BAIL;
    c = b[++i];
  }
  i++;
  // short strings (keys, names, datatypes) without a native call; long ones (an "id") in one
  return i - 1 - start <= 32
    ? String.fromCharCode.apply(null, b.subarray(start, i - 1) as unknown as number[])
    : Buffer.from(b.buffer, b.byteOffset + start, i - 1 - start).toString('latin1');
}

function obj(depth: number): unknown {
  i++;
  const o: Record<string, unknown> = {};
  ws();
  if (b[i] === 0x7d) {
    i++;
    return o;
  }
  for (;;) {
    if (b[i] !== 0x22) return BAIL;
    const k = str();
    if (k === BAIL || k === '__proto__') return BAIL;
    ws();
    if (b[i] !== 0x3a) return BAIL;
    i++;
    ws();
    const v = value(depth, k === 'data');
    if (v === BAIL) return BAIL;
    o[k] = v;
    ws();
    const c = b[i++];
    if (c === 0x7d) return o;
    if (c !== 0x2c) return BAIL;
    ws();
  }
}

function arr(depth: number, typed: boolean): unknown {
  i++;
  const out: unknown[] = [];
  ws();
  if (b[i] === 0x5d) {
    i++;
    return out;
  }
  for (;;) {
    const v = value(depth, typed);
    if (v === BAIL) return BAIL;
    out.push(v);
    ws();
    const c = b[i++];
    if (c === 0x5d) return out;
    if (c !== 0x2c) return BAIL;
    ws();
  }
}

// An array under "data": numbers go into a Float64Array; rows of rows stay arrays (of Float64Arrays); a
// first element that is not a number (booleans, strings) makes it an ordinary array.
function typedArr(depth: number): unknown {
  let p = i + 1;
  let c = b[p];
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++p];
  if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) return numbers(p, false);
  return arr(depth, true);
}

/**
 * Reads numbers -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? from `p`: one (`single`, a scalar) or a
 * comma-separated run closed by ']' into a Float64Array. BAIL when a number is outside the exact paths
 * (more than 19 significant digits, or a decimal exponent more than 22 away from them) or the syntax is off.
 * One loop with the bytes and position in locals, because this is where a tensor body spends its time;
 * bytes past the end read as undefined, which fails every comparison below as a non-digit.
 */
function numbers(start: number, single: boolean): unknown {
  const buf = b as unknown as Record<number, number>;
  let p = start;
  let c = buf[p]!;
  let out = arena;
  let at = used;
  let n = 0;
  for (;;) {
    const neg = c === 0x2d;
    if (neg) c = buf[++p]!;
    const digits = p;
    let m = 0;
    if (c === 0x30) c = buf[++p]!;
    else if (c >= 0x31 && c <= 0x39) {
      do {
        m = m * 10 + (c - 0x30);
        c = buf[++p]!;
      } while (c >= 0x30 && c <= 0x39);
    } else return BAIL;
    let k = 0;
    if (c === 0x2e) {
      c = buf[++p]!;
      if (!(c >= 0x30 && c <= 0x39)) return BAIL;
      do {
        m = m * 10 + (c - 0x30);
        k--;
        c = buf[++p]!;
      } while (c >= 0x30 && c <= 0x39);
    }
    const digitsEnd = p;
    if (c === 0x65 || c === 0x45) {
      c = buf[++p]!;
      const eneg = c === 0x2d;
      if (eneg || c === 0x2b) c = buf[++p]!;
      if (!(c >= 0x30 && c <= 0x39)) return BAIL;
      let e = 0;
      do {
        if (e < 100_000) e = e * 10 + (c - 0x30);
        c = buf[++p]!;
      } while (c >= 0x30 && c <= 0x39);
      k += eneg ? -e : e;
    }
    let v: number;
    if (m >= TWO53) {
      v = longMantissa(buf, digits, digitsEnd, k);
      if (v !== v) return BAIL;
    } else if (m === 0 || k === 0) v = m;
    else if (k < 0 && k >= -22) v = m / POW10[-k]!;
    else if (k > 0 && k <= 22) v = m * POW10[k]!;
    else return BAIL;
    if (single) {
      i = p;
      return neg ? -v : v;
    }
    if (at + n === out.length) {
      // views handed out earlier keep the old arena; this array moves to the start of a larger one
      const grown = new Float64Array(Math.max(out.length * 2, 1 << 14));
      grown.set(out.subarray(at, at + n));
      arena = out = grown;
      at = 0;
    }
    out[at + n++] = neg ? -v : v;
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = buf[++p]!;
    if (c === 0x5d) {
      i = p + 1;
      used = at + n;
      return out.subarray(at, used);
    }
    if (c !== 0x2c) return BAIL;
    c = buf[++p]!;
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = buf[++p]!;
  }
}

// Mantissas of 16 to 19 significant digits (what printing a float32 as a double gives, e.g. numpy's tolist()):
// past 2^53 the digits are no longer exact in one double, so the value is computed in double-double
// arithmetic (Dekker's exact products, no FMA needed) with its residual, and kept only when that residual is
// clearly inside half an ulp: the rounding is then the correct one, the same as JSON.parse's. Within 2^-30
// of a halfway point (or at a power of two, where the ulp changes) it answers NaN and JSON.parse decides.

const SPLIT = 134_217_729; // 2^27 + 1
/** The low part of the last `twoProduct`. */
let productLow = 0;

/** a * b exactly, as the returned double plus `productLow`. */
function twoProduct(a: number, b: number): number {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  productLow = ah * bh - p + ah * bl + al * bh + al * bl;
  return p;
}

// a double's two 32-bit words (high word second: little-endian, checked once; elsewhere JSON.parse decides)
const f64 = new Float64Array(1);
const words = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The correctly rounded value of the digits in [start, end) (a '.' skipped) times 10^k, or NaN. */
function longMantissa(buf: Record<number, number>, start: number, end: number, k: number): number {
  if (k < -22 || k > 22 || !LITTLE_ENDIAN) return NaN;
  let hi = 0;
  let lo = 0;
  let loScale = 1;
  let nd = 0;
  for (let q = start; q < end; q++) {
    const d = buf[q]! - 0x30;
    if (d < 0 || (nd === 0 && d === 0)) continue; // the '.', leading zeros
    if (nd < 15) hi = hi * 10 + d;
    else if (nd < 19) {
      lo = lo * 10 + d;
      loScale *= 10;
    } else return NaN;
    nd++;
  }
  // the digits D = hi * loScale + lo exactly, as dh + dl (all parts are integers well inside 2^53)
  const ph = twoProduct(hi, loScale);
  const pl = productLow;
  const s = ph + lo;
  const bv = s - ph;
  const low = ph - (s - bv) + (lo - bv) + pl;
  const dh = s + low;
  const dl = low - (dh - s);
  if (k === 0) return dh; // one correctly rounded addition
  let r: number;
  let res: number;
  if (k > 0) {
    const t = POW10[k]!;
    const p = twoProduct(dh, t);
    const tail = productLow + dl * t;
    r = p + tail;
    res = p - r + tail;
  } else {
    const t = POW10[-k]!;
    const q = dh / t;
    const qt = twoProduct(q, t);
    const corr = (dh - qt - productLow + dl) / t;
    r = q + corr;
    res = q - r + corr;
  }
  f64[0] = r;
  const high = words[1]!;
  const exponent = (high >>> 20) & 0x7ff;
  if (exponent <= 53 || exponent === 0x7ff || ((high & 0xfffff) === 0 && words[0] === 0)) return NaN;
  words[1] = (exponent - 53) << 20; // 2^(exponent - 1076): half an ulp of r
  words[0] = 0;
  return Math.abs(res) < f64[0] * (1 - 2 ** -30) ? r : NaN;
}
