/**
 * `convertCheckpoint`: a PyTorch checkpoint (zip or legacy format) to safetensors, executing nothing.
 * 1. scan the checkpoint; a finding at or above `high` refuses the conversion (no bypass);
 * 2. evaluate its pickle with the strict allowlist evaluator (torch-pickle.ts);
 * 3. stream each tensor's contiguous bytes into a temp safetensors file beside the output;
 * 4. re-scan the written file and only then rename it into place.
 * Tensors that shared a storage (tied weights, views) are each written as their own copy, since
 * safetensors forbids aliasing; `__metadata__.shared_storage` lists those groups of names.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { existsSync, readSync, openSync, closeSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { VERSION, atLeast, fileSource, type Finding, type Severity } from '../../core/index.js';
import { scanFile, type ScanFileOptions } from '../scan/engine.js';
import { openTorchCheckpoint, type TorchZip } from './checkpoint.js';
import { ConvertError, ConvertRefusedError, invalid } from './errors.js';
import { safetensorsOrder, writeSafetensorsTemp, type OutTensor } from './safetensors-out.js';
import { checkView, tensorBytes, tensorChunks } from './tensor-bytes.js';

/** Scanner findings at or above this severity refuse a conversion; there is no override. */
export const REFUSE_AT: Severity = 'high';

export interface ConvertOptions {
  /** Output file; default: the checkpoint's path with its extension replaced by `.safetensors`. */
  out?: string;
  /** Replace an existing output file. */
  overwrite?: boolean;
  /** Largest output allowed, in bytes of tensor data; default 4x the checkpoint + 64 MiB. */
  maxOutputBytes?: number;
  /** Options of the safety scan (strict mode, policy); they can only make it stricter in effect. */
  scan?: ScanFileOptions;
}

export interface ConvertResult {
  source: string;
  output: string;
  sourceSha256: string;
  tensors: number;
  /** Tensor names in checkpoint order. */
  names: string[];
  /** Bytes of tensor data, and of the whole output file. */
  dataBytes: number;
  fileBytes: number;
  /** Groups of tensor names that viewed one storage in the checkpoint (each written as a copy). */
  shared: string[][];
  /** Non-tensor entries (ints, strings, None...) that safetensors cannot hold. */
  skipped: string[];
  /** Scanner findings below the refusal threshold. */
  findings: Finding[];
}

