import { open, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  DEFAULT_SIGNATURE,
  detectScanner,
  digestModel,
  inspectModel,
  scanPaths,
  verifyReport,
  type Manifest,
  type VerifyReport,
} from '../artifacts/index.js';
import type { Report } from '../core/index.js';
import { registryError } from './errors.js';
import type { Registry } from './registry.js';
import type { ArtifactFile, NewVersion, VersionInfo } from './types.js';

/** Options of `registerModel`: the name, who registers, how to check a signature, and lineage. */
export interface RegisterModelOptions {
  name: string;
  actor: string;
  /** PEM public key that must verify the model's signature (model.sig), if it has one. */
  publicKey?: string | Buffer;
  /** Trusted PEM certificates for certificate-signed bundles. */
  certificateChain?: readonly string[];
  /** The bundle (default MODEL/model.sig, or model.sig beside a one-file model). */
  signaturePath?: string;
  /** Register as unsigned even though a signature file is present (its claims are not recorded). */
  ignoreSignature?: boolean;
  parents?: NewVersion['parents'];
  datasets?: NewVersion['datasets'];
  meta?: Record<string, string>;
  /** Scan the files (no code runs) and attach the report as evidence. */
  scan?: boolean;
  concurrency?: number;
}

/** What registration did: the version, and the reports it attached as evidence. */
export interface RegisterModelResult {
  version: VersionInfo;
  verify?: VerifyReport;
  scan?: Report;
}

const exists = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

async function formatOf(path: string, size: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(4096, size));
    await fh.read(head, 0, head.length, 0);
    return detectScanner(head, size)?.format ?? 'unknown';
  } finally {
    await fh.close();
  }
}

/** Per-file digests of a manifest built with the files method, with the format each file's bytes show. */
async function artifactFiles(modelPath: string, m: Manifest, single: boolean): Promise<ArtifactFile[]> {
  const out: ArtifactFile[] = [];
  for (const r of m.resources) {
    const path = single ? modelPath : join(modelPath, r.name);
    const size = (await stat(path)).size;
    out.push({
      name: single ? basename(modelPath) : r.name,
      digest: `sha256:${r.digest}`,
      size,
      format: await formatOf(path, size),
    });
  }
  return out;
}

/**
 * Registers the model at `modelPath` as the next version of `opts.name`: digests every file (as `warden
 * digest` does), detects formats from the bytes, and if a signature bundle is present verifies it first
 * and records the bundle and signer; a signature that does not verify refuses the registration
 * (REGISTRY_SIGNATURE_INVALID), and one that cannot be checked (no key given) too, unless
 * `ignoreSignature`. A converted model whose signed provenance names a registered source digest is linked
 * to it (converted_from).
 */
