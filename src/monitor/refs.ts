import type { Refs } from '../core/index.js';

/** Taxonomy references of the monitor domain's findings. */
export const MONITOR_REFS = {
  /** Input or prediction drift: the model sees data it was not trained for (model skewing). */
  drift: { owasp: ['ML08:2023'], atlas: ['AML.T0043'] },
  /** Disparate outcomes across groups. */
  fairness: { owasp: [], atlas: [] },
  /** Poisoned training samples and backdoor triggers. */
  poisoning: { owasp: ['ML02:2023', 'ML10:2023'], atlas: ['AML.T0020', 'AML.T0018'] },
  /** Byzantine clients in federated learning (model poisoning through updates). */
  byzantine: { owasp: ['ML10:2023'], atlas: ['AML.T0020'] },
} satisfies Record<string, Refs>;

/** JSON cannot carry infinities or NaN: such a number prints as null. */
export function finiteOrNull(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : v;
}
