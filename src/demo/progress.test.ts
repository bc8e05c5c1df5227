import { describe, expect, it } from 'vitest';
import { Progress } from './progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, s: { isTTY, columns: 80, write: (x: string) => chunks.push(x) } };
}

describe('Progress', () => {
  it('off a terminal: the title, a plain line per tenth and the outcome, no control characters', () => {
    const { chunks, s } = sink(false);
    const p = new Progress(s, 3);
    const step = p.step(2, 'Train');
    for (let k = 1; k <= 100; k++) step.update(k, 100, `loss ${k}`);
    const seconds = step.done('ok');
    const text = chunks.join('');
    expect(text.startsWith('[2/3] Train\n')).toBe(true);
    expect(text.includes('\r') || text.includes('\u001b')).toBe(false);
    // 1%..9% share one line, then one at every tenth
    expect(text.split('\n').filter((l) => /^ {2}\d+% /.test(l))).toEqual([
      '  1% loss 1',
      ...[10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((k) => `  ${k}% loss ${k}`),
    ]);
    expect(text).toMatch(/done in \d+\.\d s: ok\n$/);
    expect(seconds).toBeGreaterThanOrEqual(0);
  });

  it('on a terminal: redraws one line with a bar and clears it before the outcome', () => {
    const { chunks, s } = sink(true);
    const step = new Progress(s, 1).step(1, 'Attack');
    step.update(50, 100, 'half');
    step.update(100, 100, 'all');
    step.done();
    const bars = chunks.filter((c) => c.startsWith('\r  #'));
    expect(bars.length).toBe(2);
    expect(bars[0]).toContain(' 50% half');
    expect(bars[1]).toContain('100% all');
    expect(bars.every((b) => b.length <= 80)).toBe(true);
    expect(chunks.at(-1)).toMatch(/^ {2}done in /);
  });

  it('quiet: writes nothing', () => {
    const { chunks, s } = sink(false);
    const p = new Progress(s, 1, { quiet: true });
    p.log('x');
    const st = p.step(1, 'y');
    st.update(1, 2);
    st.done();
    expect(chunks).toEqual([]);
  });
});
