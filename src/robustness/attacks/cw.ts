import { argmax } from '../evaluate.js';
import { oneHot } from '../models/loss.js';
import { gradSession, margin, project, requireWhiteBox } from './grad-session.js';
import type { Attack, AttackParams, AttackTarget } from './types.js';

/**
 * Carlini & Wagner L2 (2017): minimise ||x' - x||^2 + c * max(Z_y - max_{j!=y} Z_j, -kappa) over
 * x' = lo + (tanh(w) + 1) / 2 * (hi - lo) with Adam, binary-searching c per example. The model part of the
 * gradient comes from the engine; the distance term and the tanh chain rule are applied here.
 * Under a budget (eps), the smallest adversarial found is projected onto the eps-ball: outside it, the attack fails.
 */
async function cw(
  target: AttackTarget,
  x0: Float32Array,
  y: Uint8Array,
  n: number,
  p: AttackParams,
): Promise<Float32Array> {
  const wb = requireWhiteBox(target, 'C&W');
  const kappa = p.kappa ?? 0;
  const s = await gradSession(
    wb,
    { y: [wb.classes], c: [] },
    (g, logits, _x, e) =>
      g.op1('Mul', [
        e.c as string,
        g.op1('Relu', [g.op1('Add', [margin(g, logits, e.y as string), g.constant([kappa], [])])]),
      ]),
    p.threads ?? 1,
  );
  const per = x0.length / n;
  const lo = p.clipMin;
  const hi = p.clipMax;
  const span = hi - lo;
  const toW = (v: number) => Math.atanh(Math.min(1 - 1e-6, Math.max(-1 + 1e-6, ((v - lo) / span) * 2 - 1)));
  const w0 = Float32Array.from(x0, toW);
  const yh = oneHot(y, wb.classes, 0, n);
  const c = new Float32Array(n).fill(p.c ?? 1);
  const cLo = new Float64Array(n);
  const cHi = new Float64Array(n).fill(Infinity);
  const bestDist = new Float64Array(n).fill(Infinity);
  const best = Float32Array.from(x0);
  const steps = Math.max(1, p.steps);
  const lr = p.alpha ?? 0.01;
  try {
    for (let round = 0; round < (p.searchSteps ?? 5); round++) {
      const w = Float32Array.from(w0);
      const m = new Float32Array(w.length);
      const v = new Float32Array(w.length);
      const found = new Uint8Array(n);
      const x = new Float32Array(w.length);
      for (let t = 1; t <= steps; t++) {
        for (let k = 0; k < w.length; k++) x[k] = lo + ((Math.tanh(w[k] as number) + 1) / 2) * span;
        const r = await s.run(x, n, { y: yh, c });
        const pred = argmax(r.logits, wb.classes, n);
        for (let i = 0; i < n; i++) {
          let d = 0;
          for (let k = i * per; k < (i + 1) * per; k++) d += ((x[k] as number) - (x0[k] as number)) ** 2;
          if (pred[i] !== y[i] && d < (bestDist[i] as number)) {
            bestDist[i] = d;
            best.set(x.subarray(i * per, (i + 1) * per), i * per);
            found[i] = 1;
          }
        }
        const c1 = 1 - 0.9 ** t;
        const c2 = 1 - 0.999 ** t;
        for (let k = 0; k < w.length; k++) {
          const th = Math.tanh(w[k] as number);
          const gx = 2 * ((x[k] as number) - (x0[k] as number)) + (r.grad[k] as number);
          const gw = (gx * (1 - th * th) * span) / 2;
          const mk = 0.9 * (m[k] as number) + 0.1 * gw;
          const vk = 0.999 * (v[k] as number) + 0.001 * gw * gw;
          m[k] = mk;
          v[k] = vk;
          w[k] = (w[k] as number) - (lr * (mk / c1)) / (Math.sqrt(vk / c2) + 1e-8);
        }
      }
      // binary search on c: smaller after a success, larger (x10 until bracketed) after a failure
      for (let i = 0; i < n; i++) {
        const ci = c[i] as number;
        if (found[i]) cHi[i] = Math.min(cHi[i] as number, ci);
        else cLo[i] = Math.max(cLo[i] as number, ci);
        c[i] = Number.isFinite(cHi[i]) ? ((cLo[i] as number) + (cHi[i] as number)) / 2 : ci * 10;
      }
    }
  } finally {
    await s.close();
  }
  for (let i = 0; i < n; i++) project(best, x0, i, per, p.eps, p.norm, lo, hi);
  return best;
}

export const CW: Attack = {
  name: 'cw',
  kind: 'white-box',
  description:
    'Carlini-Wagner L2: Adam in tanh space with a binary search on c; result projected onto the eps-ball',
  norms: ['2'],
  run: cw,
};
