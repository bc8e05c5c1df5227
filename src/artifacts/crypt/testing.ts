import { randomBytes } from 'node:crypto';
import { LocalKeyProvider } from './keys.js';
import { encryptChunks } from './stream.js';

/** Shared by the crypt tests: a fixed KEK, and in-memory encryption with a tiny chunk size. */
export const KEK = Buffer.alloc(32, 7);
export const provider = new LocalKeyProvider(KEK);
export const CHUNK = 64;
export const FRAME = CHUNK + 16;

export function once(b: Buffer): Buffer[] {
  return [b];
}

export async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of it) parts.push(p);
  return Buffer.concat(parts);
}

export async function encryptBuffer(plain: Buffer, chunkSize = CHUNK): Promise<Buffer> {
  return collect(encryptChunks(once(plain), provider, { chunkSize }));
}

/** Splits an encrypted buffer into its header and chunk frames. */
export function split(enc: Buffer, chunkSize = CHUNK): { header: Buffer; frames: Buffer[] } {
  const h = enc.readUInt16BE(6);
  const frames: Buffer[] = [];
  for (let at = h; at < enc.length; at += chunkSize + 16) frames.push(enc.subarray(at, at + chunkSize + 16));
  return { header: enc.subarray(0, h), frames };
}

export function payload(n: number): Buffer {
  return randomBytes(n);
}
