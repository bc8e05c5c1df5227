import { SeqReader, type ByteSource } from '../../../core/index.js';
import { ArtifactError, formatError, limitExceeded, truncated } from '../../errors.js';
import { FIXED_VALUE_SIZE, GGUF_LIMITS, GGUF_MAGIC, GgufType } from './types.js';

/**
 * Bounded sequential reader of a GGUF header: magic, version, counts, metadata key/values and
 * tensor infos. Array contents are skipped by size (string arrays by walking their length
 * prefixes) and only small scalars and selected strings are kept. Every count is checked
 * against the bytes left in the file before it drives a loop.
 */

/** One metadata entry: key, type, where it starts, and its value when kept. */
export interface GgufKv {
  key: string;
  type: number;
  offset: number;
  value?: string | number | boolean;
  arrayType?: number;
  arrayLength?: number;
  /** A string value that was too long to keep. */
  skippedBytes?: number;
}

/** One tensor info record (dims and offset as numbers: values >= 2^53 are approximate). */
export interface GgufTensorInfo {
  name: string;
  dims: number[];
  type: number;
  offset: number;
  pos: number;
}

/** The parsed header; `end` is the position right after the last tensor info. */
export interface GgufHeader {
  version: number;
  kvs: GgufKv[];
  tensors: GgufTensorInfo[];
  end: number;
}

/** Callbacks of the reader: whether to keep a string KV, and a periodic deadline check. */
export interface GgufReadOptions {
  /** Whether to keep the string value of `key`, `length` bytes long (it is skipped otherwise). */
  keepString(key: string, length: number): boolean;
  checkDeadline(): void;
}

export class GgufReader {
  private readonly r: SeqReader;
  private v1 = false;

  constructor(
    private readonly src: ByteSource,
    private readonly opts: GgufReadOptions,
  ) {
    this.r = new SeqReader(src, 1 << 20);
  }

  private get remaining(): number {
    return this.src.size - this.r.pos;
  }

  private take(n: number, what: string): Buffer {
    const b = this.r.bytes(n);
    if (!b) throw truncated(`GGUF ${what} at ${this.r.pos} runs past the end of the file`);
    return b;
  }

  u32(what: string): number {
    return this.take(4, what).readUInt32LE(0);
  }

  /** u64 as a number; exact below 2^53, which is all a valid file can use. */
  u64(what: string): number {
    const b = this.take(8, what);
    return b.readUInt32LE(4) * 2 ** 32 + b.readUInt32LE(0);
  }

  private len(what: string): number {
    return this.v1 ? this.u32(what) : this.u64(what);
  }

  private skip(n: number, what: string): void {
    if (n > this.remaining || !this.r.skip(n)) throw truncated(`GGUF ${what} runs past the end of the file`);
  }

  /** Reads a string; returns null when not kept (or longer than `cap`), with its length. */
  str(
    keep: boolean | ((length: number) => boolean),
    cap: number,
    what: string,
  ): { value: string | null; length: number } {
    const n = this.len(`${what} length`);
    if (n > this.remaining) throw truncated(`GGUF ${what} declares ${n} bytes, past the end of the file`);
    if (n > cap || !(typeof keep === 'boolean' ? keep : keep(n))) {
      this.skip(n, what);
      return { value: null, length: n };
    }
    return { value: this.take(n, what).toString('utf8'), length: n };
  }

  private skipArray(depth: number, kv?: GgufKv): void {
    if (depth > GGUF_LIMITS.maxArrayDepth)
      throw new ArtifactError(
        'DEPTH_EXCEEDED',
        `GGUF arrays nested deeper than ${GGUF_LIMITS.maxArrayDepth}`,
        {
          kind: 'input',
        },
      );
    const elem = this.u32('array type');
    const count = this.len('array length');
    if (kv) {
      kv.arrayType = elem;
      kv.arrayLength = count;
    }
    if (count > GGUF_LIMITS.maxArrayLength) throw limitExceeded(`GGUF array of ${count} elements`);
    const fixed = FIXED_VALUE_SIZE[elem];
    if (fixed !== undefined) {
      this.skip(count * fixed, 'array data');
      return;
    }
    const prefix = this.v1 ? 4 : 8;
    if (elem === GgufType.STRING) {
      if (count * prefix > this.remaining) throw truncated(`GGUF string array of ${count} runs past the end`);
      for (let i = 0; i < count; i++) {
        if ((i & 0xffff) === 0xffff) this.opts.checkDeadline();
        const n = this.len('array string length');
        this.skip(n, 'array string');
      }
      return;
    }
    if (elem === GgufType.ARRAY) {
      if (count * (4 + prefix) > this.remaining)
        throw truncated(`GGUF nested array of ${count} runs past the end`);
      for (let i = 0; i < count; i++) {
        if ((i & 0xfff) === 0xfff) this.opts.checkDeadline();
        this.skipArray(depth + 1);
      }
      return;
    }
    throw formatError(`GGUF array has unknown element type ${elem}`);
  }

