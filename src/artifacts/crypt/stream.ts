import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { cryptError, isCryptError } from './errors.js';
import {
  DEFAULT_CHUNK,
  TAG_BYTES,
  checkChunkSize,
  chunkAad,
  chunkNonce,
  decodeHeader,
  encodeHeader,
  headerLength,
  wrapContext,
  type EncryptedHeader,
} from './format.js';
import type { KeyProvider } from './keys.js';

/** Bytes to (de)crypt: a file stream, a generator, or an array of buffers. */
export type CryptSource = AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array>;

/** Hands out exact byte counts from a stream of arbitrarily cut buffers. */
class ByteReader {
  readonly #it: AsyncIterator<Buffer | Uint8Array | string>;
  #bufs: Buffer[] = [];
  #have = 0;
  #done = false;

  constructor(source: CryptSource) {
    if (Symbol.asyncIterator in source) this.#it = source[Symbol.asyncIterator]();
    else {
      const it = source[Symbol.iterator]();
      this.#it = { next: () => Promise.resolve(it.next()) };
    }
  }

  /** Up to n bytes; fewer only at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    while (this.#have < n && !this.#done) {
      const r = await this.#it.next();
      if (r.done) this.#done = true;
      else {
        const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
        if (b.length) this.#bufs.push(b);
        this.#have += b.length;
      }
    }
    const take = Math.min(n, this.#have);
    const first = this.#bufs[0];
    if (!first || take === 0) return Buffer.alloc(0);
    this.#have -= take;
    if (first.length >= take) {
      // the common case with large source reads: no copy
      if (first.length === take) this.#bufs.shift();
      else this.#bufs[0] = first.subarray(take);
      return first.subarray(0, take);
    }
    const out = Buffer.allocUnsafe(take);
    for (let off = 0; off < take;) {
      const b = this.#bufs[0]!;
      const k = Math.min(b.length, take - off);
      b.copy(out, off, 0, k);
      off += k;
      if (k === b.length) this.#bufs.shift();
      else this.#bufs[0] = b.subarray(k);
    }
    return out;
  }
}

/** Cuts a stream into frames of `size` bytes, looking one frame ahead to know which one is last. */
async function* frames(reader: ByteReader, size: number): AsyncGenerator<{ data: Buffer; last: boolean }> {
  let cur = await reader.read(size);
  for (;;) {
    if (cur.length < size) {
      yield { data: cur, last: true };
      return;
    }
    const next = await reader.read(size);
    yield { data: cur, last: next.length === 0 };
    if (next.length === 0) return;
    cur = next;
  }
}

/** Options of encryption; the chunk size is recorded in the header. */
export interface EncryptOptions {
  chunkSize?: number;
}

/** Encrypts a byte stream under a fresh data key: yields the header, then one buffer per chunk. */
export async function* encryptChunks(
  source: CryptSource,
  provider: KeyProvider,
  opts: EncryptOptions = {},
): AsyncGenerator<Buffer> {
  const chunkSize = checkChunkSize(opts.chunkSize ?? DEFAULT_CHUNK);
  const dataKey = randomBytes(32);
  const fileId = randomBytes(16);
  const noncePrefix = randomBytes(8);
  const context = wrapContext(chunkSize, fileId, noncePrefix, provider.id);
  const wrappedKey = await provider.wrap(dataKey, context);
  const header = encodeHeader({ chunkSize, fileId, noncePrefix, kekId: provider.id, wrappedKey });
  yield header.bytes;
  let index = 0;
  for await (const { data, last } of frames(new ByteReader(source), chunkSize)) {
    const c = createCipheriv('aes-256-gcm', dataKey, chunkNonce(header, index));
    c.setAAD(chunkAad(header, index, last));
    // ciphertext and tag go out as two writes: copying every chunk once more costs more than a write
    const ct = c.update(data);
    c.final();
    yield ct;
    yield c.getAuthTag();
    index++;
  }
}

/** Reads and checks the header, then unwraps the data key with the provider. */
async function openHeader(
  reader: ByteReader,
  provider: KeyProvider,
): Promise<{ header: EncryptedHeader; key: Buffer }> {
  const prefix = await reader.read(8);
  const n = headerLength(prefix);
  const header = decodeHeader(Buffer.concat([prefix, await reader.read(n - 8)]));
  if (header.kekId !== provider.id)
    throw cryptError(
      'KEK_MISMATCH',
      `the file was encrypted under KEK ${header.kekId}, not under the given KEK ${provider.id}`,
    );
  const context = wrapContext(header.chunkSize, header.fileId, header.noncePrefix, header.kekId);
  let key: Buffer;
  try {
    key = await provider.unwrap(header.wrappedKey, context);
  } catch (e) {
    if (isCryptError(e)) throw e;
    throw cryptError(
      'DECRYPT_FAILED',
      `the KEK provider could not unwrap the data key: ${(e as Error).message}`,
    );
  }
  if (key.length !== 32) throw cryptError('DECRYPT_FAILED', 'the unwrapped data key is not 256 bits');
  return { header, key };
}

/**
 * Decrypts a stream, yielding each chunk's plaintext only after its tag verified. Truncation is only
 * known at the end: a consumer must not act on the output until the generator finished cleanly.
 */
export async function* decryptChunks(source: CryptSource, provider: KeyProvider): AsyncGenerator<Buffer> {
  const reader = new ByteReader(source);
  const { header, key } = await openHeader(reader, provider);
  let index = 0;
  for await (const { data, last } of frames(reader, header.chunkSize + TAG_BYTES)) {
    if (data.length < TAG_BYTES)
      throw cryptError(
        index === 0 && data.length === 0 ? 'TRUNCATED' : 'DECRYPT_FAILED',
        index === 0 && data.length === 0
          ? 'the encrypted file has no chunks after its header'
          : `chunk ${index} is cut short: the file was truncated`,
      );
    const tagAt = data.length - TAG_BYTES;
    let plain: Buffer;
    try {
      const d = createDecipheriv('aes-256-gcm', key, chunkNonce(header, index));
      d.setAAD(chunkAad(header, index, last));
      d.setAuthTag(data.subarray(tagAt));
      plain = d.update(data.subarray(0, tagAt));
      d.final();
    } catch {
      throw cryptError(
        'DECRYPT_FAILED',
        `chunk ${index}${last ? ' (last)' : ''} failed authentication: the file was modified, ` +
          'truncated, reordered or extended',
      );
    }
    yield plain;
    index++;
  }
}
