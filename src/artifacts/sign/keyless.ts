import { writeFile } from 'node:fs/promises';
import { PAYLOAD_TYPE, parseBundle } from './bundle.js';
import { signError } from './errors.js';
import { prepareStatement, signResult, type SignResult, type StatementOptions } from './sign.js';

/** Environment variable read for the OIDC token when none is passed (the name cosign and sigstore-js use). */
export const IDENTITY_TOKEN_ENV = 'SIGSTORE_ID_TOKEN';

/** Keyless signing: an OIDC identity token is exchanged at Fulcio for a short-lived signing certificate. */
export interface KeylessSignOptions extends StatementOptions {
  /** The OIDC identity token (a JWT); default the SIGSTORE_ID_TOKEN environment variable. */
  identityToken?: string;
  /** Default the public-good instance: https://fulcio.sigstore.dev, https://rekor.sigstore.dev. */
  fulcioURL?: string;
  rekorURL?: string;
  /** An RFC 3161 timestamp authority to also witness the signature (none by default). */
  tsaURL?: string;
  /** Per request to Fulcio, Rekor and the TSA (default 10 s). */
  timeoutMs?: number;
}

const b64url = /^[A-Za-z0-9_-]+$/;

/**
 * The token's claims, after checking that it is a JWT that has not expired: both mistakes are caught here,
 * before hashing a model that may take minutes, rather than as an opaque Fulcio refusal afterwards.
 */
export function checkIdentityToken(token: string, now = Date.now()): { iss?: string; exp?: number } {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.slice(0, 2).every((p) => b64url.test(p)))
    throw signError(
      'SIGSTORE_NO_TOKEN',
      'the identity token is not a JWT (header.payload.signature)',
      'usage',
    );
  let claims: { iss?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    throw signError('SIGSTORE_NO_TOKEN', 'the identity token payload is not JSON', 'usage');
  }
  if (typeof claims !== 'object' || claims === null)
    throw signError('SIGSTORE_NO_TOKEN', 'the identity token payload is not a JSON object', 'usage');
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  if (exp !== undefined && exp * 1000 <= now)
    throw signError(
      'SIGSTORE_NO_TOKEN',
      `the identity token expired at ${new Date(exp * 1000).toISOString()}; get a fresh one`,
      'usage',
    );
  return { ...(typeof claims.iss === 'string' ? { iss: claims.iss } : {}), ...(exp ? { exp } : {}) };
}

/** The services a sigstore-js error code names, for a message that says which one failed. */
function service(code: unknown, o: KeylessSignOptions): string {
  if (typeof code !== 'string') return 'Sigstore';
  if (code.startsWith('CA_')) return `Fulcio (${o.fulcioURL ?? 'https://fulcio.sigstore.dev'})`;
  if (code.startsWith('TLOG_')) return `Rekor (${o.rekorURL ?? 'https://rekor.sigstore.dev'})`;
  if (code.startsWith('TSA_')) return `the timestamp authority (${o.tsaURL ?? ''})`;
  return 'Sigstore';
}

/**
 * Signs a model keyless with Sigstore (sigstore-js): hashes it, gets a Fulcio certificate for an
 * ephemeral P-256 key bound to the token's identity, signs the OMS statement in a DSSE envelope and logs
 * it in Rekor, then writes the v0.3 bundle. Needs the network; without a token, or when a service cannot
 * be reached or refuses, it fails with a typed error and writes nothing.
 */
export async function signModelKeyless(modelPath: string, opts: KeylessSignOptions): Promise<SignResult> {
  const token = opts.identityToken ?? process.env[IDENTITY_TOKEN_ENV];
  if (!token)
    throw signError(
      'SIGSTORE_NO_TOKEN',
      `keyless signing needs an OIDC identity token: pass --identity-token or set ${IDENTITY_TOKEN_ENV}`,
      'usage',
    );
  checkIdentityToken(token);
  const { signaturePath, manifest, payload } = await prepareStatement(modelPath, opts);
  const { attest } = await import('sigstore');
  let bundle: unknown;
  try {
    bundle = await attest(payload, PAYLOAD_TYPE, {
      identityToken: token,
      ...(opts.fulcioURL ? { fulcioURL: opts.fulcioURL } : {}),
      ...(opts.rekorURL ? { rekorURL: opts.rekorURL } : {}),
      ...(opts.tsaURL ? { tsaServerURL: opts.tsaURL } : {}),
      timeout: opts.timeoutMs ?? 10_000,
      retry: { retries: 1 },
    });
  } catch (e) {
    const err = e as { code?: unknown; message?: string; cause?: { message?: string } };
    // sigstore-js quotes the whole token in some messages: a credential must not reach logs
    const why = [err.message, err.cause?.message]
      .filter(Boolean)
      .join(': ')
      .replaceAll(token, '<identity token>');
    if (typeof err.code === 'string' && err.code.startsWith('IDENTITY_TOKEN'))
      throw signError('SIGSTORE_NO_TOKEN', `the identity token is unusable: ${why}`, 'usage');
    throw signError(
      'SIGSTORE_UNAVAILABLE',
      `keyless signing failed at ${service(err.code, opts)}: ${why || 'unknown error'}`,
      'input',
    );
  }
  const text = JSON.stringify(bundle);
  // what sigstore-js built must be the bundle the reference writes: v0.3, a Fulcio certificate, our payload
  const { bundle: parsed, kind } = parseBundle(text);
  if (kind !== 'sigstore' || !Buffer.from(parsed.dsseEnvelope.payload, 'base64').equals(payload))
    throw signError(
      'INTERNAL',
      'sigstore-js returned a bundle that does not carry the statement',
      'internal',
    );
  await writeFile(signaturePath, text);
  return signResult(signaturePath, manifest);
}