export async function registerModel(
  reg: Registry,
  modelPath: string,
  opts: RegisterModelOptions,
): Promise<RegisterModelResult> {
  const abs = resolve(modelPath);
  const st = await stat(abs).catch((e: unknown) => {
    throw registryError('REGISTRY_NOT_FOUND', `cannot read model ${modelPath}: ${(e as Error).message}`, e);
  });
  const single = st.isFile();
  const sigPath =
    opts.signaturePath ??
    (single ? join(resolve(abs, '..'), DEFAULT_SIGNATURE) : join(abs, DEFAULT_SIGNATURE));
  const signed = !opts.ignoreSignature && (await exists(sigPath));
  const startedAt = new Date().toISOString();
  let verify: VerifyReport | undefined;
  let signature: NewVersion['signature'];
  const parents = [...(opts.parents ?? [])];
  if (signed) {
    if (opts.publicKey === undefined && !opts.certificateChain?.length)
      throw registryError(
        'REGISTRY_SIGNATURE_INVALID',
        `${sigPath} is present: pass the public key or certificate chain that must verify it (or ignore the signature explicitly)`,
      );
    const outcome = await inspectModel(abs, {
      publicKey: opts.publicKey,
      certificateChain: opts.certificateChain,
      signaturePath: sigPath,
      concurrency: opts.concurrency,
    });
    verify = verifyReport(modelPath, outcome, { startedAt, finishedAt: new Date().toISOString() });
    const first = outcome.failures[0];
    if (first || !outcome.signed)
      throw registryError(
        'REGISTRY_SIGNATURE_INVALID',
        `the signature ${sigPath} does not verify: ${first ? `${first.code}: ${first.message}` : 'no result'}`,
      );
    signature = {
      bundle: await readFile(sigPath, 'utf8'),
      signer: outcome.signed.signer,
      digest: `sha256:${outcome.signed.rootDigest}`,
    };
    const source = outcome.signed.provenance?.source?.digest.sha256;
    if (source && !parents.some((p) => p.relation === 'converted_from')) {
      const from = await reg.findByDigest(`sha256:${source}`);
      if (from) parents.push({ ref: from.ref, relation: 'converted_from' });
    }
  }
  const { rootDigest, manifest } = await digestModel(abs, {
    signaturePath: sigPath,
    concurrency: opts.concurrency,
  });
  const files = await artifactFiles(abs, manifest, single);
  const main = files.reduce((a, b) => (b.size > a.size ? b : a));
  const version = await reg.registerVersion(
    {
      name: opts.name,
      digest: `sha256:${rootDigest}`,
      format: main.format,
      uri: abs,
      files,
      ...(signature ? { signature } : {}),
      ...(opts.meta ? { meta: opts.meta } : {}),
      ...(parents.length ? { parents } : {}),
      ...(opts.datasets?.length ? { datasets: opts.datasets } : {}),
    },
    opts.actor,
  );
  if (verify) await reg.addEvidence(version.ref, verify, opts.actor);
  let scan: Report | undefined;
  if (opts.scan) {
    scan = await scanPaths([abs], { ...(opts.concurrency ? { concurrency: opts.concurrency } : {}) });
    await reg.addEvidence(version.ref, scan, opts.actor);
  }
  const fresh = (await reg.listVersions(opts.name, { limit: 1 }))[0];
  return {
    version: fresh?.ref === version.ref ? fresh : version,
    ...(verify ? { verify } : {}),
    ...(scan ? { scan } : {}),
  };
}

/** Result of re-hashing a version's files: where they differ from what was registered. */
export interface ArtifactCheck {
  ref: string;
  ok: boolean;
  digest: string;
  mismatches: { name: string; expected: string | null; actual: string | null }[];
}

/**
 * Re-hashes the files of a version (at its registered location, or `path`) and compares them with the
 * registered digests: what the gateway runs before it loads a model the registry resolved.
 */
export async function verifyArtifacts(reg: Registry, ref: string, path?: string): Promise<ArtifactCheck> {
  const { files, ...version } = await reg.version(ref);
  const abs = resolve(path ?? version.uri);
  const st = await stat(abs).catch((e: unknown) => {
    throw registryError('REGISTRY_ARTIFACT_MISMATCH', `cannot read ${abs}: ${(e as Error).message}`, e);
  });
  const { rootDigest, manifest } = await digestModel(abs);
  const actual = await artifactFiles(abs, manifest, st.isFile());
  const want = new Map(files.map((f) => [f.name, f.digest]));
  const got = new Map(actual.map((f) => [f.name, f.digest]));
  const mismatches: ArtifactCheck['mismatches'] = [];
  for (const [name, digest] of want)
    if (got.get(name) !== digest) mismatches.push({ name, expected: digest, actual: got.get(name) ?? null });
  for (const [name, digest] of got)
    if (!want.has(name)) mismatches.push({ name, expected: null, actual: digest });
  return {
    ref: version.ref,
    ok: mismatches.length === 0 && `sha256:${rootDigest}` === version.digest,
    digest: `sha256:${rootDigest}`,
    mismatches,
  };
}
