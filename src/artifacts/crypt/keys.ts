import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cryptError } from './errors.js';

/**
 * Wraps and unwraps per-artifact data keys. `context` is authenticated with the key (the file's
 * header), the way cloud KMS APIs take an encryption context, so a wrapped key cannot be moved to
 * another file. A KMS-backed provider implements the same three members.
 */
export interface KeyProvider {
  /** Recorded in the header; decryption refuses a provider whose id differs. */
  readonly id: string;
  wrap(dataKey: Buffer, context: Buffer): Promise<Buffer>;
  unwrap(wrapped: Buffer, context: Buffer): Promise<Buffer>;
}

export const KEK_BYTES = 32;
const WRAP_LABEL = Buffer.from('warden-kek-wrap-v1\0');

/** The id of a local KEK: a hash prefix, enough to tell keys apart and useless to guess the key. */
export function kekId(kek: Buffer): string {
  const h = createHash('sha256').update('warden-kek-id-v1\0').update(kek).digest('hex');
  return `kek-sha256:${h.slice(0, 16)}`;
}

/** A 256-bit KEK held in memory: AES-256-GCM key wrap, layout nonce(12) || wrapped key || tag(16). */
export class LocalKeyProvider implements KeyProvider {
  readonly id: string;
  readonly #kek: Buffer;

  constructor(kek: Buffer) {
    if (kek.length !== KEK_BYTES)
      throw cryptError('KEK_INVALID', `a KEK must be ${KEK_BYTES} bytes`, 'usage');
    this.#kek = Buffer.from(kek);
    this.id = kekId(kek);
  }

  wrap(dataKey: Buffer, context: Buffer): Promise<Buffer> {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#kek, nonce);
    c.setAAD(Buffer.concat([WRAP_LABEL, context]));
    return Promise.resolve(Buffer.concat([nonce, c.update(dataKey), c.final(), c.getAuthTag()]));
  }

  unwrap(wrapped: Buffer, context: Buffer): Promise<Buffer> {
    if (wrapped.length < 12 + 16 + 1)
      return Promise.reject(cryptError('DECRYPT_FAILED', 'the wrapped data key is too short'));
    try {
      const d = createDecipheriv('aes-256-gcm', this.#kek, wrapped.subarray(0, 12));
      d.setAAD(Buffer.concat([WRAP_LABEL, context]));
      d.setAuthTag(wrapped.subarray(wrapped.length - 16));
      return Promise.resolve(Buffer.concat([d.update(wrapped.subarray(12, wrapped.length - 16)), d.final()]));
    } catch {
      return Promise.reject(
        cryptError('DECRYPT_FAILED', 'the wrapped data key does not authenticate: the header was modified'),
      );
    }
  }
}

/** Reads a KEK from its text or bytes: 32 raw bytes, 64 hex digits, or base64 of 32 bytes. */
export function parseKek(raw: Buffer, where: string): Buffer {
  if (raw.length === KEK_BYTES) return raw;
  const text = raw.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const b = Buffer.from(text, 'base64');
    if (b.length === KEK_BYTES) return b;
  }
  throw cryptError(
    'KEK_INVALID',
    `${where} is not a 256-bit key (32 raw bytes, 64 hex digits or base64 of 32 bytes)`,
    'usage',
  );
}

/** `env:VAR` reads the KEK from an environment variable, anything else names a key file. */
export function keyProviderFromSpec(spec: string, env: NodeJS.ProcessEnv = process.env): KeyProvider {
  if (spec.startsWith('env:')) {
    const name = spec.slice(4);
    const value = env[name];
    if (!name || value === undefined || value === '')
      throw cryptError('KEK_INVALID', `environment variable ${name || '(empty name)'} is not set`, 'usage');
    return new LocalKeyProvider(parseKek(Buffer.from(value), `environment variable ${name}`));
  }
  let raw: Buffer;
  try {
    raw = readFileSync(spec);
  } catch (e) {
    throw cryptError('KEK_INVALID', `cannot read KEK file ${spec}: ${(e as Error).message}`, 'usage');
  }
  return new LocalKeyProvider(parseKek(raw, `KEK file ${spec}`));
}

/** Writes a fresh KEK as hex text with mode 0600; refuses to replace an existing file. */
export function createKekFile(path: string): KeyProvider {
  const kek = randomBytes(KEK_BYTES);
  try {
    writeFileSync(path, `${kek.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw cryptError(
      err.code === 'EEXIST' ? 'OUTPUT_EXISTS' : 'IO_ERROR',
      err.code === 'EEXIST' ? `${path} exists: leave out --create-kek to use it` : err.message,
      'usage',
    );
  }
  return new LocalKeyProvider(kek);
}
