import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { pae } from './bundle.js';
import { ecdsaSign, loadPrivateKey } from './keys.js';
import { generateKeyPair } from './keys.js';
import { PROVENANCE_ANNOTATION, scanReportEntry, type Provenance } from './provenance.js';
import { signModel } from './sign.js';
import { verifyModel } from './verify.js';

const SCHEMAS = new URL('../../../test/fixtures/signing/model-signing-spec/schemas/v1.0/', import.meta.url)
  .pathname;
const tmp = mkdtempSync(join(tmpdir(), 'warden-provenance-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const record: Provenance = {
  source: { name: 'pytorch_model.bin', digest: { sha256: 'ab'.repeat(32) } },
  scanReport: { name: 'scan.json', digest: { sha256: 'cd'.repeat(32) }, verdict: 'pass' },
  converter: { name: 'warden', version: '0.1.0' },
};

function model(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.safetensors'), Buffer.alloc(100, 1));
  writeFileSync(join(dir, 'config.json'), '{}');
  return dir;
}

function statementOf(sigPath: string): Record<string, unknown> {
  const b = JSON.parse(readFileSync(sigPath, 'utf8')) as { dsseEnvelope: { payload: string } };
  return JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8')) as Record<
    string,
    unknown
  >;
}

describe('provenance in the signed statement', () => {
  const { privatePem, publicPem } = generateKeyPair('p256');

  it('rides in the subject annotations, verifies, and round trips', async () => {
    const dir = model('with');
    const s = await signModel(dir, { privateKey: privatePem, provenance: record });
    const st = statementOf(s.signaturePath);
    expect(st.subject).toEqual([
      { name: 'with', digest: { sha256: s.rootDigest }, annotations: { [PROVENANCE_ANNOTATION]: record } },
    ]);
    expect(Object.keys(st.predicate as object)).toEqual(['serialization', 'resources']);
    const v = await verifyModel(dir, { publicKey: publicPem });
    expect(v.provenance).toEqual(record);
  });

  it('keeps the OMS statement and predicate schemas satisfied', async () => {
    const ajv = new Ajv2020({ strict: false });
    for (const f of ['predicate', 'statement'])
      ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS, `${f}.schema.json`), 'utf8')) as object);
    const validate = ajv.getSchema('https://model_signing/statement/v1.0/schema')!;
    const dir = model('schema');
    const s = await signModel(dir, { privateKey: privatePem, provenance: record });
    expect(validate(statementOf(s.signaturePath)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('leaves plain signatures byte-for-byte as before', async () => {
    const dir = model('plain');
    const s = await signModel(dir, { privateKey: privatePem });
    expect(JSON.stringify(statementOf(s.signaturePath))).not.toContain('annotations');
  });

  it('rejects bad records at signing, and a malformed signed record at verification', async () => {
    const dir = model('bad');
    const bad = { source: { digest: { sha256: 'xyz' } } } as unknown as Provenance;
    await expect(signModel(dir, { privateKey: privatePem, provenance: bad })).rejects.toMatchObject({
      code: 'USAGE',
    });
    await expect(
      signModel(dir, { privateKey: privatePem, provenance: { extra: 1 } as unknown as Provenance }),
    ).rejects.toMatchObject({ code: 'USAGE' });
    // a validly signed statement whose record is malformed: signed by us, so it must still fail closed
    const s = await signModel(dir, { privateKey: privatePem, provenance: record });
    const st = statementOf(s.signaturePath) as { subject: { annotations: Record<string, unknown> }[] };
    st.subject[0]!.annotations[PROVENANCE_ANNOTATION] = { converter: { name: 'x' } };
    const payload = Buffer.from(JSON.stringify(st));
    const sig = ecdsaSign(loadPrivateKey(privatePem), pae(payload));
    const b = JSON.parse(readFileSync(s.signaturePath, 'utf8')) as {
      dsseEnvelope: { payload: string; signatures: { sig: string }[] };
    };
    b.dsseEnvelope.payload = payload.toString('base64');
    b.dsseEnvelope.signatures[0]!.sig = sig.toString('base64');
    writeFileSync(s.signaturePath, JSON.stringify(b));
    await expect(verifyModel(dir, { publicKey: publicPem })).rejects.toMatchObject({
      code: 'MALFORMED_PAYLOAD',
    });
  });

  it('records a scan report digest, and its verdict when it is a Warden report', () => {
    const e = scanReportEntry(Buffer.from('{"kind":"scan","verdict":"fail"}'), 'r.json');
    expect(e).toMatchObject({ name: 'r.json', verdict: 'fail' });
    expect(e.digest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(scanReportEntry(Buffer.from('# markdown'), 'r.md').verdict).toBeUndefined();
  });
});