  private readValue(kv: GgufKv): void {
    const t = kv.type;
    if (t === GgufType.STRING) {
      const s = this.str(
        (n) => this.opts.keepString(kv.key, n),
        GGUF_LIMITS.maxKeptString,
        `value of ${kv.key}`,
      );
      if (s.value !== null) kv.value = s.value;
      else kv.skippedBytes = s.length;
    } else if (t === GgufType.ARRAY) {
      this.skipArray(1, kv);
    } else if (t === GgufType.UINT32 || t === GgufType.INT32) {
      const v = this.u32(kv.key);
      kv.value = t === GgufType.INT32 ? v | 0 : v;
    } else if (t === GgufType.UINT64 || t === GgufType.INT64) {
      kv.value = this.u64(kv.key);
    } else if (t === GgufType.BOOL) {
      kv.value = this.take(1, kv.key)[0] !== 0;
    } else {
      const size = FIXED_VALUE_SIZE[t];
      if (size === undefined)
        throw formatError(`GGUF key '${kv.key.slice(0, 80)}' has unknown value type ${t}`);
      this.skip(size, kv.key);
    }
  }

  /** Reads and bounds-checks the whole header. */
  read(): GgufHeader {
    const magic = this.u32('magic');
    if (magic !== GGUF_MAGIC) throw formatError('not a GGUF file (bad magic)');
    const version = this.u32('version');
    if (version >= 0x01000000 && version <= 0x03000000 && (version & 0xffffff) === 0)
      throw new ArtifactError('UNSUPPORTED', 'big-endian GGUF files are not supported', { kind: 'input' });
    if (version < 1 || version > 3)
      throw new ArtifactError('UNSUPPORTED', `GGUF version ${version} is not 1-3`, { kind: 'input' });
    this.v1 = version === 1;
    const tensorCount = this.len('tensor count');
    const kvCount = this.len('metadata count');
    if (tensorCount > GGUF_LIMITS.maxTensors) throw limitExceeded(`GGUF declares ${tensorCount} tensors`);
    if (kvCount > GGUF_LIMITS.maxKv) throw limitExceeded(`GGUF declares ${kvCount} metadata entries`);
    const prefix = this.v1 ? 4 : 8;
    if (kvCount * (prefix + 4) + tensorCount * (prefix + 16) > this.remaining)
      throw truncated(
        `GGUF declares ${kvCount} metadata entries and ${tensorCount} tensors, more than the file holds`,
      );
    const kvs: GgufKv[] = [];
    for (let i = 0; i < kvCount; i++) {
      if ((i & 0xff) === 0xff) this.opts.checkDeadline();
      const offset = this.r.pos;
      const key = this.str(true, GGUF_LIMITS.maxKeyBytes, 'metadata key');
      if (key.value === null) throw limitExceeded(`GGUF metadata key of ${key.length} bytes at ${offset}`);
      const kv: GgufKv = { key: key.value, type: this.u32('value type'), offset };
      this.readValue(kv);
      kvs.push(kv);
    }
    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < tensorCount; i++) {
      if ((i & 0xfff) === 0xfff) this.opts.checkDeadline();
      const pos = this.r.pos;
      const name = this.str(true, GGUF_LIMITS.maxTensorNameBytes, 'tensor name');
      if (name.value === null) throw limitExceeded(`GGUF tensor name of ${name.length} bytes at ${pos}`);
      const nd = this.u32('tensor n_dims');
      if (nd > GGUF_LIMITS.maxDims)
        throw formatError(`GGUF tensor '${name.value.slice(0, 80)}' has ${nd} dimensions`);
      const dims: number[] = [];
      for (let d = 0; d < nd; d++) dims.push(this.len('tensor dim'));
      const type = this.u32('tensor type');
      const offset = this.u64('tensor offset');
      tensors.push({ name: name.value, dims, type, offset, pos });
    }
    return { version, kvs, tensors, end: this.r.pos };
  }
}
