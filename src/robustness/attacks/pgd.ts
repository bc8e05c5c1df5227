import { seededRandom } from '../../core/index.js';
import { robustnessError } from '../errors.js';
import { argmax } from '../evaluate.js';
import { leaseStepSession } from './step-cache.js';
import type { Attack, AttackParams, AttackTarget } from './types.js';

/** Uniform start inside the Linf ball, or a random direction scaled inside the L2 ball. */
function randomStart(x0: Float32Array, n: number, p: AttackParams, rnd: () => number): Float32Array {
  const out = Float32Array.from(x0);
  const per = x0.length / n;
  for (let i = 0; i < n; i++) {
    if (p.norm === 'inf') {
      for (let k = i * per; k < (i + 1) * per; k++) out[k] = (x0[k] as number) + (rnd() * 2 - 1) * p.eps;
    } else {
      const d = Float32Array.from(
        { length: per },
        () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd()),
      );
      const norm = Math.sqrt(d.reduce((a, v) => a + v * v, 0)) || 1;
      const r = p.eps * rnd() ** (1 / per);
      for (let k = 0; k < per; k++)
        out[i * per + k] = (x0[i * per + k] as number) + (d[k] as number) * (r / norm);
    }
  }
  for (let k = 0; k < out.length; k++) out[k] = Math.min(p.clipMax, Math.max(p.clipMin, out[k] as number));
  return out;
}

/** PGD (Madry et al. 2018) with optional random start and restarts; FGSM is its one-step, no-start case. */
async function pgd(
  target: AttackTarget,
  x0: Float32Array,
  y: Uint8Array,
  n: number,
  p: AttackParams,
): Promise<Float32Array> {
  if (!target.emit)
    throw robustnessError('MODEL_INVALID', 'PGD needs a white-box target (an ONNX model or a Warden model)');
  const alpha = p.alpha ?? (p.steps === 1 ? p.eps : (2.5 * p.eps) / p.steps);
  const lease = await leaseStepSession({ ...target, emit: target.emit }, target, {
    eps: p.eps,
    alpha,
    norm: p.norm,
    clipMin: p.clipMin,
    clipMax: p.clipMax,
    threads: p.threads ?? 1,
  });
  const session = lease.session;
  const rnd = seededRandom(p.seed);
  const per = x0.length / n;
  const best = Float32Array.from(x0);
  const fooled = new Uint8Array(n);
  try {
    for (let r = 0; r < Math.max(1, p.restarts); r++) {
      let x = p.randomStart ? randomStart(x0, n, p, rnd) : Float32Array.from(x0);
      for (let s = 0; s < p.steps; s++) x = Float32Array.from((await session.step(x, x0, y, n)).next);
      const pred = argmax(await target.logits(x, n), target.classes, n);
      for (let i = 0; i < n; i++) {
        if (fooled[i]) continue;
        // keep the latest attempt until one succeeds, then keep the success
        best.set(x.subarray(i * per, (i + 1) * per), i * per);
        if (pred[i] !== y[i]) fooled[i] = 1;
      }
      if (fooled.every(Boolean)) break;
    }
  } finally {
    await lease.release();
  }
  return best;
}

export const PGD: Attack = {
  name: 'pgd',
  kind: 'white-box',
  description: 'Projected gradient descent (Linf or L2), random start, restarts',
  norms: ['inf', '2'],
  run: pgd,
};

export const FGSM: Attack = {
  name: 'fgsm',
  kind: 'white-box',
  description:
    'Fast gradient sign method (one step of size eps; L2 variant steps along the normalised gradient)',
  norms: ['inf', '2'],
  run: (t, x, y, n, p) => pgd(t, x, y, n, { ...p, steps: 1, alpha: p.eps, randomStart: false, restarts: 1 }),
};
