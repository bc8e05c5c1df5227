import { seededRandom } from '../../core/index.js';
import { argmax } from '../evaluate.js';
import { oneHot } from '../models/loss.js';
import { ceLoss, gaussian, gradSession, project, requireWhiteBox } from './grad-session.js';
import type { Attack, AttackParams, AttackTarget } from './types.js';

/** APGD's checkpoints: p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06), as iteration numbers. */
export function apgdCheckpoints(steps: number): number[] {
  const p = [0, 0.22];
  while ((p.at(-1) as number) < 1)
    p.push((p.at(-1) as number) + Math.max((p.at(-1) as number) - (p.at(-2) as number) - 0.03, 0.06));
  return [...new Set(p.map((v) => Math.ceil(v * steps)).filter((v) => v > 0 && v < steps))];
}

/**
 * APGD-CE (Croce & Hein 2020): PGD with momentum (alpha 0.75) and a step size that starts at 2 eps and halves
 * at checkpoints where the loss rose on too few steps (< 75%) or stalled, restarting from the best point.
 * Per example: the best-loss point is kept, and the first misclassifying point wins.
 */
async function apgd(
  target: AttackTarget,
  x0: Float32Array,
  y: Uint8Array,
  n: number,
  p: AttackParams,
): Promise<Float32Array> {
  const wb = requireWhiteBox(target, 'APGD');
  const s = await gradSession(wb, { y: [wb.classes] }, ceLoss, p.threads ?? 1);
  const per = x0.length / n;
  const yh = oneHot(y, wb.classes, 0, n);
  const rnd = seededRandom(p.seed);
  const steps = Math.max(2, p.steps);
  const checks = new Set(apgdCheckpoints(steps));
  const out = Float32Array.from(x0);
  const fooled = new Uint8Array(n);
  const dir = (g: Float32Array, i: number): Float32Array => {
    const row = g.subarray(i * per, (i + 1) * per);
    if (p.norm === 'inf') return row.map(Math.sign);
    const nrm = Math.sqrt(row.reduce((a, v) => a + v * v, 0)) + 1e-12;
    return row.map((v) => v / nrm);
  };
  try {
    for (let restart = 0; restart < Math.max(1, p.restarts) && !fooled.every(Boolean); restart++) {
      // start: a random point of the ball (uniform box for Linf, a Gaussian direction at radius eps for L2)
      const x = Float32Array.from(x0);
      for (let i = 0; i < n; i++) {
        const t = Float32Array.from({ length: per }, () =>
          p.norm === 'inf' ? rnd() * 2 - 1 : gaussian(rnd),
        );
        const scale =
          p.norm === 'inf' ? p.eps : p.eps / (Math.sqrt(t.reduce((a, v) => a + v * v, 0)) + 1e-12);
        for (let k = 0; k < per; k++) x[i * per + k] = (x0[i * per + k] as number) + (t[k] as number) * scale;
        project(x, x0, i, per, p.eps, p.norm, p.clipMin, p.clipMax);
      }
      const eta = new Float64Array(n).fill(2 * p.eps);
      const bestLoss = new Float64Array(n).fill(-Infinity);
      const best = Float32Array.from(x);
      let prev = Float32Array.from(x);
      let r = await s.run(x, n, { y: yh });
      const lastCheck = { loss: new Float64Array(n).fill(-Infinity), eta: Float64Array.from(eta) };
      const rises = new Uint32Array(n);
      let lastK = 0;
      let prevLoss = Float64Array.from(r.loss);
      for (let k = 0; k < steps; k++) {
        const pred = argmax(r.logits, wb.classes, n);
        for (let i = 0; i < n; i++) {
          const l = r.loss[i] as number;
          if (pred[i] !== y[i] && !fooled[i]) {
            fooled[i] = 1;
            out.set(x.subarray(i * per, (i + 1) * per), i * per);
          }
          if (l > (bestLoss[i] as number)) {
            bestLoss[i] = l;
            best.set(x.subarray(i * per, (i + 1) * per), i * per);
          }
          if (k > 0 && l > (prevLoss[i] as number)) rises[i] = (rises[i] as number) + 1;
        }
        prevLoss = Float64Array.from(r.loss);
        if (checks.has(k)) {
          for (let i = 0; i < n; i++) {
            const tooFew = (rises[i] as number) < 0.75 * (k - lastK);
            const stalled = lastCheck.eta[i] === eta[i] && lastCheck.loss[i] === bestLoss[i];
            lastCheck.eta[i] = eta[i] as number;
            lastCheck.loss[i] = bestLoss[i] as number;
            rises[i] = 0;
            if (tooFew || stalled) {
              eta[i] = (eta[i] as number) / 2;
              x.set(best.subarray(i * per, (i + 1) * per), i * per);
            }
          }
          lastK = k;
          r = await s.run(x, n, { y: yh });
        }
        const next = new Float32Array(x.length);
        const z = new Float32Array(x.length);
        for (let i = 0; i < n; i++) {
          const d = dir(r.grad, i);
          for (let j = 0; j < per; j++)
            z[i * per + j] = (x[i * per + j] as number) + (eta[i] as number) * (d[j] as number);
          project(z, x0, i, per, p.eps, p.norm, p.clipMin, p.clipMax);
          const mom = k === 0 ? 1 : 0.75;
          for (let j = i * per; j < (i + 1) * per; j++)
            next[j] =
              (x[j] as number) +
              mom * ((z[j] as number) - (x[j] as number)) +
              (1 - mom) * ((x[j] as number) - (prev[j] as number));
          project(next, x0, i, per, p.eps, p.norm, p.clipMin, p.clipMax);
        }
        prev = x.slice();
        x.set(next);
        r = await s.run(x, n, { y: yh });
      }
      const pred = argmax(r.logits, wb.classes, n);
      for (let i = 0; i < n; i++) {
        if (fooled[i]) continue;
        if (pred[i] !== y[i]) {
          fooled[i] = 1;
          out.set(x.subarray(i * per, (i + 1) * per), i * per);
        } else out.set(best.subarray(i * per, (i + 1) * per), i * per);
      }
    }
  } finally {
    await s.close();
  }
  return out;
}

export const APGD: Attack = {
  name: 'apgd-ce',
  kind: 'white-box',
  description:
    'Auto-PGD on cross-entropy: momentum, step size halved at checkpoints, best point kept (Linf or L2)',
  norms: ['inf', '2'],
  run: apgd,
};
