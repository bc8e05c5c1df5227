import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WindowSource, type ByteSource } from '../../../core/index.js';
import { ArtifactError } from '../../errors.js';

/** Decoded output kept in memory up to this size; larger output moves to a temp file. */
export const SPOOL_MEMORY_BYTES = 16 * 1024 * 1024;

/** Thrown by a capped spool when decoded output passes its cap: the decoder stops, the caller reports a bomb. */
export class OutputCapReached extends ArtifactError {
  constructor(readonly cap: number) {
    super('LIMIT_EXCEEDED', `decoded output passed the limit of ${cap} bytes`, { kind: 'limit' });
  }
}

/**
 * Append-only store of decoded bytes with random reads: a growable buffer, then an anonymous temp
 * file (unlinked right after creation where the OS allows, otherwise removed by dispose()).
 */
export class Spool {
  private mem: Buffer | null = Buffer.allocUnsafe(64 * 1024);
  private fd = -1;
  private tmpDir: string | null = null;
  private length = 0;
  private disposed = false;

  /** `cap`: largest total output; a write past it stores up to the cap, then throws OutputCapReached. */
  constructor(
    readonly cap = Number.MAX_SAFE_INTEGER,
    private readonly memoryBytes = SPOOL_MEMORY_BYTES,
  ) {}

  get size(): number {
    return this.length;
  }

  /** True once the output went to a temp file. */
  get onDisk(): boolean {
    return this.fd >= 0;
  }

  write(chunk: Uint8Array): void {
    if (this.disposed) throw new ArtifactError('INTERNAL', 'write to a disposed spool', { kind: 'internal' });
    const room = this.cap - this.length;
    const data = chunk.length > room ? chunk.subarray(0, Math.max(0, room)) : chunk;
    if (data.length > 0) this.append(data);
    if (chunk.length > room) throw new OutputCapReached(this.cap);
  }

  private append(data: Uint8Array): void {
    const end = this.length + data.length;
    if (this.mem && end <= this.memoryBytes) {
      if (end > this.mem.length) {
        const grown = Buffer.allocUnsafe(Math.min(this.memoryBytes, Math.max(end, this.mem.length * 2)));
        this.mem.copy(grown, 0, 0, this.length);
        this.mem = grown;
      }
      this.mem.set(data, this.length);
      this.length = end;
      return;
    }
    if (this.fd < 0) this.openFile();
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, this.length + done);
    this.length = end;
  }

  private openFile(): void {
    const dir = mkdtempSync(join(tmpdir(), 'warden-spool-'));
    const path = join(dir, 'data');
    this.tmpDir = dir;
    this.fd = openSync(path, 'w+', 0o600);
    try {
      // POSIX keeps the open fd usable: nothing is left behind even if the process dies
      unlinkSync(path);
      rmSync(dir, { recursive: true, force: true });
      this.tmpDir = null;
    } catch {
      // removed in dispose()
    }
    if (this.mem && this.length > 0) {
      let done = 0;
      while (done < this.length) done += writeSync(this.fd, this.mem, done, this.length - done, done);
    }
    this.mem = null;
  }

  /** Copies up to `length` stored bytes at `position` into `target`; returns the count. */
  readInto(target: Uint8Array, offset: number, length: number, position: number): number {
    if (this.disposed || position < 0 || position >= this.length || length <= 0) return 0;
    const n = Math.min(length, this.length - position, target.length - offset);
    if (n <= 0) return 0;
    if (this.mem) {
      target.set(this.mem.subarray(position, position + n), offset);
      return n;
    }
    let done = 0;
    while (done < n) {
      const got = readSync(this.fd, target, offset + done, n - done, position + done);
      if (got === 0) break;
      done += got;
    }
    return done;
  }

  /** A read-only view of what has been written so far (the spool must outlive it). */
  toSource(): ByteSource {
    return new WindowSource(this, 0, this.length);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.mem = null;
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = -1;
    }
    if (this.tmpDir) rmSync(this.tmpDir, { recursive: true, force: true });
    this.tmpDir = null;
  }
}
