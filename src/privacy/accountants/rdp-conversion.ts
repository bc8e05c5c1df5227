// RDP orders presets and the RDP -> (epsilon, delta) conversions.
import { privacyError } from '../errors.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const tenths = Array.from({ length: 99 }, (_, i) => 1 + (i + 1) / 10);

/**
 * Orders of the peers: Opacus RDPAccountant.DEFAULT_ALPHAS, dp_accounting DEFAULT_RDP_ORDERS, and the
 * list TF Privacy's compute_dp_sgd_privacy used (the one behind its published MNIST epsilons).
 */
export const ORDER_PRESETS = {
  opacus: [...tenths, ...range(12, 64)],
  'dp-accounting': [...tenths, ...range(11, 64), 128, 256, 512, 1024],
  tf: [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, ...range(5, 64), 128, 256, 512],
} as const satisfies Record<string, readonly number[]>;
export type OrderPreset = keyof typeof ORDER_PRESETS;
export const ORDER_PRESET_NAMES = Object.keys(ORDER_PRESETS) as OrderPreset[];

/** `improved`: Balle et al. 2020 (current Opacus and dp_accounting); `classic`: Mironov 2017. */
export type Conversion = 'improved' | 'classic';
export const CONVERSIONS: readonly Conversion[] = ['improved', 'classic'];

/** Resolves a preset name or checks an explicit list (every order > 1, none NaN). */
export function resolveOrders(orders: OrderPreset | readonly number[] = 'opacus'): readonly number[] {
  if (typeof orders === 'string') {
    const preset = ORDER_PRESETS[orders] as readonly number[] | undefined;
    if (!preset)
      throw privacyError(
        'PRIVACY_INVALID_ORDERS',
        `unknown orders preset ${String(orders)} (use ${ORDER_PRESET_NAMES.join(', ')})`,
      );
    return preset;
  }
  if (orders.length === 0) throw privacyError('PRIVACY_INVALID_ORDERS', 'the list of RDP orders is empty');
  for (const a of orders)
    if (!(a > 1)) throw privacyError('PRIVACY_INVALID_ORDERS', `every RDP order must be > 1, got ${a}`);
  return orders;
}

function epsilonAt(order: number, rdp: number, delta: number, conversion: Conversion): number {
  if (Number.isNaN(rdp) || rdp === Infinity) return Infinity;
  if (conversion === 'classic') return rdp - Math.log(delta) / (order - 1);
  if (rdp < 0) return 0;
  // The KL bound delta <= sqrt(1 - exp(-rdp)) already gives epsilon = 0 (dp_accounting does the same).
  if (delta * delta + Math.expm1(-rdp) > 0) return 0;
  // The improved bound is unstable as the order tends to 1 and useless there anyway.
  if (order <= 1.01) return Infinity;
  return rdp + Math.log1p(-1 / order) - (Math.log(delta) + Math.log(order)) / (order - 1);
}

/** Smallest epsilon over the orders for a target delta, and the order that gave it. */
export function rdpToEpsilon(
  orders: readonly number[],
  rdp: ArrayLike<number>,
  delta: number,
  conversion: Conversion,
): { epsilon: number; bestOrder: number } {
  let best = Infinity;
  let bestOrder = NaN;
  for (let k = 0; k < orders.length; k++) {
    const eps = epsilonAt(orders[k] as number, rdp[k] as number, delta, conversion);
    if (!Number.isNaN(eps) && (eps < best || Number.isNaN(bestOrder))) {
      best = eps;
      bestOrder = orders[k] as number;
    }
  }
  return { epsilon: Math.max(0, best), bestOrder };
}

function logDeltaAt(order: number, rdp: number, epsilon: number, conversion: Conversion): number {
  if (Number.isNaN(rdp) || rdp === Infinity) return 0;
  if (conversion === 'classic') return (order - 1) * (rdp - epsilon);
  if (rdp <= 0) return -Infinity;
  let logDelta = 0.5 * Math.log1p(-Math.exp(-rdp));
  if (order > 1.01) {
    const bound = (order - 1) * (rdp - epsilon + Math.log1p(-1 / order)) - Math.log(order);
    logDelta = Math.min(logDelta, bound);
  }
  return logDelta;
}

/** Smallest delta over the orders for a target epsilon (at most 1), and the order that gave it. */
export function rdpToDelta(
  orders: readonly number[],
  rdp: ArrayLike<number>,
  epsilon: number,
  conversion: Conversion,
): { delta: number; bestOrder: number } {
  let best = Infinity;
  let bestOrder = NaN;
  for (let k = 0; k < orders.length; k++) {
    const ld = logDeltaAt(orders[k] as number, rdp[k] as number, epsilon, conversion);
    if (ld < best || Number.isNaN(bestOrder)) {
      best = ld;
      bestOrder = orders[k] as number;
    }
  }
  return { delta: Math.min(Math.exp(best), 1), bestOrder };
}
