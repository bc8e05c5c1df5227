import { signError } from './errors.js';

export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface DsseSignature {
  sig: string;
  keyid?: string | null;
}

export interface Bundle {
  mediaType: string;
  verificationMaterial: {
    publicKey?: { hint?: string; rawBytes?: string; keyDetails?: string };
    x509CertificateChain?: { certificates: { rawBytes: string }[] };
    certificate?: { rawBytes: string };
    tlogEntries?: unknown[];
    timestampVerificationData?: unknown;
  };
  dsseEnvelope: { payload: string; payloadType: string; signatures: DsseSignature[] };
}

export type MaterialKind = 'key' | 'certificate-chain' | 'sigstore';

const bad = (msg: string) => signError('MALFORMED_BUNDLE', `malformed signature bundle: ${msg}`);
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64Field(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.length === 0 || !B64.test(v) || v.length % 4 === 1)
    throw bad(`${where} must be non-empty base64`);
  return v;
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw bad(`unexpected field ${where}.${k}`);
}

/**
 * Parses and structurally validates an OMS v1.0 bundle (the spec's bundle and envelope schemas),
 * accepting the older layouts the reference still verifies (publicKey.rawBytes, no tlogEntries).
 */
export function parseBundle(text: string): { bundle: Bundle; kind: MaterialKind } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  if (!isObj(raw)) throw bad('not a JSON object');
  onlyKeys(raw, ['mediaType', 'verificationMaterial', 'dsseEnvelope'], 'bundle');
  if (typeof raw.mediaType !== 'string' || !raw.mediaType.startsWith('application/vnd.dev.sigstore.bundle'))
    throw bad('mediaType is missing or not a Sigstore bundle');
  if (raw.mediaType !== BUNDLE_MEDIA_TYPE)
    throw bad(`mediaType ${raw.mediaType}, expected ${BUNDLE_MEDIA_TYPE}`);
  const vm = raw.verificationMaterial;
  if (!isObj(vm)) throw bad('verificationMaterial is missing');
  const env = raw.dsseEnvelope;
  if (!isObj(env)) throw bad('dsseEnvelope is missing (only DSSE bundles are model signatures)');

  let kind: MaterialKind;
  const material = ['publicKey', 'x509CertificateChain', 'certificate'].filter((k) => k in vm);
  if (material.length !== 1)
    throw bad('verificationMaterial needs exactly one of publicKey, x509CertificateChain, certificate');
  if (vm.tlogEntries !== undefined && !Array.isArray(vm.tlogEntries))
    throw bad('tlogEntries must be an array');
  if (isObj(vm.publicKey)) {
    kind = 'key';
    const pk = vm.publicKey;
    if (typeof pk.hint !== 'string' && typeof pk.rawBytes !== 'string')
      throw bad('publicKey needs hint or rawBytes');
    if (pk.rawBytes !== undefined) base64Field(pk.rawBytes, 'publicKey.rawBytes');
  } else if (isObj(vm.x509CertificateChain)) {
    kind = 'certificate-chain';
    const certs = vm.x509CertificateChain.certificates;
    if (!Array.isArray(certs) || certs.length === 0) throw bad('x509CertificateChain.certificates is empty');
    certs.forEach((c, i) => base64Field(isObj(c) ? c.rawBytes : undefined, `certificates[${i}].rawBytes`));
  } else if (isObj(vm.certificate)) {
    kind = 'sigstore';
    base64Field(vm.certificate.rawBytes, 'certificate.rawBytes');
    if (!Array.isArray(vm.tlogEntries) || vm.tlogEntries.length === 0)
      throw bad('a Sigstore (certificate) bundle needs at least one tlogEntries entry');
  } else throw bad(`verificationMaterial.${material[0]} must be an object`);

  onlyKeys(env, ['payload', 'payloadType', 'signatures'], 'dsseEnvelope');
  base64Field(env.payload, 'dsseEnvelope.payload');
  if (env.payloadType !== PAYLOAD_TYPE) throw bad(`payloadType must be ${PAYLOAD_TYPE}`);
  if (!Array.isArray(env.signatures) || env.signatures.length === 0)
    throw bad('dsseEnvelope.signatures is empty');
  for (const [i, s] of env.signatures.entries()) {
    if (!isObj(s)) throw bad(`signatures[${i}] is not an object`);
    onlyKeys(s, ['sig', 'keyid'], `signatures[${i}]`);
    base64Field(s.sig, `signatures[${i}].sig`);
    if (s.keyid !== undefined && s.keyid !== null && typeof s.keyid !== 'string')
      throw bad(`signatures[${i}].keyid must be a string or null`);
  }
  return { bundle: raw as unknown as Bundle, kind };
}

/** DSSE v1 pre-authentication encoding of an in-toto payload. */
export function pae(payload: Buffer): Buffer {
  const head = `DSSEv1 ${Buffer.byteLength(PAYLOAD_TYPE)} ${PAYLOAD_TYPE} ${payload.length} `;
  return Buffer.concat([Buffer.from(head), payload]);
}

/** Python's repr() of a bytes object, as model_signing v0.2 (wrongly) put into its PAE. */
export function pythonBytesRepr(b: Buffer): string {
  const quote = b.includes(0x27) && !b.includes(0x22) ? '"' : "'";
  let s = `b${quote}`;
  for (const c of b) {
    if (c === 0x5c) s += '\\\\';
    else if (c === quote.charCodeAt(0)) s += `\\${quote}`;
    else if (c === 0x09) s += '\\t';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c < 0x20 || c >= 0x7f) s += `\\x${c.toString(16).padStart(2, '0')}`;
    else s += String.fromCharCode(c);
  }
  return `${s}${quote}`;
}

/** The PAE of model_signing v0.2.x, which older signatures were made over. */
export function paeCompat(payload: Buffer): Buffer {
  return Buffer.from(
    `DSSEV1 ${PAYLOAD_TYPE.length} ${PAYLOAD_TYPE} ${payload.length} ${pythonBytesRepr(payload)}`,
  );
}

/** Serializes a bundle compactly, fields in the reference's (protobuf) order. */
export function bundleJson(material: Bundle['verificationMaterial'], payload: Buffer, sig: Buffer): string {
  const b: Bundle = {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: material,
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType: PAYLOAD_TYPE,
      signatures: [{ sig: sig.toString('base64'), keyid: '' }],
    },
  };
  return JSON.stringify(b);
}
