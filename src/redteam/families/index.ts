import type { Category, Family } from '../types.js';
import { ENCODING_FAMILIES } from './encoding.js';
import { INJECTION_FAMILIES } from './injection.js';
import { JAILBREAK_FAMILIES } from './jailbreak.js';
import { LEAKAGE_FAMILIES } from './leakage.js';
import { PII_FAMILIES } from './pii.js';

export { RESTRICTED_GOALS, type RestrictedGoal } from './jailbreak.js';

/** Every probe family, by category: the one list the generator and the contract test read. */
export const FAMILIES: readonly Family[] = [
  ...INJECTION_FAMILIES,
  ...JAILBREAK_FAMILIES,
  ...LEAKAGE_FAMILIES,
  ...PII_FAMILIES,
  ...ENCODING_FAMILIES,
];

export function familiesOf(categories: readonly Category[]): Family[] {
  return FAMILIES.filter((f) => categories.includes(f.category));
}
