import bunzip from 'seek-bzip';
import { SeqReader, isWardenError, type ByteSource } from '../../../core/index.js';
import { formatError, truncated } from '../../errors.js';
import type { DecodeResult } from './flate.js';
import type { Spool } from './spool.js';

const OUT_CHUNK = 64 * 1024;

/** True when `b` at `pos` starts a bzip2 stream header ('BZh' + level digit). */
function isBzipHeader(b: Uint8Array, pos = 0): boolean {
  const level = b[pos + 3] ?? 0;
  return b[pos] === 0x42 && b[pos + 1] === 0x5a && b[pos + 2] === 0x68 && level >= 0x31 && level <= 0x39;
}

/**
 * Decodes concatenated bzip2 streams into `out`, streaming both ways: input through a buffered
 * reader over the source, output in 64 KiB chunks to the spool, so memory stays bounded (the
 * decoder itself holds one block, at most 900 kB). Synchronous; `onProgress` runs per output chunk.
 * Bytes after the last stream that do not start another stream are left as trailing data.
 */
export function bunzipInto(src: ByteSource, out: Spool, onProgress: () => void): DecodeResult {
  const reader = new SeqReader(src, 1 << 20);
  const input = {
    readByte(): number {
      const b = reader.u8();
      if (b < 0) throw truncated('bzip2 stream ends early');
      return b;
    },
    read(buffer: Uint8Array, offset: number, length: number): number {
      let n = 0;
      while (n < length) {
        const b = reader.u8();
        if (b < 0) return n === 0 ? -1 : n;
        buffer[offset + n++] = b;
      }
      return n;
    },
    eof: (): boolean => reader.eof,
    seek(): void {
      throw formatError('bzip2: seeking is not supported');
    },
  };
  const chunk = Buffer.allocUnsafe(OUT_CHUNK);
  let fill = 0;
  const flush = (): void => {
    if (fill === 0) return;
    out.write(chunk.subarray(0, fill));
    fill = 0;
    onProgress();
  };
  const output = {
    writeByte(byte: number): void {
      chunk[fill++] = byte;
      if (fill === OUT_CHUNK) flush();
    },
  };
  let streams = 0;
  while (!reader.eof) {
    const at = reader.pos;
    if (!isBzipHeader(src.read(at, 4))) {
      if (streams === 0) throw formatError('not a bzip2 stream');
      break;
    }
    try {
      bunzip.decode(input, output, false);
    } catch (e) {
      if (isWardenError(e)) throw e;
      throw formatError(`bzip2: ${e instanceof Error ? e.message : String(e)}`, e);
    }
    flush();
    streams++;
  }
  return { streams, trailing: src.size - Math.min(src.size, reader.pos) };
}

export { isBzipHeader };
