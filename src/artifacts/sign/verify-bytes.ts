import { createHash } from 'node:crypto';
import { signError } from './errors.js';
import { rootDigest } from './manifest.js';
import { parseStatement } from './payload.js';
import { readSignature, verifyBundleSignature, type VerifyOptions, type VerifyResult } from './verify.js';

/**
 * Verifies a one-file model held in memory (e.g. decrypted by the gateway, never written to disk)
 * against its OMS signature: the bundle first, then the bytes' digest or every shard's digest.
 */
export async function verifyModelBytes(
  bytes: Buffer,
  signaturePath: string,
  opts: Omit<VerifyOptions, 'signaturePath'>,
): Promise<VerifyResult> {
  const text = await readSignature(signaturePath);
  const s = verifyBundleSignature(text, opts);
  const manifest = parseStatement(s.payload);
  const files = new Set(manifest.resources.map((r) => fileOf(r.name, manifest.serialization.method)));
  if (files.size !== 1 || !files.has('.'))
    throw signError(
      'UNSUPPORTED',
      `the signature covers ${files.size} files (${[...files].slice(0, 3).join(', ')}); an in-memory model must be signed as one file`,
    );
  const shard = manifest.serialization.shard_size;
  for (const r of manifest.resources) {
    let part = bytes;
    if (manifest.serialization.method === 'shards') {
      const m = /:(\d+):(\d+)$/.exec(r.name);
      const start = Number(m?.[1]);
      const end = Number(m?.[2]);
      if (!m || !shard || end > bytes.length || start >= end)
        throw signError('DIGEST_MISMATCH', `shard ${r.name} does not fit the ${bytes.length}-byte model`);
      part = bytes.subarray(start, end);
    }
    if (createHash('sha256').update(part).digest('hex') !== r.digest)
      throw signError('DIGEST_MISMATCH', `digest of ${r.name} does not match the signature`);
  }
  if (manifest.serialization.method === 'shards' && shard) {
    const covered = Math.max(...manifest.resources.map((r) => Number(/:(\d+)$/.exec(r.name)?.[1] ?? 0)));
    if (covered !== bytes.length)
      throw signError(
        'DIGEST_MISMATCH',
        `the signature covers ${covered} bytes, the model has ${bytes.length}`,
      );
  }
  return {
    modelName: manifest.modelName,
    rootDigest: rootDigest(manifest.resources),
    resources: manifest.resources.length,
    material: s.kind,
    signaturePath,
    signer: s.signer,
    ...(manifest.provenance ? { provenance: manifest.provenance } : {}),
  };
}

function fileOf(name: string, method: 'files' | 'shards'): string {
  return method === 'shards' ? name.replace(/:\d+:\d+$/, '') : name;
}
