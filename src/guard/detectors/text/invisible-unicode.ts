import { z } from 'zod';
import type { Detection, DetectorSpec } from '../../types.js';
import {
  INVISIBLE_CANDIDATE,
  INVISIBLE_KINDS,
  classifyAt,
  type ClassifyOptions,
  type InvisibleKind,
} from './invisible-classify.js';
import { codePointAt, codePointBefore, cpLength, decodeTags } from './unicode.js';

const Options = z.strictObject({
  /** Families never reported (e.g. `private_use` for apps that use icon fonts). */
  ignore: z.array(z.enum(INVISIBLE_KINDS)).default([]),
  /** Let ZWJ emoji sequences, FE0F presentation selectors and subdivision flags through. */
  allowEmoji: z.boolean().default(true),
  /** Let ZWJ/ZWNJ inside Arabic/Indic words, direction marks beside RTL letters and in-word soft hyphens through. */
  allowScripts: z.boolean().default(true),
});
type Options = z.infer<typeof Options>;

/** A contiguous stretch of flagged code points, summarised per family. */
interface Run {
  start: number;
  end: number;
  counts: Map<InvisibleKind, number>;
  best: number;
}

const MAX_DETAIL = 200;

function dominant(run: Run): InvisibleKind {
  for (const k of INVISIBLE_KINDS) if (run.counts.has(k)) return k;
  return 'format';
}

/** Runs of several invisible characters carry data (binary in zero-width, bytes in selectors), so they score higher. */
function runScore(kind: InvisibleKind, n: number, best: number, decodedLen: number): number {
  if (kind === 'tag') return decodedLen >= 3 ? 1 : Math.max(best, 0.95);
  if (n >= 8 && (kind === 'zero_width' || kind === 'variation_selector')) return 0.95;
  if (n >= 2 && kind !== 'bidi' && kind !== 'lone_surrogate') return Math.max(best, 0.85);
  return best;
}

/** England/Scotland/Wales flags are U+1F3F4 followed by a short lowercase tag run and CANCEL TAG. */
function isSubdivisionFlag(text: string, run: Run, decoded: string): boolean {
  if (run.counts.size !== 1 || codePointBefore(text, run.start) !== 0x1f3f4) return false;
  return codePointBefore(text, run.end) === 0xe007f && /^[a-z0-9]{2,6}$/.test(decoded);
}

function toDetection(text: string, run: Run, o: Options): Detection | null {
  const kind = dominant(run);
  const decoded = run.counts.has('tag') ? decodeTags(text, run.start, run.end) : '';
  if (kind === 'tag' && o.allowEmoji && isSubdivisionFlag(text, run, decoded)) return null;
  const n = run.counts.get(kind) ?? 1;
  const d: Detection = {
    type: `invisible_unicode.${kind}`,
    start: run.start,
    end: run.end,
    score: runScore(kind, n, run.best, decoded.length),
    detail: `${n} ${kind.replace('_', ' ')} character${n === 1 ? '' : 's'}`,
    replacement: '',
    meta: { kinds: [...run.counts.keys()].join(','), count: n },
  };
  if (decoded) {
    const shown = decoded.length > MAX_DETAIL ? `${decoded.slice(0, MAX_DETAIL)}...` : decoded;
    d.detail = `hidden tag text: ${JSON.stringify(shown)}`;
    d.meta = { ...d.meta, decoded: shown };
  }
  return d;
}

function scan(text: string, o: Options): Detection[] {
  const copts: ClassifyOptions = { allowEmoji: o.allowEmoji, allowScripts: o.allowScripts };
  const ignore = new Set(o.ignore);
  const out: Detection[] = [];
  // Shared and reset: detection is synchronous and never re-entered.
  const re = INVISIBLE_CANDIDATE;
  re.lastIndex = 0;
  let run: Run | undefined;
  const flush = (): void => {
    if (!run) return;
    const d = toDetection(text, run, o);
    if (d) out.push(d);
    run = undefined;
  };
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const i = m.index;
    const ch = classifyAt(text, i, copts);
    re.lastIndex = i + (ch?.len ?? cpLength(codePointAt(text, i)));
    if (!ch || ignore.has(ch.kind)) continue;
    if (run && run.end !== i) flush();
    run ??= { start: i, end: i, counts: new Map(), best: 0 };
    run.end = i + ch.len;
    run.counts.set(ch.kind, (run.counts.get(ch.kind) ?? 0) + 1);
    run.best = Math.max(run.best, ch.score);
  }
  flush();
  return out;
}

/** Invisible and direction-changing characters: ASCII smuggling in tags, Trojan Source, zero-width payloads. */
export const invisibleUnicodeDetector: DetectorSpec<Options> = {
  name: 'invisible_unicode',
  description:
    'Invisible or deceptive code points (tags, bidi controls, zero-width, private use, selectors, lone surrogates)',
  directions: ['input', 'output'],
  defaultAction: 'redact',
  defaultThreshold: 0.5,
  severity: 'medium',
  options: Options,
  create: (o) => ({
    name: 'invisible_unicode',
    detect(text) {
      const detections = scan(text, o);
      let score = 0;
      for (const d of detections) score = Math.max(score, d.score);
      return { score, detections };
    },
  }),
};
