import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SignError } from './errors.js';
import { parseBundle } from './bundle.js';
import { parseStatement } from './payload.js';
import { verifyBundleSignature, verifyModel } from './verify.js';

const FIX = new URL('../../../test/fixtures/signing/', import.meta.url).pathname;
const MT = join(FIX, 'model-transparency');
const KEYS = join(MT, 'keys/certificate');
const VECTORS = join(FIX, 'model-signing-spec/test-vectors/v1.0');
const pub = readFileSync(join(KEYS, 'signing-key-pub.pem'));
const chain = [
  readFileSync(join(KEYS, 'int-ca-cert.pem'), 'utf8'),
  readFileSync(join(KEYS, 'ca-cert.pem'), 'utf8'),
];
const folders = readdirSync(MT).filter((d) => d.startsWith('v'));
// v1.0.1 and later were signed with --ignore-paths ignore-me
const ignoreMe = (d: string) => (/^v(0\.|1\.0\.0)/.test(d) ? [] : ['ignore-me']);

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof SignError) return e.code;
    throw e;
  }
}

describe('model-transparency conformance data', () => {
  it.each(folders.filter((d) => d.endsWith('-elliptic-key')))(
    '%s verifies with the public key',
    async (d) => {
      // the single-file releases signed signme-1 alone, with the signature beside it
      const single = !readdirSync(join(MT, d)).includes('signme-2');
      const model = single ? join(MT, d, 'signme-1') : join(MT, d);
      const r = await verifyModel(model, {
        publicKey: pub,
        signaturePath: join(MT, d, 'model.sig'),
        ignorePaths: ignoreMe(d),
      });
      expect(r.material).toBe('key');
    },
  );

  it.each(folders.filter((d) => d.endsWith('-certificate')))(
    '%s verifies with the certificate chain',
    async (d) => {
      const r = await verifyModel(join(MT, d), { certificateChain: chain, ignorePaths: ignoreMe(d) });
      expect(r.material).toBe('certificate-chain');
    },
  );

  it.each(folders.filter((d) => d.endsWith('-sigstore')))(
    '%s parses (keyless is not verified offline)',
    async (d) => {
      const text = readFileSync(join(MT, d, 'model.sig'), 'utf8');
      expect(parseBundle(text).kind).toBe('sigstore');
      const { bundle } = parseBundle(text);
      const m = parseStatement(Buffer.from(bundle.dsseEnvelope.payload, 'base64'));
      expect(m.resources.map((r) => r.name)).toEqual(['signme-1', 'signme-2']);
      expect(await code(verifyModel(join(MT, d), { publicKey: pub, ignorePaths: ignoreMe(d) }))).toBe(
        'UNSUPPORTED',
      );
    },
  );

  it('rejects a chain that does not reach a trusted root, and a key for a certificate bundle', async () => {
    expect(
      await code(
        verifyModel(join(MT, 'v1.1.0-certificate'), {
          certificateChain: [chain[0]!],
          ignorePaths: ['ignore-me'],
        }),
      ),
    ).toBe('UNTRUSTED_CERTIFICATE');
    expect(
      await code(verifyModel(join(MT, 'v1.1.0-certificate'), { publicKey: pub, ignorePaths: ['ignore-me'] })),
    ).toBe('USAGE');
    expect(await code(verifyModel(join(MT, 'v1.0.1-elliptic-key'), { publicKey: pub }))).toBe(
      'UNSIGNED_FILE',
    );
  });
});

describe('model-signing-spec v1.0 test vectors', () => {
  const read = (p: string) => readFileSync(join(VECTORS, p), 'utf8');
  it.each(readdirSync(join(VECTORS, 'valid')))('valid/%s parses and its statement validates', (f) => {
    const { bundle } = parseBundle(read(`valid/${f}`));
    const m = parseStatement(Buffer.from(bundle.dsseEnvelope.payload, 'base64'));
    expect(m.resources.length).toBeGreaterThan(0);
  });

  it('valid key and certificate vectors carry a good signature', () => {
    expect(verifyBundleSignature(read('valid/key.bundle.json'), { publicKey: pub }).kind).toBe('key');
    expect(
      verifyBundleSignature(read('valid/certificate.bundle.json'), { certificateChain: chain }).kind,
    ).toBe('certificate-chain');
  });

  const invalid = ['invalid', 'invalid-payload'].flatMap((d) =>
    readdirSync(join(VECTORS, d)).map((f) => `${d}/${f}`),
  );
  it.each(invalid)('%s is rejected with a typed error', (f) => {
    let err: unknown;
    try {
      const { bundle } = parseBundle(read(f));
      parseStatement(Buffer.from(bundle.dsseEnvelope.payload, 'base64'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SignError);
    expect(['MALFORMED_BUNDLE', 'MALFORMED_PAYLOAD']).toContain((err as SignError).code);
  });
});
