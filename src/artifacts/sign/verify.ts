import { readFile } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import { pae, paeCompat, parseBundle, type MaterialKind } from './bundle.js';
import { parseDerCertificate, parsePemCertificates, verifyChain } from './certs.js';
import { checkFiles, type VerifyFailure } from './check.js';
import { isVerificationFailure, signError } from './errors.js';
import type { HashOptions } from './hash.js';
import { ecdsaVerify, keyHint, loadPublicKey, samePublicKey } from './keys.js';
import { rootDigest, type Manifest } from './manifest.js';
import { verifySigstoreBundle, type SigstoreIdentity } from './sigstore.js';
import { parseStatement } from './payload.js';
import type { Provenance } from './provenance.js';
import { defaultIgnores, defaultSignaturePath } from './sign.js';

export interface VerifyOptions extends HashOptions {
  /** PEM (or DER) of the public key, for bundles signed with a key. */
  publicKey?: string | Buffer;
  /** PEM texts of trusted certificates, for bundles signed with a certificate chain. */
  certificateChain?: readonly string[];
  /** Expected signer and trust root, for Sigstore keyless bundles (Fulcio certificate, Rekor entry). */
  sigstore?: SigstoreIdentity;
  signaturePath?: string;
  ignorePaths?: readonly string[];
  /** Files on disk that the signature does not cover are not an error. */
  ignoreUnsignedFiles?: boolean;
}

/** What a verified signature says: the signed model, its root digest and who signed it. */
export interface VerifyResult {
  modelName: string;
  rootDigest: string;
  resources: number;
  material: MaterialKind;
  signaturePath: string;
  /** `public key sha256:<hint>` or `certificate <subject of the signing certificate>`. */
  signer: string;
  provenance?: Provenance;
}

/** Everything `warden verify` reports: the signature's claims (when it verified) and every failure. */
export interface VerifyOutcome {
  signaturePath: string;
  /** Absent when the bundle itself did not verify. */
  signed?: VerifyResult;
  failures: VerifyFailure[];
  /** Files found on disk and checked (relative to the model; `.` for a one-file model). */
  files: string[];
}

/** Checks the bundle's signature with the given key or trust anchors; returns the signed payload. */
export function verifyBundleSignature(
  text: string,
  opts: VerifyOptions,
): { payload: Buffer; kind: MaterialKind; signer: string } {
  const { bundle, kind } = parseBundle(text);
  const vm = bundle.verificationMaterial;
  let key: KeyObject;
  let signer: string;
  if (kind === 'sigstore') {
    if (!opts.sigstore)
      throw signError(
        'USAGE',
        'the signature was made keyless with Sigstore: pass --sigstore --identity SAN --issuer URL (and optionally --trusted-root)',
        'usage',
      );
    // sigstore-js checks the chain, SCT, tlog entries and the DSSE signature (with our curve-aware check)
    const s = verifySigstoreBundle(JSON.parse(text), opts.sigstore);
    const where = s.logIndex ? `, Rekor log index ${s.logIndex}` : '';
    return {
      payload: Buffer.from(bundle.dsseEnvelope.payload, 'base64'),
      kind,
      signer: `sigstore ${s.identity} (issuer ${s.issuer}${where})`,
    };
  }
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
    signer = `public key sha256:${keyHint(key)}`;
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
    signer = `certificate ${chain[0]?.subject.split('\n').join(', ') ?? '(none)'}`;
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
  return { payload, kind, signer };
}

/** The bundle's text; a missing or unreadable file is NOT_FOUND. */
export async function readSignature(signaturePath: string): Promise<string> {
  try {
    return await readFile(signaturePath, 'utf8');
  } catch (e) {
    throw signError(
      'NOT_FOUND',
      `cannot read signature ${signaturePath}: ${(e as Error).message}`,
      'input',
      e,
    );
  }
}

/** Checks a model against its OMS signature, collecting every failure instead of stopping at one. */
export async function inspectModel(modelPath: string, opts: VerifyOptions): Promise<VerifyOutcome> {
  const signaturePath = opts.signaturePath ?? (await defaultSignaturePath(modelPath));
  const text = await readSignature(signaturePath);
  let signed: { payload: Buffer; kind: MaterialKind; signer: string; manifest: Manifest };
  try {
    const s = verifyBundleSignature(text, opts);
    signed = { ...s, manifest: parseStatement(s.payload) };
  } catch (e) {
    // a bundle that does not verify says nothing trustworthy about the files: one failure, no more
    if (!isVerificationFailure(e)) throw e;
    return { signaturePath, failures: [{ code: e.code, message: e.message }], files: [] };
  }
  const { manifest } = signed;
  const ignores = [
    ...defaultIgnores(modelPath, signaturePath, opts.ignorePaths),
    ...(manifest.serialization.ignore_paths ?? []),
  ];
  const { failures, files } = await checkFiles(modelPath, manifest, ignores, opts);
  return {
    signaturePath,
    failures,
    files,
    signed: {
      modelName: manifest.modelName,
      rootDigest: rootDigest(manifest.resources),
      resources: manifest.resources.length,
      material: signed.kind,
      signaturePath,
      signer: signed.signer,
      ...(manifest.provenance ? { provenance: manifest.provenance } : {}),
    },
  };
}

/** Verifies a model against its OMS signature: authenticity first, then every file's digest. */
export async function verifyModel(modelPath: string, opts: VerifyOptions): Promise<VerifyResult> {
  const o = await inspectModel(modelPath, opts);
  const first = o.failures[0];
  if (first) {
    const same = o.failures.filter((f) => f.code === first.code);
    const message =
      same.length === 1 ? first.message : `${same.length} failures: ${same.map((f) => f.message).join('; ')}`;
    throw signError(first.code, message);
  }
  if (!o.signed) throw signError('INTERNAL', 'verification produced no result', 'internal');
  return o.signed;
}
