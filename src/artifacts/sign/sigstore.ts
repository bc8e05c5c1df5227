import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { KeyObject } from 'node:crypto';
import type * as SigstoreBundle from '@sigstore/bundle';
import type * as SigstoreSpecs from '@sigstore/protobuf-specs';
import type * as SigstoreVerify from '@sigstore/verify';
import { pae } from './bundle.js';
import { signError, type SignErrorCode } from './errors.js';
import { ecdsaVerify } from './keys.js';

// sigstore-js is CommonJS and heavy: loaded synchronously, and only when a keyless bundle is verified.
const require = createRequire(import.meta.url);
const lib = () => ({
  bundle: require('@sigstore/bundle') as typeof SigstoreBundle,
  specs: require('@sigstore/protobuf-specs') as typeof SigstoreSpecs,
  verify: require('@sigstore/verify') as typeof SigstoreVerify,
});

/** The Sigstore public-good trusted root shipped with Warden (see vendor/sigstore/NOTICE.md). */
export const DEFAULT_TRUSTED_ROOT = new URL('../../../vendor/sigstore/trusted_root.json', import.meta.url);
const MAX_TRUSTED_ROOT_BYTES = 4 * 1024 * 1024;

/** Who must have signed a keyless bundle, and which trust root vouches for Fulcio, Rekor and the CT logs. */
export interface SigstoreIdentity {
  /** The certificate's subject alternative name (an e-mail address or a URI), matched exactly. */
  identity: string;
  /** The OIDC issuer recorded in the certificate (Fulcio extension 1.3.6.1.4.1.57264.1.8 or .1.1). */
  issuer: string;
  /** A trusted_root.json text or object; default the shipped public-good root. */
  trustedRoot?: string | object;
}

/** What a verified keyless bundle says about its signer. */
export interface SigstoreSigner {
  key: KeyObject;
  identity: string;
  issuer: string;
  /** Rekor log index and integrated time (Unix seconds) of the first tlog entry. */
  logIndex?: string;
  integratedTime?: string;
}

let defaultMaterial: SigstoreVerify.TrustMaterial | undefined;

/** Parses a trusted_root.json (Sigstore protobuf-specs TrustedRoot) into verification material. */
export function loadTrustMaterial(source?: string | object): SigstoreVerify.TrustMaterial {
  if (source === undefined && defaultMaterial) return defaultMaterial;
  const { specs, verify } = lib();
  let json: unknown = source;
  try {
    if (source === undefined) json = JSON.parse(readFileSync(DEFAULT_TRUSTED_ROOT, 'utf8'));
    else if (typeof source === 'string') {
      if (source.length > MAX_TRUSTED_ROOT_BYTES) throw new Error('larger than 4 MiB');
      json = JSON.parse(source);
    }
    const root = specs.TrustedRoot.fromJSON(json);
    if (root.certificateAuthorities.length === 0 || root.tlogs.length === 0)
      throw new Error('it lists no certificate authority or no transparency log');
    const material = verify.toTrustMaterial(root);
    if (source === undefined) defaultMaterial = material;
    return material;
  } catch (e) {
    throw signError('CONFIG_INVALID', `unusable Sigstore trusted root: ${(e as Error).message}`, 'usage', e);
  }
}

/** sigstore-js verification failures, as Warden's codes: every one of them fails the verification. */
function mapFailure(e: unknown): SignErrorCode {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string') return 'BAD_SIGNATURE';
  if (code === 'SIGNATURE_ERROR') return 'BAD_SIGNATURE';
  if (code.startsWith('TLOG')) return 'TLOG_INVALID';
  if (code === 'UNTRUSTED_SIGNER_ERROR') return 'IDENTITY_MISMATCH';
  // an RFC 3161 timestamp signs over the DSSE signature: a changed signature fails here first
  if (code === 'TIMESTAMP_ERROR') return 'UNTRUSTED_TIMESTAMP';
  return 'UNTRUSTED_CERTIFICATE'; // CERTIFICATE_ERROR (chain, SCT), PUBLIC_KEY_ERROR
}

