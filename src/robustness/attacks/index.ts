import type { Attack } from './types.js';
import { FGSM, PGD } from './pgd.js';
import { CW } from './cw.js';
import { DEEPFOOL } from './deepfool.js';
import { APGD } from './apgd.js';
import { SQUARE } from './square.js';
import { HOP_SKIP_JUMP } from './hsj.js';

/** Every attack, by name: the one list the CLI, reports and the contract test read. */
export const ATTACKS: readonly Attack[] = [FGSM, PGD, APGD, CW, DEEPFOOL, SQUARE, HOP_SKIP_JUMP];

export function findAttack(name: string): Attack | undefined {
  return ATTACKS.find((a) => a.name === name);
}

export type { Attack, AttackParams, AttackTarget, Norm } from './types.js';
export {
  evaluateAttack,
  robustnessCurve,
  ROBUST_ACCURACY_CONVENTIONS,
  type AttackReport,
  type ClassReport,
  type CurvePoint,
} from './evaluate.js';
