import { REFS, type ByteSource } from '../../../core/index.js';
import { formatError, limitExceeded, truncated } from '../../errors.js';
import type { ScanContext, Scanner } from '../../scan/types.js';
import { parseJsonBounded } from '../text/json.js';
import { CappedEmitter, decodeUtf8 } from '../text/shared.js';
import { validateHeader } from './header.js';
import { checkMetadataStrings } from './metadata.js';

/**
 * Safetensors: `u64 LE header length N`, N bytes of JSON, then the raw tensor bytes. Only the
 * header is read; tensor data is never touched, except that bytes past the last tensor (a place
 * to hide a second file) are handed to nested detection as a speculative stream.
 */

/** Largest header the reference implementation accepts (its MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;
/** Legitimate headers nest 3 levels; anything deep is hostile. */
export const MAX_HEADER_DEPTH = 32;

export function detectSafetensors(head: Buffer, size: number): boolean {
  if (head.length < 10 || size < 10) return false;
  const n = head.readBigUInt64LE(0);
  if (n < 2n || n > BigInt(Math.min(size - 8, MAX_HEADER_BYTES))) return false;
  let i = 8;
  while (i < head.length && head[i] === 0x20) i++;
  return head[i] === 0x7b;
}

function headerLength(src: ByteSource, ctx: ScanContext): number {
  const lenBuf = src.read(0, 8);
  if (lenBuf.length < 8)
    throw truncated(`safetensors file is ${src.size} bytes, too short for a header length`);
  const n = lenBuf.readBigUInt64LE(0);
  if (n >= 2n ** 53n) throw formatError(`safetensors header length ${n} is absurd (>= 2^53)`);
  const len = Number(n);
  if (len > src.size - 8)
    throw truncated(`safetensors header length ${len} runs past the end of the ${src.size}-byte file`);
  if (len < 2) throw formatError(`safetensors header length ${len} is too small for a JSON object`);
  const limit = Math.min(MAX_HEADER_BYTES, ctx.limits.maxTextBytes);
  if (len > limit) throw limitExceeded(`safetensors header is ${len} bytes, over the limit of ${limit}`);
  return len;
}

export const safetensorsScanner: Scanner = {
  format: 'safetensors',
  detect: detectSafetensors,
  async scan(src: ByteSource, ctx: ScanContext): Promise<void> {
    const len = headerLength(src, ctx);
    const raw = src.read(8, len);
    const out = new CappedEmitter(ctx);
    const text = decodeUtf8(raw);
    if (text === null)
      out.emit({
        id: 'safetensors.invalid-header',
        detector: 'safetensors',
        severity: 'medium',
        title: 'Header is not valid UTF-8',
        detail: 'the JSON header contains invalid UTF-8; the reference loader rejects it',
        refs: REFS.malformed,
      });
    const { value, shape } = parseJsonBounded(
      raw,
      { maxDepth: MAX_HEADER_DEPTH, duplicateKeys: true, what: 'safetensors header' },
      text ?? undefined,
    );
    if (shape.duplicates.length)
      out.emit({
        id: 'safetensors.duplicate-key',
        detector: 'safetensors',
        severity: 'medium',
        title: 'Duplicate keys in the header',
        detail: `keys repeated within one object: ${shape.duplicates.slice(0, 5).join(', ')}. JSON parsers disagree on which copy wins, so tools can see different tensors.`,
        refs: REFS.malformed,
      });
    const dataStart = 8 + len;
    const dataSize = src.size - dataStart;
    const report = validateHeader(value, dataSize);
    ctx.metric('safetensors_tensors', report.entryCount);
    for (const p of report.problems)
      out.emit({
        id: p.id,
        detector: 'safetensors',
        severity: p.severity,
        title: p.title,
        detail: p.detail,
        refs: REFS.malformed,
      });
    out.flush();
    checkMetadataStrings(ctx, report.metadata);
    // bytes after the last tensor: look for an appended file (polyglot)
    const lastEnd = report.tensors.reduce((m, t) => Math.max(m, t.end), 0);
    const trailing = dataSize - lastEnd;
    if (trailing >= 16 && trailing <= ctx.limits.maxInflateBytes)
      await ctx.scanNested('(trailing data)', src.slice(dataStart + lastEnd, src.size), {
        speculative: true,
      });
  },
};
