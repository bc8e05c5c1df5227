import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const ID = { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' };
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

  // Signed keyless on the Sigstore public-good instance; verified offline against the shipped trusted root.
  it.each(folders.filter((d) => d.endsWith('-sigstore')))(
    '%s verifies keyless (Fulcio chain, SCT, Rekor entry) with the signer identity',
    async (d) => {
      const text = readFileSync(join(MT, d, 'model.sig'), 'utf8');
      expect(parseBundle(text).kind).toBe('sigstore');
      const r = await verifyModel(join(MT, d), { sigstore: ID, ignorePaths: ignoreMe(d) });
      expect(r.material).toBe('sigstore');
      expect(r.signer).toMatch(
        /^sigstore stefanb@us\.ibm\.com \(issuer https:\/\/sigstore\.verify\.ibm\.com\/oauth2, Rekor log index \d+\)$/,
      );
      expect(r.resources).toBe(2);
    },
  );

  it('keyless: another identity or issuer, a lookalike identity, or no identity is refused', async () => {
    const d = join(MT, 'v1.1.0-sigstore');
    const o = { ignorePaths: ['ignore-me'] };
    for (const sigstore of [
      { ...ID, identity: 'someone@example.com' },
      { ...ID, issuer: 'https://accounts.google.com' },
      { ...ID, identity: 'stefanb@us.ibm.co' }, // a prefix: sigstore-js would match it as a regex
      { ...ID, identity: 'xstefanb@us.ibm.com' },
    ])
      expect(await code(verifyModel(d, { ...o, sigstore }))).toBe('IDENTITY_MISMATCH');
    expect(await code(verifyModel(d, { ...o, publicKey: pub }))).toBe('USAGE');
  });

  it('keyless: a tampered envelope, certificate or tlog entry, or an untrusted root, fails closed', async () => {
    type Raw = {
      verificationMaterial: {
        certificate: { rawBytes: string };
        tlogEntries: {
          logIndex: string;
          integratedTime: string;
          canonicalizedBody: string;
          inclusionProof: { hashes: string[] };
          inclusionPromise: { signedEntryTimestamp: string };
        }[];
      };
      dsseEnvelope: { payload: string; signatures: { sig: string }[] };
    };
    const load = (v: string) => JSON.parse(readFileSync(join(MT, v, 'model.sig'), 'utf8')) as Raw;
    const flip = (b64: string, at: number) => {
      const buf = Buffer.from(b64, 'base64');
      buf[at]! ^= 1;
      return buf.toString('base64');
    };
    const verdict = (v: string, f: (b: Raw) => void): string => {
      const b = load(v);
      f(b);
      try {
        verifyBundleSignature(JSON.stringify(b), { sigstore: ID });
        return 'OK';
      } catch (e) {
        return e instanceof SignError ? e.code : String(e);
      }
    };
    const sig = (b: Raw) => (b.dsseEnvelope.signatures[0]!.sig = flip(b.dsseEnvelope.signatures[0]!.sig, 20));
    const entry = (b: Raw) => b.verificationMaterial.tlogEntries[0]!;
    // v1.1.0 also carries an RFC 3161 timestamp over the signature, checked first
    expect(verdict('v1.1.0-sigstore', sig)).toBe('UNTRUSTED_TIMESTAMP');
    expect(verdict('v1.0.1-sigstore', sig)).toBe('TLOG_INVALID');
    const payload = (b: Raw) =>
      (b.dsseEnvelope.payload = Buffer.from(
        Buffer.from(b.dsseEnvelope.payload, 'base64').toString().replace('signme-1', 'signme-3'),
      ).toString('base64'));
    expect(verdict('v1.0.1-sigstore', payload)).toBe('TLOG_INVALID');
    const cert = (b: Raw) =>
      (b.verificationMaterial.certificate.rawBytes = flip(b.verificationMaterial.certificate.rawBytes, 400));
    expect(verdict('v1.0.1-sigstore', cert)).toBe('UNTRUSTED_CERTIFICATE');
    for (const f of [
      (b: Raw) => (entry(b).logIndex = '1'),
      (b: Raw) => (entry(b).integratedTime = String(Number(entry(b).integratedTime) + 1)),
      (b: Raw) => (entry(b).canonicalizedBody = flip(entry(b).canonicalizedBody, 30)),
      (b: Raw) => (entry(b).inclusionProof.hashes[0] = flip(entry(b).inclusionProof.hashes[0]!, 3)),
      (b: Raw) =>
        (entry(b).inclusionPromise.signedEntryTimestamp = flip(
          entry(b).inclusionPromise.signedEntryTimestamp,
          10,
        )),
    ])
      expect(verdict('v1.0.1-sigstore', f)).toBe('TLOG_INVALID');
    const d = join(MT, 'v1.1.0-sigstore');
    // a trust root without the public-good Fulcio CA: the certificate chains to nothing trusted
    const root = JSON.parse(
      readFileSync(new URL('../../../vendor/sigstore/trusted_root.json', import.meta.url), 'utf8'),
    ) as {
      certificateAuthorities: { subject: { commonName: string } }[];
    };
    const foreign = structuredClone(root);
    foreign.certificateAuthorities = foreign.certificateAuthorities.slice(0, 1); // only the 2021-2022 CA
    expect(
      await code(verifyModel(d, { ignorePaths: ['ignore-me'], sigstore: { ...ID, trustedRoot: foreign } })),
    ).toBe('UNTRUSTED_CERTIFICATE');
    expect(
      await code(
        verifyModel(d, { ignorePaths: ['ignore-me'], sigstore: { ...ID, trustedRoot: '{"tlogs": 3}' } }),
      ),
    ).toBe('CONFIG_INVALID');
  });

  it('keyless: tampering a signed file is a DIGEST_MISMATCH after the signature verified', async () => {
    const dir = join(tmpdir(), `warden-sigstore-${process.pid}`);
    cpSync(join(MT, 'v1.0.1-sigstore'), dir, { recursive: true });
    try {
      const f = join(dir, 'signme-2');
      const b = readFileSync(f);
      b[0]! ^= 1;
      writeFileSync(f, b);
      expect(await code(verifyModel(dir, { sigstore: ID, ignorePaths: ['ignore-me'] }))).toBe(
        'DIGEST_MISMATCH',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

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

  it('the valid sigstore vector verifies keyless offline', () => {
    const r = verifyBundleSignature(read('valid/sigstore.bundle.json'), { sigstore: ID });
    expect([r.kind, r.signer.split(' ')[1]]).toEqual(['sigstore', 'stefanb@us.ibm.com']);
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
