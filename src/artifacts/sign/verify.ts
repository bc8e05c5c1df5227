import { readFile } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import { pae, paeCompat, parseBundle, type MaterialKind } from './bundle.js';
import { parseDerCertificate, parsePemCertificates, verifyChain } from './certs.js';
import { signError } from './errors.js';
import { hashJobs, type HashOptions } from './hash.js';
import { ecdsaVerify, keyHint, loadPublicKey, samePublicKey } from './keys.js';
import { jobsFor, rootDigest, type Manifest } from './manifest.js';
import { parseStatement } from './payload.js';
import { defaultIgnores, defaultSignaturePath } from './sign.js';
import { walkModel } from './walk.js';

export interface VerifyOptions extends HashOptions {
  /** PEM (or DER) of the public key, for bundles signed with a key. */
  publicKey?: string | Buffer;
  /** PEM texts of trusted certificates, for bundles signed with a certificate chain. */
  certificateChain?: readonly string[];
  signaturePath?: string;
  ignorePaths?: readonly string[];
  /** Files on disk that the signature does not cover are not an error. */
  ignoreUnsignedFiles?: boolean;
}

export interface VerifyResult {
  modelName: string;
  rootDigest: string;
  resources: number;
  material: MaterialKind;
  signaturePath: string;
}

/** Checks the bundle's signature with the given key or trust anchors; returns the signed payload. */
export function verifyBundleSignature(
  text: string,
  opts: VerifyOptions,
): { payload: Buffer; kind: MaterialKind } {
  const { bundle, kind } = parseBundle(text);
  const vm = bundle.verificationMaterial;
  let key: KeyObject;
  if (kind === 'sigstore')
    throw signError(
      'UNSUPPORTED',
      'Sigstore keyless bundles need the Sigstore trust root online; not supported',
      'usage',
    );
  if (kind === 'key') {
    if (opts.publicKey === undefined)
      throw signError('USAGE', 'the signature was made with a key: pass --public-key', 'usage');
    key = loadPublicKey(opts.publicKey);
    if (vm.publicKey?.hint && vm.publicKey.hint !== keyHint(key))
      throw signError('KEY_MISMATCH', 'the bundle was signed with a different key (public key hint differs)');
    if (
      vm.publicKey?.rawBytes &&
      !samePublicKey(loadPublicKey(Buffer.from(vm.publicKey.rawBytes, 'base64')), key)
    )
      throw signError('KEY_MISMATCH', 'the bundle was signed with a different key (rawBytes differ)');
  } else {
    if (!opts.certificateChain?.length)
      throw signError(
        'USAGE',
        'the signature was made with a certificate: pass --certificate-chain',
        'usage',
      );
    const trusted = opts.certificateChain.flatMap((p, i) =>
      parsePemCertificates(p, `certificate chain #${i + 1}`),
    );
    const chain = (vm.x509CertificateChain?.certificates ?? []).map((c, i) =>
      parseDerCertificate(Buffer.from(c.rawBytes, 'base64'), `bundle certificate #${i + 1}`),
    );
    key = verifyChain(chain, trusted);
  }
  const env = bundle.dsseEnvelope;
  const payload = Buffer.from(env.payload, 'base64');
  const sig = Buffer.from(env.signatures[0]!.sig, 'base64');
  // model_signing v0.2 signed a malformed PAE, with SHA-256 whatever the curve; such signatures
  // stay verifiable as the reference keeps them verifiable
  const compat = () =>
    ecdsaVerify(key, paeCompat(payload), sig) || ecdsaVerify(key, paeCompat(payload), sig, 'sha256');
  if (!ecdsaVerify(key, pae(payload), sig) && !compat())
    throw signError('BAD_SIGNATURE', 'the signature does not match the signed statement and key');
  return { payload, kind };
}

function fileOf(name: string, m: Manifest): string {
  return m.serialization.method === 'shards' ? name.replace(/:\d+:\d+$/, '') : name;
}

/** Verifies a model against its OMS signature: authenticity first, then every file's digest. */
export async function verifyModel(modelPath: string, opts: VerifyOptions): Promise<VerifyResult> {
  const signaturePath = opts.signaturePath ?? (await defaultSignaturePath(modelPath));
  let text: string;
  try {
    text = await readFile(signaturePath, 'utf8');
  } catch (e) {
    throw signError(
      'NOT_FOUND',
      `cannot read signature ${signaturePath}: ${(e as Error).message}`,
      'input',
      e,
    );
  }
  const { payload, kind } = verifyBundleSignature(text, opts);
  const manifest = parseStatement(payload);
  const ser = manifest.serialization;

  const ignores = [
    ...defaultIgnores(modelPath, signaturePath, opts.ignorePaths),
    ...(ser.ignore_paths ?? []),
  ];
  const files = await walkModel(modelPath, { ignorePaths: ignores, allowSymlinks: ser.allow_symlinks });
  const actual = jobsFor(files, ser.shard_size);
  const expected = new Map(manifest.resources.map((r) => [r.name, r]));
  const present = new Set(files.map((f) => f.name));
  const actualNames = new Set(actual.map((a) => a.name));

  for (const r of manifest.resources) {
    if (actualNames.has(r.name)) continue;
    const file = fileOf(r.name, manifest);
    if (!present.has(file)) throw signError('MISSING_FILE', `${file} is signed but missing from the model`);
    throw signError('DIGEST_MISMATCH', `${file} changed size since it was signed`);
  }
  const extra = actual.filter((a) => !expected.has(a.name));
  const signedFiles = new Set(manifest.resources.map((r) => fileOf(r.name, manifest)));
  const grown = extra.find((a) => signedFiles.has(fileOf(a.name, manifest)));
  if (grown)
    throw signError('DIGEST_MISMATCH', `${fileOf(grown.name, manifest)} changed size since it was signed`);
  if (extra.length > 0 && !opts.ignoreUnsignedFiles) {
    const names = [...new Set(extra.map((a) => fileOf(a.name, manifest)))];
    throw signError(
      'UNSIGNED_FILE',
      `not covered by the signature: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}`,
    );
  }
  const todo = actual.filter((a) => expected.has(a.name));
  const digests = await hashJobs(
    todo.map((t) => t.job),
    opts,
  );
  const bad = todo.filter((t, i) => expected.get(t.name)!.digest !== digests[i]);
  if (bad.length > 0) {
    const names = [...new Set(bad.map((b) => fileOf(b.name, manifest)))];
    throw signError('DIGEST_MISMATCH', `content differs from the signature: ${names.join(', ')}`);
  }
  return {
    modelName: manifest.modelName,
    rootDigest: rootDigest(manifest.resources),
    resources: manifest.resources.length,
    material: kind,
    signaturePath,
  };
}
