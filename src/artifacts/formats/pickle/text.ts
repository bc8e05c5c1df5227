/**
 * Decoders for protocol 0 text operands (newline-terminated lines): Python repr strings (STRING),
 * raw-unicode-escape (UNICODE), decimal ints (INT/LONG/GET/PUT) and floats. Every failure is a
 * FORMAT_INVALID ArtifactError, as the real unpickler would refuse the same line.
 */
import { formatError } from '../../errors.js';
import { OPAQUE, type Value } from './values.js';

const strict = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text of a GLOBAL/INST line; invalid UTF-8 makes CPython fail the import, so it is an error. */
export function utf8Line(b: Uint8Array, what: string, at: number): string {
  try {
    return strict.decode(b);
  } catch {
    throw formatError(`${what} at byte ${at} is not valid UTF-8`);
  }
}

/** Latin-1 text (each byte one char): how the VM keeps protocol 0/1 byte strings as str. */
export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096)
    s += String.fromCharCode(...b.subarray(i, Math.min(b.length, i + 4096)));
  return s;
}

const DEC = /^[+-]?[0-9]+$/;

/** Parses a decimal integer line (INT, LONG with optional trailing 'L', GET, PUT). */
export function decimal(line: string, at: number, op: string): Value {
  let s = line.trim();
  if (op === 'LONG' && (s.endsWith('L') || s.endsWith('l'))) s = s.slice(0, -1);
  if (!DEC.test(s)) throw formatError(`${op} at byte ${at} has a malformed integer operand`);
  if (s.length <= 15) return Number(s);
  // huge literals only matter as "some int"; BigInt of thousands of digits is slow
  if (s.length > 400) return OPAQUE.bigInt;
  return BigInt(s);
}

/** Parses a FLOAT line ('inf', 'nan' and exponent forms as Python's float()). */
export function floatLine(line: string, at: number): number {
  const s = line.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(s)) return NaN;
  const n = Number(s);
  if (s === '' || Number.isNaN(n)) throw formatError(`FLOAT at byte ${at} has a malformed operand`);
  return n;
}

const SIMPLE_ESCAPES: Record<string, number> = {
  '\\': 0x5c,
  "'": 0x27,
  '"': 0x22,
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
};

/** Decodes a STRING operand: a quoted Python 2 byte-string repr with backslash escapes. */
export function reprString(line: Uint8Array, at: number): string {
  const q = line[0];
  if (line.length < 2 || (q !== 0x27 && q !== 0x22) || line[line.length - 1] !== q)
    throw formatError(`STRING at byte ${at}: the argument must be quoted`);
  const s = latin1(line.subarray(1, line.length - 1));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const e = s[++i]!;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) out += String.fromCharCode(simple);
    else if (e === '\n') continue;
    else if (e === 'x') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw formatError(`STRING at byte ${at}: invalid \\x escape`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else if (e >= '0' && e <= '7') {
      let j = i;
      while (j < s.length && j < i + 3 && s[j]! >= '0' && s[j]! <= '7') j++;
      out += String.fromCharCode(parseInt(s.slice(i, j), 8) & 0xff);
      i = j - 1;
    } else out += '\\' + e;
  }
  return out;
}

/** Decodes a UNICODE operand (raw-unicode-escape: latin-1 bytes plus \uXXXX and \UXXXXXXXX). */
export function rawUnicodeEscape(line: Uint8Array, at: number): string {
  const s = latin1(line);
  if (!s.includes('\\')) return s;
  let out = '';
  let slashes = 0; // run of backslashes before the current char: only an odd run escapes
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if ((c === 'u' || c === 'U') && slashes % 2 === 1) {
      const width = c === 'u' ? 4 : 8;
      const hex = s.slice(i + 1, i + 1 + width);
      if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex))
        throw formatError(`UNICODE at byte ${at}: truncated \\${c} escape`);
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) throw formatError(`UNICODE at byte ${at}: escape outside the Unicode range`);
      out = out.slice(0, -1) + String.fromCodePoint(cp);
      i += width;
      slashes = 0;
      continue;
    }
    slashes = c === '\\' ? slashes + 1 : 0;
    out += c;
  }
  return out;
}
