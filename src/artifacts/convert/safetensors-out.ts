/**
 * Streams a safetensors file: header first (JSON, space-padded to 8 bytes as the reference writer
 * pads it), then each tensor's bytes chunk by chunk. Order follows the reference serializer:
 * larger element sizes first (so every tensor stays aligned), then names by their UTF-8 bytes.
 * Everything goes to a temp file in the destination's directory; the caller renames it into place
 * (commit) or removes it (abort), so a failed conversion never leaves a half-written file.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DType } from './torch-pickle.js';

/** One tensor to write: its bytes come from `chunks()` and must total `nbytes`. */
export interface OutTensor {
  name: string;
  dtype: DType;
  shape: number[];
  nbytes: number;
  chunks(): Iterable<Uint8Array>;
}

/** A written temp file waiting to be committed or aborted. */
export interface PendingFile {
  tmp: string;
  dest: string;
  size: number;
  headerBytes: number;
  commit: () => void;
  abort: () => void;
}

/** The reference serializer's order: dtype size descending, then name (byte order). */
export function safetensorsOrder<T extends { name: string; dtype: DType }>(tensors: readonly T[]): T[] {
  return [...tensors].sort(
    (a, b) => b.dtype.size - a.dtype.size || Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)),
  );
}

/** Length prefix and space-padded JSON header for tensors laid out back to back in `tensors` order. */
export function encodeHeader(tensors: readonly OutTensor[], metadata: Record<string, string>): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype.st, shape: t.shape, data_offsets: [offset, offset + t.nbytes] };
    offset += t.nbytes;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Buffer.alloc(json.length + ((8 - (json.length % 8)) % 8), 0x20);
  json.copy(padded);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(padded.length));
  return Buffer.concat([len, padded]);
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  for (let done = 0; done < data.length;)
    done += writeSync(fd, data, done, data.length - done, position + done);
}

/**
 * Writes tensors (already in their final order) to a temp file beside `dest`. With `finalize`, the
 * header is rewritten once the data is written, with metadata of the same encoded length (e.g. a
 * digest computed meanwhile in another thread in place of a placeholder of equal length).
 */
export async function writeSafetensorsTemp(
  dest: string,
  tensors: readonly OutTensor[],
  metadata: Record<string, string>,
  finalize?: () => Promise<Record<string, string>>,
): Promise<PendingFile> {
  const tmp = join(dirname(dest), `.${basename(dest)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const header = encodeHeader(tensors, metadata);
  const fd = openSync(tmp, 'wx', 0o644);
  let size = 0;
  try {
    writeAll(fd, header, 0);
    size += header.length;
    for (const t of tensors) {
      let n = 0;
      for (const c of t.chunks()) {
        writeAll(fd, c, size + n);
        n += c.length;
      }
      if (n !== t.nbytes) throw new Error(`tensor ${t.name}: wrote ${n} bytes, expected ${t.nbytes}`);
      size += n;
    }
    if (finalize) {
      const final = encodeHeader(tensors, await finalize());
      if (final.length !== header.length)
        throw new Error('the final header differs in length from the first');
      writeAll(fd, final, 0);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  return {
    tmp,
    dest,
    size,
    headerBytes: header.length,
    commit: () => renameSync(tmp, dest),
    abort: () => rmSync(tmp, { force: true }),
  };
}
