import { REFS, isWardenError, type ByteSource } from '../../../core/index.js';
import { formatError } from '../../errors.js';
import type { ScanContext, Scanner } from '../../scan/types.js';
import { bunzipInto } from './bzip2.js';
import { detectCompression, type CompressionKind } from './detect.js';
import { gunzipInto, inflateZlibInto, joblibZfOffset, type DecodeResult } from './flate.js';
import { lz4Into } from './lz4.js';
import { lzmaAloneInto } from './lzma.js';
import { OutputCapReached, Spool } from './spool.js';
import { xzInto } from './xz.js';

const HEAD = 4096;

/** Decodes the whole wrapper into the spool with the decoder for its kind. */
async function decode(
  kind: CompressionKind,
  src: ByteSource,
  out: Spool,
  progress: () => void,
): Promise<DecodeResult> {
  switch (kind) {
    case 'gzip':
      return gunzipInto(src, out, progress);
    case 'zlib':
      return inflateZlibInto(src, 0, out, progress);
    case 'joblib-zf':
      return inflateZlibInto(src, joblibZfOffset(src.read(0, 64)), out, progress);
    case 'bzip2':
      return bunzipInto(src, out, progress);
    case 'xz':
      return xzInto(src, out, progress);
    case 'lzma':
      return lzmaAloneInto(src, out, progress);
    case 'lz4':
      return lz4Into(src, out, progress);
  }
}

/** Errors that end the whole file rather than this stream. */
function isFatal(e: unknown): boolean {
  return !isWardenError(e) || e.code === 'TIMEOUT' || e.kind === 'internal';
}

/**
 * gzip / zlib / joblib 'ZF' / bzip2 / xz / lzma-alone / lz4-frame wrappers, as joblib.dump(compress=...)
 * writes them. The stream is decoded up to limits.maxInflateBytes into memory or a temp file
 * (removed afterwards, also on error) and the result is scanned with format detection. Output past
 * the cap is a bomb finding; the part decoded so far is still scanned (speculatively). Every decoder
 * streams (input read in chunks, output spooled), so no input size limit is needed for memory.
 */
export const compressedScanner: Scanner = {
  format: 'compressed',
  detect: (head) => detectCompression(head) !== null,
  async scan(src: ByteSource, ctx: ScanContext): Promise<void> {
    const kind = detectCompression(src.read(0, HEAD));
    if (!kind) throw formatError('not a recognised compressed stream');
    const spool = new Spool(ctx.limits.maxInflateBytes);
    let failure: Error | null = null;
    let bomb = false;
    let result: DecodeResult | null = null;
    try {
      try {
        result = await decode(kind, src, spool, () => ctx.checkDeadline());
      } catch (e) {
        if (e instanceof OutputCapReached) bomb = true;
        else if (isFatal(e)) throw e;
        else failure = e as Error;
      }
      ctx.metric('compressed_streams', 1);
      ctx.metric('decompressed_bytes', spool.size);
      if (result && result.trailing > 0) ctx.metric('compressed_trailing_bytes', result.trailing);
      if (bomb)
        ctx.emit({
          id: 'compressed.bomb',
          severity: 'high',
          title: `${kind} stream decompresses past the inflate limit`,
          detail:
            `The ${kind} stream (${src.size} bytes) decompresses to more than ${ctx.limits.maxInflateBytes} bytes ` +
            '(limits.maxInflateBytes); decoding stopped there and only that part was scanned. A decompression ' +
            'bomb exhausts memory or disk of whatever loads it, and anything past the limit was not inspected.',
          refs: REFS.resource,
        });
      if (spool.size > 0)
        await ctx.scanNested('<decompressed>', spool.toSource(), { speculative: bomb || failure !== null });
      if (failure) throw failure;
    } finally {
      spool.dispose();
    }
  },
};
