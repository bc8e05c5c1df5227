import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { parseKek } from '../../artifacts/index.js';
import { privacyError } from '../errors.js';
import { csvLine } from './csv.js';
import { boundedLines, jsonObject } from './lines.js';
import { MAX_LINE, openTable, tableFormat } from './table.js';

export const ENC_PREFIX = 'wenc:v1:';
export const PSEUDONYM_PREFIX = 'pseu:';
const AAD = 'warden-data-cell-v1\0';

/** The two keys a data key file yields: one for pseudonyms (HMAC-SHA256), one for cells (AES-256-GCM). */
export interface DataKeys {
  hmac: Buffer;
  enc: Buffer;
}

/** Reads a 256-bit key (raw, hex or base64) from a file or `env:VAR` and derives the two keys by HKDF. */
export function loadDataKeys(spec: string): DataKeys {
  let raw: Buffer;
  if (spec.startsWith('env:')) {
    const v = process.env[spec.slice(4)];
    if (!v) throw privacyError('PRIVACY_KEY_INVALID', `environment variable ${spec.slice(4)} is not set`);
    raw = Buffer.from(v);
  } else
    try {
      raw = readFileSync(spec);
    } catch (e) {
      throw privacyError('PRIVACY_KEY_INVALID', `cannot read key file ${spec}: ${(e as Error).message}`);
    }
  const key = parseKek(raw, `key ${spec}`);
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
  return { hmac: derive('warden-data-hmac-v1'), enc: derive('warden-data-enc-v1') };
}

/** Writes 32 fresh random bytes as hex (mode 0600); refuses to replace a file. */
export function createDataKeyFile(path: string): void {
  try {
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw privacyError('PRIVACY_KEY_INVALID', `cannot create key file ${path}: ${(e as Error).message}`);
  }
}

/** Keyed pseudonym: equal values give equal pseudonyms under one key (joins still work), nothing reverses it. */
export function pseudonymize(keys: DataKeys, value: string): string {
  return PSEUDONYM_PREFIX + createHmac('sha256', keys.hmac).update(value).digest('base64url').slice(0, 22);
}

/** AES-256-GCM with a random nonce, the column name authenticated so a value cannot move to another column. */
export function encryptCell(keys: DataKeys, column: string, value: string): string {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', keys.enc, nonce);
  c.setAAD(Buffer.from(AAD + column));
  const body = Buffer.concat([c.update(value, 'utf8'), c.final()]);
  return ENC_PREFIX + Buffer.concat([nonce, body, c.getAuthTag()]).toString('base64url');
}

export function decryptCell(keys: DataKeys, column: string, token: string): string {
  const raw = Buffer.from(token.slice(ENC_PREFIX.length), 'base64url');
  if (!token.startsWith(ENC_PREFIX) || raw.length < 28)
    throw privacyError('PRIVACY_DECRYPT_FAILED', `column "${column}": not an encrypted value`);
  try {
    const d = createDecipheriv('aes-256-gcm', keys.enc, raw.subarray(0, 12));
    d.setAAD(Buffer.from(AAD + column));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('utf8');
  } catch {
    throw privacyError(
      'PRIVACY_DECRYPT_FAILED',
      `column "${column}": a value does not authenticate (wrong key, or modified)`,
    );
  }
}

export type ProtectMode = 'hmac' | 'encrypt' | 'reveal';

/**
 * Streams `input` to `output` with the named columns pseudonymized, encrypted or (reveal) decrypted; other
 * columns pass through unchanged. Written to a temporary file and renamed at the end, so a failure leaves
 * no half-written output. JSONL values keep their JSON type through encrypt and reveal.
 */
export async function protectFile(
  input: string,
  output: string,
  o: { columns: string[]; mode: ProtectMode; keys: DataKeys; force?: boolean },
): Promise<{ rows: number; cells: number }> {
  const format = tableFormat(input);
  if (tableFormat(output) !== format)
    throw privacyError('PRIVACY_INVALID_OPTION', `--out must be a .${format} file too`);
  if (existsSync(output) && !o.force)
    throw privacyError('PRIVACY_INVALID_OPTION', `${output} exists (use --force)`);
  if (o.columns.length === 0) throw privacyError('PRIVACY_INVALID_OPTION', 'name at least one column');
  const tmp = `${output}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  let rows = 0;
  let cells = 0;
  const apply = (column: string, v: string): string => {
    cells++;
    if (o.mode === 'hmac') return pseudonymize(o.keys, v);
    if (o.mode === 'encrypt') return encryptCell(o.keys, column, v);
    return decryptCell(o.keys, column, v);
  };
  try {
    if (format === 'csv') {
      const t = await openTable(input);
      const idx = o.columns.map((c) => {
        const k = t.columns.indexOf(c);
        if (k < 0)
          throw privacyError('PRIVACY_DATA_INVALID', `no column "${c}" (columns: ${t.columns.join(', ')})`);
        return k;
      });
      await write(csvLine(t.columns));
      for await (const batch of t.rows) {
        let text = '';
        for (const row of batch) {
          rows++;
          for (const k of idx) if (row[k]) row[k] = apply(t.columns[k] as string, row[k]);
          text += csvLine(row.map((v) => v ?? ''));
        }
        await write(text);
      }
    } else {
      const wanted = new Set(o.columns);
      let n = 0;
      for await (const line of boundedLines(createReadStream(input, 'utf8'), MAX_LINE, input)) {
        n++;
        if (line.trim() === '') continue;
        const rec = jsonObject(line, input, n);
        rows++;
        for (const k of Object.keys(rec)) {
          const v = rec[k];
          if (!wanted.has(k) || v === null || v === undefined) continue;
          if (o.mode === 'reveal') rec[k] = typeof v === 'string' ? parseRevealed(k, apply(k, v)) : v;
          else if (o.mode === 'encrypt') rec[k] = apply(k, JSON.stringify(v));
          else rec[k] = apply(k, typeof v === 'string' ? v : JSON.stringify(v));
        }
        await write(`${JSON.stringify(rec)}\n`);
      }
    }
    out.end();
    await once(out, 'finish');
    renameSync(tmp, output);
  } catch (e) {
    // writes still queued would fail on the destroyed stream: nothing of the output survives anyway
    out.on('error', () => undefined);
    out.destroy();
    if (!out.closed) await new Promise<void>((ok) => out.once('close', () => ok()));
    rmSync(tmp, { force: true });
    throw e;
  }
  return { rows, cells };
}

function parseRevealed(column: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw privacyError('PRIVACY_DECRYPT_FAILED', `column "${column}": a decrypted JSONL value is not JSON`);
  }
}
