import { checkDelta, checkEpsilon, checkNoiseMultiplier, checkSampleRate, checkSteps } from '../errors.js';

/** One homogeneous stretch of DP-SGD: `steps` Poisson-sampled Gaussian steps sharing q and sigma. */
export interface Phase {
  noiseMultiplier: number;
  sampleRate: number;
  steps: number;
}

/** An (epsilon, delta) guarantee, with what an accountant can say beyond the number itself. */
export interface PrivacySpent {
  epsilon: number;
  delta: number;
  /** RDP: the order the conversion picked. */
  bestOrder?: number;
  /** PRV: the estimate and the bounds around it (epsilon is the upper bound). */
  estimate?: number;
  lower?: number;
  upper?: number;
}

export const ACCOUNTANT_NAMES = ['rdp', 'prv', 'gdp', 'pld'] as const;
export type AccountantName = (typeof ACCOUNTANT_NAMES)[number];

/** A privacy accountant: composes a history of subsampled-Gaussian phases and converts it to (epsilon, delta). */
export interface Accountant {
  readonly name: AccountantName;
  readonly history: readonly Phase[];
  /** Adds a phase; phases with other q or sigma compose with the earlier ones. */
  compose(phase: Phase): this;
  /** One training step, merged into the last phase when q and sigma are unchanged (as Opacus's step). */
  step(noiseMultiplier: number, sampleRate: number): this;
  getPrivacySpent(delta: number): PrivacySpent;
  getEpsilon(delta: number): number;
  getDelta(epsilon: number): number;
}

export function checkPhase(p: Phase): void {
  checkSampleRate(p.sampleRate);
  checkNoiseMultiplier(p.noiseMultiplier);
  checkSteps(p.steps);
}

/** History bookkeeping and argument checks shared by every accountant; subclasses only do the maths. */
export abstract class HistoryAccountant implements Accountant {
  abstract readonly name: AccountantName;
  private phases: Phase[] = [];

  get history(): readonly Phase[] {
    return this.phases;
  }

  compose(phase: Phase): this {
    checkPhase(phase);
    this.phases.push({ ...phase });
    return this;
  }

  step(noiseMultiplier: number, sampleRate: number): this {
    const last = this.phases[this.phases.length - 1];
    if (last && last.noiseMultiplier === noiseMultiplier && last.sampleRate === sampleRate) {
      last.steps += 1;
      return this;
    }
    return this.compose({ noiseMultiplier, sampleRate, steps: 1 });
  }

  getPrivacySpent(delta: number): PrivacySpent {
    checkDelta(delta);
    if (this.phases.length === 0) return { epsilon: 0, delta };
    return this.spent(this.phases, delta);
  }

  getEpsilon(delta: number): number {
    return this.getPrivacySpent(delta).epsilon;
  }

  getDelta(epsilon: number): number {
    checkEpsilon(epsilon);
    if (this.phases.length === 0) return 0;
    return this.deltaFor(this.phases, epsilon);
  }

  protected abstract spent(history: readonly Phase[], delta: number): PrivacySpent;
  protected abstract deltaFor(history: readonly Phase[], epsilon: number): number;
}