/**
 * Verifies a keyless (Fulcio certificate) bundle offline as sigstore-js does: the certificate chains to a
 * Fulcio CA of the trusted root valid at a verified time (Rekor inclusion promise or RFC 3161 timestamp), it
 * carries a valid SCT from a trusted CT log, every tlog entry's inclusion proof, checkpoint and promise check
 * out against a trusted Rekor key and its body matches this envelope, and the DSSE signature verifies. The
 * DSSE signature is checked with the hash that matches the key's curve (sigstore-js assumes SHA-256).
 * Then the certificate's identity and issuer must equal the expected ones exactly.
 */
export function verifySigstoreBundle(raw: unknown, expected: SigstoreIdentity): SigstoreSigner {
  const { bundle: b, verify } = lib();
  const material = loadTrustMaterial(expected.trustedRoot);
  let entity: SigstoreVerify.SignedEntity;
  let payload: Buffer;
  let sig: Buffer;
  try {
    const parsed = b.bundleFromJSON(raw);
    if (parsed.content.$case !== 'dsseEnvelope') throw new Error('not a DSSE bundle');
    payload = parsed.content.dsseEnvelope.payload;
    sig = parsed.content.dsseEnvelope.signatures[0]?.sig ?? Buffer.alloc(0);
    entity = verify.toSignedEntity(parsed);
  } catch (e) {
    throw signError('MALFORMED_BUNDLE', `malformed Sigstore bundle: ${(e as Error).message}`, 'input', e);
  }
  const content = entity.signature;
  const curveAware: SigstoreVerify.SignedEntity['signature'] = {
    signature: content.signature,
    compareSignature: (s) => content.compareSignature(s),
    compareDigest: (d) => content.compareDigest(d),
    verifySignature: (key) => ecdsaVerify(key, pae(payload), sig),
  };
  let signer: SigstoreVerify.Signer;
  try {
    signer = new verify.Verifier(material, {
      tlogThreshold: 1,
      ctlogThreshold: 1,
      timestampThreshold: 1,
    }).verify({ ...entity, signature: curveAware });
  } catch (e) {
    throw signError(mapFailure(e), `Sigstore verification failed: ${(e as Error).message}`, 'input', e);
  }
  for (const entry of entity.tlogEntries) checkProofMatchesCheckpoint(entry);
  const identity = signer.identity?.subjectAlternativeName ?? '';
  const issuer = signer.identity?.extensions?.issuer ?? '';
  // Exact comparison: sigstore-js treats the expected identity as an unanchored regular expression.
  if (identity !== expected.identity || issuer !== expected.issuer)
    throw signError(
      'IDENTITY_MISMATCH',
      `signed by ${identity || '(no identity)'} (issuer ${issuer || 'none'}), expected ${expected.identity} (issuer ${expected.issuer})`,
    );
  const entry = entity.tlogEntries[0];
  return {
    key: signer.key,
    identity,
    issuer,
    ...(entry ? { logIndex: entry.logIndex, integratedTime: entry.integratedTime } : {}),
  };
}

/**
 * An inclusion proof's own tree size and root hash must be the ones its signed checkpoint states.
 * sigstore-js proves inclusion against the checkpoint alone and never reads these two unsigned fields, so a
 * bundle with edited values would still verify; the reference (sigstore-python) compares them.
 */
function checkProofMatchesCheckpoint(entry: SigstoreVerify.SignedEntity['tlogEntries'][number]): void {
  const proof = entry.inclusionProof;
  if (!proof?.checkpoint) return;
  const note = proof.checkpoint.envelope.split('\n\n')[0] ?? '';
  const [, size, hash] = note.split('\n');
  if (size !== proof.treeSize || !Buffer.from(hash ?? '', 'base64').equals(proof.rootHash))
    throw signError(
      'TLOG_INVALID',
      `Sigstore verification failed: the inclusion proof of log index ${entry.logIndex} states tree size ${proof.treeSize}, its checkpoint ${size ?? '(none)'}, or their root hashes differ`,
    );
}