export function defaultOutput(path: string): string {
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.safetensors`);
}

export function sha256File(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

const HASH_WORKER = `
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const h = createHash('sha256');
const fd = openSync(workerData, 'r');
const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
closeSync(fd);
parentPort.postMessage(h.digest('hex'));
`;

/** SHA-256 of a file computed in a worker thread, so that it overlaps the conversion's own I/O. */
export function sha256FileInWorker(path: string): { digest: Promise<string>; stop: () => void } {
  const w = new Worker(HASH_WORKER, { eval: true, workerData: path });
  const digest = new Promise<string>((ok, fail) => {
    w.once('message', (hex: string) => ok(hex));
    w.once('error', fail);
    w.once('exit', (code) => fail(new Error(`hash worker exited with code ${code}`)));
  });
  digest.catch(() => {}); // awaited later; a failure before then must not go unhandled
  return { digest, stop: () => void w.terminate() };
}

/** Scans a file and throws unless it is clean enough to convert. */
async function gate(path: string, opts: ScanFileOptions): Promise<Finding[]> {
  const r = await scanFile(path, opts);
  const blocking = r.findings.filter((f) => atLeast(f.severity, REFUSE_AT));
  if (blocking.length)
    throw new ConvertRefusedError(
      `${path}: the scan found ${blocking.length} finding(s) at or above ${REFUSE_AT}; not converting`,
      r.item,
      r.findings,
    );
  if (r.item.status === 'error')
    throw new ConvertError(
      (r.item.error?.code as ConvertError['code'] | undefined) ?? 'FORMAT_INVALID',
      `${path}: the scan could not read the checkpoint (${r.item.error?.message ?? 'unknown error'})`,
      { kind: 'input' },
    );
  return r.findings;
}

/** A converted checkpoint written to a temp file, waiting for commit (rename) or abort. */
export interface PreparedConversion {
  result: ConvertResult;
  commit: () => void;
  abort: () => void;
}

/** Scans, converts and self-checks one checkpoint into a temp file beside `output`. */
export async function prepareConversion(
  path: string,
  output: string,
  opts: ConvertOptions = {},
): Promise<PreparedConversion> {
  if (resolve(output) === resolve(path)) throw invalid('the output would overwrite the checkpoint');
  if (!opts.overwrite && existsSync(output))
    throw new ConvertError('USAGE', `${output} exists (use --force to replace it)`, { kind: 'usage' });
  const src = fileSource(path);
  try {
    const findings = await gate(path, opts.scan ?? {});
    const hash = sha256FileInWorker(path);
    let ckpt: TorchZip;
    try {
      ckpt = openTorchCheckpoint(src);
    } catch (e) {
      hash.stop();
      throw e;
    }
    try {
      const groups = new Map<string, string[]>();
      const tensors: OutTensor[] = [];
      for (const [name, t] of ckpt.flat.tensors) {
        checkView(t);
        const storage = ckpt.storage(t.storage);
        groups.set(t.storage.key, [...(groups.get(t.storage.key) ?? []), name]);
        tensors.push({
          name,
          dtype: t.dtype,
          shape: t.size,
          nbytes: tensorBytes(t),
          chunks: () => tensorChunks(storage, t),
        });
      }
      if (tensors.length === 0) throw invalid(`${path} holds no tensors`);
      // stride-0 (expanded) views and many views of one storage multiply the output: bound it
      const total = tensors.reduce((a, t) => a + t.nbytes, 0);
      const limit = opts.maxOutputBytes ?? 4 * src.size + 64 * 1024 ** 2;
      if (total > limit)
        throw new ConvertError(
          'LIMIT_EXCEEDED',
          `the tensors would take ${total} bytes as safetensors, over the limit of ${limit} (4x the checkpoint + 64 MiB)`,
          { kind: 'limit' },
        );
      const shared = [...groups.values()].filter((g) => g.length > 1);
      const metadata: Record<string, string> = {
        format: 'pt',
        source_sha256: '0'.repeat(64), // rewritten with the digest once the data is written
        converted_by: `warden ${VERSION}`,
        ...(shared.length ? { shared_storage: JSON.stringify(shared) } : {}),
      };
      let sourceSha256 = '';
      const pending = await writeSafetensorsTemp(output, safetensorsOrder(tensors), metadata, async () => {
        sourceSha256 = await hash.digest;
        return { ...metadata, source_sha256: sourceSha256 };
      });
      try {
        const check = await scanFile(pending.tmp, { format: 'safetensors' });
        if (check.item.status === 'error' || check.findings.some((f) => atLeast(f.severity, 'medium')))
          throw new ConvertError(
            'SELF_CHECK_FAILED',
            `the written safetensors file did not pass the re-scan: ${
              check.item.error?.message ?? check.findings.map((f) => f.title).join('; ')
            }`,
            { kind: 'internal' },
          );
      } catch (e) {
        pending.abort();
        throw e;
      }
      return {
        result: {
          source: path,
          output,
          sourceSha256,
          tensors: tensors.length,
          names: [...ckpt.flat.tensors.keys()],
          dataBytes: pending.size - pending.headerBytes,
          fileBytes: pending.size,
          shared,
          skipped: ckpt.flat.skipped,
          findings,
        },
        commit: pending.commit,
        abort: pending.abort,
      };
    } finally {
      hash.stop();
      ckpt.close();
    }
  } finally {
    src.close();
  }
}

/** Converts one torch zip checkpoint to a safetensors file (see the module comment). */
export async function convertCheckpoint(path: string, opts: ConvertOptions = {}): Promise<ConvertResult> {
  const prepared = await prepareConversion(path, opts.out ?? defaultOutput(path), opts);
  try {
    prepared.commit();
  } catch (e) {
    prepared.abort();
    throw e;
  }
  return prepared.result;
}
