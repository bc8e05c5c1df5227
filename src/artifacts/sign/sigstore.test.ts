import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/index.js';
import { SignError } from './errors.js';
import { verifyBundleSignature } from './verify.js';

const BUNDLE = readFileSync(
  new URL('../../../test/fixtures/signing/model-transparency/v1.1.0-sigstore/model.sig', import.meta.url),
  'utf8',
);
const ID = { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' };

describe('keyless verification of mutated bundles', () => {
  it('never throws anything but a typed SignError, and never accepts a changed bundle', () => {
    const rnd = seededRandom(7);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const chars = [...BUNDLE];
      const edits = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(rnd() * chars.length);
        const pick = rnd();
        if (pick < 0.4) chars[at] = String.fromCharCode(33 + Math.floor(rnd() * 90));
        else if (pick < 0.7) chars.splice(at, 1 + Math.floor(rnd() * 8));
        else chars.length = at; // truncation
      }
      const text = chars.join('');
      let code = 'OK';
      try {
        verifyBundleSignature(text, { sigstore: ID });
      } catch (e) {
        expect(e).toBeInstanceOf(SignError);
        code = (e as SignError).code;
      }
      // An accepted bundle must carry the same signed statement, signature and certificate. Other edits
      // can be harmless: JSON syntax that parses the same, base64 padding Node decodes the same, a renamed
      // (so ignored) inclusionPromise when the inclusion proof alone verifies, or the certificates a CMS
      // timestamp carries for convenience (the TSA chain comes from the trusted root).
      if (code === 'OK') {
        const keep = (t: string) => {
          const b = JSON.parse(t) as {
            dsseEnvelope: unknown;
            verificationMaterial: { certificate: unknown };
          };
          return [b.dsseEnvelope, b.verificationMaterial.certificate];
        };
        expect(keep(text)).toEqual(keep(BUNDLE));
      }
      outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
    }
    expect(outcomes.get('MALFORMED_BUNDLE')).toBeGreaterThan(0);
  });
});
