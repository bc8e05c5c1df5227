import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_SIGNATURE, inspectModel } from '../artifacts/index.js';
import { parseVersionRef, verifyArtifacts, type Registry } from '../registry/index.js';
import { gatewayError } from './errors.js';

/** Keys or certificates a stored signature must verify with. */
export interface TrustAnchors {
  publicKey?: Buffer | string;
  certificateChain?: string[];
}

/** What loading `NAME@ALIAS` from the registry needs besides the registry. */
export interface RegistryLoadOptions {
  /** The gate that must pass (default: the alias of the reference, or `production` for a version number). */
  gate?: string;
  /** Refuse a version without a signature that verifies here. */
  requireSignature: boolean;
  /** Anchors from the gateway's config; without them, the registry policy's trusted keys. */
  trust?: TrustAnchors;
}

/** A version admitted for serving: the ONNX bytes that were hashed, and how they were admitted. */
export interface AdmittedVersion {
  bytes: Buffer;
  version: string;
  provenance: Record<string, unknown>;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Resolves a registry reference and admits the version only if its promotion gate passes now, its files
 * on disk match the registered digests, and its stored signature (if any, or if required) verifies over
 * them. The ONNX bytes returned are the ones whose digest was compared, so a file swapped after the check
 * is never served. `facts` collects what was learned, for the audit record of a refusal.
 */
export async function admitFromRegistry(
  reg: Registry,
  ref: string,
  opts: RegistryLoadOptions,
  facts: Record<string, unknown> = {},
): Promise<AdmittedVersion> {
  facts.ref = ref;
  const sel = parseVersionRef(ref).selector;
  const v = await reg.version(ref);
  Object.assign(facts, { version: v.ref, digest: v.digest });
  const alias = opts.gate ?? (sel.kind === 'alias' ? sel.alias : 'production');
  const gate = await reg.checkGate(v.ref, alias);
  Object.assign(facts, { gate: alias, policyDigest: gate.policyDigest });
  if (!gate.passed) {
    facts.unmet = gate.unmet.map((c) => `${c.clause}: ${c.detail}`);
    throw gatewayError(
      'GATEWAY_GATE_FAILED',
      `${ref} (${v.ref}) refused: its ${alias} gate fails: ${gate.unmet.map((c) => `${c.clause} (${c.detail})`).join('; ')}`,
    );
  }
  const check = await verifyArtifacts(reg, v.ref);
  if (!check.ok) {
    facts.mismatches = check.mismatches;
    throw gatewayError(
      'GATEWAY_DIGEST_MISMATCH',
      `${v.ref} refused: the files at ${v.uri} are not the registered ones (${check.mismatches.map((m) => m.name).join(', ') || `root ${check.digest}`})`,
    );
  }
  const signer = await checkStoredSignature(reg, v.ref, v.uri, v.signature, opts);
  if (signer) facts.signer = signer;
  const onnx = v.files.filter((f) => f.format === 'onnx');
  if (onnx.length !== 1)
    throw gatewayError(
      'GATEWAY_MODEL_INVALID',
      `${v.ref} has ${onnx.length} ONNX files; the gateway serves exactly one`,
    );
  const file = onnx[0]!;
  const abs = resolve(v.uri);
  const path = (await stat(abs)).isFile() ? abs : join(abs, file.name);
  const bytes = await readFile(path);
  if (sha256(bytes) !== file.digest)
    throw gatewayError('GATEWAY_DIGEST_MISMATCH', `${v.ref} refused: ${path} changed while it was checked`);
  return {
    bytes,
    version: String(v.version),
    provenance: { registry: ref, ...facts, ...(signer ? { signer } : {}) },
  };
}

// Verifies the bundle the registry stored (not whatever sits beside the model now) over the files.
async function checkStoredSignature(
  reg: Registry,
  ref: string,
  uri: string,
  bundle: string | null,
  opts: RegistryLoadOptions,
): Promise<string | undefined> {
  const anchors = await anchorsFor(reg, opts.trust);
  if (!bundle || anchors.length === 0) {
    if (opts.requireSignature)
      throw gatewayError(
        'GATEWAY_SIGNATURE_INVALID',
        `${ref} refused: ${bundle ? 'no trusted key or certificate to check its signature with' : 'it is not signed'}`,
      );
    return undefined;
  }
  const dir = await mkdtemp(join(tmpdir(), 'warden-sig-'));
  try {
    const sigPath = join(dir, DEFAULT_SIGNATURE);
    await writeFile(sigPath, bundle, { mode: 0o600 });
    const single = (await stat(uri)).isFile();
    const reasons: string[] = [];
    for (const a of anchors) {
      const outcome = await inspectModel(uri, {
        ...a,
        signaturePath: sigPath,
        ...(single ? {} : { ignorePaths: [DEFAULT_SIGNATURE] }),
      });
      const first = outcome.failures[0];
      if (!first && outcome.signed) return outcome.signed.signer;
      reasons.push(first ? `${first.code}: ${first.message}` : 'no result');
    }
    throw gatewayError(
      'GATEWAY_SIGNATURE_INVALID',
      `${ref} refused: its signature does not verify (${[...new Set(reasons)].join('; ')})`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// The gateway's own anchors when configured; otherwise each key and the certificates the policy trusts.
async function anchorsFor(reg: Registry, trust: TrustAnchors | undefined): Promise<TrustAnchors[]> {
  if (trust?.publicKey || trust?.certificateChain?.length) return [trust];
  const p = (await reg.policy())?.policy;
  if (!p) return [];
  return [
    ...p.trustedKeys.map((publicKey) => ({ publicKey })),
    ...(p.trustedCertificates.length ? [{ certificateChain: [...p.trustedCertificates] }] : []),
  ];
}
