import { seededRandom } from '../../core/index.js';
import { margins } from './grad-session.js';
import type { Attack, AttackParams, AttackTarget } from './types.js';

/** Square's schedule: the fraction of pixels changed, halved at fixed points of a 10,000-query run, rescaled. */
function fraction(pInit: number, it: number, total: number): number {
  const i = Math.floor((it * 10_000) / total);
  const marks = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];
  const halvings = marks.filter((m) => i > m).length;
  return pInit / 2 ** halvings;
}

/**
 * Square attack (Andriushchenko et al. 2020), Linf, score-based: start from vertical stripes of +-eps, then
 * per query redraw one random square window of +-eps per channel and keep it when the margin loss (true logit
 * minus best other) drops. Uses only the target's scores: works on any classifier, local or remote.
 */
async function square(
  target: AttackTarget,
  x0: Float32Array,
  y: Uint8Array,
  n: number,
  p: AttackParams,
): Promise<Float32Array> {
  const [c = 1, h = 1, w = 1] =
    target.input.length === 3 ? target.input : [1, 1, target.input.reduce((a, b) => a * b, 1)];
  const per = c * h * w;
  const rnd = seededRandom(p.seed);
  const eps = p.eps;
  const clip = (v: number) => Math.min(p.clipMax, Math.max(p.clipMin, v));
  const x = Float32Array.from(x0);
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++)
      for (let col = 0; col < w; col++) {
        const s = rnd() < 0.5 ? -eps : eps;
        for (let row = 0; row < h; row++) {
          const k = i * per + (ch * h + row) * w + col;
          x[k] = clip((x0[k] as number) + s);
        }
      }
  const best = margins(await target.logits(x, n), y, target.classes, n);
  const iters = p.queries ?? 1000;
  const pInit = 0.8;
  for (let it = 1; it < iters; it++) {
    const todo: number[] = [];
    for (let i = 0; i < n; i++) if ((best[i] as number) > 0) todo.push(i);
    if (!todo.length) break;
    const side = Math.min(
      Math.max(Math.round(Math.sqrt(fraction(pInit, it, iters) * h * w)), 1),
      Math.max(1, h - 1),
    );
    const cand = new Float32Array(todo.length * per);
    todo.forEach((i, a) => {
      cand.set(x.subarray(i * per, (i + 1) * per), a * per);
      const top = Math.floor(rnd() * (h - side + 1));
      const left = Math.floor(rnd() * (w - side + 1));
      for (let ch = 0; ch < c; ch++) {
        const s = rnd() < 0.5 ? -eps : eps;
        for (let row = top; row < top + side; row++)
          for (let col = left; col < left + side; col++) {
            const k = (ch * h + row) * w + col;
            cand[a * per + k] = clip((x0[i * per + k] as number) + s);
          }
      }
    });
    const m = margins(
      await target.logits(cand, todo.length),
      Uint8Array.from(todo, (i) => y[i] ?? 0),
      target.classes,
      todo.length,
    );
    todo.forEach((i, a) => {
      if ((m[a] as number) < (best[i] as number)) {
        best[i] = m[a] as number;
        x.set(cand.subarray(a * per, (a + 1) * per), i * per);
      }
    });
  }
  return x;
}

export const SQUARE: Attack = {
  name: 'square',
  kind: 'score-based',
  description:
    'Square attack (Linf): random square updates accepted on a lower margin; scores only, no gradients',
  norms: ['inf'],
  run: square,
};
