import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import type { Bundle } from './bundle.js';
import { bundleJson, pae } from './bundle.js';
import { parsePemCertificates } from './certs.js';
import { signError } from './errors.js';
import type { HashOptions } from './hash.js';
import { ecdsaSign, keyHint, loadPrivateKey, samePublicKey } from './keys.js';
import { buildManifest, rootDigest, statementJson, type Manifest } from './manifest.js';
import { parseProvenance, type Provenance } from './provenance.js';
import { GIT_PATHS, relativeIgnores } from './walk.js';

export const DEFAULT_SIGNATURE = 'model.sig';

export interface SignOptions extends HashOptions {
  /** PEM of the ECDSA private key (P-256, P-384 or P-521). */
  privateKey: string | Buffer;
  /** Where to write the bundle; default MODEL/model.sig (beside the file for a one-file model). */
  signaturePath?: string;
  ignorePaths?: readonly string[];
  /** PEM of the signing certificate: the bundle then carries a certificate chain, not a key hint. */
  certificate?: string;
  /** PEM texts of the certificates that chain the signing certificate to a root. */
  certificateChain?: readonly string[];
  shardSize?: number;
  allowSymlinks?: boolean;
  /** Lineage to embed in the statement subject's annotations (validated here). */
  provenance?: Provenance;
}

export interface SignResult {
  signaturePath: string;
  modelName: string;
  rootDigest: string;
  resources: number;
  manifest: Manifest;
}

export async function defaultSignaturePath(modelPath: string): Promise<string> {
  const st = await stat(modelPath).catch(() => undefined);
  return st?.isFile()
    ? join(resolve(modelPath, '..'), DEFAULT_SIGNATURE)
    : join(modelPath, DEFAULT_SIGNATURE);
}

/** The paths a signature always leaves out, plus the user's: the signature itself and git metadata. */
export function defaultIgnores(
  modelPath: string,
  signaturePath: string,
  user: readonly string[] = [],
): string[] {
  return [
    ...user.map((p) => resolve(modelPath, p)),
    resolve(signaturePath),
    ...GIT_PATHS.map((p) => resolve(modelPath, p)),
  ];
}

/** Options every signing method shares: what to hash and where the bundle goes. */
export type StatementOptions = Omit<SignOptions, 'privateKey' | 'certificate' | 'certificateChain'>;

/** The statement to sign for a model: checked options, the hashed manifest and its in-toto payload. */
export async function prepareStatement(
  modelPath: string,
  opts: StatementOptions,
): Promise<{ signaturePath: string; manifest: Manifest; payload: Buffer }> {
  // checked before hashing, which can take minutes on a large model
  const provenance = opts.provenance && parseProvenance(opts.provenance, 'provenance', 'USAGE');
  if (opts.shardSize !== undefined && (!Number.isSafeInteger(opts.shardSize) || opts.shardSize <= 0))
    throw signError('USAGE', 'shard size must be a positive integer', 'usage');
  const signaturePath = opts.signaturePath ?? (await defaultSignaturePath(modelPath));
  const ignores = defaultIgnores(modelPath, signaturePath, opts.ignorePaths);
  const st = await stat(modelPath).catch(() => undefined);
  const manifest = await buildManifest(modelPath, {
    ...opts,
    ignorePaths: ignores,
    recordIgnorePaths: st?.isDirectory() ? relativeIgnores(modelPath, ignores) : [],
  });
  if (provenance) manifest.provenance = provenance;
  return { signaturePath, manifest, payload: Buffer.from(statementJson(manifest)) };
}

/** What a signing call reports, from the prepared statement. */
export function signResult(signaturePath: string, manifest: Manifest): SignResult {
  return {
    signaturePath,
    modelName: manifest.modelName,
    rootDigest: rootDigest(manifest.resources),
    resources: manifest.resources.length,
    manifest,
  };
}

/** Signs a model (file or directory) with an EC key, writing an OMS v1.0 Sigstore bundle. */
export async function signModel(modelPath: string, opts: SignOptions): Promise<SignResult> {
  const key = loadPrivateKey(opts.privateKey);
  let material: Bundle['verificationMaterial'];
  if (opts.certificate !== undefined) {
    const [leaf] = parsePemCertificates(opts.certificate, 'signing certificate');
    if (!leaf || !samePublicKey(leaf.publicKey, key))
      throw signError('KEY_MISMATCH', 'the signing certificate does not match the private key', 'usage');
    const chain = (opts.certificateChain ?? []).flatMap((p, i) =>
      parsePemCertificates(p, `certificate chain #${i + 1}`),
    );
    material = {
      x509CertificateChain: {
        certificates: [leaf, ...chain].map((c) => ({ rawBytes: c.raw.toString('base64') })),
      },
      tlogEntries: [],
    };
  } else material = { publicKey: { hint: keyHint(key) }, tlogEntries: [] };
  const { signaturePath, manifest, payload } = await prepareStatement(modelPath, opts);
  const sig = ecdsaSign(key, pae(payload));
  await writeFile(signaturePath, bundleJson(material, payload, sig));
  return signResult(signaturePath, manifest);
}
