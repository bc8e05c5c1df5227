import { describe, expect, it } from 'vitest';
import { Guard } from './pipeline.js';
import { Vault } from './vault.js';
import { resolveOverlaps, codePointToUtf16Offsets } from './spans.js';
import { isWardenError } from '../core/index.js';

const lengthOnly = (action: string, maxChars = 10) => ({
  input: [{ detector: 'length', action, options: { maxChars } }],
  output: [{ detector: 'length', action: 'warn', options: { maxChars } }],
});

describe('Guard pipeline', () => {
  it('blocks with the detector score and reports the span', () => {
    const g = new Guard(lengthOnly('block'));
    const r = g.scanInput('a'.repeat(15));
    expect(r.flagged).toBe(true);
    expect(r.score).toBe(1);
    expect(r.findings).toEqual([
      expect.objectContaining({
        type: 'length',
        start: 10,
        end: 15,
        detector: 'length',
        action: 'block',
        direction: 'input',
      }),
    ]);
    expect(r.sanitized).toBe('a'.repeat(15));
    expect(g.scanInput('short').flagged).toBe(false);
  });

  it('redacts the span and does not flag', () => {
    const r = new Guard(lengthOnly('redact')).scanInput('0123456789tail');
    expect(r.flagged).toBe(false);
    expect(r.score).toBe(0);
    expect(r.sanitized).toBe('0123456789[REDACTED_LENGTH]');
  });

  it('pseudonymizes reversibly through the vault', () => {
    const vault = new Vault();
    const r = new Guard(lengthOnly('pseudonymize')).scanInput('0123456789secret', { vault });
    expect(r.sanitized).toBe('0123456789[LENGTH_1]');
    expect(vault.restore('the answer mentions [LENGTH_1].')).toBe('the answer mentions secret.');
  });

  it('warn only reports', () => {
    const r = new Guard(lengthOnly('block')).scanOutput('x'.repeat(20));
    expect(r.flagged).toBe(false);
    expect(r.findings[0]?.action).toBe('warn');
  });

  it('refuses texts over the hard limit with a typed error', () => {
    const g = new Guard({ ...lengthOnly('block'), limits: { maxChars: 100 } });
    try {
      g.scanInput('x'.repeat(101));
      expect.unreachable();
    } catch (e) {
      expect(isWardenError(e) && e.code).toBe('GUARD_INPUT_TOO_LARGE');
    }
  });

  it('rejects bad policies with the path of the problem', () => {
    const bad = [
      { input: [{ detector: 'nope' }] },
      { input: [{ detector: 'length', action: 'explode' }] },
      { input: [{ detector: 'length', options: { maxChars: -1 } }] },
      { input: [], extra: 1 },
      'not a policy',
    ];
    for (const p of bad) {
      try {
        new Guard(p);
        expect.unreachable();
      } catch (e) {
        expect(isWardenError(e) && ['GUARD_POLICY_INVALID', 'GUARD_UNKNOWN_DETECTOR'].includes(e.code)).toBe(
          true,
        );
      }
    }
  });
});

describe('Vault streaming restore', () => {
  it('restores placeholders split across chunks', () => {
    const v = new Vault();
    const ph = v.placeholder('EMAIL_ADDRESS', 'a@b.co');
    expect(ph).toBe('[EMAIL_ADDRESS_1]');
    expect(v.placeholder('EMAIL_ADDRESS', 'a@b.co')).toBe(ph);
    const r = v.restorer();
    const parts = ['mail [EMAIL', '_ADDR', 'ESS_1] now [x] ', '[EMAIL_ADDRESS_1]'];
    const out = parts.map((p) => r.push(p)).join('') + r.flush();
    expect(out).toBe('mail a@b.co now [x] a@b.co');
  });
});

describe('spans', () => {
  it('merges overlapping spans so every flagged character is covered', () => {
    expect(
      resolveOverlaps([
        { start: 5, end: 9 },
        { start: 0, end: 6 },
        { start: 12, end: 13 },
      ]),
    ).toEqual([
      { start: 0, end: 9 },
      { start: 12, end: 13 },
    ]);
  });
  it('maps code points to UTF-16 offsets', () => {
    expect(codePointToUtf16Offsets('a😀b')).toEqual([0, 1, 3, 4]);
  });
});
