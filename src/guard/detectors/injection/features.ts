import { FAMILIES } from './rules.js';
import type { RuleHit } from './heuristics.js';
import { priorScore } from './heuristics.js';

/** Hashed sparse features of one text: bucket ids, char n-grams first, then word uni/bigrams. */
export interface SparseFeatures {
  /** Bucket ids; a reused buffer, valid until the next call. */
  idx: Int32Array;
  nChar: number;
  nWord: number;
}

export const HASH_BITS = 18;
const MASK = (1 << HASH_BITS) - 1;
const CHAR_SEED = 0x811c9dc5;
const WORD_SEED = 0x9747b28c;
/** Character classes of the bigram "perplexity" model: a-z, digit, space, open, close, punct, non-ASCII. */
export const LM_CLASSES = 32;

let buf = new Int32Array(4096);
let norm = new Uint16Array(4096);

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  h ^= h >>> 16;
  return h & MASK;
}

function isWordChar(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
  // Non-ASCII letters count as word characters, except the common punctuation blocks.
  return !((c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xff0f));
}

/**
 * Lower-cases, folds digits to 0 and collapses whitespace, then hashes character 3-5-grams (multilingual
 * signal, robust to spelling) and word unigrams and bigrams into 2^18 buckets. One pass, no allocation.
 */
export function hashFeatures(text: string): SparseFeatures {
  const lower = text.toLowerCase();
  if (norm.length < lower.length + 2) norm = new Uint16Array(lower.length * 2 + 2);
  let n = 0;
  norm[n++] = 32;
  for (let i = 0; i < lower.length; i++) {
    let c = lower.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13 || c === 32 || c === 0xa0) c = 32;
    else if (c >= 48 && c <= 57) c = 48;
    if (c === 32 && norm[n - 1] === 32) continue;
    norm[n++] = c;
  }
  if (norm[n - 1] !== 32) norm[n++] = 32;
  const need = n * 5 + 8;
  if (buf.length < need) buf = new Int32Array(need * 2);
  let k = 0;
  for (let i = 0; i + 3 <= n; i++) {
    let h = CHAR_SEED;
    for (let j = 0; j < 5 && i + j < n; j++) {
      h = Math.imul(h ^ (norm[i + j] ?? 0), 16777619);
      if (j >= 2) buf[k++] = mix(h);
    }
  }
  const nChar = k;
  let prev = 0;
  let w = WORD_SEED;
  let inWord = false;
  for (let i = 0; i < n; i++) {
    const c = norm[i] ?? 32;
    if (isWordChar(c)) {
      w = Math.imul(w ^ c, 16777619);
      inWord = true;
    } else if (inWord) {
      buf[k++] = mix(w);
      if (prev !== 0) buf[k++] = mix(Math.imul(prev, 31) ^ w ^ 0x5bd1e995);
      prev = w;
      w = WORD_SEED;
      inWord = false;
    }
  }
  return { idx: buf, nChar, nWord: k - nChar };
}

// Per-bucket occurrence counts of the text being normalised; zeroed again after each call.
const counts = new Uint32Array(1 << HASH_BITS);

/**
 * 1 / L2 norm of the bucket-count vector of each n-gram family (char, word): the scale that makes each
 * family a unit vector. Unlike 1/sqrt(n-gram count), it stays bounded when a text repeats itself ("word
 * word word ..."), where the count of one bucket grows like n.
 */
export function familyScales(f: SparseFeatures): [char: number, word: number] {
  const norm = (from: number, to: number): number => {
    let sq = 0;
    for (let i = from; i < to; i++) {
      const b = f.idx[i] ?? 0;
      const c = counts[b] ?? 0;
      sq += 2 * c + 1;
      counts[b] = c + 1;
    }
    for (let i = from; i < to; i++) counts[f.idx[i] ?? 0] = 0;
    return sq > 0 ? 1 / Math.sqrt(sq) : 0;
  };
  return [norm(0, f.nChar), norm(f.nChar, f.nChar + f.nWord)];
}

const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c >= 97 && c <= 122) CLASS[c] = c - 97;
  else if (c >= 65 && c <= 90) CLASS[c] = c - 65;
  else if (c >= 48 && c <= 57) CLASS[c] = 26;
  else if (c === 32 || c === 9 || c === 10 || c === 13) CLASS[c] = 27;
  else if (c === 40 || c === 91 || c === 123 || c === 60) CLASS[c] = 28;
  else if (c === 41 || c === 93 || c === 125 || c === 62) CLASS[c] = 29;
  else CLASS[c] = 30;
}

/** Maps a UTF-16 code unit to its class in the bigram model (case folded; all non-ASCII is one class). */
export function charClass(c: number): number {
  return c < 128 ? (CLASS[c] ?? 30) : 31;
}

