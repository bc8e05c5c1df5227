import { isWardenError } from '../../core/index.js';
import { jsonDepth } from '../../core/http.js';
import type { Guard } from '../pipeline.js';
import type { Direction, GuardFinding } from '../types.js';

/** A line as read from a JSON Lines stream: its text, or why it could not be read. */
export type RawLine = string | { error: string };

/** What scanning one JSON line produced: the output line and what it counts towards the exit code. */
export interface LineOutcome {
  json: string;
  flagged: boolean;
  /** Why the line has no verdict: unusable input, or a detector failure (a bug, reported per line). */
  error: false | 'input' | 'internal';
}

/** Per-run settings shared by every line of a JSON Lines scan. */
export interface LineScanOptions {
  direction: Direction;
  canaries?: readonly string[];
}

/** The finding fields a JSON Lines answer carries (offsets are JavaScript string indices). */
export function compactFinding(f: GuardFinding) {
  return { type: f.type, start: f.start, end: f.end, detector: f.detector, action: f.action, score: f.score };
}

const MAX_LINE_DEPTH = 64;

/**
 * Scans one `{"text": ..., "id"?: ...}` line. The answer is `{id?, flagged, score, findings, sanitized?}`
 * (`sanitized` only when something was replaced), or `{error: {code, message}, line}`. Never throws: even a
 * detector failure is answered on its line, so one bad record cannot stop a long batch.
 */
export function scanJsonLine(guard: Guard, raw: RawLine, lineNo: number, opts: LineScanOptions): LineOutcome {
  const fail = (code: string, message: string, kind: 'input' | 'internal' = 'input'): LineOutcome => ({
    json: JSON.stringify({ error: { code, message }, line: lineNo }),
    flagged: false,
    error: kind,
  });
  if (typeof raw !== 'string') return fail('GUARD_INPUT_INVALID', raw.error);
  if (jsonDepth(raw) > MAX_LINE_DEPTH)
    return fail('GUARD_INPUT_INVALID', `JSON nesting is deeper than ${MAX_LINE_DEPTH} levels`);
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (e) {
    return fail('GUARD_INPUT_INVALID', `not JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || typeof (doc as { text?: unknown }).text !== 'string')
    return fail('GUARD_INPUT_INVALID', 'expected an object with a string "text" field');
  const { text, id } = doc as { text: string; id?: unknown };
  try {
    const r = guard.scan(text, opts.direction, opts.canaries ? { canaries: opts.canaries } : {});
    const out = {
      ...(typeof id === 'string' || typeof id === 'number' ? { id } : {}),
      flagged: r.flagged,
      score: r.score,
      findings: r.findings.map(compactFinding),
      ...(r.sanitized !== text ? { sanitized: r.sanitized } : {}),
    };
    return { json: JSON.stringify(out), flagged: r.flagged, error: false };
  } catch (e) {
    if (isWardenError(e) && e.kind !== 'internal') return fail(e.code, e.message);
    return fail('INTERNAL', `guard failed on this line: ${(e as Error).message}`, 'internal');
  }
}

/**
 * Splits a byte stream into lines in constant memory: a line over `maxBytes` is skipped to its end and
 * reported as an error, as is one that is not UTF-8. A final line without a newline counts; `\r\n` works.
 */
export async function* readLines(stream: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<RawLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let parts: Buffer[] = [];
  let size = 0;
  let overflow = false;
  let any = false;
  const finish = (): RawLine => {
    const line = overflow ? null : Buffer.concat(parts, size);
    parts = [];
    size = 0;
    overflow = false;
    any = false;
    if (line === null) return { error: `line is longer than ${maxBytes} bytes` };
    const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
    try {
      return decoder.decode(line.subarray(0, end));
    } catch {
      return { error: 'line is not valid UTF-8' };
    }
  };
  const add = (piece: Buffer): void => {
    any = true;
    if (overflow) return;
    if (size + piece.length > maxBytes + 1) {
      overflow = true;
      parts = [];
      size = 0;
    } else if (piece.length > 0) {
      parts.push(piece);
      size += piece.length;
    }
  };
  for await (const chunk of stream) {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      add(chunk.subarray(from, nl));
      yield finish();
      from = nl + 1;
    }
    if (from < chunk.length) add(chunk.subarray(from));
  }
  if (any) yield finish();
}
