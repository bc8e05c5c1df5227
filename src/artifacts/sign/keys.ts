import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { signError } from './errors.js';

export type Curve = 'p256' | 'p384' | 'p521';
export const CURVES: readonly Curve[] = ['p256', 'p384', 'p521'];

const NAMED: Record<string, { curve: Curve; hash: string; details: string }> = {
  prime256v1: { curve: 'p256', hash: 'sha256', details: 'PKIX_ECDSA_P256_SHA_256' },
  secp384r1: { curve: 'p384', hash: 'sha384', details: 'PKIX_ECDSA_P384_SHA_384' },
  secp521r1: { curve: 'p521', hash: 'sha512', details: 'PKIX_ECDSA_P521_SHA_512' },
};
const OPENSSL_NAME: Record<Curve, string> = { p256: 'prime256v1', p384: 'secp384r1', p521: 'secp521r1' };

function curveInfo(key: KeyObject): { curve: Curve; hash: string; details: string } {
  const name = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const info = name === undefined ? undefined : NAMED[name];
  if (!info)
    throw signError(
      'UNSUPPORTED_KEY',
      `only ECDSA keys on P-256, P-384 or P-521 are supported (got ${key.asymmetricKeyType ?? '?'} ${name ?? ''})`.trim(),
    );
  return info;
}

/** The digest ECDSA uses with this key's curve (P-256 SHA-256, P-384 SHA-384, P-521 SHA-512). */
export function hashForKey(key: KeyObject): string {
  return curveInfo(key).hash;
}

export function loadPrivateKey(pem: string | Buffer, what = 'private key'): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw signError('UNSUPPORTED_KEY', `cannot read ${what}: ${(e as Error).message}`, 'usage', e);
  }
  curveInfo(key);
  return key;
}

export function loadPublicKey(pemOrDer: string | Buffer, what = 'public key'): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pemOrDer);
  } catch {
    try {
      key = createPublicKey({ key: Buffer.from(pemOrDer), format: 'der', type: 'spki' });
    } catch (e) {
      throw signError('UNSUPPORTED_KEY', `cannot read ${what}: ${(e as Error).message}`, 'usage', e);
    }
  }
  curveInfo(key);
  return key;
}

/** SubjectPublicKeyInfo PEM, as the reference writes it (64-column base64, trailing newline). */
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'pem' }).toString();
}

/** The bundle's `publicKey.hint`: hex SHA-256 of the public key's SPKI PEM text. */
export function keyHint(key: KeyObject): string {
  return createHash('sha256').update(publicKeyPem(key)).digest('hex');
}

export function ecdsaSign(key: KeyObject, data: Buffer): Buffer {
  return cryptoSign(hashForKey(key), data, { key, dsaEncoding: 'der' });
}

export function ecdsaVerify(key: KeyObject, data: Buffer, sig: Buffer, hash = hashForKey(key)): boolean {
  try {
    return cryptoVerify(hash, data, { key, dsaEncoding: 'der' }, sig);
  } catch {
    return false;
  }
}

export function generateKeyPair(curve: Curve): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: OPENSSL_NAME[curve] });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  const der = (k: KeyObject) =>
    (k.type === 'private' ? createPublicKey(k) : k).export({ type: 'spki', format: 'der' });
  return der(a).equals(der(b));
}
