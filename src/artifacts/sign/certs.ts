import { X509Certificate, type KeyObject } from 'node:crypto';
import { signError } from './errors.js';
import { loadPublicKey } from './keys.js';

const untrusted = (msg: string) => signError('UNTRUSTED_CERTIFICATE', msg);
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const MAX_DEPTH = 10;

/** Every certificate in a PEM text (a file may hold several). */
export function parsePemCertificates(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw signError('CONFIG_INVALID', `${what} holds no PEM certificate`, 'usage');
  return blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw signError('CONFIG_INVALID', `${what}: bad certificate (${(e as Error).message})`, 'usage', e);
    }
  });
}

export function parseDerCertificate(der: Buffer, what: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (e) {
    throw signError(
      'MALFORMED_BUNDLE',
      `${what} is not a DER certificate (${(e as Error).message})`,
      'input',
      e,
    );
  }
}

function validAt(c: X509Certificate, t: number): boolean {
  return Date.parse(c.validFrom) <= t && t <= Date.parse(c.validTo);
}

/**
 * Whether `issuer` issued `cert`: names match and the signature verifies with the issuer's key.
 * (X509Certificate.checkIssued is stricter than OpenSSL's chain building and rejects the
 * reference's own test chain, so the check is spelled out here.)
 */
function issued(issuer: X509Certificate, cert: X509Certificate): boolean {
  try {
    return issuer.subject === cert.issuer && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function selfSigned(c: X509Certificate): boolean {
  return issued(c, c);
}

/**
 * The KeyUsage digitalSignature bit, read from the extension's DER (node:crypto does not expose
 * key usage bits); undefined when the certificate has no KeyUsage extension.
 */
export function digitalSignatureBit(der: Buffer): boolean | undefined {
  const oid = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0f]);
  let i = der.indexOf(oid);
  if (i < 0) return undefined;
  i += oid.length;
  if (der[i] === 0x01 && der[i + 1] === 0x01) i += 3; // critical flag
  if (der[i] !== 0x04 || der[i + 2] !== 0x03) return undefined;
  const len = der[i + 3] ?? 0;
  if (len < 2) return false;
  return ((der[i + 5] ?? 0) & 0x80) !== 0;
}

/**
 * Verifies a bundle's certificate chain (leaf first) against trusted certificates and returns the
 * leaf's public key. Like the reference, validity is checked at the leaf's notBefore (the signing
 * time of these long-lived certificates, with no timestamp authority offline); the path must end
 * in a self-signed certificate among the trusted ones; every issuer must be a CA; the leaf must
 * allow digitalSignature (or, failing that, the codeSigning extended key usage).
 */
export function verifyChain(
  chain: readonly X509Certificate[],
  trusted: readonly X509Certificate[],
): KeyObject {
  const leaf = chain[0];
  if (!leaf) throw untrusted('the bundle has no signing certificate');
  const t = Date.parse(leaf.validFrom);
  const isTrusted = (c: X509Certificate) => trusted.some((x) => x.fingerprint256 === c.fingerprint256);
  const pool = [...trusted, ...chain.slice(1)];
  let cur = leaf;
  for (let depth = 0; ; depth++) {
    if (depth > MAX_DEPTH) throw untrusted('certificate chain is too long');
    if (!validAt(cur, t))
      throw untrusted(`certificate ${cur.subject} is not valid at ${new Date(t).toISOString()}`);
    if (selfSigned(cur)) {
      if (!isTrusted(cur))
        throw untrusted(`chain ends in ${cur.subject}, which is not a trusted certificate`);
      break;
    }
    const issuer = pool.find((c) => c.fingerprint256 !== cur.fingerprint256 && issued(c, cur));
    if (!issuer) throw untrusted(`no trusted issuer found for ${cur.subject.replace(/\n/g, ', ')}`);
    if (!issuer.ca) throw untrusted(`issuer ${issuer.subject} is not a CA`);
    cur = issuer;
  }
  const ds = digitalSignatureBit(Buffer.from(leaf.raw));
  if (ds !== true && !(leaf.keyUsage ?? []).includes(CODE_SIGNING))
    throw untrusted(
      'the signing certificate is not allowed to sign (no digitalSignature or codeSigning usage)',
    );
  return loadPublicKey(leaf.publicKey.export({ type: 'spki', format: 'der' }), 'signing certificate key');
}
