import { describe, expect, it } from 'vitest';
import { Guard } from '../pipeline.js';
import { Vault } from '../vault.js';
import { SseParser } from './sse.js';
import { ChoiceGuard } from './stream.js';

const guard = new Guard({
  input: [],
  output: [
    { detector: 'canary', action: 'block' },
    { detector: 'pii', action: 'redact', options: { types: ['EMAIL_ADDRESS'] } },
  ],
});

function streamThrough(text: string, pieceLen: number, vault = new Vault(), canaries: string[] = []) {
  const g = new ChoiceGuard({ scan: (t) => guard.scanOutput(t, { vault, canaries }), vault });
  let out = '';
  for (let i = 0; i < text.length; i += pieceLen) out += g.push(text.slice(i, i + pieceLen));
  out += g.finish();
  return { out, blocked: g.blocked };
}

describe('SseParser', () => {
  it('joins events split anywhere, CRLF included, and skips comments', () => {
    const wire = ': ping\r\n\r\ndata: {"a":1}\r\n\r\ndata: line1\r\ndata: line2\r\n\r\ndata: [DONE]\r\n\r\n';
    for (const cut of [1, 3, 7, 18, 19, 20, 40]) {
      const p = new SseParser();
      const got = [...p.push(wire.slice(0, cut)), ...p.push(wire.slice(cut))];
      expect(got).toEqual(['{"a":1}', 'line1\nline2', '[DONE]']);
    }
  });
});

describe('ChoiceGuard', () => {
  const filler = 'Plain words that mean nothing in particular. '.repeat(20);

  it('releases the same text as a whole-text scan, whatever the chunking', () => {
    const text = `${filler}Write to bob@corp.io today and restore [EMAIL_ADDRESS_1]. ${filler}`;
    const vault = new Vault();
    vault.placeholder('EMAIL_ADDRESS', 'alice@example.com');
    const expected = vault.restore(guard.scanOutput(text).sanitized);
    expect(expected).toContain('[REDACTED_EMAIL_ADDRESS] today and restore alice@example.com.');
    for (const piece of [1, 5, 64, 333, text.length])
      expect(streamThrough(text, piece, vault).out).toBe(expected);
  });

  it('holds back unchecked text and blocks a leak before it is released', () => {
    const canary = 'wdn-0123456789abcdef';
    const g = new ChoiceGuard({
      scan: (t) => guard.scanOutput(t, { canaries: [canary] }),
      vault: new Vault(),
    });
    expect(g.push('short start ')).toBe('');
    const released = g.push(filler);
    expect(released.length).toBeGreaterThan(0);
    expect(released.length).toBeLessThan(filler.length + 12);
    const r = streamThrough(`${filler}the marker is ${canary}${filler}`, 10, new Vault(), [canary]);
    expect(r.blocked).toBe('[blocked by Warden guard: canary]');
    expect(r.out).not.toContain('wdn-');
  });
});
