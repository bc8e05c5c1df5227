import { ArtifactError, formatError } from '../../errors.js';

/**
 * Bounded JSON parsing for untrusted files. A byte-level pre-pass checks bracket nesting (so a
 * `[[[[...` bomb is refused before JSON.parse recurses) and, on request, finds duplicate object
 * keys (a parser differential: JSON.parse keeps the last, other loaders may keep the first or
 * fail). Duplicates are found cheaply by comparing the keys the pre-pass counted per object with
 * the keys of the parsed objects; only on a mismatch is a second, exact pass run to name them.
 */

/** Options of the structural pre-pass and parse. */
export interface JsonBoundsOptions {
  maxDepth: number;
  /** Report keys repeated within one object (first 100 kept). */
  duplicateKeys?: boolean;
  /** Used in error messages. */
  what: string;
}

/** What the pre-pass saw: deepest nesting and the repeated keys. */
export interface JsonShape {
  depth: number;
  duplicates: string[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Bytes the pre-pass acts on: quote, braces, brackets, comma. */
const STRUCTURAL = new Uint8Array(256);
for (const c of '"{}[],') STRUCTURAL[c.charCodeAt(0)] = 1;

/** End index of the string starting at `i` (a quote), or -1 when unterminated. */
function stringEnd(buf: Buffer, i: number): number {
  let j = i + 1;
  for (;;) {
    const k = buf.indexOf(QUOTE, j);
    if (k < 0) return -1;
    let bs = 0;
    for (let m = k - 1; m > i && buf[m] === BACKSLASH; m--) bs++;
    if (bs % 2 === 0) return k;
    j = k + 1;
  }
}

/**
 * Walks the bytes of a JSON text checking nesting depth; throws DEPTH_EXCEEDED / FORMAT_INVALID.
 * `onKey` is called for every object key with (object index in pre-order, key start, key end).
 */
function walkJson(
  buf: Buffer,
  opts: JsonBoundsOptions,
  onKey?: (object: number, start: number, end: number) => void,
): { depth: number; objects: number } {
  let depth = 0;
  let maxSeen = 0;
  let objects = 0;
  const stack: number[] = []; // object index, or -1 for arrays
  let expectKey = false;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if (STRUCTURAL[c] === 0) continue;
    if (c === QUOTE) {
      const close = stringEnd(buf, i);
      if (close < 0) throw formatError(`${opts.what}: unterminated string at byte ${i}`);
      if (expectKey) {
        onKey?.(stack[stack.length - 1]!, i + 1, close);
        expectKey = false;
      }
      i = close;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > opts.maxDepth)
        throw new ArtifactError('DEPTH_EXCEEDED', `${opts.what}: JSON nested deeper than ${opts.maxDepth}`, {
          kind: 'input',
        });
      if (depth > maxSeen) maxSeen = depth;
      expectKey = c === 0x7b;
      stack.push(expectKey ? objects++ : -1);
    } else if (c === 0x7d || c === 0x5d) {
      if (--depth < 0) throw formatError(`${opts.what}: unbalanced '${String.fromCharCode(c)}' at byte ${i}`);
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = (stack[stack.length - 1] ?? -1) >= 0;
    }
  }
  return { depth: maxSeen, objects };
}

/** Depth check only. */
export function checkJsonShape(buf: Buffer, opts: JsonBoundsOptions): JsonShape {
  return { depth: walkJson(buf, opts).depth, duplicates: [] };
}

/** Exact duplicate detection: decodes every key and keeps a set per object. */
function findDuplicates(buf: Buffer, opts: JsonBoundsOptions): string[] {
  const seen = new Map<number, Set<string>>();
  const dups: string[] = [];
  walkJson(buf, opts, (obj, start, end) => {
    let key = buf.toString('utf8', start, end);
    if (key.includes('\\')) {
      try {
        key = JSON.parse(`"${key}"`) as string;
      } catch {
        // keep the raw form
      }
    }
    let set = seen.get(obj);
    if (!set) seen.set(obj, (set = new Set()));
    if (set.has(key)) {
      if (dups.length < 100) dups.push(key);
    } else set.add(key);
  });
  return dups;
}

/** True when some parsed object has fewer keys than the text declared for it. */
function lostKeys(value: unknown, counts: number[]): boolean {
  const stack: unknown[] = [value];
  let index = 0;
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const c: unknown = v[i];
        if (typeof c === 'object' && c !== null) stack.push(c);
      }
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length !== (counts[index++] ?? 0)) return true;
    for (let i = keys.length - 1; i >= 0; i--) {
      const c = o[keys[i]!];
      if (typeof c === 'object' && c !== null) stack.push(c);
    }
  }
  return index !== counts.length;
}

/** Pre-checks, then parses a JSON text; every failure is an ArtifactError. */
export function parseJsonBounded(
  buf: Buffer,
  opts: JsonBoundsOptions,
  text?: string,
): { value: unknown; shape: JsonShape } {
  const counts: number[] = [];
  const { depth, objects } = walkJson(
    buf,
    opts,
    opts.duplicateKeys ? (obj) => void (counts[obj] = (counts[obj] ?? 0) + 1) : undefined,
  );
  let src = text ?? buf.toString('utf8');
  if (src.charCodeAt(0) === 0xfeff) src = src.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(src) as unknown;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw formatError(`${opts.what}: invalid JSON (${msg.slice(0, 200)})`, e);
  }
  for (let i = 0; i < objects; i++) counts[i] ??= 0;
  const duplicates = opts.duplicateKeys && lostKeys(value, counts) ? findDuplicates(buf, opts) : [];
  return { value, shape: { depth, duplicates } };
}

/** A plain JSON object (not an array or null). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
