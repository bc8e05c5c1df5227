import { argmax } from '../evaluate.js';
import { gradSession, project, requireWhiteBox } from './grad-session.js';
import type { Attack, AttackParams, AttackTarget } from './types.js';

/**
 * DeepFool (Moosavi-Dezfooli et al. 2016): repeatedly linearise the classifier and step to the nearest
 * class boundary (L2: |f_k| / ||w_k||_2^2 * w_k; Linf: |f_k| / ||w_k||_1 * sign(w_k)), with overshoot.
 * The Jacobian comes from one run on the batch tiled once per class with a one-hot class selector.
 * DeepFool is minimal-norm, so under a budget its result is projected onto the eps-ball.
 */
async function deepfool(
  target: AttackTarget,
  x0: Float32Array,
  y: Uint8Array,
  n: number,
  p: AttackParams,
): Promise<Float32Array> {
  const wb = requireWhiteBox(target, 'DeepFool');
  const C = wb.classes;
  const s = await gradSession(
    wb,
    { sel: [C] },
    (g, logits, _x, e) =>
      g.op1('ReduceSum', [g.op1('Mul', [logits, e.sel as string]), g.constantInt([1])], {
        keepdims: { i: 0 },
      }),
    p.threads ?? 1,
  );
  const per = x0.length / n;
  const overshoot = p.overshoot ?? 0.02;
  const r = new Float32Array(x0.length);
  const x = Float32Array.from(x0);
  let active = Array.from({ length: n }, (_, i) => i);
  try {
    for (let it = 0; it < Math.max(1, p.steps) && active.length; it++) {
      const m = active.length;
      const tiled = new Float32Array(m * C * per);
      const sel = new Float32Array(m * C * C);
      active.forEach((i, a) => {
        for (let c = 0; c < C; c++) {
          tiled.set(x.subarray(i * per, (i + 1) * per), (a * C + c) * per);
          sel[(a * C + c) * C + c] = 1;
        }
      });
      const out = await s.run(tiled, m * C, { sel });
      const still: number[] = [];
      active.forEach((i, a) => {
        const logits = out.logits.subarray(a * C * C, a * C * C + C);
        const label = y[i] ?? 0;
        if ((argmax(logits, C, 1)[0] ?? 0) !== label) return;
        const grad = (c: number) => out.grad.subarray((a * C + c) * per, (a * C + c + 1) * per);
        const gy = grad(label);
        let bestDist = Infinity;
        let bestK = -1;
        let bestNorm = 0;
        for (let k = 0; k < C; k++) {
          if (k === label) continue;
          const gk = grad(k);
          const f = Math.abs((logits[k] as number) - (logits[label] as number));
          let wn = 0;
          for (let j = 0; j < per; j++) {
            const d = (gk[j] as number) - (gy[j] as number);
            wn += p.norm === 'inf' ? Math.abs(d) : d * d;
          }
          const dist = f / ((p.norm === 'inf' ? wn : Math.sqrt(wn)) + 1e-8);
          if (dist < bestDist) [bestDist, bestK, bestNorm] = [dist, k, wn];
        }
        const gk = grad(bestK);
        const f = Math.abs((logits[bestK] as number) - (logits[label] as number)) + 1e-4;
        for (let j = 0; j < per; j++) {
          const d = (gk[j] as number) - (gy[j] as number);
          const step =
            p.norm === 'inf' ? (f / (bestNorm + 1e-8)) * Math.sign(d) : (f / (bestNorm + 1e-8)) * d;
          const k = i * per + j;
          r[k] = (r[k] as number) + step;
          x[k] = Math.min(p.clipMax, Math.max(p.clipMin, (x0[k] as number) + (1 + overshoot) * r[k]));
        }
        still.push(i);
      });
      active = still;
    }
  } finally {
    await s.close();
  }
  for (let i = 0; i < n; i++) project(x, x0, i, per, p.eps, p.norm, p.clipMin, p.clipMax);
  return x;
}

export const DEEPFOOL: Attack = {
  name: 'deepfool',
  kind: 'white-box',
  description:
    'DeepFool: iterative linearisation to the nearest boundary (L2 or Linf), overshoot; projected onto the eps-ball',
  norms: ['inf', '2'],
  run: deepfool,
};
