import xzDecompress from 'xz-decompress';
import { isWardenError, type ByteSource } from '../../../core/index.js';
import { ArtifactError, formatError, truncated } from '../../errors.js';
import type { DecodeResult } from './flate.js';
import type { Spool } from './spool.js';

const IN_CHUNK = 256 * 1024;

/** Maps xz-embedded's return codes (in the wasm error message) to typed errors. */
function xzError(e: unknown): ArtifactError {
  const msg = e instanceof Error ? e.message : String(e);
  const code = Number(/error code (\d+)/.exec(msg)?.[1] ?? -1);
  if (code === 3 || code === 4)
    return new ArtifactError('UNSUPPORTED', 'xz: the dictionary needs more memory than the decoder allows', {
      cause: e,
    });
  if (code === 2 || code === 6)
    return new ArtifactError('UNSUPPORTED', `xz: unsupported stream options (${msg})`, { cause: e });
  if (code === 8) return truncated('xz: compressed data ends early');
  return formatError(`xz: ${msg}`, e);
}

/** True for the xz stream magic FD 37 7A 58 5A 00. */
export function isXz(b: Uint8Array): boolean {
  return b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a && b[5] === 0x00;
}

/**
 * Decodes an xz stream with xz-decompress (xz-embedded in WebAssembly), pulling the input in
 * 256 KiB chunks and writing each output chunk to the spool; the decoder is cancelled as soon as
 * the spool's cap or the deadline throws, so memory stays bounded by the decoder's own window.
 */
export async function xzInto(src: ByteSource, out: Spool, onProgress: () => void): Promise<DecodeResult> {
  let pos = 0;
  const input = new ReadableStream<Uint8Array>({
    pull(controller): void {
      const n = Math.min(IN_CHUNK, src.size - pos);
      if (n <= 0) {
        controller.close();
        return;
      }
      const chunk = src.read(pos, n);
      pos += chunk.length;
      if (chunk.length === 0) controller.close();
      else controller.enqueue(new Uint8Array(chunk));
    },
  });
  const reader = new xzDecompress.XzReadableStream(input).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      out.write(value);
      onProgress();
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    if (isWardenError(e)) throw e;
    throw xzError(e);
  } finally {
    reader.releaseLock();
  }
  return { streams: 1, trailing: 0 };
}
