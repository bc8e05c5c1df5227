import { seededRandom } from '../../core/index.js';
import { argmax } from '../evaluate.js';
import { gaussian, rowNorms } from './grad-session.js';
import type { Attack, AttackParams, AttackTarget, Norm } from './types.js';

/** Counts model calls per example and answers "is this batch of points adversarial?" from labels alone. */
class Oracle {
  used = 0;
  constructor(
    private readonly target: AttackTarget,
    private readonly label: number,
    private readonly budget: number,
  ) {}
  get left(): number {
    return this.budget - this.used;
  }
  async adversarial(x: Float32Array, m: number): Promise<boolean[]> {
    this.used += m;
    const pred = argmax(await this.target.logits(x, m), this.target.classes, m);
    return Array.from(pred, (c) => c !== this.label);
  }
}

const dist = (a: Float32Array, b: Float32Array, norm: Norm) => rowNorms(a, b, 1, norm)[0] as number;

/** Moves toward x0 along the threat model's path: a blend for L2, a shrinking box around x0 for Linf. */
function toward(x0: Float32Array, xa: Float32Array, t: number, norm: Norm): Float32Array {
  if (norm === '2') return Float32Array.from(xa, (v, k) => (1 - t) * (x0[k] as number) + t * v);
  const r = t * dist(xa, x0, 'inf');
  return Float32Array.from(xa, (v, k) => Math.min((x0[k] as number) + r, Math.max((x0[k] as number) - r, v)));
}

/** Binary search on the path from x0 to an adversarial point; returns the adversarial end of the bracket. */
async function boundary(
  o: Oracle,
  x0: Float32Array,
  xa: Float32Array,
  norm: Norm,
  tol: number,
): Promise<Float32Array> {
  let lo = 0;
  let hi = 1;
  while (hi - lo > tol && o.left > 0) {
    const mid = (lo + hi) / 2;
    if ((await o.adversarial(toward(x0, xa, mid, norm), 1))[0]) hi = mid;
    else lo = mid;
  }
  return toward(x0, xa, hi, norm);
}

async function attackOne(
  target: AttackTarget,
  x0: Float32Array,
  label: number,
  p: AttackParams,
  rnd: () => number,
): Promise<Float32Array> {
  const o = new Oracle(target, label, p.queries ?? 2000);
  const d = x0.length;
  const lo = p.clipMin;
  const hi = p.clipMax;
  const clip = (v: number) => Math.min(hi, Math.max(lo, v));
  if ((await o.adversarial(x0, 1))[0]) return x0;
  // start: uniform noise over the domain until one point is misclassified
  let xa: Float32Array | undefined;
  for (let t = 0; t < 100 && o.left > 0 && !xa; t++) {
    const cand = Float32Array.from({ length: d }, () => lo + rnd() * (hi - lo));
    if ((await o.adversarial(cand, 1))[0]) xa = cand;
  }
  if (!xa) return x0;
  const theta = p.norm === '2' ? 1 / (Math.sqrt(d) * d) : 1 / (d * d);
  const tol = p.norm === '2' ? theta : Math.min(theta, 1e-4);
  xa = await boundary(o, x0, xa, p.norm, Math.max(tol, 1e-6));
  let r = dist(xa, x0, p.norm);
  for (let it = 1; it <= Math.max(1, p.steps) && o.left > 0 && r > p.eps; it++) {
    const delta = p.norm === '2' ? Math.sqrt(d) * theta * r : d * theta * r;
    const evals = Math.min(Math.floor(100 * Math.sqrt(it)), 1000, Math.max(1, Math.floor(o.left / 2)));
    // Monte-Carlo estimate of the boundary normal at xa from +1/-1 decisions, with a mean baseline
    const us = new Float32Array(evals * d);
    const pts = new Float32Array(evals * d);
    for (let e = 0; e < evals; e++) {
      let nrm = 0;
      for (let k = 0; k < d; k++) {
        const u = p.norm === '2' ? gaussian(rnd) : rnd() * 2 - 1;
        us[e * d + k] = u;
        nrm += u * u;
      }
      nrm = Math.sqrt(nrm) || 1;
      for (let k = 0; k < d; k++) {
        const u = (us[e * d + k] as number) / nrm;
        const pt = clip((xa[k] as number) + delta * u);
        pts[e * d + k] = pt;
        us[e * d + k] = (pt - (xa[k] as number)) / delta;
      }
    }
    const phi = (await o.adversarial(pts, evals)).map((a) => (a ? 1 : -1));
    const mean = phi.reduce((a, b) => a + b, 0) / evals;
    const grad = new Float64Array(d);
    for (let e = 0; e < evals; e++) {
      const f = Math.abs(mean) === 1 ? (phi[e] as number) : (phi[e] as number) - mean;
      for (let k = 0; k < d; k++) grad[k] = (grad[k] as number) + f * (us[e * d + k] as number);
    }
    const gn = Math.sqrt(grad.reduce((a, v) => a + v * v, 0)) || 1;
    const step = p.norm === '2' ? Array.from(grad, (v) => v / gn) : Array.from(grad, Math.sign);
    // geometric step: from r / sqrt(it), halved until the stepped point is still adversarial
    let size = r / Math.sqrt(it);
    let next: Float32Array | undefined;
    while (o.left > 0 && size > 1e-8) {
      const cand = Float32Array.from(xa, (v, k) => clip(v + size * (step[k] as number)));
      if ((await o.adversarial(cand, 1))[0]) {
        next = cand;
        break;
      }
      size /= 2;
    }
    if (!next) break;
    xa = await boundary(o, x0, next, p.norm, Math.max(tol, 1e-6));
    r = dist(xa, x0, p.norm);
  }
  if (r <= p.eps * (1 + 1e-6)) return xa;
  // outside the budget: the point of the ball on the same path is the attack's answer, if it still fools
  const inBall = toward(x0, xa, p.eps / r, p.norm);
  return o.left > 0 && (await o.adversarial(inBall, 1))[0] ? inBall : x0;
}

/**
 * HopSkipJump (Chen, Jordan & Wainwright 2020), untargeted, decision-based: needs only predicted labels.
 * Binary search to the boundary, Monte-Carlo gradient direction from decisions, geometric step, repeat;
 * stops once inside the eps-ball. Budget: `queries` model calls per example.
 */
async function hopSkipJump(
  target: AttackTarget,
  x0: Float32Array,
  y: Uint8Array,
  n: number,
  p: AttackParams,
): Promise<Float32Array> {
  const per = x0.length / n;
  const out = Float32Array.from(x0);
  const rnd = seededRandom(p.seed);
  for (let i = 0; i < n; i++)
    out.set(await attackOne(target, x0.slice(i * per, (i + 1) * per), y[i] ?? 0, p, rnd), i * per);
  return out;
}

export const HOP_SKIP_JUMP: Attack = {
  name: 'hopskipjump',
  kind: 'decision-based',
  description: 'HopSkipJump: boundary search from label decisions only (L2 or Linf), query-budgeted',
  norms: ['inf', '2'],
  run: hopSkipJump,
};
