import type { Attack } from './types.js';
import { FGSM, PGD } from './pgd.js';

/** Every attack, by name: the one list the CLI, reports and the contract test read. */
export const ATTACKS: readonly Attack[] = [FGSM, PGD];

export function findAttack(name: string): Attack | undefined {
  return ATTACKS.find((a) => a.name === name);
}

export type { Attack, AttackParams, AttackTarget, Norm } from './types.js';
export { evaluateAttack, type AttackReport } from './evaluate.js';
