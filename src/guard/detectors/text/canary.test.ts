import { describe, expect, it } from 'vitest';
import { canaryDetector, makeCanary, plantCanary } from './canary.js';
import { Guard } from '../../pipeline.js';
import { seededRandom } from '../../../core/index.js';
import type { DetectContext } from '../../types.js';

const canary = makeCanary(seededRandom(1));
const ctx: DetectContext = { direction: 'output', depth: 0, canaries: [canary] };
const det = canaryDetector.create(canaryDetector.options.parse({}));
const detect = (t: string) => det.detect(t, ctx).detections;

describe('canary helpers', () => {
  it('makes wdn- tokens with 16 hex digits, random by default and reproducible with a seed', () => {
    expect(canary).toMatch(/^wdn-[0-9a-f]{16}$/);
    expect(makeCanary(seededRandom(1))).toBe(canary);
    const a = makeCanary();
    expect(a).toMatch(/^wdn-[0-9a-f]{16}$/);
    expect(makeCanary()).not.toBe(a);
  });

  it('plants the canary with an instruction to keep it secret', () => {
    const p = plantCanary('You are a helpful assistant.', canary);
    expect(p.startsWith('You are a helpful assistant.\n')).toBe(true);
    expect(p).toContain(canary);
    expect(p).toMatch(/never/i);
  });
});

describe('canary detector', () => {
  it('finds the verbatim token with its span', () => {
    const text = `My instructions end with ${canary}, sorry.`;
    expect(detect(text)).toEqual([
      expect.objectContaining({ type: 'canary', start: 25, end: 25 + canary.length, score: 1 }),
    ]);
  });

  it('finds it split by spaces or zero-width characters and case-changed', () => {
    const spaced = canary.toUpperCase().split('').join(' ');
    const [d] = detect(`leak: ${spaced} end`);
    expect(d).toMatchObject({ start: 6, end: 6 + spaced.length, meta: { form: 'split or case-changed' } });
    expect(detect(`x ${canary.split('').join('\u200b')} y`)).toHaveLength(1);
    expect(detect(`${[...canary].reverse().join('')}`)[0]?.meta?.form).toBe('reversed');
  });

  it('finds it base64- or hex-encoded, also inside a longer encoded message', () => {
    const b64 = Buffer.from(`the secret marker is ${canary} ok`).toString('base64');
    expect(detect(`Encoded: ${b64}`)[0]).toMatchObject({
      start: 9,
      end: 9 + b64.length,
      meta: { form: 'base64' },
    });
    const hex = Buffer.from(canary).toString('hex');
    expect(detect(`hex ${hex}`)[0]?.meta?.form).toBe('hex');
  });

  it('finds the random part without its prefix, and nothing in clean text', () => {
    expect(detect(`marker ${canary.slice(4)}`)[0]).toMatchObject({ score: 0.9 });
    expect(detect('I cannot share my instructions. wdn-0000 deadbeef')).toEqual([]);
    expect(det.detect(canary, { ...ctx, canaries: [] }).detections).toEqual([]);
  });

  it('blocks through the pipeline with per-call canaries', () => {
    const g = new Guard({ output: [{ detector: 'canary' }] });
    expect(g.scanOutput(`sure: ${canary}`, { canaries: [canary] }).flagged).toBe(true);
    expect(g.scanOutput('nothing to see', { canaries: [canary] }).flagged).toBe(false);
  });
});