export const DENSE_NAMES = [
  'prior_injection',
  'prior_jailbreak',
  ...FAMILIES.map((f) => `family_${f}`),
  'symbol_ratio',
  'bracket_ratio',
  'non_ascii_ratio',
  'upper_ratio',
  'lm_surprise_mean',
  'lm_surprise_max_window',
  'odd_token_ratio',
  'odd_token_ratio_tail',
] as const;

// A power of two, so the ring index is a mask.
const WINDOW = 32;

/**
 * Dense features: rule priors and family counts, character statistics and a character-class bigram
 * surprise (a cheap perplexity: GCG-style suffixes are improbable under a model of benign text).
 * `lm` holds -log P(next class | class) for the 32x32 class pairs.
 */
export function denseFeatures(text: string, hits: readonly RuleHit[], lm: Float64Array): Float64Array {
  const out = new Float64Array(DENSE_NAMES.length);
  out[0] = priorScore(hits, 'injection');
  out[1] = priorScore(hits, 'jailbreak');
  for (const h of hits) {
    const f = 2 + FAMILIES.indexOf(h.rule.family);
    out[f] = Math.min(1, (out[f] ?? 0) + 1 / 3);
  }
  let sym = 0;
  let brk = 0;
  let nonAscii = 0;
  let upper = 0;
  let nonSpace = 0;
  let total = 0;
  let maxWin = 0;
  const ring = new Float64Array(WINDOW);
  let winSum = 0;
  let prevCls = 27;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const cls = charClass(c);
    if (cls !== 27) nonSpace++;
    if (cls === 28 || cls === 29) brk++;
    if (cls >= 28 && cls <= 30) sym++;
    if (cls === 31) nonAscii++;
    if (c >= 65 && c <= 90) upper++;
    const s = lm[prevCls * LM_CLASSES + cls] ?? 0;
    total += s;
    const slot = i & (WINDOW - 1);
    winSum += s - (ring[slot] ?? 0);
    ring[slot] = s;
    if (i >= WINDOW - 1 && winSum > maxWin) maxWin = winSum;
    prevCls = cls;
  }
  const base = 2 + FAMILIES.length;
  const ns = Math.max(1, nonSpace);
  out[base] = sym / ns;
  out[base + 1] = brk / ns;
  out[base + 2] = nonAscii / ns;
  out[base + 3] = upper / ns;
  out[base + 4] = total / Math.max(1, text.length) / 5;
  out[base + 5] = text.length >= WINDOW ? maxWin / WINDOW / 5 : 0;
  const [odd, oddTail] = oddTokens(text);
  out[base + 6] = odd;
  out[base + 7] = oddTail;
  return out;
}

// Symbols that GCG-style suffixes glue to words ("Herezak({[HTMLsvg"); prose rarely does (parens excepted).
// ASCII lookup: 1 = alnum, 2 = glue symbol, 4 = other punctuation (a table beats Set.has per character).
const ASCII = new Uint8Array(128);
for (let c = 33; c < 127; c++)
  ASCII[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? 1 : 4;
for (const ch of '[]{}<>|\\^~`=*@$#') ASCII[ch.charCodeAt(0)] = 2 | 4;
const kind = (c: number): number => (c < 128 ? (ASCII[c] ?? 0) : 0);
const lowerAz = (c: number): boolean => c >= 97 && c <= 122;

/**
 * Share of odd whitespace-separated tokens overall and among the last 20: a glue symbol next to a letter,
 * a lower-Upper-lower flip inside a word, or a run of 3+ mixed ASCII symbols (".](", "\\!--"; not "...").
 * Non-ASCII scripts never count.
 */
export function oddTokens(text: string): [number, number] {
  const ring = new Uint8Array(20);
  let tokens = 0;
  let odd = 0;
  let cur = false;
  let inTok = false;
  let p1 = 32;
  let p2 = 32;
  let run = 0;
  let mixed = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c === 32 || c === 10 || c === 9 || c === 13) {
      if (inTok) {
        ring[tokens % 20] = cur ? 1 : 0;
        tokens++;
        if (cur) odd++;
      }
      inTok = cur = mixed = false;
      p1 = p2 = 32;
      run = 0;
      continue;
    }
    inTok = true;
    const k = kind(c);
    if (k & 4) {
      mixed = mixed || (run > 0 && c !== p1);
      run++;
    } else {
      run = 0;
      mixed = false;
    }
    if (!cur)
      cur =
        ((k & 2) !== 0 && (kind(p1) & 1) !== 0) ||
        ((k & 1) !== 0 && (kind(p1) & 2) !== 0) ||
        (lowerAz(c) && p1 >= 65 && p1 <= 90 && lowerAz(p2)) ||
        (run >= 3 && mixed);
    p2 = p1;
    p1 = c;
  }
  let tail = 0;
  for (const b of ring) tail += b;
  return [odd / Math.max(1, tokens), tail / Math.max(1, Math.min(20, tokens))];
}
