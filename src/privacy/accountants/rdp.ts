import { privacyError } from '../errors.js';
import { FRACTIONAL_SERIES, rdpCurve, type FractionalSeries } from './rdp-analysis.js';
import {
  CONVERSIONS,
  rdpToDelta,
  rdpToEpsilon,
  resolveOrders,
  type Conversion,
  type OrderPreset,
} from './rdp-conversion.js';
import { HistoryAccountant, type Phase, type PrivacySpent } from './types.js';

/** Options of the RDP accountant. */
export interface RdpOptions {
  /** A preset name or explicit orders (default `opacus`). */
  orders?: OrderPreset | readonly number[];
  /** RDP -> (epsilon, delta) conversion (default `improved`). */
  conversion?: Conversion;
  /** Summation of the fractional-order series (default `opacus`, the exact one). */
  series?: FractionalSeries;
}

/**
 * Renyi DP accountant of the Poisson-subsampled Gaussian (Mironov, Talwar, Zhang 2019). RDP adds up
 * over steps and phases at each order; the conversion then takes the best order.
 */
export class RdpAccountant extends HistoryAccountant {
  readonly name = 'rdp' as const;
  readonly orders: readonly number[];
  readonly conversion: Conversion;
  readonly series: FractionalSeries;

  constructor(options: RdpOptions = {}) {
    super();
    this.orders = resolveOrders(options.orders);
    this.conversion = options.conversion ?? 'improved';
    this.series = options.series ?? 'opacus';
    if (!FRACTIONAL_SERIES.includes(this.series))
      throw privacyError('PRIVACY_INVALID_OPTION', `series must be one of ${FRACTIONAL_SERIES.join(', ')}`);
    if (!CONVERSIONS.includes(this.conversion))
      throw privacyError(
        'PRIVACY_INVALID_OPTION',
        `conversion must be one of ${CONVERSIONS.join(', ')}, got ${String(this.conversion)}`,
      );
  }

  /** Total RDP of the history at every order. */
  rdp(history: readonly Phase[] = this.history): Float64Array {
    const total = new Float64Array(this.orders.length);
    for (const p of history) {
      const curve = rdpCurve(p.sampleRate, p.noiseMultiplier, p.steps, this.orders, this.series);
      for (let k = 0; k < total.length; k++) total[k] = (total[k] as number) + (curve[k] as number);
    }
    return total;
  }

  protected spent(history: readonly Phase[], delta: number): PrivacySpent {
    const { epsilon, bestOrder } = rdpToEpsilon(this.orders, this.rdp(history), delta, this.conversion);
    return { epsilon, delta, bestOrder };
  }

  protected deltaFor(history: readonly Phase[], epsilon: number): number {
    return rdpToDelta(this.orders, this.rdp(history), epsilon, this.conversion).delta;
  }
}
