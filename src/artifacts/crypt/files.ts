import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cryptError } from './errors.js';
import type { KeyProvider } from './keys.js';
import { decryptChunks, encryptChunks, type CryptSource, type EncryptOptions } from './stream.js';

/** Suffix of an encrypted file, and of an encrypted directory tree. */
export const ENCRYPTED_SUFFIX = '.wenc';
const READ_BYTES = 4 * 1024 * 1024;

/** Options of `encryptPath` / `decryptPath`. */
export interface PathOptions extends EncryptOptions {
  /** Destination; default: the input plus (encrypt) or minus (decrypt) `.wenc`. */
  out?: string;
  overwrite?: boolean;
}

/** What an encrypt or decrypt run produced. */
export interface CryptResult {
  source: string;
  output: string;
  files: number;
  /** Plaintext bytes encrypted or decrypted. */
  bytes: number;
  kekId: string;
}

/** A path, a buffer or a byte stream as the source of (de)cryption. */
export function toSource(input: string | Buffer | CryptSource): CryptSource {
  if (typeof input === 'string') return createReadStream(input, { highWaterMark: READ_BYTES });
  return Buffer.isBuffer(input) ? [input] : input;
}

/** Decrypts into memory (the gateway loads encrypted models this way): plaintext never touches disk. */
export async function decryptToBuffer(
  input: string | Buffer | CryptSource,
  provider: KeyProvider,
  opts: { maxBytes?: number } = {},
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const p of decryptChunks(toSource(input), provider)) {
    n += p.length;
    if (opts.maxBytes !== undefined && n > opts.maxBytes)
      throw cryptError('LIMIT_EXCEEDED', `decrypted model is over ${opts.maxBytes} bytes`, 'limit');
    parts.push(p);
  }
  return Buffer.concat(parts, n);
}

/** Plaintext as a stream; it errors at the end if the input was truncated, so buffer before use. */
export function decryptStream(input: string | Buffer | CryptSource, provider: KeyProvider): Readable {
  return Readable.from(decryptChunks(toSource(input), provider), { objectMode: false });
}

/** Counts bytes passing through, without copying them. */
async function* counted(source: CryptSource, tally: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const c of source) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
    tally.bytes += b.length;
    yield b;
  }
}

async function writeStream(dest: string, chunks: AsyncIterable<Buffer>, mode: number): Promise<void> {
  await pipeline(
    Readable.from(chunks, { objectMode: false }),
    createWriteStream(dest, { flags: 'wx', mode }),
  );
}

async function exists(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => undefined)) !== undefined;
}

/** Every regular file under a directory, relative and sorted; links and devices are refused. */
async function treeFiles(root: string): Promise<{ files: string[]; dirs: string[] }> {
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
      const r = rel ? join(rel, e.name) : e.name;
      if (e.isDirectory()) {
        dirs.push(r);
        await walk(r);
      } else if (e.isFile()) files.push(r);
      else
        throw cryptError('UNSUPPORTED', `${r} is not a regular file (links and devices are not encrypted)`);
    }
  };
  await walk('');
  return { files: files.sort(), dirs: dirs.sort() };
}

/**
 * Builds the output beside its destination (a temp file or directory) and renames it into place only
 * after every chunk of every file went through, so a failed run leaves nothing behind.
 */
async function run(
  input: string,
  opts: PathOptions,
  encrypt: boolean,
  provider: KeyProvider,
): Promise<CryptResult> {
  const st = await stat(input).catch(() => undefined);
  if (!st) throw cryptError('NOT_FOUND', `${input} does not exist`);
  if (!st.isFile() && !st.isDirectory())
    throw cryptError('UNSUPPORTED', `${input} is not a file or directory`);
  const trimmed = input.replace(/[/\\]+$/, '');
  let output = opts.out;
  if (output === undefined) {
    if (encrypt) output = `${trimmed}${ENCRYPTED_SUFFIX}`;
    else if (trimmed.endsWith(ENCRYPTED_SUFFIX)) output = trimmed.slice(0, -ENCRYPTED_SUFFIX.length);
    else throw cryptError('USAGE', `${input} does not end with ${ENCRYPTED_SUFFIX}: give --out`, 'usage');
  }
  if (resolve(output) === resolve(input))
    throw cryptError('USAGE', 'the output would replace the input', 'usage');
  if (!opts.overwrite && (await exists(output)))
    throw cryptError('OUTPUT_EXISTS', `${output} exists (use --force to replace it)`, 'usage');
  const tmp = join(dirname(resolve(output)), `.${basename(output)}.${randomBytes(6).toString('hex')}.tmp`);
  const tally = { bytes: 0 };
  const one = async (src: string, dest: string): Promise<void> =>
    encrypt
      ? writeStream(dest, encryptChunks(counted(toSource(src), tally), provider, opts), 0o644)
      : writeStream(dest, counted(decryptChunks(toSource(src), provider), tally), 0o600);
  let files = 1;
  try {
    if (st.isFile()) await one(input, tmp);
    else {
      const tree = await treeFiles(input);
      files = tree.files.length;
      await mkdir(tmp, { mode: 0o700 });
      for (const d of tree.dirs) await mkdir(join(tmp, d), { recursive: true });
      for (const f of tree.files) {
        if (!encrypt && !f.endsWith(ENCRYPTED_SUFFIX))
          throw cryptError('NOT_ENCRYPTED', `${f} in ${input} is not a ${ENCRYPTED_SUFFIX} file`);
        const dest = encrypt ? `${f}${ENCRYPTED_SUFFIX}` : f.slice(0, -ENCRYPTED_SUFFIX.length);
        await one(join(input, f), join(tmp, dest));
      }
    }
    if (await exists(output)) {
      if (!opts.overwrite) throw cryptError('OUTPUT_EXISTS', `${output} appeared while writing`, 'usage');
      if (st.isDirectory()) await rm(output, { recursive: true, force: true });
    }
    await rename(tmp, output);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { source: input, output, files, bytes: tally.bytes, kekId: provider.id };
}

/** Encrypts a model file, or every file of a directory (tree kept, each file suffixed `.wenc`). */
export function encryptPath(
  input: string,
  provider: KeyProvider,
  opts: PathOptions = {},
): Promise<CryptResult> {
  return run(input, opts, true, provider);
}

/** Decrypts what `encryptPath` wrote; nothing is written unless every chunk authenticated. */
export function decryptPath(
  input: string,
  provider: KeyProvider,
  opts: PathOptions = {},
): Promise<CryptResult> {
  return run(input, opts, false, provider);
}
